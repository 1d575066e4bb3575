/**
 * The replay engine: applies AOF commands to a {@link Dataset} as a Redis server does while it
 * loads the file — every file of a multi-part AOF with its own client (database 0 selected,
 * no MULTI open), MULTI blocks queued and run at EXEC, a block still open at the end of a file
 * discarded, nothing expiring while loading.
 *
 * A command Redis would refuse (see errors.ts) stops the replay with a located
 * {@link ReplayError}; with `skipUnknown` it is skipped and counted instead, and the replay
 * goes on (inside MULTI … EXEC with the next command, as EXEC does after a failed one).
 */
import type { AofArgPart, AofCommand, AofHandler } from '../model/aof-events.js';
import type { Dataset } from '../dataset/dataset.js';
import { toByteString, type ByteString } from '../dataset/byte-string.js';
import { CommandContext, DEFAULT_DATABASES } from './context.js';
import { arityOk, type CommandSpec, type CommandTable } from './command.js';
import { arityError, CommandError, ReplayError, replayCode, type CommandErrorKind } from './errors.js';
import { COMMANDS } from './commands/index.js';
import type { Reply } from './reply.js';
import { OK } from './reply.js';

/** Where a command is in the input. */
export interface CommandSite {
  file?: string;
  /** Absolute offset of the command's `*`. */
  offset?: number;
  /** Physical line of the `*`. */
  line?: number;
}

/** A command that was skipped (`skipUnknown`). */
export interface SkippedCommand extends CommandSite {
  code: ReplayError['code'];
  /** The command's name as written. */
  command: string;
  /** Redis's error reply. */
  reply: string;
}

/** Options of {@link ReplayEngine}. */
export interface ReplayOptions {
  /** Skip (and count) commands that cannot be applied instead of stopping. Default false. */
  skipUnknown?: boolean;
  /** The time relative expiries in scripts count from, in Unix ms (default: the clock). */
  nowMs?: number;
  /** Number of databases (default 16, as Redis's `databases`). */
  databases?: number;
  /** Skipped commands kept in {@link ReplayStats.skippedSamples} (default 20). */
  maxSkippedSamples?: number;
  /** Extra commands, or replacements, by lower-case name (tests, embedders). */
  commands?: CommandTable;
}

/** What the replay did. */
export interface ReplayStats {
  /** Commands applied (MULTI and EXEC not counted; commands inside blocks are). */
  applied: number;
  /** Commands skipped under `skipUnknown`, by error code. */
  skipped: Partial<Record<ReplayError['code'], number>>;
  /** The first skipped commands, located. */
  skippedSamples: SkippedCommand[];
  /** MULTI … EXEC blocks run. */
  transactions: number;
  /** Blocks left open at the end of a file and discarded, and the commands they held. */
  discardedBlocks: number;
  discardedCommands: number;
}

interface Queued {
  argv: ByteString[];
  spec: CommandSpec;
  site: CommandSite;
}

/** Applies commands to a dataset. */
export class ReplayEngine {
  readonly context: CommandContext;
  readonly stats: ReplayStats = { applied: 0, skipped: {}, skippedSamples: [], transactions: 0, discardedBlocks: 0, discardedCommands: 0 };
  private readonly table: CommandTable;
  private readonly skip: boolean;
  private readonly maxSamples: number;
  /** The open MULTI block's commands, or null outside one. */
  private queue: Queued[] | null = null;
  private file: string | undefined;
  /** Parts of arguments too long to be delivered inline, by argument index, for the command being read. */
  private parts = new Map<number, Uint8Array[]>();
  /** The offset of the command those parts belong to. */
  private partsOf = -1;

  constructor(
    readonly dataset: Dataset,
    opts: ReplayOptions = {},
  ) {
    const now = opts.nowMs;
    this.context = new CommandContext(dataset, now === undefined ? Date.now : () => now, opts.databases ?? DEFAULT_DATABASES);
    this.context.call = (argv) => this.callFromScript(argv);
    this.table = opts.commands ? { ...COMMANDS, ...opts.commands } : COMMANDS;
    this.skip = opts.skipUnknown ?? false;
    this.maxSamples = opts.maxSkippedSamples ?? 20;
  }

  /**
   * Starts a new file: database 0 selected, no block open (Redis loads each file of a
   * multi-part AOF with a fresh client). Call {@link endFile} at its end.
   */
  startFile(name?: string): void {
    this.file = name;
    this.context.select(0);
    this.queue = null;
    this.parts.clear();
  }

  /** Ends a file: a MULTI block still open is discarded, as Redis discards it. */
  endFile(): void {
    if (this.queue !== null) {
      this.stats.discardedBlocks++;
      this.stats.discardedCommands += this.queue.length;
      this.queue = null;
    }
    this.parts.clear();
  }

  /** True while a MULTI block is open. */
  get inMulti(): boolean {
    return this.queue !== null;
  }

  /** The RESP decoder's handler feeding this engine (pass it as the scan driver's `aof` handler). */
  handler(): AofHandler {
    return {
      argPart: (part: Uint8Array, where: AofArgPart) => {
        if (where.commandOffset !== this.partsOf) {
          this.parts.clear();
          this.partsOf = where.commandOffset;
        }
        let list = this.parts.get(where.argIndex);
        if (list === undefined) this.parts.set(where.argIndex, (list = []));
        list.push(Uint8Array.prototype.slice.call(part));
      },
      command: (cmd: AofCommand) => this.command(cmd),
      // The arguments come as byte strings already (no view made only to be copied).
      argsLatin1: true,
    };
  }

  /** Applies one decoded command (its argument views are copied; text arguments taken as they are). */
  command(cmd: AofCommand): void {
    let argv: ByteString[];
    if (cmd.argvLatin1 !== undefined) argv = cmd.argvLatin1;
    else {
      argv = new Array<ByteString>(cmd.argv.length);
      for (let i = 0; i < argv.length; i++) argv[i] = toByteString(cmd.argv[i]);
    }
    if (cmd.partedArgs !== null) {
      for (const i of cmd.partedArgs) {
        const chunks = this.parts.get(i) ?? [];
        argv[i] = toByteString(Buffer.concat(chunks));
      }
      this.parts.clear();
    }
    this.apply(argv, { file: this.file, offset: cmd.offset, line: cmd.line });
  }

  /**
   * Applies one command given as byte strings, argument 0 its name.
   * @throws ReplayError when it cannot be applied (unless skipping).
   */
  apply(argv: ByteString[], site: CommandSite = {}): void {
    const name = argv.length > 0 ? argv[0].toLowerCase() : '';
    if (name === 'multi') {
      if (this.queue !== null) return this.refuse(argv, site, new CommandError('multi', 'ERR MULTI calls can not be nested'));
      if (argv.length !== 1) return this.refuse(argv, site, arityError('multi'));
      this.queue = [];
      return;
    }
    if (name === 'exec') {
      if (this.queue === null) return this.refuse(argv, site, new CommandError('multi', 'ERR EXEC without MULTI'));
      const block = this.queue;
      this.queue = null;
      this.stats.transactions++;
      for (const q of block) this.run(q.spec, q.argv, q.site);
      return;
    }
    if (name === 'discard') {
      if (this.queue === null) return this.refuse(argv, site, new CommandError('multi', 'ERR DISCARD without MULTI'));
      this.queue = null;
      return;
    }
    const spec = this.lookup(name);
    if (spec === undefined) return this.refuse(argv, site, new CommandError('unknown', `ERR unknown command '${printable(argv[0] ?? '')}'`));
    if (!arityOk(spec.arity, argv.length)) return this.refuse(argv, site, arityError(name));
    if (this.queue !== null) {
      this.queue.push({ argv, spec, site });
      return;
    }
    this.run(spec, argv, site);
  }

  /** Looks a command up by lower-case name. */
  lookup(name: string): CommandSpec | undefined {
    return Object.prototype.hasOwnProperty.call(this.table, name) ? this.table[name] : undefined;
  }

  private run(spec: CommandSpec, argv: ByteString[], site: CommandSite): void {
    try {
      spec.run(this.context, argv);
      this.stats.applied++;
    } catch (e) {
      if (e instanceof CommandError) this.refuse(argv, site, e);
      else throw e;
    }
  }

  /** A command run by a script (`redis.call`): no MULTI, errors thrown to the script. */
  private callFromScript(argv: ByteString[]): Reply {
    const name = argv.length > 0 ? argv[0].toLowerCase() : '';
    if (name === 'multi' || name === 'exec' || name === 'discard') throw new CommandError('script', 'ERR This Redis command is not allowed from script');
    const spec = this.lookup(name);
    if (spec === undefined) throw new CommandError('unknown', 'ERR Unknown Redis command called from script');
    if (!arityOk(spec.arity, argv.length)) throw new CommandError('arity', 'ERR Wrong number of args calling Redis command from script');
    // A nil reply (null) stays nil: only a command that returned nothing at all replies OK.
    const reply = spec.run(this.context, argv);
    return reply === undefined ? OK : reply;
  }

  private refuse(argv: ByteString[], site: CommandSite, e: CommandError): void {
    const code = replayCode(e.kind);
    const command = printable(argv[0] ?? '');
    if (!this.skip) {
      throw new ReplayError(code, `${describe(e.kind)}: ${command} (${argv.length - 1} argument${argv.length === 2 ? '' : 's'}): ${e.reply}`, {
        command,
        file: site.file,
        offset: site.offset,
        line: site.line,
        expected: 'a command Redis applies while loading the file',
        found: summarize(argv),
        context: { db: this.context.dbIndex },
      });
    }
    this.stats.skipped[code] = (this.stats.skipped[code] ?? 0) + 1;
    if (this.stats.skippedSamples.length < this.maxSamples) this.stats.skippedSamples.push({ ...site, code, command, reply: e.reply });
  }
}

const KIND_TEXT: Readonly<Record<CommandErrorKind, string>> = {
  unknown: 'unknown command',
  arity: 'wrong number of arguments',
  wrongtype: 'command against a key of another type',
  argument: 'argument the command refuses',
  payload: 'bad DUMP payload',
  script: 'script error',
  multi: 'MULTI/EXEC out of order',
};

function describe(kind: CommandErrorKind): string {
  return KIND_TEXT[kind];
}

/** A name or argument shown in a message: printable ASCII as is, other bytes as \xNN, long ones cut. */
export function printable(s: ByteString, max = 40): string {
  const cut = s.length > max ? s.slice(0, max) : s;
  // eslint-disable-next-line no-control-regex
  const shown = cut.replace(/[^\x20-\x7e]/g, (ch) => `\\x${ch.charCodeAt(0).toString(16).padStart(2, '0')}`);
  return s.length > max ? `${shown}… (${s.length} bytes)` : shown;
}

/** The command as shown in an error: its first arguments, shortened. */
function summarize(argv: ByteString[]): string {
  const shown = argv.slice(0, 6).map((a) => printable(a, 24));
  return shown.join(' ') + (argv.length > 6 ? ` … (${argv.length} arguments)` : '');
}

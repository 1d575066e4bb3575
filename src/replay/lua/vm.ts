/**
 * A Lua state set up as Redis sets up its scripting engine, and the bridge between scripts and
 * the replay's commands: the `redis` table (`call`, `pcall`, `sha1hex`, `status_reply`,
 * `error_reply`, `log`, `replicate_commands`, `set_repl`, `setresp`, `breakpoint`, `debug`),
 * KEYS and ARGV, and Redis's conversions of replies into Lua values and back.
 *
 * It follows Redis 2.6–4.0 (the servers that wrote scripts into an AOF as `EVAL`), where a
 * script is replicated whole: a script body becomes the global function `f_<sha1>`; each run
 * reseeds `math.random` with 0; the replies of the commands whose order is arbitrary (SMEMBERS,
 * KEYS, HKEYS …) are sorted; a write after a command with a random outcome (SPOP, RANDOMKEY,
 * TIME …) is refused unless the script switched to effects replication first. Commands run
 * through a {@link ScriptHost}, the engine's dispatch.
 *
 * What the bridge cannot do faithfully stops the replay rather than go on with a dataset that
 * may differ from Redis's: a command the engine does not know, `cmsgpack` and `struct`, RESP3.
 */
import { createHash } from 'node:crypto';
import type { ByteString } from '../../dataset/byte-string.js';
import { toByteString } from '../../dataset/byte-string.js';
import { CommandError } from '../errors.js';
import { StatusReply, type Reply } from '../reply.js';
import { asciiBytes, luaApi, type LuaApi, type LuaState } from './fengari.js';
import { formatG } from '../../binary/double-text.js';
import { openBit, openRedisRandom, openStandardLibs, openUnsupported, Rand48, runPrelude, setFunction } from './libs.js';
import { openCjson } from './cjson.js';

/** Runs a command for a script. @throws CommandError when the command is refused. */
export type ScriptHost = (argv: ByteString[]) => Reply;

/** An error reply a script returned (`return redis.error_reply('…')`, `{err = …}`). */
export class ScriptErrorReply {
  constructor(readonly message: string) {}
}

/** A script's reply: a command reply, or an error reply it returned. */
export type ScriptReply = Reply | ScriptErrorReply;

/** How a run ended: a reply, or the error that stopped the script (Redis's EVAL error text). */
export type ScriptOutcome = { ok: true; reply: ScriptReply } | { ok: false; error: string };

// Command flags of Redis 4.0's command table (server.c) that matter to scripts.
/** `s`: refused inside scripts. */
const NO_SCRIPT = new Set(['blpop', 'brpop', 'brpoplpush', 'bzpopmin', 'bzpopmax', 'auth', 'save', 'multi', 'exec', 'discard', 'sync', 'psync', 'replconf', 'monitor', 'slaveof', 'role', 'debug', 'subscribe', 'unsubscribe', 'psubscribe', 'punsubscribe', 'watch', 'unwatch', 'client', 'eval', 'evalsha', 'script', 'wait', 'latency', 'module']);
/** `R`: a random outcome. */
const RANDOM = new Set(['spop', 'srandmember', 'sscan', 'zscan', 'hscan', 'randomkey', 'scan', 'lastsave', 'pubsub', 'time']);
/** `S`: a reply sorted for scripts. */
const SORT_FOR_SCRIPT = new Set(['sinter', 'sunion', 'sdiff', 'smembers', 'hkeys', 'hvals', 'keys']);
/** `w`: a write (Redis 4.0's, and 5.0's new ones). */
const WRITE = new Set(
  ('set setnx setex psetex append del unlink setbit bitfield setrange incr decr rpush lpush rpushx lpushx linsert rpop lpop brpop brpoplpush blpop lset ltrim lrem rpoplpush sadd srem smove spop sinterstore sunionstore sdiffstore zadd zincrby zrem zremrangebyscore zremrangebyrank zremrangebylex zunionstore zinterstore hset hsetnx hmset hincrby hincrbyfloat hdel incrby decrby incrbyfloat getset mset msetnx swapdb move rename renamenx expire expireat pexpire pexpireat flushdb flushall sort persist restore restore-asking migrate bitop geoadd georadius georadiusbymember pfadd pfmerge pfdebug ' +
    'zpopmin zpopmax bzpopmin bzpopmax xadd xdel xtrim xgroup xack xclaim xsetid xreadgroup').split(' '),
);

const WRITE_AFTER_RANDOM =
  'Write commands not allowed after non deterministic commands. Call redis.replicate_commands() at the start of your script in order to switch to single commands replication mode.';

/** Lua names used more than once, as Lua strings. */
const NAMES = {
  KEYS: asciiBytes('KEYS'),
  ARGV: asciiBytes('ARGV'),
  ok: asciiBytes('ok'),
  err: asciiBytes('err'),
  handler: asciiBytes('__redis__err__handler'),
  userScript: asciiBytes('@user_script'),
};

/** The SHA1 of `s`'s bytes, 40 lower-case hex digits. */
export function sha1hex(s: ByteString | Uint8Array): string {
  return typeof s === 'string' ? createHash('sha1').update(s, 'latin1').digest('hex') : createHash('sha1').update(s).digest('hex');
}

/** A Lua state for scripts, with its defined script functions. */
export class LuaVm {
  private readonly lua: LuaApi;
  private readonly L: LuaState;
  private readonly rand = new Rand48();
  /** The scripts defined in this state: SHA1 → registry reference of the function `f_<sha1>`. */
  private readonly defined = new Map<string, number>();
  /** Registry references of values every run uses (a Lua string pushed by reference keeps its hash). */
  private readonly refs: { globals: number; keys: number; argv: number; handler: number };
  // The run in progress.
  private host: ScriptHost | null = null;
  private randomDirty = false;
  private writeDirty = false;
  private replicateCommands = false;
  private fatal: CommandError | null = null;
  /** Scratch buffer for strings pushed to Lua (fengari copies what it is given). */
  private scratch = new Uint8Array(256);

  /** Creates the state (loading fengari on first use). */
  constructor() {
    const lua = (this.lua = luaApi());
    const L = (this.L = lua.luaL_newstate());
    openStandardLibs(lua, L);
    openCjson(lua, L);
    openBit(lua, L);
    openUnsupported(lua, L, (L, what) => this.unsupported(L, `${what}()`));
    openRedisRandom(lua, L, this.rand);
    this.openRedis();
    runPrelude(lua, L);
    const ref = (push: () => void) => (push(), lua.luaL_ref(L, lua.LUA_REGISTRYINDEX));
    this.refs = {
      globals: ref(() => lua.lua_rawgeti(L, lua.LUA_REGISTRYINDEX, lua.LUA_RIDX_GLOBALS)),
      keys: ref(() => lua.lua_pushstring(L, NAMES.KEYS)),
      argv: ref(() => lua.lua_pushstring(L, NAMES.ARGV)),
      handler: ref(() => lua.lua_getglobal(L, NAMES.handler)),
    };
  }

  /** True when the script with this SHA1 is defined. */
  has(sha: string): boolean {
    return this.defined.has(sha);
  }

  /**
   * Defines the script `body` as the function `f_<sha>`, as Redis's `luaCreateFunction`: the
   * body is the function's body.
   * @returns null, or Redis's error text when the body does not compile.
   */
  define(sha: string, body: ByteString): string | null {
    if (this.defined.has(sha)) return null;
    const { lua, L } = this;
    const code = this.bytes(`function f_${sha}() ${body}\nend`, true);
    if (lua.luaL_loadbuffer(L, code, code.length, NAMES.userScript) !== lua.LUA_OK) {
      const msg = this.topText();
      lua.lua_settop(L, 0);
      return `ERR Error compiling script (new function): ${msg}`;
    }
    if (lua.lua_pcall(L, 0, 0, 0) !== lua.LUA_OK) {
      const msg = this.topText();
      lua.lua_settop(L, 0);
      return `ERR Error running script (new function): ${msg}`;
    }
    lua.lua_rawgeti(L, lua.LUA_REGISTRYINDEX, this.refs.globals);
    lua.lua_pushstring(L, asciiBytes(`f_${sha}`));
    lua.lua_rawget(L, -2);
    this.defined.set(sha, lua.luaL_ref(L, lua.LUA_REGISTRYINDEX));
    lua.lua_settop(L, 0);
    return null;
  }

  /**
   * Runs the defined script `sha` with KEYS and ARGV; its commands go to `host`.
   * @throws CommandError when the script needed what the replay cannot do faithfully (the
   *   effects it made before stay).
   */
  run(sha: string, keys: ByteString[], args: ByteString[], host: ScriptHost): ScriptOutcome {
    const { lua, L } = this;
    this.host = host;
    this.randomDirty = false;
    this.writeDirty = false;
    this.replicateCommands = false;
    this.fatal = null;
    this.rand.seed(0);
    try {
      const fn = this.defined.get(sha);
      if (fn === undefined) throw new Error(`script ${sha} is not defined`);
      lua.lua_rawgeti(L, lua.LUA_REGISTRYINDEX, this.refs.globals);
      this.setArray(this.refs.keys, keys);
      this.setArray(this.refs.argv, args);
      lua.lua_pop(L, 1);
      lua.lua_rawgeti(L, lua.LUA_REGISTRYINDEX, this.refs.handler);
      // The function defined for the SHA1 (Redis finds it by the global's name; a script that
      // replaced that global with rawset is not followed).
      lua.lua_rawgeti(L, lua.LUA_REGISTRYINDEX, fn);
      const status = lua.lua_pcall(L, 0, 1, -2);
      const fatal = this.fatal as CommandError | null;
      if (fatal !== null) throw fatal;
      if (status !== lua.LUA_OK) return { ok: false, error: `ERR Error running script (call to f_${sha}): ${this.topText()}` };
      return { ok: true, reply: this.toReply(-1) };
    } finally {
      lua.lua_settop(L, 0);
      this.host = null;
    }
  }

  /**
   * Sets a global (raw, past the global guard) to an array of strings; the globals table is on
   * top, `name` the registry reference of the global's name.
   */
  private setArray(name: number, items: ByteString[]): void {
    const { lua, L } = this;
    lua.lua_rawgeti(L, lua.LUA_REGISTRYINDEX, name);
    lua.lua_createtable(L, items.length, 0);
    for (let i = 0; i < items.length; i++) {
      this.pushBytes(items[i]);
      lua.lua_rawseti(L, -2, i + 1);
    }
    lua.lua_rawset(L, -3);
  }

  /** The bytes of a byte string (a view of the scratch buffer unless `own`). */
  private bytes(s: ByteString, own = false): Uint8Array {
    const n = s.length;
    if (own || n > 4096) return new Uint8Array(Buffer.from(s, 'latin1'));
    if (n > this.scratch.length) this.scratch = new Uint8Array(Math.max(n, this.scratch.length * 2));
    const b = this.scratch;
    for (let i = 0; i < n; i++) b[i] = s.charCodeAt(i);
    return b.subarray(0, n);
  }

  private pushBytes(s: ByteString): void {
    this.lua.lua_pushstring(this.L, this.bytes(s));
  }

  /** The value on top of the stack as text (an error message). */
  private topText(): string {
    const b = this.lua.lua_tolstring(this.L, -1);
    return b === null ? '(error object is not a string)' : toByteString(b);
  }

  /** Pushes a command's reply as Redis converts it (nil → false, status → {ok=…}, array → table). */
  private pushReply(r: Reply): void {
    const { lua, L } = this;
    if (r === null) lua.lua_pushboolean(L, false);
    else if (typeof r === 'number') lua.lua_pushnumber(L, r);
    else if (typeof r === 'string') this.pushBytes(r);
    else if (r instanceof StatusReply) {
      lua.lua_createtable(L, 0, 1);
      this.pushBytes(r.status);
      lua.lua_setfield(L, -2, NAMES.ok);
    } else {
      lua.lua_createtable(L, r.length, 0);
      for (let i = 0; i < r.length; i++) {
        this.pushReply(r[i]);
        lua.lua_rawseti(L, -2, i + 1);
      }
    }
  }

  /** The Lua value at `index` as a script reply, as Redis's `luaReplyToRedisReply` converts it. */
  private toReply(index: number): ScriptReply {
    const { lua, L } = this;
    const t = lua.lua_type(L, index);
    if (t === lua.LUA_TSTRING) return toByteString(lua.lua_tolstring(L, index)!);
    if (t === lua.LUA_TBOOLEAN) return lua.lua_toboolean(L, index) ? 1 : null;
    if (t === lua.LUA_TNUMBER) return toLongLong(lua.lua_tonumber(L, index));
    if (t !== lua.LUA_TTABLE) return null;
    const at = index < 0 ? lua.lua_gettop(L) + index + 1 : index;
    lua.lua_getfield(L, at, NAMES.err);
    if (lua.lua_type(L, -1) === lua.LUA_TSTRING) {
      const msg = this.topText().replace(/[\r\n]/g, ' ');
      lua.lua_pop(L, 1);
      return new ScriptErrorReply(msg);
    }
    lua.lua_pop(L, 1);
    lua.lua_getfield(L, at, NAMES.ok);
    if (lua.lua_type(L, -1) === lua.LUA_TSTRING) {
      const msg = this.topText().replace(/[\r\n]/g, ' ');
      lua.lua_pop(L, 1);
      return new StatusReply(msg);
    }
    lua.lua_pop(L, 1);
    const out: Reply[] = [];
    for (let j = 1; ; j++) {
      lua.lua_rawgeti(L, at, j);
      if (lua.lua_type(L, -1) === lua.LUA_TNIL) {
        lua.lua_pop(L, 1);
        break;
      }
      const item = this.toReply(-1);
      // An error reply nested in an array is sent as an error element; the replay keeps its text.
      out.push(item instanceof ScriptErrorReply ? new StatusReply(item.message) : item);
      lua.lua_pop(L, 1);
    }
    return out;
  }

  /**
   * Pushes `{err = msg}` with the caller's position in front of the message, as Redis's
   * `luaPushError`; raises it instead when `raise`.
   */
  private pushError(msg: string, raise: boolean): number {
    const { lua, L } = this;
    const ar = new lua.lua_Debug();
    let text = msg;
    if (lua.lua_getstack(L, 1, ar) && lua.lua_getinfo(L, 'nSl', ar)) {
      text = `${ar.source ? toByteString(ar.source) : '?'}: ${ar.currentline}: ${msg}`;
    }
    if (raise) {
      this.pushBytes(text);
      return lua.lua_error(L);
    }
    lua.lua_createtable(L, 0, 1);
    this.pushBytes(text);
    lua.lua_setfield(L, -2, NAMES.err);
    return 1;
  }

  /** Stops the run: the replay cannot follow the script past this point. */
  private unsupported(L: LuaState, what: string): never {
    this.fatal ??= new CommandError('script', `ERR the script uses ${what}, which the replay does not implement`);
    this.lua.lua_pushstring(L, asciiBytes(this.fatal.reply));
    return this.lua.lua_error(L);
  }

  /** `redis.call` (raise) and `redis.pcall`. */
  private command(raise: boolean): number {
    const { lua, L } = this;
    const argc = lua.lua_gettop(L);
    if (argc === 0) return this.pushError('Please specify at least one argument for redis.call()', raise);
    const argv = new Array<ByteString>(argc);
    for (let j = 0; j < argc; j++) {
      const t = lua.lua_type(L, j + 1);
      if (t === lua.LUA_TNUMBER) argv[j] = formatG(lua.lua_tonumber(L, j + 1), 17);
      else if (t === lua.LUA_TSTRING) argv[j] = toByteString(lua.lua_tolstring(L, j + 1)!);
      else return this.pushError('Lua redis() command arguments must be strings or integers', raise);
    }
    const name = argv[0].length <= 20 ? argv[0].toLowerCase() : '';
    if (NO_SCRIPT.has(name)) return this.pushError('This Redis command is not allowed from scripts', raise);
    const write = WRITE.has(name);
    if (write && this.randomDirty && !this.replicateCommands) return this.pushError(WRITE_AFTER_RANDOM, raise);
    const before = [this.randomDirty, this.writeDirty] as const;
    if (RANDOM.has(name)) this.randomDirty = true;
    if (write) this.writeDirty = true;
    let reply: Reply;
    try {
      reply = this.host!(argv);
    } catch (e) {
      if (!(e instanceof CommandError)) throw e;
      if (e.kind === 'unknown') return this.unsupported(L, `the command '${printableName(argv[0])}'`);
      if (e.kind === 'arity') {
        // Redis checks the arity before marking the script dirty.
        [this.randomDirty, this.writeDirty] = before;
        return this.pushError('Wrong number of args calling Redis command From Lua script', raise);
      }
      if (raise) {
        this.pushBytes(e.reply);
        return lua.lua_error(L);
      }
      lua.lua_createtable(L, 0, 1);
      this.pushBytes(e.reply);
      lua.lua_setfield(L, -2, NAMES.err);
      return 1;
    }
    if (Array.isArray(reply) && !this.replicateCommands && SORT_FOR_SCRIPT.has(name)) reply = sortForScript(reply);
    this.pushReply(reply);
    return 1;
  }

  /** Builds the global `redis` table. */
  private openRedis(): void {
    const { lua, L } = this;
    lua.lua_createtable(L, 0, 24);
    setFunction(lua, L, 'call', () => this.command(true));
    setFunction(lua, L, 'pcall', () => this.command(false));
    setFunction(lua, L, 'sha1hex', (L) => {
      if (lua.lua_gettop(L) !== 1) {
        lua.lua_pushliteral(L, 'wrong number of arguments');
        return lua.lua_error(L);
      }
      const s = lua.lua_tolstring(L, 1);
      lua.lua_pushstring(L, asciiBytes(sha1hex(s ?? new Uint8Array(0))));
      return 1;
    });
    const single = (field: Uint8Array) => (L: LuaState) => {
      if (lua.lua_gettop(L) !== 1 || lua.lua_type(L, -1) !== lua.LUA_TSTRING) return this.pushError('wrong number or type of arguments', false);
      lua.lua_createtable(L, 0, 1);
      lua.lua_pushvalue(L, -2);
      lua.lua_setfield(L, -2, field);
      return 1;
    };
    setFunction(lua, L, 'error_reply', single(NAMES.err));
    setFunction(lua, L, 'status_reply', single(NAMES.ok));
    setFunction(lua, L, 'log', (L) => {
      const argc = lua.lua_gettop(L);
      if (argc < 2) return raiseText(lua, L, 'redis.log() requires two arguments or more.');
      if (!lua.lua_isnumber(L, 1)) return raiseText(lua, L, 'First argument must be a number (log level).');
      const level = Math.trunc(lua.lua_tonumber(L, 1));
      if (level < 0 || level > 3) return raiseText(lua, L, 'Invalid debug level.');
      return 0;
    });
    setFunction(lua, L, 'replicate_commands', (L) => {
      // Effects replication starts only before the first write (then the server logged effects,
      // not the EVAL, so a script in an AOF saw false here).
      if (this.writeDirty) lua.lua_pushboolean(L, false);
      else {
        this.replicateCommands = true;
        lua.lua_pushboolean(L, true);
      }
      return 1;
    });
    setFunction(lua, L, 'set_repl', (L) => {
      if (!this.replicateCommands) return raiseText(lua, L, 'You can set the replication behavior only after turning on single commands replication with redis.replicate_commands().');
      if (lua.lua_gettop(L) !== 1) return raiseText(lua, L, 'redis.set_repl() requires two arguments.');
      const flags = Math.trunc(lua.lua_tonumber(L, -1));
      if ((flags & ~3) !== 0) return raiseText(lua, L, 'Invalid replication flags. Use REPL_AOF, REPL_SLAVE, REPL_ALL or REPL_NONE.');
      return 0;
    });
    setFunction(lua, L, 'setresp', (L) => {
      if (lua.lua_gettop(L) !== 1) return raiseText(lua, L, 'redis.setresp() requires one argument.');
      const resp = Math.trunc(lua.lua_tonumber(L, -1));
      if (resp !== 2 && resp !== 3) return raiseText(lua, L, 'RESP version must be 2 or 3.');
      if (resp === 3) return this.unsupported(L, 'redis.setresp(3)');
      return 0;
    });
    setFunction(lua, L, 'breakpoint', (L) => (lua.lua_pushboolean(L, false), 1));
    setFunction(lua, L, 'debug', () => 0);
    const constants: [string, number][] = [
      ['LOG_DEBUG', 0],
      ['LOG_VERBOSE', 1],
      ['LOG_NOTICE', 2],
      ['LOG_WARNING', 3],
      ['REPL_NONE', 0],
      ['REPL_AOF', 1],
      ['REPL_SLAVE', 2],
      ['REPL_REPLICA', 2],
      ['REPL_ALL', 3],
    ];
    for (const [name, v] of constants) {
      lua.lua_pushnumber(L, v);
      lua.lua_setfield(L, -2, asciiBytes(name));
    }
    lua.lua_setglobal(L, asciiBytes('redis'));
  }
}

function raiseText(lua: LuaApi, L: LuaState, text: string): never {
  lua.lua_pushliteral(L, text);
  return lua.lua_error(L);
}

/** A Lua number as C's `(long long)` cast gives it: truncated; NaN and out-of-range values give INT64_MIN (x86-64). */
export function toLongLong(n: number): number {
  if (!(n > -9223372036854775808 && n < 9223372036854775808)) return n === -9223372036854775808 ? n : -9223372036854775808;
  return Math.trunc(n) + 0;
}

/** A reply sorted as Redis sorts it for scripts: byte order, a nil element as an empty string. */
function sortForScript(r: Reply[]): Reply[] {
  const key = (v: Reply) => (typeof v === 'string' ? v : '');
  return [...r].sort((a, b) => {
    const x = key(a);
    const y = key(b);
    return x < y ? -1 : x > y ? 1 : 0;
  });
}

function printableName(s: ByteString): string {
  // eslint-disable-next-line no-control-regex
  const shown = s.slice(0, 40).replace(/[^\x20-\x7e]/g, (ch) => `\\x${ch.charCodeAt(0).toString(16).padStart(2, '0')}`);
  return s.length > 40 ? `${shown}…` : shown;
}

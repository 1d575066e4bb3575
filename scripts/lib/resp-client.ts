/**
 * A minimal RESP2 client over `node:net`, for scripts and tests only (fixtures, round-trip
 * tests, the benchmark). It is binary safe: arguments may be strings (sent as UTF-8) or
 * byte arrays, and bulk-string replies come back as `Buffer`s. Commands can be pipelined
 * with {@link RespClient.callMany}. It is not part of the library and has no reconnect
 * logic, no RESP3 and no pub/sub. A reply that arrives in several TCP chunks is re-parsed
 * from its start on each chunk, which is fine for replies up to a few MB.
 */
import net from 'node:net';

/**
 * A decoded RESP2 reply: simple string → `string`, integer → `number` (or `bigint` when it
 * does not fit a safe integer), bulk string → `Buffer`, null bulk/array → `null`,
 * array → array, and an error nested inside an array (e.g. in an EXEC reply) → {@link RespError}.
 */
export type RespValue = string | number | bigint | Buffer | null | RespError | RespValue[];

/** An error reply (`-ERR …`). A top-level error rejects the command's promise with it. */
export class RespError extends Error {
  override name = 'RespError';
}

/** Thrown when the reply stream is not valid RESP2 (the connection is then closed). */
export class RespProtocolError extends Error {
  override name = 'RespProtocolError';
}

const CR = 13;
const LF = 10;

/** Sentinel for "the buffer holds only part of the next reply". */
const INCOMPLETE = Symbol('incomplete');

interface Parsed {
  value: RespValue;
  end: number;
}

/**
 * Decodes one reply starting at `pos`, or returns {@link INCOMPLETE}. Pure over `buf`, so
 * a partial reply is simply re-parsed when more bytes arrive.
 */
function parseReply(buf: Buffer, pos: number): Parsed | typeof INCOMPLETE {
  const lineEnd = buf.indexOf(CR, pos);
  if (lineEnd < 0 || lineEnd + 1 >= buf.length) return INCOMPLETE;
  if (buf[lineEnd + 1] !== LF) throw new RespProtocolError(`expected LF at ${lineEnd + 1}`);
  const prefix = buf[pos];
  const line = buf.toString('latin1', pos + 1, lineEnd);
  const next = lineEnd + 2;
  switch (prefix) {
    case 0x2b: // '+' simple string
      return { value: line, end: next };
    case 0x2d: // '-' error
      return { value: new RespError(line), end: next };
    case 0x3a: {
      // ':' integer
      const big = BigInt(line);
      const value = big >= BigInt(Number.MIN_SAFE_INTEGER) && big <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(big) : big;
      return { value, end: next };
    }
    case 0x24: {
      // '$' bulk string: $<len>\r\n<bytes>\r\n, or $-1\r\n for null
      const len = Number(line);
      if (!Number.isInteger(len) || len < -1) throw new RespProtocolError(`bad bulk length ${line}`);
      if (len === -1) return { value: null, end: next };
      if (next + len + 2 > buf.length) return INCOMPLETE;
      return { value: Buffer.from(buf.subarray(next, next + len)), end: next + len + 2 };
    }
    case 0x2a: {
      // '*' array: *<n>\r\n then n replies, or *-1\r\n for null
      const n = Number(line);
      if (!Number.isInteger(n) || n < -1) throw new RespProtocolError(`bad array length ${line}`);
      if (n === -1) return { value: null, end: next };
      const items: RespValue[] = [];
      let at = next;
      for (let i = 0; i < n; i++) {
        const item = parseReply(buf, at);
        if (item === INCOMPLETE) return INCOMPLETE;
        items.push(item.value);
        at = item.end;
      }
      return { value: items, end: at };
    }
    default:
      throw new RespProtocolError(`unknown reply prefix byte ${prefix} at ${pos}`);
  }
}

/** Encodes one command as a RESP2 array of bulk strings. */
export function encodeCommand(args: readonly (string | Uint8Array)[]): Buffer {
  const parts: Buffer[] = [Buffer.from(`*${args.length}\r\n`)];
  for (const arg of args) {
    const bytes = typeof arg === 'string' ? Buffer.from(arg, 'utf8') : Buffer.from(arg.buffer, arg.byteOffset, arg.byteLength);
    parts.push(Buffer.from(`$${bytes.length}\r\n`), bytes, Buffer.from('\r\n'));
  }
  return Buffer.concat(parts);
}

interface Pending {
  resolve(value: RespValue): void;
  reject(err: Error): void;
}

/** One connection; replies are matched to commands in order (RESP2 has no ids). */
export class RespClient {
  private readonly socket: net.Socket;
  private readonly pending: Pending[] = [];
  private buffer: Buffer = Buffer.alloc(0);
  private closedError: Error | null = null;

  private constructor(socket: net.Socket) {
    this.socket = socket;
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (err) => this.fail(err));
    socket.on('close', () => this.fail(new Error('connection closed')));
  }

  /**
   * Opens a TCP connection.
   * @param port TCP port.
   * @param host Host, default `127.0.0.1`.
   * @throws the socket error when the connection cannot be established.
   */
  static connect(port: number, host = '127.0.0.1'): Promise<RespClient> {
    return new Promise((resolve, reject) => {
      const socket = net.createConnection({ port, host });
      socket.setNoDelay(true);
      const onError = (err: Error): void => reject(err);
      socket.once('error', onError);
      socket.once('connect', () => {
        socket.off('error', onError);
        resolve(new RespClient(socket));
      });
    });
  }

  /**
   * Sends one command and resolves with its reply.
   * @throws {RespError} (as a rejection) when the server answers with an error reply.
   */
  call(...args: (string | Uint8Array)[]): Promise<RespValue> {
    return this.callMany([args])[0];
  }

  /**
   * Pipelines several commands in one write. Returns one promise per command, in order;
   * each settles independently (an error reply rejects only its own promise).
   */
  callMany(commands: readonly (readonly (string | Uint8Array)[])[]): Promise<RespValue>[] {
    if (this.closedError) return commands.map(() => Promise.reject(this.closedError));
    const promises = commands.map(
      () => new Promise<RespValue>((resolve, reject) => this.pending.push({ resolve, reject })),
    );
    this.socket.write(Buffer.concat(commands.map((c) => encodeCommand(c))));
    return promises;
  }

  /**
   * Pipelines several commands and waits for all of them.
   * @throws the first error reply, after every reply has arrived.
   */
  async callAll(commands: readonly (readonly (string | Uint8Array)[])[]): Promise<RespValue[]> {
    const settled = await Promise.allSettled(this.callMany(commands));
    const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (failed) throw failed.reason;
    return settled.map((s) => (s as PromiseFulfilledResult<RespValue>).value);
  }

  /** Closes the connection; commands still waiting are rejected. */
  close(): Promise<void> {
    return new Promise((resolve) => {
      if (this.socket.destroyed) return resolve();
      this.socket.once('close', () => resolve());
      this.socket.end();
      // A server that never answers the FIN must not keep us waiting.
      setTimeout(() => this.socket.destroy(), 1000).unref();
    });
  }

  private onData(chunk: Buffer): void {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    let pos = 0;
    try {
      while (pos < this.buffer.length) {
        const parsed = parseReply(this.buffer, pos);
        if (parsed === INCOMPLETE) break;
        pos = parsed.end;
        const waiter = this.pending.shift();
        if (!waiter) throw new RespProtocolError('reply without a pending command');
        if (parsed.value instanceof RespError) waiter.reject(parsed.value);
        else waiter.resolve(parsed.value);
      }
    } catch (err) {
      this.fail(err as Error);
      this.socket.destroy();
      return;
    }
    this.buffer = pos === this.buffer.length ? Buffer.alloc(0) : this.buffer.subarray(pos);
  }

  private fail(err: Error): void {
    if (!this.closedError) this.closedError = err;
    for (const waiter of this.pending.splice(0)) waiter.reject(err);
  }
}

/** Narrows a reply to a `Buffer`. @throws when it is something else. */
export function asBuffer(v: RespValue): Buffer {
  if (Buffer.isBuffer(v)) return v;
  throw new TypeError(`expected a bulk string reply, got ${describe(v)}`);
}

/** Narrows a reply to text: bulk strings are decoded as UTF-8, simple strings pass through. */
export function asText(v: RespValue): string {
  if (typeof v === 'string') return v;
  if (Buffer.isBuffer(v)) return v.toString('utf8');
  throw new TypeError(`expected a string reply, got ${describe(v)}`);
}

/** Narrows a reply to a number. @throws when it is not an integer reply within the safe range. */
export function asNumber(v: RespValue): number {
  if (typeof v === 'number') return v;
  throw new TypeError(`expected an integer reply, got ${describe(v)}`);
}

/** Narrows a reply to an array. @throws when it is something else. */
export function asArray(v: RespValue): RespValue[] {
  if (Array.isArray(v)) return v;
  throw new TypeError(`expected an array reply, got ${describe(v)}`);
}

function describe(v: RespValue): string {
  if (v === null) return 'null';
  if (Buffer.isBuffer(v)) return `bulk(${v.length})`;
  if (Array.isArray(v)) return `array(${v.length})`;
  return `${typeof v} ${String(v)}`;
}

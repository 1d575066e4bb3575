/**
 * What a command returns. Replaying a file needs no replies, but a Lua script run by an old
 * AOF's `EVAL` reads them (`local v = redis.call('GET', k)`), so every command returns the
 * reply Redis would send, in the forms the Lua bridge converts (FORMATS.md §6.2):
 *
 * - `null`: a nil bulk or nil array;
 * - a number: an integer reply (Redis's are 64-bit; Lua 5.1 numbers are doubles anyway);
 * - a {@link ByteString}: a bulk string;
 * - an array of replies;
 * - a {@link StatusReply}: `+OK` and the like.
 *
 * Errors are thrown as {@link CommandError}s (see errors.ts), never returned.
 */
import type { ByteString } from '../dataset/byte-string.js';

/** A status reply such as `+OK`. */
export class StatusReply {
  constructor(readonly status: string) {}
}

/** The reply of a command. */
export type Reply = null | number | ByteString | StatusReply | Reply[];

/** `+OK`. */
export const OK = new StatusReply('OK');
/** `+QUEUED` (MULTI). */
export const QUEUED = new StatusReply('QUEUED');

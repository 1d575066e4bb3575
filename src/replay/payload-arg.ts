/**
 * A DUMP payload given as a command argument (RESTORE, FUNCTION RESTORE), read, with the
 * refusals Redis gives: a payload whose footer it refuses (too short, a version it does not
 * read, a wrong CRC-64) and one whose body it cannot read. Each is a CommandError of kind
 * `payload` (REPLAY_BAD_PAYLOAD), Redis's reply followed by what exactly was wrong.
 */
import { fromByteString, type ByteString } from '../dataset/byte-string.js';
import { RdbtoolError } from '../errors.js';
import { CommandError } from './errors.js';
import { decodeDumpPayload, decodeFunctionPayload, readDumpFooter, type DumpFooter, type DumpLibrary, type DumpValue } from './dump-payload.js';

/** Redis's reply to a payload whose version or CRC it refuses. */
const FOOTER_REPLY = 'ERR DUMP payload version or checksum are wrong';

function payloadError(e: unknown, reply: string): unknown {
  return e instanceof RdbtoolError ? new CommandError('payload', `${reply} (${e.message})`) : e;
}

function footerOf(bytes: Uint8Array): DumpFooter {
  try {
    return readDumpFooter(bytes);
  } catch (e) {
    throw payloadError(e, FOOTER_REPLY);
  }
}

/** The value of a RESTORE payload. @throws CommandError (payload) when it cannot be read. */
export function valueArg(s: ByteString): DumpValue {
  const bytes = fromByteString(s);
  const footer = footerOf(bytes);
  try {
    return decodeDumpPayload(bytes, footer);
  } catch (e) {
    throw payloadError(e, 'ERR Bad data format');
  }
}

/** The libraries of a FUNCTION RESTORE payload. @throws CommandError (payload) when it cannot be read. */
export function librariesArg(s: ByteString): DumpLibrary[] {
  const bytes = fromByteString(s);
  const footer = footerOf(bytes);
  try {
    return decodeFunctionPayload(bytes, footer);
  } catch (e) {
    throw payloadError(e, 'ERR failed loading the given functions payload');
  }
}

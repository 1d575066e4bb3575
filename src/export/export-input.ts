/**
 * Which export an input gets: an RDB file is exported as it streams (flat memory, file
 * order); an AOF — plain, hybrid, or a multi-part directory or manifest — is replayed into a
 * dataset first, and the dataset is exported. A single file is an AOF when its first bytes are
 * RESP (`*` or `#`), or when it starts with an RDB and is named `*.aof` (a hybrid AOF: the
 * RDB preamble then commands) or the caller asks for a replay.
 */
import { openSource, withRelease, type ByteSource } from '../io/source.js';
import { resolveInput } from '../pipeline/detect.js';
import { peekSource } from '../analyze/aof-input.js';

/** The export an input gets. */
export type ExportPlan =
  | { kind: 'rdb'; source: ByteSource }
  /** `source` is set for a single file already opened (stdin must be read from it). */
  | { kind: 'replay'; form: 'multipart' | 'aof' | 'hybrid'; source: ByteSource | null };

/** Decides how to export `given` (see the module notes). */
export async function planExport(given: string, opts: { replay?: boolean } = {}): Promise<ExportPlan> {
  const input = await resolveInput(given);
  if (input.form === 'multipart') return { kind: 'replay', form: 'multipart', source: null };
  const part = input.parts[0];
  // Read into reused buffers: the RDB export's scan gives back the chunks its decoder copied
  // (pipeline/scan-driver.ts); a replay never does, and gets a new buffer per chunk.
  const opened = await openSource(part.path, undefined, part.name, { reuseBuffers: true });
  const peeked = await peekSource(opened);
  if (peeked.start === 'resp') return { kind: 'replay', form: 'aof', source: peeked.source };
  if (peeked.start === 'rdb' && (opts.replay || /\.aof$/i.test(part.name))) return { kind: 'replay', form: 'hybrid', source: peeked.source };
  return { kind: 'rdb', source: withRelease(peeked.source, opened) };
}

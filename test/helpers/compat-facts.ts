/**
 * Gathers compatibility facts (analyze/compat's `RdbFacts` / `InputFacts`) with the decoders'
 * callbacks, independently of the `check` command: the header gives magic and version, the
 * `opcode` callback the opcodes, `keyEnd` the type bytes and module type names.
 */
import path from 'node:path';
import { RdbDecoder } from '../../src/rdb/decoder.js';
import { scanPath } from '../../src/pipeline/scan-input.js';
import type { RdbHandler } from '../../src/model/events.js';
import type { InputFacts, RdbFacts } from '../../src/analyze/compat.js';

/** A handler that fills `facts()` (null until a header was read). */
export function factsCollector(): { handler: RdbHandler; facts: () => RdbFacts | null; reset: () => void } {
  let facts: RdbFacts | null = null;
  const bump = (m: Record<string, number>, k: string) => void (m[k] = (m[k] ?? 0) + 1);
  const handler: RdbHandler = {
    header: (h) => void (facts = { magic: h.magic, version: h.version, types: {}, opcodes: {}, modules: {} }),
    opcode: (op) => facts && bump(facts.opcodes, String(op)),
    keyEnd: (k) => {
      if (!facts) return;
      bump(facts.types, String(k.rdbType));
      if (k.moduleName !== undefined) bump(facts.modules, k.moduleName);
    },
  };
  return { handler, facts: () => facts, reset: () => void (facts = null) };
}

/** Facts of a whole RDB held in memory. */
export function rdbFacts(bytes: Uint8Array): RdbFacts {
  const c = factsCollector();
  const d = new RdbDecoder(c.handler, { file: 'facts.rdb' });
  d.push(bytes);
  d.end();
  return c.facts()!;
}

/** Facts of an input on disk (a file, a multi-part directory or manifest), read with the project's scan. */
export async function inputFacts(given: string): Promise<InputFacts> {
  const c = factsCollector();
  const perFile: (RdbFacts | null)[] = [];
  const scan = await scanPath(given, {
    rdb: c.handler,
    fileStart: () => c.reset(),
    fileEnd: () => void perFile.push(c.facts()),
  });
  return {
    name: path.basename(given),
    multipart: scan.input.form === 'multipart',
    files: scan.files.map((f, i) => ({
      name: f.part.name,
      content: f.scan && f.scan.content !== 'foreign' ? f.scan.content : null,
      rdb: perFile[i],
      annotations: f.scan?.aof?.annotations ?? 0,
    })),
  };
}

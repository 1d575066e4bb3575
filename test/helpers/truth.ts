/**
 * The live-server truth files next to the RDB fixtures (`*.truth.ndjson`, the export schema),
 * and a canonical form of a record for comparing with them: set and hash members, field TTLs,
 * stream groups and consumers sorted (a file keeps the server's hash order, the truth is
 * sorted), and an `entriesRead` of -1 ("unknown") written as null, as the truth writes it.
 */
import { readFileSync } from 'node:fs';

/** Sorts JSON values by their text. */
export const sortJson = (a: unknown[]): unknown[] => [...a].sort((x, y) => (JSON.stringify(x) < JSON.stringify(y) ? -1 : 1));

/** `db:key` of a record, for matching records by key. */
export const recordKey = (r: { db?: unknown; key?: unknown }): string => `${r.db}:${JSON.stringify(r.key)}`;

/** The truth records of an RDB fixture. */
export function truthOf(rdbFile: string): Record<string, unknown>[] {
  return readFileSync(rdbFile.replace(/\.rdb$/, '.truth.ndjson'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

/**
 * A record in canonical order. `sortZset` also sorts sorted-set members (for readers that do
 * not keep Redis's score order); `dropEncoding` removes the encoding.
 */
export function canonicalRecord(r: object, opts: { sortZset?: boolean; dropEncoding?: boolean } = {}): Record<string, unknown> {
  const out: Record<string, unknown> = { ...r };
  if (opts.dropEncoding) delete out.encoding;
  if (out.type === 'set' || out.type === 'hash' || (opts.sortZset !== false && out.type === 'zset')) out.value = sortJson(out.value as unknown[]);
  if (out.fieldExpireAtMs) out.fieldExpireAtMs = sortJson(out.fieldExpireAtMs as unknown[]);
  if (out.type === 'stream') {
    const v = { ...(out.value as Record<string, unknown>) };
    v.groups = sortJson(
      (v.groups as Record<string, unknown>[]).map((g) => ({
        ...g,
        ...(g.entriesRead === -1 ? { entriesRead: null } : {}),
        consumers: sortJson(g.consumers as unknown[]),
      })),
    );
    out.value = v;
  }
  return out;
}

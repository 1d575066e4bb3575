/**
 * Test helper: a dataset key rendered in the export schema (README "Export schema"), without
 * the RDB-only `encoding` — the dataset holds what a server holds, not how a file stored it.
 * Members come in the dataset's own order: lists head to tail, sorted sets in Redis's order,
 * sets and hashes in insertion order, stream entries and PELs by ID.
 */
import type { KeyEntry } from '../../src/dataset/dataset.js';
import { fromByteString, type ByteString } from '../../src/dataset/byte-string.js';
import { streamIdText } from '../../src/dataset/stream-id.js';
import type { StreamValue } from '../../src/dataset/stream.js';
import { valueType } from '../../src/dataset/value.js';
import { bytesJson } from '../helpers/collect.js';

/** A byte string in the export schema's JSON form. */
export const bj = (s: ByteString) => bytesJson(fromByteString(s));

const score = (s: number) => (s === Infinity ? 'inf' : s === -Infinity ? '-inf' : s);

/** One key as an export-schema record (no `encoding`). */
export function renderEntry(e: KeyEntry): Record<string, unknown> {
  const v = e.value;
  const out: Record<string, unknown> = { db: e.db, key: bj(e.key), type: valueType(v), expireAtMs: e.expireAtMs, value: null };
  const fieldTtls: [unknown, number][] = [];
  if (typeof v === 'string') out.value = bj(v);
  else {
    switch (v.type) {
      case 'list':
        out.value = v.toArray().map(bj);
        break;
      case 'set':
        out.value = [...v].map(bj);
        break;
      case 'zset':
        out.value = [...v.ascending()].map(([m, s]) => [bj(m), score(s)]);
        break;
      case 'hash':
        out.value = [...v.entries()].map(([f, x]) => [bj(f), bj(x)]);
        for (const [f] of v.entries()) {
          const at = v.fieldExpire(f);
          if (at !== null) fieldTtls.push([bj(f), at]);
        }
        break;
      case 'stream':
        out.value = renderStream(v);
        break;
      case 'module':
        out.value = { module: v.moduleName, encver: v.encver, raw: { b64: Buffer.from(v.raw).toString('base64') } };
        break;
      case 'array':
        out.value = [...v.entries()].map(([i, x]) => [i, bj(x)]);
        break;
      case 'gcra':
        out.value = bj(v.tat);
        break;
    }
  }
  if (e.lfuFreq !== undefined) out.lfuFreq = e.lfuFreq;
  if (e.lruIdleSec !== undefined) out.lruIdleSec = e.lruIdleSec;
  if (fieldTtls.length > 0) out.fieldExpireAtMs = fieldTtls;
  return out;
}

/** A stream in the export schema: the fields its source did not record are left out. */
export function renderStream(s: StreamValue, extras = false): Record<string, unknown> {
  const out: Record<string, unknown> = {
    entries: [...s.entries()].map(([id, f]) => {
      const fields: unknown[] = [];
      for (let i = 0; i < f.length; i += 2) fields.push([bj(f[i]), bj(f[i + 1])]);
      return { id: streamIdText(id), fields };
    }),
    length: s.length,
    lastGeneratedId: streamIdText(s.lastId),
  };
  if (s.recordedMeta) {
    out.maxDeletedEntryId = streamIdText(s.maxDeletedId);
    out.entriesAdded = s.entriesAdded;
    out.recordedFirstEntryId = streamIdText(s.firstId);
  }
  out.groups = [...s.groups.values()].map((g) => {
    const pending = g.pendingInOrder();
    const group: Record<string, unknown> = {
      name: bj(g.name),
      lastDeliveredId: streamIdText(g.lastDeliveredId),
      ...(s.recordedMeta ? { entriesRead: g.entriesRead } : {}),
      pending: pending.map(([id, p]) => ({ id: streamIdText(id), consumer: p.consumer === null ? null : bj(p.consumer), deliveryTimeMs: p.deliveryTimeMs, deliveryCount: p.deliveryCount })),
      consumers: [...g.consumers.values()].map((c) => ({
        name: bj(c.name),
        seenTimeMs: c.seenTimeMs,
        ...(s.recordedActiveTimes ? { activeTimeMs: c.activeTimeMs } : {}),
        pending: pending.filter(([, p]) => p.consumer === c.name).map(([id, p]) => ({ id: streamIdText(id), deliveryTimeMs: p.deliveryTimeMs, deliveryCount: p.deliveryCount })),
      })),
    };
    if (extras && g.nacked !== null) group.nacked = [...g.nacked].sort().map(streamIdText);
    return group;
  });
  if (extras && s.idmp !== null) {
    const i = s.idmp;
    out.idmp = {
      durationSec: i.durationSec,
      maxEntries: i.maxEntries,
      producers: i.producers.map((p) => ({ pid: bj(p.pid), entries: p.entries.map((x) => ({ iid: bj(x.iid), id: streamIdText(x.id) })) })),
      iidsAdded: i.iidsAdded,
      iidsDuplicates: i.iidsDuplicates,
    };
  }
  return out;
}

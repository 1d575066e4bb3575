/**
 * Test helpers: run the RDB decoder over bytes split in a chosen way and record what it
 * reported, either as a flat event log (for chunking comparisons) or as per-key records in
 * the export schema's shape (for comparisons with what a real server saw).
 */
import { expect } from 'vitest';
import { RdbDecoder, type RdbDecoderOptions, type RdbSummary } from '../../src/rdb/decoder.js';
import type { RdbHandler, StreamGroup } from '../../src/model/events.js';

/** How to cut the input into chunks. */
export type Splitter = (bytes: Uint8Array) => Uint8Array[];

export const whole: Splitter = (b) => [b];
export const byteByByte: Splitter = (b) => Array.from({ length: b.length }, (_, i) => b.subarray(i, i + 1));
/** Seeded random cut points (xorshift), reproducible. */
export function randomSplits(seed: number, maxPiece = 64): Splitter {
  return (b) => {
    let s = seed >>> 0 || 1;
    const out: Uint8Array[] = [];
    let i = 0;
    while (i < b.length) {
      s ^= s << 13;
      s >>>= 0;
      s ^= s >>> 17;
      s ^= s << 5;
      s >>>= 0;
      const n = 1 + (s % maxPiece);
      out.push(b.subarray(i, Math.min(b.length, i + n)));
      i += n;
    }
    return out;
  };
}
/** Copies every piece to a non-zero byteOffset inside a larger buffer (catches DataView offset bugs). */
export function noisy(split: Splitter): Splitter {
  return (b) =>
    split(b).map((piece) => {
      const host = new Uint8Array(piece.length + 7);
      host.fill(0xee);
      host.set(piece, 3);
      return host.subarray(3, 3 + piece.length);
    });
}

/** Runs a decoder over the pieces. */
export function decode(bytes: Uint8Array, handler: RdbHandler, split: Splitter = whole, opts: RdbDecoderOptions = {}): RdbSummary {
  const d = new RdbDecoder(handler, { file: 'test.rdb', ...opts });
  for (const piece of split(bytes)) d.push(piece);
  return d.end();
}

/**
 * Expects the same events whole, in random pieces at odd offsets, and byte by byte (files up to
 * 40,000 bytes); `seeds` picks the random cut points.
 */
export function expectSameEventsUnderEveryChunking(bytes: Uint8Array, seeds: [number, number] = [7, 3]): void {
  const run = (split: Splitter) => {
    const { handler, log } = eventLog(true);
    decode(bytes, handler, split);
    return log;
  };
  const base = run(whole);
  expect(base.length).toBeGreaterThan(0);
  expect(run(noisy(randomSplits(seeds[0])))).toEqual(base);
  expect(run(randomSplits(seeds[1], 4096))).toEqual(base);
  if (bytes.length <= 40_000) expect(run(byteByByte)).toEqual(base);
}

const hex = (b: Uint8Array) => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString("hex");

/** A handler that logs every callback as a string, values included. */
export function eventLog(wantValues = true): { handler: RdbHandler; log: string[] } {
  const log: string[] = [];
  const handler: RdbHandler = {
    header: (h, o) => log.push(`header ${h.magic} ${h.version} @${o}`),
    aux: (n, v, o) => log.push(`aux ${hex(n)}=${hex(v)} @${o}`),
    selectDb: (db, o) => log.push(`select ${db} @${o}`),
    resizeDb: (a, b, o) => log.push(`resize ${a} ${b} @${o}`),
    slotInfo: (s, k, e, o) => log.push(`slot ${s} ${k} ${e} @${o}`),
    function: (c, o) => log.push(`function ${hex(c)} @${o}`),
    moduleAux: (m, o) => log.push(`moduleAux ${m.moduleName} ${m.encver} ${m.when} ${hex(m.raw)} @${o}`),
    keyStart: (k) => {
      log.push(`key ${k.db} ${hex(k.key)} t${k.rdbType} ${k.encoding} exp=${k.expireAtMs} idle=${k.lruIdleSec} freq=${k.lfuFreq} @${k.offset}`);
      return wantValues;
    },
    stringValue: (v) => log.push(`str ${hex(v)}`),
    stringPart: (p, last, total) => log.push(`part ${hex(p)} ${last} ${total}`),
    item: (v) => log.push(`item ${hex(v)}`),
    field: (f, v, e) => log.push(`field ${hex(f)} ${hex(v)} ${e}`),
    member: (m, s) => log.push(`member ${hex(m)} ${s}`),
    streamEntry: (id, f, del) => log.push(`entry ${id} ${f.map(hex).join(',')} ${del}`),
    streamMeta: (m) => log.push(`meta ${JSON.stringify(m)}`),
    streamGroup: (g) => log.push(`group ${JSON.stringify(groupJson(g))}`),
    streamIdmp: (i) => log.push(`idmp ${JSON.stringify(i, (_k, v) => (v instanceof Uint8Array ? hex(v) : v))}`),
    arrayElement: (i, v) => log.push(`arr ${i} ${hex(v)}`),
    moduleValue: (m) => log.push(`module ${m.moduleName} ${m.encver} ${hex(m.raw)}`),
    keyEnd: (k) => log.push(`end ${k.elements} ${k.onDiskBytes} ${k.valueBytes}`),
    end: (e) => log.push(`eof ${JSON.stringify(e)}`),
  };
  return { handler, log };
}

function groupJson(g: StreamGroup) {
  return JSON.parse(JSON.stringify(g, (_k, v) => (v instanceof Uint8Array ? hex(v) : v)));
}

/** A byte string in the export schema's JSON form. */
export function bytesJson(b: Uint8Array): string | { b64: string } {
  let ok = true;
  let s: string;
  try {
    s = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(b);
  } catch {
    ok = false;
    s = '';
  }
  if (ok && !/[\u0000-\u001f\u007f-\u009f]/.test(s)) return s;
  return { b64: Buffer.from(b).toString('base64') };
}

/** One key as a plain record, close to the export schema. */
export interface TestRecord {
  db: number;
  key: string | { b64: string };
  type: string;
  encoding: string;
  expireAtMs: number | null;
  value: unknown;
  fieldExpireAtMs?: [unknown, number][];
  lfuFreq?: number;
  lruIdleSec?: number;
}

/** Decodes a whole file into records (an independent assembler for tests). */
export function records(bytes: Uint8Array, opts: RdbDecoderOptions = {}): { records: TestRecord[]; summary: RdbSummary; functions: string[]; aux: Record<string, string> } {
  const out: TestRecord[] = [];
  const functions: string[] = [];
  const aux: Record<string, string> = {};
  let cur: TestRecord | null = null;
  let parts: Uint8Array[] = [];
  let fieldTtls: [unknown, number][] = [];
  const handler: RdbHandler = {
    aux: (n, v) => {
      aux[Buffer.from(n).toString('latin1')] = Buffer.from(v).toString('latin1');
    },
    function: (c) => functions.push(Buffer.from(c).toString('utf8')),
    keyStart: (k) => {
      cur = { db: k.db, key: bytesJson(k.key), type: k.valueType, encoding: k.encoding, expireAtMs: k.expireAtMs, value: null };
      if (k.lfuFreq !== undefined) cur.lfuFreq = k.lfuFreq;
      if (k.lruIdleSec !== undefined) cur.lruIdleSec = k.lruIdleSec;
      if (k.valueType !== 'string' && k.valueType !== 'stream' && k.valueType !== 'module') cur.value = [];
      if (k.valueType === 'stream') cur.value = { entries: [] };
      parts = [];
      fieldTtls = [];
      return true;
    },
    stringValue: (v) => (cur!.value = bytesJson(v)),
    stringPart: (p, last) => {
      parts.push(p.slice());
      if (last) cur!.value = bytesJson(Buffer.concat(parts));
    },
    item: (v) => (cur!.value as unknown[]).push(bytesJson(v)),
    field: (f, v, e) => {
      (cur!.value as unknown[]).push([bytesJson(f), bytesJson(v)]);
      if (e !== null) fieldTtls.push([bytesJson(f), e]);
    },
    member: (m, s) => (cur!.value as unknown[]).push([bytesJson(m), s === Infinity ? 'inf' : s === -Infinity ? '-inf' : s]),
    arrayElement: (i, v) => (cur!.value as unknown[]).push([i, bytesJson(v)]),
    streamEntry: (id, f, del) => {
      if (del) return;
      const fields: unknown[] = [];
      for (let i = 0; i < f.length; i += 2) fields.push([bytesJson(f[i]), bytesJson(f[i + 1])]);
      (cur!.value as { entries: unknown[] }).entries.push({ id, fields });
    },
    streamMeta: (m) => {
      const v = cur!.value as Record<string, unknown>;
      v.length = m.length;
      v.lastGeneratedId = m.lastGeneratedId;
      if (m.maxDeletedEntryId !== undefined) v.maxDeletedEntryId = m.maxDeletedEntryId;
      if (m.entriesAdded !== undefined) v.entriesAdded = m.entriesAdded;
      if (m.recordedFirstEntryId !== undefined) v.recordedFirstEntryId = m.recordedFirstEntryId;
      v.groups = [];
    },
    streamGroup: (g) => {
      const v = cur!.value as { groups: unknown[] };
      v.groups.push({
        name: bytesJson(g.name),
        lastDeliveredId: g.lastDeliveredId,
        ...(g.entriesRead !== undefined ? { entriesRead: g.entriesRead } : {}),
        pending: g.pending.map((p) => ({ id: p.id, consumer: p.consumer ? bytesJson(p.consumer) : null, deliveryTimeMs: p.deliveryTimeMs, deliveryCount: p.deliveryCount })),
        consumers: g.consumers.map((c) => ({
          name: bytesJson(c.name),
          seenTimeMs: c.seenTimeMs,
          ...(c.activeTimeMs !== undefined ? { activeTimeMs: c.activeTimeMs } : {}),
          pending: c.pending.map((p) => ({ id: p.id, deliveryTimeMs: p.deliveryTimeMs, deliveryCount: p.deliveryCount })),
        })),
      });
    },
    moduleValue: (m) => (cur!.value = { module: m.moduleName, encver: m.encver, raw: { b64: Buffer.from(m.raw).toString('base64') } }),
    keyEnd: () => {
      if (fieldTtls.length) cur!.fieldExpireAtMs = fieldTtls;
      out.push(cur!);
      cur = null;
    },
  };
  const summary = decode(bytes, handler, whole, opts);
  return { records: out, summary, functions, aux };
}

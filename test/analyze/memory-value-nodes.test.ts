/**
 * The decoder's `valueNode` callback, which the memory estimate sizes quicklists and streams
 * from: the same nodes, with the same sizes, whether the key's values are wanted or not, in a
 * shallow or a deep pass, whole or fed in small chunks; quicklist nodes as the live server
 * reported them (`DEBUG QUICKLIST`, recorded in each fixture's meta file), stream nodes as
 * many as the file states.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { RdbDecoder } from '../../src/rdb/decoder.js';
import type { RdbHandler } from '../../src/model/events.js';
import { FIXTURES, fixtureRdbs, goodCorpusRdbs, itCorpus } from '../helpers/files.js';

interface NodeCall {
  key: string;
  container: number;
  bytes: number;
  nodeKey: string | null;
}

/** Every valueNode call of a file, with the key it belongs to. */
function nodeCalls(bytes: Uint8Array, verify: 'shallow' | 'deep', want: boolean, chunk = bytes.length): { calls: NodeCall[]; streamNodes: Map<string, number> } {
  const calls: NodeCall[] = [];
  const streamNodes = new Map<string, number>();
  let key = '';
  const h: RdbHandler = {
    keyStart(k) {
      key = `${k.db}:${Buffer.from(k.key).toString('latin1')}`;
      return want;
    },
    item() {},
    streamMeta(m) {
      streamNodes.set(key, m.listpacks);
    },
    valueNode(container, n, nodeKey) {
      calls.push({ key, container, bytes: n, nodeKey: nodeKey === null ? null : Buffer.from(nodeKey).toString('hex') });
    },
  };
  const d = new RdbDecoder(h, { verify });
  for (let at = 0; at < bytes.length; at += chunk) d.push(bytes.subarray(at, at + chunk));
  d.end();
  return { calls, streamNodes };
}

interface QuicklistMeta {
  db: number;
  key: string;
  nodes: { container: 'PACKED' | 'PLAIN'; sizeBytes: number }[];
}

describe('valueNode', () => {
  for (const file of fixtureRdbs()) {
    const name = path.basename(file);
    const bytes = new Uint8Array(readFileSync(file));
    it(`${name}: the same nodes in every mode and chunking`, () => {
      const ref = nodeCalls(bytes, 'shallow', false).calls;
      expect(nodeCalls(bytes, 'shallow', true).calls).toEqual(ref);
      expect(nodeCalls(bytes, 'deep', false).calls).toEqual(ref);
      expect(nodeCalls(bytes, 'deep', true).calls).toEqual(ref);
      expect(nodeCalls(bytes, 'shallow', false, 7).calls).toEqual(ref);
      expect(nodeCalls(bytes, 'shallow', true, 13).calls).toEqual(ref);
    });

    const meta = JSON.parse(readFileSync(path.join(FIXTURES, 'rdb', name.replace(/\.rdb$/, '.meta.json')), 'utf8')) as { quicklists?: QuicklistMeta[] };
    if (meta.quicklists?.length) {
      it(`${name}: quicklist nodes as the live server held them`, () => {
        const { calls } = nodeCalls(bytes, 'shallow', false);
        for (const q of meta.quicklists!) {
          const mine = calls.filter((c) => c.key === `${q.db}:${q.key}`).map((c) => ({ container: c.container, bytes: c.bytes }));
          const theirs = q.nodes.map((n) => ({ container: n.container === 'PLAIN' ? 1 : 2, bytes: n.sizeBytes }));
          expect(mine, q.key).toEqual(theirs);
          expect(calls.filter((c) => c.key === `${q.db}:${q.key}`).every((c) => c.nodeKey === null)).toBe(true);
        }
      });
    }

    it(`${name}: one call per stream node, with its 16-byte master ID, in ascending order`, () => {
      const { calls, streamNodes } = nodeCalls(bytes, 'shallow', true);
      for (const [key, n] of streamNodes) {
        const mine = calls.filter((c) => c.key === key);
        expect(mine.length, key).toBe(n);
        for (const c of mine) expect(c.nodeKey).toMatch(/^[0-9a-f]{32}$/);
        const ids = mine.map((c) => c.nodeKey!);
        expect([...ids].sort()).toEqual(ids);
      }
    });
  }

  itCorpus('corpus files: the same nodes wanted or not, shallow or deep', () => {
    let seen = 0;
    for (const file of goodCorpusRdbs()) {
      const bytes = new Uint8Array(readFileSync(file));
      let ref: NodeCall[];
      try {
        ref = nodeCalls(bytes, 'shallow', false).calls;
      } catch {
        continue; // a file the shallow pass refuses (module values, ...) is another suite's business
      }
      seen += ref.length;
      expect(nodeCalls(bytes, 'shallow', true).calls, file).toEqual(ref);
      expect(nodeCalls(bytes, 'deep', true).calls, file).toEqual(ref);
    }
    expect(seen).toBeGreaterThan(0);
  });
});

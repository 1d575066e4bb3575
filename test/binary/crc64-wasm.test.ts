/**
 * The WebAssembly CRC-64 (src/binary/crc64-wasm.ts) gives the checksums of the JavaScript one
 * (src/binary/crc64.ts, itself checked on Redis's test vector): for every length around its
 * 8-byte steps, continued over many updates from any register, and for a file through the
 * checksum worker, whose checkpoints are then those of the JavaScript CRC.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Crc64 } from '../../src/binary/crc64.js';
import { createCrc64Buffer, createWasmCrc64 } from '../../src/binary/crc64-wasm.js';
import { startFileCrc } from '../../src/binary/crc64-file.js';
import { randomBytes, rng } from '../helpers/bytes.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'rdbtool-crc64-wasm-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('CRC-64 in WebAssembly', () => {
  it('is available here', () => {
    expect(createWasmCrc64(16)).not.toBeNull();
  });

  it("gives Redis's test vector", () => {
    const c = createWasmCrc64(64)!;
    c.input.set(Buffer.from('123456789'));
    c.update(9);
    expect((BigInt(c.hi) << 32n) | BigInt(c.lo)).toBe(0xe9c6d914c4b8d9can);
  });

  it('equals the JavaScript CRC at every length, updated in pieces of every size', () => {
    const rand = rng(21);
    const c = createWasmCrc64(4096)!;
    const js = new Crc64();
    for (let n = 0; n <= 300; n++) {
      const bytes = randomBytes(n, rand);
      c.input.set(bytes);
      c.update(n);
      js.update(bytes);
      expect([c.hi, c.lo], `after ${n} bytes`).toEqual([js.hi, js.lo]);
    }
    const big = randomBytes(4096, rand);
    c.input.set(big);
    c.update(4096);
    js.update(big);
    expect([c.hi, c.lo]).toEqual([js.hi, js.lo]);
  });

  it('falls back to the JavaScript CRC, with the same checksums, where WebAssembly is missing', () => {
    const g = globalThis as { WebAssembly?: unknown };
    const saved = g.WebAssembly;
    const bytes = randomBytes(1000, rng(23));
    let fallback;
    try {
      g.WebAssembly = undefined;
      expect(createWasmCrc64(16)).toBeNull();
      fallback = createCrc64Buffer(1000);
    } finally {
      g.WebAssembly = saved;
    }
    const wasm = createCrc64Buffer(1000);
    for (const c of [fallback, wasm]) {
      c.input.set(bytes);
      c.update(1000);
    }
    const js = new Crc64();
    js.update(bytes);
    expect([fallback.hi, fallback.lo]).toEqual([js.hi, js.lo]);
    expect([wasm.hi, wasm.lo]).toEqual([js.hi, js.lo]);
  });

  it('refuses more bytes than its input area holds', () => {
    const c = createWasmCrc64(100)!;
    expect(() => c.update(101)).toThrow(RangeError);
    expect(() => c.update(-1)).toThrow(RangeError);
  });
});

describe('the checksum worker', () => {
  it('gives the JavaScript CRC of every prefix of a file, across its 4 MiB checkpoints', async () => {
    const rand = rng(22);
    const bytes = randomBytes(9 * 1024 * 1024 + 777, rand);
    const file = path.join(dir, 'data.bin');
    writeFileSync(file, bytes);
    for (const n of [0, 1, 4 * 1024 * 1024 - 1, 4 * 1024 * 1024, 8 * 1024 * 1024 + 5, bytes.length]) {
      const job = startFileCrc(file);
      try {
        const got = await job.prefix(n);
        const js = new Crc64();
        js.update(bytes, 0, n);
        expect([got.hi, got.lo], `prefix of ${n} bytes`).toEqual([js.hi, js.lo]);
      } finally {
        job.cancel();
      }
    }
  });
});

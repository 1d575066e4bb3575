/**
 * What a real Redis holds after starting on a file, read back as a dataset: the server is
 * started on the file (an RDB, or with `appendonly yes` an AOF file or a multi-part
 * directory), asked to SAVE, and its dump is loaded with rdbtool's own reader.
 */
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Dataset } from '../../src/dataset/dataset.js';
import { loadRdb } from '../../src/dataset/load-rdb.js';
import { bytesSource } from '../../src/io/source.js';
import { startRedis } from './redis.js';

/** The dataset of an RDB file, as rdbtool loads it. */
export async function datasetOf(file: string): Promise<Dataset> {
  return (await loadRdb(bytesSource(new Uint8Array(readFileSync(file)), path.basename(file)))).dataset;
}

/** Starts Redis on an RDB file and returns the dataset it SAVEs. */
export async function serverOnRdb(file: string): Promise<Dataset> {
  const server = await startRedis({ rdbFile: file });
  try {
    await server.client.call('SAVE');
    return await datasetOf(server.dumpPath);
  } finally {
    await server.stop();
  }
}

/**
 * Starts Redis with `appendonly yes` on an AOF: a single file (`appendonly.aof`, which it moves
 * into a multi-part directory as its base) or a directory (as `appendonlydir`); returns the
 * dataset it SAVEs.
 */
export async function serverOnAof(input: string): Promise<Dataset> {
  const dir = mkdtempSync(path.join(tmpdir(), 'rdbtool-server-aof-'));
  try {
    if (statSync(input).isDirectory()) {
      mkdirSync(path.join(dir, 'appendonlydir'), { recursive: true });
      cpSync(input, path.join(dir, 'appendonlydir'), { recursive: true });
    } else {
      writeFileSync(path.join(dir, 'appendonly.aof'), readFileSync(input));
    }
    const server = await startRedis({ appendonly: true, config: { dir, appendfilename: 'appendonly.aof', appenddirname: 'appendonlydir' } });
    try {
      await server.client.call('SAVE');
      return await datasetOf(path.join(dir, 'dump.rdb'));
    } finally {
      await server.stop();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

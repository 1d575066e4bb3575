/**
 * Builds a Redis or Valkey server from a tag of its git repository, or from a source tarball,
 * for the memory recordings (scripts/record-memory.ts). Such builds are never part of the tests:
 * they need the source and minutes of compiling.
 *
 *   npx tsx scripts/build-server.ts --git-dir DIR --tag 7.2.6 --name redis-7.2-jemalloc [--malloc libc]
 *   npx tsx scripts/build-server.ts --tarball FILE --name valkey-8.1-jemalloc [--malloc libc]
 *
 * `DIR` is a git directory (a bare clone of redis/redis or valkey-io/valkey); it may also be
 * given as `$RDBTOOL_SERVER_GIT_DIR`. `FILE` is a release's source tarball (`.tar.gz`,
 * `.tar.xz`; one top folder, such as Debian's `…orig.tar.xz`), for versions the clone does not
 * hold; the build then names the tarball and its SHA-256 where a tag and commit would be. Steps,
 * all under `.bench-cache/servers/<name>/` (git-ignored):
 * 1. `src/`: the tag's files (`git archive <tag> | tar -x`) or the tarball's (its top folder
 *    stripped), unless already there from the same commit or tarball (`src/.rdbtool-source`
 *    holds it; another one there is an error);
 * 2. `make -j2 BUILD_TLS=no USE_SYSTEMD=no [MALLOC=libc]` in `src/` (its output in `build.log`;
 *    `USE_SYSTEM_JEMALLOC=yes` added when the source has no `deps/jemalloc`, as a distribution's
 *    tarball may not: the system's jemalloc, `libjemalloc-dev`, is linked then);
 * 3. `bin/redis-server`: the built server (Valkey's `valkey-server`, with `redis-server`
 *    linked to it);
 * 4. checks the binary: `--version`, and a throw-away start whose `INFO memory` names the
 *    allocator asked for (`jemalloc-…` or `libc`; a server before 7.0 is started without
 *    `enable-debug-command`, which it does not know);
 * 5. `build.json`: tag, commit, allocator, version line, `mem_allocator` and the build's seconds.
 *
 * Idempotent: when `build.json` matches the tag and allocator and the binary is there, steps
 * 1-3 are skipped and only the check runs.
 */
import { execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, createWriteStream, existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { startRedis } from './lib/redis-server.js';
import { asText } from './lib/resp-client.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Where the servers are built: `<root>/.bench-cache/servers/<name>/`. */
const SERVERS_DIR = path.join(ROOT, '.bench-cache', 'servers');

/** The environment variable that may name the git directory instead of `--git-dir`. */
const SERVER_GIT_DIR_ENV = 'RDBTOOL_SERVER_GIT_DIR';

/** What `build.json` records about a build. */
interface ServerBuild {
  name: string;
  /** The git tag, or for a tarball build the tarball's file name. */
  tag: string;
  /** The tag's commit, or for a tarball build `sha256:` and the tarball's hash. */
  commit: string;
  /** Set for a build from a tarball. */
  tarball?: true;
  malloc: 'jemalloc' | 'libc';
  /** `redis-server --version`'s line. */
  versionLine: string;
  /** `INFO memory`'s `mem_allocator`. */
  memAllocator: string;
  /** Wall time of `make`, seconds (of the run that built it). */
  buildSeconds: number;
  /** The make command line. */
  make: string;
}

interface Options {
  /** Where the source comes from: a git directory and tag, or a tarball. */
  source: { gitDir: string; tag: string } | { tarball: string };
  name: string;
  malloc: 'jemalloc' | 'libc';
  jobs: number;
}

function parseOptions(argv: string[]): Options {
  const { values } = parseArgs({
    args: argv,
    options: {
      'git-dir': { type: 'string' },
      tarball: { type: 'string' },
      tag: { type: 'string' },
      name: { type: 'string' },
      malloc: { type: 'string' },
      jobs: { type: 'string' },
    },
  });
  const gitDir = values['git-dir'] ?? process.env[SERVER_GIT_DIR_ENV];
  if ((values.tarball === undefined && (!gitDir || !values.tag)) || !values.name) {
    throw new Error(`usage: build-server.ts (--git-dir DIR (or $${SERVER_GIT_DIR_ENV}) --tag TAG | --tarball FILE) --name NAME [--malloc libc|jemalloc] [--jobs N]`);
  }
  if (values.tarball !== undefined && values.tag !== undefined) throw new Error('--tarball and --tag: give one source');
  if (values.tarball !== undefined && !existsSync(values.tarball)) throw new Error(`--tarball ${values.tarball}: not found`);
  if (!/^[A-Za-z0-9._-]+$/.test(values.name)) throw new Error(`--name ${JSON.stringify(values.name)}: letters, digits, dots, dashes and underscores only`);
  const malloc = values.malloc ?? 'jemalloc';
  if (malloc !== 'jemalloc' && malloc !== 'libc') throw new Error(`--malloc ${malloc}: expected libc or jemalloc`);
  const source = values.tarball !== undefined ? { tarball: path.resolve(values.tarball) } : { gitDir: path.resolve(gitDir as string), tag: values.tag as string };
  return { source, name: values.name, malloc, jobs: Number(values.jobs ?? 2) };
}

/** The source's name (tag or tarball file name) and what identifies it (the tag's commit, or `sha256:` and the tarball's hash). */
function sourceId(source: Options['source']): { tag: string; commit: string } {
  if ('tarball' in source) {
    const hash = createHash('sha256').update(readFileSync(source.tarball)).digest('hex');
    return { tag: path.basename(source.tarball), commit: `sha256:${hash}` };
  }
  const commit = execFileSync('git', ['--git-dir', source.gitDir, 'rev-parse', '--verify', `${source.tag}^{commit}`], { encoding: 'utf8' }).trim();
  return { tag: source.tag, commit };
}

/** Puts the source's files into `src` (`git archive | tar -x`, or the tarball's top folder), unless they are already there. */
function exportSource(source: Options['source'], id: { tag: string; commit: string }, src: string): void {
  const marker = path.join(src, '.rdbtool-source');
  if (existsSync(marker)) {
    const had = readFileSync(marker, 'utf8').trim();
    if (had !== id.commit) throw new Error(`${src} holds ${had}, not ${id.tag} (${id.commit}): remove it to rebuild`);
    return;
  }
  rmSync(src, { recursive: true, force: true });
  mkdirSync(src, { recursive: true });
  if ('tarball' in source) {
    // tar picks the decompressor from the data (gzip, xz).
    execFileSync('tar', ['-x', '-f', source.tarball, '--strip-components=1', '-C', src], { stdio: ['ignore', 'inherit', 'inherit'] });
  } else {
    execFileSync('sh', ['-c', 'git --git-dir "$1" archive "$2" | tar -x -C "$3"', 'sh', source.gitDir, id.commit, src], { stdio: ['ignore', 'inherit', 'inherit'] });
  }
  writeFileSync(marker, id.commit + '\n');
}

/** Runs `make` in `src`, its output appended to `log`. */
function runMake(src: string, args: string[], log: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const out = createWriteStream(log, { flags: 'a' });
    out.write(`$ make ${args.join(' ')}\n`);
    // The release header asks git for a commit and for local changes: a git that always fails
    // makes them "none", where the real one would answer for whatever checkout holds the build
    // folder (or, outside any, diff two folders).
    const shim = path.join(path.dirname(src), 'no-git');
    mkdirSync(shim, { recursive: true });
    writeFileSync(path.join(shim, 'git'), '#!/bin/sh\nexit 1\n', { mode: 0o755 });
    const env = { ...process.env, PATH: `${shim}${path.delimiter}${process.env.PATH ?? ''}` };
    const child = spawn('make', args, { cwd: src, env, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.pipe(out, { end: false });
    child.stderr.pipe(out, { end: false });
    child.once('error', reject);
    child.once('close', (code) => {
      out.end(() => {
        if (code === 0) resolve();
        else {
          const tail = readFileSync(log, 'utf8').split('\n').slice(-40).join('\n');
          reject(new Error(`make exited with code ${code}; the end of ${log}:\n${tail}`));
        }
      });
    });
  });
}

/**
 * What a server of `--version` line `versionLine` must be started without: servers before 7.0
 * do not know `enable-debug-command`.
 */
function startConfig(versionLine: string): Record<string, null> {
  const major = Number(/ v=(\d+)\./.exec(versionLine)?.[1] ?? NaN);
  return major < 7 ? { 'enable-debug-command': null } : {};
}

/** `--version` and a throw-away start's `mem_allocator`; fails when the allocator is not the one asked for. */
async function checkBinary(bin: string, malloc: Options['malloc']): Promise<{ versionLine: string; memAllocator: string }> {
  const versionLine = execFileSync(bin, ['--version'], { encoding: 'utf8' }).trim();
  const redis = await startRedis({ binary: bin, config: startConfig(versionLine) });
  let memAllocator: string;
  try {
    memAllocator = /mem_allocator:(\S+)/.exec(asText(await redis.client.call('INFO', 'memory')))?.[1] ?? 'unknown';
  } finally {
    await redis.stop();
  }
  const ok = malloc === 'libc' ? memAllocator === 'libc' : memAllocator.startsWith('jemalloc');
  if (!ok) throw new Error(`${bin} reports mem_allocator ${memAllocator}, not ${malloc}`);
  return { versionLine, memAllocator };
}

async function main(): Promise<void> {
  const opts = parseOptions(process.argv.slice(2));
  const home = path.join(SERVERS_DIR, opts.name);
  const src = path.join(home, 'src');
  const binDir = path.join(home, 'bin');
  const bin = path.join(binDir, 'redis-server');
  const recordPath = path.join(home, 'build.json');
  const id = sourceId(opts.source);
  const { tag, commit } = id;
  const makeArgs = [`-j${opts.jobs}`, 'BUILD_TLS=no', 'USE_SYSTEMD=no', ...(opts.malloc === 'libc' ? ['MALLOC=libc'] : [])];

  const previous: ServerBuild | null = existsSync(recordPath) ? (JSON.parse(readFileSync(recordPath, 'utf8')) as ServerBuild) : null;
  if (previous && existsSync(bin)) {
    if (previous.commit !== commit || previous.malloc !== opts.malloc) {
      throw new Error(`${opts.name} was built from ${previous.tag} with ${previous.malloc}: remove ${home} to rebuild it as ${tag} with ${opts.malloc}`);
    }
    const checked = await checkBinary(bin, opts.malloc);
    process.stdout.write(`${opts.name}: already built (${checked.versionLine}; mem_allocator ${checked.memAllocator}; built in ${previous.buildSeconds} s)\n`);
    return;
  }

  mkdirSync(home, { recursive: true });
  exportSource(opts.source, id, src);
  // A distribution's source tarball may leave the bundled jemalloc out: the system's is linked
  // instead (`rdbtool memory --allocator jemalloc-system`).
  if (opts.malloc === 'jemalloc' && !existsSync(path.join(src, 'deps', 'jemalloc'))) makeArgs.push('USE_SYSTEM_JEMALLOC=yes');
  const started = Date.now();
  process.stdout.write(`${opts.name}: make ${makeArgs.join(' ')} (${tag}, ${commit.slice(0, 19)}) ...\n`);
  await runMake(src, makeArgs, path.join(home, 'build.log'));
  const buildSeconds = Math.round((Date.now() - started) / 1000);

  mkdirSync(binDir, { recursive: true });
  rmSync(bin, { force: true });
  const valkey = path.join(src, 'src', 'valkey-server');
  if (existsSync(valkey)) {
    // Valkey's server under its own name, and under the name the harness runs.
    const own = path.join(binDir, 'valkey-server');
    rmSync(own, { force: true });
    copyFileSync(valkey, own);
    symlinkSync('valkey-server', bin);
  } else {
    copyFileSync(path.join(src, 'src', 'redis-server'), bin);
  }
  const checked = await checkBinary(bin, opts.malloc);
  const record: ServerBuild = { name: opts.name, tag, commit, ...('tarball' in opts.source ? { tarball: true as const } : {}), malloc: opts.malloc, ...checked, buildSeconds, make: `make ${makeArgs.join(' ')}` };
  writeFileSync(recordPath, JSON.stringify(record, null, 2) + '\n');
  process.stdout.write(`${opts.name}: built in ${buildSeconds} s (${checked.versionLine}; mem_allocator ${checked.memAllocator})\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});

/**
 * "Would Redis start on it?": Redis's load rules (FORMATS.md §5.5–§5.7) applied to the files
 * of a checked input as they are, in load order, the first fatal one deciding; and, for a
 * single file, whether Redis loads it as its snapshot (`dump.rdb`). The integrity of each file
 * is judged in check.ts; this module only reads those findings.
 */
import type { ResolvedInput } from '../pipeline/detect.js';
import type { FileScan } from '../pipeline/scan-file.js';
import type { CheckedFile, RedisStartVerdict, RedisTruncation } from './check.js';

/** True when a file's name says it is an RDB (`dump.rdb`, `appendonly.aof.3.base.rdb`). */
export const namedRdb = (name: string): boolean => /\.rdb$/i.test(name);
/** True when a file's name says it is an AOF. */
export const namedAof = (name: string): boolean => /\.aof$/i.test(name);

/** True when the RESP reading failed on the very first byte after an intact RDB: junk, not commands. */
export function isTrailingJunk(s: FileScan): boolean {
  const p = s.problem;
  return p !== null && p.section === 'aof' && p.code === 'RESP_SYNTAX' && s.rdb !== null && p.offset === s.respOffset;
}

/** The start verdict of an input from its checked files and their scans (null for a missing file). */
export function redisVerdict(input: ResolvedInput, files: CheckedFile[], scans: (FileScan | null)[]): RedisStartVerdict {
  const verdict: RedisStartVerdict = {
    withAofLoadTruncatedYes: true,
    withAofLoadTruncatedNo: true,
    reason: 'every file loads as it is',
    truncation: null,
    asRdbSnapshot: null,
  };
  const refuse = (reason: string): RedisStartVerdict => ({ ...verdict, withAofLoadTruncatedYes: false, withAofLoadTruncatedNo: false, reason, truncation: null });

  if (input.form === 'file' && files[0] && scans[0]) verdict.asRdbSnapshot = snapshotVerdict(files[0], scans[0]);
  if (files.length > 0 && files.every((f) => f.size === 0)) verdict.reason = 'the input is empty: Redis starts with an empty dataset';
  if (files.length === 0) verdict.reason = 'the manifest lists no file: Redis starts with an empty dataset';

  // Files load in order and the first fatal one stops the server (FORMATS.md §5.6–§5.7).
  for (let i = 0; i < files.length; i++) {
    const f = files[i];
    const s = scans[i];
    if (f.status === 'missing' || s === null) return refuse(`${f.name} is listed in the manifest but does not exist`);
    const p = s.problem;
    if (p === null) continue;
    const at = `${p.code} at byte ${p.offset}`;
    if (p.code === 'NOT_PERSISTENCE_FILE') return refuse(`${f.name} is not a Redis persistence file (${p.found ?? 'unknown content'})`);
    if (p.section === 'rdb') {
      // With the RDB part damaged, an RDB and a hybrid file cannot be told apart.
      const which = f.role === 'base' ? `the RDB base file ${f.name}` : namedAof(f.name) || f.role === 'incr' ? `the RDB preamble of ${f.name}` : `the RDB ${f.name}`;
      return refuse(`${which} is damaged (${at})`);
    }
    if (p.code === 'TRUNCATED') {
      if (!f.last) return refuse(`${f.name} is truncated (${at}) and is not the last file: Redis only truncates the last one`);
      const v = s.aof!;
      const inMulti = v.pendingMulti;
      // A command cut short: Redis keeps every complete command, inside a MULTI block or not.
      // The input ending at a boundary inside MULTI (the problem then points at the MULTI):
      // Redis cuts just before the MULTI.
      const midCommand = !(inMulti && p.unitOffset === v.multiOffset);
      const toOffset = midCommand ? v.lastCommandEnd : v.lastCommandEndBeforeMulti;
      const truncation: RedisTruncation = {
        file: f.name,
        toOffset,
        lostBytes: s.bytes - toOffset,
        leavesOpenMulti: inMulti && midCommand && toOffset > (s.aof?.multiOffset ?? Infinity),
        dropsRdbPreamble: s.respOffset !== null && s.respOffset > 0 && toOffset < s.respOffset,
      };
      let reason = `aof-load-truncated yes truncates ${f.name} to ${toOffset} bytes, dropping the last ${truncation.lostBytes}`;
      if (truncation.dropsRdbPreamble) reason += ', RDB preamble included (its keys load this time, but the file is left without them)';
      if (truncation.leavesOpenMulti) reason += ', and leaves an unterminated MULTI at its end (the next start truncates again)';
      return { ...verdict, withAofLoadTruncatedNo: false, reason, truncation };
    }
    if (p.code === 'LIMIT_EXCEEDED') return refuse(`${f.name} could not be verified: ${p.reason}`);
    if (isTrailingJunk(s)) return refuse(`${f.name} has bytes after its RDB checksum trailer that are not AOF commands (at byte ${p.offset})`);
    if (p.code === 'UNBALANCED_MULTI') return refuse(`${f.name} has an unbalanced MULTI/EXEC (${at})`);
    return refuse(`${f.name} has a format error (${at})`);
  }
  return verdict;
}

/**
 * Whether Redis loads a single file as its snapshot; null when the file is clearly an AOF
 * (it holds commands and no RDB).
 */
function snapshotVerdict(f: CheckedFile, s: FileScan): { loads: boolean; reason: string } | null {
  if (f.content === 'empty') return { loads: false, reason: 'a 0-byte file: "Short read or OOM loading DB"' };
  if (f.content === 'foreign') return { loads: false, reason: 'not an RDB ("Wrong signature trying to load DB from file")' };
  if (f.content !== 'rdb') return null;
  const p = s.problem;
  if (p?.section === 'rdb') return { loads: false, reason: `the RDB is damaged (${p.code} at byte ${p.offset})` };
  if (isTrailingJunk(s)) return { loads: true, reason: `Redis stops at the checksum trailer and ignores the ${s.bytes - (s.respOffset ?? 0)} byte(s) after it` };
  return { loads: true, reason: 'the RDB is intact' };
}


/** What this process holds open, for tests that must leave nothing behind. */
import { existsSync, readdirSync, readlinkSync } from 'node:fs';

/** Descriptors of this process that point at a temporary record file of the record sink (Linux; none elsewhere). */
export function openTempRecordFiles(): string[] {
  if (!existsSync('/proc/self/fd')) return [];
  const out: string[] = [];
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      const target = readlinkSync(`/proc/self/fd/${fd}`);
      if (/rdbtool-record-\d+-[0-9a-f]+\.tmp/.test(target)) out.push(target);
    } catch {
      // Closed meanwhile.
    }
  }
  return out;
}

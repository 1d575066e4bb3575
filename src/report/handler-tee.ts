/**
 * Several consumers on one read: an {@link RdbHandler} and an {@link AofHandler} that hand
 * every event to a list of handlers, so the report's analyzers share one pass of the scan
 * driver.
 *
 * RDB: a key's value callbacks go only to the handlers whose `keyStart` asked for them (the
 * value is read when any did); `valueNode`, `keyStart` and `keyEnd` go to all, as the decoder
 * gives them whether values are wanted or not. The tee has only the plain forms of the value
 * callbacks (no range or Latin-1 forms), so the decoder uses those. A value offered whole
 * (`blobValue`) goes to the one handler that asked for the value, when only one did;
 * otherwise it is declined and its elements follow.
 *
 * AOF: when one handler takes its arguments as Latin-1 text (`argsLatin1`, the replay), the
 * tee asks the decoder for that form, and the handlers that take bytes see the command with
 * the first {@link BRIDGED_ARGS} arguments as bytes (the statistics read only the name and
 * the first argument, as `inspect`'s scan keeps them: `keepArgs: 2`).
 */
import type { AofAnnotation, AofArgPart, AofCommand, AofHandler } from '../model/aof-events.js';
import type { KeyInfo, ModuleBlob, RdbEnd, RdbHandler, RdbHeader, StreamGroup, StreamIdmp, StreamMeta } from '../model/events.js';

/** Arguments turned back into bytes for handlers without `argsLatin1`. */
export const BRIDGED_ARGS = 2;

/** Hands every RDB event to each of `handlers` (see the module notes). */
export class RdbHandlerTee implements RdbHandler {
  /** The handlers that asked for the current key's value. */
  private readonly wanting: RdbHandler[] = [];

  constructor(private readonly handlers: readonly RdbHandler[]) {}

  header(h: RdbHeader, offset: number): void {
    for (const x of this.handlers) x.header?.(h, offset);
  }
  aux(name: Uint8Array, value: Uint8Array, offset: number): void {
    for (const x of this.handlers) x.aux?.(name, value, offset);
  }
  selectDb(db: number, offset: number): void {
    for (const x of this.handlers) x.selectDb?.(db, offset);
  }
  resizeDb(keys: number, expires: number, offset: number): void {
    for (const x of this.handlers) x.resizeDb?.(keys, expires, offset);
  }
  slotInfo(slot: number, keys: number, expires: number, offset: number): void {
    for (const x of this.handlers) x.slotInfo?.(slot, keys, expires, offset);
  }
  opcode(opcode: number, offset: number): void {
    for (const x of this.handlers) x.opcode?.(opcode, offset);
  }
  function(code: Uint8Array, offset: number): void {
    for (const x of this.handlers) x.function?.(code, offset);
  }
  moduleAux(m: ModuleBlob & { when: number }, offset: number): void {
    for (const x of this.handlers) x.moduleAux?.(m, offset);
  }
  slotImport(jobName: Uint8Array, ranges: [number, number][], offset: number): void {
    for (const x of this.handlers) x.slotImport?.(jobName, ranges, offset);
  }
  hashTemplate(id: number, fields: Uint8Array[], offset: number): void {
    for (const x of this.handlers) x.hashTemplate?.(id, fields, offset);
  }

  keyStart(k: KeyInfo): boolean {
    const wanting = this.wanting;
    wanting.length = 0;
    for (const h of this.handlers) if (h.keyStart?.(k) === true) wanting.push(h);
    return wanting.length > 0;
  }

  stringValue(value: Uint8Array): void {
    for (const x of this.wanting) x.stringValue?.(value);
  }
  stringPart(part: Uint8Array, last: boolean, totalBytes: number): void {
    for (const x of this.wanting) x.stringPart?.(part, last, totalBytes);
  }
  blobValue(rdbType: number, blob: Uint8Array, offset: number): boolean {
    const only = this.wanting.length === 1 ? this.wanting[0] : null;
    return only?.blobValue?.(rdbType, blob, offset) ?? false;
  }
  valueNode(container: number, bytes: number, nodeKey: Uint8Array | null): void {
    for (const x of this.handlers) x.valueNode?.(container, bytes, nodeKey);
  }
  item(value: Uint8Array): void {
    for (const x of this.wanting) x.item?.(value);
  }
  field(field: Uint8Array, value: Uint8Array, expireAtMs: number | null): void {
    for (const x of this.wanting) x.field?.(field, value, expireAtMs);
  }
  member(member: Uint8Array, score: number): void {
    for (const x of this.wanting) x.member?.(member, score);
  }
  streamEntry(id: string, fields: Uint8Array[], deleted: boolean): void {
    for (const x of this.wanting) x.streamEntry?.(id, fields, deleted);
  }
  streamMeta(meta: StreamMeta): void {
    for (const x of this.wanting) x.streamMeta?.(meta);
  }
  streamGroup(group: StreamGroup): void {
    for (const x of this.wanting) x.streamGroup?.(group);
  }
  streamIdmp(idmp: StreamIdmp): void {
    for (const x of this.wanting) x.streamIdmp?.(idmp);
  }
  arrayElement(index: number, value: Uint8Array): void {
    for (const x of this.wanting) x.arrayElement?.(index, value);
  }
  moduleValue(m: ModuleBlob): void {
    for (const x of this.wanting) x.moduleValue?.(m);
  }
  keyEnd(k: KeyInfo): void {
    this.wanting.length = 0;
    for (const x of this.handlers) x.keyEnd?.(k);
  }
  end(e: RdbEnd): void {
    for (const x of this.handlers) x.end?.(e);
  }
}

/** Hands every AOF event to each of `handlers` (see the module notes). */
export class AofHandlerTee implements AofHandler {
  readonly argsLatin1: boolean;
  private readonly textual: AofHandler[];
  private readonly binary: AofHandler[];
  private readonly bridged: AofCommand;

  constructor(private readonly handlers: readonly AofHandler[]) {
    this.argsLatin1 = handlers.some((h) => h.argsLatin1 === true);
    this.textual = handlers.filter((h) => h.argsLatin1 === true);
    this.binary = handlers.filter((h) => h.argsLatin1 !== true);
    this.bridged = { argv: [], argc: 0, partedArgs: null, offset: 0, byteLength: 0, line: 0, db: 0, inMulti: false, control: null };
  }

  command(c: AofCommand): void {
    if (!this.argsLatin1) {
      for (const x of this.handlers) x.command?.(c);
      return;
    }
    for (const x of this.textual) x.command?.(c);
    if (this.binary.length === 0) return;
    const b = this.bridged;
    const text = c.argvLatin1 ?? [];
    const n = Math.min(text.length, BRIDGED_ARGS);
    const argv: Uint8Array[] = [];
    for (let i = 0; i < n; i++) argv.push(Buffer.from(text[i], 'latin1'));
    b.argv = argv;
    b.argc = c.argc;
    b.partedArgs = c.partedArgs;
    b.offset = c.offset;
    b.byteLength = c.byteLength;
    b.line = c.line;
    b.db = c.db;
    b.inMulti = c.inMulti;
    b.control = c.control;
    for (const x of this.binary) x.command?.(b);
  }
  argPart(part: Uint8Array, where: AofArgPart): void {
    for (const x of this.handlers) x.argPart?.(part, where);
  }
  annotation(a: AofAnnotation): void {
    for (const x of this.handlers) x.annotation?.(a);
  }
  multi(offset: number, line: number): void {
    for (const x of this.handlers) x.multi?.(offset, line);
  }
  exec(offset: number, line: number, commands: number): void {
    for (const x of this.handlers) x.exec?.(offset, line, commands);
  }
}

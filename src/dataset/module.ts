/**
 * A module value (RDB type 7, and 6 from pre-release modules), kept as the file stores it:
 * the module's own payload is opaque without the module, so the dataset holds it byte for
 * byte, as an RDB writer or a RESTORE needs it.
 */

/** A module value. */
export class ModuleValue {
  constructor(
    /** The 9-character module type name. */
    readonly moduleName: string,
    /** The module's encoding version. */
    readonly encver: number,
    /** The 64-bit module type id as a decimal string. */
    readonly moduleId: string,
    /** The payload: the opcode stream up to and including its EOF opcode (a private copy). */
    readonly raw: Uint8Array,
  ) {}

  /** The Redis type name. */
  get type(): 'module' {
    return 'module';
  }

  /** A copy (the payload is shared: it is never changed in place). */
  clone(): ModuleValue {
    return new ModuleValue(this.moduleName, this.encver, this.moduleId, this.raw);
  }
}

/**
 * The `cjson` library Redis gives scripts (lua-cjson 2.1 as Redis ships it), over fengari's
 * stack: `cjson.encode`, `cjson.decode`, `cjson.null` and the setters of the options that
 * change an encoding (sparse arrays, depth limits, number precision, invalid numbers).
 *
 * As in lua-cjson: numbers are written with `%.<precision>g` (14 by default); a table whose
 * keys are all positive integers is an array (too sparse an array is refused unless
 * conversion to an object is switched on); any other table is an object, `{}` when empty;
 * strings are bytes, escaped as lua-cjson escapes them (`/` becomes `\/`, DEL `\u007f`,
 * bytes from 0x80 up pass as they are); `\u` escapes decode to UTF-8.
 *
 * One difference stays: an object's members come out in the order fengari's tables iterate
 * (insertion order), not in C Lua's hash order.
 */
import { asciiBytes, type LuaApi, type LuaFunction, type LuaState } from './fengari.js';
import { cStrtodPrefix } from './libm.js';
import { formatG } from '../../binary/double-text.js';

/** The options a script can change; they last as long as the Lua state, as in Redis. */
interface CjsonConfig {
  sparseConvert: boolean;
  sparseRatio: number;
  sparseSafe: number;
  encodeMaxDepth: number;
  decodeMaxDepth: number;
  encodeInvalidNumbers: 0 | 1 | 2;
  decodeInvalidNumbers: boolean;
  precision: number;
  keepBuffer: boolean;
}

const ESCAPES: (string | null)[] = new Array<string | null>(256).fill(null);
for (let i = 0; i < 32; i++) ESCAPES[i] = `\\u${i.toString(16).padStart(4, '0')}`;
ESCAPES[8] = '\\b';
ESCAPES[9] = '\\t';
ESCAPES[10] = '\\n';
ESCAPES[12] = '\\f';
ESCAPES[13] = '\\r';
ESCAPES[0x22] = '\\"';
ESCAPES[0x2f] = '\\/';
ESCAPES[0x5c] = '\\\\';
ESCAPES[0x7f] = '\\u007f';

/** The light userdata `cjson.null` stands for (C's NULL). */
const JSON_NULL = null;

/** Opens `cjson` on `L` as a global table. */
export function openCjson(lua: LuaApi, L: LuaState): void {
  const cfg: CjsonConfig = {
    sparseConvert: false,
    sparseRatio: 2,
    sparseSafe: 10,
    encodeMaxDepth: 1000,
    decodeMaxDepth: 1000,
    encodeInvalidNumbers: 0,
    decodeInvalidNumbers: true,
    precision: 14,
    keepBuffer: true,
  };
  const fns: Record<string, LuaFunction> = {
    encode: (L) => {
      if (lua.lua_gettop(L) !== 1) lua.luaL_argerror(L, 1, 'expected 1 argument');
      const out: string[] = [];
      encodeValue(lua, L, cfg, 0, out);
      lua.lua_pushstring(L, latin1Bytes(out.join('')));
      return 1;
    },
    decode: (L) => {
      if (lua.lua_gettop(L) !== 1) lua.luaL_argerror(L, 1, 'expected 1 argument');
      const text = lua.luaL_checklstring(L, 1);
      new Decoder(lua, L, cfg, text).document();
      return 1;
    },
    encode_sparse_array: (L) => {
      if (!lua.lua_isnone(L, 1)) cfg.sparseConvert = lua.lua_toboolean(L, 1);
      if (!lua.lua_isnone(L, 2)) cfg.sparseRatio = checkRange(lua, L, 2, 0, 2147483647);
      if (!lua.lua_isnone(L, 3)) cfg.sparseSafe = checkRange(lua, L, 3, 0, 2147483647);
      lua.lua_pushboolean(L, cfg.sparseConvert);
      lua.lua_pushnumber(L, cfg.sparseRatio);
      lua.lua_pushnumber(L, cfg.sparseSafe);
      return 3;
    },
    encode_max_depth: (L) => {
      if (!lua.lua_isnone(L, 1)) cfg.encodeMaxDepth = checkRange(lua, L, 1, 1, 2147483647);
      lua.lua_pushnumber(L, cfg.encodeMaxDepth);
      return 1;
    },
    decode_max_depth: (L) => {
      if (!lua.lua_isnone(L, 1)) cfg.decodeMaxDepth = checkRange(lua, L, 1, 1, 2147483647);
      lua.lua_pushnumber(L, cfg.decodeMaxDepth);
      return 1;
    },
    encode_number_precision: (L) => {
      if (!lua.lua_isnone(L, 1)) cfg.precision = checkRange(lua, L, 1, 1, 14);
      lua.lua_pushnumber(L, cfg.precision);
      return 1;
    },
    encode_keep_buffer: (L) => {
      if (!lua.lua_isnone(L, 1)) cfg.keepBuffer = lua.lua_toboolean(L, 1);
      lua.lua_pushboolean(L, cfg.keepBuffer);
      return 1;
    },
    encode_invalid_numbers: (L) => {
      if (!lua.lua_isnone(L, 1)) cfg.encodeInvalidNumbers = invalidNumbersOption(lua, L);
      pushInvalidNumbersOption(lua, L, cfg.encodeInvalidNumbers);
      return 1;
    },
    decode_invalid_numbers: (L) => {
      if (!lua.lua_isnone(L, 1)) cfg.decodeInvalidNumbers = invalidNumbersOption(lua, L) !== 0;
      lua.lua_pushboolean(L, cfg.decodeInvalidNumbers);
      return 1;
    },
    new: (L) => {
      openCjson(lua, L);
      lua.lua_getglobal(L, asciiBytes('cjson'));
      return 1;
    },
  };
  lua.lua_createtable(L, 0, 14);
  for (const [name, fn] of Object.entries(fns)) {
    lua.lua_pushcfunction(L, fn);
    lua.lua_setfield(L, -2, asciiBytes(name));
  }
  lua.lua_pushlightuserdata(L, JSON_NULL);
  lua.lua_setfield(L, -2, asciiBytes('null'));
  lua.lua_pushliteral(L, 'cjson');
  lua.lua_setfield(L, -2, asciiBytes('_NAME'));
  lua.lua_pushliteral(L, '2.1.0');
  lua.lua_setfield(L, -2, asciiBytes('_VERSION'));
  lua.lua_setglobal(L, asciiBytes('cjson'));
}

function checkRange(lua: LuaApi, L: LuaState, i: number, min: number, max: number): number {
  const n = lua.luaL_checkinteger(L, i);
  if (n < min || n > max) lua.luaL_argerror(L, i, `expected integer between ${min} and ${max}`);
  return n;
}

function invalidNumbersOption(lua: LuaApi, L: LuaState): 0 | 1 | 2 {
  if (lua.lua_type(L, 1) === lua.LUA_TBOOLEAN) return lua.lua_toboolean(L, 1) ? 1 : 0;
  const s = lua.luaL_checklstring(L, 1);
  const word = String.fromCharCode(...s);
  if (word === 'on') return 1;
  if (word === 'off') return 0;
  if (word === 'null') return 2;
  return lua.luaL_argerror(L, 1, "invalid option 'X'".replace('X', word));
}

function pushInvalidNumbersOption(lua: LuaApi, L: LuaState, v: 0 | 1 | 2): void {
  if (v === 2) lua.lua_pushliteral(L, 'null');
  else lua.lua_pushboolean(L, v === 1);
}

/** Bytes of a Latin-1 string (one byte per code unit). */
function latin1Bytes(s: string): Uint8Array {
  return new Uint8Array(Buffer.from(s, 'latin1'));
}

function encodeError(lua: LuaApi, L: LuaState, index: number, reason: string): never {
  const type = String.fromCharCode(...lua.luaL_typename(L, index));
  return lua.luaL_error(L, `Cannot serialise ${type}: ${reason}`);
}

function encodeString(bytes: Uint8Array, out: string[]): void {
  let s = '"';
  let from = 0;
  for (let i = 0; i < bytes.length; i++) {
    const esc = ESCAPES[bytes[i]];
    if (esc === null) continue;
    if (i > from) s += latin1Text(bytes.subarray(from, i));
    s += esc;
    from = i + 1;
  }
  if (bytes.length > from) s += latin1Text(bytes.subarray(from));
  out.push(s + '"');
}

function latin1Text(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.length).toString('latin1');
}

function encodeNumber(lua: LuaApi, L: LuaState, cfg: CjsonConfig, index: number, out: string[]): void {
  const n = lua.lua_tonumber(L, index);
  if (!Number.isFinite(n)) {
    if (cfg.encodeInvalidNumbers === 0) encodeError(lua, L, index, 'must not be NaN or Inf');
    if (cfg.encodeInvalidNumbers === 2 || Number.isNaN(n)) {
      out.push(cfg.encodeInvalidNumbers === 2 ? 'null' : 'nan');
      return;
    }
  }
  out.push(formatG(n, cfg.precision));
}

/** Encodes the value on top of the stack. */
function encodeValue(lua: LuaApi, L: LuaState, cfg: CjsonConfig, depth: number, out: string[]): void {
  const t = lua.lua_type(L, -1);
  if (t === lua.LUA_TSTRING) encodeString(lua.lua_tolstring(L, -1)!, out);
  else if (t === lua.LUA_TNUMBER) encodeNumber(lua, L, cfg, -1, out);
  else if (t === lua.LUA_TBOOLEAN) out.push(lua.lua_toboolean(L, -1) ? 'true' : 'false');
  else if (t === lua.LUA_TNIL) out.push('null');
  else if (t === lua.LUA_TLIGHTUSERDATA && lua.lua_touserdata(L, -1) === JSON_NULL) out.push('null');
  else if (t === lua.LUA_TTABLE) {
    depth++;
    if (depth > cfg.encodeMaxDepth) lua.luaL_error(L, `Cannot serialise, excessive nesting (${depth})`);
    const len = arrayLength(lua, L, cfg);
    if (len > 0) {
      out.push('[');
      for (let i = 1; i <= len; i++) {
        if (i > 1) out.push(',');
        lua.lua_rawgeti(L, -1, i);
        encodeValue(lua, L, cfg, depth, out);
        lua.lua_pop(L, 1);
      }
      out.push(']');
    } else {
      out.push('{');
      let comma = false;
      lua.lua_pushnil(L);
      while (lua.lua_next(L, -2)) {
        if (comma) out.push(',');
        comma = true;
        const kt = lua.lua_type(L, -2);
        if (kt === lua.LUA_TNUMBER) {
          out.push('"');
          encodeNumber(lua, L, cfg, -2, out);
          out.push('":');
        } else if (kt === lua.LUA_TSTRING) {
          encodeString(lua.lua_tolstring(L, -2)!, out);
          out.push(':');
        } else encodeError(lua, L, -2, 'table key must be a number or string');
        encodeValue(lua, L, cfg, depth, out);
        lua.lua_pop(L, 1);
      }
      out.push('}');
    }
  } else encodeError(lua, L, -1, 'type not supported');
}

/** The array length of the table on top of the stack, or -1 when it is an object. */
function arrayLength(lua: LuaApi, L: LuaState, cfg: CjsonConfig): number {
  let max = 0;
  let items = 0;
  lua.lua_pushnil(L);
  while (lua.lua_next(L, -2)) {
    if (lua.lua_type(L, -2) === lua.LUA_TNUMBER) {
      const k = lua.lua_tonumber(L, -2);
      if (k !== 0 && Math.floor(k) === k && k >= 1) {
        if (k > max) max = k;
        items++;
        lua.lua_pop(L, 1);
        continue;
      }
    }
    lua.lua_pop(L, 2);
    return -1;
  }
  if (cfg.sparseRatio > 0 && max > items * cfg.sparseRatio && max > cfg.sparseSafe) {
    if (!cfg.sparseConvert) encodeError(lua, L, -1, 'excessively sparse array');
    return -1;
  }
  return max;
}


/** A JSON text decoded onto the stack, as lua-cjson's recursive parser does it. */
class Decoder {
  private pos = 0;
  private depth = 0;

  constructor(
    private readonly lua: LuaApi,
    private readonly L: LuaState,
    private readonly cfg: CjsonConfig,
    private readonly text: Uint8Array,
  ) {}

  document(): void {
    this.value();
    this.space();
    if (this.pos < this.text.length) this.fail('the end', this.describe());
  }

  private space(): void {
    const t = this.text;
    while (this.pos < t.length && (t[this.pos] === 0x20 || t[this.pos] === 0x09 || t[this.pos] === 0x0a || t[this.pos] === 0x0d)) this.pos++;
  }

  private fail(expected: string, found: string, at = this.pos): never {
    return this.lua.luaL_error(this.L, `Expected ${expected} but found ${found} at character ${at + 1}`);
  }

  private describe(): string {
    const c = this.text[this.pos];
    if (c === undefined) return 'T_END';
    if (c === 0x7b) return 'T_OBJ_BEGIN';
    if (c === 0x7d) return 'T_OBJ_END';
    if (c === 0x5b) return 'T_ARR_BEGIN';
    if (c === 0x5d) return 'T_ARR_END';
    if (c === 0x3a) return 'T_COLON';
    if (c === 0x2c) return 'T_COMMA';
    if (c === 0x22) return 'T_STRING';
    const rest = latin1Text(this.text.subarray(this.pos, this.pos + 5));
    if (rest.startsWith('true') || rest.startsWith('false')) return 'T_BOOLEAN';
    if (rest.startsWith('null')) return 'T_NULL';
    if (c === 0x2d || (c >= 0x30 && c <= 0x39) || (this.cfg.decodeInvalidNumbers && this.invalidNumber())) {
      if (!this.cfg.decodeInvalidNumbers && this.invalidNumber()) return 'invalid number';
      return cStrtodPrefix(latin1Text(this.text.subarray(this.pos, this.pos + 400))).length > 0 ? 'T_NUMBER' : 'invalid number';
    }
    return 'invalid token';
  }

  private value(): void {
    const { lua, L } = this;
    this.space();
    const c = this.text[this.pos];
    if (c === 0x7b) return this.object();
    if (c === 0x5b) return this.array();
    if (c === 0x22) return lua.lua_pushstring(L, this.string());
    if (c === 0x2d || (c !== undefined && c >= 0x30 && c <= 0x39)) {
      if (!this.cfg.decodeInvalidNumbers && this.invalidNumber()) this.fail('value', 'invalid number');
      return lua.lua_pushnumber(L, this.number());
    }
    if (this.word('true')) return lua.lua_pushboolean(L, true);
    if (this.word('false')) return lua.lua_pushboolean(L, false);
    if (this.word('null')) return lua.lua_pushlightuserdata(L, JSON_NULL);
    // Numbers JSON does not allow (a '+', inf, nan) are read by strtod when allowed.
    if (this.cfg.decodeInvalidNumbers && this.invalidNumber()) return lua.lua_pushnumber(L, this.number());
    this.fail('value', this.describe());
  }

  private word(w: string): boolean {
    for (let i = 0; i < w.length; i++) if (this.text[this.pos + i] !== w.charCodeAt(i)) return false;
    this.pos += w.length;
    return true;
  }

  /** lua-cjson's json_is_invalid_number: a leading '+', a hex or zero-led number, inf or nan. */
  private invalidNumber(): boolean {
    let p = this.pos;
    const t = this.text;
    if (t[p] === 0x2b) return true;
    if (t[p] === 0x2d) p++;
    if (t[p] === 0x30) {
      const c2 = t[p + 1];
      return c2 !== undefined && ((c2 | 0x20) === 0x78 || (c2 >= 0x30 && c2 <= 0x39));
    }
    if (t[p] !== undefined && t[p] <= 0x39) return false;
    const word = latin1Text(t.subarray(p, p + 3)).toLowerCase();
    return word === 'inf' || word === 'nan';
  }

  /** A number as lua-cjson reads it: C's strtod at this point. */
  private number(): number {
    const { value, length } = cStrtodPrefix(latin1Text(this.text.subarray(this.pos, Math.min(this.text.length, this.pos + 400))));
    if (length === 0) return this.fail('value', 'invalid number');
    this.pos += length;
    return value;
  }

  private string(): Uint8Array {
    const t = this.text;
    const start = this.pos;
    const out: number[] = [];
    this.pos++;
    for (;;) {
      const c = t[this.pos];
      // lua-cjson reads a C string: a zero byte ends it as the end of the text does.
      if (c === undefined || c === 0) this.fail('value', 'unexpected end of string');
      this.pos++;
      if (c === 0x22) break;
      if (c !== 0x5c) {
        out.push(c);
        continue;
      }
      const escape = this.pos - 1;
      const e = t[this.pos++];
      if (e === 0x22 || e === 0x5c || e === 0x2f) out.push(e);
      else if (e === 0x62) out.push(8);
      else if (e === 0x66) out.push(12);
      else if (e === 0x6e) out.push(10);
      else if (e === 0x72) out.push(13);
      else if (e === 0x74) out.push(9);
      else if (e === 0x75) this.unicode(out, escape);
      else this.fail('value', 'invalid escape code', escape);
    }
    return Uint8Array.from(out);
  }

  private hex4(start: number): number {
    const s = latin1Text(this.text.subarray(this.pos, this.pos + 4));
    if (!/^[0-9a-fA-F]{4}$/.test(s)) this.fail('value', 'invalid unicode escape code', start);
    this.pos += 4;
    return parseInt(s, 16);
  }

  private unicode(out: number[], start: number): void {
    let cp = this.hex4(start);
    if (cp >= 0xdc00 && cp <= 0xdfff) this.fail('value', 'invalid unicode escape code', start);
    if (cp >= 0xd800 && cp <= 0xdbff) {
      if (this.text[this.pos] !== 0x5c || this.text[this.pos + 1] !== 0x75) this.fail('value', 'invalid unicode escape code', start);
      this.pos += 2;
      const low = this.hex4(start);
      if (low < 0xdc00 || low > 0xdfff) this.fail('value', 'invalid unicode escape code', start);
      cp = 0x10000 + ((cp - 0xd800) << 10) + (low - 0xdc00);
    }
    if (cp < 0x80) out.push(cp);
    else if (cp < 0x800) out.push(0xc0 | (cp >> 6), 0x80 | (cp & 0x3f));
    else if (cp < 0x10000) out.push(0xe0 | (cp >> 12), 0x80 | ((cp >> 6) & 0x3f), 0x80 | (cp & 0x3f));
    else out.push(0xf0 | (cp >> 18), 0x80 | ((cp >> 12) & 0x3f), 0x80 | ((cp >> 6) & 0x3f), 0x80 | (cp & 0x3f));
  }

  private enter(): void {
    if (++this.depth > this.cfg.decodeMaxDepth) this.lua.luaL_error(this.L, `Found too many nested data structures (${this.depth}) at character ${this.pos + 1}`);
  }

  private object(): void {
    const { lua, L } = this;
    this.enter();
    this.pos++;
    lua.lua_createtable(L, 0, 0);
    this.space();
    if (this.text[this.pos] === 0x7d) {
      this.pos++;
      this.depth--;
      return;
    }
    for (;;) {
      this.space();
      if (this.text[this.pos] !== 0x22) this.fail('object key string', this.describe());
      lua.lua_pushstring(L, this.string());
      this.space();
      if (this.text[this.pos] !== 0x3a) this.fail('colon', this.describe());
      this.pos++;
      this.value();
      lua.lua_rawset(L, -3);
      this.space();
      const c = this.text[this.pos];
      if (c === 0x7d) break;
      if (c !== 0x2c) this.fail('comma or object end', this.describe());
      this.pos++;
    }
    this.pos++;
    this.depth--;
  }

  private array(): void {
    const { lua, L } = this;
    this.enter();
    this.pos++;
    lua.lua_createtable(L, 0, 0);
    this.space();
    if (this.text[this.pos] === 0x5d) {
      this.pos++;
      this.depth--;
      return;
    }
    for (let i = 1; ; i++) {
      this.value();
      lua.lua_rawseti(L, -2, i);
      this.space();
      const c = this.text[this.pos];
      if (c === 0x5d) break;
      if (c !== 0x2c) this.fail('comma or array end', this.describe());
      this.pos++;
    }
    this.pos++;
    this.depth--;
  }
}

/**
 * The Lua VM (fengari, Lua 5.3 written in JavaScript), loaded the first time a script runs and
 * adjusted to behave as the Lua 5.1 that Redis embeds where a script's effects could differ.
 *
 * fengari is a CommonJS package, required through `createRequire` so that loading it is
 * synchronous (a command cannot wait) and happens only when a script appears: nothing of it
 * is imported at start-up, and the CLI bundle leaves it out (it is resolved from
 * `node_modules` at run time).
 *
 * Lua 5.1 has one number type, the double; 5.3 adds integers, which fengari keeps in 32 bits
 * and wraps on overflow (`86400 * 1000 * 30` would come out negative). Adjustments of
 * fengari's module objects (the other fengari modules call these through them) give back
 * 5.1's behaviour:
 * - a numeral, in the source or in a string converted to a number, is read as a float, so
 *   arithmetic on literals and on values from Redis never wraps (hex numerals are read whole:
 *   `0xFFFFFFFF` is 4294967295, as in 5.1), and a string converts as C's strtod reads it
 *   (`tonumber('inf')`, `'nan' + 0`);
 * - a number becomes text as 5.1 writes it, `%.14g`: `3` not `3.0`, `1e+15` for 10^15 (set in
 *   fengari's configuration module before the modules that read it load);
 * - a float where an integer is wanted (`string.rep(s, 2.5)`, `("x"):sub(1.9)`) is truncated as
 *   5.1's cast does, instead of 5.3's "number has no integer representation";
 * - `a % b` is 5.1's `a - floor(a/b)*b` (`-0 % 1` is 0, `5 % math.huge` is NaN), and `a ^ b`
 *   (also when folded at compile time) is C's `pow` (libm.ts), not V8's `Math.pow`, which
 *   misses the last bit of one integer power in twelve.
 * These changes apply to the process's one copy of fengari; nothing else in the tool uses it.
 */
import { createRequire, Module } from 'node:module';
import { cPow, NEGATIVE_NAN } from './libm.js';
import { formatG } from '../../binary/double-text.js';

/** A Lua state (fengari's object; opaque here). */
export type LuaState = { readonly __luaState: unique symbol };
/** A function callable from Lua: reads its arguments from the stack, returns how many results it pushed. */
export type LuaFunction = (L: LuaState) => number;

/** fengari's `lua_Debug`. */
export interface LuaDebug {
  what: Uint8Array | null;
  source: Uint8Array | null;
  currentline: number;
}

/** The part of fengari's C-like API the bridge uses (lua.h and lauxlib.h names). */
export interface LuaApi {
  LUA_OK: number;
  LUA_TNIL: number;
  LUA_TBOOLEAN: number;
  LUA_TLIGHTUSERDATA: number;
  LUA_TNUMBER: number;
  LUA_TSTRING: number;
  LUA_TTABLE: number;
  LUA_REGISTRYINDEX: number;
  LUA_RIDX_GLOBALS: number;
  lua_Debug: new () => LuaDebug;
  lua_gettop(L: LuaState): number;
  lua_settop(L: LuaState, n: number): void;
  lua_pop(L: LuaState, n: number): void;
  lua_remove(L: LuaState, i: number): void;
  lua_type(L: LuaState, i: number): number;
  lua_tolstring(L: LuaState, i: number): Uint8Array | null;
  lua_tonumber(L: LuaState, i: number): number;
  lua_toboolean(L: LuaState, i: number): boolean;
  lua_touserdata(L: LuaState, i: number): unknown;
  lua_isnumber(L: LuaState, i: number): boolean;
  lua_isinteger(L: LuaState, i: number): boolean;
  lua_isnone(L: LuaState, i: number): boolean;
  lua_pushnil(L: LuaState): void;
  lua_pushnumber(L: LuaState, n: number): void;
  lua_pushboolean(L: LuaState, b: boolean): void;
  lua_pushstring(L: LuaState, s: Uint8Array): void;
  lua_pushliteral(L: LuaState, s: string): void;
  lua_pushlightuserdata(L: LuaState, p: unknown): void;
  lua_pushcfunction(L: LuaState, f: LuaFunction): void;
  lua_pushvalue(L: LuaState, i: number): void;
  lua_createtable(L: LuaState, narr: number, nrec: number): void;
  lua_rawseti(L: LuaState, i: number, n: number): void;
  lua_rawgeti(L: LuaState, i: number, n: number): number;
  lua_rawlen(L: LuaState, i: number): number;
  lua_tocfunction(L: LuaState, i: number): LuaFunction;
  lua_replace(L: LuaState, i: number): void;
  lua_isnoneornil(L: LuaState, i: number): boolean;
  lua_rawset(L: LuaState, i: number): void;
  lua_rawget(L: LuaState, i: number): number;
  lua_setfield(L: LuaState, i: number, k: Uint8Array): void;
  lua_getfield(L: LuaState, i: number, k: Uint8Array): number;
  lua_getglobal(L: LuaState, k: Uint8Array): number;
  lua_setglobal(L: LuaState, k: Uint8Array): void;
  lua_next(L: LuaState, i: number): boolean;
  lua_pcall(L: LuaState, nargs: number, nresults: number, msgh: number): number;
  lua_call(L: LuaState, nargs: number, nresults: number): void;
  lua_error(L: LuaState): never;
  lua_getstack(L: LuaState, level: number, ar: LuaDebug): number;
  lua_getinfo(L: LuaState, what: string, ar: LuaDebug): number;
  luaL_newstate(): LuaState;
  luaL_requiref(L: LuaState, name: Uint8Array, open: LuaFunction, glb: number): void;
  luaL_loadbuffer(L: LuaState, buff: Uint8Array, size: number | null, name: Uint8Array): number;
  luaL_checknumber(L: LuaState, i: number): number;
  luaL_checkinteger(L: LuaState, i: number): number;
  luaL_checklstring(L: LuaState, i: number): Uint8Array;
  luaL_checktype(L: LuaState, i: number, t: number): void;
  luaL_error(L: LuaState, fmt: string): never;
  luaL_argerror(L: LuaState, arg: number, msg: string): never;
  luaL_typename(L: LuaState, i: number): Uint8Array;
  luaL_len(L: LuaState, i: number): number;
  luaL_ref(L: LuaState, t: number): number;
  /** The standard libraries' openers. */
  luaopen_base: LuaFunction;
  luaopen_coroutine: LuaFunction;
  luaopen_table: LuaFunction;
  luaopen_string: LuaFunction;
  luaopen_math: LuaFunction;
  luaopen_debug: LuaFunction;
}

interface TValue {
  value: number;
  ttisinteger(): boolean;
  ttisfloat(): boolean;
  setfltvalue(n: number): void;
}

let api: LuaApi | undefined;

/** Marks fengari's module objects once adjusted (a test runner may load this file twice). */
const ADJUSTED = Symbol.for('rdbtool.fengari-adjusted');

/** Lua's API, loading (and adjusting) fengari on the first call. */
export function luaApi(): LuaApi {
  if (api !== undefined) return api;
  const req = createRequire(import.meta.url);
  // defs.js loads luaconf.js; the number format must be in place before lobject.js reads it.
  req('fengari/src/defs.js');
  const luaconf = req('fengari/src/luaconf.js') as Record<string | symbol, unknown>;
  const first = luaconf[ADJUSTED] === undefined;
  if (first) {
    luaconf.lua_number2str = (n: number) => formatG(n, 14);
    luaconf.LUA_COMPAT_FLOATSTRING = true;
    // lvm.js and lobject.js take luai_nummod from llimits.js when they load.
    const llimits = req('fengari/src/llimits.js') as { luai_nummod(L: unknown, a: number, b: number): number };
    llimits.luai_nummod = (_L, a, b) => a - Math.floor(a / b) * b;
  }
  const fengari = (first ? withLuaMath(() => req('fengari')) : req('fengari')) as { lua: object; lauxlib: object; lualib: object };
  const lobject = req('fengari/src/lobject.js') as { luaO_str2num(s: Uint8Array, o: TValue): number };
  const lvm = req('fengari/src/lvm.js') as { tointeger(o: TValue): number | false };
  if (luaconf[ADJUSTED] === undefined) {
    adjust(lobject, lvm);
    luaconf[ADJUSTED] = true;
  }
  api = { ...fengari.lua, ...fengari.lauxlib, ...fengari.lualib } as LuaApi;
  return api;
}

/** The `Math` fengari's VM and constant folder see: C's pow in place of V8's. */
const LUA_MATH: Math = Object.create(Math, { pow: { value: cPow } }) as Math;
const LUA_MATH_KEY = Symbol.for('rdbtool.lua-math');
/** The fengari modules that compute `^` with `Math.pow`: the VM (OP_POW) and the constant folder. */
const POW_MODULES = /[\\/]fengari[\\/]src[\\/](lvm|lobject)\.js$/;

/**
 * Runs `load` (the first `require` of fengari) with those two modules compiled to see
 * {@link LUA_MATH} as `Math`: a `const Math` is put after their "use strict" directive, read
 * from a symbol-keyed global that exists only while they load. Nothing else sees the change.
 */
function withLuaMath<T>(load: () => T): T {
  const proto = Module.prototype as unknown as { _compile(content: string, filename: string): unknown };
  const compile = proto._compile;
  const g = globalThis as Record<symbol, unknown>;
  g[LUA_MATH_KEY] = LUA_MATH;
  proto._compile = function (this: unknown, content: string, filename: string) {
    if (POW_MODULES.test(filename) && content.startsWith('"use strict";')) {
      content = `"use strict";const Math=globalThis[Symbol.for('rdbtool.lua-math')];${content.slice('"use strict";'.length)}`;
    }
    return compile.call(this, content, filename);
  };
  try {
    return load();
  } finally {
    proto._compile = compile;
    delete g[LUA_MATH_KEY];
  }
}

const HEX_NUMERAL = /^[\t\n\v\f\r ]*([+-]?)0[xX]([0-9a-fA-F]+)[\t\n\v\f\r ]*$/;
/** What C's strtod reads besides numerals (5.1 converts strings with it): inf, infinity, nan, nan(…). */
const WORD_NUMERAL = /^[\t\n\v\f\r ]*([+-]?)(?:(inf(?:inity)?)|nan(?:\([0-9A-Za-z_]*\))?)[\t\n\v\f\r ]*$/i;

function adjust(lobject: { luaO_str2num(s: Uint8Array, o: TValue): number }, lvm: { tointeger(o: TValue): number | false }): void {
  const str2num = lobject.luaO_str2num;
  lobject.luaO_str2num = (s, o) => {
    if (s.length < 40 && (s.includes(0x78) || s.includes(0x58))) {
      const hex = HEX_NUMERAL.exec(asciiText(s));
      if (hex) {
        const v = parseInt(hex[2], 16);
        o.setfltvalue(hex[1] === '-' ? -v : v);
        return s.length + 1;
      }
    }
    if (s.length < 40 && (s.includes(0x6e) || s.includes(0x4e))) {
      const word = WORD_NUMERAL.exec(asciiText(s));
      if (word) {
        const neg = word[1] === '-';
        o.setfltvalue(word[2] ? (neg ? -Infinity : Infinity) : neg ? NEGATIVE_NAN : NaN);
        return s.length + 1;
      }
    }
    const n = str2num(s, o);
    if (n !== 0 && o.ttisinteger()) o.setfltvalue(o.value);
    return n;
  };
  const tointeger = lvm.tointeger;
  lvm.tointeger = (o) => {
    if (o.ttisfloat()) {
      const t = Math.trunc(o.value);
      return t >= -2147483648 && t <= 2147483647 ? t : false;
    }
    return tointeger(o);
  };
}

/** The bytes of an ASCII JavaScript string. */
export function asciiBytes(s: string): Uint8Array {
  const b = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) b[i] = s.charCodeAt(i);
  return b;
}

function asciiText(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < b.length; i++) s += String.fromCharCode(b[i]);
  return s;
}

/**
 * The Lua environment of a Redis script, besides `redis` and `cjson`: Lua 5.1's standard
 * library as Redis opens it (base, coroutine, table, string, math, debug; no io, os or
 * package), made out of fengari's 5.3 one — the 5.1 names 5.3 dropped put back (`unpack`,
 * `loadstring`, `table.getn`, `math.mod` …), the 5.3 additions a 5.1 script cannot have called
 * taken away, `string.format` formatting as 5.1 does through C's sprintf — plus Redis's `bit`
 * library, its deterministic `math.random`, and the guard against global variables that Redis
 * installs last.
 */
import { asciiBytes, type LuaApi, type LuaFunction, type LuaState } from './fengari.js';
import { cFrexp, cLdexp, cPow } from './libm.js';
import { luaStringFormat } from './string-format.js';

/**
 * Lua source run once in a new state, after the libraries: 5.1's names, then the global
 * guard. The guard is Redis's (scripts may neither create a global nor read an absent one,
 * while code at the top level of a chunk may create them), and `debug` is removed afterwards.
 */
const PRELUDE = `
local tunpack, fmod = table.unpack, math.fmod
unpack = tunpack
loadstring = function(s, name) return load(s, name) end
table.getn = function(t) return #t end
table.setn = function() error("'setn' is obsolete", 2) end
table.maxn = function(t)
  local max = 0
  for k in pairs(t) do
    if type(k) == 'number' and k > max then max = k end
  end
  return max
end
table.foreach = function(t, f)
  for k, v in pairs(t) do
    local r = f(k, v)
    if r ~= nil then return r end
  end
end
table.foreachi = function(t, f)
  for i = 1, #t do
    local r = f(i, t[i])
    if r ~= nil then return r end
  end
end
math.mod = fmod
do
  -- 5.1's running gives nil in the main coroutine.
  local running = coroutine.running
  coroutine.running = function()
    local co, main = running()
    if main then return nil end
    return co
  end
end
string.gfind = string.gmatch
table.unpack, table.pack, table.move = nil, nil, nil
math.type, math.tointeger, math.ult, math.maxinteger, math.mininteger = nil, nil, nil, nil, nil
string.pack, string.unpack, string.packsize = nil, nil, nil
coroutine.isyieldable = nil
rawlen, loadfile, dofile = nil, nil, nil
print = function() end
function __redis__compare_helper(a, b)
  if a == false then a = '' end
  if b == false then b = '' end
  return a < b
end
local dbg = debug
function __redis__err__handler(err)
  local i = dbg.getinfo(2, 'nSl')
  if i and (i.what == 'C' or i.source == '=[JS]') then i = dbg.getinfo(3, 'nSl') end
  if i then return i.source .. ':' .. i.currentline .. ': ' .. tostring(err) end
  return err
end
local mt = {}
setmetatable(_G, mt)
mt.__newindex = function(t, n, v)
  if dbg.getinfo(2) then
    local w = dbg.getinfo(2, 'S').what
    if w ~= 'main' and w ~= 'C' then
      error("Script attempted to create global variable '" .. tostring(n) .. "'", 2)
    end
  end
  rawset(t, n, v)
end
mt.__index = function(t, n)
  if dbg.getinfo(2) and dbg.getinfo(2, 'S').what ~= 'C' then
    error("Script attempted to access nonexistent global variable '" .. tostring(n) .. "'", 2)
  end
  return rawget(t, n)
end
debug = nil
`;

/** Opens the standard libraries Redis opens. */
export function openStandardLibs(lua: LuaApi, L: LuaState): void {
  const libs: [string, LuaFunction][] = [
    ['_G', lua.luaopen_base],
    ['coroutine', lua.luaopen_coroutine],
    ['table', lua.luaopen_table],
    ['string', lua.luaopen_string],
    ['math', lua.luaopen_math],
    ['debug', lua.luaopen_debug],
  ];
  for (const [name, open] of libs) {
    lua.luaL_requiref(L, asciiBytes(name), open, 1);
    lua.lua_pop(L, 1);
  }
  lua.lua_getglobal(L, asciiBytes('math'));
  // 5.1's floor and ceil return floats, as all its numbers are.
  const unary = (name: string, f: (x: number) => number) => setFunction(lua, L, name, (L) => (lua.lua_pushnumber(L, f(lua.luaL_checknumber(L, 1))), 1));
  unary('floor', Math.floor);
  unary('ceil', Math.ceil);
  // 5.1's one-argument forms: log and atan ignore a second argument that 5.3 would use.
  unary('log', Math.log);
  unary('atan', Math.atan);
  unary('log10', Math.log10);
  unary('sinh', Math.sinh);
  unary('cosh', Math.cosh);
  unary('tanh', Math.tanh);
  // deg divides by (pi / 180), as 5.1 does; 5.3 multiplies by (180 / pi), which can differ in the last bit.
  unary('deg', (x) => x / (Math.PI / 180));
  setFunction(lua, L, 'atan2', (L) => (lua.lua_pushnumber(L, Math.atan2(lua.luaL_checknumber(L, 1), lua.luaL_checknumber(L, 2))), 1));
  setFunction(lua, L, 'pow', (L) => (lua.lua_pushnumber(L, cPow(lua.luaL_checknumber(L, 1), lua.luaL_checknumber(L, 2))), 1));
  setFunction(lua, L, 'ldexp', (L) => (lua.lua_pushnumber(L, cLdexp(lua.luaL_checknumber(L, 1), lua.luaL_checknumber(L, 2))), 1));
  // C's modf: both parts carry the sign of x (the fraction of -4 is -0).
  setFunction(lua, L, 'modf', (L) => {
    const x = lua.luaL_checknumber(L, 1);
    const ip = Number.isFinite(x) ? Math.trunc(x) : x;
    const fp = Number.isNaN(x) ? x : x === ip ? (x < 0 || Object.is(x, -0) ? -0 : 0) : x - ip;
    lua.lua_pushnumber(L, ip);
    lua.lua_pushnumber(L, fp);
    return 2;
  });
  setFunction(lua, L, 'frexp', (L) => {
    const [m, e] = cFrexp(lua.luaL_checknumber(L, 1));
    lua.lua_pushnumber(L, m);
    lua.lua_pushnumber(L, e);
    return 2;
  });
  // 5.1's max and min take numbers as luaL_checknumber does (a numeric string too).
  const fold = (name: string, better: (d: number, best: number) => boolean) =>
    setFunction(lua, L, name, (L) => {
      const n = lua.lua_gettop(L);
      let best = lua.luaL_checknumber(L, 1);
      for (let i = 2; i <= n; i++) {
        const d = lua.luaL_checknumber(L, i);
        if (better(d, best)) best = d;
      }
      lua.lua_pushnumber(L, best);
      return 1;
    });
  fold('max', (d, best) => d > best);
  fold('min', (d, best) => d < best);
  lua.lua_pop(L, 1);
  lua.lua_getglobal(L, asciiBytes('table'));
  setFunction(lua, L, 'insert', (L) => tableInsert(lua, L));
  setFunction(lua, L, 'remove', (L) => tableRemove(lua, L));
  lua.lua_pop(L, 1);
  lua.lua_getglobal(L, asciiBytes('string'));
  // 5.1's format hands each item to the C library's sprintf (string-format.ts).
  setFunction(lua, L, 'format', (L) => luaStringFormat(lua, L));
  // The others are 5.3's with 5.1's arguments. Each runs in the wrapper's own call, so an
  // error names the script's line, as the 5.1 function would.
  const original = (name: string): LuaFunction => {
    lua.lua_getfield(L, -1, asciiBytes(name));
    const f = lua.lua_tocfunction(L, -1);
    lua.lua_pop(L, 1);
    return f;
  };
  const find = original('find');
  const match = original('match');
  const rep = original('rep');
  // A start past the end starts at the end, where '' still matches (5.3 finds nothing).
  const clampInit = (L: LuaState): void => {
    const t = lua.lua_type(L, 1);
    if (lua.lua_type(L, 3) !== lua.LUA_TNUMBER || (t !== lua.LUA_TSTRING && t !== lua.LUA_TNUMBER)) return;
    const len = lua.lua_tolstring(L, 1)!.length;
    if (lua.lua_tonumber(L, 3) > len + 1) {
      lua.lua_pushnumber(L, len + 1);
      lua.lua_replace(L, 3);
    }
  };
  setFunction(lua, L, 'find', (L) => (clampInit(L), find(L)));
  setFunction(lua, L, 'match', (L) => (clampInit(L), match(L)));
  // 5.1's rep has no separator.
  setFunction(lua, L, 'rep', (L) => (lua.lua_gettop(L) > 2 && lua.lua_settop(L, 2), rep(L)));
  lua.lua_pop(L, 1);
}

/**
 * 5.1's `table.insert(t, [pos,] v)`: raw accesses, a position past the end grows the array
 * (5.3 refuses it), any other argument count an error.
 */
function tableInsert(lua: LuaApi, L: LuaState): number {
  lua.luaL_checktype(L, 1, lua.LUA_TTABLE);
  let e = lua.lua_rawlen(L, 1) + 1;
  let pos: number;
  switch (lua.lua_gettop(L)) {
    case 2:
      pos = e;
      break;
    case 3:
      pos = lua.luaL_checkinteger(L, 2);
      if (pos > e) e = pos;
      for (let i = e; i > pos; i--) {
        lua.lua_rawgeti(L, 1, i - 1);
        lua.lua_rawseti(L, 1, i);
      }
      break;
    default:
      return lua.luaL_error(L, "wrong number of arguments to 'insert'");
  }
  lua.lua_rawseti(L, 1, pos);
  return 0;
}

/** 5.1's `table.remove(t, [pos])`: raw accesses, nothing returned for a position outside 1..#t. */
function tableRemove(lua: LuaApi, L: LuaState): number {
  lua.luaL_checktype(L, 1, lua.LUA_TTABLE);
  const e = lua.lua_rawlen(L, 1);
  let pos = lua.lua_isnoneornil(L, 2) ? e : lua.luaL_checkinteger(L, 2);
  if (!(pos >= 1 && pos <= e)) return 0;
  lua.lua_rawgeti(L, 1, pos);
  for (; pos < e; pos++) {
    lua.lua_rawgeti(L, 1, pos + 1);
    lua.lua_rawseti(L, 1, pos);
  }
  lua.lua_pushnil(L);
  lua.lua_rawseti(L, 1, e);
  return 1;
}

/** Runs the prelude: call last, once every global the scripts see is in place. */
export function runPrelude(lua: LuaApi, L: LuaState): void {
  if (lua.luaL_loadbuffer(L, asciiBytes(PRELUDE), null, asciiBytes('@redis_prelude')) !== lua.LUA_OK || lua.lua_pcall(L, 0, 0, 0) !== lua.LUA_OK) {
    const msg = lua.lua_tolstring(L, -1);
    throw new Error(`the Lua prelude failed: ${msg ? String.fromCharCode(...msg) : 'unknown error'}`);
  }
}

/** Sets field `name` of the table on top of the stack to a function. */
export function setFunction(lua: LuaApi, L: LuaState, name: string, fn: LuaFunction): void {
  lua.lua_pushcfunction(L, fn);
  lua.lua_setfield(L, -2, asciiBytes(name));
}

/**
 * Redis's `redisLrand48`: the 48-bit linear congruential generator of `lrand48`, seeded with
 * `redisSrand48`. Scripts replicated whole (every script an AOF holds as `EVAL`) start each
 * run from seed 0, so `math.random` gives the same numbers at every run.
 */
export class Rand48 {
  private x = 0x1234abcd330en;

  /** Seeds the generator as `srand48(seed)`: the high 32 bits from the seed, the low 16 fixed. */
  seed(seed: number): void {
    this.x = (BigInt(seed >>> 0) << 16n) | 0x330en;
  }

  /** The next value, 0 to 2^31 − 1. */
  next(): number {
    this.x = (this.x * 0x5deece66dn + 0xbn) & 0xffffffffffffn;
    return Number(this.x >> 17n);
  }
}

const INT32_MAX = 2147483647;

/** Replaces `math.random` and `math.randomseed` with Redis's versions over `rand`. */
export function openRedisRandom(lua: LuaApi, L: LuaState, rand: Rand48): void {
  lua.lua_getglobal(L, asciiBytes('math'));
  setFunction(lua, L, 'random', (L) => {
    const r = (rand.next() % INT32_MAX) / INT32_MAX;
    const argc = lua.lua_gettop(L);
    if (argc === 0) lua.lua_pushnumber(L, r);
    else if (argc === 1) {
      const u = lua.luaL_checkinteger(L, 1);
      if (u < 1) lua.luaL_argerror(L, 1, 'interval is empty');
      lua.lua_pushnumber(L, Math.floor(r * u) + 1);
    } else if (argc === 2) {
      const l = lua.luaL_checkinteger(L, 1);
      const u = lua.luaL_checkinteger(L, 2);
      if (l > u) lua.luaL_argerror(L, 2, 'interval is empty');
      lua.lua_pushnumber(L, Math.floor(r * (u - l + 1)) + l);
    } else lua.luaL_error(L, 'wrong number of arguments');
    return 1;
  });
  setFunction(lua, L, 'randomseed', (L) => {
    rand.seed(lua.luaL_checkinteger(L, 1));
    return 0;
  });
  lua.lua_pop(L, 1);
}

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);

/**
 * LuaBitOp's argument conversion: the number plus 2^52 + 2^51, whose low 32 bits of the double
 * are the integer rounded to nearest (ties to even) modulo 2^32.
 */
function bitArg(lua: LuaApi, L: LuaState, i: number): number {
  const n = lua.lua_tonumber(L, i);
  f64[0] = n + 6755399441055744.0;
  const b = u32[0] | 0;
  if (b === 0 && !lua.lua_isnumber(L, i)) {
    lua.luaL_argerror(L, i, `number expected, got ${String.fromCharCode(...lua.luaL_typename(L, i))}`);
  }
  return b;
}

/** Opens Redis's `bit` library (LuaBitOp 1.0.2): 32-bit operations, results signed. */
export function openBit(lua: LuaApi, L: LuaState): void {
  const ret = (L: LuaState, b: number) => (lua.lua_pushnumber(L, b | 0), 1);
  const fold = (op: (a: number, b: number) => number) => (L: LuaState) => {
    let b = bitArg(lua, L, 1);
    for (let i = lua.lua_gettop(L); i > 1; i--) b = op(b, bitArg(lua, L, i));
    return ret(L, b);
  };
  const shift = (op: (b: number, n: number) => number) => (L: LuaState) => ret(L, op(bitArg(lua, L, 1), bitArg(lua, L, 2) & 31));
  const fns: Record<string, LuaFunction> = {
    tobit: (L) => ret(L, bitArg(lua, L, 1)),
    bnot: (L) => ret(L, ~bitArg(lua, L, 1)),
    band: fold((a, b) => a & b),
    bor: fold((a, b) => a | b),
    bxor: fold((a, b) => a ^ b),
    lshift: shift((b, n) => b << n),
    rshift: shift((b, n) => b >>> n),
    arshift: shift((b, n) => b >> n),
    rol: shift((b, n) => (b << n) | (b >>> (32 - n))),
    ror: shift((b, n) => (b << (32 - n)) | (b >>> n)),
    bswap: (L) => {
      const b = bitArg(lua, L, 1);
      return ret(L, (b >>> 24) | ((b >>> 8) & 0xff00) | ((b & 0xff00) << 8) | (b << 24));
    },
    tohex: (L) => {
      let b = bitArg(lua, L, 1) >>> 0;
      let n = lua.lua_isnone(L, 2) ? 8 : bitArg(lua, L, 2);
      let digits = '0123456789abcdef';
      if (n < 0) {
        n = -n;
        digits = '0123456789ABCDEF';
      }
      if (n > 8) n = 8;
      const out = new Uint8Array(n);
      for (let i = n - 1; i >= 0; i--) {
        out[i] = digits.charCodeAt(b & 15);
        b >>>= 4;
      }
      lua.lua_pushstring(L, out);
      return 1;
    },
  };
  lua.lua_createtable(L, 0, 12);
  for (const [name, fn] of Object.entries(fns)) setFunction(lua, L, name, fn);
  lua.lua_setglobal(L, asciiBytes('bit'));
}

/**
 * Tables whose every function stops the replay: `cmsgpack` and `struct`, which Redis gives
 * scripts and the replay does not implement. `unsupported` is called with the library's name.
 */
export function openUnsupported(lua: LuaApi, L: LuaState, unsupported: (L: LuaState, what: string) => never): void {
  const libs: Record<string, string[]> = { cmsgpack: ['pack', 'unpack', 'unpack_one', 'unpack_limit'], struct: ['pack', 'unpack', 'size'] };
  for (const [lib, names] of Object.entries(libs)) {
    lua.lua_createtable(L, 0, names.length);
    for (const name of names) setFunction(lua, L, name, (L) => unsupported(L, `${lib}.${name}`));
    lua.lua_setglobal(L, asciiBytes(lib));
  }
}

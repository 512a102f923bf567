--- The protocol sandbox: run a protocol script with only safe functions,
-- an instruction budget and a memory cap.
--
-- A protocol script sees a fresh global table for each run holding:
--
-- * the names given in `opts.names` (the DSL, see aza.protocol.dsl);
-- * `assert error ipairs next pairs pcall rawequal rawlen select tonumber
--   tostring type unpack _VERSION _G`, and a text-only `load`;
-- * read-only `string`, `math` and `table` tables, fresh for each run:
--   - `string`: `byte char format len lower rep reverse sub upper`; no
--     pattern functions (`find match gmatch gsub`: a Lua pattern can run
--     without bound inside C, where the count hook cannot stop it), no
--     `dump`, no `pack`/`unpack`; `format` refuses `%p`;
--   - `math`: everything but `random` and `randomseed`;
--   - `table`: `concat insert pack remove sort unpack`, and `move` for
--     ranges of at most 2^20 elements.
--
-- Not there: `io os require package debug collectgarbage dofile loadfile
-- setmetatable getmetatable rawset rawget xpcall print coroutine utf8`, nor
-- 5.1's and LuaJIT's `setfenv getfenv newproxy gcinfo module loadstring jit
-- ffi bit`.
-- Reading any name that is not there raises `'io' is not available in
-- protocols` or `unknown name 'withold'`, at the script's line.
--
-- Deterministic: no clock, no random numbers; `tostring` of a table or a
-- function gives its type without an address; `pairs` visits keys in a
-- fixed order (numbers, then strings, then booleans, each ascending). Only
-- the raw `next` keeps Lua's own order, which may differ between runs.
--
-- While the script runs (C, laza_sandbox.c): a counting allocator refuses
-- growth beyond `memory` bytes, a count hook stops it after `budget`
-- instructions, and the string metatable's `__index` is the sandbox's own
-- `string`, so `("x"):match(p)` fails like `string.match`. Both limits
-- start afresh for each run; once one is hit the run fails, even if the
-- script catches the error with `pcall`.
--
-- Work done inside C functions is charged to the budget too, since the
-- count hook does not see it: every 32 bytes allocated cost one
-- instruction (string.rep, `..`, upper, format, table growth), the string
-- functions that copy (`rep upper lower reverse sub`) charge for their
-- result, and `table.sort concat unpack insert remove`, `string.byte`,
-- `select`, `tonumber` and `load` charge for the size of their input before
-- they run. What one instruction does without allocating (comparing two
-- long strings; on 5.1 and LuaJIT, `a .. a` of a result that exists) is
-- bounded by a processor-time deadline (`CPU_MS`) the hook checks every
-- 100 instructions. The same on Lua 5.1, LuaJIT 2.1, 5.3 and 5.4 (on
-- LuaJIT the JIT is off for the script, see docs/internals/compat.md).
--
-- @module aza.protocol.sandbox
-- @usage
-- local sandbox = require "aza.protocol.sandbox"
-- print(sandbox.run("return 1 + 1", "=demo"))  --> true  2

local core_loaded = nil

local compat = require "aza.compat"

local error, ipairs, math, next, pcall, rawequal, require, select, setmetatable,
  string, table, tonumber, tostring, type =
  error, ipairs, math, next, pcall, rawequal, require, select, setmetatable,
  string, table, tonumber, tostring, type
local rawlen = compat.rawlen

local sfind, sformat, ssub = string.find, string.format, string.sub
local pack, unpack, sort = compat.pack, compat.unpack, table.sort

local M = {}

--- Default instruction budget of one run (allocations count too: one
-- instruction per 32 bytes).
M.BUDGET = 10000000
--- Default memory cap of one run, in bytes.
M.MEMORY = 32 * 1024 * 1024
--- Default processor time of one run, in milliseconds: a deadline the count
-- hook checks, for work inside one instruction that the budget cannot see.
M.CPU_MS = 2000
--- Most elements `table.move` may move in one call.
M.MOVE_MAX = 2 ^ 20
--- Most values `unpack`, `table.unpack` and `select` may take or give in one
-- call (Lua 5.1's C stack holds 8000; the same limit on every interpreter).
M.VALUES_MAX = 7000

-- bytes of copying that cost one instruction (as the C allocator charges)
local BYTES_PER_STEP = 32

-- names a plain Lua script might expect, and why they are missing
local REMOVED = {
  io = true, os = true, require = true, package = true, debug = true, collectgarbage = true,
  dofile = true, loadfile = true, setmetatable = true, getmetatable = true, rawset = true,
  rawget = true, xpcall = true, print = true, coroutine = true, utf8 = true,
  loadstring = true, module = true, warn = true,
  -- 5.1 and LuaJIT
  setfenv = true, getfenv = true, newproxy = true, gcinfo = true, jit = true, bit = true,
  ffi = true,
}

local function core()
  if core_loaded == nil then
    local c = require "aza.core"
    if type(c.sandbox_run) ~= "function" then
      error("aza.core has no sandbox_run: luaopen_aza_core must call azaL_open_sandbox "
        .. "(csrc/binding/laza_sandbox.h)", 3)
    end
    core_loaded = c
  end
  return core_loaded
end

--- Use another C module (for tests); `nil` goes back to `aza.core`.
-- @tparam table|nil c a table with `sandbox_run` and `sandbox_tripped`
function M.set_core(c)
  core_loaded = c
end

-- a key as messages show it: a string (control bytes escaped, cut at 60 bytes), a
-- number, or the type of anything else (never a table's address)
local function key_text(k)
  local t = type(k)
  if t == "string" then
    return (require("aza.util").printable(k, 60))
  elseif t == "number" or t == "boolean" then
    return tostring(k)
  end
  return "(a " .. t .. ")"
end

-- a read-only view of `backing`; missing names raise a clear error
local function readonly(name, backing)
  return setmetatable({}, {
    __index = function(_, k)
      local v = backing[k]
      if v == nil then
        error(name .. "." .. key_text(k) .. " is not available in protocols", 2)
      end
      return v
    end,
    __newindex = function(_, k)
      error(name .. " is read-only in protocols (cannot assign " .. name .. "."
        .. key_text(k) .. ")", 2)
    end,
    __metatable = false,
  })
end

local function safe_tostring(v)
  local t = type(v)
  if t == "table" or t == "function" or t == "thread" or t == "userdata" then
    return t
  end
  return tostring(v)
end

-- deterministic key order: numbers, strings, booleans (ascending), others
local RANK = { number = 1, string = 2, boolean = 3 }
local function key_less(a, b)
  local ra, rb = RANK[type(a)] or 4, RANK[type(b)] or 4
  if ra ~= rb then
    return ra < rb
  elseif ra == 1 or ra == 2 then
    return a < b
  elseif ra == 3 then
    return (not a) and b
  end
  return false
end

local function sorted_pairs(t)
  if type(t) ~= "table" then
    error("bad argument #1 to 'pairs' (table expected, got " .. type(t) .. ")", 2)
  end
  local keys = {}
  for k in next, t do
    keys[#keys + 1] = k
  end
  sort(keys, key_less)
  local i = 0
  return function()
    i = i + 1
    local k = keys[i]
    if k ~= nil then
      return k, t[k]
    end
  end, t, nil
end

local function safe_format(fmt, ...)
  if type(fmt) == "string" then
    local i = 1
    while true do
      local p = sfind(fmt, "%", i, true)
      if not p then
        break
      end
      if ssub(fmt, p + 1, p + 1) == "%" then
        i = p + 2
      else
        local c = sfind(fmt, "[^-+ #0-9.]", p + 1)
        if c and ssub(fmt, c, c) == "p" then
          error("string.format: '%p' is not available in protocols", 2)
        end
        -- every interpreter has its own limit and message for "%99999d": one rule here
        if sfind(ssub(fmt, p + 1, (c or #fmt + 1) - 1), "%d%d%d") then
          error("string.format: a width or precision of more than two digits is not "
            .. "available in protocols", 2)
        end
        i = (c or #fmt) + 1
      end
    end
  end
  local args = pack(...)
  for j = 1, args.n do
    local t = type(args[j])
    if t == "table" or t == "function" or t == "thread" or t == "userdata" then
      args[j] = t
    end
  end
  return sformat(fmt, unpack(args, 1, args.n))
end


local function safe_move(a1, f, e, t, a2)
  if type(f) == "number" and type(e) == "number" and e >= f and e - f >= M.MOVE_MAX then
    error("table.move: at most " .. sformat("%d", M.MOVE_MAX) .. " elements in protocols", 2)
  end
  return compat.move(a1, f, e, t, a2)
end

-- Wrappers that charge the instruction budget (charge(n)) before library
-- functions whose C work grows with their input without allocating in
-- proportion (allocations are charged by the C allocator itself).
local function charged(charge, where)
  local log = compat.log
  local function len(t)
    return type(t) == "table" and #t or 0
  end
  local function span(t, i, j)
    local a = i == nil and 1 or tonumber(i)
    local b = j == nil and len(t) or tonumber(j)
    if a and b and b >= a then
      charge(b - a + 1)
    end
  end
  local W = {}
  -- string.rep("", 2^50) would loop 2^50 times inside C: answer it here.
  -- A result larger than the memory cap is refused before it is made; the
  -- copying is charged once it is done (5.1 and LuaJIT intern strings: a
  -- result that exists already allocates nothing for the allocator to charge).
  function W.rep(s, n, sep)
    if s == "" and (sep == nil or sep == "") then
      return ""
    end
    if type(s) == "string" and type(n) == "number" and n > 0 then
      -- a result larger than the cap is refused before Lua tries to make it
      charge(0, (#s + (type(sep) == "string" and #sep or 0)) * n)
    end
    local r = compat.rep(s, n, sep)
    charge(#r / BYTES_PER_STEP)
    return r
  end
  local function copying(f)
    return function(s, ...)
      local r = f(s, ...)
      if type(r) == "string" then
        charge(#r / BYTES_PER_STEP)
      end
      return r
    end
  end
  W.upper, W.lower, W.reverse, W.sub = copying(string.upper), copying(string.lower),
    copying(string.reverse), copying(string.sub)
  local function values(n, what)
    if n > M.VALUES_MAX then
      -- the caller's frame may be gone (`return table.unpack(t)` is a tail call): the
      -- position is the script line the hook saw last
      error((where() or "") .. " " .. what .. ": at most " .. sformat("%d", M.VALUES_MAX)
        .. " values in protocols", 0)
    end
    charge(n)
  end
  function W.sort(t, comp)
    local n = len(t)
    if n > 1 then
      charge(n * (log(n, 2) + 1))
    end
    table.sort(t, comp)
  end
  function W.concat(t, sep, i, j)
    span(t, i, j)
    return (table.concat(t, sep, i, j))
  end
  function W.unpack(t, i, j)
    local a = i == nil and 1 or tonumber(i)
    local b = j == nil and len(t) or tonumber(j)
    if a and b and b >= a then
      values(b - a + 1, "table.unpack")
    end
    return unpack(t, i, j)
  end
  function W.insert(t, ...)
    charge(len(t))
    table.insert(t, ...)
  end
  function W.remove(t, ...)
    charge(len(t))
    return (table.remove(t, ...))
  end
  function W.byte(s, i, j)
    if type(s) == "string" and j ~= nil then
      charge(#s)
    end
    return string.byte(s, i, j)
  end
  function W.tonumber(v, base)
    if type(v) == "string" then
      charge(#v)
    end
    return compat.tonumber(v, base)
  end
  function W.select(n, ...)
    values(select("#", ...), "select")
    return select(n, ...)
  end
  return W
end

local function copy_except(src, skip)
  local t = {}
  for k, v in next, src do
    if not skip[k] then
      t[k] = v
    end
  end
  return t
end

--- Build a fresh global table for one run.
-- @tparam[opt] table opts `names` (extra globals, the DSL), `suggest`,
--   `tripped` and `charge` (the C functions; default: from `aza.core`)
-- @treturn table the environment
-- @treturn table the read-only `string` table (for the string metatable)
function M.env(opts)
  opts = opts or {}
  local tripped = opts.tripped or function()
    return core().sandbox_tripped()
  end
  local charge = opts.charge or function(n, bytes)
    return core().sandbox_charge(n, bytes)
  end
  local where = opts.where or function()
    return core().sandbox_where()
  end
  local W = charged(charge, where)
  local env = {}

  local str = readonly("string", {
    byte = W.byte, char = string.char, format = safe_format, len = string.len,
    lower = W.lower, rep = W.rep, reverse = W.reverse, sub = W.sub, upper = W.upper,
  })
  local mth = readonly("math", copy_except(math, { random = true, randomseed = true }))
  local tbl = readonly("table", {
    concat = W.concat, insert = W.insert, move = safe_move, pack = compat.pack,
    remove = W.remove, sort = W.sort, unpack = W.unpack,
  })

  local function after_pcall(ok, ...)
    if tripped() ~= 0 then
      -- a limit was hit: the script may not catch it and go on
      if ok then
        error("sandbox limit exceeded", 0)
      end
      error((...), 0)
    end
    return ok, ...
  end

  local names = {
    assert = assert, error = error, ipairs = ipairs, next = next, pairs = sorted_pairs,
    pcall = function(f, ...)
      return after_pcall(pcall(f, ...))
    end,
    rawequal = rawequal, rawlen = rawlen, select = W.select, tonumber = W.tonumber,
    tostring = safe_tostring, type = type, unpack = W.unpack, _VERSION = _VERSION,
    string = str, math = mth, table = tbl,
    load = function(chunk, chunkname, mode, e)
      if mode ~= nil and mode ~= "t" then
        error("load: only text chunks (mode \"t\") are allowed in protocols", 2)
      end
      if e ~= nil then
        error("load: the env argument is not available in protocols", 2)
      end
      local tc = type(chunk)
      if tc ~= "string" and tc ~= "function" then
        error("bad argument #1 to 'load' (string expected, got " .. tc .. ")", 2)
      end
      if tc == "string" then
        charge(#chunk) -- compiling scans the text, even where it allocates little
      end
      return compat.load(chunk, chunkname or "=(load)", env)
    end,
  }
  for k, v in next, names do
    env[k] = v
  end
  for k, v in next, opts.names or {} do
    env[k] = v
  end
  env._G = env
  setmetatable(env, {
    __index = function(_, k)
      if REMOVED[k] then
        error("'" .. key_text(k) .. "' is not available in protocols", 2)
      end
      local hint = opts.suggest and opts.suggest(k)
      error("unknown name '" .. key_text(k) .. "'" .. (hint and ("; did you mean '" .. hint
        .. "'?") or ""), 2)
    end,
    __metatable = false,
  })
  return env, str
end

--- Run a script in the sandbox.
-- @tparam string source the script text (binary chunks are refused)
-- @tparam string chunkname `"@file"`, so that messages read `file:line: ...`
-- @tparam[opt] table opts `names` (extra globals), `budget` (instructions,
--   default `BUDGET`), `memory` (bytes, default `MEMORY`), `cpu_ms`
--   (processor time in milliseconds, default `CPU_MS`), `suggest`
--   (function(name) -> a name to suggest for an unknown one, or nil)
-- @return true and the script's results
-- @return[2] nil
-- @treturn[2] string message, `file:line: ...` where the line is known
-- @treturn[2] string code: `E_SYNTAX` (Lua syntax), `E_SCRIPT` (an error
--   while running, including a forbidden name), `E_LIMIT` (budget or memory)
function M.run(source, chunkname, opts)
  opts = opts or {}
  local c = core()
  local env, str = M.env {
    names = opts.names, suggest = opts.suggest, tripped = c.sandbox_tripped,
    charge = c.sandbox_charge, where = c.sandbox_where,
  }
  return c.sandbox_run(source, chunkname, env, opts.budget or M.BUDGET,
    opts.memory or M.MEMORY, str, opts.cpu_ms or M.CPU_MS)
end

--- Is a name one the sandbox removes on purpose?
-- @tparam string name
-- @treturn boolean
function M.removed(name)
  return REMOVED[name] == true
end

return M

--- The one place where aza's Lua code meets the differences between Lua 5.1,
-- LuaJIT 2.1, 5.3 and 5.4.
--
-- Everything else in aza is written in the subset the four share (no `//`,
-- bit operators, `goto`, `<const>`, `<close>`, hex (\x) and Unicode (\u) escapes, `utf8`)
-- and asks this module for what they spell differently. Functions here give
-- the same answer on every interpreter, so that results are byte-identical.
-- `docs/internals/compat.md` lists each difference and why it is handled so.
--
-- @module aza.compat
-- @usage
-- local compat = require "aza.compat"
-- print(compat.interpreter)          --> "lua5.4", "lua5.3", "lua5.1" or "luajit"
-- print(compat.idiv(7, 2))           --> 3

local io, load, math, package, pcall, require, select, string, table, tonumber, type =
  io, load, math, package, pcall, require, select, string, table, tonumber, type
local setfenv, loadstring = rawget(_G, "setfenv"), rawget(_G, "loadstring")

local M = {}

local has_jit, jit = pcall(require, "jit")
if not has_jit or type(jit) ~= "table" or type(jit.off) ~= "function" then
  jit = nil
end

--- The running interpreter: `"luajit"`, or `"lua"` and its version
-- (`"lua5.1"`, `"lua5.3"`, `"lua5.4"`). Also the name of its build folder
-- (`build-luajit/`; 5.4's is `build/`) and of the interpreter command.
M.interpreter = jit and "luajit" or ("lua" .. string.match(_VERSION, "%d+%.%d+"))

--- The running interpreter as it names itself: `"Lua 5.4"`, `"LuaJIT 2.1.0-beta3"`.
M.version = jit and jit.version or _VERSION

--- True on Lua 5.1 and LuaJIT, whose functions have environments (setfenv).
M.fenv = setfenv ~= nil

--- `table.unpack` (5.2+) or `unpack` (5.1).
M.unpack = table.unpack or rawget(_G, "unpack")

--- `table.pack`: the arguments in a list with their count in `n`.
-- @return table
function M.pack(...)
  return { n = select("#", ...), ... }
end

--- `table.move(a1, f, e, t [,a2])`: copy `a1[f..e]` to `a2[t..]`.
-- @treturn table a2
M.move = table.move or function(a1, f, e, t, a2)
  a2 = a2 or a1
  if e >= f then
    if t > e or t <= f or a1 ~= a2 then
      for i = 0, e - f do
        a2[t + i] = a1[f + i]
      end
    else
      for i = e - f, 0, -1 do
        a2[t + i] = a1[f + i]
      end
    end
  end
  return a2
end

--- Floor division of two numbers (`a // b` from 5.3 on); exact for integral
-- operands below 2^53.
-- @tparam number a
-- @tparam number b
-- @treturn number
function M.idiv(a, b)
  return math.floor(a / b)
end

--- Is `v` a number with an integral value (`math.type(v) == "integer"` is
-- 5.3+ and tells apart `1` and `1.0`, which 5.1 cannot)?
-- @param v
-- @treturn boolean
function M.is_integral(v)
  return type(v) == "number" and v == math.floor(v) and v > -math.huge and v < math.huge
end

--- `rawlen`: the length of a table or string without `__len`.
-- @tparam table|string v
-- @treturn integer
M.rawlen = rawget(_G, "rawlen") or function(v)
  return #v
end

--- `tonumber` that reads `.` as the decimal point whatever `LC_NUMERIC` says (PUC
-- Lua 5.1 reads numbers with the C library's locale-bound `strtod`; 5.3+ retry with
-- the locale's point, LuaJIT never uses the locale). Text holding the locale's own
-- decimal point (`2,5` under de_DE) is not a number, on every interpreter.
-- @param v
-- @tparam[opt] integer base
-- @treturn number|nil
function M.tonumber(v, base)
  if base ~= nil or type(v) ~= "string" then
    return tonumber(v, base)
  end
  local point = string.sub(string.format("%.1f", 0.5), 2, -2)
  if point == "." then
    return tonumber(v)
  end
  if string.find(v, point, 1, true) then
    return nil
  end
  return tonumber(v) or tonumber((string.gsub(v, "%.", point, 1)))
end

--- `string.rep(s, n [, sep])` (5.1 has no separator).
-- @tparam string s
-- @tparam integer n
-- @tparam[opt] string sep
-- @treturn string
M.rep = string.rep("a", 2, ",") == "a,a" and string.rep or function(s, n, sep)
  if sep == nil or sep == "" or n <= 1 then
    return string.rep(s, n)
  end
  return string.rep(s .. sep, n - 1) .. s
end

--- `math.log(x, base)` (5.1 has no base).
-- @tparam number x
-- @tparam[opt] number base
-- @treturn number
function M.log(x, base)
  if base == nil then
    return math.log(x)
  elseif base == 2 or base == 10 then
    return base == 10 and math.log10(x) or math.log(x) / math.log(2)
  end
  return math.log(x) / math.log(base)
end

-- the message every interpreter gives for a binary chunk refused by a text-only load
-- (5.1 has no `mode` argument: aza checks the first byte); the C side has the same text
local BINARY_REFUSED = "attempt to load a binary chunk (mode is 't')"

local ESC = 27 -- first byte of every Lua and LuaJIT bytecode dump

-- a reader that refuses a binary chunk, for 5.1's load(function)
local function text_reader(read, flag)
  local first = true
  return function()
    local piece = read()
    if first and type(piece) == "string" and piece ~= "" then
      first = false
      if string.byte(piece, 1) == ESC then
        flag.binary = true
        return nil
      end
    end
    return piece
  end
end

--- Load a text chunk with `env` as its global table: `load(chunk, name,
-- "t", env)` on every interpreter. A binary chunk is refused with
-- `BINARY_REFUSED`; on LuaJIT the JIT is off for the chunk and every function
-- it defines (compiled traces do not run the sandbox's count hook).
-- @tparam string|function chunk the text, or a reader function
-- @tparam string chunkname
-- @tparam table env
-- @treturn function|nil the chunk
-- @treturn[2] string message
function M.load(chunk, chunkname, env)
  local f, msg
  if type(chunk) == "string" and string.byte(chunk, 1) == ESC then
    return nil, BINARY_REFUSED
  end
  if M.fenv then
    local flag = {}
    if type(chunk) == "string" then
      f, msg = loadstring(chunk, chunkname)
    else
      f, msg = load(text_reader(chunk, flag), chunkname)
    end
    if flag.binary then
      return nil, BINARY_REFUSED
    end
    if f then
      setfenv(f, env)
    end
  else
    f, msg = load(chunk, chunkname, "t", env)
  end
  if f and jit then
    jit.off(f, true)
  end
  return f, msg
end

--- `package.searchpath(name, path)` (5.2+, and LuaJIT): the first file of
-- the `;`-separated templates that can be opened, or nil and the names tried.
-- @tparam string name a module name (`a.b`)
-- @tparam string path
-- @treturn string|nil
-- @treturn[2] string the files tried, one `\n\tno file '...'` each
M.searchpath = package.searchpath or function(name, path)
  local file = string.gsub(name, "%.", "/")
  local tried = {}
  for template in string.gmatch(path, "[^;]+") do
    local candidate = string.gsub(template, "%?", file)
    local f = io.open(candidate, "r")
    if f then
      f:close()
      return candidate
    end
    tried[#tried + 1] = "\n\tno file '" .. candidate .. "'"
  end
  return nil, table.concat(tried)
end

-- {=== UTF-8 (the utf8 library is 5.3+) ===

-- length in bytes of the sequence that starts with byte c, or nil
local function seq_len(c)
  if c < 0x80 then
    return 1
  elseif c >= 0xC2 and c <= 0xDF then
    return 2
  elseif c >= 0xE0 and c <= 0xEF then
    return 3
  elseif c >= 0xF0 and c <= 0xF4 then
    return 4
  end
  return nil
end

-- the byte after a well-formed sequence at i, or nil
local function next_char(s, i)
  local c = string.byte(s, i)
  local n = seq_len(c)
  if n == nil then
    return nil
  end
  local cp = n == 1 and c or (n == 2 and c - 0xC0) or (n == 3 and c - 0xE0) or (c - 0xF0)
  for k = 1, n - 1 do
    local b = string.byte(s, i + k)
    if b == nil or b < 0x80 or b > 0xBF then
      return nil
    end
    cp = cp * 64 + (b - 0x80)
  end
  if (n == 3 and (cp < 0x800 or (cp >= 0xD800 and cp <= 0xDFFF)))
    or (n == 4 and (cp < 0x10000 or cp > 0x10FFFF)) then
    return nil
  end
  return i + n
end

--- Number of characters of a UTF-8 string (`utf8.len`), or nil and the
-- position of the first invalid byte.
-- @tparam string s
-- @treturn integer|nil
-- @treturn[2] integer position
function M.utf8_len(s)
  local i, n = 1, 0
  local len = #s
  while i <= len do
    local j = next_char(s, i)
    if j == nil then
      return nil, i
    end
    i, n = j, n + 1
  end
  return n
end

--- Byte position where the `n`-th character starts (`utf8.offset(s, n)`
-- for n >= 1), or nil when `s` is shorter or not valid UTF-8.
-- @tparam string s
-- @tparam integer n
-- @treturn integer|nil
function M.utf8_offset(s, n)
  local i = 1
  for _ = 2, n do
    if i > #s then
      return nil
    end
    i = next_char(s, i)
    if i == nil then
      return nil
    end
  end
  if i > #s + 1 then
    return nil
  end
  return i
end

-- }===

--- The UTF-8 text of a code point (`utf8.char(cp)` for one code point).
-- @tparam integer cp 0 to 0x10FFFF
-- @treturn string
function M.utf8_char(cp)
  if cp < 0x80 then
    return string.char(cp)
  elseif cp < 0x800 then
    return string.char(0xC0 + math.floor(cp / 64), 0x80 + cp % 64)
  elseif cp < 0x10000 then
    return string.char(0xE0 + math.floor(cp / 4096), 0x80 + math.floor(cp / 64) % 64,
      0x80 + cp % 64)
  end
  return string.char(0xF0 + math.floor(cp / 262144), 0x80 + math.floor(cp / 4096) % 64,
    0x80 + math.floor(cp / 64) % 64, 0x80 + cp % 64)
end

--- A string as a Lua literal, the same on every interpreter (`%q` writes
-- newlines and control bytes differently in 5.1 and 5.4): `"`, `\` and
-- control bytes escaped, `\n` for a newline, `\ddd` for the rest.
-- @tparam string s
-- @treturn string
function M.quote(s)
  return '"' .. string.gsub(s, '[%c"\\]', function(c)
    if c == "\n" then
      return "\\n"
    elseif c == '"' or c == "\\" then
      return "\\" .. c
    end
    return string.format("\\%03d", string.byte(c))
  end) .. '"'
end


return M

--- `aza units`: convert values and check unit spellings.
--
--     aza units convert VALUE FROM TO [--substance NAME]
--         prints the converted number alone: the shortest text that reads
--         back as the same double ("70", "0.1", "0.45359237")
--     aza units check UNIT
--         prints UCUM<TAB>DIMENSION, plus <TAB>(from alias SPELLING) when a
--         lab spelling was mapped:
--           mg/kg/d   mass/(mass.time)
--           10*9/L    1/volume    (from alias x10^9/L)
--     aza units list
--         prints CODE<TAB>NAME<TAB>PROPERTY for every atom of the unit table
--
-- VALUE is a decimal number with '.' as the separator (an exponent such as
-- 1e-3 is allowed). Bad input (unknown unit, mismatched dimensions, a bad
-- number, missing arguments) prints "aza units: MESSAGE (E_CODE)" on stderr
-- and exits with status 2.
--
-- @module aza.cli.units

local units = require "aza.units"

local ipairs, tonumber = ipairs, require("aza.compat").tonumber

local M = {}

--- One line for `aza help`.
M.summary = "convert a value between units, check a unit (aza units help)"

--- Usage text.
M.usage = [[
usage: aza units convert VALUE FROM TO [--substance NAME]
       aza units check UNIT
       aza units list
]]

--- Shortest decimal text of `x` that reads back as `x` (`%.17g` at most).
-- @tparam number x
-- @treturn string
function M.format_number(x)
  return require("aza.util").number(x)
end

--- A decimal number from text: '.' only, optional sign and exponent; no hex,
-- no "inf"/"nan", finite.
-- @tparam string s
-- @treturn number|nil
function M.parse_number(s)
  local body = s:match("^(.-)[eE][+-]?%d+$") or s
  if not (body:match("^[+-]?%d+%.?%d*$") or body:match("^[+-]?%.%d+$")) then
    return nil
  end
  local x = tonumber(s)
  if x == nil or x ~= x or x == math.huge or x == -math.huge then
    return nil
  end
  return x
end

local function fail(msg, code)
  if code then
    return nil, ("%s (%s)"):format(msg, code)
  end
  return nil, msg
end

local function convert(args, env)
  local positional, substance = {}, nil
  local i = 1
  while i <= #args do
    local a = args[i]
    if a == "--substance" then
      substance = args[i + 1]
      if substance == nil then
        return fail("--substance needs a NAME")
      end
      i = i + 1
    elseif a:match("^%-%-substance=") then
      substance = a:match("^%-%-substance=(.*)$")
    elseif a:match("^%-%-") then
      return fail("unknown option '" .. a .. "'\n" .. M.usage)
    else
      positional[#positional + 1] = a
    end
    i = i + 1
  end
  if #positional ~= 3 then
    return fail("convert needs VALUE FROM TO\n" .. M.usage)
  end
  local value = M.parse_number(positional[1])
  if value == nil then
    return fail(("bad number '%s': use digits with '.' as the decimal point")
      :format(positional[1]), "E_VALUE")
  end
  local out, msg, code = units.convert(value, positional[2], positional[3], substance)
  if out == nil then
    return fail(msg, code)
  end
  env.stdout:write(M.format_number(out), "\n")
  return 0
end

local function check(args, env)
  if #args ~= 1 then
    return fail("check needs one UNIT\n" .. M.usage)
  end
  local ucum, dim, aliased = units.check(args[1])
  if ucum == nil then
    return fail(dim, aliased)
  end
  if aliased then
    env.stdout:write(ucum, "\t", dim, "\t(from alias ", args[1], ")\n")
  else
    env.stdout:write(ucum, "\t", dim, "\n")
  end
  return 0
end

local function list(args, env)
  if #args ~= 0 then
    return fail("list takes no arguments\n" .. M.usage)
  end
  for _, a in ipairs(units.atoms()) do
    env.stdout:write(a.code, "\t", a.name, "\t", a.property, "\n")
  end
  return 0
end

local actions = { convert = convert, check = check, list = list }

--- Run `aza units ARGS...` (see `aza.cli` for the contract).
-- @tparam {string,...} args
-- @tparam table env `{stdout = file, stderr = file}`
-- @treturn integer|nil exit code
-- @treturn[2] string message for stderr (exit 2)
function M.run(args, env)
  local action = args[1]
  if action == "help" or action == "-h" or action == "--help" then
    env.stdout:write(M.usage)
    return 0
  end
  local fn = actions[action]
  if fn == nil then
    if action == nil then
      return fail("missing action\n" .. M.usage)
    end
    return fail(("unknown action '%s'\n%s"):format(action, M.usage))
  end
  return fn(require("aza.compat").move(args, 2, #args, 1, {}), env)
end

return M

--- UCUM units: parsing, checking, conversion, and the unit table.
--
-- Units are case-sensitive UCUM (`mg/kg/d`, `10*9/L`, `[lb_av]`, `Cel`).
-- Common lab spellings from an explicit alias table (`x10^9/L`, `mcg`,
-- `IU/L`, ...) are accepted and reported in their UCUM form. The unit
-- table lives once, in C; `atoms()`, `prefixes()` and `aliases()` read it.
--
-- Every fallible function returns `nil, message, code` on failure, where
-- `code` is a stable name such as `"E_UNIT"`, `"E_SYNTAX"` or `"E_DIM"`
-- (see `status_names()`).
--
-- @module aza.units
-- @usage
-- local units = require "aza.units"
-- print(units.convert(1, "[lb_av]", "kg"))                 --> 0.45359237
-- print(units.convert(1, "mg/dL", "umol/L", "creatinine")) --> 88.40...
-- print(units.check("x10^9/L"))                            --> 10*9/L  1/volume  true

local core = require "aza.core"

local M = {}

--- Parse a unit.
-- @tparam string unit a UCUM expression or an accepted alias
-- @treturn table `{ucum, canonical, dimension, factor, aliased, special,
--   arbitrary, annotations}`: `ucum` is the UCUM form; `canonical` is
--   `"FACTOR BASE-UNITS"` (a quantity text equal to one `unit`, such as
--   `"1.1574074074074074e-11 g/(g.s)"` for `mg/kg/d`; mass/mass pairs are
--   kept, annotations left out); for special units (`Cel`) only the base
--   units, and `factor` is nil; `dimension` is the dimension text
--   (`"mass/(mass.time)"`); `annotations` lists the `{...}` texts
-- @return[2] nil
-- @treturn[2] string message, such as `"unknown unit 'kgs' at 1"`
-- @treturn[2] string code
-- @usage local info = units.parse("mg/kg/d")  --> info.dimension == "mass/(mass.time)"
function M.parse(unit)
  return core.units_parse(unit)
end

--- Convert a number between units.
-- @tparam number value
-- @tparam string from unit
-- @tparam string to unit
-- @tparam[opt] string substance a named substance (`"creatinine"`,
--   `"bilirubin"`) that allows amount <-> mass conversion
-- @treturn number the value in `to`
-- @return[2] nil
-- @treturn[2] string message
-- @treturn[2] string code (`"E_DIM"`, `"E_SUBSTANCE"`, `"E_ARBITRARY"`, ...)
-- @usage units.convert(100.4, "[degF]", "Cel")  --> 38
function M.convert(value, from, to, substance)
  return core.units_convert(value, from, to, substance)
end

--- A converter between two units, parsed and checked once: for converting many values.
-- @tparam string from unit
-- @tparam string to unit
-- @tparam[opt] string substance as for `convert`
-- @treturn function `f(value)` giving the value in `to` (or `nil, message, code`, as
--   `convert` does, for a value that is not finite)
-- @return[2] nil
-- @treturn[2] string message: the error `convert` would give for these units
-- @treturn[2] string code
-- @usage local to_kg = units.converter("[lb_av]", "kg"); print(to_kg(176))  --> 79.83225712
function M.converter(from, to, substance)
  return core.units_converter(from, to, substance)
end

--- Check a unit and describe it briefly.
-- @tparam string unit
-- @treturn string the UCUM form
-- @treturn string the dimension text
-- @treturn boolean whether an alias was mapped
-- @return[2] nil
-- @treturn[2] string message
-- @treturn[2] string code
-- @usage local ucum, dim, aliased = units.check("x10^9/L")
function M.check(unit)
  local info, msg, code = core.units_parse(unit)
  if not info then
    return nil, msg, code
  end
  return info.ucum, info.dimension, info.aliased
end

--- Whether a value in `from` can be converted to `to` (without a substance).
-- @tparam string from
-- @tparam string to
-- @treturn boolean
function M.compatible(from, to)
  return core.units_convert(1, from, to) ~= nil
end

--- The atoms of the unit table.
-- @treturn {table,...} list of `{code, name, property, metric, special,
--   arbitrary, base, definition, definition_value}`
function M.atoms()
  return core.units()
end

--- The metric prefixes.
-- @treturn {table,...} list of `{code, name, value}`
function M.prefixes()
  return core.prefixes()
end

--- The alias table: lab spellings accepted and mapped to UCUM.
-- @treturn {table,...} list of `{spelling, ucum}`
function M.aliases()
  return core.aliases()
end

--- Status names in code order (`[1] = "OK"`, `[2] = "E_SYNTAX"`, ...).
-- @treturn {string,...}
function M.status_names()
  return core.status_names()
end

return M

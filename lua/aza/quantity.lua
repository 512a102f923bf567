--- Quantities: a value with a UCUM unit, checked by the C core.
--
-- A quantity is an immutable `aza.Quantity` userdata. Operators:
--
-- * `+` `-` need the same dimension; the result is in the left operand's
--   unit. `*` `/` combine units (`2.5 mg/kg/d * 70 kg` is `175 mg/d`); a
--   plain number is accepted only by `*` and `/`, as a dimensionless factor.
-- * `-q`, and `q ^ n` with an integer `n`.
-- * `==` is exact (same dimension, equal canonical values). Lua calls `__eq`
--   only when both sides are quantities, so `q == 5` is always `false`:
--   compare with `q:approx(other, rtol)` or `q:value_in("mg")` instead.
-- * `<` `<=` raise on different dimensions.
-- * `tostring(q)` gives `"70 kg"`.
--
-- Operator failures raise `"aza: <message> (E_CODE)"`, for example
-- `aza: cannot add mg to mg/kg/d: mass vs mass/(mass.time) (E_DIM)`.
-- Named operations (`new`, `q:to`, `q:value_in`) return `nil, message, code`.
--
-- Methods: `q:to(unit)` and `q:value_in(unit)` (a unit text or another
-- quantity, whose unit is used; `nil, message, code` on failure),
-- `q:value()`, `q:unit()` (UCUM text), `q:dimension()` (`"mass/time"`),
-- `q:approx(other [, rtol])` (default `rtol` 1e-9; `false` when the
-- dimensions differ), `q:is_dimensionless()` (no base dimension, no
-- arbitrary unit, no mass/mass pair: `%` and `{tbl}` are, `mg/kg` is not).
--
-- The module table is callable: `quantity(...)` is `quantity.new(...)`.
--
-- @module aza.quantity
-- @usage
-- local quantity = require "aza.quantity"
-- local dose = quantity.new(2.5, "mg/kg/d") * quantity.new("70 kg")
-- print(dose, dose:value_in("mg/d"))              --> 175 mg/d   175
-- local q, msg, code = quantity.new("70 kgs")     --> nil, "unknown unit ...", "E_UNIT"

local core = require "aza.core"

local error, setmetatable, type = error, setmetatable, type

local M = {}

--- Make a quantity.
-- @tparam string|number value a quantity text (`"70 kg"`, `"-3 Cel"`), or a
--   number with `unit` (an existing Quantity is returned as it is)
-- @tparam[opt] string unit a UCUM unit (or an accepted lab alias) when
--   `value` is a number; `"1"` for a dimensionless number
-- @treturn aza.Quantity the quantity
-- @return[2] nil
-- @treturn[2] string message
-- @treturn[2] string code (`"E_UNIT"`, `"E_SYNTAX"`, `"E_VALUE"`, ...)
-- @raise when `value` is neither a string, a number nor a Quantity
-- @usage local w = quantity.new(70, "kg")
function M.new(value, unit)
  return core.quantity(value, unit)
end

--- Whether a value is an `aza.Quantity`.
-- @param x any value
-- @treturn boolean
function M.is_quantity(x)
  return core.is_quantity(x)
end

--- Coerce input data to a quantity: a Quantity, a quantity text, or a
-- table `{value = 70, unit = "kg"}` (the patient JSON form).
-- @param x the value
-- @treturn aza.Quantity the quantity
-- @return[2] nil
-- @treturn[2] string message
-- @treturn[2] string code (`"E_ARG"` for an unusable type)
-- @usage local w = assert(quantity.coerce({ value = 70, unit = "kg" }))
function M.coerce(x)
  local t = type(x)
  if t == "string" or core.is_quantity(x) then
    return core.quantity(x)
  elseif t == "table" then
    if type(x.value) ~= "number" or type(x.unit) ~= "string" then
      return nil, "quantity table needs a number 'value' and a string 'unit'", "E_ARG"
    end
    return core.quantity(x.value, x.unit)
  end
  return nil, "quantity expected, got " .. t, "E_ARG"
end

--- Approximate equality of two quantities (see `q:approx`).
-- @tparam aza.Quantity a
-- @tparam aza.Quantity|string b
-- @tparam[opt=1e-9] number rtol relative tolerance
-- @treturn boolean false as well when the dimensions differ
function M.approx(a, b, rtol)
  return a:approx(b, rtol)
end

--- Sum of a list of quantities of one dimension, in the first one's unit.
-- @tparam {aza.Quantity,...} list a non-empty list
-- @treturn aza.Quantity the sum
-- @raise on an empty list, or (from `+`) on mixed dimensions
function M.sum(list)
  local total = list[1]
  if total == nil then
    error("sum of an empty list", 2)
  end
  for i = 2, #list do
    total = total + list[i]
  end
  return total
end

--- The quantity as a plain table `{value = 70, unit = "kg"}` (for JSON).
-- @tparam aza.Quantity q
-- @treturn table
function M.to_table(q)
  return { value = q:value(), unit = q:unit() }
end

return setmetatable(M, {
  __call = function(_, ...)
    return M.new(...)
  end,
})

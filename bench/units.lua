--- Benchmark: unit conversions per second from Lua (lb -> kg, mg/kg/d -> ug/kg/h, 10*3/uL ->
-- 10*9/L, U/L -> U/mL, wk -> d): with the unit texts on every call (`aza.units.convert`) and
-- with the units parsed once (`aza.units.converter`). Run by `make bench` through
-- bench/run.lua, or alone:
--
--     lua5.4 bench/units.lua [seconds, default 1]

package.path = "./lua/?.lua;./lua/?/init.lua;" .. package.path
package.cpath = (os.getenv("AZA_CPATH") or "./build/?.so") .. ";" .. package.cpath

local units = require "aza.units"

-- bench/run.lua loads this file as a library: arg[1] is then not ours
local ARGS = { ... }
local BENCH_LIBRARY = ARGS[1] == "library"
local SECONDS = tonumber(BENCH_LIBRARY and ARGS[2] or arg and arg[1]) or 1
local CONVERSIONS = {
  { 176, "[lb_av]", "kg" }, { 2.5, "mg/kg/d", "ug/kg/h" }, { 3200, "10*3/uL", "10*9/L" },
  { 40, "U/L", "U/mL" }, { 8, "wk", "d" },
}
local N = #CONVERSIONS
local convert = units.convert
local converters = {}
for i, c in ipairs(CONVERSIONS) do
  assert(units.convert(c[1], c[2], c[3]), c[2] .. " -> " .. c[3])
  converters[i] = assert(units.converter(c[2], c[3]))
end

local function rate(step)
  local n, t0 = 0, os.clock()
  while os.clock() - t0 < SECONDS do
    for i = 1, 1000 do
      step(i % N + 1)
    end
    n = n + 1000
  end
  return n / (os.clock() - t0)
end

--- The figures: conversions per second with unit strings and with parsed units.
-- @treturn table `{string, parsed}`
local function measure()
  return {
    string = rate(function(i)
      local c = CONVERSIONS[i]
      return convert(c[1], c[2], c[3])
    end),
    parsed = rate(function(i)
      return converters[i](CONVERSIONS[i][1])
    end),
  }
end

if not BENCH_LIBRARY then
  local r = measure()
  print(("units: %.0f conversions/s from Lua with unit texts on every call"):format(r.string))
  print(("units: %.0f conversions/s from Lua with the units parsed once"):format(r.parsed))
end

return measure

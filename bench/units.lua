--- Benchmark: unit conversions per second from Lua, unit strings on every call (the
-- conversions of issue "one evaluation path": lb -> kg, mg/kg/d -> ug/kg/h, 10*3/uL ->
-- 10*9/L, U/L -> U/mL, wk -> d). Run by `make bench` (not by `make test`):
--
--     lua5.4 bench/units.lua [seconds, default 1]

package.path = "./lua/?.lua;./lua/?/init.lua;" .. package.path
package.cpath = (os.getenv("AZA_CPATH") or "./build/?.so") .. ";" .. package.cpath

local units = require "aza.units"

local SECONDS = tonumber(arg and arg[1]) or 1
local CONVERSIONS = {
  { 176, "[lb_av]", "kg" }, { 2.5, "mg/kg/d", "ug/kg/h" }, { 3200, "10*3/uL", "10*9/L" },
  { 40, "U/L", "U/mL" }, { 8, "wk", "d" },
}
for _, c in ipairs(CONVERSIONS) do
  assert(units.convert(c[1], c[2], c[3]), c[2] .. " -> " .. c[3])
end

local n, t0 = 0, os.clock()
while os.clock() - t0 < SECONDS do
  for i = 1, 1000 do
    local c = CONVERSIONS[i % #CONVERSIONS + 1]
    units.convert(c[1], c[2], c[3])
  end
  n = n + 1000
end
print(string.format("units: %.0f conversions/s from Lua (unit texts on every call, parsed once)",
  n / (os.clock() - t0)))

--- aza: unit-safe azathioprine protocols.
--
-- A thin facade over the public modules. `aza.quantity` and `aza.units` are
-- loaded at once; `aza.dose` is loaded on first use, so a host that never
-- touches it does not need it.
--
-- @module aza
-- @usage
-- local aza = require "aza"
-- local w = aza.quantity("70 kg")
-- local daily = aza.quantity(2.5, "mg/kg/d") * w      --> 175 mg/d
-- print(aza.units.convert(1, "[lb_av]", "kg"))         --> 0.45359237

local core = require "aza.core"
local quantity = require "aza.quantity"
local units = require "aza.units"

local rawset, require, setmetatable = rawset, require, setmetatable

local M = {}

--- The quantity module, also callable: `aza.quantity("70 kg")`.
-- @see aza.quantity
M.quantity = quantity

--- The units module.
-- @see aza.units
M.units = units

--- Version of the C module (`aza.core.version`).
M.version = core.version

-- Modules loaded on first access: key -> module name.
local lazy = {
  dose = "aza.dose",
  protocol = "aza.protocol",
}

return setmetatable(M, {
  __index = function(t, key)
    local name = lazy[key]
    if name == nil then
      return nil
    end
    local mod = require(name)
    rawset(t, key, mod)
    return mod
  end,
})

-- The small aza.core functions the Lua side reads its shared knowledge through: the enum
-- names (each beside its enum in C), the decimal reader, the creatinine rise, the calendar.
local core = require "aza.core"

describe("aza.core", function()
  it("names each enum in its C order", function()
    assert.are.same({ "proceed", "adjust", "need_data", "withhold", "contraindicated" },
      core.names.decisions)
    assert.are.same({ "percent", "reduce", "fraction", "cap" }, core.names.modifiers)
    assert.are.same({ "nearest_in_band", "down" }, core.names.roundings)
    assert.are.same({ "info", "warning", "critical" }, core.names.severities)
    assert.are.same({ "false", "true", "unknown" }, core.names.truths)
    assert.are.same({ "<", "<=", ">", ">=", "==", "!=" }, core.names.comparisons)
    assert.are.same({ "num", "str", "bool", "set", "date", "series" }, core.names.fact_types)
    assert.are.same({ "proceed", "contraindicate", "withhold", "need_data", "reduce", "cap",
                      "set_dose", "alert", "monitor", "counsel" }, core.names.actions)
    assert.are.equal(require("aza.protocol").DECISIONS, core.names.decisions)
  end)

  it("reads plain decimal numbers only", function()
    local good = { ["3.2"] = 3.2, [" -1e3 "] = -1000, ["+70"] = 70, ["007"] = 7,
                   ["2.5E-1"] = 0.25, ["0"] = 0 }
    for text, v in pairs(good) do
      assert.are.equal(v, core.number(text), text)
    end
    for _, text in ipairs({ "1.", ".5", "0x10", "inf", "nan", "1,5", "1 2", "", "  ", "1e999",
                            "-", "e3", "3.2.1", "1_000" }) do
      assert.is_nil(core.number(text), text)
    end
    assert.are.equal(require("aza.compat").is_integral(70), true)
    assert.are.equal(tostring(tonumber("70")), tostring(core.number("70")))
    assert.are.equal(tostring(tonumber("70.0")), tostring(core.number("70.0")))
  end)

  it("gives the rise of the latest reading over the lowest, from two readings", function()
    local r = { { day = 100, value = 80 }, { day = 300, value = 96 } }
    assert.near(20, core.rise_percent(r, 300, 365), 1e-12)
    assert.is_nil(core.rise_percent({ r[1] }, 300, 365)) -- one reading: no change known
    assert.is_nil(core.rise_percent(r, 500, 100))          -- nothing in the window
    assert.is_nil(core.rise_percent({ { day = 1, value = 0 }, { day = 2, value = 5 } }, 2, 9))
    -- an exact 30 % in doubles is 30, not 30.000000000000014
    assert.are.equal(30, core.rise_percent({ { day = 1, value = 68 }, { day = 2, value = 88.4 } },
      2, 9))
    assert.has_error(function() core.rise_percent({ { day = 1 } }, 1, 1) end)
  end)

  it("does calendar arithmetic for any year", function()
    assert.are.equal(20778, core.days_from_civil(2026, 11, 21))
    assert.are.same({ 2026, 11, 21 }, { core.civil_from_days(20778) })
    assert.are.same({ -1, 12, 31 }, { core.civil_from_days(-719529) })
    assert.is_true(core.is_leap(2000))
    assert.is_false(core.is_leap(1900))
    assert.has_error(function() core.days_from_civil(2026, 13, 1) end)
  end)
end)

-- Bad patient input never gives a dose (issue: hardening): conflicting results of one day
-- ask for a repeat whatever their order, an absurd current dose is an input error. The
-- patient reader's own checks are in spec/input/patient_spec.lua and json_spec.lua.
local protocol = require "aza.protocol"

local AS_OF = "2026-11-21"

local function active(labs, dose)
  return {
    id = "bad", as_of = AS_OF, birth_date = "1980-05-01", sex = "female", weight = "70 kg",
    genotype = { TPMT = "*1/*1", NUDT15 = "*1/*1" },
    azathioprine = { status = "active", dose = dose or "150 mg/d", started = "2026-01-10" },
    labs = labs,
  }
end

local function lab(test, value, unit)
  return { test = test, value = value, unit = unit, date = "2026-11-20" }
end

describe("bad input never gives a dose (ibd)", function()
  local ibd
  setup(function()
    ibd = assert(protocol.load("ibd"))
  end)

  it("two neutrophil results of one day (0.3 and 4.1): need_data, in either order", function()
    for _, labs in ipairs {
      { lab("neutrophils", 0.3, "10*9/L"), lab("neutrophils", 4.1, "10*9/L") },
      { lab("neutrophils", 4.1, "10*9/L"), lab("neutrophils", 0.3, "10*9/L") },
    } do
      labs[#labs + 1] = lab("wbc", 6.0, "10*9/L")
      local r = assert(ibd:evaluate(active(labs)))
      assert.equal("need_data", r.decision)
      assert.same({ "neutrophils" }, r.need_data)
      local warned = false
      for _, w in ipairs(r.warnings) do
        warned = warned or (w.text:find("two different results on 2026-11-20", 1, true) ~= nil
          and w.text:find("0.3 10*9/L", 1, true) ~= nil and w.text:find("4.1 10*9/L", 1, true)
          ~= nil)
      end
      assert.is_true(warned, "no input warning names both results")
    end
  end)

  it("a patient too light for the formulary (9 kg): withhold, no dose, never a protocol error",
    function()
    -- 2 mg/kg/day x 9 kg = 18 mg/day, band 18-22.5 mg/day: nothing deliverable with 25 mg
    -- and scored 50 mg tablets (found by csrc/fuzz/fuzz_patient.c)
    local p = active({ lab("wbc", 6.0, "10*9/L") })
    p.azathioprine = { status = "naive" }
    p.weight = "9 kg"
    local r = assert(ibd:evaluate(p))
    assert.equal("withhold", r.decision)
    assert.is_nil(r.dose and r.dose.target_mg_per_day)
    local found = false
    for _, a in ipairs(r.alerts) do
      found = found or (a.id == "no-deliverable-dose" and a.severity == "critical"
        and a.message:find("no deliverable dose at or below 22.5 mg/day", 1, true) ~= nil)
    end
    assert.is_true(found)
  end)

  it("an absurd current dose (1e308 mg/d) is an input error", function()
    local r, msg, code, path = ibd:evaluate(active({ lab("wbc", 6.0, "10*9/L") }, "1e308 mg/d"))
    assert.is_nil(r)
    assert.equal("E_INPUT", code)
    assert.equal("azathioprine.dose", path)
    assert.equal("azathioprine.dose: 1e308 mg/d is not a plausible azathioprine daily dose "
      .. "(0-1000 mg/day)", msg)
  end)

  it("a WBC of 1e308 is an input error, not a proceed", function()
    local r, msg, code = ibd:evaluate(active({ lab("wbc", 1e308, "10*9/L") }))
    assert.is_nil(r)
    assert.equal("E_INPUT", code)
    assert.is_truthy(msg:find("labs[1].value: 1e+308 10*9/L is not a plausible white blood cell "
      .. "count (0-1000 10*9/L)", 1, true), msg)
  end)
end)

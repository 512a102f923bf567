-- Censored lab results ("<0.5", ">90": a value beyond the laboratory's measuring range):
-- read as a bound, never as the number; a bound decides a condition only when every value
-- it allows agrees, and a rule it leaves undecided asks for a precise value (need_data).
local patient = require "aza.input.patient"
local protocol = require "aza.protocol"

local AS_OF = "2026-11-21"

local function lab(test, value, unit, date, more)
  local t = { test = test, value = value, unit = unit, date = date or "2026-11-20" }
  for k, v in pairs(more or {}) do
    t[k] = v
  end
  return t
end

-- an IBD starter who proceeds at 2.5 mg/kg/day: TPMT and NUDT15 normal, FBC and LFT normal
local function starter(neutrophils, egfr)
  return {
    id = "c1", as_of = AS_OF, birth_date = "1980-01-01", sex = "female", weight = "70 kg",
    genotype = { TPMT = "*1/*1", NUDT15 = "*1/*1" }, azathioprine = { status = "naive" },
    labs = {
      lab("wbc", "6.0", "10*9/L"), lab("neutrophils", neutrophils, "10*9/L"),
      lab("platelets", "250", "10*9/L"), lab("alt", "20", "U/L"),
      lab("egfr", egfr or "85", "mL/min/{1.73_m2}"),
    },
  }
end

describe("censored lab results", function()
  it("reads '<0.5' and {value, comparator} as a bound in the reference unit", function()
    local p = assert(patient.normalise({ as_of = AS_OF,
      labs = { lab("neutrophils", "<500", "/uL"), lab("egfr", 90, "mL/min/{1.73_m2}",
        nil, { comparator = ">" }) } }))
    assert.equal(0.5, p.facts.neutrophils)            -- 500 /uL = 0.5 10*9/L
    assert.equal("<", p.bounds.neutrophils)
    assert.equal(">", p.bounds.egfr)
    assert.equal("<500 /uL", p.given.neutrophils)
    local f = patient.to_facts(p)
    assert.same({ value = 0.5, unit = "10*9/L", comparator = "<" }, f.neutrophils)
    local note
    for _, n in ipairs(p.notes) do
      if n.kind == "censored" and n.fact == "neutrophils" then note = n end
    end
    assert.truthy(note)
    assert.equal("labs[1]", note.path)
  end)

  it("refuses a comparator that is not one or contradicts the value", function()
    local r, msg, code, path = patient.normalise({ as_of = AS_OF,
      labs = { lab("wbc", 3, "10*9/L", nil, { comparator = "~" }) } })
    assert.is_nil(r)
    assert.equal("E_INPUT", code)
    assert.equal("labs[1].comparator", path)
    assert.equal("labs[1].comparator: \"~\" is not a comparator (<, <=, >, >=)", msg)
    r, msg = patient.normalise({ as_of = AS_OF,
      labs = { lab("wbc", "<3", "10*9/L", nil, { comparator = ">" }) } })
    assert.is_nil(r)
    assert.equal('labs[1].comparator: > contradicts the value "<3"', msg)
    r, msg = patient.normalise({ as_of = AS_OF, labs = { lab("wbc", "<", "10*9/L") } })
    assert.is_nil(r)
    assert.equal('labs[1].value: "<" is not a number', msg)
  end)

  it("a bound and a number on the same day are two different results", function()
    local p = assert(patient.normalise({ as_of = AS_OF,
      labs = { lab("wbc", "<3", "10*9/L"), lab("wbc", "3", "10*9/L") } }))
    assert.is_nil(p.facts.wbc)
    assert.equal(1, #p.lab_conflicts)
  end)

  it("a creatinine series with a censored result has no computed rise", function()
    local p = assert(patient.normalise({ as_of = AS_OF, labs = {
      lab("creatinine", "<20", "umol/L", "2026-06-01"), lab("creatinine", "80", "umol/L") } }))
    assert.is_nil(p.derived["creatinine.rise_percent_365d"])
    local f = patient.to_facts(p)
    assert.equal("<", f.creatinine[1].comparator)
    assert.is_nil(f.creatinine[2].comparator)
  end)

  describe("under the shipped ibd protocol", function()
    local ibd = assert(protocol.load("ibd"))
    -- rules/ibd.lua withholds below 2.0 10*9/L neutrophils (BSG-derived, cited there)
    it("neutrophils <0.5 decides the withhold rule: withhold", function()
      local r = assert(ibd:evaluate(starter("<0.5")))
      assert.equal("withhold", r.decision)
    end)
    it("neutrophils <3.0 does not decide 'neutrophils < 2.0': need_data neutrophils", function()
      local r = assert(ibd:evaluate(starter("<3.0")))
      assert.equal("need_data", r.decision)
      assert.same({ "neutrophils" }, r.need_data)
    end)
    it("the same patient with neutrophils 3.0 proceeds", function()
      local r = assert(ibd:evaluate(starter("3.0")))
      assert.equal("proceed", r.decision)
    end)
    it("eGFR >90 decides every renal rule: proceed, same dose as eGFR 95", function()
      local a = assert(ibd:evaluate(starter("3.0", ">90")))
      local b = assert(ibd:evaluate(starter("3.0", "95")))
      assert.equal("proceed", a.decision)
      assert.equal(b.target_mg_per_day, a.target_mg_per_day)
      assert.same(b.need_data, a.need_data)
    end)
    it("the trace shows the bound as given", function()
      local r = assert(ibd:evaluate(starter("<0.5")))
      local seen
      for _, t in ipairs(r.trace) do
        local f = t.facts and t.facts.neutrophils
        if f and f.comparator then seen = f end
      end
      assert.truthy(seen)
      assert.equal("<", seen.comparator)
      assert.equal(0.5, seen.converted)
    end)
  end)
end)

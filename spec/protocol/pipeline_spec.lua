local compat = require "aza.compat"
-- The evaluation pipeline (aza.protocol): load → evaluate → dose → result.
-- Fixtures: spec/fixtures/pipeline/*.lua, and spec/fixtures/pipeline/more/*.lua (kept out
-- of the directory that the `list` and `aza protocols` specs list); numbers chosen for
-- hand-checked sums; deliverable step 25 mg: 25 mg tablets and scored 50 mg tablets.
local protocol = require "aza.protocol"
local json = require "aza.render.json"
local cli = require "spec.support.cli"

local DIR = "spec/fixtures/pipeline/"

local function load_fixture(name)
  return assert(protocol.load(DIR .. name .. ".lua"))
end

-- a naive 70 kg patient with normal TPMT and NUDT15 and normal labs; `extra` overrides
local function patient(extra)
  local p = {
    id = "p70", as_of = "2026-11-21", birth_date = "1980-05-01", sex = "female",
    weight = "70 kg",
    genotype = { TPMT = "*1/*1", NUDT15 = "*1/*1" },
    labs = {
      { test = "wbc", value = 6.8, unit = "10*9/L", date = "2026-11-14" },
      { test = "egfr", value = 90, unit = "mL/min/{1.73_m2}", date = "2026-11-14" },
    },
    azathioprine = { status = "naive" },
  }
  for k, v in pairs(extra or {}) do
    if v == "nil" then
      p[k] = nil
    else
      p[k] = v
    end
  end
  return p
end

local function egfr(v)
  return {
    { test = "wbc", value = 6.8, unit = "10*9/L", date = "2026-11-14" },
    { test = "egfr", value = v, unit = "mL/min/{1.73_m2}", date = "2026-11-14" },
  }
end

local function ids(list)
  local out = {}
  for i, x in ipairs(list or {}) do
    out[i] = x.id
  end
  return out
end

local function dose_steps(r)
  local out = {}
  for _, e in ipairs(r.trace) do
    if e.kind == "dose" then
      out[#out + 1] = e
    end
  end
  return out
end

local function step_of(r, why, what)
  for _, e in ipairs(dose_steps(r)) do
    if e.why == why and (what == nil or e.what == what) then
      return e
    end
  end
  return nil
end

local function titration(r)
  local out = {}
  for i, s in ipairs(r.dose.titration or {}) do
    out[i] = { s.mg_per_day, s.week }
  end
  return out
end

describe("aza.protocol", function()
  local pipe
  setup(function()
    pipe = load_fixture("pipe")
  end)

  describe("load", function()
    it("returns a protocol with id, version, hash and title", function()
      assert.are.equal("pipe", pipe.id)
      assert.are.equal("1.0", pipe.version)
      assert.are.equal("Pipeline fixture", pipe.title)
      assert.matches("^%x+$", pipe.hash)
      assert.are.equal(16, #pipe.hash)
      assert.are.equal("aza.Protocol: pipe 1.0 (" .. pipe.hash .. ")", tostring(pipe))
      assert.is_true(protocol.is_protocol(pipe))
      assert.is_false(protocol.is_protocol({}))
    end)

    it("exposes parameters, references and rules read-only", function()
      assert.are.equal(2.0, pipe.parameters.dose.mg_per_kg_per_day)
      assert.are.equal(2.5, pipe.parameters.dose.band[2])
      assert.are.equal("Ref A T1", pipe.references.ref_a.short)
      assert.are.equal("allergy", pipe.rules[1].id)
      assert.are.equal(10, #pipe.rules)
      if compat.fenv then
        -- 5.1/LuaJIT: each access gives a fresh copy; changing it leaves the protocol as it was
        pipe.parameters.dose.mg_per_kg_per_day = 5
        pipe.rules[1].when = "true"
        assert.are.equal("allergy", pipe.rules[1].id)
        assert.are_not.equal("true", pipe.rules[1].when)
        assert.has_error(function()
          pipe.parameters.dose.new_key = 5
        end)
      else
        assert.has_error(function()
          pipe.parameters.dose.mg_per_kg_per_day = 5
        end)
        assert.has_error(function()
          pipe.rules[1].when = "true"
        end)
      end
      assert.has_error(function()
        pipe.id = "other"
      end)
      assert.are.equal(2.0, pipe.parameters.dose.mg_per_kg_per_day)
      local n = 0
      for _ in pairs(pipe.parameters.dose) do
        n = n + 1
      end
      assert.are.equal(3, n) -- mg_per_kg_per_day, band, cite
    end)

    it("is aza.protocol through the facade", function()
      assert.are.equal(protocol, require("aza").protocol)
    end)

    it("refuses a standard dose outside its band, naming file and line", function()
      local p, msg, code = protocol.load(DIR .. "bad-band.lua")
      assert.is_nil(p)
      assert.are.equal("E_PROTOCOL", code)
      assert.matches("bad%-band%.lua:8: .*parameters%.dose: 3 mg/kg/day is outside its band", msg)
    end)

    it("refuses a formulary the dose maths cannot read", function()
      local p, msg, code = protocol.load(DIR .. "bad-formulary.lua")
      assert.is_nil(p)
      assert.are.equal("E_PROTOCOL", code)
      assert.matches("bad%-formulary%.lua:9: .*parameters%.formulary", msg)
    end)

    it("refuses a rule with a dimension error, with its line", function()
      local p, msg, code = protocol.load(DIR .. "bad-rule.lua")
      assert.is_nil(p)
      assert.are.equal("E_PROTOCOL", code)
      assert.matches("bad%-rule%.lua:8: rule 'wbc%-low'", msg)
    end)

    it("refuses a missing protocol with E_PROTOCOL", function()
      local p, msg, code = protocol.load(DIR .. "no-such-protocol.lua")
      assert.is_nil(p)
      assert.are.equal("E_PROTOCOL", code)
      assert.matches("no%-such%-protocol", msg)
    end)
  end)

  describe("list", function()
    it("lists the protocols of a directory, sorted, with errors for broken ones", function()
      local list = protocol.list { path = { "spec/fixtures/pipeline" } }
      local by = {}
      local order = {}
      for i, e in ipairs(list) do
        by[e.id] = e
        order[i] = e.id
      end
      assert.are.same({ "bad-band", "bad-formulary", "bad-rule", "pipe", "pipe-set",
                        "pipe-set-contract" }, order)
      assert.are.same({ "1.0", "Pipeline fixture" }, { by.pipe.version, by.pipe.title })
      assert.is_nil(by.pipe.error)
      assert.matches("outside its band", by["bad-band"].error)
    end)
  end)

  describe("evaluate: the standard dose", function()
    it("IBD-like 70 kg, normal/normal: 140 → 150 mg/day in band 140–175", function()
      local r = assert(pipe:evaluate(patient()))
      assert.are.equal("proceed", r.decision)
      assert.are.equal(150, r.dose.target_mg_per_day)
      assert.are.equal(2.14, r.dose.target_mg_per_kg_per_day) -- 150 / 70 = 2.142…
      assert.are.same({ 140, 175 }, r.dose.band_mg_per_day)
      assert.are.equal(140, r.dose.standard_mg_per_day)
      assert.are.equal("weight", r.dose.basis)
      assert.are.equal("3 × 50 mg once daily", r.dose.regimen.text)
      assert.are.same({ { 50, 0 }, { 100, 2 }, { 150, 4 } }, titration(r))
      assert.are.same({}, r.dose.modifiers)
      local s = step_of(r, "parameters.dose", "standard dose")
      assert.are.equal(140, s.exact_mg_per_day)
      assert.are.equal(150, s.after_mg_per_day)
      assert.are.equal("Ref A T1", s.cite)
    end)

    it("176 [lb_av] = 79.83 kg: band 159.7–199.6, only 175 inside", function()
      local r = assert(pipe:evaluate(patient { weight = "176 [lb_av]" }))
      assert.are.equal(175, r.dose.target_mg_per_day)
      assert.are.equal(2.19, r.dose.target_mg_per_kg_per_day) -- 175 / 79.832 = 2.192
      assert.is_true(math.abs(r.dose.band_mg_per_day[1] - 159.6645) < 1e-3)
      assert.is_true(math.abs(r.dose.band_mg_per_day[2] - 199.5806) < 1e-3)
    end)

    it("30 kg: 60 mg, band 60–75 → 75 (50 is below the band); titration 50 then 75", function()
      local r = assert(pipe:evaluate(patient { weight = { value = 30, unit = "kg" } }))
      assert.are.equal(75, r.dose.target_mg_per_day)
      assert.are.same({ { 50, 0 }, { 75, 2 } }, titration(r))
    end)

    it("an active patient keeps the current dose, no band (the standard band is not its "
      .. "band), no titration; the standard dose is worked out and recorded", function()
        local r = assert(pipe:evaluate(patient {
          azathioprine = { status = "active", dose = "150 mg/d", started = "2026-01-10" } }))
        assert.are.equal("proceed", r.decision)
        assert.are.equal(150, r.dose.target_mg_per_day)
        assert.are.equal(150, r.dose.current_mg_per_day)
        assert.are.equal("current", r.dose.basis)
        assert.is_nil(r.dose.band_mg_per_day)
        assert.is_nil(r.dose.limit_mg_per_day)
        assert.are.equal(140, r.dose.standard_mg_per_day)        -- 2.0 × 70, as for naive
        assert.are.equal(150, r.dose.standard_target_mg_per_day) -- nearest_in_band
        assert.is_nil(r.dose.titration)
      end)

    it("a stopped patient gets the standard dose without titration", function()
      local r = assert(pipe:evaluate(patient { azathioprine = { status = "stopped" } }))
      assert.are.equal(150, r.dose.target_mg_per_day)
      assert.is_nil(r.dose.titration)
    end)

    it("no azathioprine status: as naive, with a warning", function()
      local r = assert(pipe:evaluate(patient { azathioprine = "nil" }))
      assert.are.equal(150, r.dose.target_mg_per_day)
      assert.are.equal(3, #r.dose.titration)
      assert.are.equal("azathioprine.status", r.warnings[1].path)
    end)
  end)

  describe("evaluate: modifiers", function()
    it("TPMT intermediate: 50 % of 140 = 70, band 42–112 → 75 mg/day, adjust", function()
      local r = assert(pipe:evaluate(patient { genotype = { TPMT = "*1/*3A", NUDT15 = "*1/*1" } }))
      assert.are.equal("adjust", r.decision)
      assert.are.equal(75, r.dose.target_mg_per_day)
      assert.are.equal(1.07, r.dose.target_mg_per_kg_per_day)
      assert.are.same({ 42, 112 }, r.dose.band_mg_per_day)
      assert.are.equal("1 × 50 mg + 1 × 25 mg once daily", r.dose.regimen.text)
      assert.are.same({ { 50, 0 }, { 75, 2 } }, titration(r))
      assert.are.equal(1, #r.dose.modifiers)
      assert.are.equal("tpmt-intermediate", r.dose.modifiers[1].why)
      assert.are.equal("percent", r.dose.modifiers[1].what)
      assert.are.equal(70, r.dose.modifiers[1].exact_mg_per_day)
      assert.are.same({ "tpmt-intermediate" }, ids(r.alerts))
      assert.are.equal("Ref A T1", r.alerts[1].cite)
    end)

    it("two percentages: the lower dose wins whatever the rule order", function()
      -- nudt15 (first rule): 70 % of 140 = 98, band 84–112 → 100; tpmt: 75
      local r = assert(pipe:evaluate(patient { genotype = { TPMT = "*1/*3A", NUDT15 = "*1/*3" } }))
      assert.are.equal(75, r.dose.target_mg_per_day)
      local n = step_of(r, "nudt15-intermediate")
      assert.is_false(n.applied)
      assert.are.equal(100, n.after_mg_per_day)
      assert.matches("tpmt%-intermediate", n.detail)
      assert.is_nil(step_of(r, "tpmt-intermediate").applied)
      assert.are.same({ "tpmt-intermediate" }, { r.dose.modifiers[1].why })
      assert.are.equal(1, #r.dose.modifiers)
    end)

    it("renal 75 %: 150 → 112.5 → 100 (down), with its limit and no band", function()
      local r = assert(pipe:evaluate(patient { labs = egfr(40) }))
      assert.are.equal("adjust", r.decision)
      assert.are.equal(100, r.dose.target_mg_per_day)
      assert.are.equal(112.5, r.dose.limit_mg_per_day)
      assert.is_nil(r.dose.band_mg_per_day)
      assert.are.same({ { 50, 0 }, { 100, 2 } }, titration(r))
    end)

    it("reduce before fraction: renal then allopurinol 150 → 100 → 25", function()
      -- the other order would give 150 × 0.25 = 37.5 → 25, then 75 % = 18.75: no dose
      local r = assert(pipe:evaluate(patient { labs = egfr(40),
        medications = { { name = "allopurinol", status = "planned" } } }))
      assert.are.equal(25, r.dose.target_mg_per_day)
      assert.are.same({ "reduce", "fraction" }, { r.dose.modifiers[1].what,
                                                  r.dose.modifiers[2].what })
      assert.are.same({ "renal", "allopurinol" }, { r.dose.modifiers[1].why,
                                                    r.dose.modifiers[2].why })
    end)

    it("reduce before cap: renal then pregnancy 150 → 100, cap 140 leaves it", function()
      -- cap first would give 125, then 75 % = 93.75 → 75
      local r = assert(pipe:evaluate(patient { labs = egfr(40), pregnant = true }))
      assert.are.equal(100, r.dose.target_mg_per_day)
      local cap = step_of(r, "pregnancy-cap")
      assert.are.equal(140, cap.limit_mg_per_day)
      assert.is_false(cap.changed)
    end)

    it("pregnancy cap 2 mg/kg/day at 70 kg: 150 → 125 (down to 140)", function()
      local r = assert(pipe:evaluate(patient { pregnant = true }))
      assert.are.equal("adjust", r.decision)
      assert.are.equal(125, r.dose.target_mg_per_day)
      assert.are.equal(140, r.dose.limit_mg_per_day)
    end)

    it("two caps: the most restrictive (100 mg/day) applies, the other is traced", function()
      local r = assert(pipe:evaluate(patient { pregnant = true, conditions = { "frailty" } }))
      assert.are.equal(100, r.dose.target_mg_per_day)
      assert.is_false(step_of(r, "pregnancy-cap").applied)
      assert.are.equal(125, step_of(r, "pregnancy-cap").after_mg_per_day)
      assert.is_nil(step_of(r, "frailty-cap").applied)
    end)

    it("active on 150 mg/day, allopurinol started: 25 % = 37.5 → 25 mg/day", function()
      local r = assert(pipe:evaluate(patient {
        azathioprine = { status = "active", dose = "150 mg/d", started = "2026-01-10" },
        medications = { { name = "allopurinol", status = "active", dose = "100 mg/d" } } }))
      assert.are.equal("adjust", r.decision)
      assert.are.equal(25, r.dose.target_mg_per_day)
      assert.are.equal("1 × 25 mg once daily", r.dose.regimen.text)
      assert.is_nil(r.dose.titration)
      assert.are.equal(37.5, r.dose.modifiers[1].exact_mg_per_day)
      assert.are.same({ "allopurinol" }, ids(r.alerts))
      assert.are.equal("critical", r.alerts[1].severity)
    end)

    it("nothing deliverable (75 → 56.25 → 50 → 12.5): no dose, withhold, critical alert",
      function()
        local r = assert(pipe:evaluate(patient { labs = egfr(40),
          genotype = { TPMT = "*1/*3A", NUDT15 = "*1/*1" },
          medications = { { name = "allopurinol", status = "active" } } }))
        assert.are.equal("withhold", r.decision)
        assert.are.equal("no-deliverable-dose", r.decision_by)
        assert.is_nil(r.dose)
        local a = r.alerts[#r.alerts]
        assert.are.equal("no-deliverable-dose", a.id)
        assert.are.equal("critical", a.severity)
        assert.matches("12%.5", a.message)
        assert.are.same({}, r.monitoring)
      end)
  end)

  describe("evaluate: no dose", function()
    it("contraindicated: no dose, no monitoring schedule, no counselling", function()
      local r = assert(pipe:evaluate(patient { allergies = { "azathioprine" } }))
      assert.are.equal("contraindicated", r.decision)
      assert.are.equal("allergy", r.decision_by)
      assert.is_nil(r.dose)
      assert.are.same({}, r.monitoring)
      assert.are.same({}, r.counselling)
      -- the counsel rule still fired, and the trace says so
      local fired
      for _, e in ipairs(r.trace) do
        if e.kind == "rule" and e.rule == "take-with-food" and e.outcome == "true" then
          fired = true
        end
      end
      assert.is_true(fired)
    end)

    it("weight unknown: no dose, need_data weight", function()
      local r = assert(pipe:evaluate(patient { weight = "nil" }))
      assert.are.equal("need_data", r.decision)
      assert.is_nil(r.dose)
      assert.are.same({ "weight" }, r.need_data)
    end)

    it("active without a current dose: need_data azathioprine.dose", function()
      local r = assert(pipe:evaluate(patient { azathioprine = { status = "active" } }))
      assert.are.equal("need_data", r.decision)
      assert.is_nil(r.dose)
      assert.are.same({ "azathioprine.dose" }, r.need_data)
    end)

    it("withhold keeps the dose (not to be given now) but no schedule", function()
      local r = assert(pipe:evaluate(patient { labs = {
        { test = "wbc", value = 3200, unit = "/uL", date = "2026-11-20" } } }))
      assert.are.equal("withhold", r.decision)
      assert.are.equal("wbc-low", r.decision_by)
      assert.are.equal(150, r.dose.target_mg_per_day)
      assert.are.same({}, r.monitoring)
    end)
  end)

  describe("evaluate: the result", function()
    it("has the fields of design §7", function()
      local r = assert(pipe:evaluate(patient()))
      assert.are.equal("p70", r.patient)
      assert.are.equal("2026-11-21", r.as_of)
      assert.are.same({ id = "pipe", version = "1.0", hash = pipe.hash }, r.protocol)
      assert.are.same({ "take-with-food" }, ids(r.counselling))
      assert.are.equal("Fixture reference B", r.counselling[1].cite)
      assert.are.same({}, r.alerts)
      assert.are.same({}, r.need_data)
      assert.are.same({}, r.warnings)
      assert.are.equal("protocol", r.monitoring[1].source)
      assert.are.same({ 2, 4, 8, 12 }, r.monitoring[1].at_weeks)
      assert.are.equal("12 wk", r.monitoring[2].every)
    end)

    it("lists monitoring of fired rules after the schedule", function()
      local r = assert(pipe:evaluate(patient { labs = {
        { test = "wbc", value = 6.8, unit = "10*9/L", date = "2026-11-14" },
        { test = "mcv", value = 110, unit = "fL", date = "2026-11-14" } } }))
      assert.are.equal(3, #r.monitoring)
      assert.are.equal("rule", r.monitoring[3].source)
      assert.are.equal("repeat-fbc", r.monitoring[3].id)
      assert.are.equal(7, r.monitoring[3].every_days)
    end)

    it("traces the protocol, every rule with its citation, and the facts as given", function()
      local r = assert(pipe:evaluate(patient { weight = "176 [lb_av]",
        labs = { { test = "wbc", value = 3200, unit = "/uL", date = "2026-11-20" } } }))
      assert.are.same({ "protocol", "1.0", pipe.hash },
        { r.trace[1].kind, r.trace[1].version, r.trace[1].hash })
      local rules = {}
      for _, e in ipairs(r.trace) do
        if e.kind == "rule" then
          rules[#rules + 1] = e
        end
      end
      assert.are.equal(10, #rules)
      local wbc = rules[2]
      assert.are.same({ "wbc-low", "true", "Fixture reference B", "ref_b" },
        { wbc.rule, wbc.outcome, wbc.cite, wbc.cite_key })
      assert.are.equal("3200 /uL", wbc.facts.wbc.given)
      assert.are.equal(3.2, wbc.facts.wbc.converted)
      assert.are.equal("10*9/L", wbc.facts.wbc.unit)
      assert.are.equal("Fixture reference A, table 1", rules[4].reference)
      assert.are.equal("Ref A T1", rules[4].cite)
    end)

    it("passes conflicting data on as input warnings (the protocol's rules react)", function()
      local r = assert(pipe:evaluate(patient { tpmt_activity = { value = 5,
        unit = "nmol/h/g{Hb}", method = "st_thomas", date = "2026-10-02" } }))
      assert.are.same({}, r.alerts)
      assert.are.equal("tpmt.phenotype", r.warnings[1].path)
      assert.matches("genotype", r.warnings[1].message)
      assert.are.equal("proceed", r.decision) -- the genotype is used (design §8)
    end)

    it("lists the whole schedule for a start and a dose change, the current stage otherwise",
      function()
        -- started 2026-01-10: 45 weeks on the dose -> past week 12: the last stage only
        local active = { status = "active", dose = "150 mg/d", started = "2026-01-10" }
        local same = assert(pipe:evaluate(patient { azathioprine = active }))
        assert.are.equal(1, #same.monitoring)
        assert.are.equal("12 wk", same.monitoring[1].every)
        assert.are.equal("azathioprine.started", same.monitoring[1].counted_from)
        assert.are.equal(45, same.monitoring[1].weeks_on_dose)
        local changed = assert(pipe:evaluate(patient { azathioprine = active, labs = egfr(40) }))
        assert.are.equal("adjust", changed.decision)
        assert.are.equal(2, #changed.monitoring)
        assert.are.equal("protocol", changed.monitoring[1].source)
      end)

    it("traces the regimen with the formulary", function()
      local r = assert(pipe:evaluate(patient()))
      local s = step_of(r, "parameters.formulary", "regimen")
      assert.are.equal("3 × 50 mg once daily (tablets: 25 mg, 50 mg (scored))", s.detail)
    end)
  end)

  describe("evaluate: input", function()
    it("bad input is nil, message, E_INPUT, JSON path", function()
      local r, msg, code, path, _ = pipe:evaluate(patient { weight = "-70 kg" })
      assert.is_nil(r)
      assert.are.equal("E_INPUT", code)
      assert.are.equal("weight", path)
      assert.matches("^weight: ", msg)
      r, _, code, path = pipe:evaluate(patient { weight = "70 mg/kg" })
      assert.is_nil(r)
      assert.are.same({ "E_INPUT", "weight" }, { code, path })
      r, msg, code, path = pipe:evaluate(patient { labs = {
        { test = "wbc", value = "lots", unit = "10*9/L", date = "2026-11-20" } } })
      assert.is_nil(r)
      assert.are.same({ "E_INPUT", "labs[1].value" }, { code, path })
      assert.matches("labs%[1%]%.value", msg)
    end)

    it("reads JSON text and JSON files", function()
      local text = json.encode(patient())
      local a = assert(pipe:evaluate(text))
      local b = assert(pipe:evaluate(DIR .. "patient-70kg.json"))
      assert.are.equal(150, a.dose.target_mg_per_day)
      assert.are.equal(150, b.dose.target_mg_per_day)
      local r, _, code = pipe:evaluate("{ not json")
      assert.is_nil(r)
      assert.are.equal("E_INPUT", code)
    end)

    it("opts.as_of replaces the record's; a bad one is bad input", function()
      local r = assert(pipe:evaluate(patient(), { as_of = "2026-12-01" }))
      assert.are.equal("2026-12-01", r.as_of)
      local bad, _, code, path = pipe:evaluate(patient(), { as_of = "2026-02-30" })
      assert.is_nil(bad)
      assert.are.same({ "E_INPUT", "as_of (option)" }, { code, path })
    end)

    it("refuses a method call on something that is not a protocol", function()
      assert.has_error(function()
        pipe.evaluate({}, patient())
      end)
    end)
  end)

  describe("determinism", function()
    it("two evaluations give identical JSON", function()
      local p = patient { genotype = { TPMT = "*1/*3A", NUDT15 = "*1/*3" }, pregnant = true,
                          conditions = { "frailty" } }
      local a = assert(json.encode(assert(pipe:evaluate(p))))
      local b = assert(json.encode(assert(pipe:evaluate(p))))
      assert.are.equal(a, b)
      local again = load_fixture("pipe")
      local c = assert(json.encode(assert(again:evaluate(p))))
      assert.are.equal(a, c)
    end)

    it("a table and its JSON text give identical JSON", function()
      local p = patient { labs = egfr(40) }
      local a = assert(json.encode(assert(pipe:evaluate(p))))
      local b = assert(json.encode(assert(pipe:evaluate(json.encode(p)))))
      assert.are.equal(a, b)
    end)
  end)

  describe("set_dose", function()
    local set
    setup(function()
      set = load_fixture("pipe-set")
    end)

    it("without set_dose: 2.5 × 70 = 175 in 140–210; start 1 mg/kg = 70 → 50 for 4 weeks",
      function()
        local r = assert(set:evaluate(patient()))
        assert.are.equal("proceed", r.decision)
        assert.are.equal(175, r.dose.target_mg_per_day)
        assert.are.same({ 140, 210 }, r.dose.band_mg_per_day)
        assert.are.same({ { 50, 0 }, { 175, 4 } }, titration(r))
      end)

    it("set_dose 1 mg/kg/day at 70 kg: 70, no band → 50 (never above), adjust", function()
      local r = assert(set:evaluate(patient { genotype = { TPMT = "*1/*3A", NUDT15 = "*1/*1" } }))
      assert.are.equal("adjust", r.decision)
      assert.are.equal("set_dose", r.dose.basis)
      assert.are.equal(50, r.dose.target_mg_per_day)
      assert.are.same({ { 50, 0 } }, titration(r))
    end)

    it("two set_dose: the lower wins (60 mg → 50 against 80 kg × 1 = 80 → 75)", function()
      local r = assert(set:evaluate(patient { weight = "80 kg", conditions = { "frailty" },
        genotype = { TPMT = "*1/*3A", NUDT15 = "*1/*1" } }))
      assert.are.equal(50, r.dose.target_mg_per_day)
      local other = step_of(r, "tpmt-intermediate-set")
      assert.is_false(other.applied)
      assert.are.equal(75, other.after_mg_per_day)
      assert.are.equal("frailty-set", r.dose.modifiers[1].why)
    end)

    it("the contract form: own band and start phase (0.5 mg/kg for 4 weeks)", function()
      local p = load_fixture("pipe-set-contract")
      -- 70 kg: 1.0 × 70 = 70, band 52.5–87.5 → 75; start 0.5 × 70 = 35 → 25
      local r = assert(p:evaluate(patient { genotype = { TPMT = "*1/*3A", NUDT15 = "*1/*1" } }))
      assert.are.equal(75, r.dose.target_mg_per_day)
      assert.are.same({ 52.5, 87.5 }, r.dose.band_mg_per_day)
      assert.are.same({ { 25, 0 }, { 75, 4 } }, titration(r))
      assert.are.equal("set_dose", r.dose.basis)
      assert.are.equal("adjust", r.decision)
    end)

    it("refuses weeks without a start dose (ambiguous) at load time", function()
      local dir = os.tmpname()
      os.remove(dir)
      local file = dir .. ".lua"
      local f = assert(io.open(file, "wb"))
      f:write('return protocol "weeks-only" { version = "1", references = { r = "R" },\n'
        .. '  rules = { rule "x" { when = "pregnant", action = set_dose { mg_per_kg_per_day = 1,'
        .. ' weeks = 4 }, cite = "r" } } }\n')
      f:close()
      local p, msg, code = protocol.load(file)
      os.remove(file)
      assert.is_nil(p)
      assert.are.equal("E_PROTOCOL", code)
      assert.matches(":2: rule 'x': action: set_dose: a start dose and its weeks go together", msg)
    end)
  end)
  -- design §5: the dose rules act on the current dose of an active patient; design §8: the
  -- pharmacogenomic and renal reductions are percentages of the standard dose. A review of
  -- a patient already on a reduced dose must not cut it again.
  describe("active patients: reductions against the standard dose", function()
    local TPMT_INT = { TPMT = "*1/*3A", NUDT15 = "*1/*1" }

    local function active(mg, extra)
      local p = patient(extra)
      p.azathioprine = { status = "active", dose = mg .. " mg/d", started = "2026-01-10" }
      return p
    end

    it("TPMT intermediate on 150 mg/day: above the 30–80 % band (42–112) → 75, adjust",
      function()
        local r = assert(pipe:evaluate(active(150, { genotype = TPMT_INT })))
        assert.are.equal("adjust", r.decision)
        assert.are.equal("tpmt-intermediate", r.decision_by)
        assert.are.equal(75, r.dose.target_mg_per_day)
        assert.are.equal(150, r.dose.current_mg_per_day)
        assert.are.same({ 42, 112 }, r.dose.band_mg_per_day)
        assert.are.equal(140, r.dose.standard_mg_per_day)
        local s = step_of(r, "tpmt-intermediate", "percent")
        assert.are.same({ 150, 75, 70, true }, { s.before_mg_per_day, s.after_mg_per_day,
                                                 s.exact_mg_per_day, s.changed })
        assert.matches("current 150 mg/day is above the 30–80 %% band %(42–112 mg/day%)",
          s.detail)
        assert.are.equal(2, #r.monitoring) -- a dose change lists the schedule
      end)

    it("TPMT intermediate on 75 mg/day: within the band, kept, proceed; the alert stays",
      function()
        local r = assert(pipe:evaluate(active(75, { genotype = TPMT_INT })))
        assert.are.equal("proceed", r.decision)
        assert.is_nil(r.decision_by)
        assert.are.equal(75, r.dose.target_mg_per_day)
        assert.are.same({ 42, 112 }, r.dose.band_mg_per_day) -- the band that applies
        assert.are.same({ "tpmt-intermediate" }, ids(r.alerts))
        local s = step_of(r, "tpmt-intermediate", "percent")
        assert.is_false(s.changed)
        assert.are.equal("current 75 mg/day is within the 30–80 % band (42–112 mg/day): kept",
          s.detail)
        -- no change: the schedule's stage now (started 2026-01-10, 45 weeks), not a restart
        assert.are.equal(1, #r.monitoring)
        assert.are.equal("12 wk", r.monitoring[1].every)
      end)

    it("TPMT intermediate on 25 mg/day: below the band, kept (a reduction never raises)",
      function()
        local r = assert(pipe:evaluate(active(25, { genotype = TPMT_INT })))
        assert.are.equal("proceed", r.decision)
        assert.are.equal(25, r.dose.target_mg_per_day)
        assert.matches("^current 25 mg/day is below the 30–80 %% band %(42–112 mg/day%): kept",
          step_of(r, "tpmt-intermediate", "percent").detail)
      end)

    it("a second review of the reduced dose keeps it (no cut at every evaluation)", function()
      local first = assert(pipe:evaluate(active(150, { genotype = TPMT_INT })))
      local again = assert(pipe:evaluate(active(first.dose.target_mg_per_day,
        { genotype = TPMT_INT })))
      assert.are.same({ "adjust", 75 }, { first.decision, first.dose.target_mg_per_day })
      assert.are.same({ "proceed", 75 }, { again.decision, again.dose.target_mg_per_day })
      local renal1 = assert(pipe:evaluate(active(150, { labs = egfr(40) })))
      local renal2 = assert(pipe:evaluate(active(renal1.dose.target_mg_per_day,
        { labs = egfr(40) })))
      assert.are.same({ "adjust", 100 }, { renal1.decision, renal1.dose.target_mg_per_day })
      assert.are.same({ "proceed", 100 }, { renal2.decision, renal2.dose.target_mg_per_day })
    end)

    it("renal 75 %: the ceiling is 75 % of the standard 150 = 112.5 → 100 (down)", function()
      local r = assert(pipe:evaluate(active(150, { labs = egfr(40) })))
      assert.are.equal(100, r.dose.target_mg_per_day)
      assert.are.equal(112.5, r.dose.limit_mg_per_day)
      assert.is_nil(r.dose.band_mg_per_day)
      local s = step_of(r, "renal", "reduce")
      assert.are.same({ 100, 112.5, true }, { s.ceiling_mg_per_day, s.exact_mg_per_day,
                                              s.changed })
      local kept = assert(pipe:evaluate(active(75, { labs = egfr(40) })))
      assert.are.same({ "proceed", 75 }, { kept.decision, kept.dose.target_mg_per_day })
      assert.is_nil(kept.dose.limit_mg_per_day)
      assert.matches("^current 75 mg/day is at or below the ceiling 100 mg/day %(75 %% of "
        .. "150 mg/day, the standard dose, = 112%.5, rounded down%): kept$",
        step_of(kept, "renal", "reduce").detail)
    end)

    it("TPMT intermediate and renal on 75 mg/day: the ceiling follows the 50 % dose "
      .. "(75 % of 75 = 56.25 → 50), as for a patient starting now", function()
        local r = assert(pipe:evaluate(active(75, { genotype = TPMT_INT, labs = egfr(40) })))
        local naive = assert(pipe:evaluate(patient { genotype = TPMT_INT, labs = egfr(40) }))
        assert.are.equal(50, naive.dose.target_mg_per_day)
        assert.are.equal("adjust", r.decision)
        assert.are.equal("renal", r.decision_by)
        assert.are.equal(50, r.dose.target_mg_per_day)
        assert.are.equal(56.25, r.dose.limit_mg_per_day)
        assert.is_false(step_of(r, "tpmt-intermediate", "percent").changed)
        assert.matches("the dose after tpmt%-intermediate", step_of(r, "renal", "reduce").detail)
      end)

    it("two percentages: the lowest result; both within their bands → kept", function()
      local both = { TPMT = "*1/*3A", NUDT15 = "*1/*3" }
      local r = assert(pipe:evaluate(active(150, { genotype = both })))
      assert.are.equal(75, r.dose.target_mg_per_day) -- nudt15 alone: 100
      assert.is_false(step_of(r, "nudt15-intermediate", "percent").applied)
      -- 100: within nudt15's 84–112 and tpmt's 42–112
      local kept = assert(pipe:evaluate(active(100, { genotype = both })))
      assert.are.same({ "proceed", 100 }, { kept.decision, kept.dose.target_mg_per_day })
    end)

    it("allopurinol (fraction) acts on the current dose: 100 → 25 % = 25", function()
      local r = assert(pipe:evaluate(active(100, {
        medications = { { name = "allopurinol", status = "active" } } })))
      assert.are.same({ "adjust", 25 }, { r.decision, r.dose.target_mg_per_day })
      assert.are.equal(25, r.dose.limit_mg_per_day)
    end)

    it("a cap acts on the current dose: 150 → 125 (cap 140); 125 stays, proceed", function()
      local r = assert(pipe:evaluate(active(150, { pregnant = true })))
      assert.are.same({ "adjust", 125, 140 }, { r.decision, r.dose.target_mg_per_day,
                                                r.dose.limit_mg_per_day })
      local kept = assert(pipe:evaluate(active(125, { pregnant = true })))
      assert.are.same({ "proceed", 125 }, { kept.decision, kept.dose.target_mg_per_day })
      assert.is_false(step_of(kept, "pregnancy-cap", "cap").changed)
    end)

    it("nothing deliverable after the ceilings and the fraction: withhold, no dose", function()
      -- 150 → 75 (PGx) → 50 (renal ceiling) → × 0.25 = 12.5: nothing with 25 mg tablets
      local r = assert(pipe:evaluate(active(150, { genotype = TPMT_INT, labs = egfr(40),
        medications = { { name = "allopurinol", status = "active" } } })))
      assert.are.equal("withhold", r.decision)
      assert.is_nil(r.dose)
      assert.are.equal("no-deliverable-dose", r.alerts[#r.alerts].id)
    end)

    it("withhold still wins over a dose change", function()
      local p = active(150, { genotype = TPMT_INT })
      p.labs = { { test = "wbc", value = 3.2, unit = "10*9/L", date = "2026-11-20" } }
      local r = assert(pipe:evaluate(p))
      assert.are.same({ "withhold", "wbc-low" }, { r.decision, r.decision_by })
      assert.are.equal(75, r.dose.target_mg_per_day)
    end)

    it("set_dose: its band top is a ceiling on the current dose (150 → 75; 50 kept)", function()
      local p = load_fixture("pipe-set-contract")
      local r = assert(p:evaluate(active(150, { genotype = TPMT_INT })))
      assert.are.same({ "adjust", 75 }, { r.decision, r.dose.target_mg_per_day })
      assert.are.same({ 52.5, 87.5 }, r.dose.band_mg_per_day)
      assert.are.equal("current", r.dose.basis)
      local kept = assert(p:evaluate(active(50, { genotype = TPMT_INT })))
      assert.are.same({ "proceed", 50 }, { kept.decision, kept.dose.target_mg_per_day })
      assert.is_nil(kept.dose.titration)
    end)

    it("a reduction with no standard dose to work from is a protocol error", function()
      local p = load_fixture("more/pipe-nodose")
      local r, msg, code = p:evaluate(active(100, { labs = egfr(40) }))
      assert.is_nil(r)
      assert.are.equal("E_PROTOCOL", code)
      assert.matches("rule 'renal': .*parameters%.dose", msg)
    end)
  end)

  -- design §5: adjust means a rule changed the dose; proceed means none did
  describe("the decision adjust", function()
    it("a cap that fired without changing the dose is proceed (45 kg: 100 ≤ cap 100)",
      function()
        -- 2.0 × 45 = 90, band 90–112.5 → 100; frailty cap 100 mg/day leaves it
        local r = assert(pipe:evaluate(patient { weight = "45 kg", conditions = { "frailty" } }))
        assert.are.equal("proceed", r.decision)
        assert.are.equal(100, r.dose.target_mg_per_day)
        assert.is_false(step_of(r, "frailty-cap", "cap").changed)
        assert.are.equal(2, #r.monitoring) -- a start: the schedule
      end)

    it("a set_dose that gives the standard dose again is proceed (20 kg: 50 = 50)", function()
      -- standard 2.5 × 20 = 50, band 40–60 → 50; frailty set_dose 60 mg/day → down → 50
      local set = load_fixture("pipe-set")
      local r = assert(set:evaluate(patient { weight = "20 kg", conditions = { "frailty" } }))
      assert.are.equal("proceed", r.decision)
      assert.are.equal(50, r.dose.target_mg_per_day)
      -- 30 kg: standard 75 (band 60–90); set_dose 1.0 × 30 = 30, no band → 25
      local other = assert(set:evaluate(patient { weight = "30 kg",
        genotype = { TPMT = "*1/*3A", NUDT15 = "*1/*1" } }))
      assert.are.same({ "adjust", "tpmt-intermediate-set", 25 }, { other.decision,
        other.decision_by, other.dose.target_mg_per_day })
    end)

    it("a set_dose with nothing deliverable is withhold with a critical alert, not a "
      .. "protocol error (1.0 × 20 kg = 20 < 25)", function()
        local set = load_fixture("pipe-set")
        local r = assert(set:evaluate(patient { weight = "20 kg",
          genotype = { TPMT = "*1/*3A", NUDT15 = "*1/*1" } }))
        assert.are.same({ "withhold", "no-deliverable-dose" }, { r.decision, r.decision_by })
        assert.is_nil(r.dose)
        assert.matches("tpmt%-intermediate%-set", r.alerts[#r.alerts].message)
        local a = assert(set:evaluate(patient { weight = "20 kg",
          genotype = { TPMT = "*1/*3A", NUDT15 = "*1/*1" },
          azathioprine = { status = "active", dose = "50 mg/d" } }))
        assert.are.same({ "withhold", "no-deliverable-dose" }, { a.decision, a.decision_by })
      end)

    it("a modifier that changed the dose names its rule", function()
      local r = assert(pipe:evaluate(patient { labs = egfr(40) }))
      assert.are.same({ "adjust", "renal" }, { r.decision, r.decision_by })
    end)
  end)

  -- a mg/kg start that the formulary cannot make at or below: the smallest deliverable dose
  describe("a start dose below the smallest deliverable dose", function()
    local TPMT_INT = { TPMT = "*1/*3A", NUDT15 = "*1/*1" }

    local function alert_of(r, id)
      for _, a in ipairs(r.alerts) do
        if a.id == id then
          return a
        end
      end
      return nil
    end

    it("0.5 mg/kg × 45 kg = 22.5: starts at 25 for 4 weeks, then 50, with a warning",
      function()
        -- set_dose 1.0 × 45 = 45, band 33.75–56.25 → 50
        local r = assert(load_fixture("pipe-set-contract"):evaluate(patient {
          weight = "45 kg", genotype = TPMT_INT }))
        assert.are.equal(50, r.dose.target_mg_per_day)
        assert.are.same({ { 25, 0 }, { 50, 4 } }, titration(r))
        local a = assert(alert_of(r, "start-dose-rounded-up"))
        assert.are.same({ "input", "warning", "Fixture reference C" },
          { a.kind, a.severity, a.cite })
        assert.are.equal("The start dose 22.5 mg/day (0.5 mg/kg/day × 45 kg) cannot be given "
          .. "with the formulary (25 mg, 50 mg (scored)): nothing deliverable is at or below "
          .. "it; starting at 25 mg/day (0.56 mg/kg/day), the smallest deliverable dose, for 4 "
          .. "weeks, then 50 mg/day.", a.message)
        assert.are.same({}, r.warnings)
      end)

    it("parameters.titration 1 mg/kg × 20 kg = 20: 25 for 4 weeks, then 50", function()
      local r = assert(load_fixture("pipe-set"):evaluate(patient { weight = "20 kg" }))
      assert.are.equal("proceed", r.decision)
      assert.are.same({ { 25, 0 }, { 50, 4 } }, titration(r))
      assert.is_not_nil(alert_of(r, "start-dose-rounded-up"))
    end)

    it("when the smallest deliverable dose is the final dose: no titration, said why",
      function()
        -- 25 kg: set_dose 25, band 18.75–31.25 → 25; start 12.5
        local r = assert(load_fixture("pipe-set-contract"):evaluate(patient {
          weight = "25 kg", genotype = TPMT_INT }))
        assert.are.same({ { 25, 0 } }, titration(r))
        local s = step_of(r, "tpmt-intermediate-set", "titration start")
        assert.matches("the smallest deliverable dose is the final dose: no titration", s.detail)
        assert.is_not_nil(alert_of(r, "start-dose-rounded-up"))
      end)

    it("a fixed start no tablet makes (25 mg, 50 mg tablets only): 50, 100, 150", function()
      local r = assert(load_fixture("more/pipe-fixed-start"):evaluate(patient()))
      assert.are.same({ { 50, 0 }, { 100, 2 }, { 150, 4 } }, titration(r))
      assert.matches("then %+50 mg/day every 2 weeks up to 150 mg/day",
        alert_of(r, "start-dose-rounded-up").message)
    end)

    it("a start that rounds down is unchanged (1 mg/kg × 70 = 70 → 50), no alert", function()
      local r = assert(load_fixture("pipe-set"):evaluate(patient()))
      assert.are.same({ { 50, 0 }, { 175, 4 } }, titration(r))
      assert.is_nil(alert_of(r, "start-dose-rounded-up"))
    end)
  end)

  -- words of set facts that no rule reads have no effect: say so (a brand name, a synonym)
  describe("words no rule reads", function()
    local words
    setup(function()
      words = load_fixture("more/pipe-words")
    end)

    local function by_path(r)
      local out = {}
      for _, w in ipairs(r.warnings) do
        out[w.path] = w.message
      end
      return out
    end

    local function record()
      return patient {
        ancestry = { "chinese", "east_asian" },
        conditions = { "lymphoma", "Crohns Disease" },
        symptoms = { "pyrexia", "Sore Throat" },
        allergies = { "Imuran", "azathioprine" },
        vaccines_planned = { "Zostavax", "yellow fever" },
        medications = { { name = "paracetamol", status = "active" } },
      }
    end

    it("warns for each unread word, with the words the protocol reads", function()
      local r = assert(words:evaluate(record()))
      local w = by_path(r)
      assert.are.equal("'chinese' is not a word this protocol reads (it reads: east_asian); it "
        .. "has no effect", w["ancestry[1]"])
      assert.are.equal("'lymphoma' is not a word this protocol reads (it reads: "
        .. "active_malignancy, fever, sore_throat); it has no effect", w["conditions[1]"])
      assert.matches("^'pyrexia' is not a word this protocol reads", w["symptoms[1]"])
      assert.are.equal("'Imuran' is not a word this protocol reads (it reads: azathioprine, "
        .. "thiopurine); it has no effect (brand names are not matched: for a brand, give the "
        .. "generic name)", w["allergies[1]"])
      assert.matches("^'Zostavax' is not a word this protocol reads %(it reads: live_vaccine%)"
        .. ".*brand names are not matched", w["vaccines_planned[1]"])
      -- read words (also through rules/data/medications.lua: yellow fever → live_vaccine),
      -- data.known_words, and medications are not warned about
      local n = 0
      for _ in pairs(w) do
        n = n + 1
      end
      assert.are.equal(5, n)
      assert.are.equal("ancestry[1]: " .. w["ancestry[1]"], r.warnings[1].text)
    end)

    it("says when the protocol reads no word of that list", function()
      local r = assert(pipe:evaluate(patient { ancestry = { "chinese" } }))
      assert.are.equal("'chinese' is not a word this protocol reads (it reads no ancestry "
        .. "words); it has no effect", by_path(r)["ancestry[1]"])
    end)

    it("gives the same warnings for a table, JSON text, a file and stdin", function()
      local p = record()
      local a = assert(words:evaluate(p)).warnings
      local b = assert(words:evaluate(json.encode(p))).warnings
      local file = os.tmpname()
      local f = assert(io.open(file, "wb"))
      f:write(json.encode(p))
      f:close()
      local c = assert(words:evaluate(file)).warnings
      os.remove(file)
      assert.are.equal(5, #a)
      assert.are.same(a, b)
      assert.are.same(a, c)
      local out, err, code = cli.aza({ "evaluate", "--protocol", DIR .. "more/pipe-words.lua",
                                       "-" }, { stdin = json.encode(p) })
      assert.are.equal(0, code, err)
      assert.matches("\nWarnings: ancestry%[1%]: 'chinese' is not a word this protocol reads",
        out)
      assert.matches("allergies%[1%]: 'Imuran' is not a word", (out:gsub("\n +", " ")))
    end)

    it("refuses data.known_words that is not fact → list of words", function()
      local file = os.tmpname() .. ".lua"
      local f = assert(io.open(file, "wb"))
      f:write('return protocol "kw" { version = "1", references = { r = "R" },\n'
        .. '  data = { known_words = { diagnoses = { "x" } } },\n'
        .. '  rules = { rule "x" { when = "pregnant", action = withhold, cite = "r" } } }\n')
      f:close()
      local p, msg, code = protocol.load(file)
      os.remove(file)
      assert.is_nil(p)
      assert.are.equal("E_PROTOCOL", code)
      assert.matches("data%.known_words: 'diagnoses' is not one of ancestry, conditions", msg)
    end)
  end)
end)

-- The evaluation pipeline (aza.protocol): load → evaluate → dose → result.
-- Fixtures: spec/fixtures/pipeline/*.lua (numbers chosen for hand-checked sums;
-- deliverable step 25 mg: 25 mg tablets and scored 50 mg tablets).
local protocol = require "aza.protocol"
local json = require "aza.render.json"

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
      assert.has_error(function()
        pipe.parameters.dose.mg_per_kg_per_day = 5
      end)
      assert.has_error(function()
        pipe.id = "other"
      end)
      assert.has_error(function()
        pipe.rules[1].when = "true"
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

    it("an active patient keeps the current dose, with the standard band, no titration",
      function()
        local r = assert(pipe:evaluate(patient {
          azathioprine = { status = "active", dose = "150 mg/d", started = "2026-01-10" } }))
        assert.are.equal("proceed", r.decision)
        assert.are.equal(150, r.dose.target_mg_per_day)
        assert.are.equal("current", r.dose.basis)
        assert.are.same({ 140, 175 }, r.dose.band_mg_per_day)
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

    it("lists the schedule for a start and a dose change, not for an unchanged dose",
      function()
        local active = { status = "active", dose = "150 mg/d", started = "2026-01-10" }
        local same = assert(pipe:evaluate(patient { azathioprine = active }))
        assert.are.same({}, same.monitoring)
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
end)

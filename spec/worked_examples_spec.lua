-- Design §8's worked examples through the shipped IBD protocol, in the Lua API and through
-- `bin/aza evaluate` (deliverable step 25 mg: 25 mg tablets and scored 50 mg tablets):
--   70 kg, TPMT and NUDT15 normal: 2.0 × 70 = 140, band 140–175 → 150 mg/day;
--   TPMT intermediate: 50 % of 140 = 70, band 30–80 % = 42–112 → 75 mg/day;
--   on 150 mg/day, allopurinol started: 150 × 0.25 = 37.5, round down → 25 mg/day.
local cjson = require "cjson"
local cli = require "spec.support.cli"
local protocol = require "aza.protocol"

local EXAMPLE = "examples/patients/ibd-new-start.json"

local function slurp(path)
  local f = assert(io.open(path, "rb"))
  local s = f:read("*a")
  f:close()
  return s
end

-- the bundled example with changes
local function example(change)
  local p = cjson.decode(slurp(EXAMPLE))
  if change then
    change(p)
  end
  return p
end

local function tpmt_intermediate(p)
  p.genotype = { TPMT = "*1/*3A", NUDT15 = "*1/*1" }
end

local function active_allopurinol(p)
  -- allopurinol started (2026-11-14) after the current dose was set (2026-03-01)
  p.azathioprine = { status = "active", dose = "150 mg/d", started = "2026-01-10",
                     dose_since = "2026-03-01" }
  p.medications[#p.medications + 1] = { name = "allopurinol", status = "active",
                                        dose = "100 mg/d", started = "2026-11-14" }
end

-- bin/aza evaluate with the patient on stdin; returns exit code, stdout, stderr
local function evaluate(patient, ...)
  local args = { "evaluate", "--protocol", "ibd", "--as-of", "2026-11-21", ... }
  args[#args + 1] = "-"
  local out, err, code = cli.aza(args, { stdin = cjson.encode(patient) })
  return code, out, err
end

local function steps(r)
  local out = {}
  for i, s in ipairs(r.dose.titration or {}) do
    out[i] = { s.mg_per_day, s.week }
  end
  return out
end

describe("worked examples (design §8) with the shipped ibd protocol", function()
  local ibd
  setup(function()
    ibd = assert(protocol.load("ibd"))
  end)

  it("70 kg, normal/normal: 140 → 150 mg/day in band 140–175", function()
    local r = assert(ibd:evaluate(EXAMPLE, { as_of = "2026-11-21" }))
    assert.are.equal("proceed", r.decision)
    assert.are.equal(150, r.dose.target_mg_per_day)
    assert.are.equal(2.14, r.dose.target_mg_per_kg_per_day)
    assert.are.same({ 140, 175 }, r.dose.band_mg_per_day)
    assert.are.equal(140, r.dose.standard_mg_per_day)
    assert.are.equal("3 × 50 mg once daily", r.dose.regimen.text)
    assert.are.same({ { 50, 0 }, { 100, 2 }, { 150, 4 } }, steps(r))
  end)

  it("TPMT intermediate: 50 % of 140 = 70, band 42–112 → 75 mg/day", function()
    local r = assert(ibd:evaluate(example(tpmt_intermediate), { as_of = "2026-11-21" }))
    assert.are.equal("adjust", r.decision)
    assert.are.equal(75, r.dose.target_mg_per_day)
    assert.are.same({ 42, 112 }, r.dose.band_mg_per_day)
    assert.are.equal(70, r.dose.modifiers[1].exact_mg_per_day)
    assert.are.equal("1 × 50 mg + 1 × 25 mg once daily", r.dose.regimen.text)
    assert.are.same({ { 50, 0 }, { 75, 2 } }, steps(r))
  end)

  it("on 150 mg/day, allopurinol started: 37.5 → 25 mg/day", function()
    local r = assert(ibd:evaluate(example(active_allopurinol), { as_of = "2026-11-21" }))
    assert.are.equal("adjust", r.decision)
    assert.are.equal(25, r.dose.target_mg_per_day)
    assert.are.equal(37.5, r.dose.modifiers[1].exact_mg_per_day)
    assert.are.equal("fraction", r.dose.modifiers[1].what)
    assert.are.equal("1 × 25 mg once daily", r.dose.regimen.text)
    assert.is_nil(r.dose.titration)
    local critical = false
    for _, a in ipairs(r.alerts) do
      critical = critical or (a.kind == "interaction" and a.severity == "critical")
    end
    assert.is_true(critical)
  end)

  it("on 150 mg/day, TPMT intermediate: above the 42–112 band → 75; on 75: kept, proceed",
    function()
      local function active(mg)
        return example(function(p)
          tpmt_intermediate(p)
          p.azathioprine = { status = "active", dose = mg .. " mg/d", started = "2026-01-10" }
        end)
      end
      local r = assert(ibd:evaluate(active(150), { as_of = "2026-11-21" }))
      assert.are.same({ "adjust", 75 }, { r.decision, r.dose.target_mg_per_day })
      assert.are.same({ 42, 112 }, r.dose.band_mg_per_day)
      local again = assert(ibd:evaluate(active(75), { as_of = "2026-11-21" }))
      assert.are.same({ "proceed", 75 }, { again.decision, again.dose.target_mg_per_day })
      assert.are.equal(75, again.dose.current_mg_per_day)
    end)

  describe("through bin/aza evaluate", function()
    it("prints 150 mg/day for the bundled example", function()
      local code, out, err = evaluate(example())
      assert.are.equal(0, code, err)
      assert.matches("^Decision: proceed — start azathioprine\n", out)
      assert.matches("\nTarget:   150 mg/day %(2%.14 mg/kg/day; band 140–175 mg%) as 3 × 50 mg "
        .. "once daily\n", out)
      assert.matches("\nTitrate:  50 mg/day weeks 0–1, 100 mg/day weeks 2–3, 150 mg/day from "
        .. "week 4\n", out)
    end)

    it("prints 75 mg/day for TPMT intermediate", function()
      local code, out = evaluate(example(tpmt_intermediate))
      assert.are.equal(0, code)
      assert.matches("^Decision: adjust", out)
      assert.matches("\nTarget:   75 mg/day %(1%.07 mg/kg/day; band 42–112 mg%)", out)
    end)

    it("says the active patient's dose changes from the current 150 mg/day", function()
      local code, out = evaluate(example(active_allopurinol))
      assert.are.equal(0, code)
      assert.matches("^Decision: adjust — change the azathioprine dose\n", out)
      assert.matches("\nTarget:   25 mg/day %(changed from the current 150 mg/day; 0%.36 "
        .. "mg/kg/day; limit 37%.5 mg%)", out)
    end)

    it("gives 25 mg/day in JSON for the active patient with allopurinol", function()
      local code, out = evaluate(example(active_allopurinol), "--format", "json")
      assert.are.equal(0, code)
      local r = cjson.decode(out)
      assert.are.equal("adjust", r.decision)
      assert.are.equal(25, r.dose.target_mg_per_day)
      assert.are.equal("ibd", r.protocol.id)
    end)
  end)
end)

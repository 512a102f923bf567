-- Scenario specs for the "rheumatoid_arthritis" protocol (rules/rheumatoid_arthritis.lua).
--
-- Standard patient (spec/support/scenario.lua): naive, 70 kg, TPMT *1/*1 and NUDT15 *1/*1,
-- full blood panel and LFT 11 days old, no medications; as_of 2026-11-21.
-- Doses worked by hand (docs/dose-maths.md): 25 mg and scored 50 mg tablets; the target is
-- the deliverable dose nearest rate x weight inside the band (ties to the lower dose); the
-- start 1 mg/kg/day is rounded down; reductions and caps round down.
-- RA: 2.0 mg/kg/day (aza default [R]) in the US label's 1.0-2.5 mg/kg/day [V]; start 1.0
-- mg/kg/day for 6 weeks (label: raise from 6-8 weeks [V]).
local scenario = require "spec.support.scenario"

local P, lab = scenario.patient, scenario.lab

local function R(changes)
  changes = changes or {}
  changes.conditions = changes.conditions or { "rheumatoid_arthritis" }
  return P(changes)
end

local cases = {
  { name = "70 kg naive: 150 mg/day after 50 mg/day for 6 weeks",
    -- 2.0 x 70 = 140; band 70-175; nearest deliverable 150 (10 away; 125 is 15).
    -- Start 1.0 x 70 = 70 -> down 50, weeks 0-5; 150 from week 6
    patient = R(),
    expect = { decision = "proceed", dose = 150, band = { 70, 175 }, titration = { 50, 150 },
               alerts = {}, need_data = {} } },
  { name = "60 kg: 125 mg/day (120; band 60-150; 125 is 5 away)",
    -- start 60 -> down 50
    patient = R { weight = "60 kg" },
    expect = { decision = "proceed", dose = 125, band = { 60, 150 }, titration = { 50, 125 },
               alerts = {}, need_data = {} } },
  { name = "85 kg: 175 mg/day (170; band 85-212.5; 175 is 5 away)",
    -- start 85 -> down 75
    patient = R { weight = "85 kg" },
    expect = { decision = "proceed", dose = 175, band = { 85, 212.5 },
               titration = { 75, 175 }, alerts = {}, need_data = {} } },
  { name = "110 kg: 225 mg/day, below the label's 2.5 mg/kg/day (275)",
    -- 2.0 x 110 = 220; band 110-275; 225 is 5 away -> 225 (2.05 mg/kg/day); start 110 -> 100
    patient = R { weight = "110 kg" },
    expect = { decision = "proceed", dose = 225, titration = { 100, 225 }, alerts = {},
               need_data = {} } },
  { name = "pregnant: contraindicated (US label, RA)",
    -- stricter than base's 2 mg/kg/day cap: the contraindication wins (both alerts)
    patient = R { pregnant = true },
    expect = { decision = "contraindicated", dose = false,
               alerts = { "ra-pregnancy", "pregnancy-cap" }, need_data = {} } },
  { name = "previous cyclophosphamide (prior_alkylating_agent): contraindicated",
    patient = R { conditions = { "rheumatoid_arthritis", "prior_alkylating_agent" } },
    expect = { decision = "contraindicated", dose = false,
               alerts = { "ra-prior-alkylating-agent" }, need_data = {} } },
  { name = "TPMT intermediate: 50 % of 140 = 70 -> 75 mg/day (band 42-112)",
    -- CPIC 2025 T4 [S]; start 70 -> down 50 (below 75): 50 then 75
    patient = R { genotype = { TPMT = "*1/*3A", NUDT15 = "*1/*1" } },
    expect = { decision = "adjust", dose = 75, band = { 42, 112 }, titration = { 50, 75 },
               alerts = { "pgx-one-intermediate" }, need_data = {} } },
  { name = "NUDT15 poor: contraindicated",
    patient = R { genotype = { TPMT = "*1/*1", NUDT15 = "*3/*3" } },
    expect = { decision = "contraindicated", dose = false, alerts = { "nudt15-poor" },
               need_data = {} } },
  { name = "ALT 150 U/L: withhold (base's BSR 2017 threshold applies in RA)",
    patient = R { labs = { alt = lab(150, "U/L") } },
    expect = { decision = "withhold", dose = 150, alerts = { "transaminases-high" },
               need_data = {} } },
  { name = "platelets 120 x10^9/L: withhold (BSR 2017: below 140)",
    patient = R { labs = { platelets = lab(120, "x10E9/L") } },
    expect = { decision = "withhold", dose = 150, alerts = { "platelets-low" },
               need_data = {} } },
  { name = "eGFR 40: 75 % of 150 = 112.5 -> 100 mg/day",
    patient = R { labs = { egfr = lab(40, "mL/min/{1.73_m2}") } },
    expect = { decision = "adjust", dose = 100,
               alerts = { "renal-moderate", "renal-function-check" }, need_data = {} } },
  { name = "allopurinol planned: a quarter of 150 = 37.5 -> 25 mg/day",
    patient = R { medications = { { name = "Allopurinol", status = "planned",
                                    dose = "100 mg/d" } } },
    expect = { decision = "adjust", dose = 25, alerts = { "allopurinol-quarter-dose" },
               need_data = {} } },
  { name = "weight missing: need_data weight, no dose",
    patient = R { weight = scenario.NONE },
    expect = { decision = "need_data", dose = false, need_data = { "weight" } } },
  { name = "active on 100 mg/day: kept (within the band 70-175)",
    patient = R { azathioprine = { status = "active", dose = "100 mg/d",
                                   started = "2026-01-10", dose_since = "2026-02-01" } },
    expect = { decision = "proceed", dose = 100, alerts = {}, need_data = {} } },
  { name = "breastfeeding on the planned 150 mg/day: warning above 100 mg/day",
    patient = R { breastfeeding = true },
    expect = { decision = "proceed", dose = 150, alerts = { "breastfeeding-high-dose" },
               need_data = {} } },
}

describe("rheumatoid_arthritis protocol scenarios", function()
  it("has at least 15 scenarios", function()
    assert.is_true(#cases >= 15)
  end)

  it("loads with the label's band and the 6-week start", function()
    local p = scenario.protocol("rheumatoid_arthritis")
    assert.equal("base", p.extends)
    assert.equal(2.0, p.parameters.dose.mg_per_kg_per_day)
    assert.same({ 1.0, 2.5 }, { p.parameters.dose.band[1], p.parameters.dose.band[2] })
    assert.equal(1.0, p.parameters.titration.start_mg_per_kg_per_day)
    assert.equal(6, p.parameters.titration.start_weeks)
    assert.equal("V", p.references.fda_label_ra.confidence)
    assert.equal("R", p.references.ra_standard.confidence)
  end)

  scenario.run_cases(it, "rheumatoid_arthritis", cases)
end)

-- Scenario specs for the shipped protocol "base" (rules/base.lua, design §8 base column).
--
-- Each case: the patient (spec/support/scenario.lua's complete naive 70 kg patient, TPMT
-- and NUDT15 *1/*1, baseline labs 11 days old, plus the changes shown), the expected
-- decision, dose (mg/day; false = no dose), alert ids, need_data, and a comment with the
-- hand calculation and the source it encodes. Dose conventions (clinical reference §7,
-- docs/dose-maths.md): 25 mg deliverable step (25 mg and scored 50 mg tablets); the
-- standard dose is rounded nearest-in-band; the PGx percentage is of the unrounded
-- standard dose, nearest within its own band; reductions, fractions and caps round down.
--
-- Base standard dose: 2.0 mg/kg/day, band 2.0-2.5 (CPIC 2025 "e.g. 2 mg/kg/day"; US label
-- maximum 2.5). 70 kg: 140 exact, band 140-175, deliverable in band 150 and 175 -> 150.

local S = require "spec.support.scenario"
local lab, NONE = S.lab, S.NONE

local PROTOCOL = "base"

local function P(changes)
  return S.patient(changes)
end

local function med(name, status, extra)
  local m = { name = name, status = status or "active" }
  for k, v in pairs(extra or {}) do
    m[k] = v
  end
  return m
end

local cases = {
  -- {=== pharmacogenomics ===
  {
    -- 70 kg x 2.0 = 140; band 140-175; nearest deliverable in band 150 (10 away; 175 is 35).
    -- CPIC 2025 Table 4: both normal -> standard dose.
    name = "normal/normal naive 70 kg -> proceed 150 mg/day",
    patient = P(),
    expect = { decision = "proceed", dose = 150, alerts = {}, need_data = {},
               band = { 140, 175 } },
    extra = function(r)
      -- a start lists the protocol's schedule once (BSR 2017: 2-weekly until stable
      -- 6 weeks, monthly x 3, then 12-weekly), and no rule repeats it
      assert.equal(3, #r.monitoring)
      assert.same({ "2 wk", "1 mo", "12 wk" },
                  { r.monitoring[1].every, r.monitoring[2].every, r.monitoring[3].every })
      for _, m in ipairs(r.monitoring) do
        assert.equal("protocol", m.source)
      end
    end,
  },
  {
    -- 176 [lb_av] x 0.45359237 = 79.832 kg; x 2.0 = 159.66; band 159.66-199.58; deliverable
    -- in band: 175 only (200 > 199.58) -> 175. Clinical reference §3.3 (lb -> kg).
    name = "weight in [lb_av]: 176 lb -> 175 mg/day",
    patient = P { weight = "176 [lb_av]" },
    expect = { decision = "proceed", dose = 175, alerts = {}, need_data = {} },
  },
  {
    -- TPMT *1/*3A = normal + no function = intermediate. 50 % of 140 = 70; band 30-80 % =
    -- 42-112; deliverable 50, 75, 100; nearest 70 -> 75. CPIC 2025 T4 (30-80 %), DPWG 50 %.
    name = "TPMT intermediate naive -> adjust 75 mg/day (50 % of 140, band 42-112)",
    patient = P { genotype = { TPMT = "*1/*3A", NUDT15 = "*1/*1" } },
    expect = { decision = "adjust", dose = 75, alerts = { "pgx-one-intermediate" },
               need_data = {}, band = { 42, 112 } },
  },
  {
    -- NUDT15 *1/*3 (no function) = intermediate, TPMT normal: same 50 % rule -> 75.
    name = "NUDT15 intermediate, TPMT normal -> adjust 75 mg/day",
    patient = P { genotype = { TPMT = "*1/*1", NUDT15 = "*1/*3" } },
    expect = { decision = "adjust", dose = 75, alerts = { "pgx-one-intermediate" },
               need_data = {} },
  },
  {
    -- TPMT *3A/*8 = no function + uncertain = possible intermediate (CPIC treats as IM)
    -- -> the same 50 % rule -> 75.
    name = "TPMT possible intermediate (*3A/*8) -> adjust 75 mg/day",
    patient = P { genotype = { TPMT = "*3A/*8", NUDT15 = "*1/*1" } },
    expect = { decision = "adjust", dose = 75, alerts = { "pgx-one-intermediate" },
               need_data = {} },
  },
  {
    -- Both IM: 30 % of 140 = 42; band 20-50 % = 28-70; deliverable in band: 50 only
    -- (25 < 28, 75 > 70) -> 50. CPIC 2025 T4 (20-50 %, moderate); 30 % point: aza default.
    name = "TPMT and NUDT15 both intermediate -> adjust 50 mg/day (30 %, band 28-70)",
    patient = P { genotype = { TPMT = "*1/*3A", NUDT15 = "*1/*3" } },
    expect = { decision = "adjust", dose = 50, alerts = { "pgx-both-intermediate" },
               need_data = {}, band = { 28, 70 } },
  },
  {
    -- TPMT *3A/*3C = no function x2 = poor. CPIC 2025: non-thiopurine alternative.
    name = "TPMT poor -> contraindicated, no dose",
    patient = P { genotype = { TPMT = "*3A/*3C", NUDT15 = "*1/*1" } },
    expect = { decision = "contraindicated", dose = false, alerts = { "tpmt-poor" } },
  },
  {
    -- NUDT15 *3/*3 = poor -> contraindicated (CPIC 2025: no reduced-dose fallback).
    name = "NUDT15 poor -> contraindicated, no dose",
    patient = P { genotype = { TPMT = "*1/*1", NUDT15 = "*3/*3" } },
    expect = { decision = "contraindicated", dose = false, alerts = { "nudt15-poor" } },
  },
  {
    -- No TPMT result at all -> need_data tpmt (design §8); the dose shown is the unreduced
    -- 150 (weight known), the decision says it may not be given yet.
    name = "TPMT not tested -> need_data tpmt",
    patient = P { genotype = { NUDT15 = "*1/*1" } },
    expect = { decision = "need_data", dose = 150, alerts = { "tpmt-not-tested" },
               need_data = { "tpmt" } },
  },
  {
    -- TPMT *1/*8 (normal + uncertain) = indeterminate (CPIC) -> ask for TPMT activity
    -- (CPIC April 2020 addendum).
    name = "TPMT indeterminate genotype -> need_data tpmt_activity",
    patient = P { genotype = { TPMT = "*1/*8", NUDT15 = "*1/*1" } },
    expect = { decision = "need_data", dose = 150, alerts = { "tpmt-indeterminate" },
               need_data = { "tpmt_activity" } },
  },
  {
    -- Indeterminate genotype + St Thomas' activity 18 nmol/h/g Hb (10-25 = carrier) ->
    -- intermediate from the activity (design §8: activity used when no determinate
    -- genotype) -> 50 % -> 75.
    name = "TPMT indeterminate genotype + activity 18 -> intermediate, adjust 75",
    patient = P { genotype = { TPMT = "*1/*8", NUDT15 = "*1/*1" },
                  tpmt_activity = { value = 18, unit = "nmol/h/g{Hb}", method = "st_thomas",
                                    date = "2026-10-02" } },
    expect = { decision = "adjust", dose = 75, alerts = { "pgx-one-intermediate" },
               need_data = {} },
  },
  {
    -- Conflict: genotype *1/*1 (normal) but activity 8 (< 10 = deficient/poor). The product
    -- refuses to choose: need_data tpmt with a critical alert; the patient reader's warning
    -- names both results.
    name = "conflicting TPMT: genotype normal, activity low -> need_data, no guess",
    patient = P { tpmt_activity = { value = 8, unit = "nmol/h/g{Hb}", method = "st_thomas",
                                    date = "2026-10-02" } },
    expect = { decision = "need_data", alerts = { "tpmt-conflict" }, need_data = { "tpmt" } },
    extra = function(r)
      local text
      for _, w in ipairs(r.warnings) do
        if w.path == "tpmt.phenotype" then
          text = w.message
        end
      end
      assert.truthy(text and text:find("genotype *1/*1", 1, true), "genotype named")
      assert.truthy(text and text:find("activity 8 nmol/h/g{Hb}", 1, true), "activity named")
      for _, t in ipairs(r.trace) do
        if t.kind == "rule" and t.rule == "tpmt-conflict" then
          assert.equal("true", t.outcome)
          assert.truthy(t.facts["tpmt.conflict"].given:find("poor", 1, true))
        end
      end
    end,
  },
  {
    -- Activity only, sampled 2026-10-02, 31 days after a transfusion on 2026-09-01 (< 120
    -- days, S-Lab: previous 4 months) -> not usable -> need_data tpmt with the transfusion
    -- alert (not the "not tested" one).
    name = "TPMT activity within 120 days of a transfusion -> need_data tpmt",
    patient = P { genotype = { NUDT15 = "*1/*1" }, transfusion_date = "2026-09-01",
                  tpmt_activity = { value = 30, unit = "nmol/h/g{Hb}", method = "st_thomas",
                                    date = "2026-10-02" } },
    expect = { decision = "need_data", alerts = { "tpmt-activity-after-transfusion" },
               need_data = { "tpmt" } },
  },
  {
    -- Activity only, 274 days after the transfusion (2026-01-01 -> 2026-10-02): valid;
    -- 30 nmol/h/g Hb is in 26-50 = normal -> proceed 150.
    name = "TPMT activity long after a transfusion is used -> proceed 150",
    patient = P { genotype = { NUDT15 = "*1/*1" }, transfusion_date = "2026-01-01",
                  tpmt_activity = { value = 30, unit = "nmol/h/g{Hb}", method = "st_thomas",
                                    date = "2026-10-02" } },
    expect = { decision = "proceed", dose = 150, alerts = {}, need_data = {} },
  },
  {
    -- NUDT15 *1/*5 (normal + uncertain) = indeterminate: standard dose, warning, weekly FBC
    -- for 4 weeks (CPIC 2020: monitor closely; weekly x4: aza default).
    name = "NUDT15 indeterminate -> proceed 150, warning and weekly FBC",
    patient = P { genotype = { TPMT = "*1/*1", NUDT15 = "*1/*5" } },
    expect = { decision = "proceed", dose = 150, alerts = { "nudt15-indeterminate" },
               need_data = {}, monitoring = { "nudt15-indeterminate" } },
    extra = function(r)
      local weekly
      for _, m in ipairs(r.monitoring) do
        if m.id == "nudt15-indeterminate" then
          weekly = m
        end
      end
      assert.equal(7, weekly.every_days)
      assert.equal(4, weekly.weeks)
    end,
  },
  {
    -- NUDT15 not tested (not East Asian), TPMT normal: standard dose, warning (design §8)
    -- and, as CPIC says "monitor closely", the weekly FBC for 4 weeks that NUDT15
    -- indeterminate gets (aza default schedule).
    name = "NUDT15 not tested -> proceed 150 with a warning and weekly FBC for 4 weeks",
    patient = P { genotype = { TPMT = "*1/*1" } },
    expect = { decision = "proceed", dose = 150, alerts = { "nudt15-not-tested" },
               need_data = {}, monitoring = { "nudt15-not-tested" } },
    extra = function(r)
      local weekly
      for _, m in ipairs(r.monitoring) do
        if m.id == "nudt15-not-tested" then
          weekly = m
        end
      end
      assert.same({ "fbc" }, weekly.tests)
      assert.equal(7, weekly.every_days)
      assert.equal(4, weekly.weeks)
    end,
  },
  {
    -- NUDT15 not tested, East Asian ancestry -> need_data nudt15 (CPIC, DPWG 2025
    -- "essential").
    name = "NUDT15 not tested, East Asian ancestry -> need_data nudt15",
    patient = P { genotype = { TPMT = "*1/*1" }, ancestry = { "east_asian" } },
    expect = { decision = "need_data", dose = 150,
               alerts = { "nudt15-not-tested", "nudt15-not-tested-east-asian" },
               need_data = { "nudt15" } },
  },
  {
    -- TPMT IM with NUDT15 indeterminate counts as one IM (CPIC: IM dose plus close
    -- monitoring) -> 75, plus the NUDT15 indeterminate warning.
    name = "TPMT intermediate + NUDT15 indeterminate -> adjust 75 and weekly FBC",
    patient = P { genotype = { TPMT = "*1/*3A", NUDT15 = "*1/*5" } },
    expect = { decision = "adjust", dose = 75,
               alerts = { "pgx-one-intermediate", "nudt15-indeterminate" }, need_data = {} },
  },
  {
    -- Already on 75 mg/day, TPMT IM: the rule fires for an active patient too; its band is
    -- 30-80 % of the weight-based standard 140 = 42-112; 75 is within -> kept, proceed.
    name = "active TPMT intermediate on 75 mg/day -> proceed 75 (within 42-112)",
    patient = P { genotype = { TPMT = "*1/*3A", NUDT15 = "*1/*1" },
                  azathioprine = { status = "active", dose = "75 mg/d",
                                   started = "2026-01-10" } },
    expect = { decision = "proceed", dose = 75, alerts = { "pgx-one-intermediate" },
               need_data = {} },
  },
  {
    -- Already on 150 mg/day when the TPMT IM result arrives: 150 > 112 (top of 42-112) ->
    -- 50 % of 140 = 70 -> nearest deliverable in 42-112: 75 -> adjust 75.
    name = "active TPMT intermediate on 150 mg/day -> adjust 75 mg/day",
    patient = P { genotype = { TPMT = "*1/*3A", NUDT15 = "*1/*1" },
                  azathioprine = { status = "active", dose = "150 mg/d",
                                   started = "2026-01-10" } },
    expect = { decision = "adjust", dose = 75, alerts = { "pgx-one-intermediate" },
               need_data = {} },
  },
  {
    -- Both IM on 175: band 20-50 % of 140 = 28-70; 175 > 70 -> 30 % of 140 = 42 ->
    -- deliverable in 28-70: 50 only -> adjust 50.
    name = "active both intermediate on 175 mg/day -> adjust 50 mg/day",
    patient = P { genotype = { TPMT = "*1/*3A", NUDT15 = "*1/*3" },
                  azathioprine = { status = "active", dose = "175 mg/d",
                                   started = "2026-01-10" } },
    expect = { decision = "adjust", dose = 50, alerts = { "pgx-both-intermediate" },
               need_data = {} },
  },
  {
    -- NUDT15 *10 is in no table: unknown function. *2 (no function) + unknown = possible
    -- intermediate (CPIC, treated as IM) -> 50 % of 140 = 70 -> 75 (band 42-112). Before
    -- the fix *10 made the diplotype indeterminate: the full 150 mg/day.
    name = "NUDT15 *2/*10 (unlisted *10) -> possible IM, adjust 75 mg/day",
    patient = P { genotype = { TPMT = "*1/*1", NUDT15 = "*2/*10" } },
    expect = { decision = "adjust", dose = 75, alerts = { "pgx-one-intermediate" },
               need_data = {}, band = { 42, 112 } },
    extra = function(r)
      local noted = false
      for _, t in ipairs(r.trace) do
        if t.kind == "input" and t.fact == "nudt15.phenotype"
          and t.message:find("*10 is not in the CPIC", 1, true) then
          noted = true
        end
      end
      assert.is_true(noted, "a note names the unlisted allele")
    end,
  },
  {
    -- normal + unknown = indeterminate -> standard dose with the NUDT15 warning.
    name = "NUDT15 *1/*10 (unlisted *10) -> indeterminate, proceed 150 with warning",
    patient = P { genotype = { TPMT = "*1/*1", NUDT15 = "*1/*10" } },
    expect = { decision = "proceed", dose = 150, alerts = { "nudt15-indeterminate" },
               need_data = {} },
  },
  {
    -- TPMT *42 unlisted: *3A (no function) + unknown = possible IM -> 75.
    name = "TPMT *3A/*42 (unlisted *42) -> possible IM, adjust 75 mg/day",
    patient = P { genotype = { TPMT = "*3A/*42", NUDT15 = "*1/*1" } },
    expect = { decision = "adjust", dose = 75, alerts = { "pgx-one-intermediate" },
               need_data = {} },
  },
  {
    -- Mayo-type activity 30 U/mL (above 15.1-26.4; the reference gives no band above):
    -- indeterminate FROM the activity test -> ask for TPMT (interpretation or genotype),
    -- not for another activity test.
    name = "TPMT activity above every Mayo band (30 U/mL) -> need_data tpmt, own wording",
    patient = P { genotype = { NUDT15 = "*1/*1" },
                  tpmt_activity = { value = 30, unit = "U/mL{RBC}", method = "mayo",
                                    date = "2026-10-02" } },
    expect = { decision = "need_data", alerts = { "tpmt-activity-unclassified" },
               need_data = { "tpmt" } },
    extra = function(r)
      assert.is_nil(r.alerts[1].message:find("request an erythrocyte TPMT activity", 1, true))
      assert.matches("Ask the laboratory", r.alerts[1].message)
    end,
  },
  {
    -- Indeterminate genotype AND an unclassifiable activity: still the activity wording.
    name = "TPMT *1/*8 and Mayo activity 30 U/mL -> tpmt-activity-unclassified",
    patient = P { genotype = { TPMT = "*1/*8", NUDT15 = "*1/*1" },
                  tpmt_activity = { value = 30, unit = "U/mL{RBC}", method = "mayo",
                                    date = "2026-10-02" } },
    expect = { decision = "need_data", alerts = { "tpmt-activity-unclassified" },
               need_data = { "tpmt" } },
  },
  {
    -- NUDT15 genotype *1/*1 (normal) but the lab reports "intermediate": refuse to choose.
    name = "conflicting NUDT15: genotype normal, reported intermediate -> need_data",
    patient = P { phenotype = { NUDT15 = "intermediate" } },
    expect = { decision = "need_data", alerts = { "nudt15-conflict" },
               need_data = { "nudt15" } },
  },
  -- }===

  -- {=== interactions ===
  {
    -- Naive, allopurinol planned: 150 x 0.25 = 37.5 -> round down -> 25 (SmPC quarter dose).
    name = "allopurinol planned, naive -> adjust 25 mg/day (150 x 0.25 = 37.5, down)",
    patient = P { medications = { med("Allopurinol", "planned", { dose = "100 mg/d" }) } },
    expect = { decision = "adjust", dose = 25, alerts = { "allopurinol-quarter-dose" },
               need_data = {} },
  },
  {
    -- Active on 150 mg/day, allopurinol given only by ATC code M04AA01: current dose
    -- 150 x 0.25 = 37.5 -> 25 (design §8 worked example).
    name = "active 150 mg/day + allopurinol by ATC code -> adjust 25 mg/day",
    -- allopurinol started 2026-11-01, after the current dose was set (2026-02-01)
    patient = P { azathioprine = { status = "active", dose = "150 mg/d",
                                   started = "2026-01-10", dose_since = "2026-02-01" },
                  medications = { med("Zyloric", "active", { atc = "M04AA01",
                                                             started = "2026-11-01" }) } },
    expect = { decision = "adjust", dose = 25, alerts = { "allopurinol-quarter-dose" },
               need_data = {} },
  },
  -- Allopurinol co-therapy for a patient already on azathioprine (issue "clinical
  -- correctness, round 2", item 2; SmPC: a quarter of the dose when allopurinol is given
  -- with azathioprine). The cut belongs to the moment allopurinol joins the dose: a dose set
  -- while allopurinol was already taken was chosen with it and is kept.
  {
    -- stable on 50 mg/day, the dose set (2026-06-01) after allopurinol was started
    -- (2026-03-01): kept at 50, warning (FBC at every change); not 12.5 -> withhold
    name = "active 50 mg/day, dose set after allopurinol started -> kept, proceed 50",
    patient = P { azathioprine = { status = "active", dose = "50 mg/d",
                                   started = "2025-10-01", dose_since = "2026-06-01" },
                  medications = { med("allopurinol", "active", { started = "2026-03-01" }) } },
    expect = { decision = "proceed", dose = 50, alerts = { "allopurinol-dose-set-with-it" },
               need_data = {} },
  },
  {
    -- the same day counts as "set with it" (started on or before dose_since)
    name = "active 100 mg/day, allopurinol started the day the dose was set -> kept 100",
    patient = P { azathioprine = { status = "active", dose = "100 mg/d",
                                   started = "2025-10-01", dose_since = "2026-06-01" },
                  medications = { med("allopurinol", "active", { started = "2026-06-01" }) } },
    expect = { decision = "proceed", dose = 100, alerts = { "allopurinol-dose-set-with-it" },
               need_data = {} },
  },
  {
    -- allopurinol started (2026-11-01) after the dose was set (2026-06-01): 100 x 0.25 = 25
    name = "active 100 mg/day, allopurinol started after the dose was set -> adjust 25",
    patient = P { azathioprine = { status = "active", dose = "100 mg/d",
                                   started = "2025-10-01", dose_since = "2026-06-01" },
                  medications = { med("allopurinol", "active", { started = "2026-11-01" }) } },
    expect = { decision = "adjust", dose = 25, alerts = { "allopurinol-quarter-dose" },
               need_data = {} },
  },
  {
    -- newly started with 50 mg/day: 50 x 0.25 = 12.5, nothing deliverable at or below it
    -- with 25 mg tablets -> no dose, withhold (the cut is right; the formulary cannot make it)
    name = "active 50 mg/day, allopurinol started after -> 12.5 not deliverable, withhold",
    patient = P { azathioprine = { status = "active", dose = "50 mg/d",
                                   started = "2025-10-01", dose_since = "2026-06-01" },
                  medications = { med("allopurinol", "active", { started = "2026-11-01" }) } },
    expect = { decision = "withhold", dose = false,
               alerts = { "allopurinol-quarter-dose", "no-deliverable-dose" }, need_data = {} },
  },
  {
    -- when allopurinol started is not given: no guessed cut, need_data; the current dose
    -- 150 stands meanwhile
    name = "active 150 mg/day + allopurinol without a start date -> need_data, no cut",
    patient = P { azathioprine = { status = "active", dose = "150 mg/d",
                                   started = "2025-10-01", dose_since = "2026-06-01" },
                  medications = { med("allopurinol", "active") } },
    expect = { decision = "need_data", dose = 150, alerts = { "allopurinol-started-unknown" },
               need_data = { "allopurinol.started" } },
  },
  {
    name = "active 150 mg/day + allopurinol, dose_since not given -> need_data, no cut",
    patient = P { azathioprine = { status = "active", dose = "150 mg/d",
                                   started = "2025-10-01" },
                  medications = { med("allopurinol", "active", { started = "2026-03-01" }) } },
    expect = { decision = "need_data", dose = 150,
               alerts = { "azathioprine-dose-since-unknown" },
               need_data = { "azathioprine.dose_since" } },
  },
  {
    -- planned (not yet taken) on 100 mg/day: 100 x 0.25 = 25, as before
    name = "active 100 mg/day, allopurinol planned -> adjust 25",
    patient = P { azathioprine = { status = "active", dose = "100 mg/d",
                                   started = "2025-10-01" },
                  medications = { med("allopurinol", "planned") } },
    expect = { decision = "adjust", dose = 25, alerts = { "allopurinol-quarter-dose" },
               need_data = {} },
  },
  {
    -- TPMT IM (75) then allopurinol: 75 x 0.25 = 18.75; nothing deliverable <= 18.75 with
    -- 25 mg tablets -> no dose, withhold (docs/dose-maths.md §7; never a made-up number).
    name = "TPMT intermediate + allopurinol -> no deliverable dose, withhold",
    patient = P { genotype = { TPMT = "*1/*3A", NUDT15 = "*1/*1" },
                  medications = { med("allopurinol", "planned") } },
    expect = { decision = "withhold", dose = false,
               alerts = { "pgx-one-intermediate", "allopurinol-quarter-dose",
                          "no-deliverable-dose" } },
  },
  {
    -- Febuxostat -> contraindicated (design §8; US label "not recommended" [V]).
    name = "febuxostat -> contraindicated",
    patient = P { medications = { med("Febuxostat 80 mg") } },
    expect = { decision = "contraindicated", dose = false,
               alerts = { "febuxostat-contraindicated" } },
  },
  {
    -- Ramipril by name -> ACE inhibitor class: warning, FBC at 2 and 4 weeks; dose 150.
    name = "ACE inhibitor by name (ramipril) -> proceed 150 with warning",
    patient = P { medications = { med("Ramipril 5 mg") } },
    expect = { decision = "proceed", dose = 150, alerts = { "ace-inhibitor-caution" },
               need_data = {}, monitoring = { "ace-inhibitor-caution" } },
  },
  {
    -- A combination product known only by its ATC code C09BB04 (perindopril and
    -- amlodipine): prefix C09B -> ACE inhibitor class.
    name = "ACE inhibitor combination by ATC prefix C09B -> warning",
    patient = P { medications = { med("Coveram", "active", { atc = "C09BB04" }) } },
    expect = { decision = "proceed", dose = 150, alerts = { "ace-inhibitor-caution" } },
  },
  {
    name = "warfarin sodium -> INR warning",
    patient = P { medications = { med("Warfarin sodium 3 mg") } },
    expect = { decision = "proceed", dose = 150, alerts = { "coumarin-inr" } },
  },
  {
    name = "trimethoprim/sulfamethoxazole -> co-trimoxazole FBC warning",
    patient = P { medications = { med("Trimethoprim/Sulfamethoxazole", "planned") } },
    expect = { decision = "proceed", dose = 150, alerts = { "co-trimoxazole-fbc" } },
  },
  {
    -- topiroxostat: a xanthine-oxidase inhibitor the sources give no dose for -> withhold.
    name = "topiroxostat -> withhold for specialist review",
    patient = P { medications = { med("topiroxostat", "planned") } },
    expect = { decision = "withhold", alerts = { "xanthine-oxidase-inhibitor-other" } },
  },
  {
    -- A stopped medication is not an interaction.
    name = "stopped allopurinol is ignored -> proceed 150",
    patient = P { medications = { med("allopurinol", "stopped") } },
    expect = { decision = "proceed", dose = 150, alerts = {} },
  },
  {
    name = "live vaccine planned (yellow fever) -> critical alert",
    patient = P { vaccines_planned = { "Yellow fever" } },
    expect = { decision = "proceed", dose = 150, alerts = { "live-vaccine-planned" } },
  },
  {
    name = "shingles vaccine without product -> confirm it is not live",
    patient = P { vaccines_planned = { "shingles vaccine" } },
    expect = { decision = "proceed", dose = 150, alerts = { "vaccine-live-status-unclear" } },
  },
  -- }===

  -- {=== contraindications ===
  {
    name = "allergy to 6-mercaptopurine -> contraindicated",
    patient = P { allergies = { "6-Mercaptopurine" } },
    expect = { decision = "contraindicated", dose = false,
               alerts = { "azathioprine-allergy" } },
  },
  {
    name = "active malignancy -> withhold for specialist review",
    patient = P { conditions = { "active_malignancy" } },
    expect = { decision = "withhold", dose = 150, alerts = { "active-malignancy" } },
  },
  -- }===

  -- {=== laboratory thresholds (BSR 2017) and unit variants ===
  {
    -- 3200 /uL = 3.2 x10^9/L (clinical reference §3.3) < 3.5 -> withhold.
    name = "WBC 3200 /uL (= 3.2 x10^9/L) -> withhold",
    patient = P { labs = { wbc = lab(3200, "/uL") } },
    expect = { decision = "withhold", alerts = { "wbc-low" } },
  },
  {
    -- 3.5 x10^3/uL = 3.5 x10^9/L: not below 3.5 -> proceed (boundary).
    name = "WBC 3.5 10*3/uL (boundary) -> proceed",
    patient = P { labs = { wbc = lab(3.5, "10*3/uL") } },
    expect = { decision = "proceed", dose = 150, alerts = {} },
  },
  {
    name = "neutrophils 1.5 -> withhold (BSR < 1.6)",
    patient = P { labs = { neutrophils = lab(1.5, "10*9/L") } },
    expect = { decision = "withhold", alerts = { "neutrophils-low" } },
  },
  {
    -- base keeps the BSR threshold: 1.8 is not below 1.6 (ibd withholds it).
    name = "neutrophils 1.8 -> proceed under base",
    patient = P { labs = { neutrophils = lab(1.8, "10*9/L") } },
    expect = { decision = "proceed", dose = 150, alerts = {} },
  },
  {
    name = "lymphocytes 0.4 -> withhold (BSR < 0.5, unverified)",
    patient = P { labs = { lymphocytes = lab(0.4, "10*9/L") } },
    expect = { decision = "withhold", alerts = { "lymphocytes-low" } },
  },
  {
    name = "eosinophils 0.6 -> withhold (BSR > 0.5)",
    patient = P { labs = { eosinophils = lab(0.6, "10*9/L") } },
    expect = { decision = "withhold", alerts = { "eosinophils-high" } },
  },
  {
    name = "platelets 139 -> withhold; 140 is the boundary",
    patient = P { labs = { platelets = lab(139, "10*9/L") } },
    expect = { decision = "withhold", alerts = { "platelets-low" } },
  },
  {
    name = "platelets 140 -> proceed",
    patient = P { labs = { platelets = lab(140, "10*9/L") } },
    expect = { decision = "proceed", dose = 150, alerts = {} },
  },
  {
    -- IU/L is the enzyme unit U/L for ALT (clinical reference §3.3): 101 IU/L > 100 U/L.
    name = "ALT 101 IU/L -> withhold",
    patient = P { labs = { alt = lab(101, "IU/L") } },
    expect = { decision = "withhold", alerts = { "transaminases-high" } },
  },
  {
    name = "AST 100 U/L (boundary) -> proceed",
    patient = P { labs = { ast = lab(100, "U/L") } },
    expect = { decision = "proceed", dose = 150, alerts = {} },
  },
  {
    -- 2.8 g/dL x 10 = 28 g/L < 30 -> withhold.
    name = "albumin 2.8 g/dL (= 28 g/L) -> withhold",
    patient = P { labs = { albumin = lab(2.8, "g/dL") } },
    expect = { decision = "withhold", alerts = { "albumin-low" } },
  },
  {
    name = "MCV 106 fL -> warning only",
    patient = P { labs = { mcv = lab(106, "fL") } },
    expect = { decision = "proceed", dose = 150, alerts = { "mcv-high" } },
  },
  {
    -- eGFR 55 < 60: repeat U&E in 1 week (BSR); 55 > 50, so no renal reduction.
    name = "eGFR 55 -> renal check warning, proceed 150",
    patient = P { labs = { egfr = lab(55, "mL/min/{1.73_m2}") } },
    expect = { decision = "proceed", dose = 150, alerts = { "renal-function-check" },
               monitoring = { "renal-function-check" } },
  },
  {
    -- Creatinine 75 umol/L (2026-01-10) then 1.2 mg/dL (2026-11-10). 1.2 mg/dL = 12 mg/L /
    -- 113.12 g/mol = 106.08 umol/L; rise (106.08 - 75) / 75 = 41.4 % > 30 % within 12
    -- months -> warning (BSR 2017).
    name = "creatinine up 41 % in 12 months (mg/dL then umol/L) -> renal check warning",
    patient = P { labs = { creatinine = { lab(75, "umol/L", "2026-01-10"),
                                          lab(1.2, "mg/dL", "2026-11-10") } } },
    expect = { decision = "proceed", dose = 150, alerts = { "renal-function-check" } },
  },
  {
    -- 101.3 degF = (101.3 - 32) x 5/9 = 38.5 degC >= 38 -> withhold until FBC.
    name = "temperature 101.3 [degF] (38.5 degC) -> withhold",
    patient = P { labs = { temperature = lab(101.3, "[degF]", "2026-11-21") } },
    expect = { decision = "withhold", alerts = { "fever-or-symptoms" } },
  },
  {
    -- 100.2 degF = 37.9 degC < 38 -> no fever rule.
    name = "temperature 100.2 [degF] (37.9 degC) -> proceed",
    patient = P { labs = { temperature = lab(100.2, "[degF]", "2026-11-21") } },
    expect = { decision = "proceed", dose = 150, alerts = {} },
  },
  {
    name = "sore throat -> withhold until FBC",
    patient = P { symptoms = { "Sore throat" } },
    expect = { decision = "withhold", alerts = { "fever-or-symptoms" } },
  },
  -- }===

  -- {=== baseline, missing data, active versus naive ===
  {
    -- FBC dated 2026-10-20 = 32 days before 2026-11-21 > 28 -> need_data fbc.
    name = "baseline FBC 32 days old -> need_data fbc",
    patient = P { labs = { wbc = lab(6, "10*9/L", "2026-10-20"),
                           neutrophils = lab(4, "10*9/L", "2026-10-20"),
                           platelets = lab(250, "10*9/L", "2026-10-20") } },
    expect = { decision = "need_data", dose = 150, alerts = { "baseline-fbc" },
               need_data = { "fbc" } },
  },
  {
    -- 2026-10-24 is exactly 28 days before: "no older than 28 days" -> fine.
    name = "baseline FBC exactly 28 days old -> proceed",
    patient = P { labs = { wbc = lab(6, "10*9/L", "2026-10-24"),
                           neutrophils = lab(4, "10*9/L", "2026-10-24"),
                           platelets = lab(250, "10*9/L", "2026-10-24") } },
    expect = { decision = "proceed", dose = 150, alerts = {} },
  },
  {
    name = "no ALT or AST -> need_data lft",
    patient = P { labs = { alt = NONE, ast = NONE } },
    expect = { decision = "need_data", alerts = { "baseline-lft" }, need_data = { "lft" } },
  },
  {
    -- An active patient needs no baseline: old labs do not block; dose = current 150.
    name = "active patient with 6-month-old labs -> proceed on the current dose",
    patient = P { azathioprine = { status = "active", dose = "150 mg/d",
                                   started = "2025-01-10" },
                  labs = { wbc = lab(6, "10*9/L", "2026-05-20"),
                           neutrophils = lab(4, "10*9/L", "2026-05-20"),
                           platelets = lab(250, "10*9/L", "2026-05-20"),
                           alt = lab(25, "U/L", "2026-05-20"),
                           ast = lab(22, "U/L", "2026-05-20") } },
    -- started 2025-01-10, no dose_since: 97 weeks on the dose -> the last stage of the
    -- BSR schedule (2-weekly for 6 weeks, monthly x 3 = to week 19.04, then 12-weekly)
    expect = { decision = "proceed", dose = 150, alerts = {}, need_data = {},
               monitoring = { { id = "protocol", every = "12 wk" } } },
  },
  {
    -- started 2026-11-07: 2 weeks < 6 -> the first stage, every 2 weeks, and the stages
    -- after it (one model: data.monitoring, as for a start)
    name = "active patient 2 weeks after starting -> every 2 weeks, not 12-weekly",
    patient = P { azathioprine = { status = "active", dose = "150 mg/d",
                                   started = "2026-11-07" } },
    expect = { decision = "proceed", dose = 150, alerts = {}, need_data = {},
               monitoring = { { id = "protocol", every = "2 wk" } } },
    extra = function(r)
      assert.equal(3, #r.monitoring)
      assert.equal(14, r.monitoring[1].every_days)
      assert.equal(2, r.monitoring[1].weeks_on_dose)
      assert.equal("azathioprine.started", r.monitoring[1].counted_from)
    end,
  },
  {
    -- started 2026-07-12: 132 days = 18.86 weeks: past 6, before 6 + 3 months (30.4375 d
    -- each: 19.04 weeks) -> the monthly stage
    name = "active patient at 18.9 weeks -> monthly (the 3 monthly checks)",
    patient = P { azathioprine = { status = "active", dose = "150 mg/d",
                                   started = "2026-07-12" } },
    expect = { decision = "proceed", dose = 150, alerts = {},
               monitoring = { { id = "protocol", every = "1 mo" } } },
  },
  {
    -- started 2026-07-10: 134 days = 19.14 weeks > 19.04 -> every 12 weeks
    name = "active patient at 19.1 weeks -> every 12 weeks",
    patient = P { azathioprine = { status = "active", dose = "150 mg/d",
                                   started = "2026-07-10" } },
    expect = { decision = "proceed", dose = 150, alerts = {},
               monitoring = { { id = "protocol", every = "12 wk" } } },
    extra = function(r)
      assert.equal(1, #r.monitoring)
      assert.equal(84, r.monitoring[1].every_days)
    end,
  },
  {
    -- dose_since counts: started long ago, the dose changed 3 weeks ago -> every 2 weeks
    name = "active patient whose dose was set 3 weeks ago -> every 2 weeks again",
    patient = P { azathioprine = { status = "active", dose = "150 mg/d",
                                   started = "2025-01-10", dose_since = "2026-10-31" } },
    expect = { decision = "proceed", dose = 150, alerts = {},
               monitoring = { { id = "protocol", every = "2 wk" } } },
    extra = function(r)
      assert.equal("azathioprine.dose_since", r.monitoring[1].counted_from)
    end,
  },
  {
    -- no start date: the stage cannot be known -> the whole schedule, with a warning
    name = "active patient without a start date -> the whole schedule, with a warning",
    patient = P { azathioprine = { status = "active", dose = "150 mg/d" } },
    expect = { decision = "proceed", dose = 150, alerts = {},
               monitoring = { { id = "protocol", every = "2 wk" } } },
    extra = function(r)
      assert.equal(3, #r.monitoring)
      local warned = false
      for _, w in ipairs(r.warnings) do
        warned = warned or w.path == "azathioprine.dose_since"
      end
      assert.is_true(warned)
    end,
  },
  {
    name = "active patient without a current dose -> need_data azathioprine.dose",
    patient = P { azathioprine = { status = "active", started = "2026-01-10" } },
    expect = { decision = "need_data", dose = false, alerts = { "active-dose-missing" },
               need_data = { "azathioprine.dose" } },
  },
  {
    name = "weight missing -> need_data weight, no dose",
    patient = P { weight = NONE },
    expect = { decision = "need_data", dose = false, need_data = { "weight" } },
  },
  {
    name = "azathioprine status missing -> need_data azathioprine.status",
    patient = P { azathioprine = NONE },
    expect = { decision = "need_data", need_data = { "azathioprine.status" } },
  },
  -- }===

  -- {=== renal, pregnancy, lactation, exposure ===
  {
    -- eGFR 40 (10-50): 150 x 0.75 = 112.5 -> down -> 100 (renal handbook, unverified);
    -- eGFR < 60 also gives the BSR check.
    name = "eGFR 40 -> 75 % -> adjust 100 mg/day",
    patient = P { labs = { egfr = lab(40, "mL/min/{1.73_m2}") } },
    expect = { decision = "adjust", dose = 100,
               alerts = { "renal-function-check", "renal-moderate" } },
  },
  {
    -- Active on 150 mg/day with eGFR 40: 75 % of the standard 150 = 112.5 is a ceiling;
    -- 150 is above it -> rounded down -> 100, adjust.
    name = "active on 150 mg/day, eGFR 40 -> adjust 100 mg/day (ceiling 112.5)",
    patient = P { labs = { egfr = lab(40, "mL/min/{1.73_m2}") },
                  azathioprine = { status = "active", dose = "150 mg/d",
                                   started = "2025-01-10" } },
    expect = { decision = "adjust", dose = 100,
               alerts = { "renal-function-check", "renal-moderate" } },
  },
  {
    -- Active on 100 mg/day with eGFR 40: ceiling 112.5 -> 100 is not above -> kept.
    name = "active on 100 mg/day, eGFR 40 -> proceed 100 (within the ceiling)",
    patient = P { labs = { egfr = lab(40, "mL/min/{1.73_m2}") },
                  azathioprine = { status = "active", dose = "100 mg/d",
                                   started = "2025-01-10" } },
    expect = { decision = "proceed", dose = 100,
               alerts = { "renal-function-check", "renal-moderate" } },
  },
  {
    -- Active on 150 mg/day, eGFR 8: ceiling 50 % of 150 = 75 -> 75, adjust.
    name = "active on 150 mg/day, eGFR 8 -> adjust 75 mg/day",
    patient = P { labs = { egfr = lab(8, "mL/min/{1.73_m2}") },
                  azathioprine = { status = "active", dose = "150 mg/d",
                                   started = "2025-01-10" } },
    expect = { decision = "adjust", dose = 75,
               alerts = { "renal-function-check", "renal-severe" } },
  },
  {
    -- CrCl 8 mL/min (< 10), no eGFR: 150 x 0.5 = 75 -> 75.
    name = "CrCl 8 mL/min -> 50 % -> adjust 75 mg/day",
    patient = P { labs = { egfr = NONE, crcl = lab(8, "mL/min") } },
    expect = { decision = "adjust", dose = 75, alerts = { "renal-severe" } },
  },
  {
    -- 60 kg: 120 exact, band 120-150, nearest 125; cap 2 mg/kg x 60 = 120 -> 125 > 120 ->
    -- round down -> 100 (EULAR 2024, NKSR: <= 2 mg/kg/day).
    name = "pregnant 60 kg -> cap 120 -> adjust 100 mg/day",
    patient = P { weight = "60 kg", pregnant = true },
    expect = { decision = "adjust", dose = 100, alerts = { "pregnancy-cap" } },
  },
  {
    -- 150 mg/day > 100 (NKSR) -> warning; no dose change.
    name = "breastfeeding on 150 mg/day -> warning",
    patient = P { breastfeeding = true,
                  azathioprine = { status = "active", dose = "150 mg/d",
                                   started = "2025-06-01" } },
    expect = { decision = "proceed", dose = 150, alerts = { "breastfeeding-high-dose" } },
  },
  {
    -- design §8: above 100 mg/day -> warning, for the planned dose too: the rule runs after
    -- the dose (phase "dose") and sees the planned 150 mg/day (70 kg x 2.0 -> 150)
    name = "breastfeeding, starting on a planned 150 mg/day -> warning",
    patient = P { breastfeeding = true },
    expect = { decision = "proceed", dose = 150, alerts = { "breastfeeding-high-dose" } },
    extra = function(r)
      local a = r.alerts[1]
      assert.equal("warning", a.severity)
      assert.equal("the standard dose (parameters.dose)", a.dose_from)
      local ran = false
      for _, t in ipairs(r.trace) do
        if t.kind == "rule" and t.rule == "breastfeeding-high-dose" then
          assert.equal("dose", t.phase)
          assert.equal(150, t.facts["dose.mg_per_day"].converted)
          ran = true
        end
      end
      assert.is_true(ran, "the trace shows the rule after the dose")
    end,
  },
  {
    -- 45 kg: 2.0 x 45 = 90, band 90-112.5 -> 100 mg/day: not above 100, no alert
    name = "breastfeeding, starting on a planned 100 mg/day (45 kg) -> no lactation alert",
    patient = P { breastfeeding = true, weight = "45 kg" },
    expect = { decision = "proceed", dose = 100, alerts = {} },
  },
  {
    -- on 200 mg/day at 60 kg: 3.33 mg/kg/day > 3 (SmPC range 1-3): the current dose stands
    -- (no rule changes it) and the safety net after the dose says so, critical
    name = "active 200 mg/day at 60 kg (3.33 mg/kg/day) -> critical alert, dose kept",
    patient = P { weight = "60 kg",
                  azathioprine = { status = "active", dose = "200 mg/d",
                                   started = "2025-06-01" } },
    expect = { decision = "proceed", dose = 200, alerts = { "dose-above-label-maximum" } },
    extra = function(r)
      assert.equal("critical", r.alerts[1].severity)
      assert.equal("the current dose (azathioprine.dose)", r.alerts[1].dose_from)
      assert.truthy(r.alerts[1].message:find("The dose came from the current dose", 1, true))
    end,
  },
  {
    -- active on 100 mg/day: not above 100 -> no lactation alert
    name = "breastfeeding on 100 mg/day -> no lactation alert",
    patient = P { breastfeeding = true,
                  azathioprine = { status = "active", dose = "100 mg/d",
                                   started = "2025-06-01" } },
    expect = { decision = "proceed", dose = 100, alerts = {} },
  },
  {
    name = "cumulative 620 g -> information alert",
    patient = P { azathioprine = { status = "active", dose = "150 mg/d",
                                   started = "2020-01-10", cumulative = "620 g" } },
    expect = { decision = "proceed", dose = 150, alerts = { "cumulative-exposure" } },
  },
  {
    -- started 2015-01-10: 11.9 years > 10 a (3652.5 d) -> information alert.
    name = "on azathioprine for 11.9 years -> information alert",
    patient = P { azathioprine = { status = "active", dose = "100 mg/d",
                                   started = "2015-01-10" } },
    expect = { decision = "proceed", dose = 100, alerts = { "cumulative-exposure" } },
  },
  -- }===

  -- {=== bad input: E_INPUT naming the JSON path, never a decision ===
  {
    name = "weight -70 kg -> E_INPUT weight",
    patient = P { weight = "-70 kg" },
    error = { code = "E_INPUT", path = "weight", message = "not a positive mass" },
  },
  {
    name = "weight 70 mg/kg -> E_INPUT weight",
    patient = P { weight = "70 mg/kg" },
    error = { code = "E_INPUT", path = "weight", message = "is not a mass" },
  },
  {
    -- labs are sorted by test name in the scenario patient: albumin is labs[1]
    name = "unknown unit -> E_INPUT labs[1].unit",
    patient = P { labs = { albumin = lab(40, "kgs") } },
    error = { code = "E_INPUT", path = "labs[1].unit", message = "kgs" },
  },
  {
    name = "a value that is not a number -> E_INPUT labs[1].value",
    patient = P { labs = { albumin = lab("abc", "g/L") } },
    error = { code = "E_INPUT", path = "labs[1].value", message = "not a number" },
  },
  {
    name = "impossible date -> E_INPUT birth_date",
    patient = P { birth_date = "2026-02-30" },
    error = { code = "E_INPUT", path = "birth_date", message = "not a calendar date" },
  },
  {
    name = "impossible lab date -> E_INPUT labs[1].date",
    patient = P { labs = { albumin = lab(40, "g/L", "2026-13-01") } },
    error = { code = "E_INPUT", path = "labs[1].date" },
  },
  {
    name = "unknown phenotype word -> E_INPUT phenotype.TPMT",
    patient = P { genotype = NONE, phenotype = { TPMT = "slow" } },
    error = { code = "E_INPUT", path = "phenotype.TPMT", message = "unknown phenotype word" },
  },
  {
    name = "diplotype that does not parse -> E_INPUT genotype.TPMT",
    patient = P { genotype = { TPMT = "*1/", NUDT15 = "*1/*1" } },
    error = { code = "E_INPUT", path = "genotype.TPMT" },
  },
  {
    -- IU/L is accepted only for enzyme tests (ALT, AST, ALP), never globally.
    name = "IU/L for albumin -> E_INPUT labs[1].unit",
    patient = P { labs = { albumin = lab(40, "IU/L") } },
    error = { code = "E_INPUT", path = "labs[1].unit" },
  },
  {
    name = "medication without status -> E_INPUT medications[1].status",
    patient = P { medications = { { name = "ramipril" } } },
    error = { code = "E_INPUT", path = "medications[1].status" },
  },
  {
    name = "unknown extra field -> ignored with a warning, still a decision",
    patient = P { favourite_colour = "blue" },
    expect = { decision = "proceed", dose = 150, alerts = {} },
    extra = function(r)
      local found = false
      for _, w in ipairs(r.warnings) do
        if w.path == "favourite_colour" then
          found = true
        end
      end
      assert.is_true(found)
    end,
  },
  -- }===
}

describe("protocol base: scenarios", function()
  S.run_cases(it, PROTOCOL, cases)

  it("has at least 25 scenarios", function()
    assert.is_true(#cases >= 25)
  end)
end)

describe("protocol base: every rule is exercised", function()
  it("fires every rule at least once over the scenarios", function()
    local fired = {}
    for _, case in ipairs(cases) do
      if case.expect then
        local r = assert(S.run(PROTOCOL, case))
        for _, t in ipairs(r.trace) do
          if t.kind == "rule" and t.outcome == "true" then
            fired[t.rule] = true
          end
        end
      end
    end
    local missing = {}
    for _, rule in ipairs(S.protocol(PROTOCOL).rules) do
      -- (a rule switched off by a parameter is exercised where the parameter switches it on)
      if not fired[rule.id] and not rule.disabled then
        missing[#missing + 1] = rule.id
      end
    end
    assert.same({}, missing)
  end)
end)

describe('protocol base with tpmt_unknown = "dose_by_nudt15" (CPIC\'s behaviour)', function()
  -- a site protocol that only selects CPIC's behaviour for TPMT not tested / indeterminate
  local path

  setup(function()
    path = os.tmpname() .. ".lua"
    local f = assert(io.open(path, "w"))
    f:write('return protocol "base_cpic_tpmt" { extends = "base", version = "2026.1", '
      .. 'parameters = { tpmt_unknown = "dose_by_nudt15" } }\n')
    f:close()
  end)

  teardown(function()
    os.remove(path)
  end)

  it("is off by default: base asks for TPMT (need_data) and has the CPIC rules off", function()
    local p = S.protocol(PROTOCOL)
    local off = {}
    for _, r in ipairs(p.rules) do
      if r.disabled then
        off[#off + 1] = r.id
      end
    end
    table.sort(off)
    assert.same({ "tpmt-indeterminate-dose-by-nudt15", "tpmt-not-tested-dose-by-nudt15" }, off)
    assert.equal("need_data", p.parameters.tpmt_unknown)
  end)

  it("TPMT not tested, NUDT15 normal: CPIC doses by NUDT15 -> proceed 150 with a warning",
    function()
      -- 70 kg x 2.0 = 140 -> 150 (band 140-175); CPIC: dose by the known gene, test TPMT
      local r = assert(S.run(path, { patient = P { genotype = { NUDT15 = "*1/*1" } } }))
      S.check(r, { expect = { decision = "proceed", dose = 150,
                              alerts = { "tpmt-not-tested-dose-by-nudt15" }, need_data = {} } })
    end)

  it("TPMT indeterminate, NUDT15 intermediate: 50 % of 140 = 70 -> 75 mg/day", function()
    -- TPMT *1/*8 (normal + uncertain) = indeterminate (CPIC); NUDT15 *1/*3 intermediate:
    -- pgx-one-intermediate, 50 % of 140 = 70 -> nearest deliverable in 42-112 -> 75
    local r = assert(S.run(path, { patient = P { genotype = { TPMT = "*1/*8",
                                                              NUDT15 = "*1/*3" } } }))
    S.check(r, { expect = { decision = "adjust", dose = 75,
                            alerts = { "tpmt-indeterminate-dose-by-nudt15",
                                       "pgx-one-intermediate" },
                            need_data = {} } })
  end)

  it("refuses another value of the parameter", function()
    local bad = os.tmpname() .. ".lua"
    local f = assert(io.open(bad, "w"))
    f:write('return protocol "base_bad_tpmt" { extends = "base", version = "2026.1", '
      .. 'parameters = { tpmt_unknown = "guess" } }\n')
    f:close()
    local p, msg = require("aza.protocol").load(bad)
    os.remove(bad)
    assert.is_nil(p)
    assert.truthy(msg:find('parameters.tpmt_unknown must be "need_data"', 1, true), msg)
  end)
end)

describe("protocol base with profile = \"dpwg\" (CPIC fallback for unclassified alleles)",
  function()
    -- a site protocol that only selects the DPWG allele-function table, written to a
    -- temporary file (protocols load from files)
    local path

    setup(function()
      path = os.tmpname() .. ".lua"
      local f = assert(io.open(path, "w"))
      f:write('return protocol "base_dpwg" { extends = "base", version = "2026.1", '
        .. 'title = "base with DPWG allele functions", parameters = { profile = "dpwg" } }\n')
      f:close()
    end)

    teardown(function()
      os.remove(path)
    end)

    local function run(case)
      return S.run(path, case)
    end

    it("NUDT15 *2/*9: DPWG's *9 is decreased function -> poor -> contraindicated", function()
      -- PharmCAT DPWG phenotype files, data 2025-09-25: *2 no function, *9 decreased
      -- function; two reduced alleles = poor metaboliser (no reduced-dose option).
      local r = assert(run { patient = P { genotype = { TPMT = "*1/*1", NUDT15 = "*2/*9" } } })
      S.check(r, { expect = { decision = "contraindicated", dose = false,
                              alerts = { "nudt15-poor" } } })
    end)

    it("TPMT *1/*23: DPWG does not classify *23, CPIC's no function is used -> 75 mg/day",
      function()
        -- CPIC (PharmCAT 2025-11-05): *23 no function; normal + no function = intermediate;
        -- 50 % of 140 = 70 -> nearest deliverable in 42-112 -> 75
        local r = assert(run { patient = P { genotype = { TPMT = "*1/*23", NUDT15 = "*1/*1" } } })
        S.check(r, { expect = { decision = "adjust", dose = 75,
                                alerts = { "pgx-one-intermediate" }, need_data = {} } })
        local noted = false
        for _, t in ipairs(r.trace) do
          if t.kind == "input" and t.message:find("*23 is not in the DPWG allele-function "
            .. "table: the CPIC function (no function) is used", 1, true) then
            noted = true
          end
        end
        assert.is_true(noted, "the fallback is named in a note")
      end)

    it("NUDT15 *1/*9: normal + decreased -> intermediate -> adjust 75 mg/day", function()
      -- 50 % of 140 = 70 -> nearest in 42-112 -> 75
      local r = assert(run { patient = P { genotype = { TPMT = "*1/*1", NUDT15 = "*1/*9" } } })
      S.check(r, { expect = { decision = "adjust", dose = 75,
                              alerts = { "pgx-one-intermediate" }, need_data = {} } })
    end)

    it("TPMT *1/*8 is intermediate under DPWG (indeterminate under CPIC)", function()
      local r = assert(run { patient = P { genotype = { TPMT = "*1/*8", NUDT15 = "*1/*1" } } })
      S.check(r, { expect = { decision = "adjust", dose = 75,
                              alerts = { "pgx-one-intermediate" }, need_data = {} } })
    end)
  end)

describe("protocol base: citations and wording (clinical audit)", function()
  local p = S.protocol(PROTOCOL)
  local rules = {}
  for _, r in ipairs(p.rules) do
    rules[r.id] = r
  end
  local function cites(r)
    return type(r.cite) == "table" and r.cite or { r.cite }
  end

  it("fever_38 carries the reference's mark S/X and says unverified", function()
    local ref = p.references.fever_38
    assert.equal("S/X", ref.confidence)
    assert.truthy(ref.text:find("unverified", 1, true))
  end)

  it("topiroxostat cites only aza_default (the US label does not mention it)", function()
    assert.same({ "aza_default" }, cites(rules["xanthine-oxidase-inhibitor-other"]))
    assert.truthy(p.references.aza_default.text:find("topiroxostat", 1, true))
  end)

  it("the East Asian NUDT15 figures cite the Hong Kong table they come from", function()
    local r = rules["nudt15-not-tested-east-asian"]
    local list = cites(r)
    local has = false
    for _, k in ipairs(list) do
      has = has or k == "nudt15_hk"
    end
    assert.is_true(has)
    assert.is_nil(r.message:find("18-21", 1, true))
    assert.truthy(r.message:find("17.6 %", 1, true))
    assert.truthy(p.references.nudt15_hk.text:find("17.6 %", 1, true))
  end)

  it("the live-vaccine message does not forbid live zoster outright (<= 3.0 mg/kg/day is "
    .. "low-level immunosuppression in the cited handbook)", function()
    local m = rules["live-vaccine-planned"].message
    assert.truthy(m:find("specialist advice", 1, true), m)
    assert.truthy(m:find("3.0 mg/kg/day", 1, true), m)
    assert.is_nil(m:find("do not give live vaccines", 1, true), m)
  end)

  it("aza_default does not attribute aza's own choices to design §8", function()
    local t = p.references.aza_default.text
    local split = t:find("aza's own choices, which design §8 does not make", 1, true)
    assert.truthy(split, t)
    local from_design = t:sub(1, split)
    for _, own in ipairs { "conflicting", "topiroxostat", "19 weeks", "current dose" } do
      assert.is_nil(from_design:find(own, 1, true), own .. " is not a design §8 choice")
      assert.truthy(t:find(own, split, true), own)
    end
  end)

  it("has no alert-only active variants of the reductions", function()
    assert.is_nil(rules["pgx-intermediate-active"])
    assert.is_nil(rules["renal-impairment-active"])
    for _, id in ipairs { "pgx-one-intermediate", "pgx-both-intermediate", "renal-moderate",
                          "renal-severe" } do
      assert.is_nil(rules[id].when:find("azathioprine.status", 1, true), id)
    end
  end)
end)

describe("medication class table (rules/data/medications.lua)", function()
  local data = require("aza.input.pgx").data("medications")
  local patient = require "aza.input.patient"

  it("uses only declared classes and well-formed ATC codes", function()
    for _, e in ipairs(data.substances) do
      assert.is_string(e.id)
      for _, c in ipairs(e.classes) do
        assert.is_table(data.classes[c], e.id .. ": unknown class " .. c)
      end
      for _, code in ipairs(e.atc or {}) do
        assert.truthy(code:match("^%u%d%d%u%u%d%d$"), e.id .. ": ATC " .. code)
      end
    end
    for _, p in ipairs(data.atc_prefixes) do
      for _, c in ipairs(p.classes) do
        assert.is_table(data.classes[c], p.prefix .. ": unknown class " .. c)
      end
    end
  end)

  -- name or code -> the ids and classes it adds (case-insensitive, brand-free)
  local CASES = {
    { "Allopurinol", nil, { "allopurinol", "xanthine_oxidase_inhibitor", "allopurinol_like" } },
    { "oxypurinol", nil, { "oxipurinol", "xanthine_oxidase_inhibitor", "allopurinol_like" } },
    { "FEBUXOSTAT", nil, { "febuxostat", "xanthine_oxidase_inhibitor" } },
    { "perindopril erbumine", nil, { "perindopril", "ace_inhibitor" } },
    { "Enalapril maleate/Hydrochlorothiazide", nil, { "enalapril", "ace_inhibitor" } },
    { "Zestoretic", "C09BA03", { "ace_inhibitor" } },
    { "x", "C09AA16", { "imidapril", "ace_inhibitor" } },
    { "warfarin sodium 3 mg", nil, { "warfarin", "coumarin", "vitamin_k_antagonist" } },
    { "x", "B01AA07", { "acenocoumarol", "coumarin", "vitamin_k_antagonist" } },
    { "phenprocoumon", nil, { "phenprocoumon", "coumarin", "vitamin_k_antagonist" } },
    { "co-trimoxazole", nil, { "co_trimoxazole", "co_trimoxazole" } },
    { "sulfamethoxazole-trimethoprim", nil, { "co_trimoxazole" } },
    { "trimethoprim", nil, {} },
    { "yellow_fever", nil, { "yellow_fever", "live_vaccine" } },
    { "J07BK02", nil, { "zoster_live", "live_vaccine" } },
    { "J07BK03", nil, { "zoster_recombinant", "inactivated_vaccine" } },
    { "measles, mumps and rubella", nil, { "mmr", "live_vaccine" } },
    { "Bacillus Calmette-Guérin", nil, { "bcg", "live_vaccine" } },
    { "oral polio", nil, { "polio_oral", "live_vaccine" } },
    { "typhoid", nil, { "typhoid", "vaccine_live_status_unclear" } },
    { "6-MP", nil, { "mercaptopurine", "thiopurine" } },
    { "Zyloric", nil, {} }, -- a brand name: not matched
  }
  for _, c in ipairs(CASES) do
    it(("%s %s -> %s"):format(c[1], c[2] or "", table.concat(c[3], ", ")), function()
      local want, seen = {}, {}
      for _, k in ipairs(c[3]) do
        if not seen[k] then
          seen[k] = true
          want[#want + 1] = k
        end
      end
      assert.same(want, (patient.medication_classes(c[1], c[2])))
    end)
  end

  it("warns when the name and the ATC code name different substances", function()
    local classes, disagree = patient.medication_classes("lisinopril", "B01AA03")
    assert.is_true(disagree)
    assert.same({ "lisinopril", "ace_inhibitor", "warfarin", "coumarin", "vitamin_k_antagonist" },
      classes)
  end)
end)

describe("patient facts added for these rules", function()
  local patient = require "aza.input.patient"

  it("sets tpmt.conflict when genotype and activity disagree, else false", function()
    local p = assert(patient.normalise(S.patient { tpmt_activity = {
      value = 8, unit = "nmol/h/g{Hb}", method = "st_thomas", date = "2026-10-02" } }))
    assert.is_true(p.facts["tpmt.conflict"])
    assert.equal("normal", p.facts["tpmt.phenotype"]) -- genotype first; the rule refuses
    local q = assert(patient.normalise(S.patient()))
    assert.is_false(q.facts["tpmt.conflict"])
    assert.is_false(q.facts["nudt15.conflict"])
    assert.is_false(q.facts["tpmt.activity.after_transfusion"])
  end)

  it("reads ALT/AST/ALP in IU/L as U/L, with a note, and nothing else", function()
    local p = assert(patient.normalise(S.patient { labs = { alp = lab(120, "IU/L") } }))
    assert.equal(120, p.facts.alp)
    local noted = false
    for _, n in ipairs(p.notes) do
      if n.fact == "alp" and n.message:find("read as U/L", 1, true) then
        noted = true
      end
    end
    assert.is_true(noted)
    assert.is_nil((patient.normalise(S.patient { labs = { alt = lab(120, "IU/mL") } })))
  end)
end)

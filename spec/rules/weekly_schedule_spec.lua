-- Scenario specs for weekly schedules (issue "clinical correctness, round 2", item 4c):
-- a set_dose or reduce with `days_per_week` gives the dose on that many days of each week.
--
-- Two site protocols extend base (spec/fixtures/weekly/):
-- * site_pm_weekly: TPMT poor -> reduce{percent = 10, low = 5, high = 15, days_per_week = 3}
--   (CPIC 2018, Relling 2019 Table 2: "reduce daily doses 10-fold and dose thrice weekly
--   instead of daily", worded for malignant conditions), formulary 10 mg, 25 mg, 50 mg
--   (scored): deliverable amounts 10, 20, 25, 30, 35, ... mg;
-- * site_fixed_weekly: TPMT poor -> set_dose{mg_per_day = 150, days_per_week = 2}, default
--   formulary (25 mg, 50 mg scored).
-- Conventions (docs/dose-maths.md): the amounts of the dose maths are those of a dosing day;
-- `dose.target_mg_per_day` is the day-equivalent (weekly amount / 7, 2 decimals); the
-- post-dose facts read the amount of a dosing day (the most taken on one day).
-- Base (clinical reference §1.3; CPIC 2025) keeps TPMT poor -> contraindicated.

local S = require "spec.support.scenario"

local PM = "spec/fixtures/weekly/site_pm_weekly.lua"
local FIXED = "spec/fixtures/weekly/site_fixed_weekly.lua"
local POOR = { TPMT = "*3A/*3A", NUDT15 = "*1/*1" } -- no function x 2 = poor (CPIC)

local function P(changes)
  changes = changes or {}
  changes.genotype = changes.genotype or POOR
  return S.patient(changes)
end

local function run(id, patient)
  local r, msg = S.run(id, { patient = patient })
  assert.is_table(r, tostring(msg))
  return r
end

local function schedule(r)
  local sc = r.dose.schedule
  return { sc.days_per_week, sc.mg_per_dosing_day, sc.mg_per_week }
end

describe("weekly schedules (days_per_week)", function()
  it("base keeps TPMT poor -> contraindicated (CPIC 2025: an alternative)", function()
    local r = run("base", P())
    S.check(r, { expect = { decision = "contraindicated", dose = false,
                            alerts = { "tpmt-poor" } } })
  end)

  it("naive 70 kg, TPMT poor: 10 mg on 3 days a week (30 mg/week, 4.29 mg/day)", function()
    -- standard 2.0 x 70 = 140 (deliverable with 10 mg tablets: 140 in band 140-175).
    -- 10 % of 140 = 14 mg a dosing day; band 5-15 % = 7-21 mg; deliverable in it: 10, 20;
    -- nearest to 14: 10 (4 away; 20 is 6). 3 x 10 = 30 mg/week; 30 / 7 = 4.2857 -> 4.29
    -- mg/day; / 70 kg = 0.0612 -> 0.06 mg/kg/day. Dosing days 1, 3, 5 (floor(i x 7 / 3)).
    local r = run(PM, P())
    S.check(r, { expect = { decision = "adjust", dose = 4.29, alerts = { "tpmt-poor" },
                            need_data = {}, monitoring = { "tpmt-poor" } } })
    assert.same({ 3, 10, 30 }, schedule(r))
    assert.same({ 1, 3, 5 }, r.dose.schedule.dosing_days)
    assert.same({ 7, 21 }, r.dose.schedule.band_mg_per_dosing_day)
    assert.is_nil(r.dose.band_mg_per_day)
    assert.equal(0.06, r.dose.target_mg_per_kg_per_day)
    assert.equal("1 × 10 mg once a day on 3 days a week (days 1, 3, 5 of each week, e.g. "
      .. "Monday, Wednesday, Friday); 30 mg per week", r.dose.regimen.text)
    assert.is_nil(r.dose.titration)
    -- the rule's citation goes into the trace with the step
    local step
    for _, e in ipairs(r.trace) do
      if e.kind == "dose" and e.what == "percent" then
        step = e
      end
    end
    assert.equal("tpmt-poor", step.why)
    assert.equal(3, step.days_per_week)
    assert.equal("CPIC 2018", step.cite)
  end)

  it("naive 100 kg: 20 mg on 3 days a week (60 mg/week, 8.57 mg/day)", function()
    -- standard 2.0 x 100 = 200 (band 200-250); 10 % = 20 mg, band 10-30 mg: 20 = 2 x 10 mg.
    -- 3 x 20 = 60 mg/week; 60 / 7 = 8.571 -> 8.57 mg/day; / 100 = 0.0857 -> 0.09 mg/kg/day.
    local r = run(PM, P { weight = "100 kg" })
    S.check(r, { expect = { decision = "adjust", dose = 8.57, alerts = { "tpmt-poor" } } })
    assert.same({ 3, 20, 60 }, schedule(r))
    assert.equal(0.09, r.dose.target_mg_per_kg_per_day)
    assert.equal("2 × 10 mg once a day on 3 days a week (days 1, 3, 5 of each week, e.g. "
      .. "Monday, Wednesday, Friday); 60 mg per week", r.dose.regimen.text)
  end)

  it("active on 100 mg/day: above the schedule's day-equivalent -> the weekly schedule",
    function()
      -- reference as for a patient starting now: 10 mg on 3 days (band top 21 mg a dosing
      -- day = 21 x 3 / 7 = 9 mg/day). The current 100 mg/day is above 9: the schedule.
      local r = run(PM, P { azathioprine = { status = "active", dose = "100 mg/d",
                                              started = "2026-01-10",
                                              dose_since = "2026-02-01" } })
      S.check(r, { expect = { decision = "adjust", dose = 4.29, alerts = { "tpmt-poor" } } })
      assert.same({ 3, 10, 30 }, schedule(r))
      assert.equal(100, r.dose.current_mg_per_day)
      local detail
      for _, e in ipairs(r.trace) do
        if e.kind == "dose" and e.what == "percent" then
          detail = e.detail
        end
      end
      assert.equal("current 100 mg/day is above the top of the band 21 mg on 3 days a week "
        .. "(9 mg/day on average): 10 mg on 3 days a week", detail)
    end)

  it("a later fraction acts on the dosing day: allopurinol planned -> no deliverable dose",
    function()
      -- 10 mg a dosing day x 0.25 (SmPC quarter dose) = 2.5 mg: nothing deliverable at or
      -- below it with 10 mg tablets -> withhold, no-deliverable-dose (never a guessed dose)
      local r = run(PM, P { medications = { { name = "Allopurinol", status = "planned",
                                              dose = "100 mg/d" } } })
      S.check(r, { expect = { decision = "withhold", dose = false,
                              alerts = { "tpmt-poor", "allopurinol-quarter-dose",
                                         "no-deliverable-dose" } } })
    end)

  it("a cap is a ceiling on the dosing day's amount: pregnancy 2 mg/kg/day leaves 10 mg",
    function()
      -- cap 2 x 70 = 140 mg >= 10 mg: unchanged; the schedule stays
      local r = run(PM, P { pregnant = true })
      S.check(r, { expect = { decision = "adjust", dose = 4.29,
                              alerts = { "tpmt-poor", "pregnancy-cap" } } })
      assert.same({ 3, 10, 30 }, schedule(r))
    end)

  it("set_dose with days_per_week: 150 mg on 2 days a week (300 mg/week, 42.86 mg/day)",
    function()
      -- 150 mg deliverable (3 x 50 mg); days 1 and 4; 2 x 150 = 300 mg/week; 300 / 7 =
      -- 42.857 -> 42.86 mg/day; / 70 = 0.612 -> 0.61 mg/kg/day. The dose differs from the
      -- standard 150 mg/day (its day-equivalent is lower): adjust.
      local r = run(FIXED, P())
      S.check(r, { expect = { decision = "adjust", dose = 42.86, alerts = { "tpmt-poor" },
                              need_data = {} } })
      assert.same({ 2, 150, 300 }, schedule(r))
      assert.same({ 1, 4 }, r.dose.schedule.dosing_days)
      assert.equal(0.61, r.dose.target_mg_per_kg_per_day)
      assert.equal("3 × 50 mg once a day on 2 days a week (days 1, 4 of each week, e.g. "
        .. "Monday, Thursday); 300 mg per week", r.dose.regimen.text)
    end)

  it("post-dose checks read the dosing day's amount: breastfeeding above 100 mg/day", function()
    -- 150 mg on a dosing day > 100 mg/day (NKSR 2024), although the day-equivalent is 42.86
    local r = run(FIXED, P { breastfeeding = true })
    S.check(r, { expect = { decision = "adjust", dose = 42.86,
                            alerts = { "tpmt-poor", "breastfeeding-high-dose" } } })
  end)

  it("post-dose checks: 150 mg on a dosing day for 40 kg is above 3 mg/kg/day", function()
    -- 150 / 40 = 3.75 mg/kg on a dosing day > 3 (label top): critical alert naming the rule
    local r = run(FIXED, P { weight = "40 kg" })
    S.check(r, { expect = { decision = "adjust", dose = 42.86,
                            alerts = { "tpmt-poor", "dose-above-label-maximum" } } })
    for _, a in ipairs(r.alerts) do
      if a.id == "dose-above-label-maximum" then
        assert.equal("rule tpmt-poor", a.dose_from)
      end
    end
  end)

  it("a normal metaboliser under the same site protocol is dosed daily as before", function()
    -- 140 exact, deliverable with 10 mg tablets -> 140 mg/day, no schedule
    local r = run(PM, S.patient {})
    S.check(r, { expect = { decision = "proceed", dose = 140, alerts = {} } })
    assert.is_nil(r.dose.schedule)
  end)

  -- a patient already on a weekly schedule: azathioprine.days_per_week (docs/patient-input.md)
  local function active(dose, days)
    return { status = "active", dose = dose, started = "2026-01-10", dose_since = "2026-02-01",
             days_per_week = days }
  end

  it("active on 30 mg/wk on 3 days (10 mg a dosing day): within the schedule -> kept",
    function()
      -- 30 mg/wk x 1/3 = 10 mg on each dosing day; 30 / 7 = 4.29 mg/day is not above the
      -- schedule's 21 x 3 / 7 = 9 mg/day: kept (a reduction never raises a dose)
      local r = run(PM, P { azathioprine = active("30 mg/wk", 3) })
      S.check(r, { expect = { decision = "proceed", dose = 4.29, alerts = { "tpmt-poor" } } })
      assert.same({ 3, 10, 30 }, schedule(r))
      assert.equal(4.29, r.dose.current_mg_per_day)
      assert.equal(3, r.dose.current_days_per_week)
      local detail
      for _, e in ipairs(r.trace) do
        if e.kind == "dose" and e.what == "percent" then
          detail = e.detail
        end
      end
      assert.equal("current 10 mg on 3 days a week (4.29 mg/day on average) is not above the "
        .. "top of the band 21 mg on 3 days a week (9 mg/day on average): kept", detail)
    end)

  it("base, normal metaboliser on 150 mg/wk over 3 days: continues 50 mg on 3 days", function()
    -- 150 / 3 = 50 mg a dosing day; no rule changes it: proceed, the same schedule;
    -- 150 / 7 = 21.43 mg/day
    local r = run("base", S.patient { azathioprine = active("150 mg/wk", 3) })
    S.check(r, { expect = { decision = "proceed", dose = 21.43, alerts = {} } })
    assert.same({ 3, 50, 150 }, schedule(r))
  end)

  it("base, TPMT intermediate on 350 mg on 3 days (150 mg/day on average): -> 75 mg/day",
    function()
      -- 1050 mg/wk / 3 = 350 mg a dosing day, 150 mg/day on average, above the 30-80 % band
      -- top (80 % of 140 = 112): the percentage dose, 50 % of 140 = 70 -> 75 mg/day, daily
      local r = run("base", S.patient { genotype = { TPMT = "*1/*3A", NUDT15 = "*1/*1" },
                                        azathioprine = active("1050 mg/wk", 3) })
      S.check(r, { expect = { decision = "adjust", dose = 75,
                              alerts = { "pgx-one-intermediate" } } })
      assert.is_nil(r.dose.schedule)
      assert.equal(150, r.dose.current_mg_per_day)
    end)

  it("a weekly current dose above a daily ceiling on its dosing day is lowered (renal)",
    function()
      -- 700 mg/wk on 2 days = 350 mg a dosing day, 100 mg/day on average. eGFR 20: renal
      -- ceiling 50 % of 150 = 75 -> 75 mg/day (the day-equivalent 100 is above it too);
      -- eGFR 40: 75 % of 150 = 112.5 -> 100: the day-equivalent 100 is not above it, but
      -- 350 mg on one day is: lowered to 100 mg/day, daily (the stricter reading, as a cap)
      local r = run("base", S.patient { labs = { egfr = S.lab(40, "mL/min/{1.73_m2}") },
                                       azathioprine = active("700 mg/wk", 2) })
      S.check(r, { expect = { decision = "adjust", dose = 100 } })
      assert.is_nil(r.dose.schedule)
    end)

  it("a move from a daily dose to a weekly schedule with a larger dosing day is warned about",
    function()
      -- on 100 mg/day; the fixed weekly set dose is 150 mg on 2 days (42.86 mg/day): less in
      -- a week, more on a day -> a warning naming the rule
      local r = run(FIXED, P { azathioprine = active("100 mg/d") })
      S.check(r, { expect = { decision = "adjust", dose = 42.86 } })
      local w
      for _, x in ipairs(r.warnings) do
        if x.path == "rule tpmt-poor" then
          w = x.message
        end
      end
      assert.truthy(w and w:find("150 mg on each dosing day, more than the 100 mg", 1, true), w)
    end)

  it("refuses days_per_week that is not 1-7 or that splits the dose off the 0.25 mg grid",
    function()
      local r, msg, code, path = S.run("base", { patient = S.patient {
        azathioprine = active("150 mg/wk", 2.5) } })
      assert.is_nil(r)
      assert.equal("E_INPUT", code)
      assert.equal("azathioprine.days_per_week", path)
      assert.truthy(msg:find("2.5 is not a whole number of days from 1 to 7", 1, true), msg)
      r, msg, code, path = S.run("base", { patient = S.patient {
        azathioprine = active("100 mg/wk", 3) } })
      assert.is_nil(r)
      assert.equal("E_INPUT", code)
      assert.equal("azathioprine.days_per_week", path)
      assert.truthy(msg:find("100 mg/wk on 3 days a week is 33.33 mg on each dosing day, not a "
        .. "whole number of 0.25 mg", 1, true), msg)
    end)

  it("a current dose off the 0.25 mg grid without days_per_week is warned about", function()
    local r = run("base", S.patient { azathioprine = active("30 mg/wk") })
    local found
    for _, w in ipairs(r.warnings) do
      if w.path == "azathioprine.dose" and w.message:find("azathioprine.days_per_week", 1, true)
      then
        found = true
      end
    end
    assert.is_true(found == true, "a warning naming azathioprine.days_per_week")
  end)

  it("the text report says day-equivalent, weekly amount and the dosing days", function()
    local text = require("aza.render.text").render(run(PM, P())):gsub("%s+", " ")
    assert.truthy(text:find("Target: 4.29 mg/day on average (30 mg per week; 0.06 mg/kg/day; "
      .. "band 7–21 mg a dosing day) as 1 × 10 mg once a day on 3 days a week", 1, true), text)
    assert.truthy(text:find("tpmt-poor: percent 140 → 10 mg on 3 days a week (exact 14 mg, band "
      .. "7–21 mg a dosing day; nearest_in_band; on each dosing day, 3 days a week) (CPIC 2018)",
      1, true), text)
  end)
end)

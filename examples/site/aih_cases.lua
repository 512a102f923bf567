-- Scenario table for examples/site/site_aih.lua (the Example Trust AIH protocol).
--
--   bin/aza test examples/site/site_aih.lua examples/site/aih_cases.lua
--
-- Loaded as data by `aza test` (no library functions). Each case: a patient record
-- (docs/patient-input.md), the evaluation day, and what the Trust expects, in the words of
-- `aza test` (docs/authoring.md): decision, dose (mg/day), band, titration (mg/day steps),
-- monitoring (rule ids; "protocol" = the protocol's own schedule), alerts (exactly these),
-- need_data. Every dose is worked by hand beside it (docs/dose-maths.md; 25 mg and scored
-- 50 mg tablets: multiples of 25 mg).
-- AIH (rules/autoimmune_hepatitis.lua): 1.0 mg/kg/day, band 1.0-2.0; a fixed 50 mg/day for
-- 2 weeks first. Trust: platelets below 70 x10^9/L withhold; 6-TGN below 235 after 12
-- weeks with TPMT normal -> raised to 1.5-2.0 mg/kg/day.

local AS_OF = "2026-11-21"
local LAB_DATE = "2026-11-14" -- one week before AS_OF: a valid baseline (<= 28 days)

-- a baseline panel of an AIH patient: raised transaminases (the disease), o.plt, o.bili,
-- o.tgn (6-TGN, pmol/8x10^8 RBC), o.igg (IgG g/L, upper limit 16; given by its LOINC code)
local function labs(o)
  local list = {
    { test = "wbc", value = 5.1, unit = "10*9/L", date = LAB_DATE },
    { test = "neutrophils", value = 3.0, unit = "10*9/L", date = LAB_DATE },
    { test = "lymphocytes", value = 1.4, unit = "10*9/L", date = LAB_DATE },
    { test = "eosinophils", value = 0.2, unit = "10*9/L", date = LAB_DATE },
    { test = "platelets", value = o.plt or 180, unit = "10*9/L", date = LAB_DATE },
    { test = "mcv", value = 90, unit = "fL", date = LAB_DATE },
    { test = "alt", value = o.alt or 310, unit = "U/L", date = LAB_DATE },
    { test = "ast", value = 240, unit = "U/L", date = LAB_DATE },
    { test = "bilirubin", value = o.bili or 30, unit = "umol/L", date = LAB_DATE },
    { test = "albumin", value = 36, unit = "g/L", date = LAB_DATE },
    { test = "egfr", value = 90, unit = "mL/min/{1.73_m2}", date = LAB_DATE },
  }
  if o.tgn then
    list[#list + 1] = { test = "tgn6", value = o.tgn, unit = "pmol/{8x10^8_RBC}",
                        date = LAB_DATE }
  end
  if o.igg then
    list[#list + 1] = { loinc = "2465-3", value = o.igg, unit = "g/L", uln = 16,
                        date = LAB_DATE }
  end
  return list
end

local function patient(o)
  return {
    id = o.id, birth_date = "1971-03-09", sex = "female", weight = o.weight or "70 kg",
    genotype = { TPMT = "*1/*1", NUDT15 = "*1/*1" },
    conditions = { "autoimmune_hepatitis" },
    labs = labs(o),
    medications = { { name = "prednisolone", status = "active", dose = "30 mg/d",
                      started = o.pred_started or "2026-11-02" } },
    azathioprine = o.aza or { status = "naive" },
  }
end

-- on azathioprine since `started`, the current dose set on the same day
local function active(dose, started)
  return { status = "active", dose = dose, started = started, dose_since = started }
end

return {
  { name = "new start, 70 kg, ALT 310 (the disease): 50 mg/day for 2 weeks, then 75 mg/day",
    -- 1.0 x 70 = 70; band 70-140; deliverable in band 75, 100, 125 -> 75 (5 away).
    -- A fixed 50 mg/day first (EASL 2015), then 75 from week 2. The transaminases do not
    -- withhold (transaminases-high is disabled by autoimmune_hepatitis).
    patient = patient { id = "aih-1" }, as_of = AS_OF,
    expect = { decision = "proceed", dose = 75, band = { 70, 140 }, titration = { 50, 75 },
               titration_weeks = { 0, 2 },
               monitoring = { { id = "protocol", every = "2 wk" } },
               alerts = { "aih-steroid-first" }, need_data = {} } },

  { name = "platelets 60: below the Trust's 70, withhold",
    patient = patient { id = "aih-2", plt = 60 }, as_of = AS_OF,
    expect = { decision = "withhold", dose = 75,
               alerts = { "platelets-low", "aih-steroid-first" }, need_data = {} } },

  { name = "platelets 75 (cirrhosis): proceed (base would withhold below 140)",
    patient = patient { id = "aih-3", plt = 75 }, as_of = AS_OF,
    expect = { decision = "proceed", dose = 75, alerts = { "aih-steroid-first" } } },

  { name = "bilirubin 150 umol/L: wait (EASL 2015: below 100 umol/L first)",
    patient = patient { id = "aih-4", bili = 150 }, as_of = AS_OF,
    expect = { decision = "withhold", dose = 75,
               alerts = { "aih-bilirubin-high", "aih-steroid-first" } } },

  { name = "on 75 mg/day for 20 weeks, 6-TGN 180: raised to 125 mg/day",
    -- 1.5 x 70 = 105; band 105-140; deliverable in band: 125 only -> 125. The current 75 is
    -- below the band's bottom 105 and the rule says raise = true: 125 (adjust).
    -- Monitoring: the dose changes, so the schedule starts again: every 2 weeks first.
    patient = patient { id = "aih-5", tgn = 180, aza = active("75 mg/d", "2026-07-01") },
    as_of = AS_OF,
    expect = { decision = "adjust", dose = 125, band = { 105, 140 },
               monitoring = { { id = "protocol", every = "2 wk" } },
               alerts = { "local-tgn-escalate" }, need_data = {} } },

  { name = "on 75 mg/day for 20 weeks, 6-TGN 300 (in range): kept",
    patient = patient { id = "aih-6", tgn = 300, aza = active("75 mg/d", "2026-07-01") },
    as_of = AS_OF,
    expect = { decision = "proceed", dose = 75, alerts = {}, need_data = {} } },

  { name = "on 75 mg/day for 8 weeks, 6-TGN 180: too early to escalate, kept",
    -- started 2026-09-26: 8 weeks before AS_OF (< 12)
    patient = patient { id = "aih-7", tgn = 180, aza = active("75 mg/d", "2026-09-26") },
    as_of = AS_OF,
    -- monitoring: 8 weeks on the dose: the monthly stage of the schedule
    expect = { decision = "proceed", dose = 75, alerts = {},
               monitoring = { { id = "protocol", every = "1 mo" } }, need_data = {} } },

  { name = "on 150 mg/day, 6-TGN 180: above the escalation band's top 140 -> 125 mg/day",
    -- a set_dose with raise = true still caps: 150 > 140 -> the set dose 125
    patient = patient { id = "aih-8", tgn = 180, aza = active("150 mg/d", "2026-07-01") },
    as_of = AS_OF,
    expect = { decision = "adjust", dose = 125, alerts = { "local-tgn-escalate" } } },

  { name = "prednisolone started 7 days ago: wait until 2 weeks (site fact prednisolone.started)",
    -- 2026-11-14 to 2026-11-21 = 1 week < 2 weeks: local-steroid-first-two-weeks withholds
    patient = patient { id = "aih-9", pred_started = "2026-11-14" }, as_of = AS_OF,
    expect = { decision = "withhold", dose = 75,
               alerts = { "local-steroid-first-two-weeks", "aih-steroid-first" },
               need_data = {} } },

  { name = "on 75 mg/day for 20 weeks, IgG 21 g/L (upper limit 16): not in remission",
    -- the site fact igg, given by LOINC 2465-3: 21 > 16 after 12 weeks -> info alert
    patient = patient { id = "aih-10", igg = 21, tgn = 300,
                        aza = active("75 mg/d", "2026-07-01") },
    as_of = AS_OF,
    expect = { decision = "proceed", dose = 75, alerts = { "local-igg-not-normal" },
               need_data = {} } },
}

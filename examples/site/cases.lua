-- Scenario table for examples/site/site_ibd.lua (the Example Trust IBD protocol).
--
--   bin/aza test examples/site/site_ibd.lua examples/site/cases.lua
--
-- Loaded as data by `aza test` (no library functions). Each case: a patient record
-- (design §7), the evaluation day, and what the Trust expects: decision, dose (mg/day),
-- regimen text, alerts that must / must not appear, need_data. Every dose is worked by hand
-- in the comment beside it (docs/dose-maths.md). With the Trust formulary (25 mg, 50 mg
-- scored, 75 mg scored) the deliverable doses are 25 mg and every 12.5 mg above it
-- (37.5 = half a 75; 62.5 = half a 75 + 25; ...).
-- IBD (rules/ibd.lua): 2.0 mg/kg/day, band 2.0-2.5; 50 mg/day +50 mg every 2 weeks.

local AS_OF = "2026-11-21"
local LAB_DATE = "2026-11-14" -- one week before AS_OF: a valid baseline (<= 28 days)

-- a baseline blood panel with neutrophils `neut` (x10^9/L)
local function labs(neut)
  return {
    { test = "wbc", value = 6.2, unit = "10*9/L", date = LAB_DATE },
    { test = "neutrophils", value = neut, unit = "10*9/L", date = LAB_DATE },
    { test = "lymphocytes", value = 1.7, unit = "10*9/L", date = LAB_DATE },
    { test = "eosinophils", value = 0.2, unit = "10*9/L", date = LAB_DATE },
    { test = "platelets", value = 260, unit = "10*9/L", date = LAB_DATE },
    { test = "mcv", value = 91, unit = "fL", date = LAB_DATE },
    { test = "alt", value = 24, unit = "U/L", date = LAB_DATE },
    { test = "ast", value = 21, unit = "U/L", date = LAB_DATE },
    { test = "albumin", value = 41, unit = "g/L", date = LAB_DATE },
    { test = "egfr", value = 88, unit = "mL/min/{1.73_m2}", date = LAB_DATE },
  }
end

-- a patient: o.weight, o.tpmt (diplotype), o.neut, o.meds, o.aza, o.birth
local function patient(o)
  return {
    id = o.id,
    birth_date = o.birth or "1984-06-02",
    sex = "male",
    weight = o.weight or "70 kg",
    genotype = { TPMT = o.tpmt or "*1/*1", NUDT15 = "*1/*1" },
    labs = labs(o.neut or 4.2),
    medications = o.meds or {},
    azathioprine = o.aza or { status = "naive" },
  }
end

return {
  { name = "70 kg new start, TPMT/NUDT15 normal: 150 mg/day as 2 x 75 mg",
    -- 2.0 x 70 = 140; band 140-175; 140 is not deliverable (140 / 12.5 = 11.2); in band
    -- 150 (10 away) and 162.5, 175 -> 150, now as two 75 mg tablets (fewest pieces)
    patient = patient { id = "site-1" }, as_of = AS_OF,
    expect = { decision = "proceed", target_mg_per_day = 150, band_mg_per_day = { 140, 175 },
               regimen = "2 × 75 mg once daily", need_data = {} } },

  { name = "on 150 mg/day, allopurinol started: 25 % = 37.5 mg/day, half a 75 mg tablet",
    -- 150 x 0.25 = 37.5, rounded down to a deliverable dose: 37.5 itself (half a scored
    -- 75 mg tablet). Under the shipped ibd formulary (25, 50s) it would be 25 mg/day.
    patient = patient { id = "site-2",
                        aza = { status = "active", dose = "150 mg/d", started = "2026-02-01",
                                dose_since = "2026-02-01" },
                        meds = { { name = "allopurinol", status = "active",
                                   dose = "100 mg/d", started = "2026-11-10" } } },
    as_of = AS_OF,
    expect = { decision = "adjust", target_mg_per_day = 37.5,
               regimen = "½ × 75 mg once daily",
               alerts = { "allopurinol-quarter-dose" }, need_data = {} } },

  { name = "new start with allopurinol: target 150, quarter = 37.5 mg/day",
    -- standard 150 (as site-1); 150 x 0.25 = 37.5 -> deliverable -> 37.5
    patient = patient { id = "site-3",
                        meds = { { name = "allopurinol", status = "planned" } } },
    as_of = AS_OF,
    expect = { decision = "adjust", target_mg_per_day = 37.5,
               alerts = { "allopurinol-quarter-dose" }, need_data = {} } },

  { name = "neutrophils 1.9: proceeds under the Trust threshold 1.8 (ibd withholds < 2.0)",
    patient = patient { id = "site-4", neut = 1.9 }, as_of = AS_OF,
    expect = { decision = "proceed", target_mg_per_day = 150,
               no_alerts = { "neutrophils-low" }, need_data = {} } },

  { name = "neutrophils 1.7: below 1.8, withhold",
    patient = patient { id = "site-5", neut = 1.7 }, as_of = AS_OF,
    expect = { decision = "withhold", alerts = { "neutrophils-low" }, need_data = {} } },

  { name = "ramipril: no ACE-inhibitor alert (rule disabled by the Trust)",
    patient = patient { id = "site-6", meds = { { name = "ramipril", status = "active" } } },
    as_of = AS_OF,
    expect = { decision = "proceed", target_mg_per_day = 150,
               no_alerts = { "ace-inhibitor-caution" }, need_data = {} } },

  { name = "aged 80: the Trust's consultant-review alert",
    -- born 1946-03-01: 80 completed years on 2026-11-21
    patient = patient { id = "site-7", birth = "1946-03-01" }, as_of = AS_OF,
    expect = { decision = "proceed", target_mg_per_day = 150,
               alerts = { "local-elderly-review" }, need_data = {} } },

  { name = "aged 60: no consultant-review alert",
    patient = patient { id = "site-8", birth = "1966-03-01" }, as_of = AS_OF,
    expect = { decision = "proceed", no_alerts = { "local-elderly-review" }, need_data = {} } },

  { name = "65 kg: 137.5 mg/day becomes deliverable (ibd's 25 mg steps give 150)",
    -- 2.0 x 65 = 130; band 130-162.5; deliverable in band 137.5 (7.5 away), 150 (20) ->
    -- 137.5 (2.12 mg/kg/day)
    patient = patient { id = "site-9", weight = "65 kg" }, as_of = AS_OF,
    expect = { decision = "proceed", target_mg_per_day = 137.5,
               band_mg_per_day = { 130, 162.5 }, need_data = {} } },

  { name = "TPMT intermediate, 70 kg: 50 % of 140 = 70 -> 75 mg/day",
    -- band 30-80 % = 42-112; deliverable 62.5 (7.5 away), 75 (5 away) -> 75
    patient = patient { id = "site-10", tpmt = "*1/*3A" }, as_of = AS_OF,
    expect = { decision = "adjust", target_mg_per_day = 75, band_mg_per_day = { 42, 112 },
               alerts = { "pgx-one-intermediate" }, need_data = {} } },

  { name = "no weight: need_data, no dose",
    patient = { id = "site-11", birth_date = "1984-06-02",
                genotype = { TPMT = "*1/*1", NUDT15 = "*1/*1" }, labs = labs(4.2),
                azathioprine = { status = "naive" } },
    as_of = AS_OF,
    expect = { decision = "need_data", target_mg_per_day = false, need_data = { "weight" } } },
}

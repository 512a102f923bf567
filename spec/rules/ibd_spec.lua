-- Scenario specs for the shipped protocol "ibd" (rules/ibd.lua, design §8 ibd row).
--
-- Patient: spec/support/scenario.lua's complete naive 70 kg patient (TPMT and NUDT15
-- *1/*1, baseline labs 11 days old) with the changes shown. Each case has the hand
-- calculation and its source. IBD standard dose 2.0 mg/kg/day, band 2.0-2.5 (BSG via SPS);
-- titration 50 mg/day, +50 mg every 2 weeks to the target (design §8 default); deliverable
-- step 25 mg (25 mg and scored 50 mg tablets).

local S = require "spec.support.scenario"
local lab = S.lab

local PROTOCOL = "ibd"

local function P(changes)
  return S.patient(changes)
end

local ACTIVE_150 = { status = "active", dose = "150 mg/d", started = "2025-09-01" }

local function metabolites(tgn, mmp)
  return { tgn6 = lab(tgn, "pmol/{8x10^8_RBC}"), mmp6 = lab(mmp, "pmol/{8x10^8_RBC}") }
end

local cases = {
  {
    -- Design §8 worked example 1: 70 x 2.0 = 140; band 140-175; deliverable in band 150
    -- (10 away) and 175 (35) -> 150. Titration 50 (week 0), 100 (week 2), 150 (week 4).
    name = "worked example: 70 kg normal/normal -> proceed 150 mg/day, band 140-175",
    patient = P(),
    expect = { decision = "proceed", dose = 150, band = { 140, 175 }, alerts = {},
               need_data = {}, titration = { 50, 100, 150 } },
    extra = function(r)
      assert.equal(2, #r.monitoring)   -- the schedule once, not repeated by a rule
      -- the IBD schedule (SPS gastroenterology) replaces the BSR one
      assert.same({ 2, 4, 8, 12 }, r.monitoring[1].at_weeks)
      assert.equal("3 mo", r.monitoring[2].every)
    end,
  },
  {
    -- Design §8 worked example 2: TPMT intermediate: 50 % of 140 = 70; band 30-80 % =
    -- 42-112; deliverable in band 50, 75, 100; nearest 70 -> 75. Titration 50 then 75.
    name = "worked example: TPMT intermediate -> adjust 75 mg/day, band 42-112",
    patient = P { genotype = { TPMT = "*1/*3A", NUDT15 = "*1/*1" } },
    expect = { decision = "adjust", dose = 75, band = { 42, 112 },
               alerts = { "pgx-one-intermediate" }, need_data = {}, titration = { 50, 75 } },
  },
  {
    -- Design §8 worked example 3: on 150 mg/day, allopurinol started: 150 x 0.25 = 37.5 ->
    -- largest deliverable <= 37.5 -> 25 (SmPC quarter dose, round down).
    name = "worked example: active 150 mg/day, allopurinol started -> adjust 25 mg/day",
    -- (allopurinol started 2026-11-14, after the current dose was set on 2026-02-01)
    patient = P { azathioprine = { status = "active", dose = "150 mg/d",
                                   started = "2025-09-01", dose_since = "2026-02-01" },
                  medications = { { name = "allopurinol", status = "active",
                                    dose = "100 mg/d", started = "2026-11-14" } } },
    expect = { decision = "adjust", dose = 25, alerts = { "allopurinol-quarter-dose" },
               need_data = {} },
    extra = function(r)
      assert.is_nil(r.dose.titration) -- an active patient has no titration
    end,
  },
  {
    -- 176 lb = 79.832 kg; 159.66-199.58; in band only 175 -> 175; titration 50, 100, 150,
    -- 175 (a step of 50 to 200 would pass the target, so the last step is the target).
    name = "weight 176 [lb_av] -> 175 mg/day, titration 50/100/150/175",
    patient = P { weight = "176 [lb_av]" },
    expect = { decision = "proceed", dose = 175, titration = { 50, 100, 150, 175 } },
  },
  {
    -- 30 kg: 60, band 60-75; 50 is below the band -> 75. Titration 50 then 75.
    name = "30 kg -> 75 mg/day (nothing deliverable lower inside 60-75)",
    patient = P { weight = "30 kg" },
    expect = { decision = "proceed", dose = 75, band = { 60, 75 }, titration = { 50, 75 } },
  },
  {
    -- Both intermediate: 30 % of 140 = 42, band 28-70 -> 50.
    name = "TPMT and NUDT15 intermediate -> adjust 50 mg/day",
    patient = P { genotype = { TPMT = "*1/*3A", NUDT15 = "*1/*3" } },
    expect = { decision = "adjust", dose = 50, alerts = { "pgx-both-intermediate" } },
  },
  {
    -- IBD replaces neutrophils-low: 1.8 < 2.0 -> withhold (SPS gastroenterology), where
    -- base (BSR 1.6) would proceed.
    name = "neutrophils 1.8 -> withhold (gastro threshold 2.0)",
    patient = P { labs = { neutrophils = lab(1.8, "10*9/L") } },
    expect = { decision = "withhold", alerts = { "neutrophils-low" } },
    extra = function(r)
      assert.truthy(r.alerts[1].message:find("2.0", 1, true))
    end,
  },
  {
    name = "neutrophils 2.0 (boundary) -> proceed 150",
    patient = P { labs = { neutrophils = lab(2.0, "10*9/L") } },
    expect = { decision = "proceed", dose = 150, alerts = {} },
  },
  {
    -- WBC 3200 /uL = 3.2 x10^9/L < 3.5 -> withhold (inherited BSR rule).
    name = "WBC 3200 /uL -> withhold (inherited)",
    patient = P { labs = { wbc = lab(3200, "/uL") } },
    expect = { decision = "withhold", alerts = { "wbc-low" } },
  },
  {
    -- Pregnant 70 kg: 150, cap 2 x 70 = 140 -> down -> 125 (EULAR 2024 / NKSR).
    name = "pregnant 70 kg -> cap 140 -> adjust 125 mg/day",
    patient = P { pregnant = true },
    expect = { decision = "adjust", dose = 125, alerts = { "pregnancy-cap" } },
  },
  {
    -- 6-TGN 300 in 235-450 and 6-MMP 2000 <= 5700: therapeutic, keep the dose.
    name = "6-TGN 300, 6-MMP 2000 -> therapeutic (info), proceed 150",
    patient = P { azathioprine = ACTIVE_150, labs = metabolites(300, 2000) },
    expect = { decision = "proceed", dose = 150, alerts = { "tgn-therapeutic" } },
  },
  {
    -- 6-TGN 150 < 235, ratio 4000 / 150 = 26.7 > 11 -> shunter: advice only (allopurinol
    -- 100 mg + 25 % is a specialist decision), the dose is not changed.
    name = "6-TGN 150, 6-MMP 4000 (ratio 26.7) -> shunter advice, dose unchanged",
    patient = P { azathioprine = ACTIVE_150, labs = metabolites(150, 4000) },
    expect = { decision = "proceed", dose = 150, alerts = { "tgn-shunter" } },
  },
  {
    -- 6-TGN 150 < 235, ratio 1200 / 150 = 8 <= 11, 6-MMP <= 5700 -> under-dosed (info).
    name = "6-TGN 150, 6-MMP 1200 (ratio 8) -> under-dosed (info)",
    patient = P { azathioprine = ACTIVE_150, labs = metabolites(150, 1200) },
    expect = { decision = "proceed", dose = 150, alerts = { "tgn-low" } },
  },
  {
    -- Both undetectable (0): 0 <= 11 x 0, so the "low" verdict (which names non-adherence)
    -- and not the shunter one; the ratio is written mmp6 > 11 * tgn6, defined at 0.
    name = "6-TGN and 6-MMP undetectable -> under-dosed / non-adherence (info)",
    patient = P { azathioprine = ACTIVE_150, labs = metabolites(0, 0) },
    expect = { decision = "proceed", dose = 150, alerts = { "tgn-low" } },
  },
  {
    -- 6-TGN undetectable with 6-MMP 3000: 3000 > 11 x 0 -> shunter.
    name = "6-TGN undetectable, 6-MMP 3000 -> shunter advice",
    patient = P { azathioprine = ACTIVE_150, labs = metabolites(0, 3000) },
    expect = { decision = "proceed", dose = 150, alerts = { "tgn-shunter" } },
  },
  {
    -- 6-MMP 6000 > 5700 -> hepatotoxicity risk; 6-TGN 300 is in range but the therapeutic
    -- rule needs 6-MMP <= 5700.
    name = "6-MMP 6000 -> hepatotoxicity warning",
    patient = P { azathioprine = ACTIVE_150, labs = metabolites(300, 6000) },
    expect = { decision = "proceed", dose = 150, alerts = { "mmp-hepatotoxicity" } },
  },
  {
    name = "6-TGN 500 -> myelotoxicity warning",
    patient = P { azathioprine = ACTIVE_150, labs = metabolites(500, 1000) },
    expect = { decision = "proceed", dose = 150, alerts = { "tgn-myelotoxicity" } },
  },
  {
    name = "6-TGN 1100 -> very high (critical) and myelotoxicity warnings",
    patient = P { azathioprine = ACTIVE_150, labs = metabolites(1100, 100) },
    expect = { decision = "proceed", dose = 150,
               alerts = { "tgn-myelotoxicity", "tgn-very-high" } },
  },
  {
    -- NUDT15 intermediate: TGN-guided dosing invalid (DPWG); no therapeutic verdict. The
    -- active patient's 75 mg/day is inside the IM band (30-80 % of 140 = 42-112): kept.
    name = "NUDT15 intermediate with 6-TGN 300 -> TGN guidance invalid",
    patient = P { genotype = { TPMT = "*1/*1", NUDT15 = "*1/*3" },
                  azathioprine = { status = "active", dose = "75 mg/d",
                                   started = "2025-09-01" },
                  labs = metabolites(300, 2000) },
    expect = { decision = "proceed", dose = 75,
               alerts = { "pgx-one-intermediate", "tgn-nudt15-invalid" } },
  },
  {
    -- A shunter whose specialist starts allopurinol: the base rule gives 150 x 0.25 = 37.5
    -- -> 25; the shunter advice stays.
    name = "shunter + allopurinol planned -> adjust 25 mg/day",
    patient = P { azathioprine = ACTIVE_150, labs = metabolites(150, 4000),
                  medications = { { name = "Allopurinol 100 mg", status = "planned" } } },
    expect = { decision = "adjust", dose = 25,
               alerts = { "tgn-shunter", "allopurinol-quarter-dose" } },
  },
  -- {=== active patients: pharmacogenomic and renal reductions (base rules) ===
  -- 70 kg: weight-based standard 2.0 x 70 = 140 exact, 150 rounded (band 140-175). For an
  -- active patient a PGx band is low-high % of 140 (the exact standard): the current dose
  -- is kept when within or below it, lowered to the PGx dose (nearest in the band) when
  -- above its top. A renal percentage is a ceiling of percent x 150, rounded down. Started
  -- 2025-09-01 (63 weeks): maintenance monitoring, no monitoring alert.
  {
    -- both IM: band 20-50 % of 140 = 28-70; 175 > 70 -> 30 % of 140 = 42 -> deliverable in
    -- 28-70: 50 only (25 < 28, 75 > 70) -> 50 mg/day, adjust.
    name = "active both intermediate on 175 mg/day -> adjust 50 mg/day (band 28-70)",
    patient = P { genotype = { TPMT = "*1/*3A", NUDT15 = "*1/*3" },
                  azathioprine = { status = "active", dose = "175 mg/d",
                                   started = "2025-09-01" } },
    expect = { decision = "adjust", dose = 50, alerts = { "pgx-both-intermediate" },
               need_data = {} },
  },
  {
    -- TPMT IM: band 30-80 % of 140 = 42-112; 75 is within -> kept, proceed.
    name = "active TPMT intermediate on 75 mg/day -> kept 75, proceed",
    patient = P { genotype = { TPMT = "*1/*3A", NUDT15 = "*1/*1" },
                  azathioprine = { status = "active", dose = "75 mg/d",
                                   started = "2025-09-01" } },
    expect = { decision = "proceed", dose = 75, alerts = { "pgx-one-intermediate" },
               need_data = {} },
  },
  {
    -- TPMT IM on 150: 150 > 112 -> 50 % of 140 = 70 -> nearest deliverable in 42-112: 75
    -- (5 away; 50 is 20) -> 75 mg/day, adjust.
    name = "active TPMT intermediate on 150 mg/day -> adjust 75 mg/day",
    patient = P { genotype = { TPMT = "*1/*3A", NUDT15 = "*1/*1" },
                  azathioprine = ACTIVE_150 },
    expect = { decision = "adjust", dose = 75, alerts = { "pgx-one-intermediate" },
               need_data = {} },
  },
  {
    -- TPMT IM on 25: below the band (42-112) -> kept (CPIC 2025: a dose already below the
    -- standard may need no reduction), proceed.
    name = "active TPMT intermediate on 25 mg/day (below the band) -> kept 25, proceed",
    patient = P { genotype = { TPMT = "*1/*3A", NUDT15 = "*1/*1" },
                  azathioprine = { status = "active", dose = "25 mg/d",
                                   started = "2025-09-01" } },
    expect = { decision = "proceed", dose = 25, alerts = { "pgx-one-intermediate" },
               need_data = {} },
  },
  {
    -- eGFR 8: ceiling 50 % of 150 = 75 -> 150 > 75 -> 75 mg/day, adjust (renal handbook,
    -- unverified); eGFR < 60 also gives the BSR check.
    name = "active on 150 mg/day, eGFR 8 -> adjust 75 mg/day (ceiling 50 % of 150)",
    patient = P { azathioprine = ACTIVE_150, labs = { egfr = lab(8, "mL/min/{1.73_m2}") } },
    expect = { decision = "adjust", dose = 75,
               alerts = { "renal-function-check", "renal-severe" }, need_data = {} },
  },
  {
    -- eGFR 40: ceiling 75 % of 150 = 112.5 -> rounded down 100; 100 is not above it ->
    -- kept, proceed.
    name = "active on 100 mg/day, eGFR 40 -> kept 100 (ceiling 112.5 -> 100), proceed",
    patient = P { azathioprine = { status = "active", dose = "100 mg/d",
                                   started = "2025-09-01" },
                  labs = { egfr = lab(40, "mL/min/{1.73_m2}") } },
    expect = { decision = "proceed", dose = 100,
               alerts = { "renal-function-check", "renal-moderate" }, need_data = {} },
  },
  {
    -- eGFR 40 on 150: ceiling 112.5 -> 150 is above -> rounded down 100, adjust.
    name = "active on 150 mg/day, eGFR 40 -> adjust 100 mg/day",
    patient = P { azathioprine = ACTIVE_150, labs = { egfr = lab(40, "mL/min/{1.73_m2}") } },
    expect = { decision = "adjust", dose = 100,
               alerts = { "renal-function-check", "renal-moderate" }, need_data = {} },
  },
  -- }===

  -- {=== active patients: the stage of the SPS schedule (weeks 2, 4, 8 and 12, then every 3
  -- months) the dose is at, counted from dose_since or the start; as_of 2026-11-21 ===
  {
    -- started 2025-09-01: 63 weeks >= 12 -> the second stage: every 3 months
    name = "active patient at 63 weeks -> 3-monthly monitoring",
    patient = P { azathioprine = ACTIVE_150 },
    expect = { decision = "proceed", dose = 150, alerts = {},
               monitoring = { { id = "protocol", every = "3 mo" } } },
    extra = function(r)
      assert.equal(1, #r.monitoring)
      assert.near(91.3125, r.monitoring[1].every_days, 1e-9) -- 3 mo = 3 x 30.4375 d (UCUM)
    end,
  },
  {
    -- started 2026-11-07: 2 weeks < 12 -> the first stage (weeks 2, 4, 8, 12), then 3-monthly
    name = "active patient 2 weeks after starting -> weeks 2, 4, 8 and 12, not 3-monthly",
    patient = P { azathioprine = { status = "active", dose = "50 mg/d",
                                   started = "2026-11-07" } },
    expect = { decision = "proceed", dose = 50, alerts = {},
               monitoring = { { id = "protocol", at_weeks = { 2, 4, 8, 12 } } } },
    extra = function(r)
      assert.equal(2, #r.monitoring)
      assert.equal(2, r.monitoring[1].weeks_on_dose)
    end,
  },
  {
    -- no start date: the stage cannot be known -> the whole schedule, with a warning
    name = "active patient without a start date -> the whole schedule",
    patient = P { azathioprine = { status = "active", dose = "150 mg/d" } },
    expect = { decision = "proceed", dose = 150, alerts = {},
               monitoring = { { id = "protocol", at_weeks = { 2, 4, 8, 12 } } } },
    extra = function(r)
      assert.equal(2, #r.monitoring)
    end,
  },
  {
    -- started 2026-10-10: 42 days = 6 weeks < 12 -> still the first stage (the tests at
    -- weeks 8 and 12 are to come)
    name = "active patient 6 weeks after starting -> the first stage, at week 6",
    patient = P { azathioprine = { status = "active", dose = "150 mg/d",
                                   started = "2026-10-10" } },
    expect = { decision = "proceed", dose = 150, alerts = {},
               monitoring = { { id = "protocol", at_weeks = { 2, 4, 8, 12 } } } },
    extra = function(r)
      assert.equal(6, r.monitoring[1].weeks_on_dose)
    end,
  },
  {
    -- started 2026-08-30: 83 days = 11.86 weeks < 12 -> still the first stage
    name = "active patient at 11.9 weeks -> the first stage",
    patient = P { azathioprine = { status = "active", dose = "150 mg/d",
                                   started = "2026-08-30" } },
    expect = { decision = "proceed", dose = 150, alerts = {},
               monitoring = { { id = "protocol", at_weeks = { 2, 4, 8, 12 } } } },
  },
  {
    -- started 2026-08-29: 84 days = 12 weeks exactly -> every 3 months
    name = "active patient at exactly 12 weeks -> 3-monthly",
    patient = P { azathioprine = { status = "active", dose = "150 mg/d",
                                   started = "2026-08-29" } },
    expect = { decision = "proceed", dose = 150, alerts = {},
               monitoring = { { id = "protocol", every = "3 mo" } } },
  },
  -- }===
  {
    name = "bad input: weight 70 mg/kg -> E_INPUT weight",
    patient = P { weight = "70 mg/kg" },
    error = { code = "E_INPUT", path = "weight" },
  },
}

describe("protocol ibd: scenarios", function()
  S.run_cases(it, PROTOCOL, cases)

  it("has at least 15 scenarios", function()
    assert.is_true(#cases >= 15)
  end)
end)

describe("protocol ibd: structure", function()
  it("extends base and keeps the rule ids helper protocols rely on", function()
    local p = S.protocol(PROTOCOL)
    assert.equal("base", p.extends)
    local ids = {}
    for _, r in ipairs(p.rules) do
      ids[r.id] = true
    end
    for _, id in ipairs { "tpmt-not-tested", "tpmt-indeterminate", "tpmt-poor", "nudt15-poor",
                          "pgx-one-intermediate", "pgx-both-intermediate",
                          "nudt15-indeterminate", "nudt15-not-tested",
                          "nudt15-not-tested-east-asian", "tpmt-activity-after-transfusion",
                          "tpmt-conflict", "allopurinol-quarter-dose",
                          "febuxostat-contraindicated", "ace-inhibitor-caution",
                          "coumarin-inr", "co-trimoxazole-fbc", "live-vaccine-planned",
                          "azathioprine-allergy", "active-malignancy", "wbc-low",
                          "neutrophils-low", "lymphocytes-low", "eosinophils-high",
                          "platelets-low", "transaminases-high", "albumin-low", "mcv-high",
                          "renal-function-check", "fever-or-symptoms", "baseline-fbc",
                          "baseline-lft", "renal-moderate", "renal-severe", "pregnancy-cap",
                          "breastfeeding-high-dose", "cumulative-exposure",
                          "tpmt-activity-unclassified" } do
      assert.is_true(ids[id] == true, id)
    end
  end)

  it("no longer has the alert-only active rules (the reductions fire when active)", function()
    local p = S.protocol(PROTOCOL)
    for _, r in ipairs(p.rules) do
      assert.not_equal("pgx-intermediate-active", r.id)
      assert.not_equal("renal-impairment-active", r.id)
    end
  end)

  it("cites the SPS schedule, not the WJG trial range, in sps_bsg", function()
    local ref = S.protocol(PROTOCOL).references.sps_bsg
    assert.is_nil(ref.text:find("WJG", 1, true))
    assert.is_nil(ref.text:find("1.5-2.5", 1, true))
  end)

  it("replaces neutrophils-low in place (one rule, the gastro threshold)", function()
    local p = S.protocol(PROTOCOL)
    local n = 0
    for _, r in ipairs(p.rules) do
      if r.id == "neutrophils-low" then
        n = n + 1
        assert.equal("neutrophils < 2.0 10*9/L", r.when)
      end
    end
    assert.equal(1, n)
  end)
  it("warns about patient words it does not read, but not about the indication", function()
    -- data.known_words: base lists white_british; ibd lists crohns_disease. 'chinese' is not
    -- 'east_asian' and must not pass silently (the NUDT15 rule reads east_asian only)
    local function warnings(changes)
      local r = assert(S.protocol(PROTOCOL):evaluate(S.patient(changes), { as_of = "2026-11-21" }))
      local paths = {}
      for _, w in ipairs(r.warnings or {}) do
        paths[#paths + 1] = w.path
      end
      return paths, r
    end
    assert.same({},
      (warnings { ancestry = { "white_british" }, conditions = { "crohns_disease" } }))
    local paths, r = warnings { ancestry = { "chinese" } }
    assert.same({ "ancestry[1]" }, paths)
    assert.matches("it has no effect", r.warnings[1].message, 1, true)
  end)
end)

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
    patient = P { azathioprine = ACTIVE_150,
                  medications = { { name = "allopurinol", status = "active",
                                    dose = "100 mg/d" } } },
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
    -- NUDT15 intermediate: TGN-guided dosing invalid (DPWG); no therapeutic verdict; the
    -- active patient's IM dose is checked, not reduced again.
    name = "NUDT15 intermediate with 6-TGN 300 -> TGN guidance invalid",
    patient = P { genotype = { TPMT = "*1/*1", NUDT15 = "*1/*3" },
                  azathioprine = { status = "active", dose = "75 mg/d",
                                   started = "2025-09-01" },
                  labs = metabolites(300, 2000) },
    expect = { decision = "proceed", dose = 75,
               alerts = { "pgx-intermediate-active", "tgn-nudt15-invalid" } },
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
  {
    name = "active patient -> 3-monthly monitoring",
    patient = P { azathioprine = ACTIVE_150 },
    expect = { decision = "proceed", dose = 150, alerts = {},
               monitoring = { "monitoring-maintenance" } },
    extra = function(r)
      for _, m in ipairs(r.monitoring) do
        if m.id == "monitoring-maintenance" then
          assert.near(91.3125, m.every_days, 1e-9) -- 3 mo = 3 x 30.4375 d (UCUM)
        end
      end
    end,
  },
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
                          "breastfeeding-high-dose", "cumulative-exposure" } do
      assert.is_true(ids[id] == true, id)
    end
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
end)

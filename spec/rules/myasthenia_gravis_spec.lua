-- Scenario specs for the "myasthenia_gravis" protocol (rules/myasthenia_gravis.lua; design §8
-- MG row; clinical reference §2.3, §1.3c, §3.2, §5, §6.1, §6.2, §7).
--
-- Standard patient (spec/support/scenario.lua): naive, 70 kg, TPMT *1/*1 and NUDT15 *1/*1,
-- full blood panel and LFT 11 days old, no medications; as_of 2026-11-21.
-- Doses worked by hand (docs/dose-maths.md): deliverable doses are multiples of 25 mg; the
-- target is the deliverable dose nearest rate x weight inside the band, ties to the lower
-- dose; interaction, renal and cap reductions round DOWN; the PGx percentage is taken of the
-- unrounded standard dose, nearest inside its own % band.
-- MG: 2.5 mg/kg/day, band 2.0-3.0; 50 mg/day, +50 mg every 2 weeks, never above the target.
-- A withheld or need_data patient still gets the worked-out dose (design §7: the dose is
-- absent only when contraindicated or when the weight is unknown); the decision says not to
-- start (or continue) until the problem is resolved.
local scenario = require "spec.support.scenario"

local P, NONE, lab = scenario.patient, scenario.NONE, scenario.lab

local cases = {
  -- dose and titration ------------------------------------------------------------------
  { name = "70 kg naive, normal/normal: 175 mg/day, titrated 50-100-150-175",
    -- 2.5 x 70 = 175 (deliverable); band 2.0 x 70 = 140 to 3.0 x 70 = 210 -> 175.
    -- Steps 50 (wk 0), 100 (wk 2), 150 (wk 4), then 200 > 175 -> the target 175 (wk 6).
    -- Source: MG reviews 2-3 mg/kg [R, unverified]; titration default [R, unverified]
    patient = P(),
    expect = { decision = "proceed", dose = 175, band = { 140, 210 },
               titration = { 50, 100, 150, 175 }, alerts = {}, need_data = {} } },
  { name = "60 kg: 150 mg/day",
    -- 2.5 x 60 = 150; band 120-180 -> 150. Steps 50, 100, 150.
    patient = P { weight = "60 kg" },
    expect = { decision = "proceed", dose = 150, band = { 120, 180 },
               titration = { 50, 100, 150 }, alerts = {}, need_data = {} } },
  { name = "80 kg: 200 mg/day",
    -- 2.5 x 80 = 200; band 160-240 -> 200. Steps 50, 100, 150, 200.
    patient = P { weight = "80 kg" },
    expect = { decision = "proceed", dose = 200, band = { 160, 240 },
               titration = { 50, 100, 150, 200 }, alerts = {}, need_data = {} } },
  { name = "65 kg: 162.5 is a tie between 150 and 175 -> the lower, 150",
    -- 2.5 x 65 = 162.5; band 130-195; 150 and 175 both 12.5 away -> 150.
    patient = P { weight = "65 kg" },
    expect = { decision = "proceed", dose = 150, band = { 130, 195 },
               titration = { 50, 100, 150 }, alerts = {}, need_data = {} } },
  { name = "weight 176 [lb_av] = 79.83 kg: 200 mg/day",
    -- 176 x 0.45359237 = 79.832 kg; 2.5 x 79.832 = 199.58; band 159.66-239.50;
    -- 200 is 0.42 away -> 200.
    patient = P { weight = "176 [lb_av]" },
    expect = { decision = "proceed", dose = 200, titration = { 50, 100, 150, 200 },
               alerts = {}, need_data = {} } },
  { name = "55 kg as {value, unit}: 137.5 -> tie -> 125 mg/day",
    -- 2.5 x 55 = 137.5; band 110-165; 125 and 150 both 12.5 away -> 125. Steps 50, 100, 125.
    patient = P { weight = { value = 55, unit = "kg" } },
    expect = { decision = "proceed", dose = 125, titration = { 50, 100, 125 }, alerts = {},
               need_data = {} } },

  -- pharmacogenomics --------------------------------------------------------------------
  { name = "TPMT intermediate, 70 kg: 50 % of 175 = 87.5 -> tie -> 75 mg/day",
    -- band 30-80 % of 175 = 52.5-140; 75 and 100 both 12.5 away -> 75. Steps 50, then 75.
    -- Source: CPIC 2025 T4 [S]; DPWG 2025 [V]
    patient = P { genotype = { TPMT = "*1/*3A", NUDT15 = "*1/*1" } },
    expect = { decision = "adjust", dose = 75, band = { 52.5, 140 }, titration = { 50, 75 },
               alerts = { "pgx-one-intermediate" }, need_data = {} } },
  { name = "NUDT15 intermediate (*1/*3), 80 kg: 50 % of 200 -> 100 mg/day",
    -- 50 % of 200 = 100; band 60-160 -> 100. Steps 50, 100.
    patient = P { weight = "80 kg", genotype = { TPMT = "*1/*1", NUDT15 = "*1/*3" } },
    expect = { decision = "adjust", dose = 100, band = { 60, 160 }, titration = { 50, 100 },
               alerts = { "pgx-one-intermediate" }, need_data = {} } },
  { name = "both intermediate, 70 kg: 30 % of 175 = 52.5 -> 50 mg/day",
    -- band 20-50 % = 35-87.5; 50 is 2.5 away (75 is 22.5) -> 50. One step: 50.
    patient = P { genotype = { TPMT = "*1/*3A", NUDT15 = "*1/*3" } },
    expect = { decision = "adjust", dose = 50, band = { 35, 87.5 }, titration = { 50 },
               alerts = { "pgx-both-intermediate" }, need_data = {} } },
  { name = "NUDT15 poor (*3/*3): contraindicated",
    patient = P { genotype = { TPMT = "*1/*1", NUDT15 = "*3/*3" } },
    expect = { decision = "contraindicated", dose = false, alerts = { "nudt15-poor" },
               need_data = {} } },
  { name = "TPMT indeterminate (*1/*5): need_data tpmt_activity",
    -- CPIC: *5 is of uncertain function; normal + uncertain = indeterminate; CPIC 2020:
    -- measure TPMT activity [V]
    patient = P { genotype = { TPMT = "*1/*5", NUDT15 = "*1/*1" } },
    expect = { decision = "need_data", dose = 175, alerts = { "tpmt-indeterminate" },
               need_data = { "tpmt_activity" } } },
  { name = "TPMT indeterminate genotype + activity 18 nmol/h/g Hb: intermediate -> 75 mg/day",
    -- St Thomas' 10-25 = carrier (intermediate) [V]; then as TPMT IM: 87.5 -> 75
    patient = P { genotype = { TPMT = "*1/*5", NUDT15 = "*1/*1" },
                  tpmt_activity = { value = 18, unit = "nmol/h/g{Hb}", method = "st_thomas",
                                    date = "2026-10-02" } },
    expect = { decision = "adjust", dose = 75, alerts = { "pgx-one-intermediate" },
               need_data = {} } },
  { name = "NUDT15 not tested, white British: 175 mg/day with a warning",
    -- design §8: NUDT15 not tested -> warning (need_data only for East Asian ancestry)
    patient = P { genotype = { TPMT = "*1/*1" } },
    expect = { decision = "proceed", dose = 175, alerts = { "nudt15-not-tested" },
               need_data = {} } },
  { name = "NUDT15 not tested, East Asian ancestry: need_data nudt15",
    patient = P { genotype = { TPMT = "*1/*1" }, ancestry = { "east_asian" } },
    expect = { decision = "need_data", dose = 175,
               alerts = { "nudt15-not-tested", "nudt15-not-tested-east-asian" },
               need_data = { "nudt15" } } },

  -- missing data -------------------------------------------------------------------------
  { name = "weight missing: need_data weight, no dose",
    patient = P { weight = NONE },
    expect = { decision = "need_data", dose = false, alerts = {}, need_data = { "weight" } } },
  { name = "no ALT or AST: need_data lft",
    patient = P { labs = { alt = NONE, ast = NONE } },
    expect = { decision = "need_data", dose = 175,
               alerts = { "baseline-lft" }, need_data = { "lft" } } },

  -- active versus naive, interactions -----------------------------------------------------
  { name = "naive, allopurinol taken: 25 % of 175 = 43.75 -> 25 mg/day",
    -- 175 x 0.25 = 43.75 -> round down -> 25 (SmPC [V])
    patient = P { medications = { { name = "allopurinol", status = "active" } } },
    expect = { decision = "adjust", dose = 25, titration = { 25 },
               alerts = { "allopurinol-quarter-dose" }, need_data = {} } },
  { name = "active on 150 mg/day, allopurinol planned: 150 x 0.25 = 37.5 -> 25 mg/day",
    patient = P { azathioprine = { status = "active", dose = "150 mg/d",
                                   started = "2026-01-10" },
                  medications = { { name = "allopurinol", status = "planned" } } },
    expect = { decision = "adjust", dose = 25, alerts = { "allopurinol-quarter-dose" },
               need_data = {} } },
  { name = "active on 150 mg/day, ramipril: proceed, ACE inhibitor warning",
    patient = P { azathioprine = { status = "active", dose = "150 mg/d",
                                   started = "2026-01-10" },
                  medications = { { name = "ramipril", status = "active" } } },
    expect = { decision = "proceed", dose = 150, alerts = { "ace-inhibitor-caution" },
               need_data = {} } },
  { name = "yellow fever vaccine planned: critical alert, dose unchanged",
    patient = P { vaccines_planned = { "yellow_fever" } },
    expect = { decision = "proceed", dose = 175, alerts = { "live-vaccine-planned" },
               need_data = {} } },

  -- monitoring of a patient already on azathioprine: the stage of the protocol's schedule
  -- (Pract Neurol 2020 Table 1; the numbers of BSR 2017) the dose is at: every 2 weeks to
  -- week 6, monthly x 3 (to week 19.04), then every 12 weeks ------------------------------
  { name = "active, started 2 weeks ago: every 2 weeks (Pract Neurol 2020), not 12-weekly",
    -- started 2026-11-07: 14 days = 2 weeks < 6
    patient = P { azathioprine = { status = "active", dose = "100 mg/d",
                                   started = "2026-11-07" } },
    expect = { decision = "proceed", dose = 100, alerts = {}, need_data = {},
               monitoring = { { id = "protocol", every = "2 wk" } } } },
  { name = "active, started 45 weeks ago: every 12 weeks (Pract Neurol 2020)",
    -- started 2026-01-10: 315 days = 45 weeks >= 19.04
    patient = P { azathioprine = { status = "active", dose = "150 mg/d",
                                   started = "2026-01-10" } },
    expect = { decision = "proceed", dose = 150, alerts = {}, need_data = {},
               monitoring = { { id = "protocol", every = "12 wk" } } } },

  -- pregnancy and lactation ----------------------------------------------------------------
  { name = "pregnant, 70 kg: 175 capped at 2 mg/kg = 140 -> 125 mg/day",
    -- 2 x 70 = 140; 175 > 140 -> largest deliverable <= 140 -> 125 (EULAR 2024 [S])
    patient = P { pregnant = true },
    expect = { decision = "adjust", dose = 125, alerts = { "pregnancy-cap" },
               need_data = {} } },
  { name = "breastfeeding, active on 150 mg/day (> 100): lactation warning",
    -- NKSR 2024: compatible up to 100 mg/day, assess individually above [V]
    patient = P { breastfeeding = true,
                  azathioprine = { status = "active", dose = "150 mg/d",
                                   started = "2026-01-10" } },
    expect = { decision = "proceed", dose = 150, alerts = { "breastfeeding-high-dose" },
               need_data = {} } },

  -- laboratory thresholds and unit variants -----------------------------------------------
  { name = "platelets 120 K/uL (= 120 x10^9/L < 140): withhold",
    patient = P { labs = { platelets = lab(120, "K/uL") } },
    expect = { decision = "withhold", dose = 175, alerts = { "platelets-low" }, need_data = {} } },
  { name = "temperature 101.3 [degF] (= 38.5 Cel >= 38): withhold until FBC",
    patient = P { labs = { temperature = lab(101.3, "[degF]") } },
    expect = { decision = "withhold", dose = 175,
               alerts = { "fever-or-symptoms" }, need_data = {} } },
}

describe("myasthenia_gravis protocol scenarios", function()
  it("has at least 15 scenarios", function()
    assert.is_true(#cases >= 15)
  end)

  it("loads with the MG parameters of design §8", function()
    local p = scenario.protocol("myasthenia_gravis")
    assert.equal("base", p.extends)
    assert.equal(2.5, p.parameters.dose.mg_per_kg_per_day)
    assert.same({ 2.0, 3.0 }, { p.parameters.dose.band[1], p.parameters.dose.band[2] })
    assert.equal(50, p.parameters.titration.start_mg_per_day)
    assert.equal(50, p.parameters.titration.step_mg_per_day)
    assert.equal(2, p.parameters.titration.every_weeks)
  end)

  it("counsels every patient that benefit takes 4-10 months, peak about 14", function()
    local r = assert(scenario.run("myasthenia_gravis", { patient = P() }))
    local text
    for _, c in ipairs(r.counselling) do
      if c.id == "counsel-mg-time-to-benefit" then
        text = c.text
      end
    end
    assert.is_string(text)
    assert.truthy(text:find("4 to 10 months", 1, true))
    assert.truthy(text:find("14 months", 1, true))
    -- also for a patient already on azathioprine, and one who is withheld
    r = assert(scenario.run("myasthenia_gravis", { patient = P {
      labs = { wbc = lab(3.0, "10*9/L") },
      azathioprine = { status = "active", dose = "150 mg/d", started = "2026-01-10" } } }))
    local seen = false
    for _, c in ipairs(r.counselling) do
      seen = seen or c.id == "counsel-mg-time-to-benefit"
    end
    assert.is_true(seen)
  end)

  it("prints the neurology (Pract Neurol 2020) monitoring schedule", function()
    local r = assert(scenario.run("myasthenia_gravis", { patient = P() }))
    local protocol_items = {}
    for _, m in ipairs(r.monitoring) do
      if m.source == "protocol" then
        protocol_items[#protocol_items + 1] = m.every
        assert.truthy(m.cite:find("Pract Neurol 2020", 1, true))
      end
    end
    -- every 2 weeks until stable 6 weeks, monthly x 3, then every 12 weeks
    assert.same({ "2 wk", "1 mo", "12 wk" }, protocol_items)
  end)

  it("cites Pract Neurol 2020 for the monitoring of a patient already on azathioprine",
    function()
      for _, c in ipairs {
        { started = "2026-11-07", n = 3, days = 14 },
        { started = "2026-01-10", n = 1, days = 84 },
      } do
        local r = assert(scenario.run("myasthenia_gravis", { patient = P {
          azathioprine = { status = "active", dose = "150 mg/d", started = c.started } } }))
        assert.equal(c.n, #r.monitoring)
        assert.equal("protocol", r.monitoring[1].source)
        assert.equal(c.days, r.monitoring[1].every_days)
        assert.truthy(r.monitoring[1].cite:find("Pract Neurol 2020", 1, true),
          r.monitoring[1].cite)
      end
    end)

  scenario.run_cases(it, "myasthenia_gravis", cases)
end)

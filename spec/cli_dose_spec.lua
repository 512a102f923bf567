-- `bin/aza dose`, run as a user would (from the checkout root, after the
-- build): text and JSON output, and exit status 2 with a message on stderr
-- for bad input.
local cjson = require "cjson"
local cli = require "spec.support.cli"

-- run bin/aza dose ARGS (bin/aza as an executable); returns stdout, stderr, exit code
local function aza_dose(...)
  return cli.aza({ ... }, { command = cli.LUA .. " bin/aza dose" })
end

local IBD = { "--weight", "70 kg", "--rate", "2 mg/kg/d", "--band-low", "2 mg/kg/d",
  "--band-high", "2.5 mg/kg/d" }

local function with(extra)
  local t = {}
  for _, a in ipairs(IBD) do
    t[#t + 1] = a
  end
  for _, a in ipairs(extra or {}) do
    t[#t + 1] = a
  end
  return require("aza.compat").unpack(t)
end

describe("aza dose", function()
  it("prints the IBD 70 kg target as text: 150 mg/day as 3 × 50 mg", function()
    -- 70 x 2 = 140, band 140..175 -> 150 (+7.14 %)
    local out, err, code = aza_dose(with())
    assert.equal(0, code, err)
    assert.equal("", err)
    assert.matches("Target:%s+150 mg/day %(2%.14 mg/kg/day; band 140–175 mg/day%)", out)
    assert.matches("Exact:%s+140 mg/day", out)
    assert.matches("%+7%.14 %%", out)
    assert.matches("Regimen:%s+3 × 50 mg once daily", out)
  end)

  it("prints JSON with the target, band, rounding error and regimen", function()
    local out, err, code = aza_dose(with { "--format", "json" })
    assert.equal(0, code, err)
    local doc = cjson.decode(out)
    assert.equal(150, doc.target_mg_per_day)
    assert.equal(150, doc.unmodified_mg_per_day)
    assert.equal(140, doc.exact_mg_per_day)
    assert.same({ 140, 175 }, doc.band_mg_per_day)
    assert.is_true(math.abs(doc.rounding_error_percent - 100 / 14) < 1e-9)
    assert.equal("nearest_in_band", doc.rounding)
    assert.equal("3 × 50 mg once daily", doc.regimen.text)
    assert.equal(6, doc.regimen.days[1].administrations[1].tablets[1].halves)
    assert.same({}, doc.modifiers)
    assert.matches('"modifiers":%[%]', out)
  end)

  it("applies modifiers in order and prints the trace (TPMT intermediate -> 75)", function()
    local out, err, code = aza_dose(with { "--percent", "50", "--percent-low", "30",
      "--percent-high", "80", "--format", "json" })
    assert.equal(0, code, err)
    local doc = cjson.decode(out)
    assert.equal(75, doc.target_mg_per_day)
    assert.equal(150, doc.unmodified_mg_per_day)
    assert.equal(1, #doc.modifiers)
    assert.equal("percent", doc.modifiers[1].modifier)
    assert.equal(70, doc.modifiers[1].exact_mg_per_day)
    assert.equal("1 × 50 mg + 1 × 25 mg once daily", doc.regimen.text)
    out = aza_dose(with { "--percent", "50", "--percent-low", "30", "--percent-high", "80" })
    assert.matches("Modifier: percent %(%-%-percent%): 150 → 75 mg/day", out)
    assert.matches("Dose:%s+75 mg/day", out)
  end)

  it("allopurinol and a pregnancy cap round down", function()
    -- 60 kg x 2.5 = 150; 25 % = 37.5 -> 25; cap 2 x 60 = 120 does not bind
    local out, err, code = aza_dose("--weight", "60 kg", "--rate", "2.5 mg/kg/d",
      "--fraction", "0.25", "--cap", "2 mg/kg/d", "--format", "json")
    assert.equal(0, code, err)
    local doc = cjson.decode(out)
    assert.equal(25, doc.target_mg_per_day)
    assert.equal("fraction", doc.modifiers[1].modifier)
    assert.equal("cap", doc.modifiers[2].modifier)
    assert.equal(120, doc.modifiers[2].limit_mg_per_day)
    -- cap alone: 150 -> 100
    out = aza_dose("--weight", "60 kg", "--rate", "2.5 mg/kg/d", "--cap", "2 mg/kg/d",
      "--format", "json")
    assert.equal(100, cjson.decode(out).target_mg_per_day)
  end)

  it("uses the formulary and the regimen options", function()
    -- 15 kg x 2.5 = 37.5: half a scored 75 mg tablet
    local out, err, code = aza_dose("--weight", "15 kg", "--rate", "2.5 mg/kg/d",
      "--formulary", "25,50s,75s")
    assert.equal(0, code, err)
    assert.matches("Regimen:%s+½ × 75 mg once daily", out)
    out = aza_dose(with { "--split-above", "100" })
    assert.matches("Regimen:%s+1 × 50 mg %+ 1 × 25 mg twice daily", out)
  end)

  it("adds a titration schedule with --start", function()
    local out, err, code = aza_dose("--weight", "80 kg", "--rate", "2.5 mg/kg/d", "--start",
      "50 mg/d", "--step", "50 mg/d", "--every", "2", "--start-date", "2026-01-05",
      "--format", "json")
    assert.equal(0, code, err)
    local doc = cjson.decode(out)
    local mg, weeks = {}, {}
    for i, s in ipairs(doc.titration) do
      mg[i], weeks[i] = s.mg_per_day, s.week
    end
    assert.same({ 50, 100, 150, 200 }, mg)
    assert.same({ 0, 2, 4, 6 }, weeks)
    assert.equal("2026-02-16", doc.titration[4].date)
    out = aza_dose("--weight", "80 kg", "--rate", "2.5 mg/kg/d", "--start", "50 mg/d",
      "--step", "50 mg/d", "--every", "2")
    assert.matches("Titrate:%s+50 mg/day weeks 0–1, 100 mg/day weeks 2–3, 150 mg/day weeks 4–5,"
      .. " 200 mg/day from week 6", out)
  end)

  it("gives the final dose on N days a week with --days-per-week", function()
    -- 10 % of 140 = 14, band 5-15 % = 7-21 mg; with 10 mg tablets: 10 (nearest to 14).
    -- 3 x 10 = 30 mg/week = 4.29 mg/day; / 70 kg = 0.0612 mg/kg/day
    local out, err, code = aza_dose(with { "--percent", "10", "--percent-low", "5",
      "--percent-high", "15", "--formulary", "10,25,50s", "--days-per-week", "3" })
    assert.equal(0, code, err)
    assert.matches("Dose:%s+10 mg on each dosing day, 3 days a week", out)
    assert.matches("Regimen:%s+1 × 10 mg once a day on 3 days a week %(days 1, 3, 5 of each "
      .. "week, e%.g%. Monday, Wednesday, Friday%); 30 mg per week", out)
    assert.matches("Week:%s+30 mg per week %(4%.29 mg/day on average, 0%.0612 mg/kg/day%)", out)
    out = aza_dose(with { "--percent", "10", "--percent-low", "5", "--percent-high", "15",
      "--formulary", "10,25,50s", "--days-per-week", "3", "--format", "json" })
    local doc = cjson.decode(out)
    assert.equal(3, doc.regimen.days_per_week)
    assert.same({ 1, 3, 5 }, doc.regimen.dosing_days)
    assert.equal(30, doc.regimen.weekly_mg)
  end)

  describe("bad input: exit 2 and a message on stderr", function()
    local cases = {
      { "weight outside 0.5–500 kg", { "--weight", "600 kg", "--rate", "2 mg/kg/d" },
        "weight 600 kg is outside 0.5–500 kg (E_VALUE)" },
      { "weight <= 0", { "--weight", "0 kg", "--rate", "2 mg/kg/d" }, "(E_VALUE)" },
      { "weight not a mass", { "--weight", "70 mg/kg", "--rate", "2 mg/kg/d" }, "(E_DIM)" },
      { "rate not per kg", { "--weight", "70 kg", "--rate", "150 mg/d" }, "(E_DIM)" },
      { "band lo > hi", { "--weight", "70 kg", "--rate", "2 mg/kg/d", "--band-low",
        "2.5 mg/kg/d", "--band-high", "2 mg/kg/d" }, "(E_DOSE)" },
      { "percentage above 100", { "--weight", "70 kg", "--rate", "2 mg/kg/d", "--percent",
        "120" }, "percentage 120 % is outside 0–100 % (E_VALUE)" },
      { "fraction above 1", { "--weight", "70 kg", "--rate", "2 mg/kg/d", "--fraction", "1.5" },
        "(E_VALUE)" },
      { "empty formulary", { "--weight", "70 kg", "--rate", "2 mg/kg/d", "--formulary", "" },
        "the formulary is empty (E_FORMULARY)" },
      { "nothing deliverable", { "--weight", "3 kg", "--rate", "2 mg/kg/d" }, "(E_NODOSE)" },
      { "a bad number", { "--weight", "70 kg", "--rate", "2 mg/kg/d", "--percent", "5O" },
        "bad number" },
      { "missing --rate", { "--weight", "70 kg" }, "--weight and --rate are required" },
      { "unknown option", { "--weight", "70 kg", "--rate", "2 mg/kg/d", "--wieght", "1" },
        "unknown option '--wieght'" },
      { "bad format", { "--weight", "70 kg", "--rate", "2 mg/kg/d", "--format", "xml" },
        "--format must be text or json" },
      { "days per week not whole", { "--weight", "70 kg", "--rate", "2 mg/kg/d",
        "--days-per-week", "3.5" }, "--days-per-week: a whole number of days from 1 to 7" },
      { "weekly schedule with a titration", { "--weight", "70 kg", "--rate", "2 mg/kg/d",
        "--days-per-week", "3", "--start", "50 mg/d", "--every", "2" },
        "a weekly schedule has no titration" },

    }
    for _, c in ipairs(cases) do
      it(c[1], function()
        local out, err, code = aza_dose(require("aza.compat").unpack(c[2]))
        assert.equal(2, code)
        assert.equal("", out)
        assert.matches(c[3], err, 1, true)
      end)
    end
  end)
end)

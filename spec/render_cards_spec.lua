-- aza.render.cards: a result as a CDS Hooks response body, and
-- `aza evaluate --format cards`.
local cards = require "aza.render.cards"
local cjson = require "cjson"
local protocol = require "aza.protocol"
local cli = require "spec.support.cli"

local AS_OF = { as_of = "2026-11-21" }
local PATIENT = "examples/patients/ibd-new-start.json"

local function patient(changes)
  local p = cjson.decode(cli.slurp(PATIENT))
  for k, v in pairs(changes or {}) do
    p[k] = v
  end
  return p
end

local function evaluate(changes)
  return assert(assert(protocol.load("ibd")):evaluate(patient(changes), AS_OF))
end

describe("aza.render.cards", function()
  it("puts the decision and dose first, then one card per alert, in order", function()
    -- TPMT *1/*3A: intermediate -> 50 % of 140 = 70, band 42-112 -> 75 mg/day (design §8)
    local r = evaluate { genotype = { TPMT = "*1/*3A", NUDT15 = "*1/*1" } }
    local c = cards.cards(r)
    assert.equal(1 + #r.alerts, #c)
    assert.equal("Azathioprine (ibd): adjust the dose — 75 mg/day as 1 × 50 mg + 1 × 25 mg once "
      .. "daily", c[1].summary)
    assert.equal("warning", c[1].indicator)
    assert.equal("aza ibd 2026.1", c[1].source.label)
    assert.matches("^```\nDecision: adjust", c[1].detail)
    for i, a in ipairs(r.alerts) do
      assert.equal(a.severity, c[i + 1].indicator)
      assert.matches(a.cite, c[i + 1].detail, 1, true)
    end
  end)

  it("maps every decision to an indicator", function()
    local want = { proceed = "info", adjust = "warning", need_data = "warning",
                   withhold = "critical", contraindicated = "critical" }
    local seen = {}
    for _, changes in ipairs {
      {},                                                             -- proceed
      { genotype = { TPMT = "*1/*3A", NUDT15 = "*1/*1" } },           -- adjust
      { genotype = { NUDT15 = "*1/*1" } },                            -- need_data (no TPMT)
      { symptoms = { "sore_throat" } },                               -- withhold
      { allergies = { "azathioprine" } },                             -- contraindicated
    } do
      local r = evaluate(changes)
      seen[r.decision] = true
      assert.equal(want[r.decision], cards.cards(r)[1].indicator)
    end
    assert.same({ proceed = true, adjust = true, need_data = true, withhold = true,
                  contraindicated = true }, seen)
  end)

  it("says when a dose is provisional or on hold, and names the rule that stopped it", function()
    assert.equal("Azathioprine (ibd): more data needed — provisional: 150 mg/day as 3 × 50 mg "
      .. "once daily", cards.cards(evaluate { genotype = { NUDT15 = "*1/*1" } })[1].summary)
    assert.equal("Azathioprine (ibd): withhold (fever-or-symptoms) — plan on hold: 150 mg/day "
      .. "as 3 × 50 mg once daily",
      cards.cards(evaluate { symptoms = { "sore_throat" } })[1].summary)
    assert.equal("Azathioprine (ibd): contraindicated (azathioprine-allergy)",
                 cards.cards(evaluate { allergies = { "azathioprine" } })[1].summary)
  end)

  it("says whether an active patient's dose is the current one or a change", function()
    local pipe = assert(protocol.load("spec/fixtures/pipeline/pipe.lua"))
    local function active(mg)
      return { id = "a", as_of = "2026-11-21", weight = "70 kg",
               genotype = { TPMT = "*1/*3A", NUDT15 = "*1/*1" },
               labs = { { test = "wbc", value = 6.8, unit = "10*9/L", date = "2026-11-14" } },
               azathioprine = { status = "active", dose = mg .. " mg/d" } }
    end
    assert.equal("Azathioprine (pipe): proceed — current dose 75 mg/day as 1 × 50 mg + 1 × 25 "
      .. "mg once daily", cards.cards(assert(pipe:evaluate(active(75))))[1].summary)
    assert.equal("Azathioprine (pipe): adjust the dose — 150 → 75 mg/day as 1 × 50 mg + 1 × 25 "
      .. "mg once daily", cards.cards(assert(pipe:evaluate(active(150))))[1].summary)
  end)

  it("keeps every summary within 140 characters, cut at a word", function()
    local long = string.rep("word ", 60)
    local s = cards.shorten(long)
    assert.is_true(require("aza.compat").utf8_len(s) <= 140)
    assert.matches("word…$", s)
    assert.equal("short text", cards.shorten("short  text"))
    local r = evaluate { genotype = { TPMT = "*3A/*3A", NUDT15 = "*1/*1" } }
    for _, c in ipairs(cards.cards(r)) do
      assert.is_true(require("aza.compat").utf8_len(c.summary) <= cards.SUMMARY_MAX, c.summary)
    end
  end)

  it("renders the same JSON for the same result", function()
    local a = cards.render(evaluate {})
    local b = cards.render(evaluate {})
    assert.equal(a, b)
    assert.equal("info", cjson.decode(a).cards[1].indicator)
  end)
end)

describe("aza evaluate --format cards", function()
  it("prints a CDS Hooks response body and exits 0", function()
    local out, err, code = cli.aza { "evaluate", "--protocol", "ibd", "--as-of", "2026-11-21",
                                     "--format", "cards", PATIENT }
    assert.equal(0, code, err)
    local body = cjson.decode(out)
    assert.equal("Azathioprine (ibd): proceed — 150 mg/day as 3 × 50 mg once daily",
                 body.cards[1].summary)
  end)
end)

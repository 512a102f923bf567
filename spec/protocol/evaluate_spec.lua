-- The evaluator through Lua: aza.protocol.compile, aza.protocol.evaluate and
-- the aza.Program userdata of aza.core.

local compile = require "aza.protocol.compile"
local core = require "aza.core"
local evaluate = require "aza.protocol.evaluate"
local load = require "aza.protocol.load"
local quantity = require "aza.quantity"

local FIXTURE = "spec/fixtures/eval/many_rules.lua"
local WITHHOLD = { type = "withhold" }

local function protocol(rules, extra)
  local p = { id = "spec", version = "1", hash = "abc", rules = rules }
  for k, v in pairs(extra or {}) do
    p[k] = v
  end
  return p
end

local function compiled_of(rules, extra)
  return assert(compile.compile(protocol(rules, extra)))
end

-- a canonical text of any value: sorted keys, %.17g numbers
local function canon(v)
  local t = type(v)
  if t == "table" then
    local keys = {}
    for k in pairs(v) do keys[#keys + 1] = k end
    table.sort(keys, function(a, b) return tostring(a) < tostring(b) end)
    local out = {}
    for _, k in ipairs(keys) do
      out[#out + 1] = tostring(k) .. "=" .. canon(v[k])
    end
    return "{" .. table.concat(out, ",") .. "}"
  elseif t == "number" then
    return string.format("%.17g", v)
  end
  return tostring(v)
end

describe("aza.protocol.evaluate", function()
  describe("evaluate()", function()
    it("withholds on a low count given in another unit, and traces given and converted", function()
      local c = compiled_of { { id = "wbc-low", when = "wbc < 3.5 10*9/L", action = WITHHOLD,
                                cite = "bsr2017" } }
      local r = assert(evaluate.evaluate(c, { wbc = "3200 /uL" }))
      assert.equal("withhold", r.decision)
      assert.equal("wbc-low", r.decision_by)
      assert.same({ id = "spec", version = "1", hash = "abc" }, r.protocol)
      assert.equal(1, #r.trace)
      assert.equal("wbc-low", r.trace[1].rule)
      assert.equal("true", r.trace[1].outcome)
      assert.equal("bsr2017", r.trace[1].cite)
      assert.equal("3200 /uL", r.trace[1].facts.wbc.given)
      assert.near(3.2, r.trace[1].facts.wbc.converted, 1e-12)
      r = assert(evaluate.evaluate(c, { wbc = quantity.new(4, "10*3/uL") }))
      assert.equal("proceed", r.decision)
      assert.equal("false", r.trace[1].outcome)
      assert.equal("4 10*3/uL", r.trace[1].facts.wbc.given)
    end)

    it("records a missing fact as unknown, and an unknown condition as 'unknown'", function()
      local c = compiled_of { { id = "wbc-low", when = "wbc < 3.5 10*9/L", action = WITHHOLD } }
      local r = assert(evaluate.evaluate(c, {}))
      assert.equal("unknown", r.trace[1].outcome)
      assert.equal("proceed", r.decision)
      assert.same({}, r.need_data)
    end)

    it("asks for the facts of a required rule whose condition is unknown", function()
      local c = compiled_of({
        { id = "baseline", when = "wbc < 3.5 10*9/L or alt > 100 U/L", require = true,
          action = WITHHOLD },
      }, { required = { "weight" } })
      local r = assert(evaluate.evaluate(c, { alt = "40 U/L" }))
      assert.equal("need_data", r.decision)
      assert.same({ "weight", "wbc" }, r.need_data)
      r = assert(evaluate.evaluate(c, { alt = "140 U/L", weight = "70 kg" }))
      assert.equal("withhold", r.decision) -- or: true with one side unknown
      assert.same({}, r.need_data)
    end)

    it("cites the short form of table references, for one key and for a list", function()
      local c = compiled_of({
        { id = "one", when = "true", cite = "cpic",
          action = { type = "alert", kind = "pharmacogenomic", severity = "info" } },
        { id = "two", when = "true", cite = { "cpic", "bsr" },
          action = { type = "alert", kind = "lab", severity = "info" } },
      }, { references = { cpic = { text = "CPIC 2025 update, Table 4", short = "CPIC 2025 T4" },
                          bsr = "BSR 2017" } })
      local r = assert(evaluate.evaluate(c, {}))
      assert.equal("CPIC 2025 T4", r.alerts[1].cite)
      assert.equal("CPIC 2025 T4; BSR 2017", r.alerts[2].cite)
    end)

    it("collects alerts, counselling, monitoring and dose modifiers in rule order", function()
      local c = compiled_of({
        { id = "allo", when = 'taking("allopurinol")', cite = "bsr2017", message = "quarter dose",
          action = { { type = "reduce", fraction = 0.25 },
                     { type = "alert", kind = "interaction", severity = "critical" } } },
        { id = "tpmt-im", when = 'tpmt.phenotype == "intermediate"',
          action = { type = "reduce", percent = 50, low = 30, high = 80 } },
        { id = "vaccine", when = 'planned("yellow_fever")',
          action = { { type = "counsel", text = "no live vaccines" },
                     { type = "monitor", tests = { "fbc" }, every = "2 wk", weeks = 8 } } },
      }, { references = { bsr2017 = "BSR 2017" } })
      local r = assert(evaluate.evaluate(c, {
        ["medications.active"] = { "allopurinol" }, ["tpmt.phenotype"] = "intermediate",
        ["vaccines.planned"] = { "yellow_fever" } }))
      assert.equal("adjust", r.decision)
      assert.equal(2, #r.modifiers)
      assert.equal("allo", r.modifiers[1].rule)
      assert.equal(0.25, r.modifiers[1].fraction)
      assert.equal("tpmt-im", r.modifiers[2].rule)
      assert.equal(50, r.modifiers[2].percent)
      assert.same({ id = "allo", kind = "interaction", severity = "critical",
                    message = "quarter dose", cite = "BSR 2017" }, r.alerts[1])
      assert.equal("no live vaccines", r.counselling[1].text)
      assert.same({ "fbc" }, r.monitoring[1].tests)
      assert.equal(14, r.monitoring[1].every_days)
    end)

    it("takes the most severe decision", function()
      local c = compiled_of {
        { id = "a", when = "true", action = { type = "reduce", fraction = 0.5 } },
        { id = "b", when = "pregnant",
          action = { type = "need_data", facts = { "tpmt.phenotype" } } },
        { id = "c", when = "breastfeeding", action = WITHHOLD },
        { id = "d", when = 'allergic("azathioprine")', action = { type = "contraindicate" } },
      }
      local function decide(f)
        return assert(evaluate.evaluate(c, f)).decision
      end
      assert.equal("adjust", decide {})
      assert.equal("need_data", decide { pregnant = true })
      assert.equal("withhold", decide { pregnant = true, breastfeeding = true })
      assert.equal("contraindicated",
        decide { pregnant = true, breastfeeding = true, allergies = { "azathioprine" } })
    end)

    it("computes dates, weeks and the creatinine rise from dated readings", function()
      local c = compiled_of {
        { id = "early", when = "weeks_since(azathioprine.started) < 8 wk", action = WITHHOLD },
        { id = "renal", when = "rise_percent(creatinine, 365 d) > 30 %", action = WITHHOLD },
      }
      local r = assert(evaluate.evaluate(c, { as_of = "2026-11-21",
        ["azathioprine.started"] = "2026-10-20",
        creatinine = { { value = 1.0, unit = "mg/dL", date = "2026-02-01" },
                       { value = 130, unit = "umol/L", date = "2026-11-01" },
                       { value = 70, unit = "umol/L", date = "2025-01-01" } } }))
      assert.equal("true", r.trace[1].outcome)
      assert.equal("true", r.trace[2].outcome) -- 88.4 → 130 umol/L: +47 %
      -- exactly 30 % (68 -> 88.4 umol/L; 30.000000000000014 in doubles) is not > 30 %
      r = assert(evaluate.evaluate(c, { as_of = "2026-11-21",
        creatinine = { { value = 68, unit = "umol/L", date = "2026-01-01" },
                       { value = 88.4, unit = "umol/L", date = "2026-11-01" } } }))
      assert.equal("false", r.trace[2].outcome)
      r = assert(evaluate.evaluate(c, { ["azathioprine.started"] = "2026-10-20" }))
      assert.equal("unknown", r.trace[1].outcome) -- no as_of
      assert.equal("unknown", r.trace[2].outcome)
    end)

    it("reads a method-specific fact only in its own unit", function()
      local c = compiled_of { { id = "tpmt-low", when = "tpmt.activity < 10 nmol/h/g{Hb}",
                                action = { type = "contraindicate" } } }
      local r = assert(evaluate.evaluate(c,
        { ["tpmt.activity"] = { value = 8, unit = "nmol/h/g{Hb}" } }))
      assert.equal("contraindicated", r.decision)
      r = assert(evaluate.evaluate(c,
        { ["tpmt.activity"] = { value = 8, unit = "nmol/h/mL{RBC}" } }))
      assert.equal("unknown", r.trace[1].outcome)
    end)

    it("returns nil, message, code for a fact in the wrong dimension or a bad date", function()
      local c = compiled_of { { id = "x",
                                when = "wbc < 3.5 10*9/L and days_since(transfusion.date) < 9",
                                action = WITHHOLD } }
      assert.fails_with("E_DIM", "fact 'wbc'", evaluate.evaluate(c, { wbc = "3 mg" }))
      assert.fails_with("E_ARG", "transfusion.date",
        evaluate.evaluate(c, { ["transfusion.date"] = "2026-02-30" }))
      assert.fails_with("E_ARG", "as_of", evaluate.evaluate(c, { as_of = "yesterday" }))
    end)

    it("gives the same result for the same input, byte for byte", function()
      local c = assert(compile.compile(assert(load.load(FIXTURE))))
      local facts = { as_of = "2026-11-21", wbc = "3400 /uL", alt = "120 U/L",
                      ["alt.uln"] = "40 U/L",
                      ["tpmt.phenotype"] = "intermediate", ["nudt15.phenotype"] = "normal",
                      ["medications.active"] = { "allopurinol" }, pregnant = true,
                      weight = "70 kg" }
      local first = canon(assert(evaluate.evaluate(c, facts)))
      for _ = 1, 20 do
        assert.equal(first, canon(assert(evaluate.evaluate(c, facts))))
      end
      local c2 = assert(compile.compile(assert(load.load(FIXTURE))))
      assert.equal(first, canon(assert(evaluate.evaluate(c2, facts))))
    end)
  end)

  describe("day()", function()
    it("counts days since 1970-01-01", function()
      assert.equal(0, evaluate.day("1970-01-01"))
      assert.equal(20000, evaluate.day("2024-10-04"))
      assert.equal(-1, evaluate.day("1969-12-31"))
      assert.equal(11016, evaluate.day("2000-02-29"))
      assert.is_nil(evaluate.day("2023-02-29"))
      assert.is_nil(evaluate.day("2024-13-01"))
    end)
  end)
end)

describe("aza.protocol.compile", function()
  it("compiles the fixture protocol loaded through the loader", function()
    local p = assert(load.load(FIXTURE))
    local c = assert(compile.compile(p))
    assert.equal(#p.rules, c.program:info().rules)
    assert.equal(p.hash, c.program:info().hash)
    assert.matches("^aza.Program: eval%-fixture 2026.1", tostring(c.program))
  end)

  it("converts constants into the fact's reference unit at compile time", function()
    local desc = assert(compile.describe(protocol {
      { id = "n", when = "neutrophils < 1600 /uL", action = WITHHOLD },
      { id = "t", when = "temperature >= 100.4 [degF]", action = WITHHOLD },
    }))
    assert.same({ "num", 1 }, desc.rules[1].code[1])
    assert.equal("const", desc.rules[1].code[2][1])
    assert.near(1.6, desc.rules[1].code[2][2], 1e-12)
    assert.near(38, desc.rules[2].code[2][2], 1e-9)
  end)

  it("reports unknown facts and dimension mismatches with the rule and column", function()
    assert.fails_with("E_COMPILE", "rule 'x': at col 1: unknown fact 'nope'",
      compile.compile(protocol { { id = "x", when = "nope < 3", action = WITHHOLD } }))
    assert.fails_with("E_COMPILE", "rule 'y': at col 7: cannot convert mg",
      compile.compile(protocol { { id = "y", when = "wbc < 3 mg", action = WITHHOLD } }))
    assert.fails_with("E_COMPILE", "string can only be compared with a string",
      compile.compile(protocol { { id = "z", when = 'wbc == "poor"', action = WITHHOLD } }))
  end)

  it("skips disabled rules", function()
    local c = compiled_of {
      { id = "a", when = "true", action = WITHHOLD, disabled = true },
      { id = "b", when = "false", action = WITHHOLD },
    }
    assert.equal(1, c.program:info().rules)
    assert.equal("b", c.program:rule(1).id)
  end)
end)

describe("aza.core program()", function()
  local function desc(rules)
    return { id = "d", version = "1", hash = "h",
             slots = { { type = "num", name = "wbc" }, { type = "str", name = "tpmt.phenotype" } },
             rules = rules }
  end

  it("rejects a malformed program with nil, message, code", function()
    assert.fails_with("E_ARG", "index out of range",
      core.program(desc { { id = "r", code = { { "num", 9 }, { "const", 1 }, { "cmp", "<" } } } }))
    assert.fails_with("E_ARG", "operands missing",
      core.program(desc { { id = "r", code = { { "and" } } } }))
    assert.fails_with("E_ARG", "not one truth value",
      core.program(desc { { id = "r", code = { { "num", 1 } } } }))
    assert.fails_with("E_ARG", "wrong type",
      core.program(desc { { id = "r", code = { { "str", 1 } } } }))
  end)

  it("raises on a description that is not one", function()
    assert.has_error(function()
      core.program(desc { { id = "r", code = { { "bogus" } } } })
    end, "aza: bad program description at rules[1].code[1]: unknown opcode")
    assert.has_error(function()
      core.program(42)
    end)
  end)

  it("evaluates slot values and reports outcomes, fired actions and need_data", function()
    local p = assert(core.program(desc {
      { id = "low", cite = "bsr", require = true,
        code = { { "num", 1 }, { "const", 3.5 }, { "cmp", "<" } },
        actions = { { type = "withhold" } } },
      { id = "poor", code = { { "str", 2 }, { "in", { "poor" } } },
        actions = { { type = "contraindicate" } } },
    }))
    local r = p:evaluate({ 3, "poor" })
    assert.equal("contraindicated", r.decision)
    assert.equal(2, r.decision_rule)
    assert.same({ "true", "true" }, r.outcomes)
    assert.same({ { rule = 1, action = 1 }, { rule = 2, action = 1 } }, r.fired)
    r = p:evaluate({ nil, "someone else" })
    assert.same({ "unknown", "false" }, r.outcomes)
    assert.same({ "wbc" }, r.need_data)
    assert.equal("need_data", r.decision)
    assert.same({ id = "low", cite = "bsr", require = true, slots = { 1 } }, p:rule(1))
    assert.is_nil(p:rule(3))
    assert.has_error(function() p:evaluate({ "three" }) end)
  end)

  it("closes idempotently", function()
    local p = assert(core.program(desc { { id = "r", code = { { "truth", true } } } }))
    p:close()
    p:close()
    assert.equal("aza.Program (closed)", tostring(p))
    assert.has_error(function() p:evaluate({}) end)
    -- __close is what a 5.4 `local q <close>` calls; the same function on every Lua
    local q = assert(core.program(desc { { id = "r", code = { { "truth", true } } } }))
    local close = getmetatable(q).__close
    assert.is_function(close)
    assert.equal("true", q:evaluate({}).outcomes[1])
    close(q)
    assert.equal("aza.Program (closed)", tostring(q))
  end)
end)

-- Load-time checks: each error names file:line and says what to change.
-- These specs use the real aza.units (dimension texts come from the C core).
local check = require "aza.protocol.check"
local facts = require "aza.protocol.facts"
local load = require "aza.protocol.load"
local units = require "aza.units"

local FIXTURES = "spec/fixtures/protocols"

local dir
local function tmpfile(name, text)
  local f = assert(io.open(dir .. "/" .. name, "wb"))
  f:write(text)
  f:close()
  return dir .. "/" .. name
end

-- load a protocol text; returns the error messages as "file:line: message" lines
local function errors_of(text)
  local path = tmpfile("p.lua", text)
  local p, msg, code, errors = load.load(path, { path = { FIXTURES } })
  assert.is_nil(p, "the protocol loaded")
  assert.equal("E_PROTOCOL", code, msg)
  return msg, path, errors
end

-- assert that loading `text` reports, at line `line` of the file, an error
-- whose message contains `message`
local function reports(text, line, message)
  local msg, path = errors_of(text)
  local prefix = path .. ":" .. line .. ": "
  for l in msg:gmatch("[^\n]+") do
    if l:sub(1, #prefix) == prefix and l:find(message, #prefix + 1, true) then
      return
    end
  end
  error("\nexpected: " .. prefix .. "…" .. message .. "\ngot:      " .. msg, 2)
end

-- a protocol with one rule on line 4 (`when` and extra fields given)
local function one_rule(when, extra)
  return 'return protocol "p" {\n  version = "1",\n  references = { bsr2017 = "BSR 2017" },\n'
    .. '  rules = { rule "r1" { when = ' .. string.format("%q", when)
    .. ", action = withhold, cite = \"bsr2017\"" .. (extra or "") .. " } },\n}\n"
end

describe("aza.protocol.check", function()
  setup(function()
    local p = io.popen("mktemp -d")
    dir = p:read("*l")
    p:close()
  end)
  teardown(function()
    os.execute("rm -rf '" .. dir .. "'")
  end)

  describe("conditions", function()
    it("unknown fact, with the closest name", function()
      reports(one_rule("wcc < 3.5 10*9/L"), 4, "rule 'r1': unknown fact 'wcc'; did you mean "
        .. "'wbc'? (col 1 of \"wcc < 3.5 10*9/L\")")
    end)

    it("unknown function, with the closest name", function()
      reports(one_rule('takng("allopurinol")'), 4, "rule 'r1': unknown function 'takng'; did you "
        .. "mean 'taking'?")
    end)

    it("dimension mismatch: wbc < 3.5 mg", function()
      reports(one_rule("wbc < 3.5 mg"), 4, "rule 'r1': dimension of wbc is 1/volume, got mass "
        .. "(3.5 mg); write it in 10*9/L or another unit of that dimension (col 7 of "
        .. "\"wbc < 3.5 mg\")")
    end)

    it("units of one dimension that do not convert (annotations)", function()
      reports(one_rule("egfr < 60 mL/min"), 4, "rule 'r1': 60 mL/min does not convert to "
        .. "mL/min/{1.73_m2} (egfr)")
    end)

    it("a quantity fact compared with a bare number", function()
      reports(one_rule("wbc < 3.5"), 4, "rule 'r1': wbc is a quantity in 10*9/L: give the number "
        .. "a unit, as in 3.5 10*9/L")
    end)

    it("a string fact compared with a quantity", function()
      reports(one_rule("tpmt.phenotype == 3 mg"), 4, "rule 'r1': comparing the string fact "
        .. "tpmt.phenotype with 3 mg; compare it with a string (one of normal, intermediate, "
        .. "possible_intermediate, poor, indeterminate)")
      reports(one_rule("wbc == \"low\""), 4, "rule 'r1': comparing the string \"low\" with wbc")
    end)

    it("a word the fact never takes", function()
      reports(one_rule('tpmt.phenotype == "poorr"'), 4, "rule 'r1': \"poorr\" is not a value of "
        .. "tpmt.phenotype; did you mean 'poor'?")
      reports(one_rule('nudt15.phenotype in {"normal", "slow"}'), 4, "\"slow\" is not a value of "
        .. "nudt15.phenotype")
    end)

    it("strings ordered with < or >", function()
      reports(one_rule('sex < "male"'), 4, "strings are compared with == or != only, got '<'")
    end)

    it("a value used as a condition", function()
      reports(one_rule("wbc and pregnant"), 4, "rule 'r1': wbc is a quantity, not a condition; "
        .. "compare it such as wbc < 1 10*9/L")
      reports(one_rule("days_since(wbc.date)"), 4, "days_since() gives a value, not a condition")
    end)

    it("dates and sets in comparisons", function()
      reports(one_rule("azathioprine.started > 3"), 4, "azathioprine.started is a date: compare "
        .. "days_since(azathioprine.started) or weeks_since(azathioprine.started) instead")
      reports(one_rule('symptoms == "sore_throat"'), 4, "symptoms is a set: use has(")
      reports(one_rule('symptoms in {"a"}'), 4, "symptoms is a set")
      reports(one_rule("pregnant == 1"), 4, "pregnant is a boolean: use it as a condition")
    end)

    it("function arguments", function()
      reports(one_rule("days_since(wbc) > 28"), 4, "days_since() needs a date fact, got wbc "
        .. "(a quantity); use wbc.date")
      reports(one_rule("rise_percent(weight, 365 d) > 30"), 4, "rise_percent() needs a lab test")
      reports(one_rule("rise_percent(creatinine, 365 mg) > 30"), 4, "rise_percent() needs a "
        .. "duration: dimension of 365 mg is mass, not time")
      reports(one_rule("ratio(wbc, alt) > 2"), 4, "ratio() needs two quantities of the same "
        .. "dimension: wbc is 1/volume, alt is")
      reports(one_rule("taking(allopurinol)"), 4, "taking() needs a string such as taking(\"…\"), "
        .. "got allopurinol")
      reports(one_rule("known(wbc, alt)"), 4, "known() takes 1 argument, got 2")
    end)

    it("arithmetic on a special unit", function()
      reports(one_rule("temperature > 2 * temperature.uln"), 4, "cannot multiply 2 and "
        .. "temperature.uln")
    end)

    it("a when that does not parse, with its column", function()
      reports(one_rule("wbc < 3.5 mgg"), 4, "rule 'r1': when: expected a unit after '3.5' at "
        .. "col 10: wbc < 3.5 mgg")
    end)

    it("accepts bare numbers where the other side has an implied unit", function()
      local U = { units = units }
      local ast = assert(check.check_when("weeks_since(azathioprine.started) < 8", U))
      assert.equal("quantity", ast.kind)
      assert.equal("wk", ast.unit)
      assert.equal("wk", ast.rhs.unit)
      ast = assert(check.check_when("inr > 3", { units = units }))
      assert.equal("1", ast.unit)
      ast = assert(check.check_when("ratio(mmp6, tgn6) > 11", { units = units }))
      assert.equal("number", ast.kind)
      ast = assert(check.check_when("rise_percent(creatinine, 365 d) > 30", { units = units }))
      assert.equal("%", ast.unit)
    end)

    it("annotates the AST for the compiler", function()
      local ast, reads = check.check_when("alt > 2 * alt.uln and platelets < 140 x10^9/L",
        { units = units })
      assert.is_table(ast, reads and reads[1] and reads[1].message)
      local cmp = ast[1]
      assert.equal("quantity", cmp.kind)
      assert.equal("U/L", cmp.unit)
      assert.equal(facts.by_name.alt.slot, cmp.lhs.slot)
      assert.equal("quantity", cmp.rhs.type)
      assert.equal(cmp.lhs.dim, cmp.rhs.dim)
      local q = ast[2].rhs
      assert.equal("x10^9/L", q.unit) -- as written
      assert.equal("10*9/L", q.ucum)  -- mapped
      assert.equal("boolean", ast.type)
      assert.same({ "alt", "alt.uln", "platelets" }, reads)
    end)

    it("compares a method-specific quantity in the literal's unit", function()
      local ast = assert(check.check_when("tpmt.activity < 10 nmol/h/g{Hb}", { units = units }))
      assert.equal("nmol/h/g{Hb}", ast.unit)
      local _, problems = check.check_when("tpmt.activity < 10", { units = units })
      assert.is_truthy(problems[1].message:find("method-specific unit", 1, true))
    end)
  end)

  describe("rules", function()
    it("unknown citation key", function()
      reports(one_rule("true"):gsub('cite = "bsr2017"', 'cite = "bsr2071"'), 4, "rule 'r1': "
        .. "unknown citation key 'bsr2071' (did you mean 'bsr2017'?); add it to references = "
        .. "{ bsr2071 = \"…\" } or use one of: bsr2017")
    end)

    it("missing citation", function()
      reports(one_rule("true"):gsub(', cite = "bsr2017"', ""), 4, "rule 'r1': needs cite = "
        .. "\"key\", a key of references (bsr2017)")
    end)

    it("duplicate rule id", function()
      reports([[
return protocol "p" {
  version = "1",
  references = { k = "K" },
  rules = {
    rule "same" { when = "true", action = withhold, cite = "k" },
    rule "same" { when = "false", action = withhold, cite = "k" },
  },
}
]], 6, "duplicate rule id 'same' (first at " .. dir .. "/p.lua:5); rename one of them")
    end)

    it("unknown action", function()
      reports(one_rule("true"):gsub("action = withhold", 'action = { type = "withold" }'), 4,
        "rule 'r1': action: unknown action 'withold'; did you mean 'withhold'?")
      reports(one_rule("true"):gsub("action = withhold", 'action = "withhold"'), 4,
        "rule 'r1': action: unknown action (a string)")
      reports(one_rule("true"):gsub("action = withhold, ", ""), 4, "rule 'r1': needs action = …")
    end)

    it("actions with bad fields", function()
      local function with(action)
        return (one_rule("true"):gsub("action = withhold", "action = " .. action))
      end
      reports(with('alert{ kind = "lab", severity = "severe" }'), 4, "alert: severity must be "
        .. "info, warning or critical, got severe")
      reports(with('alert{ kind = "labs", severity = "info" }'), 4, "alert: unknown kind 'labs'; "
        .. "did you mean 'lab'?")
      reports(with("reduce{ percent = 50, fraction = 0.5 }"), 4, "reduce needs either percent")
      reports(with("cap{}"), 4, "cap needs one of mg_per_kg_per_day or mg_per_day")
      reports(with('monitor{ tests = {"fbc"}, every = "2 mg" }'), 4, "monitor: every must be a "
        .. "duration such as \"2 wk\", got \"2 mg\"")
      reports(with('counsel ""'), 4, "counsel needs a text")
      reports(with("need_data{}"), 4, "need_data needs a list of data names")
      reports(with("set_dose{ mg_per_day = 100, week = 4 }"), 4, "set_dose: unknown field 'week'; "
        .. "did you mean 'weeks'?")
      reports(with('{ withhold, alert{ kind = "lab" } }'), 4, "action[2]: alert: severity must be")
    end)

    it("band lo > hi in an action", function()
      reports(one_rule("true"):gsub("action = withhold",
        "action = reduce{ percent = 50, low = 80, high = 30 }"), 4,
        "reduce: band lo > hi (low = 80, high = 30); swap them")
      reports(one_rule("true"):gsub("action = withhold",
        "action = set_dose{ mg_per_kg_per_day = 1.0, band = { 1.25, 0.75 } }"), 4,
        "set_dose: band lo > hi (1.25 > 0.75); swap them")
      reports(one_rule("true"):gsub("action = withhold",
        "action = set_dose{ mg_per_kg_per_day = 1.0, start_mg_per_kg_per_day = 0.5 }"), 4,
        "set_dose: a start dose and its weeks go together")
    end)

    it("days_per_week of a weekly schedule", function()
      reports(one_rule("true"):gsub("action = withhold",
        "action = reduce{ percent = 10, days_per_week = 3.5 }"), 4,
        "reduce: days_per_week must be a whole number of days from 1 to 7 (7: every day), got 3.5")
      reports(one_rule("true"):gsub("action = withhold",
        "action = set_dose{ mg_per_day = 25, days_per_week = 0 }"), 4,
        "set_dose: days_per_week must be a whole number of days from 1 to 7")
      reports(one_rule("true"):gsub("action = withhold",
        "action = set_dose{ mg_per_day = 25, days_per_week = 3, start_mg_per_day = 10, "
          .. "start_weeks = 2 }"), 4,
        "set_dose: a weekly schedule (days_per_week) has no titration: drop the start dose")
      reports(one_rule("true"):gsub("action = withhold",
        "action = cap{ mg_per_day = 25, days_per_week = 3 }"), 4,
        "cap: unknown field 'days_per_week'")
      local src = one_rule("true"):gsub("action = withhold",
        "action = reduce{ percent = 10, low = 5, high = 15, days_per_week = 3 }")
      local p, msg = load.load(tmpfile("weekly.lua", src), { path = { FIXTURES } })
      assert.is_truthy(p, msg)
      assert.equal(3, p.rules[1].action.days_per_week)
    end)

    it("checks the parameters the dose maths reads (as aza evaluate would)", function()
      local function params(text)
        return 'return protocol "p" {\n  version = "1",\n  references = { r = "R" },\n'
          .. "  parameters = {\n" .. text .. "\n  },\n}\n"
      end
      reports(params("    formulary = { { mg = 0 } },"), 5,
        "parameters.formulary: tablet strength 0 mg is not positive")
      reports(params("    dose = { mg_per_kg_per_day = 3.0, band = { 2.0, 2.5 } },"), 5,
        "parameters.dose: 3 mg/kg/day is outside its band 2–2.5")
      reports(params("    titration = { start_mg_per_day = 50 },"), 5,
        "parameters.titration.every_weeks must be a whole number of weeks")
      reports(params('    profile = "cpic-1999",'), 5, "parameters.profile:")
    end)

    it("accepts a set_dose with its own band and start", function()
      local src = one_rule("true"):gsub("action = withhold", "action = set_dose{ "
        .. "mg_per_kg_per_day = 1.0, band = { 0.75, 1.25 }, start_mg_per_kg_per_day = 0.5, "
        .. "start_weeks = 4 }")
      local p, msg = load.load(tmpfile("ok.lua", src), { path = { FIXTURES } })
      assert.is_truthy(p, msg)
      assert.same({ 0.75, 1.25 }, p.rules[1].action.band)
    end)

    it("unknown rule field", function()
      reports(one_rule("true", ", mesage = \"x\""), 4, "rule 'r1': unknown field 'mesage'; did "
        .. "you mean 'message'?")
      reports(one_rule("true", ", require = 1"), 4, "require must be true or false")
    end)

    it("reports every error of a file, each with its line", function()
      local msg = errors_of([[
return protocol "p" {
  version = "1",
  references = { k = "K" },
  rules = {
    rule "a" { when = "wbc < 3.5 mg", action = withhold, cite = "k" },
    rule "b" { when = "wcc < 3.5 10*9/L", action = withhold, cite = "k" },
    rule "c" { when = "true", action = withhold, cite = "nope" },
  },
}
]])
      local lines = {}
      for line in msg:gmatch("[^\n]+") do
        lines[#lines + 1] = line:match("^.-:(%d+):")
      end
      assert.same({ "5", "6", "7" }, lines)
    end)
  end)

  describe("protocol", function()
    it("band lo > hi in parameters, at the line of the band", function()
      reports([[
return protocol "p" {
  version = "1",
  parameters = {
    dose = {
      band = { 2.5, 2.0 },
    },
  },
}
]], 5, "parameters.dose.band: band lo > hi (2.5 > 2); swap them")
    end)

    it("band lo > hi set by an extending file, at that file's line", function()
      tmpfile("parent.lua", 'return protocol "parent" { version = "1",\n'
        .. '  parameters = { dose = { band = { lo = 2.0, hi = 2.5 } } } }')
      reports([[
return protocol "p" {
  extends = "./parent.lua",
  version = "1",
  parameters = { dose = { band = { lo = 3 } } },
}
]], 4, "parameters.dose.band: band lo > hi (3 > 2.5); swap them")
    end)

    it("a disabled rule that does not exist", function()
      reports([[
return protocol "p" {
  extends = "ibd",
  version = "1",
  disable = { "no-such-rule" },
}
]], 4, "disable: protocol 'ibd' has no rule 'no-such-rule'; remove it from disable")
    end)

    it("missing version", function()
      reports('return protocol "p" {\n  title = "x",\n}\n', 1, "protocol 'p' needs version = "
        .. "\"…\" (such as \"2026.1\")")
    end)

    it("unknown required fact", function()
      reports('return protocol "p" {\n  version = "1",\n  required = { "weigth" },\n}\n', 3,
        "required[1]: unknown fact 'weigth'; did you mean 'weight'?")
    end)
  end)

  describe("the fact catalogue", function()
    it("gives every quantity fact and function a unit aza.units parses", function()
      for i, f in ipairs(facts.list) do
        assert.equal(i, f.slot)
        assert.equal(f, facts.get(f.name))
        if f.type == "quantity" and f.unit then
          assert(units.parse(f.unit), f.name .. ": " .. f.unit)
        end
      end
      for name, fn in pairs(facts.functions) do
        if fn.unit then
          assert(units.parse(fn.unit), name)
        end
      end
    end)

    it("has the lab tests with their sub-facts and the patient facts of design §7", function()
      for _, lab in ipairs { "wbc", "neutrophils", "lymphocytes", "eosinophils", "platelets",
                             "hemoglobin", "mcv", "alt", "ast", "alp", "bilirubin", "albumin",
                             "creatinine", "egfr", "crcl", "tgn6", "mmp6", "temperature", "inr" } do
        assert.equal("quantity", facts.by_name[lab].type, lab)
        assert.is_true(facts.by_name[lab].series, lab)
        assert.equal("date", facts.by_name[lab .. ".date"].type)
        assert.equal(facts.by_name[lab].unit, facts.by_name[lab .. ".uln"].unit)
        assert.equal(facts.by_name[lab].unit, facts.by_name[lab .. ".lln"].unit)
      end
      assert.equal("10*9/L", facts.by_name.wbc.unit)
      assert.equal("mL/min/{1.73_m2}", facts.by_name.egfr.unit)
      assert.equal("pmol/{8x10^8_RBC}", facts.by_name.tgn6.unit)
      for _, name in ipairs { "age", "weight", "height", "sex", "pregnant", "breastfeeding",
                              "tpmt.phenotype", "nudt15.phenotype", "tpmt.activity",
                              "tpmt.method", "transfusion.date", "azathioprine.status",
                              "azathioprine.dose", "azathioprine.started",
                              "azathioprine.cumulative", "symptoms", "conditions", "allergies",
                              "medications.active", "medications.planned", "vaccines.planned",
                              "ancestry" } do
        assert.is_table(facts.by_name[name], name)
      end
    end)
  end)
end)

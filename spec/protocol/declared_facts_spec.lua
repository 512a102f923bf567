-- Facts a protocol declares (`facts = { … }`): lab tests with LOINC codes and limits, the
-- start date of a medication, and booleans, words and quantities from the patient record's
-- `facts` object; checked at load like the shipped facts, inherited by `extends`, visible only
-- to the protocols whose chain declares them.
local protocol = require "aza.protocol"
local tmpdir = require "spec.support.tmpdir"
local S = require "spec.support.scenario"

local dir

local function write(name, text)
  return tmpdir.write(dir, name, text)
end

local DECLARING = [[
return protocol "decl_aih" {
  extends = "autoimmune_hepatitis", version = "2026.1",
  references = { l = "Local AIH policy (illustrative)" },
  facts = {
    { name = "igg", lab = true, unit = "g/L", loinc = { "2465-3" },
      description = "immunoglobulin G", plausible = { 0, 100 } },
    { name = "prednisolone.started", medication = "prednisolone",
      description = "date prednisolone was started" },
    { name = "aih.acute_severe", type = "boolean", description = "acute severe AIH" },
    { name = "aih.response", type = "string", words = { "complete", "partial", "none" } },
    { name = "aih.meld", type = "quantity", unit = "1", description = "MELD score" },
  },
  rules = {
    rule "local-igg-high" { when = "igg > 1.1 * igg.uln",
      action = alert { kind = "lab", severity = "info" }, cite = "l" },
    rule "local-steroid-first" {
      when = 'azathioprine.status != "active" and weeks_since(prednisolone.started) < 2 wk',
      action = { withhold, alert { kind = "monitoring", severity = "warning" } }, cite = "l" },
    rule "local-acute-severe" { when = "aih.acute_severe", action = withhold, cite = "l" },
    rule "local-no-response" { when = 'aih.response == "none"',
      action = alert { kind = "monitoring", severity = "warning" }, cite = "l" },
    rule "local-meld" { when = "aih.meld >= 15",
      action = alert { kind = "monitoring", severity = "info" }, cite = "l" },
  },
}
]]

local function aih(changes)
  changes = changes or {}
  changes.conditions = { "autoimmune_hepatitis" }
  return S.patient(changes)
end

local function evaluate(p, pt)
  local r, msg, code, path = p:evaluate(pt, { as_of = S.AS_OF })
  return r, msg, code, path
end

describe("facts a protocol declares", function()
  local p
  setup(function()
    dir = tmpdir.make()
    p = assert(protocol.load(write("decl_aih", DECLARING)))
  end)
  teardown(function()
    tmpdir.remove(dir)
  end)

  it("a lab fact is read by name or by its LOINC code, with its limits", function()
    -- latest of two IgG results: 26 g/L (by LOINC, 2026-11-12) > 1.1 x uln 16 = 17.6
    local pt = aih()
    pt.labs[#pt.labs + 1] = { test = "igg", value = 15, unit = "g/L", uln = 16,
                              date = "2026-11-01" }
    pt.labs[#pt.labs + 1] = { loinc = "2465-3", value = 2600, unit = "mg/dL", uln = 1600,
                              date = "2026-11-12" }
    local r = assert(evaluate(p, pt))
    assert.truthy(S.alert_ids(r)[1] and table.concat(S.alert_ids(r), ","):find("local-igg-high",
      1, true))
    -- a value outside the declared plausible range is an input error naming the path
    pt.labs[#pt.labs].value = 50000
    local r2, msg, code, path = evaluate(p, pt)
    assert.is_nil(r2)
    assert.equal("E_INPUT", code)
    assert.equal("labs[" .. #pt.labs .. "].value", path)
    assert.truthy(msg:find("is not a plausible immunoglobulin G (0-100 g/L)", 1, true), msg)
  end)

  it("a medication fact is the latest start of that medication being taken", function()
    -- prednisolone from 2026-11-15: 6 days before as_of 2026-11-21 (< 2 weeks): withhold
    local r = assert(evaluate(p, aih { medications = { { name = "Prednisolone",
      status = "active", started = "2026-11-15" } } }))
    assert.equal("withhold", r.decision)
    -- from 2026-11-01 (20 days): proceed
    r = assert(evaluate(p, aih { medications = { { name = "prednisolone", status = "active",
      started = "2026-11-01" } } }))
    assert.equal("proceed", r.decision)
    -- not taken, or no start date: unknown, so the rule is unknown (three-valued), not true
    for _, meds in ipairs { {}, { { name = "prednisolone", status = "active" } } } do
      r = assert(evaluate(p, aih { medications = meds }))
      assert.equal("proceed", r.decision)
      for _, e in ipairs(r.trace) do
        if e.kind == "rule" and e.rule == "local-steroid-first" then
          assert.equal("unknown", e.outcome)
        end
      end
    end
  end)

  it("booleans, words and quantities come from the record's facts object", function()
    local pt = aih()
    pt.facts = { ["aih.acute_severe"] = true, ["aih.response"] = "None", ["aih.meld"] = 17 }
    local r = assert(evaluate(p, pt))
    assert.equal("withhold", r.decision)
    local ids = table.concat(S.alert_ids(r), ",")
    assert.truthy(ids:find("local-no-response", 1, true), ids)
    assert.truthy(ids:find("local-meld", 1, true), ids)
    -- a wrong type or word is an input error naming the field; an undeclared name a warning
    for _, bad in ipairs {
      { { ["aih.acute_severe"] = "yes" }, "facts.aih.acute_severe", "is not true or false" },
      { { ["aih.response"] = "maybe" }, "facts.aih.response", "is not one of complete" },
      { { ["aih.meld"] = "17 kg" }, "facts.aih.meld", "is not a quantity in 1" },
    } do
      pt.facts = bad[1]
      local r2, msg, code, path = evaluate(p, pt)
      assert.is_nil(r2)
      assert.equal("E_INPUT", code)
      assert.equal(bad[2], path)
      assert.truthy(msg:find(bad[3], 1, true), msg)
    end
    -- a lab or a medication fact in the facts object: a warning that says where it belongs,
    -- never a crash (review finding)
    pt.facts = { igg = 20, ["prednisolone.started"] = "2026-11-20" }
    r = assert(evaluate(p, pt))
    local where = {}
    for _, w in ipairs(r.warnings) do
      where[w.path] = w.message
    end
    assert.truthy(where["facts.igg"]:find("give it in labs[]", 1, true), where["facts.igg"])
    assert.truthy(where["facts.prednisolone.started"]:find("comes from medications[]", 1,
      true), where["facts.prednisolone.started"])
    pt.facts = { ["igg.extra"] = 1 }
    r = assert(evaluate(p, pt))
    local warned = false
    for _, w in ipairs(r.warnings) do
      warned = warned or w.path == "facts.igg.extra"
    end
    assert.is_true(warned)
  end)

  it("a protocol that extends the declaring one reads them; another does not", function()
    local child = write("decl_child", 'return protocol "decl_child" { extends = "decl_aih", '
      .. 'version = "1", references = { m = "M" }, rules = { rule "c" { when = "igg > 20 g/L", '
      .. 'action = withhold, cite = "m" } } }\n')
    assert.is_truthy(protocol.load(child, { path = { dir, "rules" } }))
    local other = write("other", 'return protocol "other" { extends = "base", version = "1", '
      .. 'references = { m = "M" }, rules = { rule "c" { when = "igg > 20 g/L", '
      .. 'action = withhold, cite = "m" } } }\n')
    local q, msg = protocol.load(other)
    assert.is_nil(q)
    assert.truthy(msg:find("unknown fact 'igg'", 1, true), msg)
    -- and its patients' IgG results are ignored with a warning
    local base = assert(protocol.load("base"))
    local pt = S.patient()
    pt.labs[#pt.labs + 1] = { test = "igg", value = 25, unit = "g/L", date = "2026-11-10" }
    local r = assert(evaluate(base, pt))
    local warned = false
    for _, w in ipairs(r.warnings) do
      warned = warned or (w.message:find("unknown lab test 'igg' ignored", 1, true) ~= nil)
    end
    assert.is_true(warned)
  end)

  it("two protocols may declare the same lab, each with its own plausible range", function()
    local other = write("wide_igg", 'return protocol "wide_igg" { extends = "base", version = '
      .. '"1", facts = { { name = "igg", lab = true, unit = "g/L", loinc = { "2465-3" }, '
      .. 'description = "IgG (wide range)", plausible = { 0, 200 } } } }\n')
    local q = assert(protocol.load(other))
    local pt = S.patient()
    pt.labs[#pt.labs + 1] = { test = "igg", value = 150, unit = "g/L", date = "2026-11-10" }
    assert.is_table((evaluate(q, pt)))           -- 150 is inside 0-200
    local r, msg = evaluate(p, pt)
    assert.is_nil(r)                             -- and outside decl_aih's 0-100
    assert.truthy(msg:find("is not a plausible immunoglobulin G (0-100 g/L)", 1, true), msg)
  end)

  it("a protocol that does not load leaves no declaration behind", function()
    -- declares iga, then fails on a rule: iga is not in the catalogue afterwards, so a
    -- corrected protocol may declare it another way
    local bad = write("iga_bad", 'return protocol "iga_bad" { extends = "base", version = "1", '
      .. 'references = { l = "L" }, facts = { { name = "iga", lab = true, unit = "g/L" } }, '
      .. 'rules = { rule "r" { when = "iga > nonsense", action = withhold, cite = "l" } } }\n')
    assert.is_nil((protocol.load(bad)))
    assert.is_nil(require("aza.protocol.facts").by_name.iga)
    local good = write("iga_good", 'return protocol "iga_good" { extends = "base", version = '
      .. '"1", facts = { { name = "iga", lab = true, unit = "mg/dL" } } }\n')
    assert.is_truthy(protocol.load(good))
    assert.equal("mg/dL", require("aza.protocol.facts").by_name.iga.unit)
  end)

  it("refuses a bad declaration with the file and line, and a conflicting one", function()
    local cases = {
      { '{ name = "wbc", lab = true, unit = "10*9/L" }', "'wbc' is a shipped fact" },
      { '{ name = "IgA", lab = true, unit = "g/L" }', "must be lower-case words" },
      { '{ name = "iga", lab = true }', "a lab fact needs unit" },
      { '{ name = "iga", lab = true, unit = "gramm" }', "unit: unknown unit 'gramm'" },
      { '{ name = "x.flag", type = "bool" }', 'type must be "boolean"' },
      { '{ name = "x.w", type = "string", words = "a" }', "words = { … } goes with" },
      { '{ name = "x.m", medication = "Pred Nisolone" }', "medication must be" },
      { '{ name = "params.x", type = "boolean" }', "'params.x' is reserved" },
      { '{ name = "x.v", type = "string", words = { "Yes", 2 } }', "a list of lower-case words" },
      { '{ name = "ige", lab = true, unit = "[IU]/mL", loinc = { "IgE" } }',
        "a list of LOINC codes" },
      { '{ name = "igg", lab = true, unit = "mg/dL" }', "'igg' is declared differently" },
      { '{ name = "iga", lab = true, unit = "g/L", loinc = { "6690-2" } }',
        "loinc 6690-2 is already the code of wbc" },
    }
    for i, c in ipairs(cases) do
      local path = write("bad" .. i, 'return protocol "bad' .. i .. '" {\n  extends = "base", '
        .. 'version = "1",\n  facts = {\n    ' .. c[1] .. ',\n  },\n}\n')
      local q, msg = protocol.load(path)
      assert.is_nil(q, c[1])
      assert.truthy(msg:find(c[2], 1, true), msg)
      assert.truthy(msg:find(path .. ":", 1, true), msg)
    end
  end)
end)

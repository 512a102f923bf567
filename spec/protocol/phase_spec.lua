-- Rules of phase "dose": they run after the dose is worked out, read it
-- (dose.mg_per_day, dose.mg_per_kg_per_day), may alert, monitor, counsel or withhold, and
-- never change it; the checker refuses anything else with file:line.
local protocol = require "aza.protocol"
local tmpdir = require "spec.support.tmpdir"
local S = require "spec.support.scenario"

local dir

local function write(name, body)
  local path = dir .. "/" .. name .. ".lua"
  local f = assert(io.open(path, "wb"))
  f:write('return protocol "', name, '" {\n  extends = "base", version = "2026.1",\n', body,
    "\n}\n")
  f:close()
  return path
end

local function rule_text(phase, when, action)
  return "  rules = {\n    rule \"site-dose-check\" {\n" .. (phase and ('      phase = "'
    .. phase .. '",\n') or "") .. '      when = "' .. when .. '",\n      action = ' .. action
    .. ',\n      cite = "smpc",\n      message = "site check",\n    },\n  },'
end

describe('rules of phase "dose"', function()
  setup(function()
    dir = tmpdir.make()
  end)
  teardown(function()
    tmpdir.remove(dir)
  end)

  it("refuses a dose change, a dose fact read before the dose, and an unknown phase", function()
    local cases = {
      { rule_text("dose", "dose.mg_per_day > 100 mg/d", "reduce { fraction = 0.5 }"),
        'a rule of phase "dose" may alert, monitor, counsel or withhold, not reduce' },
      { rule_text("dose", "dose.mg_per_day > 100 mg/d", "cap { mg_per_day = 100 }"),
        "not cap" },
      { rule_text(nil, "dose.mg_per_day > 100 mg/d", "withhold"),
        "reads dose.mg_per_day, which is known only after the dose is worked out: give the "
          .. 'rule phase = "dose"' },
      { rule_text("later", "weight > 50 kg", "withhold"), 'phase must be "dose"' },
    }
    for i, c in ipairs(cases) do
      local path = write("site_phase_bad" .. i, c[1])
      local p, msg, code = protocol.load(path)
      assert.is_nil(p)
      assert.are.equal("E_PROTOCOL", code)
      assert.truthy(msg:find(c[2], 1, true), msg)
      assert.truthy(msg:find(path .. ":%d+:"), msg) -- file:line of the rule
    end
  end)

  it("withholds after the dose, and reads the final dose", function()
    local p = assert(protocol.load(write("site_phase_withhold",
      rule_text("dose", "dose.mg_per_day > 100 mg/d", "withhold"))))
    -- 70 kg: 150 mg/day > 100 -> withhold, the dose still shown
    local r = assert(p:evaluate(S.patient {}, { as_of = S.AS_OF }))
    assert.are.equal("withhold", r.decision)
    assert.are.equal("site-dose-check", r.decision_by)
    assert.are.equal(150, r.dose.target_mg_per_day)
    -- 45 kg: 100 mg/day, not above: proceed
    local r2 = assert(p:evaluate(S.patient { weight = "45 kg" }, { as_of = S.AS_OF }))
    assert.are.equal("proceed", r2.decision)
    assert.are.equal(100, r2.dose.target_mg_per_day)
  end)

  it("sees no dose when there is none (contraindicated): the dose facts are unknown",
    function()
      local p = assert(protocol.load(write("site_phase_nodose",
        rule_text("dose", "unknown(dose.mg_per_day)", "alert { kind = \"input\", "
          .. "severity = \"info\" }"))))
      local r = assert(p:evaluate(S.patient { genotype = { TPMT = "*3A/*3A",
                                                           NUDT15 = "*1/*1" } },
        { as_of = S.AS_OF }))
      assert.are.equal("contraindicated", r.decision)
      local found = false
      for _, a in ipairs(r.alerts) do
        found = found or a.id == "site-dose-check"
      end
      assert.is_true(found)
    end)

  it("names the site setting that produced a dose above 3 mg/kg/day", function()
    -- 70 kg x 3.5 = 245, band 245-280 -> nearest deliverable in band 250 = 3.57 mg/kg/day
    local path = write("site_phase_high",
      "  parameters = { dose = { mg_per_kg_per_day = 3.5, band = { 3.5, 4.0 } } },")
    local p = assert(protocol.load(path))
    local r = assert(p:evaluate(S.patient {}, { as_of = S.AS_OF }))
    assert.are.equal(250, r.dose.target_mg_per_day)
    local a
    for _, x in ipairs(r.alerts) do
      if x.id == "dose-above-label-maximum" then
        a = x
      end
    end
    assert.is_table(a)
    assert.are.equal("critical", a.severity)
    assert.truthy(a.dose_from:find("parameters.dose.mg_per_kg_per_day set by " .. path, 1,
      true), a.dose_from)
  end)

  it("checks when_parameter: a table naming parameters the protocol has", function()
    local function with(wp)
      return '  rules = {\n    rule "site-switched" {\n      when_parameter = ' .. wp
        .. ',\n      when = "weight > 50 kg",\n      action = withhold,\n'
        .. '      cite = "smpc",\n      message = "x",\n    },\n  },'
    end
    local cases = {
      { '{ no_such = "x" }', "when_parameter: the protocol has no parameter 'no_such'" },
      { '"need_data"', "when_parameter must be a table" },
      { "{ tpmt_unknown = {} }", "each entry is a parameter name and a string" },
    }
    for i, c in ipairs(cases) do
      local p, msg = protocol.load(write("site_wp_bad" .. i, with(c[1])))
      assert.is_nil(p)
      assert.truthy(msg:find(c[2], 1, true), msg)
    end
    -- a rule switched on by the parameter's value runs; off, it is not in the trace
    local on = assert(protocol.load(write("site_wp_on", with('{ tpmt_unknown = "need_data" }'))))
    local r = assert(on:evaluate(S.patient {}, { as_of = S.AS_OF }))
    assert.are.equal("withhold", r.decision)
    local off = assert(protocol.load(write("site_wp_off",
      with('{ tpmt_unknown = "dose_by_nudt15" }'))))
    local r2 = assert(off:evaluate(S.patient {}, { as_of = S.AS_OF }))
    assert.are.equal("proceed", r2.decision)
    for _, t in ipairs(r2.trace) do
      assert.are_not.equal("site-switched", t.rule)
    end
  end)
end)

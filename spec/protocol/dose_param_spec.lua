-- parameters.dose: a weight-based dose with its rounding mode, or a fixed daily dose
-- (issue "what a site author could not express"). Protocols are written to a temporary
-- folder and extend base (2.0 mg/kg/day, band 2.0-2.5; 25 mg and scored 50 mg tablets).
local protocol = require "aza.protocol"
local tmpdir = require "spec.support.tmpdir"
local S = require "spec.support.scenario"

local dir

local function write(name, params)
  return tmpdir.write(dir, name, 'return protocol "' .. name .. '" {\n  extends = "base", '
    .. 'version = "2026.1",\n  references = { local_aih = "Local AIH protocol, 2026 '
    .. '(illustrative)" },\n  parameters = {\n' .. params .. "\n  },\n}\n")
end

local function run(path, changes)
  local r, msg = assert(protocol.load(path)):evaluate(S.patient(changes), { as_of = S.AS_OF })
  assert.is_table(r, tostring(msg))
  return r
end

local function step(r, what)
  for _, e in ipairs(r.trace) do
    if e.kind == "dose" and e.what == what then
      return e
    end
  end
end

describe("parameters.dose", function()
  setup(function()
    dir = tmpdir.make()
  end)
  teardown(function()
    tmpdir.remove(dir)
  end)

  it("mg_per_day: a fixed standard dose whatever the weight", function()
    local path = write("fixed50", '    dose = { mg_per_day = 50, cite = "local_aih" },')
    -- 70 kg and 100 kg: 50 mg/day (0.71 and 0.5 mg/kg/day)
    local r = run(path, {})
    S.check(r, { expect = { decision = "proceed", dose = 50, alerts = {} } })
    assert.equal(0.71, r.dose.target_mg_per_kg_per_day)
    assert.equal("a fixed 50 mg/day (parameters.dose.mg_per_day; 0.71 mg/kg/day at 70 kg)",
      step(r, "standard dose").detail)
    r = run(path, { weight = "100 kg" })
    S.check(r, { expect = { decision = "proceed", dose = 50 } })
    -- the modifiers act on it: TPMT intermediate 50 % of 50 = 25 (band 30-80 % = 15-40 -> 25)
    r = run(path, { genotype = { TPMT = "*1/*3A", NUDT15 = "*1/*1" } })
    S.check(r, { expect = { decision = "adjust", dose = 25,
                            alerts = { "pgx-one-intermediate" } } })
  end)

  it("a fixed mg_per_day drops the inherited rate, band, rounding and cite (recorded)",
    function()
      local p = assert(protocol.load(write("fixed75", "    dose = { mg_per_day = 75 },")))
      assert.is_nil(p.parameters.dose.mg_per_kg_per_day)
      assert.is_nil(p.parameters.dose.band)
      assert.equal(75, p.parameters.dose.mg_per_day)
      local dropped = {}
      for _, o in ipairs(p.overrides) do
        if o.new == "(removed: parameters.dose.mg_per_day is set)" then
          dropped[#dropped + 1] = o.what
        end
      end
      table.sort(dropped)
      -- (the weight-based dose's cite goes too: it is not the fixed dose's source)
      assert.same({ "parameters.dose.band", "parameters.dose.cite",
                    "parameters.dose.mg_per_kg_per_day" }, dropped)
      -- other keys still override one by one: a site may change the band alone
      p = assert(protocol.load(write("band", "    dose = { band = { 2.0, 2.2 } },")))
      assert.equal(2.0, p.parameters.dose.mg_per_kg_per_day)
      assert.same({ 2.0, 2.2 }, p.parameters.dose.band)
    end)

  it('rounding = "down": the largest deliverable dose not above 2 x 70 = 140 -> 125', function()
    -- nearest_in_band (the default) gives 150 (band 140-175); down gives 125
    local r = run(write("down", '    dose = { mg_per_kg_per_day = 2.0, band = { 2.0, 2.5 }, '
      .. 'rounding = "down" },'), {})
    S.check(r, { expect = { decision = "proceed", dose = 125 } })
    assert.truthy(step(r, "standard dose").detail:find("down → 125 mg/day", 1, true))
  end)

  it("refuses a dose the formulary cannot give, both kinds at once, and unknown modes",
    function()
      local cases = {
        { "    dose = { mg_per_day = 60 },", "parameters.dose.mg_per_day: 60 mg/day is not "
          .. "deliverable with the formulary (25 mg, 50 mg (scored))" },
        { "    dose = { mg_per_day = 50, mg_per_kg_per_day = 2 },", "give mg_per_kg_per_day "
          .. "(a weight-based dose) or mg_per_day (a fixed dose), not both" },
        { "    dose = { mg_per_day = 50, band = { 1, 2 } },", "band and rounding go with "
          .. "mg_per_kg_per_day" },
        { "    dose = { mg_per_day = -5 },", "parameters.dose.mg_per_day must be a positive "
          .. "number" },
        { '    dose = { mg_per_kg_per_day = 2.0, rounding = "up" },',
          'parameters.dose.rounding must be "nearest_in_band"' },
      }
      for i, c in ipairs(cases) do
        local path = write("bad" .. i, c[1])
        local p, msg = protocol.load(path)
        assert.is_nil(p, c[1])
        assert.truthy(msg:find(c[2], 1, true), msg)
        assert.truthy(msg:find(path .. ":", 1, true), "names the file: " .. msg)
      end
    end)

  describe("set_dose{raise = true} for an active patient", function()
    local function rules(raise)
      return '  rules = {\n    rule "tgn-low-escalate" {\n'
        .. "      when = 'azathioprine.status == \"active\" and tpmt.phenotype == \"normal\" "
        .. "and tgn6 < 235 pmol/{8x10^8_RBC}',\n"
        .. "      action = set_dose { mg_per_kg_per_day = 2.0, band = { 2.0, 2.5 }"
        .. (raise and ", raise = true" or "") .. " },\n"
        .. '      cite = "local_aih",\n    },\n  },'
    end
    local function write_rules(name, raise)
      local path = dir .. "/" .. name .. ".lua"
      local f = assert(io.open(path, "wb"))
      f:write('return protocol "', name, '" {\n  extends = "base", version = "2026.1",\n',
        '  references = { local_aih = "Local escalation policy, 2026 (illustrative)" },\n',
        rules(raise), "\n}\n")
      f:close()
      return path
    end
    local active = { status = "active", dose = "100 mg/d", started = "2026-01-10",
                     dose_since = "2026-02-01" }
    local low_tgn = { tgn6 = S.lab(180, "pmol/{8x10^8_RBC}") }

    it("raises a current dose below the band's bottom to the set dose", function()
      -- 2.0 x 70 = 140, band 140-175 -> 150; current 100 < 140 -> 150 (adjust)
      local r = run(write_rules("raise", true), { azathioprine = active, labs = low_tgn })
      S.check(r, { expect = { decision = "adjust", dose = 150 } })
      local e = step(r, "set_dose")
      assert.is_true(e.raised)
      assert.truthy(e.detail:find("current 100 mg/day is below the bottom of its band "
        .. "140–175 mg/day: raised to 150 mg/day (raise = true)", 1, true), e.detail)
    end)

    it("without raise the set dose stays a ceiling: 100 mg/day is kept", function()
      local r = run(write_rules("noraise", false), { azathioprine = active, labs = low_tgn })
      S.check(r, { expect = { decision = "proceed", dose = 100 } })
    end)

    it("a dose within the band is kept, one above it is lowered, with raise too", function()
      local path = write_rules("raise2", true)
      local within = { status = "active", dose = "150 mg/d", started = "2026-01-10",
                       dose_since = "2026-02-01" }
      S.check(run(path, { azathioprine = within, labs = low_tgn }),
        { expect = { decision = "proceed", dose = 150 } })
      local above = { status = "active", dose = "200 mg/d", started = "2026-01-10",
                      dose_since = "2026-02-01" }
      S.check(run(path, { azathioprine = above, labs = low_tgn }),
        { expect = { decision = "adjust", dose = 150 } })
    end)

    it("refuses a raise that is not a boolean", function()
      local path = dir .. "/badraise.lua"
      local f = assert(io.open(path, "wb"))
      f:write('return protocol "badraise" { extends = "base", version = "1", rules = {\n'
        .. '  rule "r" { when = "true", action = set_dose { mg_per_day = 50, raise = "yes" }, '
        .. 'cite = "smpc" } } }\n')
      f:close()
      local p, msg = protocol.load(path)
      assert.is_nil(p)
      assert.truthy(msg:find("set_dose: raise must be true", 1, true), msg)
    end)
  end)

  it("a set_dose without a band that rounds down says so in the warnings", function()
    -- 1 mg/kg/day x 70 kg = 70 mg/day: not deliverable with 25 mg steps -> 50 (-28.57 %)
    local path = dir .. "/sd.lua"
    local f = assert(io.open(path, "wb"))
    f:write('return protocol "sd" { extends = "base", version = "1", references = { l = "L" },\n'
      .. '  rules = { rule "r" { when = "true", action = set_dose { mg_per_kg_per_day = 1 }, '
      .. 'cite = "l" } } }\n')
    f:close()
    local r = run(path, {})
    S.check(r, { expect = { decision = "adjust", dose = 50 } })
    local w
    for _, x in ipairs(r.warnings) do
      if x.path == "rule r" then
        w = x.message
      end
    end
    assert.equal("set_dose: 1 mg/kg × 70 kg = 70 mg/day is not deliverable with the "
      .. "formulary: rounded down to 50 mg/day (-28.57 %); give the rule a band (band = { low, "
      .. "high } in mg/kg/day) to get the nearest deliverable dose inside it", w)
  end)
end)

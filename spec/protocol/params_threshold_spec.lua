-- Parameters as thresholds: a condition reads `params.NAME` (parameters.NAME of the
-- protocol after extends); a site changes the number in `parameters`, the checker keeps the
-- dimension check, and the trace shows the value used.
local protocol = require "aza.protocol"
local tmpdir = require "spec.support.tmpdir"
local S = require "spec.support.scenario"

local dir

local function write(name, text)
  return tmpdir.write(dir, name, text)
end

-- a protocol whose platelet rule reads a parameter (extends base)
local PARENT = [[
return protocol "plt_param" {
  extends = "base", version = "2026.1",
  references = { local1 = "Local platelet policy, 2026 (illustrative)" },
  parameters = { platelets_min = "100 10*9/L" },
  replace = {
    rule "platelets-low" { when = "platelets < params.platelets_min", action = withhold,
                           cite = "local1" },
  },
}
]]

local function trace_of(r, id)
  for _, e in ipairs(r.trace) do
    if e.kind == "rule" and e.rule == id then
      return e
    end
  end
end

describe("params.NAME in conditions", function()
  local parent
  setup(function()
    dir = tmpdir.make()
    parent = write("plt_param", PARENT)
  end)
  teardown(function()
    tmpdir.remove(dir)
  end)

  it("reads the parameter: platelets 90 < 100 withholds, 120 does not", function()
    local p = assert(protocol.load(parent))
    local r = assert(p:evaluate(S.patient { labs = { platelets = S.lab(90, "10*9/L") } },
                                { as_of = S.AS_OF }))
    assert.equal("withhold", r.decision)
    local e = trace_of(r, "platelets-low")
    assert.equal("true", e.outcome)
    assert.same({ platelets_min = "100 10*9/L" }, e.params)
    r = assert(p:evaluate(S.patient { labs = { platelets = S.lab(120, "10*9/L") } },
                          { as_of = S.AS_OF }))
    assert.equal("proceed", r.decision)
  end)

  it("a site changes the number only: 90 is above its 80", function()
    local site = write("plt_site", 'return protocol "plt_site" { extends = "plt_param", '
      .. 'version = "2026.1", parameters = { platelets_min = "80 x10^9/L" } }\n')
    local p = assert(protocol.load(site, { path = { dir, "rules" } }))
    local r = assert(p:evaluate(S.patient { labs = { platelets = S.lab(90, "10*9/L") } },
                                { as_of = S.AS_OF }))
    assert.equal("proceed", r.decision)
    assert.same({ platelets_min = "80 x10^9/L" }, trace_of(r, "platelets-low").params)
    local found
    for _, o in ipairs(p.overrides) do
      if o.what == "parameters.platelets_min" then
        found = o
      end
    end
    assert.equal("100 10*9/L", found.old)
    assert.equal("80 x10^9/L", found.new)
  end)

  it("numbers, words and booleans are literals too", function()
    local path = write("kinds", [[
return protocol "kinds" {
  extends = "base", version = "2026.1",
  references = { local1 = "Local policy (illustrative)" },
  parameters = { age_max = "75 a", pheno = "poor", on = true, factor = 2 },
  rules = {
    rule "local-age" { when = "age >= params.age_max and params.on", action = alert {
      kind = "monitoring", severity = "info" }, cite = "local1" },
    rule "local-pheno" { when = "tpmt.phenotype == params.pheno", action = withhold,
                         cite = "local1" },
    rule "local-alt" { when = "alt > params.factor * alt.uln", action = withhold,
                       cite = "local1" },
  },
}
]])
    local p, msg = protocol.load(path)
    assert.is_truthy(p, msg)
  end)

  it("refuses an unknown parameter, a wrong dimension and a bad quantity, with file:line",
    function()
      local cases = {
        { 'parameters = { platelets_min = "100 10*9/L" }', "platelets < params.platelet_min",
          "unknown parameter 'platelet_min' (params.platelet_min)" },
        { 'parameters = { platelets_min = "100 g/L" }', "platelets < params.platelets_min",
          "dimension" },
        { 'parameters = { platelets_min = "100 mgg" }', "platelets < params.platelets_min",
          "parameters.platelets_min \"100 mgg\" is not a quantity" },
        { "parameters = { platelets_min = { 1, 2 } }", "platelets < params.platelets_min",
          "parameters.platelets_min is a table" },
      }
      for i, c in ipairs(cases) do
        local path = write("bad" .. i, 'return protocol "bad' .. i .. '" {\n  extends = '
          .. '"base", version = "1",\n  references = { l = "L" },\n  ' .. c[1] .. ',\n'
          .. '  rules = { rule "r" { when = "' .. c[2] .. '", action = withhold, '
          .. 'cite = "l" } },\n}\n')
        local p, msg = protocol.load(path)
        assert.is_nil(p, c[1])
        assert.truthy(msg:find(c[3], 1, true), msg)
        assert.truthy(msg:find(path .. ":5:", 1, true), msg)
      end
    end)
end)

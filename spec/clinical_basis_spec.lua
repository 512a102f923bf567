-- docs/clinical-basis.md is generated from the shipped protocols by
-- scripts/clinical_basis.lua. This spec regenerates it in memory and compares it with the
-- committed file, so the document cannot drift from the protocols: after changing a rule,
-- run `lua5.4 scripts/clinical_basis.lua > docs/clinical-basis.md`.
local cli = require "spec.support.cli"

local DOC = "docs/clinical-basis.md"

local function read(path)
  local f = assert(io.open(path, "rb"))
  local s = f:read("*a")
  f:close()
  return s
end

-- the first differing line, for a readable failure
local function first_difference(a, b)
  local la, lb = {}, {}
  for line in (a .. "\n"):gmatch("([^\n]*)\n") do
    la[#la + 1] = line
  end
  for line in (b .. "\n"):gmatch("([^\n]*)\n") do
    lb[#lb + 1] = line
  end
  for i = 1, math.max(#la, #lb) do
    if la[i] ~= lb[i] then
      return ("line %d:\n  committed: %s\n  generated: %s"):format(i, tostring(la[i]),
        tostring(lb[i]))
    end
  end
  return nil
end

describe("docs/clinical-basis.md", function()
  local gen = assert(loadfile("scripts/clinical_basis.lua"))("--module")

  it("equals what scripts/clinical_basis.lua generates from the shipped protocols", function()
    local text, msg = gen.generate()
    assert.is_string(text, msg)
    local committed = read(DOC)
    local diff = first_difference(committed, text)
    assert.is_nil(diff, "docs/clinical-basis.md is out of date (regenerate it with "
      .. "`lua5.4 scripts/clinical_basis.lua > docs/clinical-basis.md`): " .. tostring(diff))
  end)

  it("covers every shipped protocol, base first", function()
    local ids = gen.shipped_ids(".")
    assert.equal("base", ids[1])
    local committed = read(DOC)
    for _, id in ipairs { "base", "ibd", "lupus", "myasthenia_gravis", "atopic_dermatitis",
                          "autoimmune_hepatitis", "rheumatoid_arthritis" } do
      assert.truthy(committed:find("\n## `" .. id .. "`", 1, true), "section for " .. id)
    end
  end)

  it("lists every rule of every shipped protocol by id", function()
    local protocol = require "aza.protocol"
    local committed = read(DOC)
    for _, id in ipairs(gen.shipped_ids(".")) do
      local p = assert(protocol.load(id))
      for _, r in ipairs(p.rules) do
        assert.truthy(committed:find("`" .. r.id .. "`", 1, true), id .. ": rule " .. r.id)
      end
    end
  end)

  it("shows the numbers of an action", function()
    assert.equal("reduce to 50 % of standard (band 30–80 %, nearest in band); alert warning "
      .. "(pharmacogenomic)", gen.describe_action({
        { type = "reduce", percent = 50, low = 30, high = 80 },
        { type = "alert", kind = "pharmacogenomic", severity = "warning" } }))
    assert.equal("set 1 mg/kg/day (band 0.75–1.25 mg/kg/day), start 0.5 mg/kg/day for 4 wk",
      gen.describe_action({ type = "set_dose", mg_per_kg_per_day = 1.0, band = { 0.75, 1.25 },
                            start_mg_per_kg_per_day = 0.5, start_weeks = 4 }))
    assert.equal("cap 2 mg/kg/day (round down)",
      gen.describe_action({ type = "cap", mg_per_kg_per_day = 2 }))
    assert.equal("reduce to 0.25 × dose (round down)",
      gen.describe_action({ type = "reduce", fraction = 0.25 }))
  end)

  it("fails to generate when a shipped protocol does not load", function()
    local dir = os.tmpname()
    os.remove(dir)
    assert(os.execute("mkdir -p " .. cli.quote(dir .. "/rules")))
    local f = assert(io.open(dir .. "/rules/base.lua", "w"))
    f:write('return protocol "base" { version = "1", rules = { rule "x" { when = "wbc < 3.5 mg", '
      .. 'action = withhold, cite = "nope" } } }\n')
    f:close()
    local text, msg = gen.generate { root = dir }
    os.execute("rm -rf " .. cli.quote(dir))
    assert.is_nil(text)
    assert.truthy(msg:find("cannot load protocol 'base'", 1, true), msg)
  end)
end)

-- `bin/aza check`: ok lines for good protocols; file:line errors and exit 3 for
-- broken ones; exit 2 for bad usage.
local cli = require "spec.support.cli"
local load = require "aza.protocol.load"

local FIXTURES = "spec/fixtures/protocols"

-- run bin/aza with arguments; returns exit code, stdout, stderr
local function aza(...)
  local out, err, code = cli.aza({ ... })
  return code, out, err
end

describe("aza check", function()
  it("prints ok id version hash for each good protocol, exit 0", function()
    local code, out, err = aza("check", "--path", FIXTURES, FIXTURES .. "/site-ibd.lua",
      FIXTURES .. "/base.lua")
    assert.equal("", err)
    assert.equal(0, code)
    local site = assert(load.load(FIXTURES .. "/site-ibd.lua", { path = { FIXTURES } }))
    local base = assert(load.load(FIXTURES .. "/base.lua"))
    assert.equal("ok site-ibd 2026.1 " .. site.hash .. "\nok base 2026.1 " .. base.hash .. "\n",
      out)
  end)

  it("checks a protocol by id on --path", function()
    local code, out = aza("check", "--path", FIXTURES, "ibd")
    assert.equal(0, code)
    assert.matches("^ok ibd 2026%.1 %x+\n$", out)
  end)

  it("reports a deliberately broken protocol with file, line and message, exit 3", function()
    local code, out, err = aza("check", FIXTURES .. "/broken/dimension.lua")
    assert.equal(3, code)
    assert.equal("", out)
    assert.equal(FIXTURES .. "/broken/dimension.lua:8: rule 'wbc-low': dimension of wbc is "
      .. "1/volume, got mass (3.5 mg); write it in 10*9/L or another unit of that dimension "
      .. "(col 7 of \"wbc < 3.5 mg\")\n", err)
  end)

  it("goes on after a failure and still exits 3", function()
    local code, out, err = aza("check", "--path", FIXTURES, FIXTURES .. "/broken/dimension.lua",
      FIXTURES .. "/base.lua", FIXTURES .. "/broken/missing-parent.lua")
    assert.equal(3, code)
    assert.matches("^ok base 2026%.1 %x+\n$", out)
    assert.is_truthy(err:find(FIXTURES .. "/broken/dimension.lua:8: ", 1, true), err)
    assert.is_truthy(err:find(FIXTURES .. "/broken/missing-parent.lua:5: extends: no protocol "
      .. "'no-such-protocol' in the search path", 1, true), err)
  end)

  it("reports a Lua syntax error and a sandbox violation with file and line", function()
    local dir = os.tmpname()
    os.remove(dir)
    os.execute("mkdir -p " .. cli.quote(dir))
    local f = assert(io.open(dir .. "/syntax.lua", "wb"))
    f:write('return protocol "s" {\n  version = "1",\n  rules = { rule "x" { when = "true" '
      .. "action = withhold } },\n}\n")
    f:close()
    f = assert(io.open(dir .. "/escape.lua", "wb"))
    f:write('local x = 1\nos.execute("true")\nreturn protocol "e" { version = "1" }\n')
    f:close()
    local code, _, err = aza("check", dir .. "/syntax.lua", dir .. "/escape.lua")
    os.execute("rm -rf " .. cli.quote(dir))
    assert.equal(3, code)
    assert.is_truthy(err:find(dir .. "/syntax.lua:3: '}' expected", 1, true), err)
    assert.is_truthy(err:find(dir .. "/escape.lua:2: 'os' is not available in protocols", 1, true),
      err)
  end)

  it("reports a missing file, exit 3", function()
    local code, _, err = aza("check", "no/such/file.lua")
    assert.equal(3, code)
    assert.is_truthy(err:find("no protocol file 'no/such/file.lua'", 1, true), err)
  end)

  it("shows overrides with --verbose", function()
    local code, out = aza("check", "--verbose", "--path", FIXTURES, FIXTURES .. "/site-ibd.lua")
    assert.equal(0, code)
    assert.is_truthy(out:find("  override rule ace-inhibitor-caution: enabled -> disabled ("
      .. FIXTURES .. "/site-ibd.lua:12)", 1, true), out)
    assert.is_truthy(out:find("  override rule neutrophils-low: neutrophils < 2.0 10*9/L -> "
      .. "neutrophils < 1.8 10*9/L (" .. FIXTURES .. "/site-ibd.lua:10)", 1, true), out)
  end)

  it("--verbose: an override's line is where the key is set, and added rules are listed",
    function()
      -- the example site protocol: `trust_formulary = {` (line 40) mentions "formulary" before
      -- `formulary = {…}` (line 50) sets it; local-elderly-review is added (line 71)
      local code, out = aza("check", "--verbose", "examples/site/site_ibd.lua")
      assert.equal(0, code)
      assert.truthy(out:find("  override parameters.formulary: {{mg = 25}, {mg = 50, scored = "
        .. "true}} -> {{mg = 25}, {mg = 50, scored = true}, {mg = 75, scored = true}} "
        .. "(examples/site/site_ibd.lua:50)", 1, true), out)
      assert.truthy(out:find("  override data.citations.formulary: smpc -> trust_formulary "
        .. "(examples/site/site_ibd.lua:54)", 1, true), out)
      assert.truthy(out:find("\n  added rule local-elderly-review "
        .. "(examples/site/site_ibd.lua:71)\n", 1, true), out)
      assert.falsy(out:find("added rule neutrophils-low", 1, true),
        "a replaced rule is no addition")
    end)

  it("exits 2 on bad usage", function()
    local code, _, err = aza("check")
    assert.equal(2, code)
    assert.is_truthy(err:find("no protocol given", 1, true), err)
    code, _, err = aza("check", "--bogus", "x.lua")
    assert.equal(2, code)
    assert.is_truthy(err:find("unknown option '--bogus'", 1, true), err)
    code = aza("check", "--path")
    assert.equal(2, code)
  end)
end)

-- The site example of docs/authoring.md (examples/site/): the Example Trust protocol
-- extending "ibd" and its scenario table, run exactly as a site runs it:
--
--   bin/aza test examples/site/site_ibd.lua examples/site/cases.lua
--
-- (this spec is how `make test` runs it), plus the differences from the shipped "ibd" that
-- the example is meant to show.
local cli = require "spec.support.cli"
local protocol = require "aza.protocol"

local COMMAND = cli.LUA .. " bin/aza test examples/site/site_ibd.lua examples/site/cases.lua"

-- run a shell command; output (stdout and stderr) and exit status
local function run(cmd)
  local out, _, status = cli.run(cmd, { merge = true })
  return out, status
end

-- a patient as in examples/site/cases.lua
local function patient(o)
  local d = "2026-11-14"
  return {
    id = "spec", birth_date = "1984-06-02", weight = "70 kg",
    genotype = { TPMT = "*1/*1", NUDT15 = "*1/*1" },
    labs = {
      { test = "wbc", value = 6.2, unit = "10*9/L", date = d },
      { test = "neutrophils", value = o.neut or 4.2, unit = "10*9/L", date = d },
      { test = "lymphocytes", value = 1.7, unit = "10*9/L", date = d },
      { test = "eosinophils", value = 0.2, unit = "10*9/L", date = d },
      { test = "platelets", value = 260, unit = "10*9/L", date = d },
      { test = "alt", value = 24, unit = "U/L", date = d },
      { test = "ast", value = 21, unit = "U/L", date = d },
      { test = "albumin", value = 41, unit = "g/L", date = d },
    },
    medications = o.meds or {},
    azathioprine = o.aza or { status = "naive" },
  }
end

local AS_OF = { as_of = "2026-11-21" }

describe("examples/site (docs/authoring.md)", function()
  it("passes its scenario table: " .. COMMAND, function()
    local out, status = run(COMMAND)
    assert.equal(0, status, out)
    assert.truthy(out:find(" passed, 0 failed\n", 1, true), out)
    local passed, failed = out:match("(%d+) passed, (%d+) failed\n$")
    assert.equal("0", failed, out)
    assert.is_true(tonumber(passed) >= 6, out)
    assert.is_nil(out:find("FAIL ", 1, true), out)
  end)

  it("fails (exit 1) when a case expects the wrong dose", function()
    local tmp = os.tmpname()
    local f = assert(io.open(tmp, "w"))
    f:write([[return { { name = "wrong dose", as_of = "2026-11-21",
      patient = { weight = "70 kg", birth_date = "1984-06-02",
                  genotype = { TPMT = "*1/*1", NUDT15 = "*1/*1" },
                  labs = { { test = "wbc", value = 6.2, unit = "10*9/L", date = "2026-11-14" },
                           { test = "neutrophils", value = 4.2, unit = "10*9/L",
                             date = "2026-11-14" },
                           { test = "platelets", value = 260, unit = "10*9/L",
                             date = "2026-11-14" },
                           { test = "alt", value = 24, unit = "U/L", date = "2026-11-14" } },
                  azathioprine = { status = "naive" } },
      expect = { decision = "proceed", target_mg_per_day = 125 } } }]])
    f:close()
    local out, status = run(cli.LUA .. " bin/aza test examples/site/site_ibd.lua "
      .. cli.quote(tmp))
    os.remove(tmp)
    assert.equal(1, status, out)
    assert.truthy(out:find("expected dose 125 mg/day, got 150 mg/day", 1, true), out)
    assert.truthy(out:find("0 passed, 1 failed", 1, true), out)
  end)

  describe("differs from the shipped ibd where the site says so", function()
    local site = assert(protocol.load("examples/site/site_ibd.lua"))
    local ibd = assert(protocol.load("ibd"))

    it("neutrophils 1.9: ibd withholds (< 2.0), the site proceeds (>= 1.8)", function()
      local p = patient { neut = 1.9 }
      assert.equal("withhold", assert(ibd:evaluate(p, AS_OF)).decision)
      assert.equal("proceed", assert(site:evaluate(p, AS_OF)).decision)
    end)

    it("allopurinol on 150 mg/day: ibd 25 mg/day, the site 37.5 (half a 75 mg tablet)",
      function()
        -- 150 x 0.25 = 37.5 -> round down: 25 with 25/50 mg tablets, 37.5 with a scored 75
        -- allopurinol started after the current dose was set
        local p = patient { aza = { status = "active", dose = "150 mg/d",
                                    started = "2026-02-01", dose_since = "2026-02-01" },
                            meds = { { name = "allopurinol", status = "active",
                                       started = "2026-11-10" } } }
        assert.equal(25, assert(ibd:evaluate(p, AS_OF)).dose.target_mg_per_day)
        local r = assert(site:evaluate(p, AS_OF))
        assert.equal(37.5, r.dose.target_mg_per_day)
        assert.equal("½ × 75 mg once daily", r.dose.regimen.text)
      end)

    it("ramipril: the ACE-inhibitor caution is gone", function()
      local p = patient { meds = { { name = "ramipril", status = "active" } } }
      local function has(r)
        for _, a in ipairs(r.alerts) do
          if a.id == "ace-inhibitor-caution" then
            return true
          end
        end
        return false
      end
      assert.is_true(has(assert(ibd:evaluate(p, AS_OF))))
      assert.is_false(has(assert(site:evaluate(p, AS_OF))))
    end)

    it("records its overrides with the file that made them", function()
      local by = {}
      for _, o in ipairs(site.overrides) do
        if o.by:find("site_ibd.lua", 1, true) then
          by[o.what] = true
        end
      end
      assert.is_true(by["parameters.formulary"])
      assert.is_true(by["rule neutrophils-low"])
      assert.is_true(by["rule ace-inhibitor-caution"])
    end)
  end)
end)

describe("examples/site AIH walk-through (docs/authoring.md)", function()
  local AIH = cli.LUA .. " bin/aza test examples/site/site_aih.lua examples/site/aih_cases.lua"

  it("passes its scenario table, titration and monitoring included: " .. AIH, function()
    local out, status = run(AIH)
    assert.equal(0, status, out)
    assert.truthy(out:find("\n10 passed, 0 failed\n$"), out)
  end)

  it("changes one number and adds one rule; aza check and protocols --rules say so", function()
    local out, status = run(cli.LUA .. " bin/aza check --verbose examples/site/site_aih.lua")
    assert.equal(0, status, out)
    assert.truthy(out:find("  override parameters.platelets_min: 50 10*9/L -> 70 10*9/L "
      .. "(examples/site/site_aih.lua:50)", 1, true), out)
    assert.truthy(out:find("  added rule local-tgn-escalate (examples/site/site_aih.lua:65)",
      1, true), out)
    out, status = run(cli.LUA .. " bin/aza protocols --rules examples/site/site_aih.lua")
    assert.equal(0, status, out)
    assert.truthy(out:find("(base 2026.1 → autoimmune_hepatitis 2026.1 → site_aih 2026.1)", 1,
      true), out)
    assert.truthy(out:find("  params  platelets_min = \"70 10*9/L\"", 1, true), out)
    assert.truthy(out:find("  transaminases-high: disabled [./rules/autoimmune_hepatitis.lua",
      1, true), out)
  end)
end)

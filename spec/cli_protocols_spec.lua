-- `bin/aza protocols`: the shipped protocols with version and title.
local protocol = require "aza.protocol"
local cli = require "spec.support.cli"

-- run bin/aza with arguments; returns exit code, stdout, stderr
local function aza(...)
  local out, err, code = cli.aza({ ... })
  return code, out, err
end

describe("aza protocols", function()
  it("lists the protocols of --path with version and title; broken ones on stderr, exit 3",
    function()
      local code, out, err = aza("protocols", "--path", "spec/fixtures/pipeline")
      assert.are.equal(3, code)
      assert.are.equal(table.concat({
        "pipe               1.0      Pipeline fixture",
        "pipe-set           1.0      Pipeline fixture: set_dose",
        "pipe-set-contract  1.0      Pipeline fixture: set_dose with band and start",
      }, "\n") .. "\n", out)
      assert.matches("aza protocols: bad%-band: spec/fixtures/pipeline/bad%-band%.lua:8: ", err)
      assert.matches("aza protocols: bad%-rule: ", err)
    end)

  it("lists the shipped protocols, sorted, one line each with its version", function()
    local code, out, err = aza("protocols")
    local list = protocol.list()
    local expected, broken = {}, 0
    for _, e in ipairs(list) do
      if e.error then
        broken = broken + 1
        assert.matches("aza protocols: " .. e.id:gsub("%p", "%%%0") .. ": ", err)
      else
        expected[#expected + 1] = e.id
      end
    end
    local got = {}
    for line in out:gmatch("[^\n]+") do
      local id, version = line:match("^(%S+)%s+(%S+)")
      got[#got + 1] = id
      assert.is_truthy(version, line)
    end
    assert.are.same(expected, got)
    assert.are.equal(broken > 0 and 3 or 0, code, err)
    local sorted = { require("aza.compat").unpack(got) }
    table.sort(sorted)
    assert.are.same(sorted, got)
  end)

  it("refuses unknown arguments with exit 2", function()
    local code, _, err = aza("protocols", "--all")
    assert.are.equal(2, code)
    assert.matches("unknown argument '%-%-all'", err)
  end)

  describe("--rules ID", function()
    it("lists every rule in force with the protocol of the chain that wrote it", function()
      local code, out, err = aza("protocols", "--rules", "examples/site/site_ibd.lua")
      assert.equal(0, code, err)
      local p = assert(protocol.load("examples/site/site_ibd.lua"))
      local on = 0
      for _, r in ipairs(p.rules) do
        on = on + (r.disabled and 0 or 1)
      end
      assert.truthy(out:find("^site_ibd 2026%.1: " .. on .. " rules in force %(base 2026%.1 → "
        .. "ibd 2026%.1 → site_ibd 2026%.1%)\n"), out)
      -- an inherited rule, a replaced one, an added one
      assert.truthy(out:find("\ntpmt-poor  [base; ./rules/base.lua:261]\n  when    "
        .. 'tpmt.phenotype == "poor"\n  action  contraindicate; alert critical '
        .. "(pharmacogenomic)\n  source  CPIC 2025 Table 4\n", 1, true), out)
      assert.truthy(out:find("\nneutrophils-low  [site_ibd, replaces ibd's; "
        .. "examples/site/site_ibd.lua:59]\n  when    neutrophils < 1.8 10*9/L\n", 1, true), out)
      assert.truthy(out:find("\nlocal-elderly-review  [site_ibd; examples/site/site_ibd.lua:71]",
        1, true), out)
      assert.truthy(out:find("  phase   dose (runs after the dose is worked out)", 1, true), out)
      -- switched off: by disable, and by a parameter
      assert.truthy(out:find("\n  ace-inhibitor-caution: disabled [examples/site/site_ibd.lua:68]",
        1, true), out)
      assert.truthy(out:find("\n  tpmt-not-tested-dose-by-nudt15: on only when "
        .. 'parameters.tpmt_unknown = "dose_by_nudt15" (now "need_data") [base; '
        .. "./rules/base.lua:299]", 1, true), out)
      assert.falsy(out:find("\nace-inhibitor-caution  [", 1, true),
        "a disabled rule is not in force")
    end)

    it("--format json gives the chain, the rules and the switched-off ones", function()
      local code, out = aza("protocols", "--rules", "ibd", "--format", "json")
      assert.equal(0, code)
      local doc = require("cjson").decode(out)
      assert.equal("ibd", doc.id)
      assert.same({ "base", "ibd" }, { doc.chain[1].id, doc.chain[2].id })
      local by = {}
      for _, r in ipairs(doc.rules) do
        by[r.id] = r
      end
      assert.equal("base", by["tpmt-poor"].protocol)
      assert.equal("ibd", by["neutrophils-low"].protocol)
      assert.equal("base", by["neutrophils-low"].replaces)
      assert.equal("contraindicate; alert critical (pharmacogenomic)", by["tpmt-poor"].action)
      assert.same({ "cpic2025" }, by["tpmt-poor"].cite)
      -- read through the protocol's read-only views: every key, lists included
      assert.same({ "cpic2025", "bsr2017_schedule" }, by["tpmt-not-tested"].cite)
      code, out = aza("protocols", "--rules", "examples/site/site_aih.lua", "--format", "json")
      assert.equal(0, code)
      local aih = {}
      for _, r in ipairs(require("cjson").decode(out).rules) do
        aih[r.id] = r
      end
      assert.same({ platelets_min = "70 10*9/L" }, aih["platelets-low"].params)
      assert.truthy(aih["local-tgn-escalate"].action:find("raise = true", 1, true))
      assert.equal(2, #doc.disabled)
    end)

    it("bad usage exits 2; a protocol that does not load exits 3", function()
      local code, _, err = aza("protocols", "--rules")
      assert.equal(2, code)
      assert.truthy(err:find("--rules needs a protocol id or file", 1, true), err)
      code, _, err = aza("protocols", "--rules", "ibd", "--format", "xml")
      assert.equal(2, code)
      assert.truthy(err:find("--format must be text or json", 1, true), err)
      code, _, err = aza("protocols", "--format", "json")
      assert.equal(2, code)
      assert.truthy(err:find("--format goes with --rules", 1, true), err)
      code, _, err = aza("protocols", "--rules", "no_such_protocol")
      assert.equal(3, code)
      assert.truthy(err:find("no protocol 'no_such_protocol'", 1, true), err)
    end)
  end)
end)

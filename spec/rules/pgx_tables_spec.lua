-- The allele tables against data nobody on this project wrote: every TPMT and NUDT15
-- diplotype of PharmCAT's CPIC phenotype files (data 2025-11-05) and of its last DPWG
-- phenotype files (data 2025-09-25) gives the same phenotype in aza's `cpic` and `dpwg`
-- profiles (spec/fixtures/pgx/pharmcat_*.lua, generated from those files).
local pgx = require "aza.input.pgx"

local function compare(profile, fixture)
  local ref = dofile(fixture)
  local bad, n = {}, 0
  for _, gene in ipairs({ "TPMT", "NUDT15" }) do
    for dip, want in pairs(ref[gene]) do
      n = n + 1
      local got = pgx.phenotype(gene, dip, profile)
      if got ~= want then
        bad[#bad + 1] = ("%s %s: PharmCAT %s, aza %s"):format(gene, dip, want, tostring(got))
      end
    end
  end
  table.sort(bad)
  return bad, n, ref.version
end

describe("allele tables against PharmCAT", function()
  it("agree on all 991 CPIC diplotypes (data 2025-11-05)", function()
    local bad, n, version = compare("cpic", "spec/fixtures/pgx/pharmcat_cpic.lua")
    assert.are.equal(991, n)
    assert.are.equal("2025-11-05-00-25", version)
    assert.are.same({}, bad)
  end)

  it("agree on all 255 DPWG diplotypes (data 2025-09-25)", function()
    local bad, n, version = compare("dpwg", "spec/fixtures/pgx/pharmcat_dpwg.lua")
    assert.are.equal(255, n)
    assert.are.equal("2025-09-25-21-40", version)
    assert.are.same({}, bad)
  end)

  it("gives the 17 diplotypes the earlier DPWG table got wrong", function()
    local want = {
      ["*1/*7"] = "intermediate", ["*1/*8"] = "intermediate",
      ["*2/*7"] = "poor", ["*2/*8"] = "poor", ["*3/*7"] = "poor", ["*3/*8"] = "poor",
      ["*4/*7"] = "poor", ["*4/*8"] = "poor", ["*5/*7"] = "poor", ["*5/*8"] = "poor",
      ["*6/*7"] = "poor", ["*6/*8"] = "poor", ["*7/*9"] = "poor", ["*8/*9"] = "poor",
      ["*7/*7"] = "poor", ["*7/*8"] = "poor", ["*8/*8"] = "poor",
    }
    local n = 0
    for dip, ph in pairs(want) do
      n = n + 1
      assert.are.equal(ph, (pgx.phenotype("NUDT15", dip, "dpwg")), dip)
    end
    assert.are.equal(17, n)
  end)

  it("has TPMT *3D as an allele of unknown function in both profiles", function()
    for _, profile in ipairs({ "cpic", "dpwg" }) do
      local ph, info = pgx.phenotype("TPMT", "*1/*3D", profile)
      assert.are.equal("indeterminate", ph)
      assert.are.equal("unknown", info.functions[2])
    end
  end)
end)

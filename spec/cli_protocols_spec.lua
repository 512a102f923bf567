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
end)

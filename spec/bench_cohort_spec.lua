-- The benchmark cohort (bench/cohort.lua): deterministic, and every patient is a valid record
-- of the patient contract that the shipped ibd protocol decides (no input errors), reaching
-- every decision, so that the bench compares engines on real work.
local protocol = require "aza.protocol"

describe("bench cohort", function()
  local cohort = dofile("bench/cohort.lua")

  it("is the same for the same seed and differs for another", function()
    assert.are.same(cohort.generate(50), cohort.generate(50))
    assert.are_not.same(cohort.generate(50), cohort.generate(50, 7))
  end)

  it("gives valid patients that reach every decision", function()
    local p = assert(protocol.load("ibd"))
    local seen = {}
    for i, line in ipairs(cohort.generate(300)) do
      local r, msg = p:evaluate(line, { trace = false })
      assert.is_table(r, "patient " .. i .. ": " .. tostring(msg))
      assert.are.equal("p" .. i, r.patient)
      seen[r.decision] = true
    end
    assert.are.same({ proceed = true, adjust = true, need_data = true, withhold = true,
                      contraindicated = true }, seen)
  end)
end)

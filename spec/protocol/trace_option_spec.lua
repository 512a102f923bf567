-- protocol:evaluate(patient, { trace = false }): the same result without the trace list.
local protocol = require "aza.protocol"
local render = require "aza.render.json"

describe("protocol:evaluate with trace = false", function()
  it("gives the same result, without trace", function()
    local ibd = assert(protocol.load("ibd"))
    for _, file in ipairs { "examples/patients/ibd-new-start.json",
                            "spec/fixtures/patients/active-ibd.json",
                            "spec/fixtures/patients/tpmt-conflict.json" } do
      local with = assert(ibd:evaluate(file, { as_of = "2026-11-21" }))
      local without = assert(ibd:evaluate(file, { as_of = "2026-11-21", trace = false }))
      assert.is_table(with.trace)
      assert.is_true(#with.trace > 0)
      assert.is_nil(without.trace)
      with.trace = nil
      assert.equal(render.render(with), render.render(without))
    end
  end)
end)

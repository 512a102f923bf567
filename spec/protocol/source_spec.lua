-- aza.protocol.source: where a protocol script writes things, for messages.
local source = require "aza.protocol.source"

describe("aza.protocol.source", function()
  local text = table.concat({
    'return protocol "p" {',                                   -- 1
    '  references = {',                                        -- 2
    '    trust_formulary = { text = "formulary of the trust" },', -- 3
    '  },',                                                    -- 4
    '  parameters = {',                                        -- 5
    '    formulary = { { mg = 25 } },',                        -- 6
    '    ["dose"] = { mg_per_kg_per_day = 2 },',               -- 7
    '    x = a == b,',                                         -- 8
    '  },',                                                    -- 9
    '}',                                                       -- 10
  }, "\n")

  it("locate: the first line at or after `from` containing the text", function()
    assert.equal(3, source.locate(text, "formulary"))
    assert.equal(6, source.locate(text, "formulary", 4))
    assert.equal(4, source.locate(text, "absent", 4))
  end)

  it("locate_key: the line where the key is set, not one mentioning it", function()
    assert.equal(6, source.locate_key(text, "formulary"))    -- not trust_formulary, not the text
    assert.equal(5, source.locate_key(text, "parameters"))
    assert.equal(7, source.locate_key(text, "dose", 5))      -- ["dose"] =
    assert.equal(8, source.locate_key(text, "x", 5))
    assert.equal(9, source.locate_key(text, "b", 9))         -- `a == b` is no key: from itself
  end)

  it("suggest: the nearest name, or nil", function()
    assert.equal("withhold", source.suggest("withold", { "withhold", "cap" }))
    assert.is_nil(source.suggest("zzzzzz", { "withhold", "cap" }))
  end)
end)

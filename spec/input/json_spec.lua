local locale = require "spec.support.locale"
-- aza.input.json: the strict patient JSON reader, must-parse and must-fail lists, the
-- same on every interpreter and whatever the host's LC_NUMERIC.
local json = require "aza.input.json"
local out = require "aza.render.json"

local MUST_PARSE = {
  { '{"weight": "70 kg", "height": null}', '{"height":null,"weight":"70 kg"}' },
  { '[1, 2.5, -3e2, 0.125, 1E+2, -0]', "[1,2.5,-300,0.125,100,0]" },
  { '{"a": [true, false, {"b": []}]}', '{"a":[true,false,{"b":[]}]}' },
  { '"caf\\u00e9 \\ud83d\\ude00 \\"q\\" \\\\ \\/ \\n"', '"café 😀 \\"q\\" \\\\ / \\n"' },
  { '\239\187\191{"bom": 1}', '{"bom":1}' },                 -- a UTF-8 byte order mark
  { ' \t\r\n {"ws": 1} \n', '{"ws":1}' },
  { '{"name": "Gu\195\169rin"}', '{"name":"Guérin"}' },      -- UTF-8 as it is
}

local MUST_FAIL = {
  { '{"weight": "140 kg", "weight": "70 kg"}', "duplicate key 'weight' at character 22" },
  { '{"a": {"b": 1, "b": 2}}', "duplicate key 'b'" },
  { '{"name": "\255"}', "not valid UTF-8 at character 11" },
  { '{"name": "\192\175"}', "not valid UTF-8" },            -- an overlong '/'
  { '{"name": "\237\160\128"}', "not valid UTF-8" },        -- a UTF-16 surrogate in UTF-8
  { '{"a": "\\ud800"}', "a \\u escape of a lone surrogate" },
  { '{"a": 1e400}', "number 1e400 out of range" },
  { '{"a": NaN}', "Expected value" },
  { '{"a": Infinity}', "Expected value" },
  { '{"a": 01}', "Expected" },
  { '{"a": .5}', "Expected value" },
  { '{"a": "x\ty"}', "not valid JSON (RFC 8259" },       -- a raw control byte in a string
  { "{bad", "Expected object key string" },
  { "[1,]", "Expected value" },
  { '{"a": 1} x', "Expected the end" },
  { "", "Expected value" },
  { string.rep("[", 65) .. string.rep("]", 65), "nested deeper than 64" },
}

describe("aza.input.json", function()
  describe("decode() must parse", function()
    for _, c in ipairs(MUST_PARSE) do
      it(c[2], function()
        assert.equal(c[2], out.encode(assert(json.decode(c[1]))))
      end)
    end
  end)

  describe("decode() must fail, naming what and where", function()
    for _, c in ipairs(MUST_FAIL) do
      it(c[2], function()
        assert.fails_with("E_INPUT", "patient JSON: " .. c[2], json.decode(c[1]))
      end)
    end
  end)

  it("keeps null distinct from absent", function()
    local t = assert(json.decode('{"a": null}'))
    assert.is_true(json.is_null(t.a))
    assert.is_nil(t.b)
  end)

  it("reads numbers with '.' under a comma-decimal LC_NUMERIC set in-process", function()
    local ok, why = locale.with_comma(function()
      assert.same({ w = 70.5, list = { 2.13, -1.5e-3 } },
        json.decode('{"w": 70.5, "list": [2.13, -1.5e-3]}'))
    end)
    if not ok then
      pending(why)
    end
  end)

  it("refuses text larger than MAX_BYTES", function()
    assert.fails_with("E_INPUT", "more than " .. json.MAX_BYTES .. " bytes",
      json.decode(string.rep(" ", json.MAX_BYTES + 1)))
  end)
end)

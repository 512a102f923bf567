-- The bad-record corpus (spec/fixtures/bad-records/): patient files a careless feed might
-- send. Through `bin/aza evaluate` on the interpreter the specs run under, each must exit 2
-- with its expected message naming the field, print nothing on stdout (no dose), and never
-- a traceback or an aza source position. `make test` runs this on all four interpreters.
local cli = require "spec.support.cli"

local DIR = "spec/fixtures/bad-records/"
local EXPECT = dofile(DIR .. "expect.lua")

describe("bad patient records on " .. cli.LUA, function()
  local names = {}
  for name in pairs(EXPECT) do
    names[#names + 1] = name
  end
  table.sort(names)

  it("the corpus has its cases", function()
    assert.is_true(#names >= 20)
  end)

  for _, name in ipairs(names) do
    it(name, function()
      local out, err, code = cli.aza({ "evaluate", "--protocol", "ibd", "--format", "json",
                                       DIR .. name .. ".json" })
      assert.equal(2, code, err)
      assert.equal("", out)
      assert.is_truthy(err:find(EXPECT[name], 1, true), err)
      assert.is_nil(err:find("traceback", 1, true), err)
      assert.is_nil(err:find("lua/aza/", 1, true), err)
    end)
  end
end)

-- aza.util: the one number formatter every printed number goes through, sets,
-- sorted keys.
local util = require "aza.util"

-- run f with LC_NUMERIC set to a comma-decimal locale (spec.support.locale); pending when
-- none exists (scripts/test.sh builds de_DE.UTF-8 into LOCPATH so `make test` always has one)
local function with_comma_locale(f)
  local ok, why = require("spec.support.locale").with_comma(f)
  if not ok then
    pending(why)
  end
end

describe("aza.util", function()
  describe("number()", function()
    it("prints the shortest text that reads back as the same number", function()
      assert.equal("150", util.number(150.0))
      assert.equal("150", util.number(150))
      assert.equal("2.13", util.number(2.13))
      assert.equal("0.1", util.number(0.1))
      assert.equal("0.30000000000000004", util.number(0.1 + 0.2))
      assert.equal("79.83225712000001", util.number(176 * 0.45359237))
      assert.equal("-37.5", util.number(-37.5))
      assert.equal("1e+300", util.number(1e300))
      assert.equal("nan", util.number(0 / 0))
      assert.equal("inf", util.number(math.huge))
      assert.equal("-inf", util.number(-math.huge))
    end)

    it("uses '.' under a comma-decimal locale (a JSON number must not become 2,13)", function()
      with_comma_locale(function()
        -- the locale is really in force (LuaJIT's string.format never follows it)
        assert.is_truthy(os.setlocale(nil, "numeric"):find("_", 1, true))
        local compat = require "aza.compat"
        assert.equal(2.13, compat.tonumber("2.13"))
        assert.is_nil(compat.tonumber("2,13"))
        assert.equal(-1.5e-3, compat.tonumber("-1.5e-3"))
        assert.equal("2.13", util.number(2.13))
        assert.equal("176.25", util.number(176.25))
        assert.equal("2.13", require("aza.render.json").number(2.13))
        assert.equal('{"a":2.13}', require("aza.render.json").encode { a = 2.13 })
      end)
    end)
  end)

  describe("fixed()", function()
    it("rounds to the places given and drops trailing zeros", function()
      assert.equal("176.25", util.fixed(176.25, 2))
      assert.equal("2.14", util.fixed(150 / 70, 2))
      assert.equal("2.1", util.fixed(2.1, 2))
      assert.equal("150", util.fixed(150.0, 2))
      assert.equal("0", util.fixed(-0.001, 2))
    end)

    it("uses '.' under a comma-decimal locale", function()
      with_comma_locale(function()
        assert.equal("2.14", util.fixed(150 / 70, 2))
        assert.equal("176.25", util.fixed(176.25, 2))
      end)
    end)
  end)

  describe("set_of() and sorted_keys()", function()
    it("build a set and list keys in order", function()
      assert.same({ mg = true, g = true }, util.set_of { "mg", "g" })
      assert.same({ 1, 2, "a", "b" }, util.sorted_keys { b = 1, a = 1, [2] = 1, [1] = 1 })
    end)
  end)
end)

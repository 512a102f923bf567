local compat = require "aza.compat"
-- aza.quantity and the aza.Quantity userdata: construction, operators (which
-- raise "aza: ... (E_CODE)"), methods (which return nil, message, code).
local quantity = require "aza.quantity"
local core = require "aza.core"

local Q = quantity.new

-- the message of the error raised by f(...), or nil when it does not raise
local function raised(f, ...)
  local ok, err = pcall(f, ...)
  if ok then
    return nil
  end
  return tostring(err)
end

describe("aza.quantity", function()
  describe("new()", function()
    it("parses a quantity text", function()
      local q = Q("70 kg")
      assert.is_true(quantity.is_quantity(q))
      assert.equal(70, q:value())
      assert.equal("kg", q:unit())
    end)

    it("takes a number and a unit", function()
      local q = Q(2.5, "mg/kg/d")
      assert.equal(2.5, q:value())
      assert.equal("mg/kg/d", q:unit())
      assert.equal("mass/(mass.time)", q:dimension())
    end)

    it("is what calling the module does", function()
      assert.equal(Q("3 mg"), quantity("3 mg"))
    end)

    it("returns a Quantity given as it is", function()
      local q = Q("5 mL")
      assert.equal(q, Q(q))
      assert.is_true(rawequal(q, Q(q)))
    end)

    it("accepts an alias and reports the UCUM unit", function()
      assert.equal("ug", Q("200 mcg"):unit())
      assert.equal("10*9/L", Q(3.2, "x10^9/L"):unit())
    end)

    it("reads exponent notation and negative values", function()
      assert.equal(1000, Q("1e3 g"):value())
      assert.equal(-3, Q("-3 Cel"):value())
    end)

    it("returns nil, message, code for an unknown unit", function()
      assert.fails_with("E_UNIT", "kgs", Q("70 kgs"))
      assert.fails_with("E_UNIT", "kgs", Q(70, "kgs"))
    end)

    it("returns nil, message, code for a bad number", function()
      assert.fails_with("E_SYNTAX", nil, Q("7,5 mg"))
      assert.fails_with("E_SYNTAX", nil, Q("mg"))
      assert.fails_with("E_SYNTAX", nil, Q("70kg"))
      assert.fails_with("E_SYNTAX", "zero byte", Q("70 kg\0 junk"))
    end)

    it("returns nil, message, code for a value that is not finite", function()
      assert.fails_with("E_VALUE", nil, Q(0 / 0, "mg"))
      assert.fails_with("E_VALUE", nil, Q(math.huge, "mg"))
    end)

    it("raises on a value that is neither text nor number", function()
      assert.matches("bad argument #1", raised(Q, {}))
      assert.matches("bad argument #2", raised(Q, 5))
      assert.matches("bad argument #2", raised(Q, 5, {}))
    end)
  end)

  describe("coerce()", function()
    it("accepts a quantity, a text or a {value, unit} table", function()
      assert.equal(Q("70 kg"), quantity.coerce(Q("70 kg")))
      assert.equal(Q("70 kg"), quantity.coerce("70 kg"))
      assert.equal(Q("70 kg"), quantity.coerce({ value = 70, unit = "kg" }))
    end)

    it("returns nil, message, E_ARG for anything else", function()
      assert.fails_with("E_ARG", "value", quantity.coerce({ value = "70", unit = "kg" }))
      assert.fails_with("E_ARG", "boolean", quantity.coerce(true))
      assert.fails_with("E_UNIT", "kgs", quantity.coerce({ value = 70, unit = "kgs" }))
    end)
  end)

  describe("is_quantity()", function()
    it("is true only for aza.Quantity values", function()
      assert.is_true(quantity.is_quantity(Q("1 mg")))
      assert.is_false(quantity.is_quantity("1 mg"))
      assert.is_false(quantity.is_quantity(1))
      assert.is_false(quantity.is_quantity(io.stdout))
    end)
  end)

  describe("the userdata", function()
    it("is named aza.Quantity", function()
      assert.equal("aza.Quantity", getmetatable(Q("1 mg")).__name)
    end)

    it("is immutable", function()
      local q = Q("1 mg")
      assert.is_not_nil(raised(function() q.value = 2 end))
      assert.is_not_nil(raised(function() q.foo = 2 end))
      assert.equal(1, q:value())
    end)

    it("has no __concat, __idiv, __mod or __len", function()
      local q = Q("1 mg")
      assert.is_not_nil(raised(function() return q .. "x" end))
      assert.is_nil(rawget(getmetatable(q), "__idiv")) -- `q // 2` is 5.3+ syntax
      assert.is_nil(rawget(getmetatable(q), "__concat"))
      assert.is_not_nil(raised(function() return q % 2 end))
      assert.is_not_nil(raised(function() return #q end))
    end)

    it("raises a type error when a method gets a bad self", function()
      assert.matches("aza.Quantity expected", raised(Q("1 mg").value, "1 mg"))
    end)
  end)

  describe("operators", function()
    it("multiplies a per-kg dose by a weight (design.md section 3)", function()
      local daily = Q(2.5, "mg/kg/d") * Q("70 kg")
      assert.is_true(daily:approx(Q("175 mg/d")))
      assert.equal("mass/time", daily:dimension())
      assert.near(175, daily:value_in("mg/d"), 1e-9)
    end)

    it("adds and subtracts in the left operand's unit", function()
      local s = Q("1 g") + Q("500 mg")
      assert.equal("g", s:unit())
      assert.near(1.5, s:value(), 1e-12)
      local d = Q("500 mg") - Q("0.2 g")
      assert.equal("mg", d:unit())
      assert.near(300, d:value(), 1e-9)
    end)

    it("raises E_DIM naming both units when adding different dimensions", function()
      local msg = raised(function() return Q("1 mg") + Q("1 mg/kg/d") end)
      assert.matches("aza: cannot add mg to mg/kg/d: mass vs mass/(mass.time) (E_DIM)",
        msg, 1, true)
      msg = raised(function() return Q("1 mg") - Q("1 mL") end)
      assert.matches("(E_DIM)", msg, 1, true)
    end)

    it("keeps mg/kg/d distinct from /d", function()
      assert.matches("E_DIM", raised(function() return Q("1 mg/kg/d") + Q("1 /d") end))
      assert.is_false(Q("1 mg/kg/d") == Q("1 /d"))
      assert.fails_with("E_DIM", nil, Q("1 mg/kg/d"):to("/d"))
    end)

    it("scales by a plain number with * and / only", function()
      assert.equal(Q("10 mg"), Q("5 mg") * 2)
      assert.equal(Q("10 mg"), 2 * Q("5 mg"))
      assert.equal(Q("2.5 mg"), Q("5 mg") / 2)
      assert.equal("mg", (Q("5 mg") / 2):unit())
      local inv = 1 / Q("4 h")
      assert.is_true(inv:approx(Q("0.25 /h")))
      assert.equal("1/time", inv:dimension())
    end)

    it("raises E_ARG for a plain number in + - < <=", function()
      local q = Q("5 mg")
      for _, f in ipairs({
        function() return q + 1 end, function() return 1 + q end,
        function() return q - 1 end,
      }) do
        assert.matches("aza: cannot .+ a plain number and a quantity.*%(E_ARG%)", raised(f))
      end
      -- 5.1 and LuaJIT never call __lt/__le for a userdata and a number: Lua's own error
      local cmp = compat.fenv and "attempt to compare" or "aza: cannot .+ a plain number"
      for _, f in ipairs({ function() return q < 1 end, function() return 1 <= q end }) do
        assert.matches(cmp, raised(f))
      end
    end)

    it("raises E_VALUE when dividing by zero", function()
      assert.matches("(E_VALUE)", raised(function() return Q("5 mg") / 0 end), 1, true)
    end)

    it("accepts a quantity text as the other operand of + and <", function()
      assert.equal(Q("7 mg"), Q("5 mg") + "2 mg")
      if compat.fenv then -- no __lt for a userdata and a string on 5.1 and LuaJIT
        assert.matches("attempt to compare", raised(function() return Q("5 mg") < "1 g" end))
      else
        assert.is_true(Q("5 mg") < "1 g")
      end
      assert.matches("(E_UNIT)", raised(function() return Q("5 mg") + "2 kgs" end), 1, true)
    end)

    it("negates", function()
      assert.equal(Q("-5 mg"), -Q("5 mg"))
    end)

    it("raises to an integer power", function()
      local area = Q("3 m") ^ 2
      assert.equal(9, area:value())
      assert.equal("length2", area:dimension():gsub("%^", ""))
      assert.is_true((Q("2 s") ^ -1):approx(Q("0.5 /s")))
      assert.equal(Q("9 m2"), Q("3 m") ^ 2.0)
    end)

    it("raises a type error for a non-integer exponent", function()
      assert.matches("number has no integer representation", raised(function()
        return Q("4 m2") ^ 0.5
      end))
      assert.matches("aza.Quantity expected", raised(function() return 2 ^ Q("1 m") end))
    end)

    it("compares with < and <= across units of one dimension", function()
      assert.is_true(Q("500 mg") < Q("1 g"))
      assert.is_true(Q("1000 mg") <= Q("1 g"))
      assert.is_false(Q("2 g") <= Q("1999 mg"))
      assert.is_true(Q("1 g") > Q("999 mg"))
    end)

    it("raises E_DIM when ordering different dimensions", function()
      assert.matches("aza: .*%(E_DIM%)", raised(function() return Q("1 mg") < Q("1 mL") end))
    end)

    it("== is exact and false for different dimensions", function()
      assert.is_true(Q("1 g") == Q("1000 mg"))
      assert.is_false(Q("1 g") == Q("1001 mg"))
      assert.is_false(Q("1 g") == Q("1 mL"))
      assert.is_false(Q("1 g") == 1)        -- __eq is not called for a number
      assert.is_false(Q("1 g") == "1 g")    -- nor for a string
    end)

    it("raises E_AFFINE for arithmetic on special units", function()
      assert.matches("(E_AFFINE)", raised(function() return Q("1 Cel") + Q("1 Cel") end), 1, true)
      assert.matches("(E_AFFINE)", raised(function() return Q("1 Cel") * 2 end), 1, true)
      assert.matches("(E_AFFINE)", raised(function() return -Q("1 Cel") end), 1, true)
    end)

    it("prefixes the raised message with the caller's position", function()
      local msg = raised(function() return Q("1 mg") + Q("1 mL") end)
      assert.matches("quantity_spec.lua:%d+: aza: ", msg)
    end)
  end)

  describe("tostring()", function()
    it("prints the value and the unit", function()
      assert.equal("70 kg", tostring(Q("70 kg")))
      assert.equal("0.1 mg", tostring(Q(0.1, "mg")))
      assert.equal("2.5 mg/kg/d", tostring(Q(2.5, "mg/kg/d")))
    end)
  end)

  describe("to()", function()
    it("converts to another unit", function()
      local q = Q("176 [lb_av]"):to("kg")
      assert.equal("kg", q:unit())
      assert.near(79.83225712, q:value(), 1e-9)
    end)

    it("converts to the unit of another quantity", function()
      assert.equal("g", Q("1500 mg"):to(Q("1 g")):unit())
    end)

    it("returns nil, message, code on failure", function()
      assert.fails_with("E_DIM", "mass", Q("1 mg"):to("mL"))
      assert.fails_with("E_UNIT", "kgs", Q("1 mg"):to("kgs"))
      assert.fails_with("E_ARBITRARY", nil, Q("1 [iU]"):to("mg"))
    end)

    it("raises on a target that is not a unit text", function()
      local q = Q("1 mg")
      -- 5.4 counts the argument after self (#1 to 'to'); LuaJIT counts self (#2 to '?')
      assert.matches("bad argument #[12] to '[%w?]+' %(string expected",
        raised(function() return q:to(true) end))
    end)
  end)

  describe("value_in()", function()
    it("returns the number in a unit", function()
      assert.near(0.45359237, Q("1 [lb_av]"):value_in("kg"), 1e-15)
      assert.near(38, Q("100.4 [degF]"):value_in("Cel"), 1e-9)
    end)

    it("returns nil, message, code on failure", function()
      assert.fails_with("E_DIM", nil, Q("1 mg"):value_in("/d"))
      assert.fails_with("E_SYNTAX", nil, Q("1 mg"):value_in("mg//d"))
    end)
  end)

  describe("approx()", function()
    it("is true within the relative tolerance", function()
      assert.is_true(Q("1 g"):approx(Q("1000.0000001 mg")))
      assert.is_false(Q("1 g"):approx(Q("1001 mg")))
      assert.is_true(Q("1 g"):approx(Q("1001 mg"), 1e-2))
      assert.is_true(Q("1 g"):approx("1000 mg"))
    end)

    it("is false for different dimensions", function()
      assert.is_false(Q("1 g"):approx(Q("1 mL"), 1))
    end)

    it("returns nil, message, code for an unparsable text", function()
      assert.fails_with("E_UNIT", nil, Q("1 g"):approx("1 kgs"))
    end)

    it("raises on a bad tolerance or other", function()
      assert.matches("tolerance", raised(Q("1 g").approx, Q("1 g"), Q("1 g"), -1))
      assert.matches("aza.Quantity expected", raised(Q("1 g").approx, Q("1 g"), 5))
    end)
  end)

  describe("is_dimensionless()", function()
    it("is true for pure numbers, false for mass ratios and units", function()
      assert.is_true(Q("5 %"):is_dimensionless())
      assert.is_true(Q("1 10*3"):is_dimensionless())
      assert.is_true(Q("2 {tbl}"):is_dimensionless())
      assert.is_false(Q("1 mg/kg"):is_dimensionless())
      assert.is_false(Q("1 mg"):is_dimensionless())
      assert.is_false(Q("1 [iU]"):is_dimensionless())
    end)
  end)

  describe("sum() and to_table()", function()
    it("sums a list in the first unit", function()
      local s = quantity.sum({ Q("1 g"), Q("250 mg"), Q("0.25 g") })
      assert.equal("g", s:unit())
      assert.near(1.5, s:value(), 1e-12)
      assert.has_error(function() quantity.sum({}) end, "sum of an empty list")
    end)

    it("gives the patient JSON form", function()
      assert.same({ value = 70, unit = "kg" }, quantity.to_table(Q("70 kg")))
    end)
  end)

  describe("aza.core", function()
    it("exposes the same constructor", function()
      assert.equal(Q("1 mg"), core.quantity("1 mg"))
    end)
  end)
end)

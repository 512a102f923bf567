-- The UCUM functional tests (spec/fixtures/ucum/UcumFunctionalTests.xml, EPL,
-- from FHIR/Ucum-java; FORMAT.md describes it) run against aza.core.
--
-- Validation: valid="true" must parse, valid="false" must fail; at least 95 %
-- must agree, and the disagreeing ids are printed. Conversion: every case must
-- pass, compared at the significant digits of the outcome string (6.3 * 4 vs
-- "25" is compared at 2 digits); outcomes with more than 15 significant
-- digits are compared at 1e-12 relative. Multiplication and division go
-- through Quantity * and /, the result converted to the expected unit ("" is
-- unity, "1"). Prints "ucum validation: N/529 agree" and "ucum conversion: N/30".
local core = require "aza.core"

local FIXTURE = "spec/fixtures/ucum/UcumFunctionalTests.xml"

local entities = { quot = '"', amp = "&", lt = "<", gt = ">", apos = "'" }

local function decode(s)
  return (s:gsub("&(#?)(%w+);", function(hash, name)
    if hash == "#" then
      return require("aza.compat").utf8_char(tonumber(name))
    end
    return entities[name]
  end))
end

-- sections of the fixture: name -> list of cases (attribute tables)
local function load_cases()
  local f = assert(io.open(FIXTURE, "rb"))
  local xml = f:read("*a"):gsub("<!%-%-.-%-%->", "")   -- drop comments first
  f:close()
  local sections = {}
  for _, name in ipairs({ "validation", "displayNameGeneration", "conversion",
                          "multiplication", "division" }) do
    local body = xml:match("<" .. name .. ">(.-)</" .. name .. ">")
    local list = {}
    for attrs in (body or ""):gmatch("<case%s(.-)/>") do
      local case = {}
      for key, value in attrs:gmatch('([%w_]+)%s*=%s*"(.-)"') do
        case[key] = decode(value)
      end
      list[#list + 1] = case
    end
    sections[name] = list
  end
  return sections
end

-- significant digits of a decimal string: leading zeros never count; trailing
-- zeros of a number without a decimal point do not count ("6300000" -> 2)
local function significant_digits(s)
  local mantissa = s:match("^[+-]?([%d.]+)") or ""
  local digits = mantissa:gsub("%.", ""):gsub("^0+", "")
  if not mantissa:find(".", 1, true) then
    digits = digits:gsub("0+$", "")
  end
  return math.max(#digits, 1)
end

-- does the number `got` agree with the decimal string `want` at its precision?
local function agrees(got, want)
  local n = significant_digits(want)
  local expected = assert(tonumber(want))
  if n > 15 then
    return math.abs(got - expected) <= 1e-12 * math.abs(expected)
  end
  local fmt = "%." .. (n - 1) .. "e"
  return fmt:format(got) == fmt:format(expected)
end

local function show(x)
  return type(x) == "number" and ("%.17g"):format(x) or tostring(x)
end

local cases = load_cases()

local function run_conversion(case)
  local got, msg, code = core.units_convert(tonumber(case.value), case.srcUnit, case.dstUnit)
  if got == nil then
    return false, ("%s (%s)"):format(msg, code)
  end
  return agrees(got, case.outcome), got
end

local function run_arithmetic(case, op)
  local a, amsg = core.quantity(tonumber(case.v1), case.u1)
  local b, bmsg = core.quantity(tonumber(case.v2), case.u2)
  if not a or not b then
    return false, a and bmsg or amsg
  end
  local ok, r = pcall(op, a, b)
  if not ok then
    return false, r
  end
  local unit = case.uRes == "" and "1" or case.uRes
  local got, msg, code = r:value_in(unit)
  if got == nil then
    return false, ("%s = %s, not in %s: %s (%s)"):format("result", tostring(r), unit, msg, code)
  end
  return agrees(got, case.vRes), got
end

local function mul(a, b) return a * b end
local function div(a, b) return a / b end

describe("UCUM functional tests", function()
  describe("fixture", function()
    it("has the cases of the master file, with commented-out cases skipped", function()
      assert.equal(529, #cases.validation)
      assert.equal(30, #cases.conversion)
      assert.equal(2, #cases.multiplication)
      assert.equal(3, #cases.division)
      for _, case in ipairs(cases.validation) do
        assert.is_not.equal("1-103", case.id)
      end
      for _, case in ipairs(cases.conversion) do
        assert.is_not.equal("3-130", case.id)
      end
    end)

    it("reads attributes with XML entities", function()
      local display
      for _, case in ipairs(cases.displayNameGeneration) do
        if case.id == "2-108" then
          display = case.display
        end
      end
      assert.matches("ampère", display, 1, true)
    end)

    it("compares at the significant digits of the outcome", function()
      assert.equal(2, significant_digits("25"))
      assert.equal(2, significant_digits("6300000"))
      assert.equal(3, significant_digits("0.160"))
      assert.equal(1, significant_digits("1e-7"))
      assert.is_true(agrees(6.3 * 4, "25"))
      assert.is_false(agrees(6.3 * 4, "25.0"))
      assert.is_true(agrees(6.3 / 4, "1.6"))
      assert.is_false(agrees(1.0000001e-6, "0.00000125663706143591729538506"))
    end)
  end)

  describe("validation", function()
    it("agrees on at least 95 % of the cases", function()
      local agree, wrong = 0, {}
      for _, case in ipairs(cases.validation) do
        local info, msg, code = core.units_parse(case.unit)
        local want = case.valid == "true"
        if (info ~= nil) == want then
          agree = agree + 1
        else
          wrong[#wrong + 1] = ("%s %q (valid=%s%s)"):format(case.id, case.unit, case.valid,
            info and "" or (": " .. msg .. " " .. code))
        end
      end
      io.write(("\nucum validation: %d/%d agree\n"):format(agree, #cases.validation))
      if #wrong > 0 then
        io.write("ucum validation disagreements:\n  ", table.concat(wrong, "\n  "), "\n")
      end
      assert.is_true(agree >= 0.95 * #cases.validation,
        ("only %d/%d agree"):format(agree, #cases.validation))
    end)
  end)

  describe("conversion", function()
    for _, case in ipairs(cases.conversion) do
      it(("%s: %s %s -> %s = %s"):format(case.id, case.value, case.srcUnit, case.dstUnit,
          case.outcome), function()
        local ok, got = run_conversion(case)
        assert.is_true(ok, "got " .. show(got))
      end)
    end

    it("passes all 30 cases", function()
      local pass, failed = 0, {}
      for _, case in ipairs(cases.conversion) do
        local ok, got = run_conversion(case)
        if ok then
          pass = pass + 1
        else
          failed[#failed + 1] = case.id .. ": " .. show(got)
        end
      end
      io.write(("\nucum conversion: %d/%d\n"):format(pass, #cases.conversion))
      assert.equal(30, pass, table.concat(failed, "\n"))
    end)
  end)

  describe("multiplication and division through Quantity", function()
    for _, section in ipairs({ { "multiplication", mul, "*" }, { "division", div, "/" } }) do
      for _, case in ipairs(cases[section[1]]) do
        it(("%s %s: %s %s %s %s %s = %s %s"):format(section[1], case.id, case.v1, case.u1,
            section[3], case.v2, case.u2, case.vRes, case.uRes), function()
          local ok, got = run_arithmetic(case, section[2])
          assert.is_true(ok, "got " .. show(got))
        end)
      end
    end
  end)
end)

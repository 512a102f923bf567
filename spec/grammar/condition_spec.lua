local locale = require "spec.support.locale"
-- The condition grammar: must-parse list (with AST shapes), must-fail list
-- (with messages and positions), precedence, positions, locale.
local condition = require "aza.grammar.condition"
local lexical = require "aza.grammar.lexical"

-- a stand-in for aza.units (a fixed list of units), so that these specs do
-- not depend on the C core; one test below uses the real module
local units = dofile("spec/fixtures/protocols/units_stub.lua")

-- {=== AST builders for expected shapes (positions left out) ===
local function F(name)
  return { tag = "fact", name = name }
end
local function Q(text)
  local num, unit = text:match("^(%S+)%s+(.+)$")
  return { tag = "qty", value = tonumber(num), unit = unit, text = text }
end
local function N(v)
  return { tag = "num", value = v }
end
local function S(v)
  return { tag = "str", value = v }
end
local function B(v)
  return { tag = "bool", value = v }
end
local function CALL(name, ...)
  return { tag = "call", name = name, args = { ... } }
end
local function CMP(lhs, op, rhs)
  return { tag = "cmp", op = op, lhs = lhs, rhs = rhs }
end
local function IN(lhs, set)
  return { tag = "in", lhs = lhs, set = set }
end
local function AND(a, b)
  return { tag = "and", a, b }
end
local function OR(a, b)
  return { tag = "or", a, b }
end
local function NOT(a)
  return { tag = "not", a }
end
local function MUL(a, b)
  return { tag = "mul", a, b }
end
local function DIV(a, b)
  return { tag = "div", a, b }
end
-- }===

-- the AST without `pos` fields
local function shape(node)
  if type(node) ~= "table" then
    return node
  end
  local t = {}
  for k, v in pairs(node) do
    if k ~= "pos" then
      t[k] = shape(v)
    end
  end
  return t
end

local MUST_PARSE = {
  { "wbc < 3.5 10*9/L", CMP(F "wbc", "<", Q "3.5 10*9/L") },
  { "temperature >= 38 Cel", CMP(F "temperature", ">=", Q "38 Cel") },
  { "alt > 2 * alt.uln", CMP(F "alt", ">", MUL(N(2), F "alt.uln")) },
  { 'tpmt.phenotype == "poor"', CMP(F "tpmt.phenotype", "==", S "poor") },
  { 'nudt15.phenotype in {"intermediate", "possible_intermediate"}',
    IN(F "nudt15.phenotype", { "intermediate", "possible_intermediate" }) },
  { "a and b or c", OR(AND(F "a", F "b"), F "c") },
  { "a or b and c", OR(F "a", AND(F "b", F "c")) },
  { "not a and b", AND(NOT(F "a"), F "b") },
  { "not (a or b)", NOT(OR(F "a", F "b")) },
  { "not not a", NOT(NOT(F "a")) },
  { "(a or b) and c", AND(OR(F "a", F "b"), F "c") },
  { "a and b and c", AND(AND(F "a", F "b"), F "c") },
  { "a or b or c", OR(OR(F "a", F "b"), F "c") },
  { "known(nudt15.phenotype)", CALL("known", F "nudt15.phenotype") },
  { "unknown(tpmt.phenotype)", CALL("unknown", F "tpmt.phenotype") },
  { 'taking("allopurinol")', CALL("taking", S "allopurinol") },
  { 'planned("febuxostat")', CALL("planned", S "febuxostat") },
  { 'has("active_malignancy")', CALL("has", S "active_malignancy") },
  { 'allergic("azathioprine")', CALL("allergic", S "azathioprine") },
  { 'ancestry("east_asian")', CALL("ancestry", S "east_asian") },
  { "days_since(wbc.date) > 28", CMP(CALL("days_since", F "wbc.date"), ">", N(28)) },
  { "weeks_since(azathioprine.started) < 8",
    CMP(CALL("weeks_since", F "azathioprine.started"), "<", N(8)) },
  { "ratio(mmp6, tgn6) > 11", CMP(CALL("ratio", F "mmp6", F "tgn6"), ">", N(11)) },
  { "rise_percent(creatinine, 365 d) > 30 %",
    CMP(CALL("rise_percent", F "creatinine", Q "365 d"), ">", Q "30 %") },
  { "true", B(true) },
  { "false", B(false) },
  { "pregnant", F "pregnant" },
  { "not pregnant", NOT(F "pregnant") },
  { "egfr < 60 mL/min/{1.73_m2}", CMP(F "egfr", "<", Q "60 mL/min/{1.73_m2}") },
  { "platelets < 140 x10^9/L", CMP(F "platelets", "<", Q "140 x10^9/L") },
  { "neutrophils<1.6 10*9/L", CMP(F "neutrophils", "<", Q "1.6 10*9/L") },
  { "alt / alt.uln > 3", CMP(DIV(F "alt", F "alt.uln"), ">", N(3)) },
  { "(alt / alt.uln) > 3", CMP(DIV(F "alt", F "alt.uln"), ">", N(3)) },
  { "alt > 2 * alt.uln and ast > 2 * ast.uln",
    AND(CMP(F "alt", ">", MUL(N(2), F "alt.uln")), CMP(F "ast", ">", MUL(N(2), F "ast.uln"))) },
  { 'azathioprine.status != "naive"', CMP(F "azathioprine.status", "!=", S "naive") },
  { 'sex == "female" and pregnant', AND(CMP(F "sex", "==", S "female"), F "pregnant") },
  { "weight >= 70 kg", CMP(F "weight", ">=", Q "70 kg") },
  { "tgn6 < 235 pmol/{8x10^8_RBC}", CMP(F "tgn6", "<", Q "235 pmol/{8x10^8_RBC}") },
  { "azathioprine.dose > 150 mg/d", CMP(F "azathioprine.dose", ">", Q "150 mg/d") },
  { "temperature >= -1.5 Cel", CMP(F "temperature", ">=", Q "-1.5 Cel") },
  { "x > 1e3", CMP(F "x", ">", N(1000.0)) },
  { "  wbc < 3.5 10*9/L  ", CMP(F "wbc", "<", Q "3.5 10*9/L") },
  { "wbc < 3.5 10*9/L\n  or neutrophils < 1.6 10*9/L",
    OR(CMP(F "wbc", "<", Q "3.5 10*9/L"), CMP(F "neutrophils", "<", Q "1.6 10*9/L")) },
  { 'x == "a \\"quoted\\" \\\\ word"', CMP(F "x", "==", S 'a "quoted" \\ word') },
  { "known (x)", CALL("known", F "x") },
  { "ratio( mmp6 , tgn6 ) > 11", CMP(CALL("ratio", F "mmp6", F "tgn6"), ">", N(11)) },
  { "2 * 3 < x", CMP(MUL(N(2), N(3)), "<", F "x") },
  { "x < 3 wk or y", OR(CMP(F "x", "<", Q "3 wk"), F "y") },
  { "weeks_since(x) < 8 and y", AND(CMP(CALL("weeks_since", F "x"), "<", N(8)), F "y") },
  { "hemoglobin < 100 g/L", CMP(F "hemoglobin", "<", Q "100 g/L") },
  { "andrew", F "andrew" },
  { "nottingham or inca", OR(F "nottingham", F "inca") },
  { "alt.uln >= 40 U/L", CMP(F "alt.uln", ">=", Q "40 U/L") },
  { "(((a)))", F "a" },
  { 'x in {"a"}', IN(F "x", { "a" }) },
  { "mcv > 105 fL", CMP(F "mcv", ">", Q "105 fL") },
  { "inr > 3", CMP(F "inr", ">", N(3)) },
  { "a <= b", CMP(F "a", "<=", F "b") },
  { "ratio(a, b) / 2 >= 1.5", CMP(DIV(CALL("ratio", F "a", F "b"), N(2)), ">=", N(1.5)) },
  { "x > 3 /d", CMP(F "x", ">", Q "3 /d") },
  { "not x == \"a\"", NOT(CMP(F "x", "==", S "a")) },
  { "\tpregnant\t", F "pregnant" },
}

-- input, message (a substring; "=" prefix: the exact message), column
local MUST_FAIL = {
  { "", "empty condition", 1 },
  { "   ", "empty condition", 1 },
  { "wbc < 3.5 mgg", "=expected a unit after '3.5' at col 10: wbc < 3.5 mgg", 10 },
  { "wbc < 3.5 foo(bar)", "expected a unit after '3.5' at col 10", 10 },
  { "wbc < 3.5 mg/dLL", "expected a unit after '3.5'", 10 },
  { "wbc <", "expected a value after '<', got the end at col 6: wbc <", 6 },
  { "wbc <= ", "expected a value after '<=', got the end", 8 },
  { "wbc < 3.5mg", "expected a space between '3.5' and its unit at col 10", 10 },
  { "wbc < 3,5 10*9/L", "use '.' as the decimal separator at col 8", 8 },
  { "wbc = 3", "unexpected '='; use '==' to compare at col 5", 5 },
  { "wbc ~= 3", "use '!='", 5 },
  { "a && b", "use 'and'", 3 },
  { "a || b", "use 'or'", 3 },
  { "(a and b", "expected ')', got the end at col 9", 9 },
  { "(a", "expected ')'", 3 },
  { "(", "expected a condition after '(', got the end", 2 },
  { "( )", "expected a condition after '(', got ')'", 3 },
  { "a and b)", "unexpected ')' with no matching '('", 8 },
  { "a and", "expected a condition after 'and', got the end", 6 },
  { "a or", "expected a condition after 'or', got the end", 5 },
  { "not", "expected a condition after 'not', got the end", 4 },
  { "not not", "expected a condition after 'not', got the end", 8 },
  { "x in", "expected a set such as {\"a\", \"b\"} after 'in', got the end", 5 },
  { "x in {}", "expected a string in the set, got '}'", 7 },
  { "x in {1, 2}", "expected a string in the set, got '1'", 7 },
  { 'x in {"a" "b"}', "expected ',' or '}' in the set, got '\"'", 11 },
  { 'x in {"a",}', "expected a string after ',', got '}'", 11 },
  { 'x in {"a"', "expected ',' or '}' in the set, got the end", 10 },
  { 'x == "poor', "unterminated string", 6 },
  { 'x == "a\\q"', "unterminated string (or a bad escape", 6 },
  { "x == 'poor'", "expected a value after '==', got '''", 6 },
  { "known(x", "expected ',' or ')' in the arguments, got the end", 8 },
  { "known(x y)", "expected ',' or ')' in the arguments, got 'y'", 9 },
  { 'taking("allopurinol"', "expected ',' or ')' in the arguments, got the end", 21 },
  { "ratio(a,)", "expected an argument after ',', got ')'", 9 },
  { "and x", "expected a condition, got 'and'", 1 },
  { "< 3", "expected a condition, got '<'", 1 },
  { "wbc 3.5", "unexpected '3.5'; expected 'and', 'or' or the end of the condition", 5 },
  { "wbc < 3.5 10*9/L 2", "unexpected '2'", 18 },
  { "true false", "unexpected 'false'", 6 },
  { "1 < x < 3", "comparisons do not chain", 7 },
  { "2 * alt.uln", "expected a condition, got '2'", 1 },
  { '"poor"', "expected a condition, got '\"'", 1 },
  { "x !== 3", "expected a value after '!=', got '='", 5 },
  { "x ≥ 3", "unexpected '≥'", 3 },
  { "x < 1e999", "number out of range at col 5", 5 },
  { "x < .5", "expected a value after '<', got '.'", 5 },
  { "wbc < 3.5 *", "expected a value after '*' or '/', got the end", 12 },
  { "x.y. > 3", "unexpected '.'", 4 },
  { "wbc < 3.5 10*9/L and and x", "expected a condition after 'and', got 'and'", 22 },
  { ("("):rep(200) .. "x" .. (")"):rep(200), "condition nested too deeply", 1 },
  -- LPeg's "subcapture nesting too deep" (found by csrc/fuzz/fuzz_condition.c)
  { ("("):rep(64) .. "alt > 100 proceefU/L or15t /L", "condition nested too deeply", 1 },
  { ("a"):rep(5000), "condition too long", 4001 },
}

describe("aza.grammar.condition", function()
  describe("parse()", function()
    it("has must-parse and must-fail lists of at least 40 each", function()
      assert.is_true(#MUST_PARSE >= 40)
      assert.is_true(#MUST_FAIL >= 40)
    end)

    for _, case in ipairs(MUST_PARSE) do
      it("parses " .. case[1]:gsub("\n", "\\n"), function()
        local ast, msg = condition.parse(case[1], units)
        assert.is_nil(msg)
        assert.same(case[2], shape(ast))
      end)
    end

    for _, case in ipairs(MUST_FAIL) do
      local input, text, pos = case[1], case[2], case[3]
      it("rejects " .. (#input > 40 and input:sub(1, 40) .. "..." or input), function()
        local ast, msg, code, p = condition.parse(input, units)
        assert.is_nil(ast)
        assert.equal("E_SYNTAX", code)
        if text:sub(1, 1) == "=" then
          assert.equal(text:sub(2), msg)
        else
          assert.is_truthy(msg:find(text, 1, true), msg)
        end
        assert.equal(pos, p)
        if #input > 0 and input:find("%S") and #input <= 72 then
          -- the message quotes the input and its column
          assert.is_truthy(msg:find(" at col " .. p .. ": " .. input:gsub("[\r\n\t]", " "), 1,
            true), msg)
        end
      end)
    end

    it("rejects what is not a string", function()
      assert.fails_with("E_SYNTAX", "must be a string", condition.parse(nil, units))
      assert.fails_with("E_SYNTAX", "must be a string", condition.parse(42, units))
    end)

    it("records the 1-based column of every node", function()
      local ast = condition.parse('wbc < 3.5 10*9/L or not taking("x")', units)
      assert.equal(1, ast.pos)                -- or: its left operand
      assert.equal(1, ast[1].pos)             -- cmp
      assert.equal(1, ast[1].lhs.pos)         -- wbc
      assert.equal(7, ast[1].rhs.pos)         -- 3.5 10*9/L
      assert.equal(21, ast[2].pos)            -- not
      assert.equal(25, ast[2][1].pos)         -- taking(...)
      assert.equal(32, ast[2][1].args[1].pos) -- "x"
    end)

    it("keeps the unit as written, with the number text", function()
      local ast = condition.parse("platelets < 140   x10^9/L", units)
      assert.equal("x10^9/L", ast.rhs.unit)
      assert.equal("140 x10^9/L", ast.rhs.text)
      assert.equal(140, ast.rhs.value)
    end)

    it("does not read a keyword, '*' or a lone '/' as a unit", function()
      assert.same(CMP(F "x", "<", MUL(N(2), F "y")), shape(condition.parse("x < 2 * y", units)))
      assert.same(CMP(F "x", "<", DIV(N(2), F "y")), shape(condition.parse("x < 2 / y", units)))
      assert.same(OR(CMP(F "x", "<", N(2)), F "y"), shape(condition.parse("x < 2 or y", units)))
      assert.same(IN(F "x", { "a" }), shape(condition.parse('x in {"a"}', units)))
    end)

    it("stops a unit at a closing parenthesis or a comma", function()
      local ast = condition.parse("(rise_percent(creatinine, 365 d) > 30 %)", units)
      assert.equal("d", ast.lhs.args[2].unit)
      assert.equal("%", ast.rhs.unit)
      ast = condition.parse("x > 2 mg/(kg.d)", { parse = function() return {} end })
      assert.equal("mg/(kg.d)", ast.rhs.unit)
    end)

    it("asks the units module about every quantity", function()
      local asked = {}
      local spy = { parse = function(u)
        asked[#asked + 1] = u
        return units.parse(u)
      end }
      assert.is_table(condition.parse("wbc < 3.5 10*9/L and temperature >= 38 Cel", spy))
      assert.same({ "10*9/L", "Cel" }, asked)
    end)

    it("skips unit validation when units is false", function()
      assert.is_table(condition.parse("wbc < 3.5 mgg", false))
    end)

    it("reports the earliest problem first", function()
      local _, msg, _, pos = condition.parse("wbc < 3.5 mgg and (", units)
      assert.equal(10, pos)
      assert.is_truthy(msg:find("expected a unit", 1, true))
    end)

    it("quotes a window of a long input around the column", function()
      local long = ("a and "):rep(20) .. "b <"
      local _, msg, _, pos = condition.parse(long, units)
      assert.equal(#long + 1, pos)
      assert.is_truthy(msg:find(": ...", 1, true), msg)
      assert.is_true(#msg < 160)
    end)

    it("uses aza.units by default", function()
      local ast, msg = condition.parse("wbc < 3.5 mgg")
      assert.is_nil(ast)
      assert.equal("expected a unit after '3.5' at col 10: wbc < 3.5 mgg", msg)
      assert.is_table(condition.parse("wbc < 3.5 x10^9/L"))
    end)
  end)

  describe("numbers", function()
    it("use '.' only, through tonumber", function()
      local only = lexical.number * -1
      assert.equal(3.5, only:match "3.5")
      assert.equal(-2, only:match "-2")
      assert.equal(1000.0, only:match "1e3")
      assert.is_nil(only:match "3,5")
      assert.is_nil(only:match ".5")
      assert.is_nil(only:match "5.")
      assert.is_nil(only:match "0x10")
    end)

    it("parse the same under a comma-decimal locale", function()
      local ok, why = locale.with_comma(function()
        assert.equal(3.5, assert(condition.parse("wbc < 3.5 10*9/L", units)).rhs.value)
      end)
      if not ok then
        pending(why)
      end
    end)
  end)

  describe("lexical", function()
    it("exports unanchored terminals", function()
      assert.equal("alt.uln", (lexical.dotted_name * -1):match "alt.uln")
      assert.is_nil((lexical.dotted_name * -1):match "alt..uln")
      assert.is_nil((lexical.ident * -1):match "and")
      assert.equal("andrew", (lexical.ident * -1):match "andrew")
      assert.equal('a"b', (lexical.string * -1):match '"a\\"b"')
      assert.equal("10*9/L", (lexical.unit * -1):match "10*9/L")
      assert.equal("mg/(kg.d)", (lexical.unit * -1):match "mg/(kg.d)")
      assert.equal("[arb'U]", (lexical.unit * -1):match "[arb'U]")
      assert.is_nil((lexical.unit * -1):match "and")
      assert.is_nil((lexical.unit * -1):match "*")
    end)
  end)
end)

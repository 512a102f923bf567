-- The HL7 v2 grammar (lua/aza/grammar/hl7v2.lua): must-parse list (with the values read),
-- must-fail list (with the place named), escapes, delimiters from MSH, several messages,
-- MLLP framing, and a fuzz spec (a malformed text is an error value, never a Lua error).
local hl7 = require "aza.grammar.hl7v2"
local rng = require "spec.support.rng"

-- a message in the shape laboratories send (ORU^R01 2.5.1), segments joined by `eol`
local function oru(eol, extra)
  local segs = {
    "MSH|^~\\&|LAB|HOSP|AZA|HOSP|20261120083000+0100||ORU^R01^ORU_R01|MSG00001|P|2.5.1",
    "PID|1||123456^^^HOSP^MR||DOE^JANE^^^^^L||19800501|F",
    "OBR|1||LAB123|57021-8^CBC W Auto Differential panel - Blood^LN|||20261119074500+0100",
    "OBX|1|NM|6690-2^Leukocytes [#/volume] in Blood by Automated count^LN||3.2|10*9/L|"
      .. "4.0-11.0|L|||F|||20261119074500+0100",
    "OBX|2|NM|777-3^Platelets^LN||<10|10*9/L|150-400|LL|||F",
  }
  for _, s in ipairs(extra or {}) do
    segs[#segs + 1] = s
  end
  return table.concat(segs, eol) .. eol
end

describe("aza.grammar.hl7v2", function()
  describe("must parse", function()
    it("an ORU^R01 with CR, LF or CRLF segment ends: the same values", function()
      for _, eol in ipairs { "\r", "\n", "\r\n" } do
        local doc = assert(hl7.parse(oru(eol)))
        assert.equal(1, #doc.messages)
        local m = doc.messages[1]
        assert.equal(5, #m.segments)
        local msh, pid, obx = m.segments[1], m.segments[2], m.segments[4]
        assert.equal("|", hl7.value(msh, 1))
        assert.equal("^~\\&", hl7.value(msh, 2))
        assert.equal("ORU", hl7.value(msh, 9, 1))
        assert.equal("R01", hl7.value(msh, 9, 2))
        assert.equal("2.5.1", hl7.value(msh, 12))
        assert.equal("19800501", hl7.value(pid, 7))
        assert.equal("F", hl7.value(pid, 8))
        assert.equal("DOE", hl7.value(pid, 5, 1))
        assert.equal("6690-2", hl7.value(obx, 3, 1))
        assert.equal("LN", hl7.value(obx, 3, 3))
        assert.equal("3.2", hl7.value(obx, 5))
        assert.equal("10*9/L", hl7.value(obx, 6))
        assert.equal("4.0-11.0", hl7.value(obx, 7))
        assert.equal("F", hl7.value(obx, 11))
        assert.equal("20261119074500+0100", hl7.value(obx, 14))
        -- a comparator stays in the text: the caller decides, never silently a number
        assert.equal("<10", hl7.value(m.segments[5], 5))
        assert.equal(4, obx.line)
      end
    end)

    it("unescapes \\F\\ \\S\\ \\T\\ \\R\\ \\E\\, \\Xhh\\, \\.br\\; drops \\H\\ \\N\\", function()
      local doc = assert(hl7.parse(oru("\r", {
        "NTE|1||a\\F\\b\\S\\c\\T\\d\\R\\e\\E\\f \\X4142\\ \\H\\bold\\N\\ x\\.br\\y \\Z99\\",
      })))
      local nte = doc.messages[1].segments[6]
      assert.equal("a|b^c&d~e\\f AB bold x\ny \\Z99\\", hl7.value(nte, 3))
    end)

    it("repetitions, components and subcomponents", function()
      local doc = assert(hl7.parse(oru("\r", { "ZZZ|a^b&c^d~e^f|~|^^" })))
      local z = doc.messages[1].segments[6]
      assert.equal("a", hl7.value(z, 1, 1))
      assert.equal("b", hl7.value(z, 1, 2, 1))
      assert.equal("c", hl7.value(z, 1, 2, 2))
      assert.equal("d", hl7.value(z, 1, 3))
      assert.equal("e", hl7.value(z, 1, 1, 1, 2))
      assert.equal("f", hl7.value(z, 1, 2, 1, 2))
      assert.equal(2, hl7.repetitions(z, 1))
      assert.equal(2, hl7.repetitions(z, 2))
      assert.equal(0, hl7.repetitions(z, 9))
      assert.equal("", hl7.value(z, 9, 4, 2, 3))
    end)

    it("takes each message's delimiters from its own MSH", function()
      local text = oru("\r") .. "MSH#!$%*#LAB######ORU!R01#2#P#2.5\rOBX#1#NM#6690-2!WBC!LN##4.1\r"
      local doc = assert(hl7.parse(text))
      assert.equal(2, #doc.messages)
      local m = doc.messages[2]
      assert.same({ field = "#", component = "!", repetition = "$", escape = "%",
                    subcomponent = "*", encoding = "!$%*" }, m.delimiters)
      assert.equal("6690-2", hl7.value(m.segments[2], 3, 1))
      assert.equal("4.1", hl7.value(m.segments[2], 5))
      assert.equal("R01", hl7.value(m.segments[1], 9, 2))
    end)

    it("strips MLLP framing and skips blank lines between messages", function()
      local text = "\11" .. oru("\r") .. "\28\r\n\n\11" .. oru("\r") .. "\28\r"
      local doc = assert(hl7.parse(text))
      assert.equal(2, #doc.messages)
      assert.equal(5, #doc.messages[2].segments)
      assert.equal(2, #hl7.segments(doc.messages[1], "OBX"))
    end)

    it("keeps a 2.7 truncation character as text", function()
      local doc = assert(hl7.parse("MSH|^~\\&#|LAB|||||ORU^R01|1|P|2.7\rOBX|1|ST|x||a#b\r"))
      assert.equal("a#b", hl7.value(doc.messages[1].segments[2], 5))
    end)
  end)

  describe("must fail, naming the message, segment and line", function()
    local cases = {
      { "PID|1\r", "line 1: the text must start with an MSH segment" },
      { "", "no HL7 v2 message" },
      { "\r\n\r\n", "no HL7 v2 message" },
      { "MSH|^~\r", "MSH is too short" },
      { "MSHA^~\\&|x\r", "MSH-1 (the field separator) is \"A\"" },
      { "MSH|^^\\&|x\r", "repeats a delimiter" },
      { "MSH|^~\\|x|y\r", "MSH-2 (the encoding characters) must be 4 or 5 characters" },
      { "MSH|^~\\&|x\rOBX|1|NM|a\\Fb\r", "message 1, segment 2 (OBX) line 2: OBX-3: an escape "
        .. "sequence that does not end" },
      { "MSH|^~\\&|x\rPID|1\r\rob|x\r", "message 1, segment 3 (ob|) line 4: segment id" },
      { "MSH|^~\\&|x\r\11MSH|^~\\&|y\rzz1|2\r", "message 2, segment 2 (zz1) line 3" },
    }
    for _, c in ipairs(cases) do
      it(string.format("%q", c[1]), function()
        local doc, msg, code, where = hl7.parse(c[1])
        assert.is_nil(doc)
        assert.equal("E_SYNTAX", code)
        assert.is_table(where)
        assert.truthy(msg:find(c[2], 1, true), msg)
      end)
    end

    it("refuses what is not a string, and a text over the size limit", function()
      assert.is_nil((hl7.parse(nil)))
      assert.is_nil((hl7.parse({})))
      local msg = select(2, hl7.parse(string.rep("x", hl7.MAX_LENGTH + 1)))
      assert.truthy(msg:find("more than", 1, true), msg)
    end)
  end)

  it("fuzz: 3,000 mutated messages give a result or an error value, never a Lua error",
    function()
      local rand = rng(20261202)
      local base = oru("\r", { "NTE|1||a\\F\\b\\X41\\c" })
      local alphabet = "|^~\\&\r\n\11\28MSHOBX0123456789.-+<>X#%* "
      local parsed, refused = 0, 0
      for _ = 1, 3000 do
        local s = base
        for _ = 1, rand(6) do
          local pos = rand(#s)
          local op = rand(3)
          local ch = alphabet:sub(rand(#alphabet), rand(#alphabet) == 1 and 0 or nil)
          ch = ch:sub(1, 1)
          if op == 1 then
            s = s:sub(1, pos - 1) .. ch .. s:sub(pos + 1)
          elseif op == 2 then
            s = s:sub(1, pos - 1) .. s:sub(pos + 1)
          else
            s = s:sub(1, pos) .. ch .. s:sub(pos + 1)
          end
        end
        local ok, doc, msg, code = pcall(hl7.parse, s)
        assert.is_true(ok, tostring(doc))
        if doc then
          parsed = parsed + 1
          assert.is_table(doc.messages)
        else
          refused = refused + 1
          assert.equal("E_SYNTAX", code)
          assert.is_string(msg)
        end
      end
      assert.is_true(parsed > 0 and refused > 0, parsed .. " parsed, " .. refused .. " refused")
    end)
end)

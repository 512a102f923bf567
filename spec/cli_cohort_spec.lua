-- `aza evaluate --cohort FILE.jsonl [--jobs N]`: one patient per line in, one result per
-- line out, in input order; bad lines become error objects and exit 2 at the end.
local cli = require "spec.support.cli"
local compat = require "aza.compat"
local input_json = require "aza.input.json"
local json_out = require "aza.render.json"
local protocol = require "aza.protocol"

local MIXED = "spec/fixtures/cohort/mixed.jsonl"

local function aza(...)
  local out, err, code = cli.aza({ ... })
  return code, out, err
end

local function lines_of(text)
  local t = {}
  for l in text:gmatch("([^\n]*)\n") do
    t[#t + 1] = l
  end
  return t
end

describe("aza evaluate --cohort", function()
  it("writes one line per patient in input order, text format, exit 2 for the bad lines", function()
    local code, out, err = aza("evaluate", "--protocol", "ibd", "--cohort", MIXED,
      "--format", "text")
    assert.are.equal("", err)
    assert.are.equal(2, code)
    assert.are.same({
      "p1\tproceed\t125 mg/day",
      "p2\tneed_data\t75 mg/day",
      "p3\tproceed\t100 mg/day",
      "line 5\terror\tpatient JSON: Expected value but found T_END at character 25",
      "p5\tadjust\t50 mg/day",
      "line 7\terror\tweight: -3 kg is not a positive mass",
      "p7\twithhold\t50 mg/day",
    }, lines_of(out))
  end)

  it("gives, line by line, the result protocol:evaluate gives (json format)", function()
    local code, out = aza("evaluate", "--protocol", "ibd", "--cohort", MIXED, "--format", "json")
    assert.are.equal(2, code)
    local p = assert(protocol.load("ibd"))
    local got = lines_of(out)
    local i = 0
    local number = 0
    for line in io.lines(MIXED) do
      number = number + 1
      if line:find("%S") then
        i = i + 1
        local r, msg, ecode = p:evaluate(line)
        if r then
          assert.are.equal(json_out.encode(r), got[i])
        else
          local e = assert(input_json.decode(got[i]))
          assert.are.same({ code = ecode, error = msg, line = number }, e)
        end
      end
    end
    assert.are.equal(7, i)
    assert.are.equal(7, #got)
  end)

  it("gives the same bytes with 2 and 3 worker processes as with one", function()
    for _, format in ipairs({ "json", "text" }) do
      local _, one = aza("evaluate", "--protocol", "ibd", "--cohort", MIXED, "--format", format)
      for _, jobs in ipairs({ "2", "3" }) do
        local code, out, err = aza("evaluate", "--protocol", "ibd", "--cohort", MIXED,
          "--format", format, "--jobs", jobs)
        assert.are.equal("", err)
        assert.are.equal(2, code)
        assert.are.equal(one, out)
      end
    end
  end)

  it("exits 0 when every line gave a result, and reads stdin with -", function()
    local good = {}
    for line in io.lines(MIXED) do
      if line:find("^{\"id\":\"p") then
        good[#good + 1] = line
      end
    end
    local out, err, code = cli.aza({ "evaluate", "--protocol", "ibd", "--cohort", "-",
      "--format", "text" }, { stdin = table.concat(good, "\n") .. "\n" })
    assert.are.equal("", err)
    assert.are.equal(0, code)
    assert.are.equal(5, #lines_of(out))
  end)

  it("refuses bad options with exit 2 and a message", function()
    local cases = {
      { { "--cohort", MIXED, "--jobs", "0" }, "%-%-jobs needs a whole number from 1 to 64" },
      { { "--cohort", MIXED, "--jobs", "1.5" }, "%-%-jobs needs a whole number" },
      { { "--cohort", MIXED, "--jobs", "x" }, "%-%-jobs needs a whole number" },
      { { "--cohort", MIXED, "p.json" }, "no PATIENT argument as well" },
      { { "--jobs", "2", "p.json" }, "%-%-jobs goes with %-%-cohort" },
      { { "--cohort", "-", "--jobs", "2" }, "%-%-jobs needs a %-%-cohort file" },
      { { "--cohort", "no/such/file.jsonl" }, "%-%-cohort: cannot open" },
    }
    for _, c in ipairs(cases) do
      local args = { "evaluate", "--protocol", "ibd" }
      for _, a in ipairs(c[1]) do
        args[#args + 1] = a
      end
      local code, out, err = aza(compat.unpack(args))
      assert.are.equal(2, code, table.concat(c[1], " "))
      assert.are.equal("", out)
      assert.truthy(err:find(c[2]), err)
    end
  end)

  it("exits 3 before reading the cohort when the protocol does not load", function()
    local code, out, err = aza("evaluate", "--protocol", "no-such-protocol", "--cohort", MIXED)
    assert.are.equal(3, code)
    assert.are.equal("", out)
    assert.truthy(err:find("no%-such%-protocol"))
  end)
end)

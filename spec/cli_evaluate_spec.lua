-- `bin/aza evaluate`: text and JSON output, exit codes 0 / 2 / 3, stdin.
local cli = require "spec.support.cli"
local json_out = require "aza.render.json"
local protocol = require "aza.protocol"

local DIR = "spec/fixtures/pipeline/"
local PIPE = DIR .. "pipe.lua"
local P70 = DIR .. "patient-70kg.json"

local slurp = cli.slurp

-- run bin/aza with arguments (and optional stdin text); returns exit code, stdout, stderr
local function aza(stdin, ...)
  local out, err, code = cli.aza({ ... }, { stdin = stdin })
  return code, out, err
end

describe("aza evaluate", function()
  it("prints the plan in text, exit 0", function()
    local code, out, err = aza(nil, "evaluate", "--protocol", PIPE, P70)
    assert.are.equal("", err)
    assert.are.equal(0, code)
    local hash = assert(protocol.load(PIPE)).hash
    assert.are.equal(table.concat({
      "Decision: proceed — start azathioprine",
      "Target:   150 mg/day (2.14 mg/kg/day; band 140–175 mg) as 3 × 50 mg once daily",
      "Titrate:  50 mg/day weeks 0–1, 100 mg/day weeks 2–3, 150 mg/day from week 4",
      "Monitor:  FBC + LFT + U&E at weeks 2, 4, 8, 12, then every 12 weeks after week 12",
      "Counsel:  Take with food to reduce nausea. (Fixture reference B)",
      "Why:      no rule changed or stopped the standard dose",
      "Dose:     standard dose (parameters.dose): 2 mg/kg/day × 70 kg = 140 mg/day; band "
        .. "140–175 mg/day;",
      "            nearest_in_band → 150 mg/day (Ref A T1)",
      "          regimen (parameters.formulary): 3 × 50 mg once daily (tablets: 25 mg, 50 mg "
        .. "(scored))",
      "Patient:  p70, as of 2026-11-21",
      "Protocol: pipe 1.0 (hash " .. hash .. ")",
    }, "\n") .. "\n", out)
  end)

  it("prints the result as sorted JSON, the same as the Lua API gives", function()
    local code, out = aza(nil, "evaluate", "--protocol", PIPE, "--format", "json", P70)
    assert.are.equal(0, code)
    local r = assert(assert(protocol.load(PIPE)):evaluate(P70))
    assert.are.equal(json_out.render(r), out)
    local decoded = require("cjson").decode(out)
    assert.are.equal("proceed", decoded.decision)
    assert.are.equal(150, decoded.dose.target_mg_per_day)
  end)

  it("gives byte-identical output on two runs", function()
    local _, a = aza(nil, "evaluate", "--protocol", PIPE, "--format=json", P70)
    local _, b = aza(nil, "evaluate", "--protocol", PIPE, "--format=json", P70)
    assert.are.equal(a, b)
    assert.is_true(#a > 1000)
  end)

  it("reads the patient from stdin with -", function()
    local code, out = aza(slurp(P70), "evaluate", "--protocol", PIPE, "-")
    assert.are.equal(0, code)
    assert.matches("^Decision: proceed", out)
    assert.matches("\nTarget:   150 mg/day", out)
  end)

  it("--as-of replaces the record's date", function()
    local code, out = aza(nil, "evaluate", "--protocol", PIPE, "--as-of", "2026-12-01",
      "--format", "json", P70)
    assert.are.equal(0, code)
    assert.matches('"as_of": "2026%-12%-01"', out)
  end)

  it("exits 0 for withhold and contraindicated decisions", function()
    local code, out = aza('{"as_of":"2026-11-21","weight":"70 kg","allergies":["azathioprine"]}',
      "evaluate", "--protocol", PIPE, "-")
    assert.are.equal(0, code)
    assert.matches("^Decision: contraindicated", out)
    code, out = aza('{"as_of":"2026-11-21","weight":"70 kg","labs":[{"test":"wbc","value":2.1,'
      .. '"unit":"10*9/L","date":"2026-11-20"}]}', "evaluate", "--protocol", PIPE, "-")
    assert.are.equal(0, code)
    assert.matches("^Decision: withhold", out)
  end)

  it("exits 2 for bad input, naming the field", function()
    local code, out, err, _ = aza('{"as_of":"2026-11-21","weight":"-70 kg"}', "evaluate",
      "--protocol", PIPE, "-")
    assert.are.equal(2, code)
    assert.are.equal("", out)
    assert.are.equal("aza evaluate: weight: -70 kg is not a positive mass\n", err)
    code, _, err = aza('{"as_of":"2026-11-21","labs":[{"test":"wbc","value":3,"unit":"kg",'
      .. '"date":"2026-11-20"}]}', "evaluate", "--protocol", PIPE, "-")
    assert.are.equal(2, code)
    assert.matches("labs%[1%]%.unit", err)
    code, _, err = aza("{ not json", "evaluate", "--protocol", PIPE, "-")
    assert.are.equal(2, code)
    assert.matches("patient JSON", err)
    code, _, err = aza(nil, "evaluate", "--protocol", PIPE, DIR .. "no-such-patient.json")
    assert.are.equal(2, code)
    assert.matches("patient file", err)
    code, _, err = aza(nil, "evaluate", "--protocol", PIPE, "--as-of", "2026-13-01", P70)
    assert.are.equal(2, code)
    assert.matches("as_of", err)
  end)

  it("exits 2 for bad usage", function()
    local code, _, err
    code, _, err = aza(nil, "evaluate", P70)
    assert.are.equal(2, code)
    assert.matches("%-%-protocol is required", err)
    code, _, err = aza(nil, "evaluate", "--protocol", PIPE)
    assert.are.equal(2, code)
    assert.matches("no patient given", err)
    code, _, err = aza(nil, "evaluate", "--protocol", PIPE, "--format", "xml", P70)
    assert.are.equal(2, code)
    assert.matches("unknown format 'xml'", err)
    code = aza(nil, "evaluate", "--protocol", PIPE, "--colour", P70)
    assert.are.equal(2, code)
  end)

  it("exits 3 for a protocol that does not load, with file:line", function()
    local code, out, err, _ = aza(nil, "evaluate", "--protocol", DIR .. "bad-rule.lua", P70)
    assert.are.equal(3, code)
    assert.are.equal("", out)
    assert.matches("^aza evaluate: spec/fixtures/pipeline/bad%-rule%.lua:8: rule 'wbc%-low'", err)
    code, _, err = aza(nil, "evaluate", "--protocol", DIR .. "bad-band.lua", P70)
    assert.are.equal(3, code)
    assert.matches("bad%-band%.lua:8:", err)
    code = aza(nil, "evaluate", "--protocol", "no-such-protocol-id", P70)
    assert.are.equal(3, code)
  end)

  it("finds a protocol id on --path", function()
    local code, out = aza(nil, "evaluate", "--path", "spec/fixtures/pipeline", "--protocol",
      "pipe", P70)
    assert.are.equal(0, code)
    assert.matches("\nProtocol: pipe 1%.0", out)
  end)
end)

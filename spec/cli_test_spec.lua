-- `bin/aza test`: scenario tables; ok / FAIL lines with every difference, a summary, exit codes.
local cli = require "spec.support.cli"
local cli_test = require "aza.cli.test"

local DIR = "spec/fixtures/pipeline/"

-- run bin/aza with arguments; returns exit code, stdout, stderr
local function aza(...)
  local out, err, code = cli.aza({ ... })
  return code, out, err
end

describe("aza test", function()
  it("prints ok for each passing case and the summary, exit 0", function()
    local code, out, err = aza("test", DIR .. "pipe.lua", DIR .. "cases-pass.lua")
    assert.are.equal("", err)
    assert.are.equal(0, code)
    assert.are.equal(table.concat({
      "ok 70 kg, normal TPMT and NUDT15",
      "ok TPMT intermediate: 75 mg/day",
      "ok no weight",
      "ok negative weight is bad input",
      "4 passed, 0 failed",
    }, "\n") .. "\n", out)
  end)

  it("prints every difference of a failing case, exit 1", function()
    local code, out = aza("test", DIR .. "pipe.lua", DIR .. "cases-fail.lua")
    assert.are.equal(1, code)
    assert.are.equal(table.concat({
      "ok passes",
      "FAIL wrong decision and dose: expected decision withhold, got proceed; expected dose "
        .. "75 mg/day, got 150 mg/day; expected alerts {wbc-low}, got {}; expected need_data "
        .. "{tpmt}, got {}",
      "FAIL unexpected bad input: bad input: weight: 70 mg/kg is not a mass (mass/mass)",
      "1 passed, 2 failed",
    }, "\n") .. "\n", out)
  end)

  it("adds up several cases files", function()
    local code, out = aza("test", DIR .. "pipe.lua", DIR .. "cases-pass.lua",
      DIR .. "cases-fail.lua")
    assert.are.equal(1, code)
    assert.matches("\n5 passed, 2 failed\n$", out)
  end)

  it("refuses a cases file with an unknown expectation, exit 2", function()
    local code, _, err = aza("test", DIR .. "pipe.lua", DIR .. "cases-bad.lua")
    assert.are.equal(2, code)
    assert.matches("typo: unknown expectation 'decison'", err)
  end)

  it("exits 3 for a protocol that does not load", function()
    local code, _, err = aza("test", DIR .. "bad-band.lua", DIR .. "cases-pass.lua")
    assert.are.equal(3, code)
    assert.matches("bad%-band%.lua:8:", err)
  end)

  it("exits 2 without a cases file", function()
    assert.are.equal(2, (aza("test", DIR .. "pipe.lua")))
    assert.are.equal(2, (aza("test", DIR .. "pipe.lua", DIR .. "no-such-cases.lua")))
  end)

  it("loads cases as data: no library functions", function()
    local name = os.tmpname()
    local f = assert(io.open(name, "wb"))
    f:write('return { { name = os.getenv("HOME"), patient = {}, expect = {} } }\n')
    f:close()
    local cases, msg = cli_test.load_cases(name)
    os.remove(name)
    assert.is_nil(cases)
    assert.is_truthy(msg:find(name .. ":1: 'os' is not available in protocols", 1, true), msg)
  end)

  it("loads cases in the sandbox: an endless loop or a memory bomb is stopped", function()
    for src, text in pairs {
      ["while true do end\n"] = ":1: instruction budget of 10000000 instructions exceeded",
      ["local t = {} for i = 1, 1e9 do t[i] = { i } end\n"] = ":1: memory cap of ",
    } do
      local name = os.tmpname()
      local f = assert(io.open(name, "wb"))
      f:write(src)
      f:close()
      local code, out, err = aza("test", DIR .. "pipe.lua", name)
      os.remove(name)
      assert.equal(2, code)
      assert.equal("", out)
      assert.is_truthy(err:find(name .. text, 1, true), err)
    end
  end)

  it("compares need_data as a set and band false as no band", function()
    local r = { decision = "proceed", need_data = { "b", "a" }, alerts = {},
                dose = { target_mg_per_day = 25, limit_mg_per_day = 37.5 } }
    assert.are.same({}, cli_test.compare({ need_data = { "a", "b" }, band_mg_per_day = false,
                                           target_mg_per_day = 25 }, r))
    assert.are.same({ "expected need_data {a}, got {a, b}" },
      cli_test.compare({ need_data = { "a" } }, r))
    assert.are.same({ "expected no dose, got 25 mg/day" },
      cli_test.compare({ target_mg_per_day = false }, r))
  end)

  it("has the specs' vocabulary: dose, titration, monitoring, alerts exact or included",
    function()
      local r = { decision = "adjust", need_data = {},
                  alerts = { { id = "pgx-one-intermediate" }, { id = "x" } },
                  monitoring = { { source = "protocol", tests = { "fbc" }, every = "2 wk" },
                                 { id = "tpmt-poor", tests = { "fbc" }, every = "1 wk",
                                   weeks = 6 } },
                  counselling = { { id = "c1" } },
                  dose = { target_mg_per_day = 75, target_mg_per_kg_per_day = 1.07,
                           band_mg_per_day = { 42, 112 },
                           titration = { { mg_per_day = 50, week = 0 },
                                         { mg_per_day = 75, week = 2 } } } }
      assert.are.same({}, cli_test.compare({
        decision = "adjust", dose = 75, dose_mg_per_kg = 1.07, band = { 42, 112 },
        titration = { 50, 75 }, titration_weeks = { 0, 2 },
        monitoring = { "protocol", "tpmt-poor", { id = "tpmt-poor", every = "1 wk", weeks = 6 } },
        alerts = { "x", "pgx-one-intermediate" }, alerts_include = { "x" },
        counselling = { "c1" } }, r))
      assert.are.same({
        "expected titration {50, 100} mg/day, got {50, 75}",
        "expected titration weeks {0, 4}, got {0, 2}",
        "expected alerts {pgx-one-intermediate}, got {pgx-one-intermediate, x}",
        "expected monitoring {every = 12 wk, id = tpmt-poor}, not given",
      }, cli_test.compare({ titration = { 50, 100 }, titration_weeks = { 0, 4 },
                            alerts = { "pgx-one-intermediate" },
                            monitoring = { { id = "tpmt-poor", every = "12 wk" } } }, r))
      assert.are.same({ "expected no titration, got 2 steps" },
        cli_test.compare({ titration = false }, r))
    end)

  it("suggests the nearest expectation for a misspelt one", function()
    local f = os.tmpname()
    local h = assert(io.open(f, "w"))
    h:write('return { { name = "t", patient = {}, expect = { titraton = { 50 } } } }\n')
    h:close()
    local code, _, err = aza("test", DIR .. "pipe.lua", f)
    os.remove(f)
    assert.are.equal(2, code)
    assert.truthy(err:find("unknown expectation 'titraton'; did you mean 'titration'?", 1, true),
      err)
  end)
end)

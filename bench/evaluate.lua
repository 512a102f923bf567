--- Benchmark: evaluations per second of the C rule engine and of the
-- plain-Lua reference evaluator (spec/support/reference_eval.lua), on the
-- same protocol (spec/fixtures/eval/many_rules.lua) and the same facts, in
-- one run. Run by `make bench` (not by `make test`):
--
--     lua5.4 bench/evaluate.lua [seconds per measurement, default 1]
--
-- Three rates: the C engine alone (`program:evaluate` on facts already
-- converted to slot values), the C path as a caller uses it
-- (`aza.protocol.evaluate.raw`: unit conversion in Lua, then C), and the
-- reference (which reads the facts as given every time, as the C path
-- does). The ratios say how many times faster the C side is.

package.path = "./lua/?.lua;./lua/?/init.lua;./?.lua;" .. package.path
package.cpath = (os.getenv("AZA_CPATH") or "./build/?.so") .. ";" .. package.cpath

local compile = require "aza.protocol.compile"
local evaluate = require "aza.protocol.evaluate"
local load = require "aza.protocol.load"
local reference = require "spec.support.reference_eval"

-- bench/run.lua loads this file as a library: arg[1] is then not ours
local ARGS = { ... }
local BENCH_LIBRARY = ARGS[1] == "library"
local SECONDS = tonumber(BENCH_LIBRARY and ARGS[2] or arg and arg[1]) or 1

local protocol = assert(load.load("spec/fixtures/eval/many_rules.lua"))
local compiled = assert(compile.compile(protocol))

local facts = {
  as_of = "2026-11-21", weight = "72 kg", height = "170 cm", age = "44 a", sex = "female",
  wbc = "5400 /uL", neutrophils = "3.1 10*9/L", lymphocytes = "1.4 10*9/L",
  platelets = "250 10*3/uL", alt = "32 U/L", ["alt.uln"] = "40 U/L", ast = "28 U/L",
  albumin = "41 g/L", mcv = "92 fL", egfr = "88 mL/min/{1.73_m2}", temperature = "36.8 Cel",
  ["tpmt.phenotype"] = "intermediate", ["nudt15.phenotype"] = "normal",
  ["azathioprine.status"] = "active", ["azathioprine.started"] = "2026-10-01",
  ["azathioprine.dose"] = "100 mg/d", pregnant = false, breastfeeding = false,
  ["medications.active"] = { "ramipril" }, ["medications.planned"] = {},
  ["vaccines.planned"] = {}, conditions = {}, symptoms = {}, allergies = {},
  ancestry = { "european" },
  creatinine = { { value = 70, unit = "umol/L", date = "2026-01-10" },
                 { value = 0.9, unit = "mg/dL", date = "2026-06-01" },
                 { value = 84, unit = "umol/L", date = "2026-11-15" } },
}

-- the same answer from both sides, or the benchmark means nothing
local c_result = assert(evaluate.raw(compiled, facts))
local ref_result = reference.evaluate(protocol, facts)
assert(c_result.decision == ref_result.decision, "C and reference disagree")
for i, o in ipairs(ref_result.outcomes) do
  assert(c_result.outcomes[i] == o, "C and reference disagree on rule " .. i)
end

-- evaluations per second of f, over about SECONDS of CPU time
local function rate(f)
  local n, batch = 0, 16
  local t0 = os.clock()
  local t
  repeat
    for _ = 1, batch do f() end
    n = n + batch
    t = os.clock() - t0
    if t < SECONDS / 10 then batch = batch * 2 end
  until t >= SECONDS
  return n / t, n
end

--- The figures: evaluations per second of the C engine, the C path and the reference.
-- @treturn table `{engine, path, reference, rules, decision}`
local function measure()
  local values, as_of = assert(evaluate.values(compiled, facts))
  local program = compiled.program
  return {
    engine = rate(function() program:evaluate(values, as_of) end),
    path = rate(function() evaluate.raw(compiled, facts) end),
    reference = rate(function() reference.evaluate(protocol, facts) end),
    rules = #c_result.outcomes, decision = c_result.decision,
  }
end

if not BENCH_LIBRARY then
  local r = measure()
  print(("protocol %s %s: %d rules, decision %s"):format(protocol.id, protocol.version,
    r.rules, r.decision))
  print(("C engine (program:evaluate, values converted once) %12.0f evaluations/s")
    :format(r.engine))
  print(("C path (evaluate.raw: conversion + C)             %12.0f evaluations/s"):format(r.path))
  print(("reference (plain Lua, spec/support)               %12.0f evaluations/s")
    :format(r.reference))
  print(("ratio C engine / reference: %.1f"):format(r.engine / r.reference))
  print(("ratio C path / reference:   %.1f"):format(r.path / r.reference))
end

return measure

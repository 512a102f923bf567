--- Scenario helpers for the protocol specs (spec/rules/*_spec.lua).
--
-- `scenario.patient(changes)` returns a complete, valid patient record (design §7) for a
-- naive 70 kg adult with normal TPMT and NUDT15 genotypes, a full baseline blood panel
-- 11 days old and empty medication, vaccine, allergy, condition and symptom lists, with
-- `changes` applied: a key set to a value replaces the field; `scenario.NONE` removes it;
-- `labs` in `changes` replaces results of the same test (and adds new tests), and a lab set
-- to `scenario.NONE` (`labs = { wbc = scenario.NONE }`) removes that test.
--
-- `scenario.run(id, case)` evaluates `case.patient` with protocol `id` (as_of fixed) and
-- `scenario.check(result, case)` compares it with `case.expect`, in the vocabulary of
-- `aza test` (lua/aza/scenario.lua): decision, dose (mg/day; false = no dose), dose_mg_per_kg,
-- band, regimen, titration (mg/day steps), titration_weeks, monitoring (rule ids, subset),
-- counselling, alerts (the exact set), alerts_include, no_alerts, need_data (exact).
-- A case with `error = { code =, path = }` expects a failure naming that JSON path.
--
-- @module spec.support.scenario

local assert = require "luassert"
local protocol = require "aza.protocol"

local M = {}

--- The evaluation day of every scenario.
M.AS_OF = "2026-11-21"

--- Marker: remove a field (or a lab test).
M.NONE = setmetatable({}, { __tostring = function() return "NONE" end })

local LAB_DATE = "2026-11-10" -- 11 days before AS_OF

-- the baseline labs, in this order
local BASE_LABS = {
  { test = "wbc", value = 6.0, unit = "10*9/L" },
  { test = "neutrophils", value = 4.0, unit = "10*9/L" },
  { test = "lymphocytes", value = 1.8, unit = "10*9/L" },
  { test = "eosinophils", value = 0.2, unit = "10*9/L" },
  { test = "platelets", value = 250, unit = "10*9/L" },
  { test = "hemoglobin", value = 135, unit = "g/L" },
  { test = "mcv", value = 90, unit = "fL" },
  { test = "alt", value = 25, unit = "U/L" },
  { test = "ast", value = 22, unit = "U/L" },
  { test = "albumin", value = 40, unit = "g/L" },
  { test = "creatinine", value = 75, unit = "umol/L" },
  { test = "egfr", value = 90, unit = "mL/min/{1.73_m2}" },
}

local function copy(v)
  if type(v) ~= "table" or v == M.NONE then
    return v
  end
  local t = {}
  for k, x in pairs(v) do
    t[k] = copy(x)
  end
  return t
end

--- A lab result (date defaults to the baseline date).
-- @tparam number|string value
-- @tparam string unit
-- @tparam[opt] string date
-- @treturn table `{value, unit, date}` (the test comes from the key it is stored under)
function M.lab(value, unit, date)
  return { value = value, unit = unit, date = date or LAB_DATE }
end

--- The base patient with changes applied (see the module description).
-- @tparam[opt] table changes
-- @treturn table a patient record
function M.patient(changes)
  local p = {
    id = "scenario",
    as_of = M.AS_OF,
    birth_date = "1980-05-01",
    sex = "female",
    weight = "70 kg",
    height = "168 cm",
    ancestry = { "white_british" },
    pregnant = false,
    breastfeeding = false,
    genotype = { TPMT = "*1/*1", NUDT15 = "*1/*1" },
    symptoms = {},
    conditions = {},
    allergies = {},
    medications = {},
    vaccines_planned = {},
    azathioprine = { status = "naive" },
  }
  local labs, order = {}, {}
  for _, l in ipairs(BASE_LABS) do
    labs[l.test] = { { test = l.test, value = l.value, unit = l.unit, date = LAB_DATE } }
    order[#order + 1] = l.test
  end
  for k, v in pairs(changes or {}) do
    if k == "labs" then
      for test, x in pairs(v) do
        if labs[test] == nil then
          order[#order + 1] = test
        end
        if x == M.NONE then
          labs[test] = false
        else
          local list = x[1] ~= nil and x or { x }
          labs[test] = {}
          for i, r in ipairs(list) do
            labs[test][i] = { test = test, value = r.value, unit = r.unit,
                              date = r.date or LAB_DATE, uln = r.uln, lln = r.lln }
          end
        end
      end
    elseif v == M.NONE then
      p[k] = nil
    else
      p[k] = copy(v)
    end
  end
  p.labs = {}
  table.sort(order) -- a stable order: the result does not depend on pairs()
  for _, test in ipairs(order) do
    for _, r in ipairs(labs[test] or {}) do
      p.labs[#p.labs + 1] = r
    end
  end
  return p
end

local cache = {}

--- The loaded protocol (cached).
-- @tparam string id
-- @treturn Protocol
function M.protocol(id)
  if not cache[id] then
    cache[id] = assert(protocol.load(id))
  end
  return cache[id]
end

--- Evaluate a case.
-- @tparam string id protocol id
-- @tparam table case `{patient = …}`
-- @return the result, or nil, message, code, path
function M.run(id, case)
  return M.protocol(id):evaluate(case.patient, { as_of = case.as_of or M.AS_OF })
end

--- The sorted alert ids of a result.
-- @tparam table r
-- @treturn {string,...}
function M.alert_ids(r)
  local ids = {}
  for i, a in ipairs(r.alerts or {}) do
    ids[i] = a.id
  end
  return require("aza.scenario").sorted(ids)
end

--- Compare a result with a case's expectations (busted asserts), with the vocabulary of
-- `aza test` (`aza.scenario`): every difference in one failure message.
-- @tparam table r the result
-- @tparam table case
function M.check(r, case)
  local expectations = require "aza.scenario"
  local bad = expectations.unknown_key(case.expect)
  assert.is_nil(bad, "unknown expectation '" .. tostring(bad) .. "'")
  local diffs = expectations.compare(case.expect, r)
  assert.are.same({}, diffs, table.concat(diffs, "; "))
end

--- Run a case table as `it` blocks (call inside `describe`).
-- @tparam function it busted's `it`
-- @tparam string id protocol id
-- @tparam {table,...} cases
function M.run_cases(it, id, cases)
  for _, case in ipairs(cases) do
    it(case.name, function()
      local r, msg, code, path = M.run(id, case)
      if case.error then
        assert.is_nil(r, "an input error expected")
        assert.equal(case.error.code, code)
        assert.equal(case.error.path, path)
        if case.error.message then
          assert.truthy(msg:find(case.error.message, 1, true), msg)
        end
        return
      end
      assert.is_table(r, tostring(msg))
      M.check(r, case)
      if case.extra then
        case.extra(r)
      end
    end)
  end
end

return M

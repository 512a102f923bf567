-- Differential test: the C evaluator (aza.protocol.compile + evaluate,
-- csrc/core/aza_eval.c) against the plain-Lua reference
-- (spec/support/reference_eval.lua), on random facts (missing facts, odd
-- but convertible units, dated readings) and on random conditions drawn
-- from the condition grammar. Seeded: AZA_SEED=<n> replays a run.

local compile = require "aza.protocol.compile"
local evaluate = require "aza.protocol.evaluate"
local load = require "aza.protocol.load"
local quantity = require "aza.quantity"
local reference = require "spec.support.reference_eval"

local SEED = tonumber(os.getenv("AZA_SEED")) or os.time()
local FIXTURE = "spec/fixtures/eval/many_rules.lua"
local CASES = 10000
local CONDITIONS, FACTS_PER_CONDITION = 600, 20

-- {=== a small deterministic generator (independent of math.random) ===

local function rng(seed)
  local state = seed % 2147483647
  if state <= 0 then state = state + 2147483646 end
  local r = {}
  function r.int(n) -- 1..n
    state = state * 48271 % 2147483647
    return state % n + 1
  end
  function r.chance(p)
    return r.int(1000000) <= p * 1000000
  end
  function r.pick(list)
    return list[r.int(#list)]
  end
  return r
end

-- }===

-- {=== random facts ===

-- fact → {reference unit, {alternative unit, factor from reference}, values}
local QUANTITIES = {
  wbc = { "10*9/L", { { "/uL", 1000 }, { "10*3/uL", 1 }, { "/L", 1e9 } },
          { 1, 2.5, 3.4, 3.5, 3.6, 5, 11 } },
  neutrophils = { "10*9/L", { { "/uL", 1000 }, { "10*3/uL", 1 } }, { 0.8, 1.5, 1.6, 1.7, 4 } },
  lymphocytes = { "10*9/L", { { "/uL", 1000 } }, { 0.2, 0.5, 0.6, 2 } },
  platelets = { "10*9/L", { { "/uL", 1000 }, { "10*3/uL", 1 } }, { 90, 139, 140, 141, 300 } },
  alt = { "U/L", { { "U/mL", 0.001 } }, { 20, 40, 80, 100, 101, 150 } },
  ast = { "U/L", { { "U/mL", 0.001 } }, { 20, 100, 101 } },
  ["alt.uln"] = { "U/L", {}, { 0, 35, 40, 50 } },
  albumin = { "g/L", { { "g/dL", 0.1 } }, { 25, 30, 35 } },
  mcv = { "fL", { { "pL", 0.001 } }, { 90, 105, 106 } },
  egfr = { "mL/min/{1.73_m2}", { { "L/min/{1.73_m2}", 0.001 } }, { 30, 59, 60, 90 } },
  temperature = { "Cel", { { "[degF]", nil } }, { 36.6, 37.9, 38, 39 } },
  inr = { "1", {}, { 1, 2.5, 3, 3.5 } },
  mmp6 = { "pmol/{8x10^8_RBC}", { { "nmol/{8x10^8_RBC}", 0.001 } }, { 1000, 5700, 5701, 9000 } },
  tgn6 = { "pmol/{8x10^8_RBC}", {}, { 0, 200, 450, 800 } },
  weight = { "kg", { { "g", 1000 }, { "[lb_av]", nil } }, { 35, 40, 70, 100, 120 } },
  height = { "cm", { { "m", 0.01 }, { "[in_i]", nil } }, { 150, 200, 201 } },
  age = { "a", { { "mo", nil } }, { 30, 74, 75, 90 } },
  ["azathioprine.dose"] = { "mg/d", { { "g/d", 0.001 } }, { 50, 100, 150 } },
  ["azathioprine.cumulative"] = { "g", { { "kg", 0.001 }, { "mg", 1000 } }, { 100, 600, 700 } },
}

local WORDS = {
  ["tpmt.phenotype"] = { "normal", "intermediate", "possible_intermediate", "poor",
                         "indeterminate", "odd" },
  ["nudt15.phenotype"] = { "normal", "intermediate", "possible_intermediate", "poor",
                           "indeterminate" },
  ["azathioprine.status"] = { "naive", "active", "stopped" },
  sex = { "female", "male" },
}

local SETS = {
  ["medications.active"] = { "allopurinol", "febuxostat", "warfarin", "ramipril" },
  ["medications.planned"] = { "allopurinol", "febuxostat" },
  ["vaccines.planned"] = { "yellow_fever", "influenza" },
  conditions = { "active_malignancy", "gout" },
  symptoms = { "sore_throat", "unexplained_bruising", "cough" },
  allergies = { "azathioprine", "mercaptopurine", "penicillin" },
  ancestry = { "east_asian", "european" },
}

local DATES = { "transfusion.date", "azathioprine.started" }
local BOOLS = { "pregnant", "breastfeeding" }

local AS_OF = 20000 -- 2024-10-04

local function iso(day)
  local t = os.date("!*t", day * 86400)
  return string.format("%04d-%02d-%02d", t.year, t.month, t.day)
end

-- a quantity value in one of the forms a caller may use
local function quantity_value(r, spec)
  local ref, alts, values = spec[1], spec[2], spec[3]
  local v = r.pick(values)
  local form = r.int(5)
  if form == 1 or #alts == 0 then
    return v -- a number in the reference unit
  end
  local alt = r.pick(alts)
  local unit, factor = alt[1], alt[2]
  local value
  if factor then
    value = v * factor
  else
    value = assert(require("aza.units").convert(v, ref, unit))
  end
  if form == 2 then
    return { value = value, unit = unit }
  elseif form == 3 then
    return quantity.new(value, unit)
  elseif form == 4 then
    return string.format("%.17g %s", value, unit)
  end
  return { value = v, unit = ref }
end

local function creatinine(r)
  local form = r.int(4)
  if form == 1 then
    return nil
  elseif form == 2 then
    return r.pick { 60, 90, 120 }, iso(AS_OF - r.int(30))
  end
  local list = {}
  for i = 1, r.int(6) do
    local day = AS_OF - r.int(800) + 30
    local v = r.pick { 50, 60, 78, 80, 100, 104, 120 }
    if r.chance(0.3) then
      list[i] = { value = v / 88.42, unit = "mg/dL", date = iso(day) }
    else
      list[i] = { value = v, unit = "umol/L", date = iso(day) }
    end
  end
  return list
end

local function tpmt_activity(r)
  if r.chance(0.4) then
    return nil
  end
  local v = r.pick { 5, 9.99, 10, 30 }
  if r.chance(0.8) then
    return { value = v, unit = "nmol/h/g{Hb}" }
  end
  return { value = v, unit = "nmol/h/mL{RBC}" } -- another method: unknown here
end

local function random_facts(r)
  local f = {}
  if r.chance(0.9) then
    f.as_of = r.chance(0.5) and iso(AS_OF) or AS_OF
  end
  for name, spec in pairs(QUANTITIES) do
    if r.chance(0.75) then
      f[name] = quantity_value(r, spec)
    end
  end
  for name, words in pairs(WORDS) do
    if r.chance(0.75) then f[name] = r.pick(words) end
  end
  for name, words in pairs(SETS) do
    if r.chance(0.8) then
      local s = {}
      for _, w in ipairs(words) do
        if r.chance(0.3) then s[#s + 1] = w end
      end
      f[name] = s
    end
  end
  for _, name in ipairs(DATES) do
    if r.chance(0.7) then
      local day = AS_OF - r.int(4000) + 100
      f[name] = r.chance(0.5) and iso(day) or day
    end
  end
  for _, name in ipairs(BOOLS) do
    if r.chance(0.7) then f[name] = r.chance(0.5) end
  end
  f["tpmt.activity"] = tpmt_activity(r)
  f.creatinine, f["creatinine.date"] = creatinine(r)
  return f
end

-- }===

-- {=== random conditions from the grammar ===

local ATOMS = {
  function(r)
    local name = r.pick { "wbc", "neutrophils", "platelets", "alt", "weight", "temperature",
                          "egfr", "albumin", "inr" }
    local spec = QUANTITIES[name]
    local unit = spec[1]
    if #spec[2] > 0 and r.chance(0.5) then unit = r.pick(spec[2])[1] end
    local v = r.pick(spec[3])
    local value = unit == spec[1] and v or require("aza.units").convert(v, spec[1], unit)
    local op = r.pick { "<", "<=", ">", ">=", "==", "!=" }
    if unit == "1" then
      return string.format("%s %s %.17g", name, op, value)
    end
    return string.format("%s %s %.17g %s", name, op, value, unit)
  end,
  function(r)
    return string.format('%s %s "%s"', r.pick { "tpmt.phenotype", "nudt15.phenotype" },
      r.pick { "==", "!=" }, r.pick(WORDS["tpmt.phenotype"]))
  end,
  function(r)
    return string.format('tpmt.phenotype in {"%s", "%s"}', r.pick(WORDS["tpmt.phenotype"]),
      r.pick(WORDS["tpmt.phenotype"]))
  end,
  function(r)
    local fn = r.pick { "taking", "planned", "has", "allergic", "ancestry" }
    local words = { taking = "medications.active", planned = "medications.planned",
                    has = "symptoms", allergic = "allergies", ancestry = "ancestry" }
    return string.format('%s("%s")', fn, r.pick(SETS[words[fn]]))
  end,
  function(r)
    return string.format("%s(%s)", r.pick { "known", "unknown" },
      r.pick { "wbc", "tpmt.phenotype", "pregnant", "conditions", "azathioprine.started" })
  end,
  function(r)
    return r.pick { "pregnant", "breastfeeding", "true", "false" }
  end,
  function(r)
    return string.format("%s(%s) %s %d %s", r.pick { "days_since", "weeks_since" },
      r.pick(DATES), r.pick { "<", ">=" }, r.int(200), r.pick { "d", "wk", "" })
  end,
  function(r)
    return string.format("alt %s %d * alt.uln", r.pick { ">", "<=" }, r.int(3))
  end,
  function(r)
    return string.format("ratio(%s) %s %d", r.pick { "alt, alt.uln", "mmp6, tgn6" },
      r.pick { ">", "<" }, r.int(12))
  end,
  function(r)
    return string.format("rise_percent(creatinine, %d %s) > %d %s", r.int(400),
      r.pick { "d", "wk" }, r.int(60), r.pick { "%", "" })
  end,
}

local function random_condition(r, depth)
  if depth <= 0 or r.chance(0.35) then
    return r.pick(ATOMS)(r)
  end
  local k = r.int(4)
  if k == 1 then
    return "not (" .. random_condition(r, depth - 1) .. ")"
  elseif k == 2 then
    return "(" .. random_condition(r, depth - 1) .. ") and (" .. random_condition(r, depth - 1)
      .. ")"
  end
  return random_condition(r, depth - 1) .. " or " .. random_condition(r, depth - 1)
end

-- }===

local function same_list(a, b)
  if #a ~= #b then return false end
  for i = 1, #a do
    if a[i] ~= b[i] then return false end
  end
  return true
end

local function describe_facts(f)
  local keys = {}
  for k in pairs(f) do keys[#keys + 1] = k end
  table.sort(keys)
  local out = {}
  for _, k in ipairs(keys) do
    local v = f[k]
    if type(v) == "table" and not quantity.is_quantity(v) then
      local parts = {}
      for kk, vv in pairs(v) do
        local text = tostring(vv)
        if type(vv) == "table" then
          text = ("{%s %s %s}"):format(tostring(vv.value), tostring(vv.unit), tostring(vv.date))
        end
        parts[#parts + 1] = tostring(kk) .. "=" .. text
      end
      table.sort(parts)
      v = "{" .. table.concat(parts, ", ") .. "}"
    end
    out[#out + 1] = k .. "=" .. tostring(v)
  end
  return table.concat(out, "; ")
end

describe("differential: C evaluator vs reference", function()
  print(("seed %d (differential_spec; AZA_SEED=%d replays it)"):format(SEED, SEED))

  it("agree on every rule outcome, the decision and need_data for " .. CASES
     .. " random fact sets", function()
    local protocol = assert(load.load(FIXTURE))
    local compiled = assert(compile.compile(protocol))
    local r = rng(SEED)
    local mismatches, checked = 0, 0
    for case = 1, CASES do
      local facts = random_facts(r)
      local got = assert(evaluate.raw(compiled, facts))
      local want = reference.evaluate(protocol, facts)
      checked = checked + 1
      local ok = got.decision == want.decision and same_list(got.outcomes, want.outcomes)
        and same_list(got.need_data, want.need_data) and #got.fired == #want.fired
      if not ok then
        mismatches = mismatches + 1
        if mismatches == 1 then
          for i, o in ipairs(want.outcomes) do
            if got.outcomes[i] ~= o then
              print(("case %d rule %s: C %s, reference %s"):format(case,
                compiled.rules[i].id, tostring(got.outcomes[i]), o))
            end
          end
          print(("case %d: C %s / reference %s; need C {%s} ref {%s}; facts: %s"):format(case,
            got.decision, want.decision, table.concat(got.need_data, ","),
            table.concat(want.need_data, ","), describe_facts(facts)))
        end
      end
    end
    assert.equal(CASES, checked)
    assert.equal(0, mismatches)
  end)

  it("agree on " .. CONDITIONS .. " random conditions, each on " .. FACTS_PER_CONDITION
     .. " fact sets", function()
    local r = rng(SEED + 1)
    local mismatches, cases = 0, 0
    for _ = 1, CONDITIONS do
      local when = random_condition(r, 4)
      local protocol = { id = "random", version = "0",
                         rules = { { id = "r", when = when, action = { type = "withhold" },
                                     require = r.chance(0.5) } } }
      local compiled, msg = compile.compile(protocol)
      assert(compiled, msg)
      for _ = 1, FACTS_PER_CONDITION do
        local facts = random_facts(r)
        local got = assert(evaluate.raw(compiled, facts))
        local want = reference.evaluate(protocol, facts)
        cases = cases + 1
        if got.outcomes[1] ~= want.outcomes[1] or got.decision ~= want.decision
            or not same_list(got.need_data, want.need_data) then
          mismatches = mismatches + 1
          if mismatches <= 3 then
            print(("condition %q: C %s/%s, reference %s/%s; facts: %s"):format(when,
              got.outcomes[1], got.decision, want.outcomes[1], want.decision,
              describe_facts(facts)))
          end
        end
      end
    end
    assert.equal(CONDITIONS * FACTS_PER_CONDITION, cases)
    assert.equal(0, mismatches)
  end)
end)

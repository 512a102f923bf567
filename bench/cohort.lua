--- The benchmark cohort: N synthetic patients of the patient JSON contract (design §7), one
-- JSON object per line, in mixed units, the same on every interpreter and every run (a
-- Park-Miller generator seeded by the caller). Used by bench/run.lua for aza and the peers.
--
--     lua5.4 bench/cohort.lua [N, default 2000] [SEED] > cohort.jsonl
--
-- The mix is chosen so that every decision of the base + IBD rules the peers model is
-- reached: PGx (TPMT/NUDT15 genotypes and phenotypes, untested), allopurinol/febuxostat,
-- pregnancy, allergy, malignancy, the BSR withhold thresholds, stale or missing baseline
-- labs, renal impairment. Units vary per patient: kg or [lb_av], 10*9/L, 10*3/uL or /uL,
-- g/L or g/dL, umol/L or mg/dL, U/L, and quantities as text or as {value, unit}.

-- run as a script: find the checkout's modules (loaded by bench/run.lua or a spec, the
-- caller's paths stand)
local SCRIPT = arg and arg[0] and string.match(arg[0], "cohort%.lua$") ~= nil
if SCRIPT then
  package.path = "./lua/?.lua;./lua/?/init.lua;./?.lua;" .. package.path
  package.cpath = (os.getenv("AZA_CPATH") or "./build/?.so") .. ";" .. package.cpath
end

local date = require "aza.date"

local M = {}

local AS_OF = "2026-11-21"
M.AS_OF = AS_OF

-- the civil date n days before AS_OF
local DAY0 = assert(date.parse(AS_OF))
local function ago(n)
  return date.format(DAY0 - n)
end

-- numbers as JSON: integers without a point, others with at most 2 decimals
local function num(v)
  if v == math.floor(v) then
    return string.format("%d", v)
  end
  return (string.format("%.2f", v):gsub("0+$", ""))
end

local function str(s)
  return '"' .. s .. '"'
end

local function quantity(rand, value, unit)
  if rand(3) == 1 then
    return string.format('{"value":%s,"unit":%s}', num(value), str(unit))
  end
  return str(num(value) .. " " .. unit)
end

-- a lab value in one of the units of its dimension: value given in the reference unit
local COUNT_UNITS = { { "10*9/L", 1 }, { "10*3/uL", 1 }, { "/uL", 1000 } }
local CONC_UNITS = {
  albumin = { { "g/L", 1 }, { "g/dL", 0.1 } },
  hemoglobin = { { "g/L", 1 }, { "g/dL", 0.1 } },
  creatinine = { { "umol/L", 1 }, { "mg/dL", 1 / 88.42 } },
}

local function lab(rand, test, value, day, unit_choice)
  local unit, factor
  if unit_choice then
    unit, factor = unit_choice[1], unit_choice[2]
  else
    unit, factor = "U/L", 1
  end
  local v = value * factor
  v = math.floor(v * 100 + 0.5) / 100
  local extra = ""
  if (test == "alt" or test == "ast") and rand(2) == 1 then
    extra = ',"uln":40'
  end
  return string.format('{"test":%s,"value":%s,"unit":%s,"date":%s%s}', str(test), num(v),
    str(unit), str(day), extra)
end

-- a value in [lo, hi] with one decimal
local function between(rand, lo, hi)
  return lo + (rand(math.floor((hi - lo) * 10) + 1) - 1) / 10
end

-- roughly European frequencies, with the rare poor metabolisers made commoner so that
-- every branch is reached
local TPMT = { "*3A/*3A", "*1/*3A", "*1/*3A", "*1/*3C", "*1/*2" }
for _ = 1, 15 do
  TPMT[#TPMT + 1] = "*1/*1"
end
local NUDT15 = { "*3/*3", "*1/*3", "*1/*3" }
for _ = 1, 13 do
  NUDT15[#NUDT15 + 1] = "*1/*1"
end
local PHENOTYPE = { "normal", "intermediate", "poor" }

-- pharmacogenomics: genotypes, a reported phenotype, or TPMT untested
local function pgx(rand)
  local k = rand(20)
  if k == 1 then
    return '"genotype":{"NUDT15":"*1/*1"}'
  elseif k == 2 then
    return '"phenotype":{"TPMT":' .. str(PHENOTYPE[rand(#PHENOTYPE)]) .. '}'
  elseif k == 3 then
    return '"genotype":{"TPMT":' .. str(TPMT[rand(#TPMT)]) .. '}'
  end
  return string.format('"genotype":{"TPMT":%s,"NUDT15":%s}', str(TPMT[rand(#TPMT)]),
    str(NUDT15[rand(#NUDT15)]))
end

-- labs: usually a fresh full set; sometimes stale, sometimes a count missing or one count
-- near its threshold
local function labs(rand)
  local day = ago(rand(10) == 1 and 30 + rand(60) or rand(27))
  local out = {}
  local function count(test, lo, hi)
    out[#out + 1] = lab(rand, test, between(rand, lo, hi), day, COUNT_UNITS[rand(3)])
  end
  local low = rand(6) == 1
  count("wbc", low and 3.0 or 4.0, 9.0)
  count("neutrophils", low and 1.4 or 2.1, 6.0)
  count("lymphocytes", low and 0.4 or 0.8, 3.0)
  count("eosinophils", 0.0, low and 0.6 or 0.4)
  if rand(40) ~= 1 then
    count("platelets", low and 120 or 150, 400)
  end
  out[#out + 1] = lab(rand, "hemoglobin", between(rand, 110, 160), day,
    CONC_UNITS.hemoglobin[rand(2)])
  out[#out + 1] = lab(rand, "mcv", between(rand, 82, 99), day, { "fL", 1 })
  out[#out + 1] = lab(rand, "alt", between(rand, 10, rand(15) == 1 and 130 or 60), day)
  out[#out + 1] = lab(rand, "ast", between(rand, 10, 60), day)
  out[#out + 1] = lab(rand, "albumin", between(rand, rand(20) == 1 and 26 or 32, 48), day,
    CONC_UNITS.albumin[rand(2)])
  out[#out + 1] = lab(rand, "creatinine", between(rand, 55, 110), day,
    CONC_UNITS.creatinine[rand(2)])
  out[#out + 1] = lab(rand, "egfr", between(rand, rand(12) == 1 and 25 or 65, 110), day,
    { "mL/min/{1.73_m2}", 1 })
  return '"labs":[' .. table.concat(out, ",") .. "]"
end

local function medications(rand)
  local meds = { '{"name":"mesalazine","status":"active"}' }
  local m = rand(25)
  if m == 1 then
    meds[#meds + 1] = '{"name":"allopurinol","status":"active","dose":"100 mg/d"}'
  elseif m == 2 then
    meds[#meds + 1] = '{"name":"febuxostat","status":"planned"}'
  end
  return '"medications":[' .. table.concat(meds, ",") .. "]"
end

--- One patient as a line of JSON.
-- @tparam function rand a generator from `spec.support.rng`
-- @tparam integer i the patient's number (its id is `p<i>`)
-- @treturn string
function M.patient(rand, i)
  local female = rand(2) == 1
  local f = { '"id":' .. str("p" .. i), '"as_of":' .. str(AS_OF),
              '"birth_date":' .. str(ago(365 * (18 + rand(60)) + rand(300))),
              '"sex":' .. str(female and "female" or "male") }
  local kg = 45 + rand(60)
  f[#f + 1] = '"weight":' .. (rand(4) == 1
    and quantity(rand, math.floor(kg * 2.20462 + 0.5), "[lb_av]") or quantity(rand, kg, "kg"))
  f[#f + 1] = '"height":' .. quantity(rand, 150 + rand(45), "cm")
  f[#f + 1] = '"ancestry":' .. (rand(8) == 1 and '["east_asian"]' or '["european"]')
  f[#f + 1] = '"pregnant":' .. ((female and rand(20) == 1) and "true" or "false")
  f[#f + 1] = '"breastfeeding":false'
  f[#f + 1] = pgx(rand)
  f[#f + 1] = labs(rand)
  f[#f + 1] = '"symptoms":' .. (rand(40) == 1 and '["sore_throat"]' or "[]")
  f[#f + 1] = '"conditions":'
    .. (rand(30) == 1 and '["crohns_disease","active_malignancy"]' or '["crohns_disease"]')
  f[#f + 1] = '"allergies":' .. (rand(40) == 1 and '["azathioprine"]' or "[]")
  f[#f + 1] = medications(rand)
  f[#f + 1] = '"vaccines_planned":[]'
  f[#f + 1] = '"azathioprine":{"status":"naive"}'
  return "{" .. table.concat(f, ",") .. "}"
end

--- The cohort as a list of JSON lines.
-- @tparam integer n
-- @tparam[opt=20261202] integer seed
-- @treturn {string,...}
function M.generate(n, seed)
  local rand = dofile("spec/support/rng.lua")(seed or 20261202)
  local lines = {}
  for i = 1, n do
    lines[i] = M.patient(rand, i)
  end
  return lines
end

if SCRIPT then
  local lines = M.generate(tonumber(arg[1]) or 2000, tonumber(arg[2]))
  io.write(table.concat(lines, "\n"), "\n")
end

return M

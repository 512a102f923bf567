--- Dose maths: weight-based targets, rounding to a formulary, modifiers,
-- regimens and titration schedules.
--
-- The arithmetic is in the C core (`csrc/core/aza_dose.c`); this module
-- gives it a Lua shape. `docs/dose-maths.md` explains the rounding modes,
-- the order of the modifiers and the worked examples.
--
-- Conventions:
--
-- * Quantities are accepted as `aza.Quantity` values, quantity texts
--   (`"70 kg"`, `"2 mg/kg/d"`, `"176 [lb_av]"`) or tables
--   `{value = 70, unit = "kg"}`. Bare numbers are accepted only where the
--   name says the unit (`mg_per_day`, percentages, fractions, weeks).
-- * Results are plain tables: numbers in mg/day (`target_mg_per_day`, ...)
--   plus the same amounts as quantities (`target`, `exact`, `band`, ...).
-- * A formulary is a list `{ {mg = 25}, {mg = 50, scored = true} }` or the
--   compact text `"25,50s"` (`s`: scored); `nil` is the default,
--   25 mg unscored and 50 mg scored.
-- * Bad input returns the fail triple `nil, message, code`, code being
--   `"E_VALUE"`, `"E_DIM"`, `"E_DOSE"`, `"E_FORMULARY"`, `"E_NODOSE"`,
--   `"E_ARG"`, ... Never a made-up number.
--
-- @module aza.dose
-- @usage
-- local dose = require "aza.dose"
-- local plan = assert(dose.target{ weight = "70 kg", rate = "2 mg/kg/d",
--                                  band = { "2 mg/kg/d", "2.5 mg/kg/d" } })
-- print(plan.target_mg_per_day)                      --> 150
-- local tpmt = assert(dose.modify(plan, { percent = { value = 50, low = 30,
--                                  high = 80, why = "TPMT intermediate" } }))
-- print(tpmt.target_mg_per_day)                      --> 75
-- print(dose.regimen(tpmt.target_mg_per_day).text)   --> 1 × 50 mg + 1 × 25 mg once daily

local core = require "aza.core"
local quantity = require "aza.quantity"
local util = require "aza.util"

local ipairs, pairs, table, tostring, type = ipairs, pairs, table, tostring, type
local concat, floor, huge = table.concat, math.floor, math.huge
local set_of = util.set_of

local M = {}

--- The default formulary text, `"25,50s"`: 25 mg unscored, 50 mg scored (UK Imuran). Read
-- from the C core's default (aza_formulary_default), the one place it is written.
M.DEFAULT_FORMULARY = (function()
  local parts = {}
  for i, t in ipairs(core.dose_formulary()) do
    parts[i] = util.number(t.mg) .. (t.scored and "s" or "")
  end
  return concat(parts, ",")
end)()

--- Rounding mode names.
M.ROUNDING = core.names.roundings

-- {=== helpers ===

local function fail(msg, code)
  return nil, msg, code or "E_ARG"
end

-- the unknown keys of t, or nil
local function unknown_keys(t, allowed, what)
  for k in pairs(t) do
    if not allowed[k] then
      local names = {}
      for name in pairs(allowed) do
        names[#names + 1] = name
      end
      table.sort(names)
      return ("unknown %s '%s' (%s)"):format(what, tostring(k), concat(names, ", "))
    end
  end
  return nil
end

-- a quantity-ish value for the core: Quantity and strings as they are,
-- {value=, unit=} tables through aza.quantity.coerce
local function qty(x, name)
  if type(x) == "table" and not quantity.is_quantity(x) then
    local q, msg, code = quantity.coerce(x)
    if q == nil then
      return nil, name .. ": " .. msg, code
    end
    return q
  end
  return x
end

-- a daily amount in mg/day from a number, a quantity or a plan table
local function mg_per_day(x, name)
  if type(x) == "number" then
    return x
  end
  if type(x) == "table" and not quantity.is_quantity(x) and x.target_mg_per_day then
    return x.target_mg_per_day
  end
  local q, msg, code = quantity.coerce(x)
  if q == nil then
    return nil, name .. ": " .. msg, code
  end
  local v
  v, msg, code = q:value_in("mg/d")
  if v == nil then
    return nil, name .. ": " .. msg, code
  end
  return v
end

-- }===

--- Check and normalize a formulary.
-- @tparam[opt] string|table f `"25,50s"`, a list of `{mg = 25, scored = true}`
--   tables or numbers (unscored), or nil for the default
-- @treturn {{mg=number,scored=boolean},...} the formulary
-- @return[2] nil
-- @treturn[2] string message
-- @treturn[2] string code `"E_FORMULARY"`
function M.formulary(f)
  return core.dose_formulary(f)
end

--- Whether a daily amount can be given with whole tablets and halves of
-- scored tablets.
-- @tparam number mg mg/day
-- @tparam[opt] string|table formulary
-- @treturn boolean
-- @return[2] nil, message, code
function M.deliverable(mg, formulary)
  if type(mg) ~= "number" then
    return fail("deliverable: mg must be a number of mg/day")
  end
  return core.dose_deliverable(mg, formulary)
end

--- Round an amount to a deliverable dose with a named mode.
-- @tparam number value_mg the amount to round, mg/day
-- @tparam table opts `mode` (`"nearest_in_band"` or `"down"`, default
--   `"down"`), `band = {lo_mg, hi_mg}` (needed by nearest_in_band),
--   `formulary`
-- @treturn table `{mg, target_mg, error_percent, in_band}`
-- @return[2] nil, message, code
function M.round(value_mg, opts)
  opts = opts or {}
  if type(value_mg) ~= "number" then
    return fail("round: value_mg must be a number of mg/day")
  end
  local mode = opts.mode or "down"
  local band = opts.band or {}
  if mode == "nearest_in_band" and (type(band[1]) ~= "number" or type(band[2]) ~= "number") then
    return fail("round: nearest_in_band needs band = {lo_mg, hi_mg}")
  end
  return core.dose_round(mode, value_mg, band[1], band[2], opts.formulary)
end

local TARGET_KEYS = set_of { "weight", "rate", "band", "band_low", "band_high",
  "formulary", "rounding" }

--- The weight-based target, rounded to the formulary.
-- rate × weight gives the standard dose; the band (two rates) gives
-- [lo, hi] mg/day. `nearest_in_band` takes the deliverable dose nearest the
-- standard dose inside the band (ties: the lower); if none is inside, the
-- largest one not above the band's top. Without a band the band is the
-- standard dose itself, so the dose is never above it.
-- @tparam table opts
--   `weight` (a mass: `"70 kg"`, `"176 [lb_av]"`; 0.5–500 kg),
--   `rate` (`"2 mg/kg/d"`),
--   `band` (`{"2 mg/kg/d", "2.5 mg/kg/d"}`, optional; or `band_low`/`band_high`),
--   `formulary` (optional), `rounding` (`"nearest_in_band"` (default) or `"down"`)
-- @treturn table the plan: `target_mg_per_day` (the deliverable dose),
--   `exact_mg_per_day` and `standard_mg_per_day` (rate × weight),
--   `band_mg_per_day = {lo, hi}`, `rounding`, `rounding_error_percent`,
--   `in_band`, `weight_kg`, `rate_mg_per_kg_per_day`,
--   `target_mg_per_kg_per_day`, `formulary`, `trace = {}`, and the
--   quantities `target`, `exact`, `band = {lo, hi}`, `weight`
-- @return[2] nil, message, code
-- @usage local plan = dose.target{ weight = "70 kg", rate = "2 mg/kg/d",
--   band = { "2 mg/kg/d", "2.5 mg/kg/d" } }     -- plan.target_mg_per_day == 150
function M.target(opts)
  if type(opts) ~= "table" then
    return fail("target: a table of options expected")
  end
  local bad = unknown_keys(opts, TARGET_KEYS, "target option")
  if bad then
    return fail("target: " .. bad)
  end
  local lo, hi = opts.band_low, opts.band_high
  if opts.band ~= nil then
    if type(opts.band) ~= "table" or opts.band[1] == nil or opts.band[2] == nil
      or opts.band[3] ~= nil then
      return fail("target: band must be a pair {low, high} of rates such as \"2 mg/kg/d\"")
    end
    lo, hi = opts.band[1], opts.band[2]
  end
  local args = { formulary = opts.formulary, rounding = opts.rounding }
  local msg, code
  for _, f in ipairs { { "weight", opts.weight }, { "rate", opts.rate },
                       { "band_low", lo }, { "band_high", hi } } do
    if f[2] ~= nil then
      args[f[1]], msg, code = qty(f[2], f[1])
      if args[f[1]] == nil then
        return nil, msg, code
      end
    end
  end
  local plan
  plan, msg, code = core.dose_target(args)
  if plan == nil then
    return nil, msg, code
  end
  plan.trace = {}
  return plan
end

--- A plan for a patient already taking a dose, for `modify`.
-- @tparam number|string|aza.Quantity current the current dose (a number is mg/day)
-- @tparam[opt] table opts `weight` (needed for a cap in mg/kg/day), `formulary`
-- @treturn table a plan whose standard and target dose are `current`
-- @return[2] nil, message, code
function M.current(current, opts)
  opts = opts or {}
  local mg, msg, code = mg_per_day(current, "current")
  if mg == nil then
    return nil, msg, code
  end
  local w
  if opts.weight ~= nil then
    w, msg, code = qty(opts.weight, "weight")
    if w == nil then
      return nil, msg, code
    end
  end
  local plan
  plan, msg, code = core.dose_current(mg, w, opts.formulary)
  if plan == nil then
    return nil, msg, code
  end
  plan.trace = {}
  return plan
end

local MOD_KEYS = set_of { "percent", "reduce", "fraction", "cap" }

--- Apply dose modifiers, always in this order (each in use adds a trace entry):
--
-- 1. `percent`: a percentage of the standard (unrounded) dose, with its
--    own band of percentages, rounded `nearest_in_band` against that band
--    (pharmacogenomics: `{value = 50, low = 30, high = 80}`); without a band
--    it is rounded down;
-- 2. `reduce`: a percentage (0–100] of the dose so far, rounded down
--    (renal: 75 or 50);
-- 3. `fraction`: a fraction (0, 1] of the dose so far, rounded down
--    (allopurinol: 0.25);
-- 4. `cap`: a ceiling in mg/kg/day (× the plan's weight) or mg/day; a dose
--    above it is rounded down to it (pregnancy: `"2 mg/kg/d"`).
--
-- Each value may be given alone (`fraction = 0.25`, `cap = "2 mg/kg/d"`) or as
-- a table with `value` and a `why` label (`{value = 0.25, why = "allopurinol"}`).
-- @tparam table plan from `target`, `current` or `modify`
-- @tparam table mods
-- @treturn table a new plan: `target_mg_per_day` is the modified dose,
--   `exact_mg_per_day` the unrounded amount it came from,
--   `unmodified_mg_per_day` the dose before any modifier, and `trace` the
--   plan's trace plus one entry per modifier: `modifier`, `why`,
--   `before_mg_per_day`, `exact_mg_per_day`, `after_mg_per_day`,
--   `band_mg_per_day` (percent) or `limit_mg_per_day`, `rounding`,
--   `rounding_error_percent`, `changed`
-- @return[2] nil, message, code
function M.modify(plan, mods)
  if type(plan) ~= "table" or type(mods) ~= "table" then
    return fail("modify: a plan table and a modifiers table expected")
  end
  local bad = unknown_keys(mods, MOD_KEYS, "modifier")
  if bad then
    return fail("modify: " .. bad)
  end
  local m = {}
  for k, v in pairs(mods) do
    m[k] = v
  end
  if m.cap ~= nil then
    local c, msg, code
    if type(m.cap) == "table" and not quantity.is_quantity(m.cap) and m.cap.value ~= nil then
      c, msg, code = qty(m.cap.value, "cap")
      m.cap = c and { value = c, why = mods.cap.why }
    else
      c, msg, code = qty(m.cap, "cap")
      m.cap = c
    end
    if c == nil then
      return nil, msg, code
    end
  end
  local out, msg, code = core.dose_modify(plan, m)
  if out == nil then
    return nil, msg, code
  end
  local trace = {}
  for _, e in ipairs(plan.trace or {}) do
    trace[#trace + 1] = e
  end
  for _, e in ipairs(out.trace) do
    trace[#trace + 1] = e
  end
  out.trace = trace
  out.unmodified_mg_per_day = plan.unmodified_mg_per_day or plan.target_mg_per_day
  out.modified = (plan.modified or 0) + out.modified
  return out
end

-- {=== regimen ===

local function count_text(halves)
  local whole, half = floor(halves / 2), halves % 2 == 1
  if whole == 0 then
    return "½"
  end
  return half and (whole .. "½") or tostring(whole)
end

local function mg_text(mg)
  if mg == floor(mg) and mg < 2 ^ 53 then
    return ("%d"):format(mg)
  end
  return ("%.15g"):format(mg)
end
M.mg_text = mg_text

local function admin_text(a)
  local parts = {}
  for _, t in ipairs(a.tablets) do
    parts[#parts + 1] = ("%s × %s mg"):format(count_text(t.halves), mg_text(t.mg))
  end
  return concat(parts, " + ")
end

-- `per`: "daily", or "a day" on the dosing days of a weekly schedule
local function day_text(d, per)
  per = per or "daily"
  local a = d.administrations
  if #a == 1 then
    return admin_text(a[1]) .. " once " .. per
  end
  if a[1].mg == a[2].mg and admin_text(a[1]) == admin_text(a[2]) then
    return admin_text(a[1]) .. " twice " .. per
  end
  return ("%s in the morning and %s in the evening"):format(admin_text(a[1]), admin_text(a[2]))
end

local WEEKDAYS = { "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday" }

-- "on 3 days a week (days 1, 3, 5 of each week, e.g. Monday, Wednesday, Friday); 75 mg per week"
local function week_text(reg)
  local nums, names = {}, {}
  for i, d in ipairs(reg.dosing_days) do
    nums[i], names[i] = tostring(d), WEEKDAYS[d]
  end
  local n = reg.days_per_week
  return ("on %d %s a week (%s %s of each week, e.g. %s); %s mg per week"):format(n,
    n == 1 and "day" or "days", n == 1 and "day" or "days", concat(nums, ", "),
    concat(names, ", "), mg_text(reg.weekly_mg))
end

--- A one-line description of a regimen: `"3 × 50 mg once daily"`,
-- `"½ × 75 mg once daily"`, for a weekly schedule `"1 × 25 mg once a day on
-- 3 days a week (days 1, 3, 5 of each week, e.g. Monday, Wednesday, Friday);
-- 75 mg per week"`, or for an alternating pattern
-- `"alternate days: 1 × 25 mg once daily (25 mg), then 1 × 50 mg once daily
-- (50 mg); 250 mg per week starting with the 25 mg day"`.
-- @tparam table reg from `regimen`
-- @treturn string
function M.describe_regimen(reg)
  if (reg.days_per_week or 7) < 7 then
    return day_text(reg.days[1], "a day") .. " " .. week_text(reg)
  end
  if not reg.alternating then
    return day_text(reg.days[1])
  end
  local a, b = reg.days[1], reg.days[2]
  return ("alternate days: %s (%s mg), then %s (%s mg); %s mg per week starting with the %s mg day")
    :format(day_text(a), mg_text(a.mg), day_text(b), mg_text(b.mg), mg_text(reg.weekly_mg),
      mg_text(a.mg))
end

local REGIMEN_KEYS = set_of { "split_above", "twice_daily", "allow_alternate", "days_per_week" }

--- Tablets for a daily amount.
-- Each administration takes the fewest pieces (a half tablet counts as one
-- piece), then the fewest halves, then the largest strengths. Twice daily
-- when `opts.twice_daily`, or when the amount is above `opts.split_above`:
-- two equal administrations if possible, else the nearest-equal pair (the
-- larger first). An amount no tablets make is an error, unless
-- `opts.allow_alternate`: then day A (the largest deliverable amount below)
-- and day B (2 × amount − A) alternate, with a mean of exactly the amount.
-- With `opts.days_per_week` 1 to 6 the amount is that of each dosing day (it
-- must be deliverable), given on that many days of each week spread through it
-- (3: days 1, 3, 5); `mg_per_day` is then the day-equivalent, weekly ÷ 7.
-- @tparam number|string|aza.Quantity|table mg_per_day a number (mg/day), a
--   quantity (`"37.5 mg/d"`) or a plan (its `target_mg_per_day`)
-- @tparam[opt] string|table formulary
-- @tparam[opt] table opts `split_above` (mg/day number or quantity),
--   `twice_daily`, `allow_alternate`, `days_per_week` (1-7; 7: every day)
-- @treturn table `{mg_per_day, alternating, weekly_mg, days_per_week,
--   dosing_days = {1, 3, 5, ...}, days = {{mg,
--   administrations = {{mg, pieces, tablets = {{mg, scored, halves,
--   count}}}}}}, text}`; `weekly_mg` of an alternating pattern is for a week
--   starting with day A (4 × A + 3 × B)
-- @return[2] nil, message, code
function M.regimen(mg_per_day_, formulary, opts)
  opts = opts or {}
  local bad = unknown_keys(opts, REGIMEN_KEYS, "regimen option")
  if bad then
    return fail("regimen: " .. bad)
  end
  local mg, msg, code = mg_per_day(mg_per_day_, "amount")
  if mg == nil then
    return nil, msg, code
  end
  local split
  if opts.split_above ~= nil then
    split, msg, code = mg_per_day(opts.split_above, "split_above")
    if split == nil then
      return nil, msg, code
    end
  end
  local reg
  reg, msg, code = core.dose_regimen(mg, formulary, {
    split_above_mg = split, twice_daily = opts.twice_daily,
    allow_alternate = opts.allow_alternate, days_per_week = opts.days_per_week })
  if reg == nil then
    return nil, msg, code
  end
  reg.text = M.describe_regimen(reg)
  return reg
end

-- }===

local TITRATION_KEYS = set_of { "start", "step", "every", "target", "weight", "start_date",
  "formulary" }

--- A titration schedule from a start dose up to a target.
-- Steps are start, start + step, start + 2 × step, ..., each rounded down to
-- a deliverable amount (a step that rounds to the previous dose is left out),
-- at weeks 0, every, 2 × every, ...; no step exceeds the target and the last
-- step is the target. Without `step` the schedule goes straight from the
-- start to the target after `every` weeks.
-- @tparam table opts
--   `start` (`"50 mg/d"`, deliverable; or `"1 mg/kg/d"`, × weight, rounded down),
--   `step` (`"50 mg/d"`, optional),
--   `every` (weeks: a whole number, or a quantity such as `"2 wk"`),
--   `target` (`"150 mg/d"`, deliverable; `"2.5 mg/kg/d"`, × weight, rounded
--   down; or a plan), `weight` (for mg/kg/d), `start_date` (`"2026-01-05"`),
--   `formulary`
-- @treturn {table,...} steps `{mg_per_day, week, date, dose}` (`date` when a
--   start date was given)
-- @return[2] nil, message, code
-- @usage dose.titration{ start = "50 mg/d", step = "50 mg/d", every = 2,
--   target = "2.5 mg/kg/d", weight = "80 kg" }   -- 50, 100, 150, 200 mg at weeks 0, 2, 4, 6
function M.titration(opts)
  if type(opts) ~= "table" then
    return fail("titration: a table of options expected")
  end
  local bad = unknown_keys(opts, TITRATION_KEYS, "titration option")
  if bad then
    return fail("titration: " .. bad)
  end
  local args = { start_date = opts.start_date, formulary = opts.formulary }
  local msg, code
  for _, k in ipairs { "start", "step", "weight" } do
    if opts[k] ~= nil then
      args[k], msg, code = qty(opts[k], k)
      if args[k] == nil then
        return nil, msg, code
      end
    end
  end
  local target = opts.target
  if type(target) == "table" and not quantity.is_quantity(target)
    and target.target_mg_per_day ~= nil then
    target = target.target
    if args.formulary == nil then
      args.formulary = opts.target.formulary
    end
  end
  if target ~= nil then
    args.target, msg, code = qty(target, "target")
    if args.target == nil then
      return nil, msg, code
    end
  end
  local every = opts.every
  if every ~= nil and type(every) ~= "number" then
    local q
    q, msg, code = quantity.coerce(every)
    if q == nil then
      return nil, "every: " .. msg, code
    end
    every, msg, code = q:value_in("wk")
    if every == nil then
      return nil, "every: " .. msg, code
    end
    local whole = floor(every + 0.5)
    if every ~= every or every == huge or math.abs(every - whole) > 1e-9 then
      return nil, ("every: %s is not a whole number of weeks"):format(tostring(q)), "E_VALUE"
    end
    every = whole
  end
  if every == nil then
    return fail("titration: 'every' (weeks) is required")
  end
  args.every = every
  return core.dose_titration(args)
end

-- a plan without its quantities (for JSON); exposed for renderers
local function plain(v)
  if quantity.is_quantity(v) then
    return nil
  end
  if type(v) ~= "table" then
    return v
  end
  local t = {}
  for k, x in pairs(v) do
    t[k] = plain(x)
  end
  return t
end

--- A copy of a result table with every quantity removed (numbers only),
-- ready for a JSON encoder.
-- @tparam table t a plan, regimen or titration
-- @treturn table
function M.plain(t)
  return plain(t)
end

return M

--- `aza dose`: the weight-based target, modifiers, regimen and titration.
--
--     aza dose --weight QTY --rate QTY [--band-low QTY --band-high QTY]
--              [--rounding nearest_in_band|down]
--              [--percent P [--percent-low P --percent-high P]]
--              [--reduce P] [--fraction F] [--cap QTY]
--              [--formulary "25,50s"] [--split-above MG] [--twice-daily]
--              [--allow-alternate] [--days-per-week N]
--              [--start QTY [--step QTY] --every WEEKS [--start-date DATE]]
--              [--format text|json]
--
-- QTY is a quantity such as `70 kg`, `176 [lb_av]`, `2 mg/kg/d`, `150 mg/d`
-- (quote it in the shell). The modifiers are applied in the fixed order
-- percent, reduce, fraction, cap (docs/dose-maths.md). `--start` adds a
-- titration schedule from the start dose to the final dose.
--
-- Text output (example: 70 kg, 2 mg/kg/d, band 2–2.5 mg/kg/d):
--
--     Target:   150 mg/day (2.14 mg/kg/day; band 140–175 mg/day)
--     Exact:    140 mg/day (2 mg/kg/day × 70 kg); nearest_in_band, +7.14 %
--     Dose:     150 mg/day
--     Regimen:  3 × 50 mg once daily
--
-- JSON output (`--format json`) has `target_mg_per_day` (the final dose,
-- after the modifiers), `unmodified_mg_per_day`, `exact_mg_per_day`,
-- `standard_mg_per_day`, `band_mg_per_day`, `rounding`,
-- `rounding_error_percent`, `in_band`, `weight_kg`, `rate_mg_per_kg_per_day`,
-- `target_mg_per_kg_per_day`, `formulary`, `modifiers` (the trace),
-- `regimen` (with its `text`) and, with `--start`, `titration`.
--
-- Bad input: a message on stderr and exit status 2.
--
-- @module aza.cli.dose

local dose = require "aza.dose"
local json = require "aza.render.json"
local parse_number = require("aza.cli.units").parse_number

local ipairs, pairs, table, tonumber, tostring, type =
  ipairs, pairs, table, require("aza.compat").tonumber, tostring, type

local M = {}

--- One line for `aza help`.
M.summary = "weight-based dose, modifiers, regimen, titration (aza dose --help)"

--- Usage text.
M.usage = [==[
usage: aza dose --weight QTY --rate QTY [--band-low QTY --band-high QTY]
                [--rounding nearest_in_band|down]
                [--percent P [--percent-low P --percent-high P]]
                [--reduce P] [--fraction F] [--cap QTY]
                [--formulary "25,50s"] [--split-above MG] [--twice-daily]
                [--allow-alternate] [--days-per-week N]
                [--start QTY [--step QTY] --every WEEKS [--start-date YYYY-MM-DD]]
                [--format text|json]
QTY: a quantity such as "70 kg", "176 [lb_av]", "2 mg/kg/d", "150 mg/d".
Modifiers apply in this order: percent (of the standard dose, within its
band), reduce (percent, rounded down), fraction (rounded down), cap (mg/kg/d
or mg/d, rounded down). --days-per-week N (1-6): the final dose is the
amount of each dosing day of a weekly schedule (no titration).
]==]

-- option name -> kind: "value" takes an argument, "flag" does not
local OPTIONS = {
  weight = "value", rate = "value", ["band-low"] = "value", ["band-high"] = "value",
  rounding = "value", percent = "value", ["percent-low"] = "value",
  ["percent-high"] = "value", reduce = "value", fraction = "value", cap = "value",
  formulary = "value", ["split-above"] = "value", ["twice-daily"] = "flag",
  ["allow-alternate"] = "flag", start = "value", step = "value", every = "value",
  ["start-date"] = "value", format = "value", ["days-per-week"] = "value",
}

local function fail(msg, code)
  if code then
    return nil, ("%s (%s)"):format(msg, code)
  end
  return nil, msg
end

-- --name VALUE, --name=VALUE, --flag; returns the option table or nil, msg
local function parse_args(args)
  local o, i = {}, 1
  while i <= #args do
    local a = args[i]
    local name, value = a:match("^%-%-([%w-]+)=(.*)$")
    if not name then
      name = a:match("^%-%-([%w-]+)$")
    end
    if not name then
      return nil, ("unexpected argument '%s'"):format(a)
    end
    local kind = OPTIONS[name]
    if kind == nil then
      return nil, ("unknown option '--%s'"):format(name)
    end
    if o[name] ~= nil then
      return nil, ("option '--%s' given twice"):format(name)
    end
    if kind == "flag" then
      if value ~= nil then
        return nil, ("option '--%s' takes no value"):format(name)
      end
      o[name] = true
    else
      if value == nil then
        value = args[i + 1]
        if value == nil then
          return nil, ("option '--%s' needs a value"):format(name)
        end
        i = i + 1
      end
      o[name] = value
    end
    i = i + 1
  end
  return o
end

-- a decimal number ('.' only, finite), or nil
local function number(s)
  if type(s) ~= "string" then
    return nil
  end
  return parse_number(s)
end

local function need_number(o, name)
  local x = number(o[name])
  if x == nil then
    return nil, ("--%s: bad number '%s': use digits with '.' as the decimal point")
      :format(name, tostring(o[name]))
  end
  return x
end

-- the modifiers table for aza.dose.modify, or nil (none), or false, msg
local function modifiers(o)
  local m, any = {}, false
  if o.percent ~= nil then
    local p, msg = need_number(o, "percent")
    if p == nil then
      return false, msg
    end
    m.percent = { value = p, why = "--percent" }
    if (o["percent-low"] == nil) ~= (o["percent-high"] == nil) then
      return false, "--percent-low and --percent-high go together"
    end
    if o["percent-low"] ~= nil then
      m.percent.low, msg = need_number(o, "percent-low")
      if m.percent.low == nil then
        return false, msg
      end
      m.percent.high, msg = need_number(o, "percent-high")
      if m.percent.high == nil then
        return false, msg
      end
    end
    any = true
  elseif o["percent-low"] ~= nil or o["percent-high"] ~= nil then
    return false, "--percent-low and --percent-high need --percent"
  end
  for _, name in ipairs { "reduce", "fraction" } do
    if o[name] ~= nil then
      local x, msg = need_number(o, name)
      if x == nil then
        return false, msg
      end
      m[name] = { value = x, why = "--" .. name }
      any = true
    end
  end
  if o.cap ~= nil then
    m.cap = { value = o.cap, why = "--cap" }
    any = true
  end
  return any and m or nil
end

local function fmt(x, digits)
  return dose.mg_text(tonumber(("%." .. (digits or 3) .. "g"):format(x)))
end

local function signed(x)
  return (x >= 0 and "+" or "") .. ("%.3g"):format(x)
end

local function text_output(out, res)
  local w = {}
  local function line(label, s)
    w[#w + 1] = ("%-9s %s"):format(label .. ":", s)
  end
  local plan = res.plan
  local band = plan.band_mg_per_day
  line("Target", ("%s mg/day (%s mg/kg/day%s)"):format(fmt(res.unmodified, 6),
    fmt(res.unmodified / plan.weight_kg), band and ("; band %s–%s mg/day")
      :format(fmt(band[1], 6), fmt(band[2], 6)) or ""))
  line("Exact", ("%s mg/day (%s mg/kg/day × %s kg); %s, %s %%"):format(
    fmt(plan.standard_mg_per_day, 6), fmt(plan.rate_mg_per_kg_per_day, 6),
    fmt(plan.weight_kg, 6), res.first_rounding, signed(res.first_error)))
  for _, e in ipairs(res.final.trace) do
    local detail
    if e.modifier == "percent" then
      detail = ("exact %s, band %s–%s mg/day"):format(fmt(e.exact_mg_per_day, 6),
        fmt(e.band_mg_per_day[1], 6), fmt(e.band_mg_per_day[2], 6))
    else
      detail = ("exact %s, limit %s mg/day"):format(fmt(e.exact_mg_per_day, 6),
        fmt(e.limit_mg_per_day, 6))
    end
    line("Modifier", ("%s (%s): %s → %s mg/day (%s; %s)"):format(e.modifier, e.why,
      fmt(e.before_mg_per_day, 6), fmt(e.after_mg_per_day, 6), detail, e.rounding))
  end
  local days = res.regimen.days_per_week or 7
  if days < 7 then
    line("Dose", ("%s mg on each dosing day, %d %s a week"):format(
      fmt(res.final.target_mg_per_day, 6), days, days == 1 and "day" or "days"))
  else
    line("Dose", ("%s mg/day (%s mg/kg/day)"):format(fmt(res.final.target_mg_per_day, 6),
      fmt(res.final.target_mg_per_day / plan.weight_kg)))
  end
  line("Regimen", res.regimen.text)
  if (res.regimen.days_per_week or 7) < 7 then
    line("Week", ("%s mg per week (%s mg/day on average, %s mg/kg/day)"):format(
      fmt(res.regimen.weekly_mg, 6), fmt(res.regimen.mg_per_day),
      fmt(res.regimen.mg_per_day / plan.weight_kg)))
  end
  if res.titration then
    local parts = {}
    for i, s in ipairs(res.titration) do
      local nxt = res.titration[i + 1]
      local when
      if nxt == nil then
        when = ("from week %d"):format(s.week)
      elseif nxt.week - 1 == s.week then
        when = ("week %d"):format(s.week)
      else
        when = ("weeks %d–%d"):format(s.week, nxt.week - 1)
      end
      parts[#parts + 1] = ("%s mg/day %s%s"):format(fmt(s.mg_per_day, 6), when,
        s.date and (" (" .. s.date .. ")") or "")
    end
    line("Titrate", table.concat(parts, ", "))
  end
  out:write(table.concat(w, "\n"), "\n")
end

-- with sorted keys (aza.render.json), the same bytes on every interpreter; an empty
-- list of modifiers encodes as []
local function json_output(out, res)
  local final = dose.plain(res.final)
  local doc = {
    target_mg_per_day = final.target_mg_per_day,
    unmodified_mg_per_day = res.unmodified,
    exact_mg_per_day = final.exact_mg_per_day,
    standard_mg_per_day = final.standard_mg_per_day,
    band_mg_per_day = final.band_mg_per_day,
    rounding = final.rounding,
    rounding_error_percent = final.rounding_error_percent,
    in_band = final.in_band,
    weight_kg = final.weight_kg,
    rate_mg_per_kg_per_day = final.rate_mg_per_kg_per_day,
    target_mg_per_kg_per_day = final.target_mg_per_kg_per_day,
    formulary = final.formulary,
    modifiers = final.trace,
    regimen = dose.plain(res.regimen),
    titration = res.titration and dose.plain(res.titration) or nil,
  }
  out:write(assert(json.encode(doc)), "\n")
end

-- the target and the modified plan: fills res, or returns nil, msg
local function compute_plan(o, res)
  if o.weight == nil or o.rate == nil then
    return fail("--weight and --rate are required\n" .. M.usage)
  end
  if (o["band-low"] == nil) ~= (o["band-high"] == nil) then
    return fail("--band-low and --band-high go together")
  end
  local band = o["band-low"] and { o["band-low"], o["band-high"] } or nil
  local plan, msg, code = dose.target { weight = o.weight, rate = o.rate, band = band,
    formulary = o.formulary, rounding = o.rounding }
  if plan == nil then
    return fail(msg, code)
  end
  res.plan, res.final, res.unmodified = plan, plan, plan.target_mg_per_day
  res.first_rounding, res.first_error = plan.rounding, plan.rounding_error_percent
  local mods
  mods, msg = modifiers(o)
  if mods == false then
    return fail(msg)
  end
  if mods then
    res.final, msg, code = dose.modify(plan, mods)
    if res.final == nil then
      return fail(msg, code)
    end
  end
  return true
end

-- the regimen and the titration of the final dose: fills res
local function compute_schedule(o, res)
  local split, msg, code
  if o["split-above"] ~= nil then
    split, msg = need_number(o, "split-above")
    if split == nil then
      return fail(msg)
    end
  end
  local days
  if o["days-per-week"] ~= nil then
    days = number(o["days-per-week"])
    if days == nil or days % 1 ~= 0 or days < 1 or days > 7 then
      return fail("--days-per-week: a whole number of days from 1 to 7, got '"
        .. tostring(o["days-per-week"]) .. "'")
    elseif o.start ~= nil and days < 7 then
      return fail("--days-per-week: a weekly schedule has no titration (drop --start)")
    end
  end
  res.regimen, msg, code = dose.regimen(res.final.target_mg_per_day, res.final.formulary, {
    split_above = split, twice_daily = o["twice-daily"], allow_alternate = o["allow-alternate"],
    days_per_week = days })
  if res.regimen == nil then
    return fail(msg, code)
  end
  if o.start == nil then
    if o.step or o.every or o["start-date"] then
      return fail("--step, --every and --start-date need --start")
    end
    return true
  end
  local every
  every, msg = need_number(o, "every")
  if every == nil then
    return fail(o.every == nil and "--start needs --every WEEKS" or msg)
  end
  res.titration, msg, code = dose.titration { start = o.start, step = o.step,
    every = every, target = res.final, weight = o.weight, start_date = o["start-date"],
    formulary = res.final.formulary }
  if res.titration == nil then
    return fail(msg, code)
  end
  return true
end

--- Run `aza dose ARGS...` (see `aza.cli` for the contract).
-- @tparam {string,...} args
-- @tparam table env `{stdout = file, stderr = file}`
-- @treturn integer|nil exit code
-- @treturn[2] string message for stderr (exit 2)
function M.run(args, env)
  if args[1] == "help" or args[1] == "-h" or args[1] == "--help" then
    env.stdout:write(M.usage)
    return 0
  end
  local o, msg = parse_args(args)
  if o == nil then
    return fail(msg .. "\n" .. M.usage)
  end
  local format = o.format or "text"
  if format ~= "text" and format ~= "json" then
    return fail(("--format must be text or json, not '%s'"):format(format))
  end
  local res = {}
  local ok
  ok, msg = compute_plan(o, res)
  if ok then
    ok, msg = compute_schedule(o, res)
  end
  if not ok then
    return nil, msg
  end
  if format == "json" then
    json_output(env.stdout, res)
  else
    text_output(env.stdout, res)
  end
  return 0
end

--- The option names, sorted (for completion scripts and docs).
-- @treturn {string,...}
M.options = function()
  local names = {}
  for k in pairs(OPTIONS) do
    names[#names + 1] = k
  end
  table.sort(names)
  return names
end

return M

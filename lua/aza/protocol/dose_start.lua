--- The dose stage, for a patient starting (naive) or restarting (stopped) azathioprine:
-- the standard dose, a fired set_dose, the modifiers in their one order, the titration and
-- the regimen of the final dose. Its helpers are shared with the active-patient flow
-- (aza.protocol.dose_flow). See docs/internals/protocol-pipeline.md.
--
-- @module aza.protocol.dose_start

local dose = require "aza.dose"
local patient = require "aza.input.patient"

local ipairs, math, string, table, tostring =
  ipairs, math, string, table, tostring

local M = {}

--- The modifier kinds of `aza.dose.modify`, in the order they apply.
M.MODIFIER_ORDER = require("aza.core").names.modifiers

local function num(v)
  return patient.num(v)
end

-- round to 2 decimals (half away from zero; doses are positive)
local function round2(x)
  return math.floor(x * 100 + 0.5) / 100
end

local function qty(value, unit)
  return { value = value, unit = unit }
end

-- {=== weekly schedules ===
--
-- A set_dose or reduce with `days_per_week` (1-6) makes the dose a weekly
-- schedule: plan amounts are then the amount of each dosing day (the dose
-- maths and the modifiers work on it unchanged; a cap is a ceiling on it, the
-- stricter reading), and doses are compared by their day-equivalent (weekly
-- amount ÷ 7). See docs/dose-maths.md.

local WEEK = 7

-- the dosing days a week of a plan or an action: 7 (every day) unless a schedule
local function days_of(t)
  local d = t and t.days_per_week
  return (d and d < WEEK) and d or WEEK
end

-- the day-equivalent of an amount given on `days` days a week
local function per_day(mg, days)
  return days == WEEK and mg or mg * days / WEEK
end

-- a plan's dose as a day-equivalent
local function plan_per_day(plan)
  return per_day(plan.target_mg_per_day, days_of(plan))
end

-- the days_per_week field of a plan or trace step: nil for every day
local function schedule_days(d)
  return d < WEEK and d or nil
end

-- the plan p2 (made from plan by action m) with the fewer dosing days of the two
local function with_days(p2, plan, m)
  local d = math.min(days_of(plan), days_of(m))
  p2.days_per_week = schedule_days(d)
  return p2
end

local function days_text(d)
  return d .. (d == 1 and " day" or " days") .. " a week"
end

-- "150 mg/day", or "25 mg on 3 days a week"
local function amount_text(mg, days)
  if days == WEEK then
    return num(mg) .. " mg/day"
  end
  return num(mg) .. " mg on " .. days_text(days)
end

-- }===

-- {=== dose: the standard dose ===

local function weight_q(w)
  return qty(w, "kg")
end

local function rate_q(r)
  return qty(r, "mg/kg/d")
end

-- the weight-based plan of a rate and band (mg/kg/day numbers); rounding: a mode name
-- (default nearest_in_band)
local function weight_plan(w, rate, band, formulary, rounding)
  return dose.target { weight = weight_q(w), rate = rate_q(rate),
                       band = band and { rate_q(band[1]), rate_q(band[2]) } or nil,
                       formulary = formulary, rounding = rounding }
end

local function band_text(b)
  return b and (num(b[1]) .. "–" .. num(b[2]) .. " mg/day") or nil
end

local function standard_detail(rate, w, plan)
  local s = num(rate) .. " mg/kg/day × " .. num(w) .. " kg = " .. num(plan.exact_mg_per_day)
    .. " mg/day"
  if plan.band_mg_per_day then
    s = s .. "; band " .. band_text(plan.band_mg_per_day)
  end
  s = s .. "; " .. plan.rounding .. " → " .. num(plan.target_mg_per_day) .. " mg/day"
  if plan.in_band == false then
    s = s .. " (no deliverable dose inside the band: the largest below its top)"
  end
  return s
end

-- the weight-based standard dose of parameters.dose, traced; nil when the
-- protocol has none; nil, message, code when the dose maths refuses it
local function weight_standard(out, st, w, note)
  local params = st.p.parameters or {}
  local d = params.dose
  if not d then
    return nil
  elseif d.mg_per_day then
    -- a fixed standard dose (deliverable: checked at load)
    local plan, msg, code = dose.current(d.mg_per_day, { weight = weight_q(w),
                                                         formulary = params.formulary })
    if not plan then
      return nil, "parameters.dose: " .. tostring(msg), code
    end
    out:step { what = "standard dose", why = "parameters.dose",
               cite = d.cite and out:cite(d.cite) or nil, exact_mg_per_day = d.mg_per_day,
               after_mg_per_day = plan.target_mg_per_day,
               detail = "a fixed " .. num(d.mg_per_day) .. " mg/day (parameters.dose.mg_per_day; "
                 .. num(round2(d.mg_per_day / w)) .. " mg/kg/day at " .. num(w) .. " kg)"
                 .. (note or "") }
    return plan
  end
  local plan, msg, code = weight_plan(w, d.mg_per_kg_per_day, d.band, params.formulary,
                                      d.rounding)
  if not plan then
    return nil, "parameters.dose: " .. tostring(msg), code
  end
  out:step { what = "standard dose", why = "parameters.dose",
             cite = d.cite and out:cite(d.cite) or nil,
             exact_mg_per_day = plan.exact_mg_per_day, after_mg_per_day = plan.target_mg_per_day,
             band_mg_per_day = plan.band_mg_per_day, rounding = plan.rounding,
             detail = standard_detail(d.mg_per_kg_per_day, w, plan) .. (note or "") }
  return plan
end

-- the plan of one set_dose action, or nil, message, code
local function set_dose_plan(a, w, formulary)
  if a.mg_per_kg_per_day then
    local plan, msg, code = weight_plan(w, a.mg_per_kg_per_day, a.band, formulary)
    if not plan then
      return nil, msg, code
    end
    return with_days(plan, nil, a), standard_detail(a.mg_per_kg_per_day, w, plan)
      .. (days_of(a) < WEEK and (" on each dosing day, " .. days_text(a.days_per_week)) or "")
  end
  local r, msg, code = dose.round(a.mg_per_day, { mode = "down", formulary = formulary })
  if not r then
    return nil, msg, code
  end
  local plan
  plan, msg, code = dose.current(r.mg, { weight = weight_q(w), formulary = formulary })
  if not plan then
    return nil, msg, code
  end
  if days_of(a) < WEEK then
    return with_days(plan, nil, a), num(a.mg_per_day) .. " mg on each dosing day, "
      .. days_text(a.days_per_week) .. "; down → " .. num(r.mg) .. " mg"
  end
  return plan, num(a.mg_per_day) .. " mg/day; down → " .. num(r.mg) .. " mg/day"
end

-- a set dose without a band that the formulary cannot give is rounded down: say so, with
-- the size of the cut (1 mg/kg/day x 70 kg = 70 -> 50 mg/day, -28.6 %), never silently
local function rounded_down_warning(out, m, plan, w)
  local wanted = m.mg_per_kg_per_day and m.band == nil and m.mg_per_kg_per_day * w
    or m.mg_per_day
  if not wanted or wanted - plan.target_mg_per_day <= 1e-6 then
    return
  end
  local cut = (plan.target_mg_per_day - wanted) / wanted * 100
  local unit = days_of(m) < WEEK and " mg on each dosing day" or " mg/day"
  out:warn("rule " .. m.rule, "set_dose: " .. (m.mg_per_kg_per_day and (num(m.mg_per_kg_per_day)
    .. " mg/kg × " .. num(w) .. " kg = ") or "") .. num(wanted) .. unit .. " is not "
    .. "deliverable with the formulary: rounded down to " .. num(plan.target_mg_per_day)
    .. unit .. " (" .. num(round2(cut)) .. " %)" .. (m.mg_per_kg_per_day and "; give the "
      .. "rule a band (band = { low, high } in mg/kg/day) to get the nearest deliverable dose "
      .. "inside it" or ""))
end

-- several set_dose: each worked out, the lowest chosen; the others are traced
-- as not applied. Returns the plan, the action and its detail (the caller
-- traces the chosen one), or nil, the action, message, code.
local function choose_set_dose(out, list, w, formulary)
  local best, best_m, best_detail
  local tried = {}
  for _, m in ipairs(list) do
    local plan, detail, code = set_dose_plan(m, w, formulary)
    if not plan then
      return nil, m, detail, code
    end
    tried[#tried + 1] = { m = m, plan = plan, detail = detail }
    if not best or plan_per_day(plan) < plan_per_day(best) then
      best, best_m, best_detail = plan, m, detail
    end
  end
  rounded_down_warning(out, best_m, best, w)
  for _, t in ipairs(tried) do
    if t.m ~= best_m then
      out:step { what = "set_dose", why = t.m.rule, cite = t.m.cite, applied = false,
                 after_mg_per_day = t.plan.target_mg_per_day,
                 days_per_week = t.plan.days_per_week,
                 detail = "not applied: " .. best_m.rule .. " gives the same or a lower dose ("
                   .. "this rule alone: " .. t.detail .. ")" }
    end
  end
  return best, best_m, best_detail
end

-- }===

-- {=== dose: modifiers ===

-- the aza.dose.modify kind and value of a fired modifier
local function modifier_spec(m)
  if m.type == "cap" then
    local v = m.mg_per_kg_per_day and qty(m.mg_per_kg_per_day, "mg/kg/d")
      or qty(m.mg_per_day, "mg/d")
    return "cap", { value = v, why = m.rule }
  elseif m.fraction ~= nil then
    return "fraction", { value = m.fraction, why = m.rule }
  elseif m.low ~= nil and m.high ~= nil then
    return "percent", { value = m.percent, low = m.low, high = m.high, why = m.rule }
  end
  return "reduce", { value = m.percent, why = m.rule }
end

-- fired modifiers by kind, in rule order; set_dose separately
local function group_modifiers(mods)
  local groups = { set_dose = {} }
  for _, k in ipairs(M.MODIFIER_ORDER) do
    groups[k] = {}
  end
  for _, m in ipairs(mods or {}) do
    if m.type == "set_dose" then
      groups.set_dose[#groups.set_dose + 1] = m
    elseif m.type == "reduce" or m.type == "cap" then
      local kind, spec = modifier_spec(m)
      local g = groups[kind]
      g[#g + 1] = { m = m, spec = spec }
    end
  end
  return groups
end

-- weekly: the amounts are those of a dosing day of a weekly schedule
local function modifier_detail(kind, e, weekly)
  local parts = {}
  local unit = weekly and " mg a dosing day" or " mg/day"
  if kind == "percent" then
    local b = e.band_mg_per_day
    parts[#parts + 1] = "exact " .. num(e.exact_mg_per_day) .. (weekly and " mg" or " mg/day")
      .. ", band " .. num(b[1]) .. "–" .. num(b[2]) .. unit
  else
    parts[#parts + 1] = "limit " .. num(e.limit_mg_per_day) .. unit
  end
  parts[#parts + 1] = e.rounding
  if not e.changed then
    parts[#parts + 1] = "unchanged"
  end
  return table.concat(parts, "; ")
end

-- apply one kind; returns the new plan, or nil, nodose-info, or nil, nil, msg, code
local function apply_kind(out, plan, kind, list)
  local results = {}
  for _, c in ipairs(list) do
    local p2, msg, code = dose.modify(plan, { [kind] = c.spec })
    if not p2 then
      if code == "E_NODOSE" then
        return nil, { m = c.m, kind = kind, message = msg, before = plan.target_mg_per_day }
      end
      return nil, nil, "rule '" .. c.m.rule .. "': " .. tostring(msg), code
    end
    results[#results + 1] = { c = c, plan = with_days(p2, plan, c.m) }
  end
  local best = results[1]
  for i = 2, #results do
    if plan_per_day(results[i].plan) < plan_per_day(best.plan) then
      best = results[i]
    end
  end
  for _, r in ipairs(results) do
    local e = r.plan.trace[#r.plan.trace]
    local entry = out:step {
      what = kind, why = r.c.m.rule, cite = r.c.m.cite,
      before_mg_per_day = e.before_mg_per_day, after_mg_per_day = e.after_mg_per_day,
      exact_mg_per_day = e.exact_mg_per_day, band_mg_per_day = e.band_mg_per_day,
      limit_mg_per_day = e.limit_mg_per_day, rounding = e.rounding,
      changed = e.changed or days_of(r.plan) ~= days_of(plan),
      days_per_week = r.plan.days_per_week,
      detail = modifier_detail(kind, e, days_of(r.plan) < WEEK) .. (days_of(r.plan) ~= days_of(plan)
        and ("; on each dosing day, " .. days_text(r.plan.days_per_week)) or ""),
    }
    if r ~= best then
      entry.applied = false
      entry.detail = "not applied: " .. best.c.m.rule .. " gives the same or a lower dose (this "
        .. "rule alone would give " .. amount_text(e.after_mg_per_day, days_of(r.plan)) .. ")"
    end
  end
  return best.plan
end

local function no_deliverable_dose(out, info)
  local m = info.m
  out:raise("withhold", "no-deliverable-dose")
  out.alerts[#out.alerts + 1] = {
    id = "no-deliverable-dose", kind = "input", severity = "critical",
    message = "No deliverable dose after rule " .. m.rule .. ": " .. info.message
      .. ". No dose is given: review with a specialist (a smaller tablet strength or an "
      .. "alternate-day regimen may be needed).",
    cite = m.cite,
  }
  out:step { what = info.kind, why = m.rule, cite = m.cite, before_mg_per_day = info.before,
             detail = info.message }
  out:step { what = "no dose", why = m.rule, cite = m.cite,
             detail = "no deliverable dose after " .. m.rule }
end

-- the standard dose itself is not deliverable (a small child with 25 mg tablets): no dose
local function standard_not_deliverable(out, st, msg)
  local d = (st.p.parameters or {}).dose or {}
  no_deliverable_dose(out, { m = { rule = "parameters.dose", cite = d.cite and out:cite(d.cite) },
                             kind = "standard dose", message = (string.gsub(tostring(msg),
                               "^parameters%.dose: ", "")) })
end

-- }===

-- {=== dose: regimen and titration ===

local function formulary_text(formulary)
  local f = dose.formulary(formulary)
  local parts = {}
  for i, t in ipairs(f or {}) do
    parts[i] = num(t.mg) .. " mg" .. (t.scored and " (scored)" or "")
  end
  return table.concat(parts, ", ")
end

-- the regimen of `mg` (each dosing day's amount) on `days` days a week (7: daily)
local function regimen_of(out, st, mg, days)
  local params = st.p.parameters or {}
  local r = params.regimen or {}
  days = days or WEEK
  local reg, msg = dose.regimen(mg, params.formulary, {
    split_above = r.split_above_mg_per_day or nil,
    twice_daily = r.twice_daily or nil,
    allow_alternate = r.allow_alternate or nil,
    days_per_week = schedule_days(days),
  })
  if not reg then
    out:warn("dose.regimen", "no regimen for " .. amount_text(mg, days) .. ": " .. tostring(msg))
    return nil
  end
  local cite = ((st.p.data or {}).citations or {}).formulary
  out:step { what = "regimen", why = "parameters.formulary",
             cite = cite and out:cite(cite) or nil, after_mg_per_day = mg,
             days_per_week = schedule_days(days),
             detail = reg.text .. " (tablets: " .. formulary_text(params.formulary) .. ")" }
  return dose.plain(reg)
end

-- where a titration comes from: a set_dose start or parameters.titration;
-- `{rate | mg, step, every, why, cite}` or nil (no titration)
local function titration_source(out, st, set)
  if set and (set.start_mg_per_kg_per_day or set.start_mg_per_day) then
    return { rate = set.start_mg_per_kg_per_day, mg = set.start_mg_per_day,
             every = set.start_weeks or set.weeks, why = set.rule, cite = set.cite }
  end
  local t = (st.p.parameters or {}).titration
  if not t then
    return nil
  end
  if t.start_mg_per_kg_per_day then
    return { rate = t.start_mg_per_kg_per_day, every = t.start_weeks,
             why = "parameters.titration", cite = t.cite and out:cite(t.cite) or nil }
  end
  return { mg = t.start_mg_per_day, step = t.step_mg_per_day, every = t.every_weeks,
           why = "parameters.titration", cite = t.cite and out:cite(t.cite) or nil }
end

local function weeks_text(n)
  return num(n) .. (n == 1 and " week" or " weeks")
end

-- the start the formulary cannot make at or below the protocol's start: the
-- smallest deliverable dose not above the final dose, with a warning alert
-- (kind `input`, as no-deliverable-dose: the site's formulary cannot express
-- the protocol's number). Returns the start in mg/day, or nil (no titration:
-- start at the final dose).
local function start_rounded_up(out, src, exact, w, final, formulary)
  local up = dose.round(exact, { mode = "nearest_in_band", band = { exact, final },
                                 formulary = formulary })
  local start = up and up.mg < final and up.mg or nil
  local wanted = num(exact) .. " mg/day"
  if src.rate then
    wanted = wanted .. " (" .. num(src.rate) .. " mg/kg/day × " .. num(w) .. " kg)"
  end
  local cannot = "start dose " .. wanted .. " cannot be given with the formulary ("
    .. formulary_text(formulary) .. "): nothing deliverable is at or below it"
  local plan
  if start then
    plan = "starting at " .. num(start) .. " mg/day (" .. num(round2(start / w))
      .. " mg/kg/day), the smallest deliverable dose, "
      .. (src.step and ("then +" .. num(src.step) .. " mg/day every " .. weeks_text(src.every)
                        .. " up to " .. num(final) .. " mg/day")
          or ("for " .. weeks_text(src.every) .. ", then " .. num(final) .. " mg/day"))
  else
    plan = "the smallest deliverable dose is the final dose: no titration, starting at "
      .. num(final) .. " mg/day (" .. num(round2(final / w)) .. " mg/kg/day)"
  end
  out:step { what = "titration start", why = src.why, cite = src.cite,
             exact_mg_per_day = exact, after_mg_per_day = start or final,
             detail = "the " .. cannot .. "; " .. plan }
  out.alerts[#out.alerts + 1] = {
    id = "start-dose-rounded-up", kind = "input", severity = "warning",
    message = "The " .. cannot .. "; " .. plan .. ".", cite = src.cite,
  }
  return start
end

-- the titration options, or nil (no titration); `final` is the final dose
local function titration_opts(out, st, plan, w, set)
  local src = titration_source(out, st, set)
  if not src then
    return nil
  end
  local formulary = (st.p.parameters or {}).formulary
  local final = plan.target_mg_per_day
  local o = { target = plan, weight = weight_q(w), formulary = formulary, every = src.every,
              step = src.step and qty(src.step, "mg/d") or nil }
  local exact = src.rate and src.rate * w or src.mg
  local down, _, code = dose.round(exact, { mode = "down", formulary = formulary })
  if down then
    if src.rate then
      o.start = rate_q(src.rate)   -- the core rounds it down (the same number)
    else
      if down.mg ~= src.mg then
        out:step { what = "titration start", why = src.why, before_mg_per_day = src.mg,
                   after_mg_per_day = down.mg,
                   detail = "start " .. num(src.mg) .. " mg/day is not deliverable with the "
                     .. "formulary: rounded down" }
      end
      o.start = qty(down.mg, "mg/d")
    end
  elseif code == "E_NODOSE" then
    local start = start_rounded_up(out, src, exact, w, final, formulary)
    o.start = qty(start or final, "mg/d")
  else
    o.start = src.rate and rate_q(src.rate) or qty(src.mg, "mg/d")
  end
  return o, src.why, src.cite
end

local function titration_of(out, st, plan, w, set)
  local o, why, cite = titration_opts(out, st, plan, w, set)
  if not o then
    return nil
  end
  local steps, msg = dose.titration(o)
  if not steps then
    out:warn("parameters.titration", "no titration schedule: " .. tostring(msg))
    return nil
  end
  local list, parts = {}, {}
  for i, s in ipairs(steps) do
    list[i] = { mg_per_day = s.mg_per_day, week = s.week }
    parts[i] = num(s.mg_per_day) .. " mg/day from week " .. num(s.week)
  end
  out:step { what = "titration", why = why, cite = cite,
             after_mg_per_day = plan.target_mg_per_day, detail = table.concat(parts, ", ") }
  return list
end

-- }===

-- {=== dose: a patient starting (naive) or restarting (stopped) ===

-- the band shown with the final dose (see the module description)
local function final_band(plan, set)
  local band = plan.band_mg_per_day
  if set and set.mg_per_day then
    band = nil
  end
  local limit
  for _, e in ipairs(plan.trace or {}) do
    if e.changed then
      if e.modifier == "percent" then
        band, limit = e.band_mg_per_day, nil
      else
        band, limit = nil, e.limit_mg_per_day
      end
    end
  end
  return band, limit
end

-- one kind of modifier of the fired rules on plan: the new plan (plan itself when none
-- fired), or nil (no dose: recorded in out), or nil, msg, code
local function apply_group(out, plan, kind, groups)
  if #groups[kind] == 0 then
    return plan
  end
  local p2, nodose, msg, code = apply_kind(out, plan, kind, groups[kind])
  if nodose then
    no_deliverable_dose(out, nodose)
    return nil
  end
  return p2, msg, code
end

-- the modifiers in their fixed order: plan, or nil (no dose), or nil, msg, code
local function apply_modifiers(out, plan, groups)
  for _, kind in ipairs(M.MODIFIER_ORDER) do
    local p2, msg, code = apply_group(out, plan, kind, groups)
    if not p2 then
      return nil, msg, code
    end
    plan = p2
  end
  return plan
end

-- the dose steps that acted on the dose (for `dose.modifiers`)
local function applied_steps(out)
  local applied = {}
  for _, e in ipairs(out.dose_trace) do
    if e.what ~= "standard dose" and e.what ~= "current dose" and e.what ~= "regimen"
      and e.what ~= "titration" and e.what ~= "titration start" and e.applied ~= false then
      applied[#applied + 1] = e
    end
  end
  return applied
end

-- the rule of the first applied dose step that made the dose a weekly schedule
local function schedule_rule(out)
  for _, e in ipairs(out.dose_trace) do
    if e.days_per_week and e.applied ~= false and e.what ~= "regimen" then
      return e.why
    end
  end
  return nil
end
M.schedule_rule = schedule_rule

-- the rule of the first applied dose step that changed the dose
local function first_change(out)
  for _, e in ipairs(out.dose_trace) do
    if e.changed and e.applied ~= false and e.why then
      return e.why
    end
  end
  return nil
end

-- the weight-based standard dose and the plan the modifiers start from (a
-- fired set_dose replaces the standard): std, plan, set; or nil (no dose),
-- or nil, nil, nil, message, code
local function start_plan(out, st, w, groups)
  local params = st.p.parameters or {}
  local std, msg, code = weight_standard(out, st, w)
  if not std and code == "E_NODOSE" and #groups.set_dose == 0 then
    -- the patient is too light for the formulary: no dose, never a protocol error
    standard_not_deliverable(out, st, msg)
    return nil
  end
  if not std and #groups.set_dose == 0 then
    if not msg then
      out:step { what = "no dose", why = "parameters.dose",
                 detail = "the protocol has no standard dose (parameters.dose)" }
    end
    return nil, nil, nil, msg, code
  end
  if #groups.set_dose == 0 then
    return std, std, nil
  end
  local plan, m, detail
  plan, m, detail, code = choose_set_dose(out, groups.set_dose, w, params.formulary)
  if not plan and code == "E_NODOSE" then
    no_deliverable_dose(out, { m = m, kind = "set_dose", message = detail,
                               before = std and std.target_mg_per_day or nil })
    return nil
  elseif not plan then
    return nil, nil, nil, "rule '" .. m.rule .. "': " .. tostring(detail), code
  end
  out:step { what = "set_dose", why = m.rule, cite = m.cite,
             before_mg_per_day = std and std.target_mg_per_day or nil,
             after_mg_per_day = plan.target_mg_per_day, band_mg_per_day = plan.band_mg_per_day,
             days_per_week = plan.days_per_week,
             changed = not std or plan_per_day(plan) ~= std.target_mg_per_day,
             detail = detail }
  return std, plan, m
end

-- the dose table's amounts: a daily dose as it is; a weekly schedule as its
-- day-equivalent (2 decimals), with the schedule itself and its band or limit
-- in amounts of a dosing day
local function amounts(d, final, days, band, limit, w, reg)
  if days == WEEK then
    d.target_mg_per_day, d.band_mg_per_day, d.limit_mg_per_day = final, band, limit
    d.target_mg_per_kg_per_day = round2(final / w)
  else
    local eq = round2(per_day(final, days))
    d.target_mg_per_day, d.target_mg_per_kg_per_day = eq, round2(per_day(final, days) / w)
    d.schedule = { days_per_week = days, dosing_days = reg and reg.dosing_days or nil,
                   mg_per_dosing_day = final, mg_per_week = final * days,
                   band_mg_per_dosing_day = band, limit_mg_per_dosing_day = limit }
  end
  d.weight_kg = w
  return d
end
M.amounts = amounts

local function start_dose(out, st, w, status, groups)
  local std, plan, set, msg, code = start_plan(out, st, w, groups)
  if not plan then
    return nil, msg, code
  end
  local before = plan_per_day(plan)
  local final_plan
  final_plan, msg, code = apply_modifiers(out, plan, groups)
  if not final_plan then
    return nil, msg, code
  end
  local final, days = final_plan.target_mg_per_day, days_of(final_plan)
  -- adjust: the dose differs from the weight-based standard dose (design §5)
  if set and (not std or before ~= std.target_mg_per_day) then
    out.changed_by = set.rule
  elseif plan_per_day(final_plan) ~= before then
    out.changed_by = first_change(out)
  end
  local band, limit = final_band(final_plan, set)
  local titration
  if status ~= "stopped" and days < WEEK then
    out:step { what = "titration", why = schedule_rule(out), after_mg_per_day = final,
               days_per_week = days,
               detail = "no titration: the dose is a weekly schedule (" .. amount_text(final, days)
                 .. ") given from the start" }
  elseif status ~= "stopped" then
    titration = titration_of(out, st, final_plan, w, set)
  end
  local reg = regimen_of(out, st, final, days)
  local d = amounts({
    standard_mg_per_day = (std or final_plan).standard_mg_per_day,
    standard_target_mg_per_day = std and std.target_mg_per_day or nil,
    unmodified_mg_per_day = days_of(plan) == WEEK and plan.target_mg_per_day or round2(before),
    basis = set and "set_dose" or "weight",
    regimen = reg,
    titration = titration,
    modifiers = applied_steps(out),
  }, final, days, band, limit, w, reg)
  return d
end

-- }===

M.WEEK = WEEK
M.days_of = days_of
M.per_day = per_day
M.plan_per_day = plan_per_day
M.with_days = with_days
M.days_text = days_text
M.schedule_days = schedule_days
M.amount_text = amount_text
M.weight_q = weight_q
M.rate_q = rate_q
M.weight_plan = weight_plan
M.band_text = band_text
M.standard_detail = standard_detail
M.weight_standard = weight_standard
M.set_dose_plan = set_dose_plan
M.choose_set_dose = choose_set_dose
M.modifier_spec = modifier_spec
M.group_modifiers = group_modifiers
M.modifier_detail = modifier_detail
M.apply_kind = apply_kind
M.apply_group = apply_group
M.no_deliverable_dose = no_deliverable_dose
M.standard_not_deliverable = standard_not_deliverable
M.formulary_text = formulary_text
M.regimen_of = regimen_of
M.titration_source = titration_source
M.weeks_text = weeks_text
M.start_rounded_up = start_rounded_up
M.titration_opts = titration_opts
M.titration_of = titration_of
M.final_band = final_band
M.apply_modifiers = apply_modifiers
M.applied_steps = applied_steps
M.first_change = first_change
M.start_plan = start_plan
M.start_dose = start_dose
M.num = num
M.round2 = round2
M.qty = qty

return M

--- The dose stage as a whole: no dose when contraindicated or without a weight, the
-- flow of a patient starting (aza.protocol.dose_start), and the flow of a patient already
-- taking azathioprine, whose current dose the rules act on. See
-- docs/internals/protocol-pipeline.md.
--
-- @module aza.protocol.dose_flow

local dose = require "aza.dose"
local start = require "aza.protocol.dose_start"

local ipairs, math, tostring =
  ipairs, math, tostring

local M = {}

local weight_q = start.weight_q
local band_text = start.band_text
local weight_standard = start.weight_standard
local choose_set_dose = start.choose_set_dose
local group_modifiers = start.group_modifiers
local apply_group = start.apply_group
local no_deliverable_dose = start.no_deliverable_dose
local standard_not_deliverable = start.standard_not_deliverable
local regimen_of = start.regimen_of
local applied_steps = start.applied_steps
local first_change = start.first_change
local start_dose = start.start_dose
local num = start.num
local WEEK = start.WEEK
local days_of = start.days_of
local per_day = start.per_day
local with_days = start.with_days
local amount_text = start.amount_text
local amounts = start.amounts

-- {=== dose: a patient already taking azathioprine (active) ===
--
-- The dose rules act on the current dose (design §5) without cutting an
-- already reduced dose again at every review: the pharmacogenomic band and
-- the renal ceiling are worked out as for a patient starting now (the
-- "reference" chain: standard dose, set_dose, percentage, reduction) and the
-- current dose is lowered only when it is above them; the allopurinol
-- fraction and caps act on the current dose.

local TOL = 1e-6

local function above(a, b)
  return a > b + TOL
end

-- a current dose (cur mg on cur_days days a week) is above a ceiling (top mg on days days a
-- week) when its day-equivalent is above the ceiling's, or, against a daily ceiling, when
-- the amount of one of its dosing days is (350 mg on 2 days a week is 100 mg/day on average,
-- but 350 mg on a day: above a daily ceiling of 100 mg) — the stricter reading, as for a cap
local function exceeds(cur, cur_days, top, days)
  return above(per_day(cur, cur_days), per_day(top, days))
    or (days == WEEK and cur_days < WEEK and above(cur, top))
end

-- a daily dose moved to a weekly schedule whose dosing day holds more than the patient takes
-- a day now: lower exposure, but a larger single amount; say so
local function single_day_warning(out, rule, cur, cur_days, new, new_days)
  if new_days < cur_days and above(new, cur) then
    out:warn("rule " .. tostring(rule), "the weekly schedule gives " .. num(new) .. " mg on "
      .. "each dosing day, more than the " .. num(cur) .. " mg taken on one day now (less "
      .. "in a week: " .. num(start.round2(per_day(new, new_days))) .. " mg/day on average): "
      .. "check that the single amount is intended")
  end
end

-- the lowest of the candidates (ties: the earlier); `key` picks the number
local function lowest(list, key)
  local best = list[1]
  for i = 2, #list do
    if key(list[i]) < key(best) then
      best = list[i]
    end
  end
  return best
end

local function pct_band_text(spec, e)
  return num(spec.low) .. "–" .. num(spec.high) .. " % band (" .. band_text(e.band_mg_per_day)
    .. ")"
end

local function active_percent_detail(cur, r)
  local e, spec = r.e, r.c.spec
  if r.new ~= cur then
    return "current " .. num(cur) .. " mg/day is above the " .. pct_band_text(spec, e) .. ": "
      .. num(spec.value) .. " % of " .. num(r.base) .. " mg/day (" .. r.label .. ") = "
      .. num(e.exact_mg_per_day) .. " mg/day, " .. e.rounding .. " → " .. num(r.new) .. " mg/day"
  end
  local where = above(e.band_mg_per_day[1], cur) and "below" or "within"
  return "current " .. num(cur) .. " mg/day is " .. where .. " the " .. pct_band_text(spec, e)
    .. ": kept" .. (where == "below" and " (a reduction never raises a dose)" or "")
end

local function active_reduce_detail(cur, r)
  local e, spec = r.e, r.c.spec
  local ceiling = "the ceiling " .. num(r.ceiling) .. " mg/day (" .. num(spec.value) .. " % of "
    .. num(r.base) .. " mg/day, " .. r.label .. ", = " .. num(e.exact_mg_per_day)
    .. ", rounded down)"
  if r.new ~= cur then
    return "current " .. num(cur) .. " mg/day is above " .. ceiling .. ": lowered to "
      .. num(r.new) .. " mg/day"
  end
  return "current " .. num(cur) .. " mg/day is at or below " .. ceiling .. ": kept"
end

-- one reference-chain kind (percent or reduce) against the current dose.
-- Returns the new current dose, the new reference plan and the chosen
-- candidate; or nil (no dose); or nil, message, code.
-- a weekly schedule against the current dose (comparisons by day-equivalent)
local function active_weekly_detail(cur, cur_days, r, kind)
  local top = r.days == WEEK and "" or (" (" .. num(start.round2(per_day(r.top, r.days)))
    .. " mg/day on average)")
  local what = (kind == "percent" and "the top of the band " or "the ceiling ")
    .. amount_text(r.top, r.days) .. top
  local now = "current " .. amount_text(cur, cur_days)
  if cur_days < WEEK then
    now = now .. " (" .. num(start.round2(per_day(cur, cur_days))) .. " mg/day on average)"
  end
  if r.new ~= cur or r.new_days ~= cur_days then
    return now .. " is above " .. what .. ": " .. amount_text(r.new, r.new_days)
  end
  return now .. " is not above " .. what .. ": kept"
end

-- one candidate of active_ref_kind: what rule c's plan p2 (from ref) does to the current dose
local function active_candidate(kind, c, p2, ref, cur, cur_days, label)
  p2 = with_days(p2, ref, c.m)
  local e = p2.trace[#p2.trace]
  local top = kind == "percent" and e.band_mg_per_day[2] or p2.target_mg_per_day
  local days = days_of(p2)
  local lower = exceeds(cur, cur_days, top, days)
  return {
    c = c, plan = p2, e = e, ceiling = p2.target_mg_per_day, top = top, days = days,
    base = kind == "percent" and ref.standard_mg_per_day or ref.target_mg_per_day,
    label = kind == "percent" and label.exact or label.target,
    new = lower and p2.target_mg_per_day or cur, new_days = lower and days or cur_days,
  }
end

-- the trace step of one candidate (best: the one applied)
local function active_ref_step(out, kind, r, best, cur, cur_days)
  local e = r.e
  local detail
  if r.days < WEEK or cur_days < WEEK then
    detail = active_weekly_detail(cur, cur_days, r, kind)
  elseif kind == "percent" then
    detail = active_percent_detail(cur, r)
  else
    detail = active_reduce_detail(cur, r)
  end
  local entry = out:step {
    what = kind, why = r.c.m.rule, cite = r.c.m.cite, before_mg_per_day = cur,
    after_mg_per_day = r.new, exact_mg_per_day = e.exact_mg_per_day,
    band_mg_per_day = e.band_mg_per_day, limit_mg_per_day = e.limit_mg_per_day,
    ceiling_mg_per_day = kind == "reduce" and r.ceiling or nil,
    rounding = e.rounding, changed = r.new ~= cur or r.new_days ~= cur_days,
    days_per_week = start.schedule_days(r.new_days), detail = detail,
  }
  if r ~= best then
    entry.applied = false
    entry.detail = "not applied: " .. best.c.m.rule .. " gives the same or a lower dose (this "
      .. "rule alone: " .. entry.detail .. ")"
  else
    single_day_warning(out, r.c.m.rule, cur, cur_days, r.new, r.new_days)
  end
end

local function active_ref_kind(out, kind, list, ref, cur, cur_days, label)
  local results = {}
  for _, c in ipairs(list) do
    local p2, msg, code = dose.modify(ref, { [kind] = c.spec })
    if not p2 then
      if code == "E_NODOSE" then
        -- nothing deliverable at or below the band's top or the ceiling: the
        -- current dose (deliverable) is above it
        no_deliverable_dose(out, { m = c.m, kind = kind, message = msg, before = cur })
        return nil
      end
      return nil, "rule '" .. c.m.rule .. "': " .. tostring(msg), code
    end
    results[#results + 1] = active_candidate(kind, c, p2, ref, cur, cur_days, label)
  end
  local best = lowest(results, function(r)
    return per_day(r.new, r.new_days)
  end)
  local best_ref = lowest(results, function(r)
    return per_day(r.plan.target_mg_per_day, r.days)
  end)
  for _, r in ipairs(results) do
    active_ref_step(out, kind, r, best, cur, cur_days)
  end
  return best.new, best_ref.plan, best, best_ref.c.m.rule, best.new_days
end

-- why an active patient's dose is kept or set by a set_dose (top: its band's top or the dose)
-- (raised: a set_dose with raise = true lifted a current dose below its band's bottom)
local function set_dose_why(cur, cur_days, band, top, sdays, lower, new_text, raised)
  local now = "current " .. amount_text(cur, cur_days)
  if raised then
    return now .. " is below " .. (band and ("the bottom of its band " .. band_text(band))
      or ("the set dose " .. amount_text(top, sdays))) .. ": raised to " .. new_text
      .. " (raise = true)"
  end
  local what = band and ("the top of its band " .. band_text(band))
    or ("the set dose " .. amount_text(top, sdays))
  if sdays < WEEK then
    what = what .. " (" .. num(start.round2(per_day(top, sdays))) .. " mg/day on average)"
  end
  if lower then
    return now .. " is above " .. what .. ": set to " .. new_text
  end
  return now .. " is not above " .. what .. ": kept"
end

-- whether a set_dose lowers the current dose (above its band's top, or above the set dose)
-- or, with raise = true, raises it (below its band's bottom, or below the set dose)
local function set_dose_moves(m, cur, cur_days, band, limit, sdays)
  if exceeds(cur, cur_days, band and band[2] or limit, sdays) then
    return true, false
  end
  return false, m.raise == true
    and above(per_day(band and band[1] or limit, sdays), per_day(cur, cur_days))
end

-- set_dose for an active patient: the set dose's band top (or the set dose)
-- is a ceiling on the current dose; with raise = true its band bottom (or the set
-- dose) is a floor too
local function active_set_dose(out, st, w, groups, cur, cur_days)
  local formulary = (st.p.parameters or {}).formulary
  local sp, m, detail, code = choose_set_dose(out, groups.set_dose, w, formulary)
  if not sp and code == "E_NODOSE" then
    -- nothing deliverable at or below the set dose's band: the current dose is above it
    no_deliverable_dose(out, { m = m, kind = "set_dose", message = detail, before = cur })
    return nil
  elseif not sp then
    return nil, nil, "rule '" .. m.rule .. "': " .. tostring(detail), code
  end
  -- the band of a set_dose that has one; else the set dose itself is the limit
  local band = m.band ~= nil and sp.band_mg_per_day or nil
  local limit = not band and sp.target_mg_per_day or nil
  local top = band and band[2] or limit
  local sdays = days_of(sp)
  local lower, raised = set_dose_moves(m, cur, cur_days, band, limit, sdays)
  local change = lower or raised
  local new, new_days = change and sp.target_mg_per_day or cur, change and sdays or cur_days
  single_day_warning(out, m.rule, cur, cur_days, new, new_days)
  out:step { what = "set_dose", why = m.rule, cite = m.cite, before_mg_per_day = cur,
             after_mg_per_day = new, band_mg_per_day = band, limit_mg_per_day = limit,
             days_per_week = start.schedule_days(new_days),
             changed = new ~= cur or new_days ~= cur_days, raised = raised or nil,
             detail = detail .. "; " .. set_dose_why(cur, cur_days, band, top, sdays, lower,
               amount_text(new, new_days), raised) }
  return new, sp, band, limit, m.rule, new_days
end

-- the reference chain against the current dose: set_dose, then the
-- percentage, then the reduction. Returns the dose, band and limit; or nil
-- (no dose); or nil, message, code.
local function reference_chain(out, st, w, groups, cur, days, std)
  local ref, band, limit = std, nil, nil
  local label = { exact = "the standard dose before rounding", target = "the standard dose" }
  if #groups.set_dose > 0 then
    local new, sp, b, l, rule, d = active_set_dose(out, st, w, groups, cur, days)
    if not new then
      return nil, b, l
    end
    if d ~= days_of(sp) then
      b, l = nil, nil -- kept on another schedule than the set dose's
    end
    cur, ref, band, limit, days = new, sp, b, l, d
    label = { exact = "the set dose of " .. rule .. " before rounding",
              target = "the set dose of " .. rule }
  end
  for _, kind in ipairs { "percent", "reduce" } do
    if #groups[kind] > 0 then
      if not ref then
        return nil, "rule '" .. groups[kind][1].m.rule .. "': for a patient already taking "
          .. "azathioprine this reduction is worked from the standard dose, and the protocol "
          .. "has none (parameters.dose)", "E_PROTOCOL"
      end
      local new, ref2, best, ref_rule, d = active_ref_kind(out, kind, groups[kind], ref, cur,
        days, label)
      if not new then
        return nil, ref2, best
      end
      label = { target = "the dose after " .. ref_rule .. " for a patient starting now" }
      if kind == "percent" then
        -- (a band of another schedule than the dose's does not describe it)
        band, limit = best.days == d and best.e.band_mg_per_day or nil, nil
      elseif new ~= cur or d ~= days then
        band, limit = nil, best.e.limit_mg_per_day
      end
      cur, ref, days = new, ref2, d
    end
  end
  return cur, band, limit, days
end

-- the fraction and the caps on the current dose: plan, band, limit; or nil
-- (no dose); or nil, message, code
local function current_limits(out, groups, plan, band, limit)
  -- (the kinds that act on the current dose itself: design §5, docs/dose-maths.md)
  for _, kind in ipairs { "fraction", "cap" } do
    local p2, msg, code = apply_group(out, plan, kind, groups)
    if not p2 then
      return nil, msg, code
    end
    if p2.target_mg_per_day ~= plan.target_mg_per_day then
      band, limit = nil, p2.trace[#p2.trace].limit_mg_per_day
    end
    plan = p2
  end
  return plan, band, limit
end

-- the dosing days of the current dose (azathioprine.days_per_week; 7 when not given) and
-- the amount of a dosing day: the rate (mg/day) x 7 / days, on the 0.25 mg grid when
-- within 1e-6 of it (30 mg/wk on 3 days: 10 mg)
local function current_schedule(pt, rate)
  local days = (pt.derived or {})["azathioprine.days_per_week"] or WEEK
  if days == WEEK then
    return WEEK, rate
  end
  local amount = rate * WEEK / days
  local q = math.floor(amount * 4 + 0.5) / 4
  return days, math.abs(amount - q) < 1e-6 and q or amount
end

-- the current dose as the dose stage reads it: the amount of a dosing day and its days,
-- traced; or nil (need_data recorded), or nil, nil, message, code
local function current_start(out, pt, w, formulary)
  local given = pt.facts["azathioprine.dose"]
  if given == nil then
    out:need_data("azathioprine.dose", "an active patient's dose is worked from the "
      .. "current dose, which is not given")
    return nil
  end
  local days0, cur_given = current_schedule(pt, given)
  local cplan, msg, code = dose.current(cur_given, { weight = weight_q(w),
                                                     formulary = formulary })
  if not cplan then
    return nil, nil, "azathioprine.dose: " .. tostring(msg), code
  end
  local cur0 = cplan.target_mg_per_day
  if days0 == WEEK and math.abs(cur0 * 4 - math.floor(cur0 * 4 + 0.5)) > 1e-6 then
    out:warn("azathioprine.dose", "the current dose " .. num(start.round2(cur0)) .. " mg/day "
      .. "is no whole number of 0.25 mg a day: if it is taken on some days of the week only, "
      .. "give azathioprine.days_per_week")
  end
  out:step { what = "current dose", why = "azathioprine.dose", after_mg_per_day = cur0,
             days_per_week = start.schedule_days(days0),
             detail = "active patient: the dose rules act on the current dose"
               .. (days0 < WEEK and (" (" .. amount_text(cur0, days0) .. ")") or "") }
  return cur0, days0
end

-- an amount on `days` days a week as mg/day: itself, or the day-equivalent (2 decimals)
local function as_per_day(mg, days)
  return days < WEEK and start.round2(per_day(mg, days)) or mg
end

local function current_dose(out, st, pt, w, groups)
  local formulary = (st.p.parameters or {}).formulary
  local cur0, days0, msg, code = current_start(out, pt, w, formulary)
  if not cur0 then
    return nil, msg, code
  end
  local std
  std, msg, code = weight_standard(out, st, w, "; the reference for the pharmacogenomic band "
    .. "and the reduction ceilings (the patient takes " .. amount_text(cur0, days0) .. ")")
  local needs_std = #groups.percent > 0 or #groups.reduce > 0
  if not std and code == "E_NODOSE" and needs_std then
    standard_not_deliverable(out, st, msg)
    return nil
  elseif not std and msg and needs_std then
    return nil, msg, code
  end
  local cur, band, limit, days = reference_chain(out, st, w, groups, cur0, days0, std)
  if not cur then
    return nil, band, limit
  end
  local plan = assert(dose.current(cur, { weight = weight_q(w), formulary = formulary }))
  plan.days_per_week = start.schedule_days(days)
  plan, band, limit = current_limits(out, groups, plan, band, limit)
  if not plan then
    return nil, band, limit
  end
  local final = plan.target_mg_per_day
  days = days_of(plan)
  if final ~= cur0 or days ~= days0 then
    out.changed_by = first_change(out)
  end
  local reg = regimen_of(out, st, final, days)
  return amounts({
    standard_mg_per_day = std and std.standard_mg_per_day or nil,
    standard_target_mg_per_day = std and std.target_mg_per_day or nil,
    current_mg_per_day = as_per_day(cur0, days0),
    current_days_per_week = start.schedule_days(days0),
    unmodified_mg_per_day = as_per_day(cur0, days0),
    basis = "current",
    regimen = reg,
    modifiers = applied_steps(out),
  }, final, days, band, limit, w, reg)
end

-- }===

-- {=== dose: the whole flow ===

local function status_of(out, pt)
  local status = pt.facts["azathioprine.status"]
  if status == nil then
    out:warn("azathioprine.status", "not given: the dose is worked out as for a patient "
      .. "starting azathioprine (naive)")
    return "naive"
  end
  return status
end

-- returns the dose table or nil; or nil, message, code for a protocol error.
-- Sets out.changed_by when a rule changed the dose (the decision is then adjust).
local function dose_flow(out, st, pt, modifiers)
  if out.decision == "contraindicated" then
    out:step { what = "no dose", why = out.decision_by, detail = "contraindicated" }
    return nil
  end
  local w = pt.facts.weight
  if w == nil then
    out:need_data("weight", "the dose is weight-based and the weight is not given")
    return nil
  end
  local status = status_of(out, pt)
  local groups = group_modifiers(modifiers)
  if status == "active" then
    return current_dose(out, st, pt, w, groups)
  end
  return start_dose(out, st, w, status, groups)
end

-- }===

--- The dose of one evaluation.
-- @tparam table out the result under construction (aza.protocol.out)
-- @tparam table st the protocol's private state
-- @tparam table pt the normalised patient
-- @tparam table modifiers the modifiers of the rules that fired, in rule order
-- @treturn table|nil the dose, or nil (no dose: the reason is in `out`)
-- @return[2] nil, message, code for a protocol error (its own numbers fail in the dose maths)
M.flow = dose_flow

return M

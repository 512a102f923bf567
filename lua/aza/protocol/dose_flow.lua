--- The dose stage as a whole: no dose when contraindicated or without a weight, the
-- flow of a patient starting (aza.protocol.dose_start), and the flow of a patient already
-- taking azathioprine, whose current dose the rules act on. See
-- docs/internals/protocol-pipeline.md.
--
-- @module aza.protocol.dose_flow

local dose = require "aza.dose"
local start = require "aza.protocol.dose_start"

local ipairs, tostring =
  ipairs, tostring

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
local round2 = start.round2

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
local function active_ref_kind(out, kind, list, ref, cur, label)
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
    local e = p2.trace[#p2.trace]
    local top = kind == "percent" and e.band_mg_per_day[2] or p2.target_mg_per_day
    results[#results + 1] = {
      c = c, plan = p2, e = e, ceiling = p2.target_mg_per_day,
      base = kind == "percent" and ref.standard_mg_per_day or ref.target_mg_per_day,
      label = kind == "percent" and label.exact or label.target,
      new = above(cur, top) and p2.target_mg_per_day or cur,
    }
  end
  local best = lowest(results, function(r)
    return r.new
  end)
  local best_ref = lowest(results, function(r)
    return r.plan.target_mg_per_day
  end)
  for _, r in ipairs(results) do
    local e = r.e
    local entry = out:step {
      what = kind, why = r.c.m.rule, cite = r.c.m.cite, before_mg_per_day = cur,
      after_mg_per_day = r.new, exact_mg_per_day = e.exact_mg_per_day,
      band_mg_per_day = e.band_mg_per_day, limit_mg_per_day = e.limit_mg_per_day,
      ceiling_mg_per_day = kind == "reduce" and r.ceiling or nil,
      rounding = e.rounding, changed = r.new ~= cur,
      detail = kind == "percent" and active_percent_detail(cur, r) or active_reduce_detail(cur, r),
    }
    if r ~= best then
      entry.applied = false
      entry.detail = "not applied: " .. best.c.m.rule .. " gives the same or a lower dose (this "
        .. "rule alone: " .. entry.detail .. ")"
    end
  end
  return best.new, best_ref.plan, best, best_ref.c.m.rule
end

-- set_dose for an active patient: the set dose's band top (or the set dose)
-- is a ceiling on the current dose
local function active_set_dose(out, st, w, groups, cur)
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
  local new = above(cur, top) and sp.target_mg_per_day or cur
  local what = band and ("the top of its band " .. band_text(band))
    or ("the set dose " .. num(top) .. " mg/day")
  local why = "current " .. num(cur) .. " mg/day is not above " .. what .. ": kept"
  if new ~= cur then
    why = "current " .. num(cur) .. " mg/day is above " .. what .. ": set to " .. num(new)
      .. " mg/day"
  end
  out:step { what = "set_dose", why = m.rule, cite = m.cite, before_mg_per_day = cur,
             after_mg_per_day = new, band_mg_per_day = band, limit_mg_per_day = limit,
             changed = new ~= cur, detail = detail .. "; " .. why }
  return new, sp, band, limit, m.rule
end

-- the reference chain against the current dose: set_dose, then the
-- percentage, then the reduction. Returns the dose, band and limit; or nil
-- (no dose); or nil, message, code.
local function reference_chain(out, st, w, groups, cur, std)
  local ref, band, limit = std, nil, nil
  local label = { exact = "the standard dose before rounding", target = "the standard dose" }
  if #groups.set_dose > 0 then
    local new, sp, b, l, rule = active_set_dose(out, st, w, groups, cur)
    if not new then
      return nil, b, l
    end
    cur, ref, band, limit = new, sp, b, l
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
      local new, ref2, best, ref_rule = active_ref_kind(out, kind, groups[kind], ref, cur, label)
      if not new then
        return nil, ref2, best
      end
      label = { target = "the dose after " .. ref_rule .. " for a patient starting now" }
      if kind == "percent" then
        band, limit = best.e.band_mg_per_day, nil
      elseif new ~= cur then
        band, limit = nil, best.e.limit_mg_per_day
      end
      cur, ref = new, ref2
    end
  end
  return cur, band, limit
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

local function current_dose(out, st, pt, w, groups)
  local formulary = (st.p.parameters or {}).formulary
  local given = pt.facts["azathioprine.dose"]
  if given == nil then
    out:need_data("azathioprine.dose", "an active patient's dose is worked from the "
      .. "current dose, which is not given")
    return nil
  end
  local cplan, msg, code = dose.current(given, { weight = weight_q(w), formulary = formulary })
  if not cplan then
    return nil, "azathioprine.dose: " .. tostring(msg), code
  end
  local cur0 = cplan.target_mg_per_day
  out:step { what = "current dose", why = "azathioprine.dose", after_mg_per_day = cur0,
             detail = "active patient: the dose rules act on the current dose" }
  local std
  std, msg, code = weight_standard(out, st, w, "; the reference for the pharmacogenomic band "
    .. "and the reduction ceilings (the patient takes " .. num(cur0) .. " mg/day)")
  if not std and code == "E_NODOSE" and (#groups.percent > 0 or #groups.reduce > 0) then
    standard_not_deliverable(out, st, msg)
    return nil
  elseif not std and msg and (#groups.percent > 0 or #groups.reduce > 0) then
    return nil, msg, code
  end
  local cur, band, limit = reference_chain(out, st, w, groups, cur0, std)
  if not cur then
    return nil, band, limit
  end
  local plan = assert(dose.current(cur, { weight = weight_q(w), formulary = formulary }))
  plan, band, limit = current_limits(out, groups, plan, band, limit)
  if not plan then
    return nil, band, limit
  end
  local final = plan.target_mg_per_day
  if final ~= cur0 then
    out.changed_by = first_change(out)
  end
  return {
    target_mg_per_day = final,
    target_mg_per_kg_per_day = round2(final / w),
    band_mg_per_day = band,
    limit_mg_per_day = limit,
    standard_mg_per_day = std and std.standard_mg_per_day or nil,
    standard_target_mg_per_day = std and std.target_mg_per_day or nil,
    current_mg_per_day = cur0,
    unmodified_mg_per_day = cur0,
    basis = "current",
    weight_kg = w,
    regimen = regimen_of(out, st, final),
    modifiers = applied_steps(out),
  }
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

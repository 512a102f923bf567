--- The result of an evaluation (design §7): decision, dose, monitoring, alerts,
-- need_data, counselling and, on request, the trace, assembled from the engine's result
-- and the dose stage. See docs/internals/protocol-pipeline.md.
--
-- @module aza.protocol.result

local catalogue = require "aza.protocol.facts"
local monitoring = require "aza.protocol.monitoring"
local copy = require("aza.protocol.dsl").copy
local out_mod = require "aza.protocol.out"

local ipairs, math, pairs, string, type =
  ipairs, math, pairs, string, type

local cite_of = out_mod.cite_of

local M = {}

local function basename(path)
  return type(path) == "string" and (string.match(path, "([^/]*)$")) or path
end

-- {=== the result ===

local function unit_of(pt, name)
  local e = catalogue.get(name)
  return pt.units[name] or (e and e.unit) or nil
end

local function rule_trace(st, pt, engine_trace, compiled)
  local out = {}
  for i, t in ipairs(engine_trace) do
    local short, text = cite_of(st.refs, t.cite)
    local facts
    for name, f in pairs(t.facts or {}) do
      facts = facts or {}
      local given = pt.given[name]
      if given == nil then
        given = f.given
      end
      facts[name] = { given = given, converted = f.converted, unit = unit_of(pt, name),
                      known = f.converted ~= nil, comparator = f.comparator }
    end
    local actions = {}
    for k, a in ipairs((compiled.rules[i] or {}).actions or {}) do
      actions[k] = a.type
    end
    local source = (compiled.rules[i] or {}).source
    out[i] = { kind = "rule", rule = t.rule, outcome = t.outcome, cite = short,
               cite_key = t.cite, reference = text, facts = facts, actions = actions,
               params = source and source.params or nil }
  end
  return out
end

local function head_trace(st, pt)
  local pub = st.public
  local out = { { kind = "protocol", id = pub.id, version = pub.version, hash = pub.hash,
                  title = pub.title, chain = copy(pub.chain) } }
  for _, o in ipairs(st.p.overrides or {}) do
    out[#out + 1] = { kind = "override", what = o.what, old = copy(o.old), new = copy(o.new),
                      by = basename(o.by), line = o.line }
  end
  for _, n in ipairs(pt.notes or {}) do
    out[#out + 1] = { kind = "input", note = n.kind, fact = n.fact, message = n.message,
                      path = n.path }
  end
  return out
end

-- the protocol's schedule (data.monitoring) from stage `first` on, as result items; the
-- first of them marked with the weeks on the dose when a patient is in the middle of it
local function schedule_items(st, out, first, weeks, counted_from)
  local items = (st.p.data or {}).monitoring or {}
  for i = first, #items do
    local m = copy(items[i])
    m.source = "protocol"
    if m.cite then
      m.cite = (cite_of(st.refs, m.cite))
    end
    local w = monitoring.weeks_of(m.every)
    m.every_days = w and w * 7 or nil
    if i == first and weeks then
      m.weeks_on_dose = math.floor(weeks * 100 + 0.5) / 100
      m.counted_from = counted_from
    end
    out[#out + 1] = m
  end
end

-- one model (aza.protocol.monitoring): a start or a changed dose gets the whole schedule; an
-- unchanged current dose the stage it is at now and the ones after it
local function monitoring_of(st, pt, r, the_dose, decision, warn)
  local out = {}
  if the_dose and (decision == "adjust" or the_dose.basis ~= "current") then
    if decision == "adjust" or decision == "proceed" then
      schedule_items(st, out, 1)
    end
  elseif the_dose and decision == "proceed" then
    local weeks, from = monitoring.weeks_on_dose(pt)
    if weeks then
      local i = monitoring.stage((st.p.data or {}).monitoring or {}, weeks)
      schedule_items(st, out, i, weeks, from)
    else
      schedule_items(st, out, 1)
      warn("azathioprine.dose_since", "neither azathioprine.dose_since nor "
        .. "azathioprine.started is given: the monitoring schedule is shown from its start")
    end
  end
  for _, m in ipairs(r.monitoring or {}) do
    local c = copy(m)
    c.source = "rule"
    out[#out + 1] = c
  end
  return out
end

local function merge_list(a, b)
  local out, seen = {}, {}
  for _, list in ipairs { a or {}, b or {} } do
    for _, v in ipairs(list) do
      if not seen[v] then
        seen[v] = true
        out[#out + 1] = v
      end
    end
  end
  return out
end

local function assemble(st, pt, r, out, the_dose, with_trace)
  -- first: it may add a warning
  local schedule = monitoring_of(st, pt, r, the_dose, out.decision, function(path, message)
    out:warn(path, message)
  end)
  local alerts = {}
  for _, a in ipairs(r.alerts or {}) do
    alerts[#alerts + 1] = copy(a)
  end
  for _, a in ipairs(out.alerts) do
    alerts[#alerts + 1] = a
  end
  local warnings = {}
  for _, w in ipairs(pt.warnings or {}) do
    warnings[#warnings + 1] = { path = w.path, message = w.message, text = w.text }
  end
  for _, w in ipairs(out.warnings) do
    warnings[#warnings + 1] = w
  end
  local trace
  if with_trace then
    trace = head_trace(st, pt)
    for _, e in ipairs(rule_trace(st, pt, r.trace or {}, st.compiled)) do
      trace[#trace + 1] = e
    end
    for _, e in ipairs(out.dose_trace) do
      trace[#trace + 1] = e
    end
    -- the rules of phase "dose", which ran with the final dose
    for _, e in ipairs(rule_trace(st, pt, r.post_trace or {}, st.post or {})) do
      e.phase = "dose"
      trace[#trace + 1] = e
    end
  end
  return {
    patient = pt.id,
    as_of = pt.as_of,
    protocol = { id = st.public.id, version = st.public.version, hash = st.public.hash },
    decision = out.decision,
    decision_by = out.decision_by,
    dose = the_dose,
    monitoring = schedule,
    alerts = alerts,
    need_data = merge_list(r.need_data, out.need),
    -- counselling is for a patient who will take azathioprine: none when it is
    -- contraindicated (the counsel rules still show as fired in the trace)
    counselling = out.decision == "contraindicated" and {} or copy(r.counselling or {}),
    warnings = warnings,
    trace = trace,
  }
end

M.assemble = assemble

return M

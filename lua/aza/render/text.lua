--- Text output of an evaluation: what a pharmacist reads (design §1).
--
-- ```
-- Decision: proceed — start azathioprine
-- Target:   150 mg/day (2.14 mg/kg/day; band 140–175 mg) as 3 × 50 mg once daily
-- Titrate:  50 mg/day weeks 0–1, 100 mg/day weeks 2–3, 150 mg/day from week 4
-- Monitor:  FBC + LFT + U&E at weeks 2, 4, 8, 12, then every 12 weeks after week 12
-- Alerts:   [warning] NUDT15 not tested … (CPIC 2025)
-- Need data: …
-- Counsel:  Take with food to reduce nausea. (BNF)
-- Why:      tpmt-normal (CPIC 2025 T4) · weight-band (BSG 2019)
-- Dose:     standard dose: 2 mg/kg/day × 70 kg = 140 mg/day; band 140–175 mg/day; … (BSG 2019)
-- Warnings: weight: …
-- Patient:  p1, as of 2026-11-21
-- Protocol: ibd 2026.1 (hash 0123456789abcdef)
-- ```
--
-- Sections without content are left out, except Decision and Target. For a
-- patient already taking azathioprine the Target line says "current dose" when
-- the dose is the one taken now, or "changed from the current … mg/day"; its
-- band is the one that applies to that dose (a pharmacogenomic band, a
-- set_dose band), never the standard band of a patient starting now. A
-- dose under a `need_data` or `withhold` decision is marked as not to be
-- given now. When there is no dose the Target line says why. Alerts are
-- listed by severity (critical, warning, info), each with its citation;
-- "Why" lists the rules whose condition held, with their citations (rules
-- that only counsel or monitor are cited in those sections instead); "Dose"
-- shows every step of the dose maths (standard dose, each modifier with the
-- rule that asked for it, modifiers not applied, titration). Long lines are
-- wrapped at `WIDTH` columns.
--
-- @module aza.render.text
-- @usage
-- local text = require "aza.render.text"
-- io.write(text.render(result))

local util = require "aza.util"
local ipairs, math, pcall, require, string, table, tonumber, tostring, type =
  ipairs, math, pcall, require, string, table, require("aza.compat").tonumber, tostring, type
local compat = require "aza.compat"

local M = {}

--- Wrap width (columns).
M.WIDTH = 100

local LABEL = 10

-- {=== formatting helpers ===

-- numbers to 2 decimals, '.' whatever the locale
local function num(v)
  if type(v) ~= "number" then
    return tostring(v)
  end
  return util.fixed(v, 2)
end
M.num = num

local function ulen(s)
  return compat.utf8_len(s) or #s
end

-- word-wrap `text` after a first-line prefix; continuation lines indented
local function wrap(prefix, text, indent)
  indent = indent or string.rep(" ", LABEL)
  local lines, line, empty = {}, prefix, true
  -- keep a number with its unit ("150 mg/day", "70 kg") on one line
  text = string.gsub(text, "(%d) ([mk]g)", "%1\1%2") -- \1: not a space (\0 ends a 5.1 pattern)
  for word in string.gmatch(text, "%S+") do
    if not empty and ulen(line) + 1 + ulen(word) > M.WIDTH then
      lines[#lines + 1] = line
      line = indent .. word
    else
      line = line .. (empty and "" or " ") .. word
    end
    empty = false
  end
  lines[#lines + 1] = line
  return (string.gsub(table.concat(lines, "\n"), "\1", " "))
end

local function label(name)
  local l = name .. ":"
  if ulen(l) >= LABEL then
    return l .. " "
  end
  return l .. string.rep(" ", LABEL - ulen(l))
end

-- a section: the first item after the label, the others on their own lines
local function section(out, name, items)
  if #items == 0 then
    return
  end
  local first = label(name)
  local pad = string.rep(" ", ulen(first))
  for i, item in ipairs(items) do
    out[#out + 1] = wrap(i == 1 and first or pad, item, pad .. "  ")
  end
end

local function cited(text, cite)
  if cite and cite ~= "" then
    return text .. " (" .. cite .. ")"
  end
  return text
end

-- }===

-- {=== decision and target ===

local DECISION = {
  proceed = { start = "start azathioprine", active = "continue azathioprine at the current dose" },
  adjust = { start = "start azathioprine at an adjusted dose",
             active = "change the azathioprine dose" },
  need_data = "more data are needed before a decision (see Need data)",
  withhold = "do not give azathioprine now",
  contraindicated = "do not give azathioprine",
}

local function decision_line(r)
  local d = r.decision
  local what = DECISION[d]
  if type(what) == "table" then
    local active = r.dose and r.dose.basis == "current"
    what = active and what.active or what.start
  end
  local text = tostring(d) .. " — " .. tostring(what or "")
  if (d == "withhold" or d == "contraindicated") and r.decision_by then
    text = text .. " (" .. r.decision_by .. ")"
  end
  return wrap(label("Decision"), text)
end

-- the reason there is no dose: the last "no dose" step of the trace
local function no_dose_reason(r)
  local reason
  for _, e in ipairs(r.trace or {}) do
    if e.kind == "dose" and e.what == "no dose" then
      reason = e.detail
      if e.why and not string.find(tostring(e.detail), tostring(e.why), 1, true) then
        reason = tostring(e.detail) .. " (" .. tostring(e.why) .. ")"
      end
    end
  end
  return reason or "no dose"
end

local function target_line(r)
  local d = r.dose
  if not d then
    return wrap(label("Target"), "none — " .. no_dose_reason(r))
  end
  local parts = {}
  -- a patient already taking azathioprine: say whether this is the dose taken now
  if d.basis == "current" and d.current_mg_per_day then
    if d.current_mg_per_day == d.target_mg_per_day then
      parts[1] = "current dose"
    else
      parts[1] = "changed from the current " .. num(d.current_mg_per_day) .. " mg/day"
    end
  end
  local sc = d.schedule
  if sc then
    parts[#parts + 1] = num(sc.mg_per_week) .. " mg per week"
  end
  parts[#parts + 1] = num(d.target_mg_per_kg_per_day) .. " mg/kg/day"
  if sc and sc.band_mg_per_dosing_day then
    parts[#parts + 1] = "band " .. num(sc.band_mg_per_dosing_day[1]) .. "–"
      .. num(sc.band_mg_per_dosing_day[2]) .. " mg a dosing day"
  elseif sc and sc.limit_mg_per_dosing_day then
    parts[#parts + 1] = "limit " .. num(sc.limit_mg_per_dosing_day) .. " mg a dosing day"
  elseif d.band_mg_per_day then
    parts[#parts + 1] = "band " .. num(d.band_mg_per_day[1]) .. "–" .. num(d.band_mg_per_day[2])
      .. " mg"
  elseif d.limit_mg_per_day then
    parts[#parts + 1] = "limit " .. num(d.limit_mg_per_day) .. " mg"
  end
  local text = num(d.target_mg_per_day) .. " mg/day" .. (sc and " on average" or "") .. " ("
    .. table.concat(parts, "; ") .. ")"
  if d.regimen and d.regimen.text then
    text = text .. " as " .. d.regimen.text
  else
    text = text .. " — no regimen with this formulary (see Warnings)"
  end
  if r.decision == "need_data" then
    text = text .. " — provisional: not to be given until the data below are complete"
  elseif r.decision == "withhold" then
    text = text .. " — on hold: not to be given now"
  end
  return wrap(label("Target"), text)
end

local function titration_text(steps)
  if #steps == 1 then
    return "none — start at " .. num(steps[1].mg_per_day) .. " mg/day"
  end
  local parts = {}
  for i, s in ipairs(steps) do
    local nxt = steps[i + 1]
    if not nxt then
      parts[i] = num(s.mg_per_day) .. " mg/day from week " .. num(s.week)
    elseif nxt.week - 1 == s.week then
      parts[i] = num(s.mg_per_day) .. " mg/day week " .. num(s.week)
    else
      parts[i] = num(s.mg_per_day) .. " mg/day weeks " .. num(s.week) .. "–" .. num(nxt.week - 1)
    end
  end
  return table.concat(parts, ", ")
end

-- }===

-- {=== monitoring ===

local TEST_NAMES = { fbc = "FBC", lft = "LFT", ue = "U&E", tgn6 = "6-TGN", mmp6 = "6-MMP",
                     inr = "INR", egfr = "eGFR", crcl = "CrCl", tpmt = "TPMT" }

local function tests_text(tests)
  local names = {}
  for i, t in ipairs(tests or {}) do
    names[i] = TEST_NAMES[t] or string.upper(tostring(t))
  end
  return table.concat(names, " + ")
end

local UNIT_WORDS = { d = "day", wk = "week", mo = "month", a = "year", h = "hour" }

-- "12 wk" → "every 12 weeks"; "1 wk" → "every week"
local function every_text(every)
  local n, unit = string.match(tostring(every), "^%s*([%d%.]+)%s*(%S+)%s*$")
  local word = unit and UNIT_WORDS[unit]
  if not word then
    return "every " .. tostring(every)
  end
  if tonumber(n) == 1 then
    return "every " .. word
  end
  return "every " .. n .. " " .. word .. "s"
end

local MONTH_DAYS = 30.4375 -- UCUM mo (mean Julian month)

local function every_days_text(days)
  local months = days / MONTH_DAYS
  if math.abs(months - math.floor(months + 0.5)) < 1e-6 and days >= 28 then
    months = math.floor(months + 0.5)
    return months == 1 and "every month" or ("every " .. num(months) .. " months")
  end
  if days % 7 == 0 then
    return days == 7 and "every week" or ("every " .. num(compat.idiv(days, 7)) .. " weeks")
  end
  return days == 1 and "every day" or ("every " .. num(days) .. " days")
end

local function schedule_text(m)
  local parts = {}
  if m.at_weeks then
    local w = {}
    for i, x in ipairs(m.at_weeks) do
      w[i] = num(x)
    end
    parts[#parts + 1] = (#w == 1 and "at week " or "at weeks ") .. table.concat(w, ", ")
  end
  if m.every then
    parts[#parts + 1] = every_text(m.every)
  end
  if m.after then
    parts[#parts + 1] = "after " .. tostring(m.after)
  end
  return table.concat(parts, " ")
end

local function rule_monitor_text(m)
  local text = tests_text(m.tests)
  if m.every_days then
    text = text .. " " .. every_days_text(m.every_days)
  end
  if m.weeks then
    text = text .. " for " .. num(m.weeks) .. (m.weeks == 1 and " week" or " weeks")
  end
  return cited(text, m.id and (m.id .. (m.cite and ("; " .. m.cite) or "")) or m.cite)
end

-- the text of one schedule item, and whether it continues the previous one; the stage a
-- patient on azathioprine is at now starts a line of its own, with the weeks on the dose
local function schedule_item(m)
  local text, continues
  if type(m.text) == "string" and m.text ~= "" then
    text, continues = m.text, string.match(m.text, "^then ") ~= nil
  else
    text, continues = tests_text(m.tests) .. " " .. schedule_text(m), false
  end
  if m.weeks_on_dose then
    local stripped = string.gsub(text, "^then ", "")
    text = "now (week " .. num(math.floor(m.weeks_on_dose)) .. " on this dose, from "
      .. tostring(m.counted_from) .. "): " .. stripped
    local first = (m.tests or {})[1]
    if first and not string.find(stripped, TEST_NAMES[first] or string.upper(first), 1, true)
    then
      text = text .. " (" .. tests_text(m.tests) .. ")"
    end
    continues = false
  end
  return text, continues
end

local function monitoring_items(r)
  local items = {}
  local current, cite, last_tests
  local function flush()
    if current then
      items[#items + 1] = cited(current, cite)
      current, cite, last_tests = nil, nil, nil
    end
  end
  for _, m in ipairs(r.monitoring or {}) do
    if m.source == "protocol" then
      local text, continues = schedule_item(m)
      local tests = tests_text(m.tests)
      if current and (continues or (not m.text and tests == last_tests)) then
        if not m.text then
          text = schedule_text(m)
        end
        current = current .. ", " .. (continues and "" or "then ") .. text
        cite = cite or m.cite
      else
        flush()
        current, cite = text, m.cite
      end
      last_tests = tests
    else
      flush()
      items[#items + 1] = rule_monitor_text(m)
    end
  end
  flush()
  return items
end

-- }===

-- {=== alerts, need data, counselling, reasons ===

local SEVERITY = { critical = 1, warning = 2, info = 3 }

local function alert_items(r)
  local list = {}
  for i, a in ipairs(r.alerts or {}) do
    list[i] = { a = a, i = i }
  end
  table.sort(list, function(x, y)
    local sx, sy = SEVERITY[x.a.severity] or 9, SEVERITY[y.a.severity] or 9
    if sx ~= sy then
      return sx < sy
    end
    return x.i < y.i
  end)
  local items = {}
  for i, e in ipairs(list) do
    local a = e.a
    items[i] = cited("[" .. tostring(a.severity) .. "] " .. tostring(a.message or a.id), a.cite)
  end
  return items
end

-- need_data words that are not fact names
local NEED_WORDS = {
  tpmt = "TPMT status: a genotype, a reported phenotype or an enzyme activity",
  nudt15 = "NUDT15 status: a genotype or a reported phenotype",
  fbc = "full blood count", lft = "liver function tests", ue = "urea and electrolytes",
}

local function need_items(r, describe)
  local items = {}
  for i, name in ipairs(r.need_data or {}) do
    local d = NEED_WORDS[name] or (describe and describe(name))
    items[i] = d and (name .. " (" .. d .. ")") or name
  end
  return items
end

local function counsel_items(r)
  local items = {}
  for i, c in ipairs(r.counselling or {}) do
    items[i] = cited(tostring(c.text), c.cite)
  end
  return items
end

-- counselling and monitoring rules are cited in their own sections
local SHOWN_ELSEWHERE = { counsel = true, monitor = true }

local function decides(e)
  if e.actions == nil then
    return true
  end
  for _, t in ipairs(e.actions) do
    if not SHOWN_ELSEWHERE[t] then
      return true
    end
  end
  return false
end

local function why_items(r)
  local fired = {}
  for _, e in ipairs(r.trace or {}) do
    if e.kind == "rule" and e.outcome == "true" and decides(e) then
      fired[#fired + 1] = cited(e.rule, e.cite)
    end
  end
  if #fired == 0 then
    return r.decision == "proceed" and { "no rule changed or stopped the standard dose" } or {}
  end
  return { table.concat(fired, " · ") }
end

local function dose_step_text(e)
  local who = e.why and (tostring(e.why) .. ": ") or ""
  local text
  if e.what == "standard dose" or e.what == "regimen" or e.what == "current dose" then
    text = e.what .. " (" .. tostring(e.why) .. "): " .. tostring(e.detail or "")
  elseif e.applied == false then
    text = who .. e.what .. " " .. tostring(e.detail)
  elseif e.before_mg_per_day and e.after_mg_per_day then
    local unit = e.days_per_week and (" mg on " .. e.days_per_week .. " days a week") or " mg/day"
    text = who .. e.what .. " " .. num(e.before_mg_per_day) .. " → " .. num(e.after_mg_per_day)
      .. unit .. " (" .. tostring(e.detail) .. ")"
  elseif e.before_mg_per_day then
    text = who .. e.what .. " " .. num(e.before_mg_per_day) .. " → no dose (" .. tostring(e.detail)
      .. ")"
  else
    text = who .. e.what .. ": " .. tostring(e.detail or "")
  end
  return cited(text, e.cite)
end

local function dose_items(r)
  local items = {}
  for _, e in ipairs(r.trace or {}) do
    if e.kind == "dose" and e.what ~= "no dose" and e.what ~= "titration" then
      items[#items + 1] = dose_step_text(e)
    end
  end
  return items
end

local function warning_items(r)
  local items = {}
  for i, w in ipairs(r.warnings or {}) do
    items[i] = w.text or ((w.path or "") .. ": " .. tostring(w.message))
  end
  return items
end

-- }===

--- Render an evaluation result as text.
-- @tparam table r the result of `protocol:evaluate`
-- @tparam[opt] table opts `describe` (a function fact name → description,
--   for Need data; default: the fact catalogue's descriptions)
-- @treturn string the text, ending with a newline
function M.render(r, opts)
  opts = opts or {}
  local describe = opts.describe
  if describe == nil then
    local ok, facts = pcall(require, "aza.protocol.facts")
    describe = ok and function(name)
      local e = facts.get(name)
      return e and e.description or nil
    end or nil
  end
  local out = { decision_line(r), target_line(r) }
  if r.dose and r.dose.titration and #r.dose.titration > 0 then
    out[#out + 1] = wrap(label("Titrate"), titration_text(r.dose.titration))
  end
  section(out, "Monitor", monitoring_items(r))
  section(out, "Alerts", alert_items(r))
  section(out, "Need data", need_items(r, describe))
  section(out, "Counsel", counsel_items(r))
  section(out, "Why", why_items(r))
  section(out, "Dose", dose_items(r))
  section(out, "Warnings", warning_items(r))
  local who = tostring(r.patient or "(no id)")
  if r.as_of then
    who = who .. ", as of " .. r.as_of
  end
  out[#out + 1] = label("Patient") .. who
  local p = r.protocol or {}
  out[#out + 1] = label("Protocol") .. tostring(p.id) .. " " .. tostring(p.version)
    .. " (hash " .. tostring(p.hash) .. ")"
  return table.concat(out, "\n") .. "\n"
end

return M

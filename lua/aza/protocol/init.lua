--- Protocols: load a protocol once, then evaluate patients against it.
--
-- `aza.protocol.load(id_or_file)` loads a protocol (sandboxed script,
-- `extends` chain, checks: `aza.protocol.load`), checks its parameters and
-- compiles its rules once, and returns an immutable **Protocol** object.
-- `protocol:evaluate(patient)` runs the pipeline of
-- docs/internals/protocol-parameters.md and returns the result of design §7.
--
-- ## The pipeline
--
-- 1. The patient (a Lua table, JSON text or a file path; `"-"` is stdin) is
--    normalised by `aza.input.patient` with the protocol's `profile` and
--    `tpmt_method`. Bad input is `nil, message, "E_INPUT", path`, never a
--    decision.
-- 2. The compiled rules are evaluated (`aza.protocol.evaluate`): decision,
--    alerts, need_data, counselling, monitoring, the dose modifiers of the
--    rules that fired (in rule order) and the per-rule trace.
-- 3. The dose (`aza.dose`). There is **no dose** when the decision is
--    `contraindicated`, when the weight is unknown (`weight` is added to
--    `need_data` and the decision is at least `need_data`), when an active
--    patient's current dose is unknown (`azathioprine.dose` likewise), or when
--    the protocol has no `parameters.dose` for a patient who needs one.
--    Otherwise:
--
--    * the **standard dose**: a fired `set_dose` (its rate and own band,
--      rounded `nearest_in_band`; `mg_per_day` rounded down); else, for an
--      active patient, the current dose (`aza.dose.current`); else (naive,
--      stopped, or no status given: treated as naive, with a warning)
--      `parameters.dose.mg_per_kg_per_day` × weight rounded `nearest_in_band`
--      within `parameters.dose.band`;
--    * the **modifiers** of fired rules, mapped to `aza.dose.modify` and
--      applied in its fixed order: `reduce{percent, low, high}` → `percent`
--      (nearest in its band, of the standard dose); `reduce{percent}` →
--      `reduce` (rounded down); `reduce{fraction}` → `fraction` (rounded
--      down); `cap{mg_per_kg_per_day | mg_per_day}` → `cap` (rounded down).
--      When several fired rules give the **same kind** of modifier (or
--      several `set_dose`), each is worked out on the same dose and the one
--      giving the **lowest dose** (the most restrictive) is applied; the
--      others are recorded in the trace as not applied, with the dose they
--      would have given. Ties go to the earlier rule.
--    * If a modifier leaves nothing deliverable (`E_NODOSE`: 25 % of 75 mg
--      with 25 mg tablets) there is no dose: the decision becomes at least
--      `withhold` and a critical alert `no-deliverable-dose` explains why.
--      The pipeline never makes up a number.
--    * The regimen of the final dose (`parameters.formulary`,
--      `parameters.regimen`), and for a naive patient the titration
--      (`parameters.titration`, or the start of a fired `set_dose`) up to the
--      final dose; a start above the final dose starts at the final dose; a
--      fixed start that the formulary cannot make is rounded down.
--    * `target_mg_per_kg_per_day` is the final dose / weight, rounded to 2
--      decimals. `band_mg_per_day` is the band the final dose was chosen in
--      (the standard band, a `set_dose` band or a percentage band); when a
--      later modifier lowered the dose to a limit (reduce, fraction, cap) it is
--      absent and `limit_mg_per_day` gives that limit.
--
--    Any fired modifier or `set_dose` makes the decision at least `adjust`
--    (the engine ranks them so; the pipeline checks it again).
-- 4. The protocol's monitoring schedule (`data.monitoring`) is listed first
--    in `monitoring` when a dose is given and it is a start (`proceed` for a
--    patient not yet on azathioprine) or a dose change (`adjust`);
--    monitoring from fired rules follows, in rule order.
-- 5. Counselling from fired rules, except when the decision is
--    `contraindicated` (nothing to counsel on; the trace keeps the rules).
--
-- ## The result (design §7)
--
-- `patient`, `as_of`, `protocol = {id, version, hash}`, `decision`,
-- `decision_by` (the rule, or `dose` for a decision of the pipeline),
-- `dose = {target_mg_per_day, target_mg_per_kg_per_day, band_mg_per_day |
-- limit_mg_per_day, standard_mg_per_day, unmodified_mg_per_day, basis,
-- weight_kg, regimen, titration, modifiers}`, `monitoring`,
-- `alerts = {{id, kind, severity, message, cite}}`, `need_data`,
-- `counselling`, `warnings` (input warnings `{path, message, text}`) and
-- `trace`: a list of entries, each with a `kind`:
--
-- * `protocol`: `id, version, hash, title, chain` (the extends chain);
-- * `override`: what a protocol in the chain changed (`what, old, new, by, line`);
-- * `input`: notes of the patient reader (`fact, message, path, note`);
-- * `rule`: one per rule, in rule order: `rule, outcome` (`"true"`,
--   `"false"`, `"unknown"`), `cite` (short form), `cite_key`, `reference`
--   (full text), `actions` (the rule's action types), `facts = {name =
--   {given, converted, unit, known}}` (`given` as the patient record gave it);
-- * `dose`: one per dose step: `what`, `why` (rule id or parameter), `cite`,
--   `before_mg_per_day`, `after_mg_per_day`, `detail`, and the
--   `aza.dose` trace fields of a modifier (`exact_mg_per_day`,
--   `band_mg_per_day` or `limit_mg_per_day`, `rounding`, `changed`);
--   `applied = false` for a less restrictive modifier that was not used.
--
-- The result holds only strings, numbers, booleans and tables; the same
-- input gives the same result (and the same JSON through
-- `aza.render.json`), with no clock involved unless `as_of` is absent.
--
-- References: `references = { key = "text" }` or `key = {text =, short =,
-- year =, confidence =}`; results carry the short form (or the text).
--
-- @module aza.protocol
-- @usage
-- local protocol = require "aza.protocol"
-- local ibd = assert(protocol.load("ibd"))
-- local result = assert(ibd:evaluate("examples/patients/ibd-new-start.json",
--                                    { as_of = "2026-11-21" }))
-- print(result.decision, result.dose.target_mg_per_day)   --> proceed 150

local loader = require "aza.protocol.load"
local compile = require "aza.protocol.compile"
local evaluate = require "aza.protocol.evaluate"
local catalogue = require "aza.protocol.facts"
local patient = require "aza.input.patient"
local dose = require "aza.dose"

local error, io, ipairs, math, next, pairs, setmetatable, string, table, tostring, type =
  error, io, ipairs, math, next, pairs, setmetatable, string, table, tostring, type

local M = {}

--- Decisions from the least to the most severe.
M.DECISIONS = { "proceed", "adjust", "need_data", "withhold", "contraindicated" }

local RANK = {}
for i, d in ipairs(M.DECISIONS) do
  RANK[d] = i
end

--- The modifier kinds of `aza.dose.modify`, in the order they apply.
M.MODIFIER_ORDER = { "percent", "reduce", "fraction", "cap" }

-- {=== small helpers ===

local copy = require("aza.protocol.dsl").copy

local function basename(path)
  return type(path) == "string" and (string.match(path, "([^/]*)$")) or path
end

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

-- }===

-- {=== read-only views ===

local views = setmetatable({}, { __mode = "k" })

local READONLY = "aza.protocol: a loaded protocol is read-only"

local function readonly(t)
  if type(t) ~= "table" then
    return t
  end
  local v = views[t]
  if v then
    return v
  end
  v = setmetatable({}, {
    __index = function(_, k)
      return readonly(t[k])
    end,
    __newindex = function()
      error(READONLY, 2)
    end,
    __len = function()
      return #t
    end,
    __pairs = function()
      return function(_, k)
        local nk, nv = next(t, k)
        return nk, readonly(nv)
      end, v, nil
    end,
    __metatable = false,
  })
  views[t] = v
  return v
end

-- }===

-- {=== references ===

-- key → {key, short, text, year, confidence}
local function reference_table(refs)
  local out = {}
  for k, v in pairs(refs or {}) do
    if type(v) == "table" then
      local text = v.text or v.short or k
      out[k] = { key = k, short = v.short or text, text = text, year = v.year,
                 confidence = v.confidence }
    else
      out[k] = { key = k, short = tostring(v), text = tostring(v) }
    end
  end
  return out
end

-- the short form and full text of a cite (a key or a list of keys)
local function cite_of(refs, cite)
  if cite == nil then
    return nil, nil
  end
  local keys = type(cite) == "table" and cite or { cite }
  local short, text = {}, {}
  for i, k in ipairs(keys) do
    local r = refs[k]
    short[i] = r and r.short or tostring(k)
    text[i] = r and r.text or tostring(k)
  end
  return table.concat(short, "; "), table.concat(text, "; ")
end

-- }===

-- {=== the Protocol object ===

local private = setmetatable({}, { __mode = "k" })

local Protocol = {}

local PUBLIC = { "id", "version", "hash", "title", "description", "extends", "file",
                 "parameters", "data", "references", "required", "rules", "overrides",
                 "disabled" }

local function public_fields(p)
  local pub = {}
  for _, k in ipairs(PUBLIC) do
    pub[k] = copy(p[k])
  end
  local rules = {}
  for i, r in ipairs(p.rules or {}) do
    rules[i] = { id = r.id, when = r.when, action = copy(r.action), cite = copy(r.cite),
                 message = r.message, require = r.require, file = r.file, line = r.line,
                 facts = copy(r.facts) }
  end
  pub.rules = rules
  pub.chain = {}
  for i, f in ipairs(p.files or {}) do
    pub.chain[i] = basename(f)
  end
  return pub
end

local PMT = {
  __name = "aza.Protocol",
  __metatable = "aza.Protocol",
}

PMT.__index = function(obj, k)
  local m = Protocol[k]
  if m ~= nil then
    return m
  end
  local st = private[obj]
  return st and readonly(st.public[k])
end

PMT.__newindex = function()
  error(READONLY, 2)
end

PMT.__tostring = function(obj)
  local st = private[obj]
  return "aza.Protocol: " .. tostring(st.public.id) .. " " .. tostring(st.public.version)
    .. " (" .. tostring(st.public.hash) .. ")"
end

PMT.__pairs = function(obj)
  local pub = private[obj].public
  return function(_, k)
    local nk, nv = next(pub, k)
    return nk, readonly(nv)
  end, obj, nil
end

--- Whether a value is a Protocol object.
-- @param v any value
-- @treturn boolean
function M.is_protocol(v)
  return type(v) == "table" and private[v] ~= nil
end

-- prefix a compile error with the file:line of its rule
local function compile_error(p, msg)
  local id = type(msg) == "string" and string.match(msg, "^rule '([^']+)'")
  for _, r in ipairs(p.rules or {}) do
    if r.id == id then
      return r.file .. ":" .. tostring(r.line) .. ": " .. msg
    end
  end
  return (p.file or "?") .. ":" .. tostring(p.line or 0) .. ": " .. tostring(msg)
end

--- Load a protocol: a shipped id (`"ibd"`) or a file (`"site/ibd_trust.lua"`).
-- The script runs in the sandbox, its `extends` chain is merged, it is
-- checked (conditions, citations, actions, and the dose parameters the
-- pipeline reads) and compiled once.
-- @tparam string name an id on the search path or a file path
-- @tparam[opt] table opts `path` (list of directories for ids and
--   `extends`; default: the installed `aza/rules`, then the checkout's
--   `rules/`), `budget`, `memory` (sandbox limits)
-- @treturn Protocol the protocol (read-only): fields `id`, `version`,
--   `hash`, `title`, `description`, `extends`, `chain`, `file`, `parameters`,
--   `data`, `references`, `required`, `rules`, `overrides`, `disabled`;
--   method `evaluate`
-- @return[2] nil
-- @treturn[2] string message, `file:line: …` lines
-- @treturn[2] string `"E_PROTOCOL"`
-- @treturn[2] table the errors `{file, line, message}`
function M.load(name, opts)
  opts = opts or {}
  local p, msg, _, errors = loader.load(name, { path = opts.path, budget = opts.budget,
                                                memory = opts.memory })
  if not p then
    return nil, msg, "E_PROTOCOL", errors
  end
  local compiled, cmsg = compile.compile(p)
  if not compiled then
    local m = compile_error(p, cmsg)
    return nil, m, "E_PROTOCOL", { { message = m } }
  end
  local refs = reference_table(p.references)
  local obj = setmetatable({}, PMT)
  private[obj] = { p = p, compiled = compiled, refs = refs, public = public_fields(p) }
  return obj
end

-- }===

-- {=== listing ===

local function shell_quote(s)
  return "'" .. string.gsub(s, "'", "'\\''") .. "'"
end

local function lua_files(dir)
  local out = {}
  local f = io.popen("ls -1 -- " .. shell_quote(dir) .. " 2>/dev/null")
  if not f then
    return out
  end
  for line in f:lines() do
    local id = string.match(line, "^([%w_%-%.]+)%.lua$")
    if id then
      out[#out + 1] = id
    end
  end
  f:close()
  table.sort(out)
  return out
end

local function looks_like_protocol(path)
  local f = io.open(path, "rb")
  if not f then
    return false
  end
  local src = f:read("a") or ""
  f:close()
  return string.find(src, "protocol%s*[%(\"']") ~= nil
end

--- The shipped protocols: every `<id>.lua` protocol script in the search
-- path (the installed `aza/rules/`, then the checkout's `rules/`; the first
-- directory holding an id wins), sorted by id. Files that are not protocol
-- scripts (data tables) are skipped.
-- @tparam[opt] table opts `path` (list of directories)
-- @treturn {table,...} entries `{id, version, title, file}`, or
--   `{id, file, error}` for a protocol that does not load
function M.list(opts)
  opts = opts or {}
  local dirs = opts.path or loader.default_path()
  local seen, out = {}, {}
  for _, dir in ipairs(dirs) do
    for _, id in ipairs(lua_files(dir)) do
      local file = dir .. "/" .. id .. ".lua"
      if not seen[id] and looks_like_protocol(file) then
        seen[id] = true
        local p, msg = M.load(file, { path = dirs })
        if p then
          out[#out + 1] = { id = p.id, version = p.version, title = p.title, file = file }
        else
          out[#out + 1] = { id = id, file = file, error = msg }
        end
      end
    end
  end
  table.sort(out, function(a, b)
    return a.id < b.id
  end)
  return out
end

-- }===

-- {=== the result under construction ===

local Out = {}
Out.__index = Out

local function new_out(st)
  return setmetatable({ st = st, dose_trace = {}, need = {}, alerts = {}, warnings = {},
                        decision = nil, decision_by = nil }, Out)
end

function Out:raise(decision, by)
  if RANK[decision] > RANK[self.decision] then
    self.decision, self.decision_by = decision, by
  end
end

function Out:need_data(fact, why)
  self.need[#self.need + 1] = fact
  self:raise("need_data", "dose: " .. fact)
  self:step { what = "no dose", why = fact, detail = why }
end

function Out:warn(path, message)
  self.warnings[#self.warnings + 1] = { path = path, message = message,
                                        text = path .. ": " .. message }
end

function Out:step(e)
  e.kind = "dose"
  self.dose_trace[#self.dose_trace + 1] = e
  return e
end

function Out:cite(rule_or_cite)
  return (cite_of(self.st.refs, rule_or_cite))
end

-- }===

-- {=== dose: the standard dose ===

local function weight_q(w)
  return qty(w, "kg")
end

local function rate_q(r)
  return qty(r, "mg/kg/d")
end

-- the weight-based plan of a rate and band (mg/kg/day numbers)
local function weight_plan(w, rate, band, formulary)
  return dose.target { weight = weight_q(w), rate = rate_q(rate),
                       band = band and { rate_q(band[1]), rate_q(band[2]) } or nil,
                       formulary = formulary }
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

-- the plan of one set_dose action, or nil, message, code
local function set_dose_plan(a, w, formulary)
  if a.mg_per_kg_per_day then
    local plan, msg, code = weight_plan(w, a.mg_per_kg_per_day, a.band, formulary)
    if not plan then
      return nil, msg, code
    end
    return plan, standard_detail(a.mg_per_kg_per_day, w, plan)
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
  return plan, num(a.mg_per_day) .. " mg/day; down → " .. num(r.mg) .. " mg/day"
end

-- several set_dose: each worked out, the lowest applied
local function choose_set_dose(out, list, w, formulary)
  local best, best_m, best_detail
  local tried = {}
  for _, m in ipairs(list) do
    local plan, detail, code = set_dose_plan(m, w, formulary)
    if not plan then
      return nil, m, detail, code
    end
    tried[#tried + 1] = { m = m, plan = plan, detail = detail }
    if not best or plan.target_mg_per_day < best.target_mg_per_day then
      best, best_m, best_detail = plan, m, detail
    end
  end
  for _, t in ipairs(tried) do
    if t.m ~= best_m then
      out:step { what = "set_dose", why = t.m.rule, cite = t.m.cite, applied = false,
                 after_mg_per_day = t.plan.target_mg_per_day,
                 detail = "not applied: " .. best_m.rule .. " gives the same or a lower dose ("
                   .. "this rule alone: " .. t.detail .. ")" }
    end
  end
  out:step { what = "set_dose", why = best_m.rule, cite = best_m.cite,
             after_mg_per_day = best.target_mg_per_day, band_mg_per_day = best.band_mg_per_day,
             detail = best_detail }
  return best, best_m
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

local function modifier_detail(kind, e)
  local parts = {}
  if kind == "percent" then
    parts[#parts + 1] = "exact " .. num(e.exact_mg_per_day) .. " mg/day, band "
      .. band_text(e.band_mg_per_day)
  else
    parts[#parts + 1] = "limit " .. num(e.limit_mg_per_day) .. " mg/day"
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
    results[#results + 1] = { c = c, plan = p2 }
  end
  local best = results[1]
  for i = 2, #results do
    if results[i].plan.target_mg_per_day < best.plan.target_mg_per_day then
      best = results[i]
    end
  end
  for _, r in ipairs(results) do
    local e = r.plan.trace[#r.plan.trace]
    local entry = out:step {
      what = kind, why = r.c.m.rule, cite = r.c.m.cite,
      before_mg_per_day = e.before_mg_per_day, after_mg_per_day = e.after_mg_per_day,
      exact_mg_per_day = e.exact_mg_per_day, band_mg_per_day = e.band_mg_per_day,
      limit_mg_per_day = e.limit_mg_per_day, rounding = e.rounding, changed = e.changed,
      detail = modifier_detail(kind, e),
    }
    if r ~= best then
      entry.applied = false
      entry.detail = "not applied: " .. best.c.m.rule .. " gives the same or a lower dose (this "
        .. "rule alone would give " .. num(e.after_mg_per_day) .. " mg/day)"
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

local function regimen_of(out, st, mg)
  local params = st.p.parameters or {}
  local r = params.regimen or {}
  local reg, msg = dose.regimen(mg, params.formulary, {
    split_above = r.split_above_mg_per_day or nil,
    twice_daily = r.twice_daily or nil,
    allow_alternate = r.allow_alternate or nil,
  })
  if not reg then
    out:warn("dose.regimen", "no regimen for " .. num(mg) .. " mg/day: " .. tostring(msg))
    return nil
  end
  local cite = ((st.p.data or {}).citations or {}).formulary
  out:step { what = "regimen", why = "parameters.formulary",
             cite = cite and out:cite(cite) or nil, after_mg_per_day = mg,
             detail = reg.text .. " (tablets: " .. formulary_text(params.formulary) .. ")" }
  return dose.plain(reg)
end

-- a fixed start the formulary cannot make is rounded down (or the final dose)
local function deliverable_start(out, mg, formulary, final)
  local ok = dose.deliverable(mg, formulary)
  if ok then
    return mg
  end
  local r = dose.round(mg, { mode = "down", formulary = formulary })
  local start = r and r.mg or final
  out:step { what = "titration start", why = "parameters.titration", before_mg_per_day = mg,
             after_mg_per_day = start,
             detail = "start " .. num(mg) .. " mg/day is not deliverable with the formulary: "
               .. (r and "rounded down"
                 or "nothing deliverable below it; start at the final dose") }
  return start
end

-- the titration options: from a set_dose start or parameters.titration
local function titration_opts(out, st, plan, w, set)
  local params = st.p.parameters or {}
  local formulary = params.formulary
  local base = { target = plan, weight = weight_q(w), formulary = formulary }
  if set and (set.start_mg_per_kg_per_day or set.start_mg_per_day) then
    base.every = set.start_weeks or set.weeks
    if set.start_mg_per_kg_per_day then
      base.start = rate_q(set.start_mg_per_kg_per_day)
    else
      base.start = qty(deliverable_start(out, set.start_mg_per_day, formulary,
        plan.target_mg_per_day), "mg/d")
    end
    return base, set.rule, set.cite
  end
  local t = params.titration
  if not t then
    return nil
  end
  if t.start_mg_per_kg_per_day then
    base.start = rate_q(t.start_mg_per_kg_per_day)
    base.every = t.start_weeks
  else
    base.start = qty(deliverable_start(out, t.start_mg_per_day, formulary,
      plan.target_mg_per_day), "mg/d")
    base.step = t.step_mg_per_day and qty(t.step_mg_per_day, "mg/d") or nil
    base.every = t.every_weeks
  end
  return base, "parameters.titration", t.cite and out:cite(t.cite) or nil
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

-- {=== dose: the whole flow ===

-- the standard plan; nil when there is none (need_data recorded)
local function standard_plan(out, st, pt, w, status, groups)
  local params = st.p.parameters or {}
  if #groups.set_dose > 0 then
    local plan, m, msg, code = choose_set_dose(out, groups.set_dose, w, params.formulary)
    if not plan then
      return nil, nil, "rule '" .. m.rule .. "': " .. tostring(msg), code
    end
    return plan, m
  end
  if status == "active" then
    local cur = pt.facts["azathioprine.dose"]
    if cur == nil then
      out:need_data("azathioprine.dose", "an active patient's dose is worked from the "
        .. "current dose, which is not given")
      return nil
    end
    local plan, msg, code = dose.current(cur, { weight = weight_q(w),
                                                formulary = params.formulary })
    if not plan then
      return nil, nil, "azathioprine.dose: " .. tostring(msg), code
    end
    out:step { what = "current dose", why = "azathioprine.dose", after_mg_per_day = cur,
               detail = "active patient: the dose rules act on the current dose" }
    return plan
  end
  local d = params.dose
  if not d then
    out:step { what = "no dose", why = "parameters.dose",
               detail = "the protocol has no standard dose (parameters.dose)" }
    return nil
  end
  local plan, msg, code = weight_plan(w, d.mg_per_kg_per_day, d.band, params.formulary)
  if not plan then
    return nil, nil, "parameters.dose: " .. tostring(msg), code
  end
  out:step { what = "standard dose", why = "parameters.dose",
             cite = d.cite and out:cite(d.cite) or nil,
             exact_mg_per_day = plan.exact_mg_per_day, after_mg_per_day = plan.target_mg_per_day,
             band_mg_per_day = plan.band_mg_per_day, rounding = plan.rounding,
             detail = standard_detail(d.mg_per_kg_per_day, w, plan) }
  return plan
end

-- the band shown with the final dose (see the module description)
local function final_band(st, plan, w, set, basis)
  local band = plan.band_mg_per_day
  if basis == "current" then
    band = nil
    local d = (st.p.parameters or {}).dose
    if d and d.band then
      local ref = weight_plan(w, d.mg_per_kg_per_day, d.band, (st.p.parameters or {}).formulary)
      band = ref and ref.band_mg_per_day
    end
  elseif set and set.mg_per_day then
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

local function status_of(out, pt)
  local status = pt.facts["azathioprine.status"]
  if status == nil then
    out:warn("azathioprine.status", "not given: the dose is worked out as for a patient "
      .. "starting azathioprine (naive)")
    return "naive"
  end
  return status
end

-- the modifiers in their fixed order: plan, or nil (no dose), or nil, msg, code
local function apply_modifiers(out, plan, groups)
  for _, kind in ipairs(M.MODIFIER_ORDER) do
    if #groups[kind] > 0 then
      local p2, nodose, msg, code = apply_kind(out, plan, kind, groups[kind])
      if nodose then
        no_deliverable_dose(out, nodose)
        return nil
      elseif not p2 then
        return nil, msg, code
      end
      plan = p2
    end
  end
  return plan
end

local function final_dose(out, st, plan, w, set, status)
  local basis = set and "set_dose" or (status == "active" and "current" or "weight")
  local final = plan.target_mg_per_day
  local band, limit = final_band(st, plan, w, set, basis)
  local applied = {}
  for _, e in ipairs(out.dose_trace) do
    if e.what ~= "standard dose" and e.what ~= "current dose" and e.applied ~= false then
      applied[#applied + 1] = e
    end
  end
  local titration
  if status ~= "active" and status ~= "stopped" then
    titration = titration_of(out, st, plan, w, set)
  end
  return {
    target_mg_per_day = final,
    target_mg_per_kg_per_day = round2(final / w),
    band_mg_per_day = band,
    limit_mg_per_day = limit,
    standard_mg_per_day = plan.standard_mg_per_day,
    unmodified_mg_per_day = plan.unmodified_mg_per_day or final,
    basis = basis,
    weight_kg = w,
    regimen = regimen_of(out, st, final),
    titration = titration,
    modifiers = applied,
  }
end

-- returns the dose table or nil; or nil, message, code for a protocol error
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
  local plan, set, msg, code = standard_plan(out, st, pt, w, status, groups)
  if not plan then
    return nil, msg, code
  end
  plan, msg, code = apply_modifiers(out, plan, groups)
  if not plan then
    return nil, msg, code
  end
  return final_dose(out, st, plan, w, set, status)
end

-- }===

-- {=== the result ===

local function unit_of(pt, name)
  local e = catalogue.get(name)
  return pt.units[name] or (e and e.unit) or nil
end

local function rule_trace(st, pt, engine_trace)
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
                      known = f.converted ~= nil }
    end
    local actions = {}
    for k, a in ipairs((st.compiled.rules[i] or {}).actions or {}) do
      actions[k] = a.type
    end
    out[i] = { kind = "rule", rule = t.rule, outcome = t.outcome, cite = short,
               cite_key = t.cite, reference = text, facts = facts, actions = actions }
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

local function monitoring_of(st, r, the_dose, decision)
  local out = {}
  if the_dose and (decision == "adjust" or (decision == "proceed"
      and the_dose.basis ~= "current")) then
    for _, item in ipairs((st.p.data or {}).monitoring or {}) do
      local m = copy(item)
      m.source = "protocol"
      if m.cite then
        m.cite = (cite_of(st.refs, m.cite))
      end
      out[#out + 1] = m
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

local function assemble(st, pt, r, out, the_dose)
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
  local trace = head_trace(st, pt)
  for _, e in ipairs(rule_trace(st, pt, r.trace or {})) do
    trace[#trace + 1] = e
  end
  for _, e in ipairs(out.dose_trace) do
    trace[#trace + 1] = e
  end
  return {
    patient = pt.id,
    as_of = pt.as_of,
    protocol = { id = st.public.id, version = st.public.version, hash = st.public.hash },
    decision = out.decision,
    decision_by = out.decision_by,
    dose = the_dose,
    monitoring = monitoring_of(st, r, the_dose, out.decision),
    alerts = alerts,
    need_data = merge_list(r.need_data, out.need),
    -- counselling is for a patient who will take azathioprine: none when it is
    -- contraindicated (the counsel rules still show as fired in the trace)
    counselling = out.decision == "contraindicated" and {} or copy(r.counselling or {}),
    warnings = warnings,
    trace = trace,
  }
end

--- Evaluate a patient against the protocol (the pipeline of the module
-- description).
-- @tparam table|string x the patient: a Lua table, JSON text, or a file
--   path (`"-"`: stdin)
-- @tparam[opt] table opts `as_of` (`"YYYY-MM-DD"`, replaces the record's),
--   `today` (the day used when no `as_of` is given; default the clock)
-- @treturn table the result (design §7; see the module description)
-- @return[2] nil
-- @treturn[2] string message naming the JSON path (`weight: -70 kg is not a positive mass`)
-- @treturn[2] string `"E_INPUT"` (or `"E_PROTOCOL"` when the protocol's own
--   numbers fail in the dose maths)
-- @treturn[2] string the JSON path or fact name
function Protocol:evaluate(x, opts)
  local st = private[self]
  if not st then
    error("aza.protocol: evaluate needs a protocol from aza.protocol.load (use p:evaluate)", 2)
  end
  opts = opts or {}
  local params = st.p.parameters or {}
  local pt, msg, code, path = patient.read(x, { as_of = opts.as_of, today = opts.today,
    profile = params.profile, tpmt_method = params.tpmt_method })
  if not pt then
    return nil, msg, code or "E_INPUT", path or ""
  end
  local r, emsg = evaluate.evaluate(st.compiled, patient.to_facts(pt))
  if not r then
    local fact = type(emsg) == "string" and string.match(emsg, "^fact '([^']+)'") or ""
    return nil, emsg, "E_INPUT", fact
  end
  local out = new_out(st)
  out.decision, out.decision_by = r.decision, r.decision_by
  -- the engine already ranks reduce, cap and set_dose as adjust; kept here so that the
  -- contract holds whatever evaluator produced the result
  for _, m in ipairs(r.modifiers or {}) do
    out:raise("adjust", m.rule)
  end
  local the_dose, dmsg, dcode = dose_flow(out, st, pt, r.modifiers)
  if dmsg then
    return nil, (st.p.file or "?") .. ": " .. tostring(dmsg) .. " (" .. tostring(dcode) .. ")",
      "E_PROTOCOL", ""
  end
  return assemble(st, pt, r, out, the_dose)
end

-- }===

return M

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
--    The **standard dose** is always worked out when the protocol has one:
--    `parameters.dose.mg_per_kg_per_day` × weight, rounded `nearest_in_band`
--    within `parameters.dose.band`. Then, for a patient **starting** (naive,
--    stopped, or no status given: treated as naive, with a warning):
--
--    * a fired `set_dose` replaces it (its rate and own band, rounded
--      `nearest_in_band`; `mg_per_day` rounded down);
--    * the **modifiers** of fired rules, mapped to `aza.dose.modify` and
--      applied in its fixed order: `reduce{percent, low, high}` → `percent`
--      (nearest in its band, of the standard dose before rounding);
--      `reduce{percent}` → `reduce` (rounded down); `reduce{fraction}` →
--      `fraction` (rounded down); `cap{mg_per_kg_per_day | mg_per_day}` →
--      `cap` (rounded down);
--    * the titration (`parameters.titration`, or the start of a fired
--      `set_dose`) up to the final dose (stopped: none). A start above the
--      final dose starts at the final dose; a start the formulary cannot make
--      is rounded down; when **nothing is deliverable at or below it**
--      (0.5 mg/kg × 45 kg = 22.5 mg with 25 mg tablets) the start is the
--      smallest deliverable dose below the final dose, for the same weeks,
--      with a warning alert `start-dose-rounded-up` (kind `input`, like
--      `no-deliverable-dose`: the formulary cannot make the protocol's
--      number); if that smallest dose is the final dose there is no
--      titration, and the trace and the alert say so.
--
--    For a patient **already taking azathioprine** (`active`), the dose rules
--    act on the current dose (design §5) but never cut an already reduced
--    dose again at the next review. A *reference chain* is worked out as for
--    a patient starting now (standard dose → set_dose → percentage →
--    reduction) and:
--
--    * `set_dose`: the current dose is lowered to the set dose when it is
--      above the top of the set dose's band (or above the set dose, without a
--      band); otherwise kept;
--    * `reduce{percent, low, high}` (pharmacogenomic): the percentage dose and
--      band are those of a starting patient; a current dose above the band's
--      top is lowered to the percentage dose, one within or below the band is
--      kept (the trace says which: "current 75 mg/day is within the 30–80 %
--      band (42–112 mg/day): kept");
--    * `reduce{percent}` (renal): the ceiling is the percentage of the
--      reference dose at that point (the standard dose, or the dose after the
--      pharmacogenomic percentage, or the set dose), rounded down: the dose a
--      starting patient would get. A current dose above it is lowered to it;
--      otherwise kept;
--    * `reduce{fraction}` (allopurinol) and `cap` act on the current dose.
--
--    Common to both:
--
--    * When several fired rules give the **same kind** of modifier (or
--      several `set_dose`), each is worked out on the same dose and the one
--      giving the **lowest dose** (the most restrictive) is applied; the
--      others are recorded in the trace as not applied, with the dose they
--      would have given. Ties go to the earlier rule.
--    * If a modifier or a `set_dose` leaves nothing deliverable (`E_NODOSE`:
--      25 % of 75 mg with 25 mg tablets) there is no dose: the decision
--      becomes at least `withhold` and a critical alert `no-deliverable-dose`
--      explains why. The pipeline never makes up a number.
--    * The regimen of the final dose (`parameters.formulary`,
--      `parameters.regimen`).
--    * `target_mg_per_kg_per_day` is the final dose / weight, rounded to 2
--      decimals. `band_mg_per_day` is the band that applies to the final dose:
--      the standard band, a `set_dose` band or a percentage band (for an
--      active patient only a `set_dose` or percentage band: never the
--      standard band of a starting patient); when a later modifier lowered the
--      dose to a limit (reduce, fraction, cap) it is absent and
--      `limit_mg_per_day` gives that limit.
--
--    **The decision `adjust`** means a rule changed the dose (design §5): the
--    final dose differs from the dose before the modifiers (the standard dose
--    for a starting patient, the current dose for an active one), or a
--    `set_dose` gave a dose other than the standard dose. The engine ranks
--    every fired reduce, cap and set_dose as `adjust`; the pipeline takes the
--    rest of the lattice (`proceed` below `adjust`) and raises it to
--    `adjust` (with the rule that changed the dose in `decision_by`) only
--    when the dose changed. A rule that fired without changing the dose keeps
--    its alerts and its trace entry. `contraindicated`, `withhold` and
--    `need_data` take precedence as always.
-- 4. The protocol's monitoring schedule (`data.monitoring`) is listed first
--    in `monitoring` when a dose is given and it is a start (`proceed` for a
--    patient not yet on azathioprine) or a dose change (`adjust`);
--    monitoring from fired rules follows, in rule order.
-- 5. Counselling from fired rules, except when the decision is
--    `contraindicated` (nothing to counsel on; the trace keeps the rules).
-- 6. Words no rule reads: every entry of `ancestry`, `conditions`,
--    `symptoms`, `allergies` and `vaccines_planned` whose words (the word
--    and, for allergies and vaccines, what rules/data/medications.lua matched
--    it to) no condition of the protocol reads gets an input warning
--    (`ancestry[1]: 'chinese' is not a word this protocol reads (it reads:
--    east_asian); it has no effect`; for allergies and vaccines: brand names
--    are not matched). The words read are collected at load from the checked
--    conditions (`rule.ast`: the string arguments of taking, planned, has,
--    allergic and ancestry, and `in {…}` sets on those facts); a protocol may
--    list words it knows to have no effect in `data.known_words = {
--    conditions = { "crohns_disease" } }` (fact name → words). Medications
--    are not checked (most are irrelevant).
--
-- ## The result (design §7)
--
-- `patient`, `as_of`, `protocol = {id, version, hash}`, `decision`,
-- `decision_by` (the rule, or `dose` for a decision of the pipeline),
-- `dose = {target_mg_per_day, target_mg_per_kg_per_day, band_mg_per_day |
-- limit_mg_per_day, standard_mg_per_day (rate × weight, before rounding),
-- standard_target_mg_per_day (the standard dose, rounded), current_mg_per_day
-- (active), unmodified_mg_per_day (the dose before the modifiers), basis
-- (`weight`, `set_dose` or `current`), weight_kg, regimen, titration,
-- modifiers}`, `monitoring`,
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
--   `band_mg_per_day` or `limit_mg_per_day`, `rounding`, `changed`; for an
--   active patient's renal reduction also `ceiling_mg_per_day`);
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

local compat = require "aza.compat"
local loader = require "aza.protocol.load"
local compile = require "aza.protocol.compile"
local evaluate = require "aza.protocol.evaluate"
local catalogue = require "aza.protocol.facts"
local patient = require "aza.input.patient"
local dose = require "aza.dose"
local json_in = require "aza.input.json"

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

local FROZEN = {
  __newindex = function()
    error(READONLY, 2)
  end,
  __metatable = false,
}

-- A read-only view of `t`. From 5.2 on, a proxy: `#`, `pairs` and `ipairs` see through
-- it (__len, __pairs, __index), and every assignment raises. On 5.1 and LuaJIT they do
-- not see through a proxy, so the view is a fresh copy at each access of a protocol
-- field: assigning to it raises for a new key and changes only that copy otherwise.
local function readonly(t)
  if type(t) ~= "table" then
    return t
  end
  if compat.fenv then
    return copy(t, {}, FROZEN) -- a deep copy whose tables refuse new keys
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

-- {=== the words a protocol reads ===

--- The set facts whose words the pipeline checks against the protocol's
-- conditions (`field`: where the patient record holds them; `names`: medicine
-- or vaccine names, matched through rules/data/medications.lua).
M.WORD_FACTS = {
  { fact = "ancestry", field = "ancestry" },
  { fact = "conditions", field = "conditions" },
  { fact = "symptoms", field = "symptoms" },
  { fact = "allergies", field = "allergies", names = true },
  { fact = "vaccines.planned", field = "vaccines_planned", names = true },
}

local WORD_FACT = {}
for _, f in ipairs(M.WORD_FACTS) do
  WORD_FACT[f.fact] = true
end

-- collect into `words` (fact → set of words) the words of one checked AST node
local function collect_words(node, words)
  if type(node) ~= "table" then
    return
  end
  if node.tag == "call" then
    local fn = catalogue.functions[node.name]
    local arg = node.args and node.args[1]
    if fn and fn.reads and type(arg) == "table" and arg.tag == "str" then
      for _, fact in ipairs(fn.reads) do
        if WORD_FACT[fact] then
          words[fact][arg.value] = true
        end
      end
    end
  elseif node.tag == "in" and type(node.lhs) == "table" and node.lhs.tag == "fact"
    and WORD_FACT[node.lhs.name] then
    for _, w in ipairs(node.set or {}) do
      words[node.lhs.name][w] = true
    end
  end
  collect_words(node[1], words)
  collect_words(node[2], words)
  collect_words(node.lhs, words)
  collect_words(node.rhs, words)
  for _, a in ipairs(node.args or {}) do
    collect_words(a, words)
  end
end

-- fact → set of the words the conditions of the (enabled) rules look for;
-- `known` (data.known_words) are the words a protocol declares it knows and
-- leaves without effect (they are not warned about)
local function words_read(rules, known)
  local words, silent = {}, {}
  for _, f in ipairs(M.WORD_FACTS) do
    words[f.fact], silent[f.fact] = {}, {}
  end
  for _, r in ipairs(rules or {}) do
    if not r.disabled then
      collect_words(r.ast, words)
    end
  end
  for fact, list in pairs(known or {}) do
    for _, w in ipairs(list) do
      silent[fact][w] = true
    end
  end
  return words, silent
end

-- data.known_words: nil, or a message
local function check_known_words(known)
  if known == nil then
    return nil
  elseif type(known) ~= "table" then
    return "data.known_words must be a table { conditions = { \"word\", … }, … }"
  end
  for fact, list in pairs(known) do
    if not WORD_FACT[fact] then
      local names = {}
      for i, f in ipairs(M.WORD_FACTS) do
        names[i] = f.fact
      end
      return "data.known_words: '" .. tostring(fact) .. "' is not one of "
        .. table.concat(names, ", ")
    end
    if type(list) ~= "table" then
      return "data.known_words." .. fact .. " must be a list of words"
    end
    for i, w in ipairs(list) do
      if type(w) ~= "string" then
        return "data.known_words." .. fact .. "[" .. i .. "] must be a word (a string)"
      end
    end
  end
  return nil
end

-- }===

-- {=== the Protocol object ===

local private = setmetatable({}, { __mode = "k" })

local Protocol = {}

local PUBLIC = { "id", "version", "hash", "title", "description", "extends", "file",
                 "parameters", "data", "references", "required", "rules", "overrides",
                 "disabled" }

-- The fields a caller sees. They share p's tables (nothing changes p after the load, and
-- callers reach them only through read-only views), so a load copies nothing here.
local function public_fields(p)
  local pub = {}
  for _, k in ipairs(PUBLIC) do
    pub[k] = p[k]
  end
  local rules = {}
  for i, r in ipairs(p.rules or {}) do
    rules[i] = { id = r.id, when = r.when, action = r.action, cite = r.cite,
                 message = r.message, require = r.require, file = r.file, line = r.line,
                 facts = r.facts }
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

local load_protocol

-- an error raised inside aza while loading, as a message about the protocol: no
-- position inside aza's own files, no traceback
local function internal_failure(name, err)
  local msg = type(err) == "string" and err or ("a " .. type(err) .. " was raised")
  msg = string.gsub(msg, "^[^\n]-aza/[%w_/]+%.lua:%d+: ", "")
  msg = string.gsub(msg, "^aza: ", "")
  msg = string.match(msg, "^[^\n]*")
  return (type(name) == "string" and require("aza.util").printable(name, 200) or "protocol")
    .. ": cannot load: " .. msg
end

--- Load a protocol: a shipped id (`"ibd"`) or a file (`"site/ibd_trust.lua"`).
-- The script runs in the sandbox, its `extends` chain is merged, it is
-- checked (conditions, citations, actions, and the dose parameters the
-- pipeline reads) and compiled once.
-- @tparam string name an id on the search path or a file path
-- @tparam[opt] table opts `path` (list of directories for ids and
--   `extends`; default: the installed `aza/rules`, then the checkout's
--   `rules/`), `budget`, `memory`, `cpu_ms` (sandbox limits per file)
-- @treturn Protocol the protocol (read-only): fields `id`, `version`,
--   `hash`, `title`, `description`, `extends`, `chain`, `file`, `parameters`,
--   `data`, `references`, `required`, `rules`, `overrides`, `disabled`;
--   method `evaluate`
-- @return[2] nil
-- @treturn[2] string message, `file:line: …` lines
-- @treturn[2] string `"E_PROTOCOL"`
-- @treturn[2] table the errors `{file, line, message}`
function M.load(name, opts)
  local res = compat.pack(pcall(load_protocol, name, opts))
  if res[1] then
    return compat.unpack(res, 2, res.n)
  end
  local m = internal_failure(name, res[2])
  return nil, m, "E_PROTOCOL", { { message = m } }
end

load_protocol = function(name, opts)
  opts = opts or {}
  local p, msg, _, errors = loader.load(name, { path = opts.path, budget = opts.budget,
                                                memory = opts.memory, cpu_ms = opts.cpu_ms })
  if not p then
    return nil, msg, "E_PROTOCOL", errors
  end
  local compiled, cmsg = compile.compile(p)
  if not compiled then
    local m = compile_error(p, cmsg)
    return nil, m, "E_PROTOCOL", { { message = m } }
  end
  local known = type(p.data) == "table" and p.data.known_words or nil
  local kmsg = check_known_words(known)
  if kmsg then
    local m = (p.file or "?") .. ":" .. tostring(p.line or 0) .. ": " .. kmsg
    return nil, m, "E_PROTOCOL", { { message = m } }
  end
  local refs = reference_table(p.references)
  local obj = setmetatable({}, PMT)
  local words, silent = words_read(p.rules, known)
  private[obj] = { p = p, compiled = compiled, refs = refs, public = public_fields(p),
                   words = words, silent = silent }
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
  local src = f:read("*a") or ""
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

-- the weight-based standard dose of parameters.dose, traced; nil when the
-- protocol has none; nil, message, code when the dose maths refuses it
local function weight_standard(out, st, w, note)
  local params = st.p.parameters or {}
  local d = params.dose
  if not d then
    return nil
  end
  local plan, msg, code = weight_plan(w, d.mg_per_kg_per_day, d.band, params.formulary)
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
             changed = not std or plan.target_mg_per_day ~= std.target_mg_per_day,
             detail = detail }
  return std, plan, m
end

local function start_dose(out, st, w, status, groups)
  local std, plan, set, msg, code = start_plan(out, st, w, groups)
  if not plan then
    return nil, msg, code
  end
  local before = plan.target_mg_per_day
  local final_plan
  final_plan, msg, code = apply_modifiers(out, plan, groups)
  if not final_plan then
    return nil, msg, code
  end
  local final = final_plan.target_mg_per_day
  -- adjust: the dose differs from the weight-based standard dose (design §5)
  if set and (not std or before ~= std.target_mg_per_day) then
    out.changed_by = set.rule
  elseif final ~= before then
    out.changed_by = first_change(out)
  end
  local band, limit = final_band(final_plan, set)
  local titration
  if status ~= "stopped" then
    titration = titration_of(out, st, final_plan, w, set)
  end
  return {
    target_mg_per_day = final,
    target_mg_per_kg_per_day = round2(final / w),
    band_mg_per_day = band,
    limit_mg_per_day = limit,
    standard_mg_per_day = (std or final_plan).standard_mg_per_day,
    standard_target_mg_per_day = std and std.target_mg_per_day or nil,
    unmodified_mg_per_day = before,
    basis = set and "set_dose" or "weight",
    weight_kg = w,
    regimen = regimen_of(out, st, final),
    titration = titration,
    modifiers = applied_steps(out),
  }
end

-- }===

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
  for _, kind in ipairs { "fraction", "cap" } do
    if #groups[kind] > 0 then
      local p2, nodose, msg, code = apply_kind(out, plan, kind, groups[kind])
      if nodose then
        no_deliverable_dose(out, nodose)
        return nil
      elseif not p2 then
        return nil, msg, code
      end
      if p2.target_mg_per_day ~= plan.target_mg_per_day then
        band, limit = nil, p2.trace[#p2.trace].limit_mg_per_day
      end
      plan = p2
    end
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

local function assemble(st, pt, r, out, the_dose, with_trace)
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
    for _, e in ipairs(rule_trace(st, pt, r.trace or {})) do
      trace[#trace + 1] = e
    end
    for _, e in ipairs(out.dose_trace) do
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

-- {=== the patient record and the words no rule reads ===

local function slurp(path)
  if path == "-" then
    return io.stdin:read("*a")
  end
  local f = io.open(path, "rb")
  if not f then
    return nil
  end
  local text = f:read("*a")
  f:close()
  return text
end

-- the normalised patient and a function giving the record as given (for the
-- unread-words check); a file or stdin is read once. Errors as patient.read.
local function read_patient(x, popts)
  if type(x) == "table" then
    local pt, msg, code, path = patient.normalise(x, popts)
    return pt, msg, code, path, function()
      return x
    end
  end
  local text = x
  if type(x) == "string" and not string.match(x, "^%s*{") then
    text = slurp(x)
    if type(text) ~= "string" then
      return patient.read(x, popts)   -- its message for a file it cannot read
    end
  end
  if type(text) ~= "string" then
    return patient.read(x, popts)
  end
  -- decoded once: the record as given is the decoded table (normalise does not change it)
  local t, jmsg, jcode = json_in.decode(text)
  if t == nil then
    return nil, jmsg, jcode, ""
  end
  popts.utf8_checked = true
  local pt, msg, code, path = patient.normalise(t, popts)
  return pt, msg, code, path, function()
    return t
  end
end

local function sorted_keys(set)
  local list = {}
  for k in pairs(set) do
    list[#list + 1] = k
  end
  table.sort(list)
  return list
end

local READS_SHOWN = 12

local function reads_text(f, read)
  local list = sorted_keys(read)
  if #list == 0 then
    return "it reads no " .. f.field .. " words"
  end
  if #list > READS_SHOWN then
    local n = #list
    list = require("aza.compat").move(list, 1, READS_SHOWN, 1, {})
    list[#list + 1] = "… (" .. num(n) .. " in all)"
  end
  return "it reads: " .. table.concat(list, ", ")
end

-- an input warning for every word of the set facts (ancestry, conditions,
-- symptoms, allergies, vaccines) that no rule of the protocol reads: the word
-- and what it was matched to (rules/data/medications.lua) are all unread
-- whether any of the words is read (or known) by the protocol
local function any_read(words, read, silent)
  for _, w in ipairs(words or {}) do
    if read[w] or silent[w] then
      return true
    end
  end
  return false
end

-- whether some word of the list is neither read nor known
local function some_unread(words, read, silent)
  for _, w in ipairs(words or {}) do
    if not (read[w] or silent[w]) then
      return true
    end
  end
  return false
end

-- the words of one entry of a set field (the word itself and, for names,
-- what rules/data/medications.lua matched it to): the patient reader on that
-- entry alone; nil when it refuses it. Cached (a bounded cache: the words of
-- a text do not depend on the patient).
local entry_cache, entry_cached = {}, 0
local ENTRY_CACHE_MAX = 512

local function entry_words(f, given, as_of)
  local key = f.field .. "\0" .. given
  local words = entry_cache[key]
  if words == nil then
    local one = patient.normalise({ [f.field] = { given } }, { as_of = as_of })
    words = one and (one.facts[f.fact] or {}) or false
    if entry_cached >= ENTRY_CACHE_MAX then
      entry_cache, entry_cached = {}, 0
    end
    entry_cache[key], entry_cached = words, entry_cached + 1
  end
  return words or nil
end

-- the warnings of one set fact: each entry of the record's list whose words
-- are all unread
local function unread_entries(out, f, list, read, silent, as_of)
  for i, given in ipairs(type(list) == "table" and list or {}) do
    local words = type(given) == "string" and entry_words(f, given, as_of)
    if words and not any_read(words, read, silent) then
      local message = "'" .. given .. "' is not a word this protocol reads ("
        .. reads_text(f, read) .. "); it has no effect"
      if f.names then
        message = message .. " (brand names are not matched: for a brand, give the generic "
          .. "name)"
      end
      out:warn(f.field .. "[" .. i .. "]", message)
    end
  end
end

-- an input warning for every word of the set facts (ancestry, conditions,
-- symptoms, allergies, vaccines) that no rule of the protocol reads
local function unread_words(out, st, pt, raw_of)
  local raw
  for _, f in ipairs(M.WORD_FACTS) do
    local read, silent = st.words[f.fact], st.silent[f.fact]
    if some_unread(pt.facts[f.fact], read, silent) then
      raw = raw or (raw_of and raw_of()) or {}
      unread_entries(out, f, raw[f.field], read, silent, pt.as_of)
    end
  end
end

-- }===

--- Evaluate a patient against the protocol (the pipeline of the module
-- description).
-- @tparam table|string x the patient: a Lua table, JSON text, or a file
--   path (`"-"`: stdin)
-- @tparam[opt] table opts `as_of` (`"YYYY-MM-DD"`, replaces the record's),
--   `today` (the day used when no `as_of` is given; default the clock), `trace`
--   (`false`: the same result without the `trace` list, which is not built)
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
  local popts = { as_of = opts.as_of, today = opts.today, profile = params.profile,
                  tpmt_method = params.tpmt_method }
  local pt, msg, code, path, raw = read_patient(x, popts)
  if not pt then
    return nil, msg, code or "E_INPUT", path or ""
  end
  local r, emsg = evaluate.evaluate(st.compiled, patient.to_facts(pt))
  if not r then
    local fact = type(emsg) == "string" and string.match(emsg, "^fact '([^']+)'") or ""
    return nil, emsg, "E_INPUT", fact
  end
  local out = new_out(st)
  -- The engine ranks every fired reduce, cap and set_dose as adjust, and only those
  -- (aza_action_decision): a rule that fired without changing the dose (an active patient
  -- within the band) must not make the decision adjust (design §5). So an engine adjust
  -- is the non-dose part of the lattice, proceed; the dose flow raises it to adjust when
  -- the dose changed. contraindicated, withhold and need_data stand as they are.
  if r.decision == "adjust" then
    out.decision, out.decision_by = "proceed", nil
  else
    out.decision, out.decision_by = r.decision, r.decision_by
  end
  for _, c in ipairs(pt.lab_conflicts or {}) do
    out:need_data(c.test, c.message) -- two different results at the same time: repeat
  end
  local the_dose, dmsg, dcode = dose_flow(out, st, pt, r.modifiers)
  if dmsg then
    return nil, (st.p.file or "?") .. ": " .. tostring(dmsg) .. " (" .. tostring(dcode) .. ")",
      "E_PROTOCOL", ""
  end
  if the_dose and out.changed_by then
    out:raise("adjust", out.changed_by)
  end
  unread_words(out, st, pt, raw)
  return assemble(st, pt, r, out, the_dose, opts.trace ~= false)
end

-- }===

return M

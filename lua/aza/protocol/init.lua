--- Protocols: load a protocol once, then evaluate patients against it.
--
-- `aza.protocol.load(id_or_file)` loads a protocol (sandboxed script, `extends` chain,
-- checks: `aza.protocol.load`), compiles its rules once and returns an immutable
-- **Protocol** object; `protocol:evaluate(patient)` reads the patient, runs the compiled
-- rules, the dose stage (`aza.protocol.dose_flow`) and builds the result of design §7
-- (`aza.protocol.result`). The pipeline, the dose policy and the result in full:
-- docs/internals/protocol-pipeline.md.
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
local patient = require "aza.input.patient"
local json_in = require "aza.input.json"
local out_mod = require "aza.protocol.out"
local dose_flow = require("aza.protocol.dose_flow").flow
local dose_start = require "aza.protocol.dose_start"
local words_mod = require "aza.protocol.words"
local result = require "aza.protocol.result"
local tables = require "aza.input.tables"
local sources = require "aza.input.sources"

local error, io, ipairs, next, setmetatable, string, table, tostring, type =
  error, io, ipairs, next, setmetatable, string, table, tostring, type

local M = {}

--- Decisions from the least to the most severe.
M.DECISIONS = out_mod.DECISIONS

--- The modifier kinds of `aza.dose.modify`, in the order they apply.
M.MODIFIER_ORDER = dose_start.MODIFIER_ORDER

--- The set facts whose words are checked against the words the rules read.
M.WORD_FACTS = words_mod.WORD_FACTS

local new_out, reference_table = out_mod.new, out_mod.reference_table
local words_read, check_known_words, unread_words = words_mod.read, words_mod.check_known,
  words_mod.unread
local assemble = result.assemble

-- {=== small helpers ===

local copy = require("aza.protocol.dsl").copy

local function basename(path)
  return type(path) == "string" and (string.match(path, "([^/]*)$")) or path
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
-- {=== the Protocol object ===

local private = setmetatable({}, { __mode = "k" })

local Protocol = {}

local PUBLIC = { "id", "version", "hash", "title", "description", "extends", "file",
                 "parameters", "data", "references", "required", "rules", "overrides",
                 "disabled", "layers" }

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
                 facts = r.facts, phase = r.phase, when_parameter = r.when_parameter,
                 disabled = r.disabled, disabled_by = r.disabled_by,
                 protocol = r.protocol, replaces = r.replaces, params = r.params }
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

local load_protocol, after_dose, reader_tables

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
--   `data`, `references`, `required`, `rules` (each with `protocol`, the id of
--   the protocol of the chain that wrote it, and `replaces`), `overrides`,
--   `disabled`, `layers` (`{id, version, file}` per protocol of the chain);
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

-- the patient reader's tables for this protocol: its data tables, and the LOINC codes of the
-- lab facts it declares added to the LOINC table (the shipped one, or data.loinc)
function reader_tables(p)
  local t = tables.of(p.data)
  local extra
  for _, item in ipairs(p.facts or {}) do
    local d = item.decl
    for _, code in ipairs(type(d) == "table" and d.lab and d.loinc or {}) do
      extra = extra or {}
      extra[code] = { test = d.name }
    end
  end
  if not extra then
    return t
  end
  t = t or {}
  local loinc = {}
  for code, e in next, t.loinc or require("aza.input.pgx").data("loinc") do
    loinc[code] = e
  end
  for code, e in next, extra do
    loinc[code] = e
  end
  local out = {}
  for k, v in next, t do
    out[k] = v
  end
  out.loinc = loinc
  return out
end

-- A rule with `when_parameter = { name = value }` is on only while the protocol's
-- parameters have those values (after extends): the others are marked disabled, so the
-- compiler leaves them out. The trace then has no entry for them.
local function parameter_switches(p)
  local params = p.parameters or {}
  for _, r in ipairs(p.rules or {}) do
    for k, v in next, r.when_parameter or {} do
      if params[k] ~= v then
        r.disabled = true
        r.disabled_by = "parameters." .. k
      end
    end
  end
end

-- the protocol as the two compilers see it: its rules before the dose, and those of phase
-- "dose" (nil when there are none)
local function phase_views(p)
  local before, after = {}, {}
  for _, r in ipairs(p.rules or {}) do
    local list = r.phase == "dose" and after or before
    list[#list + 1] = r
  end
  local function view(rules, required)
    local v = {}
    for k, x in next, p do
      v[k] = x
    end
    v.rules, v.required = rules, required
    return v
  end
  -- (`required` is the first phase's: asking for a missing fact is done before the dose)
  return view(before, p.required), #after > 0 and view(after, nil) or nil
end

load_protocol = function(name, opts)
  opts = opts or {}
  local p, msg, _, errors = loader.load(name, { path = opts.path, budget = opts.budget,
                                                memory = opts.memory, cpu_ms = opts.cpu_ms })
  if not p then
    return nil, msg, "E_PROTOCOL", errors
  end
  parameter_switches(p)
  -- two programs: the rules before the dose, and those of phase "dose" after it
  local before, after = phase_views(p)
  local compiled, cmsg = compile.compile(before)
  local post
  if compiled and after then
    post, cmsg = compile.compile(after)
  end
  if not compiled or (after and not post) then
    local m = compile_error(p, cmsg)
    return nil, m, "E_PROTOCOL", { { message = m } }
  end
  local known = type(p.data) == "table" and p.data.known_words or nil
  local kmsg = check_known_words(known) or tables.check(p.data, p.rules)
  if kmsg then
    local m = (p.file or "?") .. ":" .. tostring(p.line or 0) .. ": " .. kmsg
    return nil, m, "E_PROTOCOL", { { message = m } }
  end
  local refs = reference_table(p.references)
  local obj = setmetatable({}, PMT)
  local words, silent = words_read(p.rules, known)
  private[obj] = { p = p, compiled = compiled, refs = refs, public = public_fields(p),
                   words = words, silent = silent, tables = reader_tables(p), post = post,
                   site = p.site_facts or {} }
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
-- {=== the patient record and the words no rule reads ===

local slurp = require("aza.util").slurp

-- the normalised patient and a function giving the record as given (for the
-- unread-words check); a file or stdin is read once. Errors as patient.read.
local function read_patient(x, popts, input)
  if sources.wants(x, input) then
    return sources.normalise(x, popts, input)
  end
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
  elseif sources.detect(text) == "hl7v2" then
    return sources.normalise({ { name = x, text = text } }, popts)
  end
  -- decoded once: the record as given is the decoded table (normalise does not change it)
  local t, jmsg, jcode = json_in.decode_depth(text)
  if t == nil then
    return nil, jmsg, jcode, ""
  end
  popts.utf8_checked = true
  popts.json_depth = jmsg
  local pt, msg, code, path = patient.normalise(t, popts)
  return pt, msg, code, path, function()
    return t
  end
end

-- }===


-- what set the final dose, for the alerts of the rules after the dose: the rule that
-- changed it, else the protocol's standard dose and any file that overrode it
local function dose_source(st, out, the_dose)
  if out.changed_by then
    return "rule " .. tostring(out.changed_by)
  elseif the_dose.basis == "current" then
    return "the current dose (azathioprine.dose)"
  end
  local by = {}
  for _, o in ipairs(st.p.overrides or {}) do
    if type(o.what) == "string" and string.find(o.what, "^parameters%.dose") then
      by[#by + 1] = o.what .. " set by " .. tostring(o.by) .. ":" .. tostring(o.line)
    end
  end
  return "the standard dose (parameters.dose" .. (#by > 0 and ("; " .. table.concat(by, "; "))
    or "") .. ")"
end

-- the post-dose facts of a dose: mg/day (a weekly schedule: the amount of a dosing day,
-- ceilings are checked on the most taken on one day) and mg/week (the regimen's weekly
-- amount: 4 x A + 3 x B for an alternating one); nil without a dose
local function dose_facts(the_dose)
  if not the_dose then
    return nil, nil
  end
  local sc, reg = the_dose.schedule, the_dose.regimen
  if sc then
    return sc.mg_per_dosing_day, sc.mg_per_week
  end
  return the_dose.target_mg_per_day, reg and reg.weekly_mg or 7 * the_dose.target_mg_per_day
end

-- The rules of phase "dose": run with the final dose as facts (unknown without a dose);
-- their alerts (naming what set the dose), monitoring and counselling join the result,
-- and a withhold raises the decision. They cannot change the dose.
after_dose = function(st, pt, facts, r, out, the_dose, opts)
  local mg, week = dose_facts(the_dose)
  facts["dose.mg_per_day"] = mg
  facts["dose.mg_per_week"] = week
  facts["dose.mg_per_kg_per_day"] = mg and pt.facts.weight and mg / pt.facts.weight or nil
  local r2, emsg = evaluate.evaluate(st.post, facts, { trace = opts.trace })
  if not r2 then
    return nil, emsg
  end
  local from = the_dose and dose_source(st, out, the_dose)
  for _, a in ipairs(r2.alerts) do
    a.dose_from = from
    if from then
      a.message = tostring(a.message) .. " (The dose came from " .. from .. ".)"
    end
    r.alerts[#r.alerts + 1] = a
  end
  for _, key in ipairs({ "monitoring", "counselling" }) do
    r[key] = r[key] or {}
    for _, m in ipairs(r2[key] or {}) do
      r[key][#r[key] + 1] = m
    end
  end
  if r2.decision == "withhold" then
    out:raise("withhold", r2.decision_by)
  end
  r.post_trace = r2.trace
  return true
end

--- Evaluate a patient against the protocol (the pipeline of the module
-- description).
-- @tparam table|string x the patient: a Lua table, JSON text, HL7 v2 text, or a file
--   path (`"-"`: stdin); or a list of such sources, merged into one patient
--   (`aza.input.sources`: errors then name the source, `labs.hl7: message 1, OBX[2]-6: …`)
-- @tparam[opt] table opts `as_of` (`"YYYY-MM-DD"`, replaces the record's), `input`
--   (`"json"` or `"hl7v2"`: read every source as that format),
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
                  tpmt_method = params.tpmt_method, tables = st.tables, site = st.site }
  local pt, msg, code, path, raw = read_patient(x, popts, opts.input)
  if not pt then
    return nil, msg, code or "E_INPUT", path or ""
  end
  local facts = patient.to_facts(pt)
  local r, emsg = evaluate.evaluate(st.compiled, facts, { trace = opts.trace })
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
  if st.post then
    local ok, pmsg = after_dose(st, pt, facts, r, out, the_dose, opts)
    if not ok then
      return nil, pmsg, "E_INPUT", ""
    end
  end
  unread_words(out, st, pt, raw)
  return assemble(st, pt, r, out, the_dose, opts.trace ~= false)
end

-- }===

return M


--- Load-time checks of a merged protocol, and the annotated (checked) AST.
--
-- Every error names the file and line of the rule (or of the protocol
-- field) and says what to change:
--
-- * a `when` that does not parse (with the column);
-- * an unknown fact or function (with the closest name);
-- * a dimension mismatch (`wbc < 3.5 mg`: "dimension of wbc is 1/volume,
--   got mass"), a unit that does not convert (annotations, arbitrary
--   units), a quantity fact compared with a bare number;
-- * a string fact compared with a quantity or a number, a word that the
--   fact never takes (`tpmt.phenotype == "poorr"`);
-- * a value used as a condition (`wbc and …`), a boolean, date or set fact
--   in a comparison;
-- * a function with the wrong arguments;
-- * an unknown or missing citation key, a duplicate rule id;
-- * a band with lo > hi (`parameters.…band`, `reduce{low=, high=}`);
-- * an unknown action, or an action with bad fields; an unknown rule field.
--
-- Conditions are type-checked by aza.protocol.typecheck, which annotates the AST for the
-- compiler and the reference evaluator (docs/internals/protocol-ast.md, "Checked AST").
--
-- @module aza.protocol.check

local source = require "aza.protocol.source"
local typecheck = require "aza.protocol.typecheck"
local facts = require "aza.protocol.facts"
local util = require "aza.util"

local ipairs, math, next, require, setmetatable, string, table, tostring, type =
  ipairs, math, next, require, setmetatable, string, table, tostring, type
local set_of = util.set_of

local M = {}

--- Alert kinds (design §7).
M.ALERT_KINDS = { "pharmacogenomic", "interaction", "pregnancy", "lactation", "lab", "infection",
                  "malignancy", "hypersensitivity", "vaccine", "renal", "exposure", "metabolite",
                  "monitoring", "input" }
--- Alert severities.
M.SEVERITIES = require("aza.core").names.severities
--- Action types.
M.ACTIONS = require("aza.core").names.actions

local ALERT_KIND_SET, SEVERITY_SET, ACTION_SET = set_of(M.ALERT_KINDS), set_of(M.SEVERITIES),
  set_of(M.ACTIONS)


local suggest, did_you_mean, new_state, default_units = typecheck.suggest,
  typecheck.did_you_mean, typecheck.new_state, typecheck.default_units
local FACT_NAMES = typecheck.FACT_NAMES

--- Check one condition string (aza.protocol.typecheck).
M.check_when = typecheck.check_when

-- {=== actions, bands, rules ===

local ACTION_FIELDS = {
  withhold = {}, contraindicate = {}, proceed = {},
  need_data = { facts = true },
  reduce = { percent = true, low = true, high = true, fraction = true, days_per_week = true },
  cap = { mg_per_kg_per_day = true, mg_per_day = true },
  set_dose = { mg_per_kg_per_day = true, mg_per_day = true, band = true,
               start_mg_per_kg_per_day = true, start_mg_per_day = true, start_weeks = true,
               weeks = true, days_per_week = true, raise = true },
  alert = { kind = true, severity = true, message = true },
  monitor = { tests = true, every = true, weeks = true },
  counsel = { text = true },
}

local function positive(v)
  return type(v) == "number" and v > 0 and v == v and v < math.huge
end

local function string_list(v)
  if type(v) ~= "table" or #v == 0 then
    return false
  end
  for k, x in next, v do
    if type(k) ~= "number" or type(x) ~= "string" or x == "" then
      return false
    end
  end
  return true
end

-- per action type: validate the fields of a; err(msg); units for durations
local ACTION_CHECK = {}

function ACTION_CHECK.need_data(a, err)
  if not string_list(a.facts) then
    err('need_data needs a list of data names: need_data{"tpmt", "weight"}')
  end
end

local function percent_ok(v)
  return positive(v) and v <= 100
end

local function reduce_percent(a, err)
  if not percent_ok(a.percent) then
    err("reduce: percent must be a number in (0, 100], got " .. tostring(a.percent))
  end
  for _, f in ipairs { "low", "high" } do
    if a[f] ~= nil and not percent_ok(a[f]) then
      err("reduce: " .. f .. " must be a percentage in (0, 100], got " .. tostring(a[f]))
    end
  end
  if (a.low == nil) ~= (a.high == nil) then
    err("reduce: give both low and high (the band of the percentage), or neither")
  end
  if not (percent_ok(a.low) and percent_ok(a.high)) then
    return
  end
  if a.low > a.high then
    err("reduce: band lo > hi (low = " .. util.number(a.low) .. ", high = "
      .. util.number(a.high) .. "); swap them")
  elseif percent_ok(a.percent) and (a.percent < a.low or a.percent > a.high) then
    err("reduce: percent " .. a.percent .. " is outside its band " .. a.low .. "-" .. a.high)
  end
end

-- days_per_week: a weekly schedule, the dose given on that many days of each week
local function days_per_week(a, err)
  local d = a.days_per_week
  if d ~= nil and (type(d) ~= "number" or d % 1 ~= 0 or d < 1 or d > 7) then
    err(a.type .. ": days_per_week must be a whole number of days from 1 to 7 (7: every day), "
      .. "got " .. tostring(d))
  elseif d ~= nil and d < 7 and a.type == "set_dose"
      and (a.start_mg_per_kg_per_day ~= nil or a.start_mg_per_day ~= nil) then
    err("set_dose: a weekly schedule (days_per_week) has no titration: drop the start dose")
  end
end

function ACTION_CHECK.reduce(a, err)
  days_per_week(a, err)
  if (a.percent == nil) == (a.fraction == nil) then
    err("reduce needs either percent (reduce{percent=50, low=30, high=80}) or fraction "
      .. "(reduce{fraction=0.25})")
  elseif a.percent ~= nil then
    reduce_percent(a, err)
  else
    if a.low ~= nil or a.high ~= nil then
      err("reduce: low and high go with percent, not fraction")
    end
    if not positive(a.fraction) or a.fraction > 1 then
      err("reduce: fraction must be a number in (0, 1], got " .. tostring(a.fraction))
    end
  end
end

function ACTION_CHECK.cap(a, err)
  local t = a.type
  if (a.mg_per_kg_per_day == nil) == (a.mg_per_day == nil) then
    err(t .. " needs one of mg_per_kg_per_day or mg_per_day: " .. t .. "{mg_per_kg_per_day=2}")
  end
  for _, f in ipairs { "mg_per_kg_per_day", "mg_per_day", "weeks" } do
    if a[f] ~= nil and not positive(a[f]) then
      err(t .. ": " .. f .. " must be a positive number, got " .. tostring(a[f]))
    end
  end
end

-- set_dose{ mg_per_kg_per_day = 1.0, band = {0.75, 1.25}, start_mg_per_kg_per_day = 0.5,
--           start_weeks = 4 }: a new standard dose with its own band and an optional start
local function set_dose_band(a, err)
  local b = a.band
  if b == nil then
    return
  end
  if a.mg_per_kg_per_day == nil then
    err("set_dose: band goes with mg_per_kg_per_day")
  elseif type(b) ~= "table" or not positive(b[1]) or not positive(b[2]) then
    err("set_dose: band must be { low, high } in mg/kg/day")
  elseif b[1] > b[2] then
    err("set_dose: band lo > hi (" .. util.number(b[1]) .. " > " .. util.number(b[2])
      .. "); swap them")
  elseif positive(a.mg_per_kg_per_day)
      and (a.mg_per_kg_per_day < b[1] or a.mg_per_kg_per_day > b[2]) then
    err("set_dose: " .. a.mg_per_kg_per_day .. " mg/kg/day is outside its band "
      .. b[1] .. "-" .. b[2])
  end
end

function ACTION_CHECK.set_dose(a, err)
  ACTION_CHECK.cap(a, err)
  days_per_week(a, err)
  if a.raise ~= nil and type(a.raise) ~= "boolean" then
    err("set_dose: raise must be true (the set dose may raise a current dose below it) or "
      .. "false, got " .. tostring(a.raise))
  end
  set_dose_band(a, err)
  local start = a.start_mg_per_kg_per_day or a.start_mg_per_day
  local weeks = a.start_weeks or a.weeks   -- weeks is read as start_weeks
  if a.start_mg_per_kg_per_day ~= nil and a.start_mg_per_day ~= nil then
    err("set_dose: give start_mg_per_kg_per_day or start_mg_per_day, not both")
  elseif start ~= nil and not positive(start) then
    err("set_dose: the start dose must be a positive number")
  end
  if (start == nil) ~= (weeks == nil) then
    err("set_dose: a start dose and its weeks go together: set_dose{ mg_per_kg_per_day = 1.0, "
      .. "band = { 0.75, 1.25 }, start_mg_per_kg_per_day = 0.5, start_weeks = 4 }")
  elseif weeks ~= nil and (not positive(weeks) or weeks % 1 ~= 0 or weeks > 52) then
    err("set_dose: start_weeks must be a whole number of weeks (1-52)")
  end
end

function ACTION_CHECK.alert(a, err)
  if not ALERT_KIND_SET[a.kind] then
    err("alert: unknown kind '" .. tostring(a.kind) .. "'"
      .. did_you_mean(tostring(a.kind), M.ALERT_KINDS) .. " (kinds: "
      .. table.concat(M.ALERT_KINDS, ", ") .. ")")
  end
  if not SEVERITY_SET[a.severity] then
    err("alert: severity must be info, warning or critical, got " .. tostring(a.severity))
  end
  if a.message ~= nil and type(a.message) ~= "string" then
    err("alert: message must be a string")
  end
end

function ACTION_CHECK.monitor(a, err, units)
  if not string_list(a.tests) then
    err('monitor needs tests = {"fbc", …}')
  end
  if type(a.every) ~= "string" then
    err('monitor needs every = "1 wk" (a duration)')
  else
    local num, unit = string.match(a.every, "^%s*(%d+%.?%d*)%s+(%S+)%s*$")
    local info = unit and units.parse(unit)
    if not num or not info or info.dimension ~= "time" then
      err('monitor: every must be a duration such as "2 wk", got "' .. a.every .. '"')
    end
  end
  if a.weeks ~= nil and not positive(a.weeks) then
    err("monitor: weeks must be a positive number, got " .. tostring(a.weeks))
  end
end

function ACTION_CHECK.counsel(a, err)
  if type(a.text) ~= "string" or a.text == "" then
    err('counsel needs a text: counsel "…"')
  end
end

local function unknown_action_fields(a, err)
  local t = a.type
  local fields = ACTION_FIELDS[t]
  for k in next, a do
    if k ~= "type" and not (t == "need_data" and type(k) == "number") and not fields[k] then
      local names = {}
      for f in next, fields do
        names[#names + 1] = f
      end
      table.sort(names)
      err(t .. ": unknown field '" .. tostring(k) .. "'" .. did_you_mean(tostring(k), names))
    end
  end
end

-- one action; err(msg)
local function check_action(a, err, units)
  if type(a) ~= "table" then
    err("unknown action (a " .. type(a) .. "); use withhold, contraindicate, proceed, "
      .. "need_data{…}, reduce{…}, cap{…}, set_dose{…}, alert{…}, monitor{…} or counsel \"…\"")
    return
  end
  local t = a.type
  if not ACTION_SET[t] then
    err("unknown action '" .. tostring(t) .. "'" .. did_you_mean(tostring(t), M.ACTIONS)
      .. " (actions: " .. table.concat(M.ACTIONS, ", ") .. ")")
    return
  end
  unknown_action_fields(a, err)
  local f = ACTION_CHECK[t]
  if f then
    f(a, err, units)
  end
end

local function is_band_key(k)
  return type(k) == "string" and (k == "band" or string.sub(k, -5) == "_band")
end

local function band_bounds(v)
  if type(v) ~= "table" then
    return nil
  end
  local lo = v.lo or v.low or v.min or v[1]
  local hi = v.hi or v.high or v.max or v[2]
  if type(lo) == "number" and type(hi) == "number" then
    return lo, hi
  end
  return nil
end

-- walk parameters/data for bands with lo > hi
local function check_bands(t, path, report, seen)
  seen = seen or {}
  if seen[t] then
    return
  end
  seen[t] = true
  local keys = {}
  for k in next, t do
    keys[#keys + 1] = k
  end
  table.sort(keys, function(a, b)
    return tostring(a) < tostring(b)
  end)
  for _, k in ipairs(keys) do
    local v = t[k]
    local name = path .. "." .. tostring(k)
    if is_band_key(k) then
      local lo, hi = band_bounds(v)
      if lo and lo > hi then
        report(k, name .. ": band lo > hi (" .. util.number(lo) .. " > " .. util.number(hi)
          .. "); swap them")
      end
    end
    if type(v) == "table" then
      check_bands(v, name, report, seen)
    end
  end
end

local RULE_FIELD_LIST = require("aza.protocol.dsl").RULE_FIELDS -- written once, in the DSL
local RULE_FIELDS = set_of(RULE_FIELD_LIST)
for _, k in ipairs { "id", "file", "line", "protocol", "replaces" } do -- set by the loader
  RULE_FIELDS[k] = true
end

local function check_rule_fields(r, err)
  for k in next, r do
    if not RULE_FIELDS[k] then
      err("unknown field '" .. tostring(k) .. "'" .. did_you_mean(tostring(k), RULE_FIELD_LIST)
        .. " (fields: " .. table.concat(RULE_FIELD_LIST, ", ") .. ")")
    end
  end
  if r.message ~= nil and type(r.message) ~= "string" then
    err("message must be a string")
  end
  if r.require ~= nil and type(r.require) ~= "boolean" then
    err("require must be true or false (true: ask for the facts it reads when they are missing)")
  end
end

local function check_rule_when(r, st, err)
  if type(r.when) ~= "string" then
    err('needs when = "…" (a condition such as "wbc < 3.5 10*9/L"), got ' .. type(r.when))
    return
  end
  local ast, reads, params = M.check_when(r.when, { units = st.units, state = st,
                                                    params = st.params })
  if ast then
    r.ast = ast
    r.facts = reads
    r.params = next(params) and params or nil
  else
    for _, problem in ipairs(reads) do
      err(problem.message)
    end
  end
end

local function check_rule_action(r, st, err)
  local action = r.action
  if action == nil then
    err("needs action = … (withhold, contraindicate, proceed, reduce{…}, alert{…}, …)")
  elseif type(action) == "table" and action.type == nil and #action > 0 then
    for i, a in ipairs(action) do
      check_action(a, function(m)
        err("action[" .. i .. "]: " .. m)
      end, st.units)
    end
  else
    check_action(action, function(m)
      err("action: " .. m)
    end, st.units)
  end
end

-- the sorted reference keys of a protocol and their list as text, made once per protocol
-- and only when a message needs them (a check per rule would be quadratic)
local ref_lists = setmetatable({}, { __mode = "k" })
local function reference_keys(refs)
  local c = ref_lists[refs]
  if not c then
    local keys = {}
    for k in next, refs do
      keys[#keys + 1] = tostring(k)
    end
    table.sort(keys)
    c = { keys = keys, known = #keys > 0 and table.concat(keys, ", ") or "(none)" }
    ref_lists[refs] = c
  end
  return c.keys, c.known
end

local function check_rule_cite(p, r, err)
  local cites = r.cite
  if type(cites) == "string" then
    cites = { cites }
  end
  local refs = p.references or {}
  if cites ~= nil and string_list(cites) then
    local all = true
    for _, c in ipairs(cites) do
      all = all and refs[c] ~= nil
    end
    if all then
      return
    end
  end
  local keys, known = reference_keys(refs)
  if cites == nil then
    err('needs cite = "key", a key of references (' .. known .. ")")
  elseif not string_list(cites) then
    err('cite must be a key string or a list of them, as in cite = "bsr2017"')
  else
    for _, c in ipairs(cites) do
      if refs[c] == nil then
        local hint = suggest(c, keys)
        err("unknown citation key '" .. c .. "'" .. (hint and (" (did you mean '" .. hint
          .. "'?)") or "") .. "; add it to references = { " .. c .. ' = "…" } or use one of: '
          .. known)
      end
    end
  end
end

-- The phase of a rule: before the dose (the default) or after it (`phase = "dose"`), when
-- the dose of the evaluation is a fact. A rule after the dose may alert, monitor, counsel or
-- withhold, never change the dose; only such a rule may read the dose facts.
local AFTER_DOSE_ACTIONS = { alert = true, monitor = true, counsel = true, withhold = true }

local function action_types(action)
  local list = {}
  if type(action) == "table" and action.type == nil and #action > 0 then
    for _, a in ipairs(action) do
      list[#list + 1] = type(a) == "table" and a.type or nil
    end
  elseif type(action) == "table" then
    list[1] = action.type
  end
  return list
end

local function check_rule_phase(r, err)
  if r.phase ~= nil and r.phase ~= "dose" then
    err('phase must be "dose" (a rule that runs after the dose is worked out), or left out')
    return
  end
  if r.phase == "dose" then
    for _, t in ipairs(action_types(r.action)) do
      if not AFTER_DOSE_ACTIONS[t] then
        err("a rule of phase \"dose\" may alert, monitor, counsel or withhold, not " .. t
          .. " (the dose is already worked out)")
      end
    end
    return
  end
  for _, name in ipairs(r.facts or {}) do
    local f = facts.get(name)
    if f and f.phase == "dose" then
      err("reads " .. name .. ", which is known only after the dose is worked out: give the "
        .. 'rule phase = "dose"')
    end
  end
end

-- `when_parameter = { name = value, … }`: the rule is on only while each named parameter
-- has that value (aza.protocol selects at load); each name must be a parameter
local function check_rule_parameters(p, r, err)
  local wp = r.when_parameter
  if wp == nil then
    return
  end
  if type(wp) ~= "table" or next(wp) == nil then
    err('when_parameter must be a table { name = value }, as in when_parameter = { '
      .. 'tpmt_unknown = "need_data" }')
    return
  end
  for k, v in next, wp do
    local t = type(v)
    if type(k) ~= "string" or (t ~= "string" and t ~= "number" and t ~= "boolean") then
      err("when_parameter: each entry is a parameter name and a string, number or boolean")
    elseif (p.parameters or {})[k] == nil then
      err("when_parameter: the protocol has no parameter '" .. k .. "' (give it a default "
        .. "in parameters)")
    end
  end
end

local function check_rule(p, r, st, add)
  local function err(msg)
    add(r.file, r.line, "rule '" .. r.id .. "': " .. msg)
  end
  check_rule_parameters(p, r, err)
  check_rule_fields(r, err)
  check_rule_when(r, st, err)
  check_rule_action(r, st, err)
  check_rule_phase(r, err)
  check_rule_cite(p, r, err)
end

-- protocol-level fields: id, version, references, required
local function check_head(p, add, locate)
  if type(p.id) ~= "string" or not string.find(p.id, "^[%w_%-%.]+$") then
    add(p.file, p.line, "protocol id must be letters, digits, '_', '-' or '.', got "
      .. (type(p.id) == "string" and ("'" .. util.printable(p.id) .. "'") or type(p.id)))
  end
  if type(p.version) ~= "string" then
    add(p.file, p.line, "protocol '" .. tostring(p.id) .. "' needs version = \"…\" "
      .. "(such as \"2026.1\")")
  end
  for k, v in next, p.references or {} do
    if type(k) ~= "string" or (type(v) ~= "string" and type(v) ~= "table") then
      add(p.file, locate(p.file, tostring(k), p.line), "references: each entry is "
        .. 'key = "text" (got ' .. tostring(k) .. " = a " .. type(v) .. ")")
    end
  end
  for i, name in ipairs(p.required or {}) do
    if type(name) ~= "string" or not facts.by_name[name] then
      add(p.file, locate(p.file, "required", p.line), "required[" .. i .. "]: unknown fact '"
        .. tostring(name) .. "'" .. did_you_mean(tostring(name), FACT_NAMES))
    end
  end
end

-- bands with lo > hi in parameters and data, reported at the file that
-- last set them
local function check_all_bands(p, add, locate)
  for _, section in ipairs { "parameters", "data" } do
    if type(p[section]) == "table" then
      check_bands(p[section], section, function(key, msg)
        local file, line = p.file, p.line
        for _, o in ipairs(p.overrides or {}) do
          if string.find(msg, o.what, 1, true) == 1 then
            file, line = o.by, o.line
          end
        end
        if file == p.file then
          line = locate(file, key, p.line)
        end
        add(file, line, msg)
      end)
    end
  end
end

-- }===

--- Check a merged protocol (as aza.protocol.load builds it) and annotate
-- its rules (`rule.ast`, `rule.facts`).
-- @tparam table p the protocol
-- @tparam[opt] table opts `units` (default `aza.units`)
-- @tparam[opt] table errors a list to append to
-- @treturn {table,...} the errors `{file, line, message}` (empty when fine)
-- a declared lab's LOINC code that already names another test (the shipped table, or the
-- protocol's data.loinc): a result sent by that code must not change test silently
local function loinc_taken(p, d)
  local table_ = (type(p.data) == "table" and p.data.loinc)
    or require("aza.input.pgx").data("loinc")
  for _, code in ipairs(d.loinc or {}) do
    local e = table_[code]
    if e and e.test ~= d.name then
      return "loinc " .. code .. " is already the code of " .. tostring(e.test)
        .. "; give " .. d.name .. " its own LOINC codes"
    end
  end
  return nil
end

-- the facts the protocol's extends chain declares (`facts = { … }`): each checked and added
-- to the catalogue (aza.protocol.facts.declare); returns the set of names it may read
local function declare_facts(p, st, add)
  local site = {}
  local catalogue = require "aza.protocol.facts"
  if type(p.facts) ~= "table" then
    return site
  end
  for i, item in ipairs(p.facts) do
    local d = item.decl
    local problem = catalogue.declaration_problem(d)
    if not problem and d.unit ~= nil then
      local info, msg = st.units.parse(d.unit)
      problem = not info and ("unit: " .. tostring(msg)) or nil
    end
    if not problem and d.lab then
      problem = loinc_taken(p, d)
    end
    local names, added
    if not problem then
      names, problem, added = catalogue.declare(d)
    end
    if problem then
      add(item.file, item.line, "facts[" .. i .. "]: " .. problem)
    else
      -- name -> this protocol's declaration (its own plausible range and description)
      for _, n in ipairs(names) do
        site[n] = d
        if added then
          p.declared_new = p.declared_new or {}
          p.declared_new[#p.declared_new + 1] = n
        end
      end
    end
  end
  p.site_facts = site
  return site
end

function M.check(p, opts, errors)
  opts = opts or {}
  errors = errors or {}
  local units = opts.units or default_units()
  local st = new_state(units)
  st.params = type(p.parameters) == "table" and p.parameters or {}
  local function add(file, line, message)
    errors[#errors + 1] = { file = file, line = line, message = message }
  end
  local sources = {}
  for i, f in ipairs(p.files or {}) do
    sources[f] = (p.sources or {})[i]
  end
  local function locate(file, needle, from)
    local src = sources[file]
    if not src then
      return from
    end
    return source.locate(src, needle, from)
  end

  check_head(p, add, locate)
  check_all_bands(p, add, locate)
  st.site = declare_facts(p, st, add)
  -- rules
  local seen = {}
  for _, r in ipairs(p.rules or {}) do
    if seen[r.id] then
      local first = seen[r.id]
      add(r.file, r.line, "duplicate rule id '" .. r.id .. "' (first at " .. first.file .. ":"
        .. first.line .. "); rename one of them")
    else
      seen[r.id] = r
    end
    check_rule(p, r, st, add)
  end
  require("aza.protocol.params").check(p, add)
  return errors
end

return M


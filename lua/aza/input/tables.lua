--- The data tables the patient reader matches against, reached through the loaded protocol:
-- a protocol's `data.medications` and `data.loinc` replace `rules/data/medications.lua` and
-- `rules/data/loinc.lua` (same shapes); without them the shipped tables are used.
-- `data.lab_codes` maps the site laboratory's own OBX-3 codes to a LOINC code or test name. Checked
-- when the protocol loads: the shape of each table, and that every medication, vaccine or
-- allergy word the rules ask for (`taking`, `planned`, `allergic`) is an id or a class of the
-- table, so that replacing the table can never silently switch a rule off.
--
-- @module aza.input.tables
-- @usage
-- local tables = require "aza.input.tables"
-- local t = tables.of(protocol_data)   --> {medications = ..., loinc = ...} or nil
-- local problem = tables.check(protocol_data, rules)

local catalogue = require "aza.protocol.facts"
local pgx = require "aza.input.pgx"
local walk = require("aza.protocol.words").walk

local ipairs, next, pairs, string, table, tostring, type =
  ipairs, next, pairs, string, table, tostring, type

local M = {}

--- The names of the tables a protocol may replace (keys of its `data`).
M.NAMES = { "medications", "loinc", "lab_codes" }

--- The tables a protocol's `data` replaces, or nil when it replaces none.
-- @tparam table|nil data the protocol's `data`
-- @treturn table|nil `{medications =, loinc =}` (only those given)
function M.of(data)
  if type(data) ~= "table" then
    return nil
  end
  local out
  for _, name in ipairs(M.NAMES) do
    if data[name] ~= nil then
      out = out or {}
      out[name] = data[name]
    end
  end
  return out
end

local function string_list(v)
  if type(v) ~= "table" then
    return false
  end
  for k, s in pairs(v) do
    if type(k) ~= "number" or type(s) ~= "string" then
      return false
    end
  end
  return true
end

-- the shape of one substance entry; a problem or nil
local function substance_problem(e, p)
  if type(e) ~= "table" then
    return p .. " must be a table {id =, names = {…}, atc = {…}, classes = {…}}"
  elseif type(e.id) ~= "string" or e.id == "" then
    return p .. ".id must be a word (the substance id rules name)"
  end
  for _, f in ipairs({ "names", "atc", "classes" }) do
    if e[f] ~= nil and not string_list(e[f]) then
      return p .. "." .. f .. " must be a list of strings"
    end
  end
  if (e.names == nil or e.names[1] == nil) and (e.atc == nil or e.atc[1] == nil) then
    return p .. " needs names or atc codes to be matched by"
  end
  return nil
end

-- the shape of a medication table; a problem or nil
local function medications_problem(t)
  local at = "data.medications"
  if type(t) ~= "table" then
    return at .. " must be a table in the shape of rules/data/medications.lua"
  end
  if type(t.substances) ~= "table" or t.substances[1] == nil then
    return at .. ".substances must be a list of {id =, names = {…}, atc = {…}, classes = {…}}"
  end
  for i, e in ipairs(t.substances) do
    local problem = substance_problem(e, at .. ".substances[" .. i .. "]")
    if problem then
      return problem
    end
  end
  if t.ignore_words ~= nil and not string_list(t.ignore_words) then
    return at .. ".ignore_words must be a list of strings"
  end
  if t.atc_prefixes ~= nil and type(t.atc_prefixes) ~= "table" then
    return at .. ".atc_prefixes must be a list"
  end
  for i, a in ipairs(t.atc_prefixes or {}) do
    if type(a) ~= "table" or type(a.prefix) ~= "string" or not string_list(a.classes) then
      return at .. ".atc_prefixes[" .. i .. "] must be {prefix = \"C09A\", classes = {…}}"
    end
  end
  return nil
end

-- the shape of a LOINC table; a problem or nil
local function loinc_problem(t)
  if type(t) ~= "table" or next(t) == nil then
    return "data.loinc must be a table of LOINC code = {test = \"wbc\"}"
  end
  for code, e in pairs(t) do
    local p = "data.loinc[" .. tostring(code) .. "]"
    if type(code) ~= "string" or not string.match(code, "^%d+%-%d$") then
      return p .. ": the key must be a LOINC code such as \"6690-2\""
    end
    local f = type(e) == "table" and type(e.test) == "string" and catalogue.by_name[e.test]
    if not f or not f.lab then
      return p .. ".test must be a lab test aza reads (wbc, neutrophils, …)"
    end
  end
  return nil
end

-- the shape of a local-code table (HL7 v2 OBX-3 codes of the site's laboratory); a problem
-- or nil
local function lab_codes_problem(t, loinc)
  if type(t) ~= "table" or next(t) == nil then
    return 'data.lab_codes must be a table of local code = "LOINC code" or "test name"'
  end
  for code, target in pairs(t) do
    local p = "data.lab_codes[" .. tostring(code) .. "]"
    if type(code) ~= "string" or code == "" then
      return p .. ": the key must be the laboratory's code (a string)"
    end
    local f = type(target) == "string" and catalogue.by_name[target]
    if not ((f and f.lab) or (type(target) == "string" and loinc[target])) then
      return p .. " must be a LOINC code of rules/data/loinc.lua (or data.loinc) or a lab "
        .. "test aza reads (wbc, neutrophils, …)"
    end
  end
  return nil
end

-- the functions whose string argument names a substance or class of the medication table
local ASKS = { taking = true, planned = true, allergic = true }

-- the first shape problem of the tables, or nil
local function shape_problem(t)
  return (t.medications ~= nil and medications_problem(t.medications))
    or (t.loinc ~= nil and loinc_problem(t.loinc))
    or (t.lab_codes ~= nil and lab_codes_problem(t.lab_codes, t.loinc or pgx.data("loinc")))
    or nil
end

--- Check the tables a protocol's `data` gives against their shapes and the rules.
-- @tparam table|nil data the protocol's `data`
-- @tparam {table,...} rules the checked rules (with `ast`)
-- @treturn string|nil a problem naming the field, or nil
function M.check(data, rules)
  local t = M.of(data)
  if not t then
    return nil
  end
  local problem = shape_problem(t)
  if problem or not t.medications then
    return problem or nil
  end
  local known = {}
  for _, e in ipairs(t.medications.substances) do
    known[e.id] = true
    for _, c in ipairs(e.classes or {}) do
      known[c] = true
    end
  end
  for _, a in ipairs(t.medications.atc_prefixes or {}) do
    for _, c in ipairs(a.classes) do
      known[c] = true
    end
  end
  local words = {}
  for _, r in ipairs(rules or {}) do
    if not r.disabled then
      walk(r.ast, function(node)
        local a = node.tag == "call" and ASKS[node.name] and node.args and node.args[1]
        if type(a) == "table" and a.tag == "str" and words[a.value] == nil then
          words[a.value] = { rule = r.id, fn = node.name }
        end
      end)
    end
  end
  local missing = {}
  for w, where in pairs(words) do
    if not known[w] then
      missing[#missing + 1] = { w = w, where = where }
    end
  end
  table.sort(missing, function(a, b) return a.w < b.w end)
  if missing[1] then
    local m = missing[1]
    return ("data.medications defines no substance or class '%s', which rule '%s' asks for "
      .. "with %s(\"%s\"): add it (as an id or to a substance's classes) or keep the shipped "
      .. "table (rules/data/medications.lua)"):format(m.w, m.where.rule, m.where.fn, m.w)
  end
  return nil
end

--- The shipped table of a name (`rules/data/NAME.lua`).
-- @tparam string name `"medications"` or `"loinc"`
-- @treturn table
function M.shipped(name)
  return pgx.data(name)
end

return M

--- One patient from several sources: each source's format detected (or forced), read into
-- a patient record, the records merged, and errors and warnings named in each source's
-- own terms (`labs.hl7: message 2, OBX[4]-6: …`, `patient.json: labs[1].unit: …`).
--
-- A source is a table (a patient record), a string (JSON text starting with `{`, HL7 v2
-- text starting with `MSH|` or MLLP-framed, else a file path), or a descriptor
-- `{name =, text =}` / `{path =}` with an optional `input` (`"json"`, `"hl7v2"`).
-- Lists (labs, medications, conditions, allergies, symptoms, vaccines_planned, ancestry)
-- are concatenated, a repeated entry kept once; `genotype`, `phenotype` and `facts` merge key
-- by key; any other field comes from whichever source has it, and two sources that give it
-- differently are an input error naming both.
--
-- @module aza.input.sources

local hl7v2 = require "aza.input.hl7v2"
local patient = require "aza.input.patient"
local json = require "aza.input.json"
local quantity = require "aza.quantity"
local util = require "aza.util"

local format = string.format
local concat, sort = table.concat, table.sort
local ipairs, next, pairs, tostring, type = ipairs, next, pairs, tostring, type

local M = {}

--- The formats a source may be read as (`--input`).
M.INPUTS = { "json", "hl7v2" }
local INPUT = { json = true, hl7v2 = true }

--- The list fields that merge by concatenation.
M.LISTS = { "labs", "medications", "conditions", "allergies", "symptoms", "vaccines_planned",
  "ancestry" }
local LIST = {}
for _, k in ipairs(M.LISTS) do
  LIST[k] = true
end

--- Whether a word names an input format.
-- @tparam string s
-- @treturn boolean
function M.is_input(s)
  return INPUT[s] == true
end

-- the objects that merge key by key
local OBJECT = { genotype = true, phenotype = true, facts = true }

local function shallow(t)
  local c = {}
  for k, v in pairs(t) do
    c[k] = v
  end
  return c
end

local DESCRIPTOR = { name = true, text = true, path = true, input = true }

--- Whether a table is a source descriptor (`{name =, text =}`, `{path =}`, with `input`).
-- @tparam table t
-- @treturn boolean
local function is_descriptor(t)
  if next(t) == nil or t[1] ~= nil then
    return false
  end
  for k in pairs(t) do
    if not DESCRIPTOR[k] then
      return false
    end
  end
  return t.text ~= nil or t.path ~= nil
end


M.is_descriptor = is_descriptor

--- The format of a text: `"hl7v2"` (MSH, or MLLP framing), else `"json"`.
-- @tparam string text
-- @treturn string
function M.detect(text)
  if text:match("^[\239\187\191%s\11]*MSH") then
    return "hl7v2"
  end
  return "json"
end

-- a file's text (`-`: stdin), or nil, message naming it
local function read_file(name, path)
  local text, err = util.slurp(path)
  if not text then
    return nil, format("%s: cannot read: %s", name, tostring(err))
  end
  return text
end

-- one source → {name, input, text | record}, or nil, message
local function open_source(x, i, force)
  local name, input, text, record = "source " .. i, force, nil, nil
  local msg
  if type(x) == "table" and is_descriptor(x) then
    name, input, text = x.name or x.path or name, x.input or force, x.text
    if text == nil then
      text, msg = read_file(name, x.path)
    end
  elseif type(x) == "table" then
    record = x
  elseif type(x) == "string" and (x:match("^%s*{") or M.detect(x) == "hl7v2") then
    text = x
  elseif type(x) == "string" then
    name = x
    text, msg = read_file(name, x)
  else
    msg = format("%s: a source is a table, a text or a file path, got %s", name, type(x))
  end
  if msg then
    return nil, msg
  elseif input ~= nil and not INPUT[input] then
    return nil, format("%s: unknown input format '%s' (%s)", name, tostring(input),
      concat(M.INPUTS, ", "))
  end
  return { name = name, input = input or (text and M.detect(text)) or "json", text = text,
           record = record }
end

-- a source read into a record: record, origin, warnings, ids; or nil, message
local function read_source(s, opts)
  if s.input == "hl7v2" then
    local t = opts.tables or {}
    local rec, origin, warnings, ids = hl7v2.read(s.text, { name = s.name,
      lab_codes = t.lab_codes, loinc = t.loinc })
    if not rec then
      return nil, s.name .. ": " .. origin
    end
    return rec, origin, warnings, ids
  end
  local rec = s.record
  if rec == nil then
    local t, msg = json.decode(s.text)
    if t == nil then
      return nil, s.name .. ": patient JSON: " .. tostring(msg)
    end
    rec = t
  end
  if type(rec) == "table" and rec.resourceType ~= nil then
    return nil, s.name .. ": a FHIR resource (" .. tostring(rec.resourceType) .. "); this "
      .. "version reads HL7 v2 and the patient record only"
  end
  local ids = {}
  if type(rec) == "table" and (type(rec.id) == "string" or type(rec.id) == "number") then
    ids[tostring(rec.id)] = true
  end
  return rec, { ["*"] = { source = s.name } }, {}, ids
end

-- {=== merge ===

local function same(a, b)
  if a == b then
    return true
  elseif type(a) == "string" and type(b) == "string" then
    local qa, qb = quantity.coerce(a), quantity.coerce(b)
    if qa and qb then
      return quantity.approx(qa, qb)
    end
    return a:lower() == b:lower()
  elseif type(a) == "table" and type(b) == "table" then
    for k, v in pairs(a) do
      if not same(v, b[k]) then
        return false
      end
    end
    for k in pairs(b) do
      if a[k] == nil then
        return false
      end
    end
    return true
  end
  return false
end

local function show(v)
  if type(v) == "table" then
    return json.encode(v)
  end
  return tostring(v)
end

-- where a record path came from, as "source: place"
local function where(origin, path)
  local o = origin[path] or origin["*"]
  if not o then
    return "?"
  end
  return o.at and (o.source .. " (" .. o.at .. ")") or o.source
end

local function disagree(k, out, origin, a, b)
  return format("%s: %s gives %s, %s gives %s: the sources disagree", k,
    where(out.origin, k:match("^[%w_]+")), show(a), where(origin, k:match("^[%w_]+")), show(b))
end

-- a list field: entries not already there appended, with their origins
local function merge_list(out, k, v, origin)
  local list = out.rec[k] or {}
  out.rec[k] = list
  for i, e in ipairs(v) do
    local dup = false
    for _, seen in ipairs(list) do
      dup = dup or same(seen, e)
    end
    if not dup then
      list[#list + 1] = e
      local o = origin[format("%s[%d]", k, i)] or origin["*"]
      out.origin[format("%s[%d]", k, #list)] = { source = o.source, at = o.at,
        fields = o.fields, path = origin["*"] and format("%s[%d]", k, i) or nil }
    end
  end
end

-- an object merged key by key (one source may give TPMT, another NUDT15); an error or nil
local function merge_object(out, k, v, origin)
  local o = out.rec[k]
  for _, sk in ipairs(util.sorted_keys(v)) do
    local sv = v[sk]
    if o[sk] == nil then
      o[sk] = sv
    elseif not same(o[sk], sv) then
      return disagree(k .. "." .. tostring(sk), out, origin, o[sk], sv)
    end
  end
  return nil
end

-- one source's record into the merge; an error or nil (keys in order: the same first
-- error on every interpreter)
local function merge_into(out, rec, origin)
  for _, k in ipairs(util.sorted_keys(rec)) do
    local v, err = rec[k], nil
    if LIST[k] and type(v) == "table" then
      merge_list(out, k, v, origin)
    elseif OBJECT[k] and type(v) == "table" and type(out.rec[k]) == "table" then
      err = merge_object(out, k, v, origin)
    elseif out.rec[k] == nil then
      out.rec[k] = OBJECT[k] and type(v) == "table" and shallow(v) or v
      out.origin[k] = origin[k] or origin["*"]
    elseif k ~= "id" and not same(out.rec[k], v) then -- ids: checked across the sources
      err = disagree(k, out, origin, out.rec[k], v)
    end
    if err then
      return err
    end
  end
  return nil
end

-- }===

--- Read and merge sources into one patient record.
-- @tparam table|string x one source, or a list of sources
-- @tparam[opt] table opts `input` (force a format), `tables` (the protocol's data tables)
-- @treturn table the merged record
-- @treturn table origin: record path → `{source, at, fields, path}`
-- @treturn table warnings `{ {text =, source =} }` in the sources' terms
-- @return[2] nil, message, `"E_INPUT"`
function M.read(x, opts)
  opts = opts or {}
  local list = x
  if type(x) ~= "table" or x[1] == nil or is_descriptor(x) then
    list = { x }
  end
  local out, warnings = { rec = {}, origin = {} }, {}
  local ids = {}
  for i, src in ipairs(list) do
    local s, msg = open_source(src, i, opts.input)
    if not s then
      return nil, msg, "E_INPUT"
    end
    local rec, origin, warns, sids = read_source(s, opts)
    if not rec then
      return nil, origin, "E_INPUT"
    end
    if type(rec) ~= "table" or rec[1] ~= nil then
      return nil, s.name .. ": a patient record must be a JSON object", "E_INPUT"
    end
    for _, w in ipairs(warns) do
      warnings[#warnings + 1] = { text = s.name .. ": " .. w.message, source = s.name }
    end
    if next(sids) ~= nil then
      ids[#ids + 1] = { name = s.name, ids = sids }
    end
    local err = merge_into(out, rec, origin)
    if err then
      return nil, err, "E_INPUT"
    end
  end
  for k = 2, #ids do
    local shared = false
    for id in pairs(ids[k].ids) do
      shared = shared or ids[1].ids[id] ~= nil
    end
    if not shared then
      local a, b = {}, {}
      for id in pairs(ids[1].ids) do a[#a + 1] = id end
      for id in pairs(ids[k].ids) do b[#b + 1] = id end
      sort(a)
      sort(b)
      return nil, format("%s names patient %s, %s names patient %s: not one patient",
        ids[1].name, concat(a, ", "), ids[k].name, concat(b, ", ")), "E_INPUT"
    end
  end
  out.single = #list == 1 and list[1]
  return out.rec, out.origin, warnings
end

--- A record path (`labs[2].unit`) in its source's terms: `labs.hl7: message 1, OBX[3]-6`.
-- @tparam table origin from `read`
-- @tparam string path
-- @treturn string|nil nil when the origin is not known
function M.locate(origin, path)
  local head, field = path:match("^([%w_]+%[%d+%])%.?(.*)$")
  if not head then
    head, field = path:match("^([%w_]+)%.?(.*)$")
  end
  local o = head and origin[head]
  if not o then
    return nil
  end
  if o.at == nil then -- a patient record: its own path (renumbered lists put back)
    local p = o.path and (o.path .. (field ~= "" and ("." .. field) or "")) or path
    return o.source .. ": " .. p
  end
  local f = o.fields and (o.fields[field] or o.fields[field:match("^[%w_]+") or ""]
    or o.fields[""]) or ""
  if f:sub(1, 1) == " " then
    return o.source .. ": " .. o.at .. f
  end
  return o.source .. ": " .. o.at .. f
end

-- a message that starts with its record path, in the source's terms
local function relocate(origin, path, msg)
  local where_ = path and path ~= "" and M.locate(origin, path)
  if not where_ then
    return msg
  end
  if msg:sub(1, #path + 2) == path .. ": " then
    msg = msg:sub(#path + 3)
  end
  return where_ .. ": " .. msg
end

--- Whether a patient argument needs this module (several sources, a descriptor, HL7 v2
-- text, or a forced format); a single record table or JSON text/path does not.
-- @param x the argument of `protocol:evaluate`
-- @tparam[opt] string input a forced format
-- @treturn boolean
function M.wants(x, input)
  if input ~= nil then
    return true
  elseif type(x) == "table" then
    return x[1] ~= nil or is_descriptor(x)
  end
  return type(x) == "string" and M.detect(x) == "hl7v2"
end

--- Read, merge and normalise sources into one patient (`aza.input.patient.normalise`).
-- @param x as for `read`
-- @tparam table popts the options of `normalise`
-- @tparam[opt] string input a forced format
-- @return as `normalise`, with messages and warnings in the sources' terms, and then a
--   function giving the merged record
function M.normalise(x, popts, input)
  local rec, origin, warnings = M.read(x, { input = input, tables = popts.tables })
  if not rec then
    return nil, origin, "E_INPUT", ""
  end
  local pt, msg, code, path, errors = patient.normalise(rec, popts)
  if not pt then
    for _, e in ipairs(errors or {}) do
      e.message = relocate(origin, e.path, e.message)
    end
    return nil, relocate(origin, path, msg), code, path, errors
  end
  for _, w in ipairs(pt.warnings) do
    w.text = relocate(origin, w.path, w.text)
  end
  for _, w in ipairs(warnings) do
    pt.warnings[#pt.warnings + 1] = { path = w.source, message = w.text, text = w.text }
  end
  return pt, nil, nil, nil, function()
    return rec
  end
end

return M

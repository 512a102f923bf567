--- The result of one evaluation under construction: the decision lattice, need_data,
-- input warnings, the dose trace, and the references a result cites. Used by the dose
-- stage (aza.protocol.dose_start, aza.protocol.dose_flow) and the result
-- (aza.protocol.result). See docs/internals/protocol-pipeline.md.
--
-- @module aza.protocol.out

local ipairs, pairs, setmetatable, table, tostring, type =
  ipairs, pairs, setmetatable, table, tostring, type

local M = {}

--- Decisions from the least to the most severe.
M.DECISIONS = require("aza.core").names.decisions

--- Rank of each decision (1 = proceed).
M.RANK = {}
for i, d in ipairs(M.DECISIONS) do
  M.RANK[d] = i
end
local RANK = M.RANK

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

-- the short form and full text of a cite (a key or a list of keys), worked out once per
-- reference table and cite: both belong to a loaded protocol, which never changes
local cite_cache = setmetatable({}, { __mode = "k" })
local function cite_of(refs, cite)
  if cite == nil then
    return nil, nil
  end
  local cache = cite_cache[refs]
  if not cache then
    cache = setmetatable({}, { __mode = "k" })
    cite_cache[refs] = cache
  end
  local hit = cache[cite]
  if hit then
    return hit[1], hit[2]
  end
  local keys = type(cite) == "table" and cite or { cite }
  local short, text = {}, {}
  for i, k in ipairs(keys) do
    local r = refs[k]
    short[i] = r and r.short or tostring(k)
    text[i] = r and r.text or tostring(k)
  end
  hit = { table.concat(short, "; "), table.concat(text, "; ") }
  cache[cite] = hit
  return hit[1], hit[2]
end

-- }===

-- {=== the result under construction ===

local Out = {}
Out.__index = Out

--- A new result under construction for the protocol state `st`.
-- @tparam table st the protocol's private state (`refs`)
-- @treturn table
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

M.new = new_out
M.reference_table = reference_table
M.cite_of = cite_of

return M

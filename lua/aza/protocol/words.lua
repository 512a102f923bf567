--- The words a protocol reads: which words of the set facts (ancestry, conditions,
-- symptoms, allergies, vaccines) the rules of a protocol look for, and the input warning
-- for every word of a patient that no rule reads. See docs/internals/protocol-pipeline.md.
--
-- @module aza.protocol.words

local catalogue = require "aza.protocol.facts"
local patient = require "aza.input.patient"

local num = patient.num

local ipairs, pairs, table, tostring, type =
  ipairs, pairs, table, tostring, type

local M = {}

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
--- Visit every node of a checked condition AST (docs/internals/protocol-ast.md), parents
-- before children.
-- @tparam table node
-- @tparam function visit called with each node
local function walk(node, visit)
  if type(node) ~= "table" then
    return
  end
  visit(node)
  walk(node[1], visit)
  walk(node[2], visit)
  walk(node.lhs, visit)
  walk(node.rhs, visit)
  for _, a in ipairs(node.args or {}) do
    walk(a, visit)
  end
end
M.walk = walk

-- collect into `words` (fact → set of words) the words of one checked AST node
local function collect_word(node, words)
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
      walk(r.ast, function(node) collect_word(node, words) end)
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
-- One cache per set of data tables (a protocol's data.medications changes what a name
-- matches), each bounded.
local entry_caches = setmetatable({}, { __mode = "k" })
local ENTRY_CACHE_MAX = 512
local SHIPPED = {} -- the key of the cache for the shipped tables

local function entry_words(f, given, as_of, tables)
  local c = entry_caches[tables or SHIPPED]
  if not c then
    c = { words = {}, n = 0 }
    entry_caches[tables or SHIPPED] = c
  end
  local key = f.field .. "\0" .. given
  local words = c.words[key]
  if words == nil then
    local one = patient.normalise({ [f.field] = { given } }, { as_of = as_of, tables = tables })
    words = one and (one.facts[f.fact] or {}) or false
    if c.n >= ENTRY_CACHE_MAX then
      c.words, c.n = {}, 0
    end
    c.words[key], c.n = words, c.n + 1
  end
  return words or nil
end

-- the warnings of one set fact: each entry of the record's list whose words
-- are all unread
local function unread_entries(out, f, list, read, silent, as_of, tables)
  for i, given in ipairs(type(list) == "table" and list or {}) do
    local words = type(given) == "string" and entry_words(f, given, as_of, tables)
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
      unread_entries(out, f, raw[f.field], read, silent, pt.as_of, st.tables)
    end
  end
end

M.read = words_read
M.check_known = check_known_words
M.unread = unread_words

return M

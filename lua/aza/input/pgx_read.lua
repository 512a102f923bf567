--- The pharmacogenomic part of a patient record: genotypes, reported phenotypes and TPMT
-- activity per gene, their conflicts, the red-cell transfusion window, and the phenotype
-- fact chosen with its source (tables and allele functions: aza.input.pgx). Part of
-- aza.input.patient.
--
-- @module aza.input.pgx_read

local pgx = require "aza.input.pgx"
local util = require "aza.util"

local format = string.format
local concat = table.concat
local ipairs, next, type =
  ipairs, next, type
local set_of = util.set_of

local context = require "aza.input.context"

local is_list = context.is_list
local is_null = context.is_null
local show = context.show
local sorted_keys = context.sorted_keys

local M = {}

local ACTIVITY_FIELDS = set_of { "value", "unit", "method", "date" }

-- {=== pharmacogenomics ===

local GENES = { TPMT = "tpmt", NUDT15 = "nudt15" }

-- genotype / phenotype objects keyed by gene; keys are matched without case
local function by_gene(cx, p, field)
  local obj = p[field]
  local out = {}
  if obj == nil or is_null(obj) then
    return out
  elseif type(obj) ~= "table" or (is_list(obj) and next(obj) ~= nil) then
    cx:fail(field, format("%s is not an object keyed by gene (TPMT, NUDT15)", show(obj)))
    return out
  end
  for _, key in ipairs(sorted_keys(obj)) do
    local gene = key:upper()
    if GENES[gene] then
      local v = obj[key]
      if v ~= nil and not is_null(v) then
        out[gene] = { value = v, path = field .. "." .. key }
      end
    else
      cx:warn(field .. "." .. key, format("unknown gene '%s' ignored", key))
    end
  end
  return out
end

-- equivalence of phenotypes for conflict checks (possible IM is treated as IM by CPIC)
-- (every determinate word is its own class; indeterminate is none)
local CLASS = {}
for _, w in ipairs(require("aza.protocol.facts").PHENOTYPES) do
  CLASS[w] = w ~= "indeterminate" and w or nil
end
CLASS.possible_intermediate = "intermediate"

-- records every pair of determinate sources that disagree; returns true when one does
local function check_conflicts(cx, fact, sources)
  local used = sources[1]
  local found = false
  for i = 1, #sources do
    for j = i + 1, #sources do
      local a, b = sources[i], sources[j]
      if CLASS[a.phenotype] and CLASS[b.phenotype] and CLASS[a.phenotype] ~= CLASS[b.phenotype]
      then
        cx:conflict(fact, format("%s gives %s but %s gives %s; %s is used (design §8: "
          .. "activity only when no determinate genotype); both are kept", a.text,
          a.phenotype, b.text, b.phenotype, used.text),
          { [a.source] = a.phenotype, [b.source] = b.phenotype })
        found = true
      end
    end
  end
  return found
end

local function genotype_source(cx, gene, g, profile)
  if not g then
    return nil
  end
  local ph, info = pgx.phenotype(gene, g.value, profile)
  if not ph then
    cx:fail(g.path, info)
    return nil
  end
  for _, n in ipairs(info.notes) do
    cx:note("pgx", GENES[gene] .. ".phenotype", n, g.path)
  end
  local dip = info.alleles[1] .. "/" .. info.alleles[2]
  return { source = "genotype", phenotype = ph, path = g.path,
           text = format("genotype %s (%s%s)", dip, info.profile:upper(),
             info.version and (" " .. tostring(info.version)) or ""), info = info }
end

local function reported_source(cx, g)
  if not g then
    return nil
  end
  local v = g.value
  if type(v) ~= "string" then
    cx:fail(g.path, format("%s is not a phenotype word", show(v)))
    return nil
  end
  local w = v:lower():match("^%s*(.-)%s*$")
  if not pgx.phenotype_words[w] then
    cx:fail(g.path, format("unknown phenotype word '%s' (normal, intermediate, "
      .. "possible_intermediate, poor, indeterminate)", v))
    return nil
  end
  return { source = "reported", phenotype = w, path = g.path,
           text = format("reported phenotype %s", w) }
end

-- TPMT activity: returns a source, or nil; records facts only when valid
local function activity_source(cx, p)
  local a = p.tpmt_activity
  if a == nil or is_null(a) then
    return nil
  end
  local path = "tpmt_activity"
  local obj = a
  if type(a) == "string" then
    obj = { value = a }
  elseif type(a) ~= "table" or is_list(a) then
    cx:fail(path, format("%s is not a TPMT activity object", show(a)))
    return nil
  else
    cx:unknown_fields(a, ACTIVITY_FIELDS, path)
  end
  local m, id = pgx.activity_method(obj.method or cx.opts.tpmt_method)
  if not m then
    cx:fail(path .. ".method", id)
    return nil
  end
  local qx = type(obj.value) == "string" and obj.unit == nil and obj.value
    or { value = obj.value, unit = obj.unit }
  local v, text = cx:quantity_in(path, qx, m.unit,
    format("a TPMT activity in %s (method %s)", m.unit, id))
  local d = cx:date(path .. ".date", obj.date)
  if v == nil or d == false then
    return nil
  end
  if v < 0 then
    cx:fail(path, format("%s is negative", text))
    return nil
  end
  local ph, info = pgx.classify_activity(v, id)
  return { source = "activity", phenotype = ph, path = path, value = v, unit = m.unit,
           method = id, date = d, info = info,
           text = format("activity %s (%s)", text, id), given = text }
end

-- is the activity result invalid because of a red-cell transfusion?
local function transfusion_invalidates(cx, act, t)
  local limit = pgx.activity_data().transfusion_days
  if not act.date then
    cx:warn("tpmt_activity.date", format("TPMT activity has no date and a red-cell "
      .. "transfusion is recorded (%s): the activity cannot be shown valid and is not used",
      t.iso))
    return true
  end
  local gap = act.date.n - t.n
  if gap >= 0 and gap <= limit then
    cx:warn("tpmt_activity", format("TPMT activity of %s was sampled %d days after a "
      .. "red-cell transfusion (%s); results within %d days are invalid: the activity is "
      .. "not used", act.date.iso, gap, t.iso, limit))
    return true
  end
  return false
end

local function read_transfusion(cx, p)
  local t = cx:date("transfusion_date", p.transfusion_date)
  if not t then
    return nil
  end
  cx.given["transfusion.date"] = t.iso
  if cx.as_of and t.n > cx.as_of.n then
    cx:fail("transfusion_date", format("%s is after as_of %s", t.iso, cx.as_of.iso))
    return nil
  end
  cx:set_date("transfusion.date", t)
  return t
end

local function publish_activity(cx, act)
  cx:set("tpmt.activity", act.value, act.unit)
  cx:set("tpmt.method", act.method)
  cx.given["tpmt.activity"] = act.given
  cx.given["tpmt.method"] = act.method
  if act.date then
    cx:set_date("tpmt.activity.date", act.date)
    cx.given["tpmt.activity.date"] = act.date.iso
  end
  for _, n in ipairs(act.info.notes) do
    cx:note("pgx", "tpmt.phenotype", n, "tpmt_activity")
  end
end

-- choose the phenotype: genotype, then the reported word, then (TPMT) a valid activity.
-- Sets `<gene>.conflict` (design §8, "refuse to guess"): true when two determinate
-- sources disagree (genotype normal, activity low), false otherwise (also when there is
-- nothing to compare); the phenotype fact still holds the chosen source's word.
local function choose(cx, fact, sources, conflict_fact)
  local determinate = {}
  for _, s in ipairs(sources) do
    if s.phenotype ~= "indeterminate" then
      determinate[#determinate + 1] = s
    end
  end
  local chosen = determinate[1] or sources[1]
  if chosen == nil then
    cx:set(conflict_fact, false)
    return
  end
  cx:set(fact, chosen.phenotype)
  cx.given[fact] = chosen.text
  if chosen ~= sources[1] then
    cx:note("derived", fact, format("%s is indeterminate; %s gives %s", sources[1].text,
      chosen.text, chosen.phenotype), chosen.path)
  end
  local conflict = check_conflicts(cx, fact, determinate)
  cx:set(conflict_fact, conflict)
  if conflict then
    local texts = {}
    for _, s in ipairs(determinate) do
      texts[#texts + 1] = s.text .. " -> " .. s.phenotype
    end
    cx.given[conflict_fact] = concat(texts, "; ")
  end
end

-- the TPMT activity source when it can be used (published as facts), else nil; sets
-- tpmt.activity.after_transfusion (true when a transfusion invalidates the result)
local function usable_activity(cx, p)
  local t = read_transfusion(cx, p)
  local act = activity_source(cx, p)
  cx:set("tpmt.activity.after_transfusion", false)
  if act and t and cx.as_of and transfusion_invalidates(cx, act, t) then
    cx.given["tpmt.activity"] = act.given .. " (invalid: transfusion " .. t.iso .. ")"
    cx:set("tpmt.activity.after_transfusion", true)
    cx.given["tpmt.activity.after_transfusion"] = format("activity %s, transfusion %s",
      act.date and act.date.iso or "undated", t.iso)
    return nil
  elseif act and act.date and cx.as_of and act.date.n > cx.as_of.n then
    cx:fail("tpmt_activity.date", format("%s is after as_of %s", act.date.iso, cx.as_of.iso))
    return nil
  end
  if act then
    publish_activity(cx, act)
  end
  return act
end

local function read_pgx(cx, p)
  local profile, perr = pgx.profile(cx.opts.profile)
  if not profile then
    cx:fail("profile (option)", perr)
    return
  end
  cx.profile = profile.id
  local genotype = by_gene(cx, p, "genotype")
  local reported = by_gene(cx, p, "phenotype")
  local act = usable_activity(cx, p)
  for _, gene in ipairs(pgx.genes) do
    local fact = GENES[gene] .. ".phenotype"
    local sources = {}
    sources[#sources + 1] = genotype_source(cx, gene, genotype[gene], profile)
    sources[#sources + 1] = reported_source(cx, reported[gene])
    if gene == "TPMT" then
      sources[#sources + 1] = act
    end
    choose(cx, fact, sources, GENES[gene] .. ".conflict")
    if gene == "TPMT" and p.tpmt_activity ~= nil and not is_null(p.tpmt_activity)
      and act == nil and (cx.facts[fact] == nil or cx.facts[fact] == "indeterminate") then
      cx:note("need_data", fact, "TPMT status not determined: the TPMT activity result is "
        .. "not usable (see warnings); a new activity test or a genotype is needed",
        "tpmt_activity")
    end
  end
end

-- }===

-- {=== shared with the other aza.input modules ===
M.by_gene = by_gene
M.check_conflicts = check_conflicts
M.genotype_source = genotype_source
M.reported_source = reported_source
M.activity_source = activity_source
M.transfusion_invalidates = transfusion_invalidates
M.read_transfusion = read_transfusion
M.publish_activity = publish_activity
M.choose = choose
M.usable_activity = usable_activity
M.read_pgx = read_pgx
M.ACTIVITY_FIELDS = ACTIVITY_FIELDS
M.GENES = GENES
M.CLASS = CLASS
-- }===

return M

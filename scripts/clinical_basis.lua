#!/usr/bin/env lua5.4
--- Generate docs/clinical-basis.md from the shipped protocols.
--
--     lua5.4 scripts/clinical_basis.lua > docs/clinical-basis.md
--
-- Loads every shipped protocol (`rules/*.lua`: base first, then the others
-- in the order of design §8, then any further file in name order) through
-- `aza.protocol.load`, and prints for each one its parameters, its data
-- tables, its references (with the confidence mark of
-- clinical-reference.md) and a table of its rules: id | condition | action
-- | cite (short) | confidence. A protocol that extends another lists the
-- rules it adds, replaces or disables, and names the inherited ones it keeps
-- unchanged.
--
-- Nothing in the output is written by hand: `spec/clinical_basis_spec.lua`
-- regenerates it in memory and compares it with the committed file, so the
-- document cannot drift from the protocols.
--
-- As a module (the spec): `loadfile("scripts/clinical_basis.lua")("--module")`
-- returns `{ generate = function(opts) … end }`; `opts.root` is the checkout
-- (default: the directory above this script), `opts.ids` the protocols.

local MODE = ...

-- {=== paths: run from anywhere inside or outside the checkout ===

local function script_dir()
  local src = debug.getinfo(1, "S").source
  if src:sub(1, 1) == "@" then
    return src:sub(2):match("^(.*)/[^/]*$") or "."
  end
  return "."
end

local ROOT = script_dir():match("^(.*)/[^/]*$") or "."

package.path = ROOT .. "/lua/?.lua;" .. ROOT .. "/lua/?/init.lua;" .. package.path
local BUILD = require("aza.compat").interpreter
BUILD = BUILD == "lua5.4" and "build" or ("build-" .. BUILD)
package.cpath = ROOT .. "/" .. BUILD .. "/?.so;" .. package.cpath

-- }===

local load = require "aza.protocol.load"
local sorted_keys = require("aza.util").sorted_keys

--- Shipped protocols: those of the first design (base, then its four indications), then the
-- ones added later.
local ORDER = { "base", "ibd", "lupus", "myasthenia_gravis", "atopic_dermatitis",
                "autoimmune_hepatitis", "rheumatoid_arthritis" }

-- {=== formatting values ===

local describe = require "aza.protocol.describe"
local num, show, is_list = describe.num, describe.show, describe.is_list

-- a markdown table cell: no pipes, no newlines
local function cell(s)
  s = tostring(s):gsub("\n", " "):gsub("|", "\\|")
  return s
end

-- flatten nested (non-list) tables into dotted names; lists stay values
local function flatten(t, prefix, out)
  out = out or {}
  for _, k in ipairs(sorted_keys(t)) do
    local v = t[k]
    local name = prefix and (prefix .. "." .. tostring(k)) or tostring(k)
    if type(v) == "table" and not is_list(v) and next(v) ~= nil then
      flatten(v, name, out)
    else
      out[#out + 1] = { name, v }
    end
  end
  return out
end

-- }===

local describe_action = describe.action
local cite_list, cites = describe.cite_list, describe.cites

-- {=== one protocol ===

local function rule_row(refs, r)
  local short, conf = cites(refs, r)
  return "| `" .. r.id .. "` | `" .. cell(r.when) .. "` | " .. cell(describe_action(r.action))
    .. " | " .. cell(short) .. " | " .. cell(conf) .. " |"
end

-- rule lists differ in condition, action or cite
local function same_rule(a, b)
  return a.when == b.when and show(a.action) == show(b.action) and show(a.cite) == show(b.cite)
    and a.message == b.message
end

-- the cite of a parameter: its own `cite`, else data.citations[top-level key]
local function param_cite(p, name)
  local top = name:match("^([^.]+)")
  local v = (p.parameters or {})[top]
  if type(v) == "table" and v.cite then
    return v.cite
  end
  return ((p.data or {}).citations or {})[top]
end

local function cite_cells(refs, cite)
  if cite == nil then
    return "–", "–"
  end
  return cites(refs, { cite = cite })
end

local function section_parameters(out, p)
  local rows = flatten(p.parameters or {})
  if #rows == 0 then
    return
  end
  local refs = p.references or {}
  out[#out + 1] = "**Parameters**"
  out[#out + 1] = ""
  out[#out + 1] = "| name | value | cite | confidence |"
  out[#out + 1] = "|---|---|---|---|"
  for _, row in ipairs(rows) do
    local name = row[1]
    if not name:match("%.cite$") and name ~= "cite" then
      local short, conf = cite_cells(refs, param_cite(p, name))
      out[#out + 1] = "| `" .. cell(name) .. "` | " .. cell(show(row[2])) .. " | "
        .. cell(short) .. " | " .. cell(conf) .. " |"
    end
  end
  out[#out + 1] = ""
end

local function schedule(m)
  local parts = {}
  if m.at_weeks then
    local w = {}
    for i, x in ipairs(m.at_weeks) do
      w[i] = num(x)
    end
    parts[#parts + 1] = "at weeks " .. table.concat(w, ", ")
  end
  if m.every then
    parts[#parts + 1] = "every " .. tostring(m.every)
  end
  if m.times then
    parts[#parts + 1] = "× " .. num(m.times)
  end
  if m.until_stable_weeks then
    parts[#parts + 1] = "until stable " .. num(m.until_stable_weeks) .. " wk"
  end
  if m.after then
    parts[#parts + 1] = "after " .. tostring(m.after)
  end
  return table.concat(parts, " ")
end

local function section_data(out, p)
  local data = p.data or {}
  local refs = p.references or {}
  if type(data.monitoring) == "table" and #data.monitoring > 0 then
    out[#out + 1] = "**Monitoring schedule** (`data.monitoring`)"
    out[#out + 1] = ""
    out[#out + 1] = "| tests | schedule | text | cite | confidence |"
    out[#out + 1] = "|---|---|---|---|---|"
    for _, m in ipairs(data.monitoring) do
      local short, conf = cite_cells(refs, m.cite)
      out[#out + 1] = "| " .. cell(table.concat(m.tests or {}, ", ")) .. " | "
        .. cell(schedule(m)) .. " | " .. cell(m.text or "") .. " | " .. cell(short) .. " | "
        .. cell(conf) .. " |"
    end
    out[#out + 1] = ""
  end
  local rest = {}
  for _, k in ipairs(sorted_keys(data)) do
    if k ~= "monitoring" and k ~= "citations" then
      rest[k] = data[k]
    end
  end
  local rows = flatten(rest)
  if #rows == 0 then
    return
  end
  out[#out + 1] = "**Data**"
  out[#out + 1] = ""
  out[#out + 1] = "| name | value |"
  out[#out + 1] = "|---|---|"
  for _, row in ipairs(rows) do
    out[#out + 1] = "| `" .. cell(row[1]) .. "` | " .. cell(show(row[2])) .. " |"
  end
  out[#out + 1] = ""
end

local function section_references(out, p, used)
  local refs = p.references or {}
  local keys = sorted_keys(refs)
  if #keys == 0 then
    return
  end
  out[#out + 1] = "**References**"
  out[#out + 1] = ""
  out[#out + 1] = "| key | short | year | confidence | text |"
  out[#out + 1] = "|---|---|---|---|---|"
  for _, k in ipairs(keys) do
    local r = refs[k]
    if used == nil or used[k] then
      if type(r) == "table" then
        out[#out + 1] = "| `" .. k .. "` | " .. cell(r.short or k) .. " | "
          .. cell(r.year and num(r.year) or "–") .. " | " .. cell(r.confidence or "–") .. " | "
          .. cell(r.text or "") .. " |"
      else
        out[#out + 1] = "| `" .. k .. "` | " .. k .. " | – | – | " .. cell(r) .. " |"
      end
    end
  end
  out[#out + 1] = ""
end

local function rule_table(out, refs, rules, with_change)
  if with_change then
    out[#out + 1] = "| change | rule | condition | action | cite | confidence |"
    out[#out + 1] = "|---|---|---|---|---|---|"
  else
    out[#out + 1] = "| rule | condition | action | cite | confidence |"
    out[#out + 1] = "|---|---|---|---|---|"
  end
  for _, item in ipairs(rules) do
    local r, change = item.rule, item.change
    local row = rule_row(refs, r)
    out[#out + 1] = with_change and ("| " .. change .. " " .. row) or row
  end
  out[#out + 1] = ""
end

local function protocol_section(out, p, parent)
  out[#out + 1] = "## `" .. p.id .. "` — " .. tostring(p.title or p.id)
  out[#out + 1] = ""
  out[#out + 1] = "Version " .. tostring(p.version)
    .. (p.extends and (", extends `" .. p.extends .. "`") or "") .. "; file `"
    .. (p.file or "?"):gsub("^.*/rules/", "rules/") .. "`."
  out[#out + 1] = ""
  if p.description then
    out[#out + 1] = p.description
    out[#out + 1] = ""
  end
  section_parameters(out, p)
  section_data(out, p)
  if p.required and #p.required > 0 then
    out[#out + 1] = "**Required before any decision:** " .. table.concat(p.required, ", ")
    out[#out + 1] = ""
  end
  local refs = p.references or {}
  if not parent then
    out[#out + 1] = "**Rules** (" .. #p.rules .. ")"
    out[#out + 1] = ""
    local list = {}
    for i, r in ipairs(p.rules) do
      list[i] = { rule = r }
    end
    rule_table(out, refs, list, false)
    section_references(out, p)
    return
  end
  local inherited = {}
  for _, r in ipairs(parent.rules) do
    inherited[r.id] = r
  end
  local changed, kept, mine, used = {}, {}, {}, {}
  for _, r in ipairs(p.rules) do
    mine[r.id] = true
    local old = inherited[r.id]
    if not old then
      changed[#changed + 1] = { rule = r, change = "added" }
    elseif not same_rule(old, r) then
      changed[#changed + 1] = { rule = r, change = "replaced" }
    else
      kept[#kept + 1] = r.id
    end
  end
  local disabled = {}
  for _, r in ipairs(parent.rules) do
    if not mine[r.id] then
      disabled[#disabled + 1] = r.id
    end
  end
  out[#out + 1] = "**Rules** (" .. #p.rules .. " in all: " .. #kept .. " inherited unchanged from `"
    .. parent.id .. "`, " .. #changed .. " added or replaced, " .. #disabled .. " disabled)"
  out[#out + 1] = ""
  if #changed > 0 then
    rule_table(out, refs, changed, true)
    for _, item in ipairs(changed) do
      for _, k in ipairs(cite_list(item.rule)) do
        used[k] = true
      end
    end
  end
  if #disabled > 0 then
    out[#out + 1] = "Disabled: " .. "`" .. table.concat(disabled, "`, `") .. "`."
    out[#out + 1] = ""
  end
  if #kept > 0 then
    out[#out + 1] = "Inherited unchanged: `" .. table.concat(kept, "`, `") .. "`."
    out[#out + 1] = ""
  end
  -- references this layer adds or changes (the rest are the parent's)
  local prefs = parent.references or {}
  for _, k in ipairs(sorted_keys(refs)) do
    if prefs[k] == nil or show(prefs[k]) ~= show(refs[k]) then
      used[k] = true
    elseif used[k] then
      used[k] = nil -- already listed under the parent
    end
  end
  if next(used) then
    section_references(out, p, used)
  end
end

-- }===

--- The ids of the shipped protocols: ORDER first, then other rules/*.lua.
local function shipped_ids(root)
  local ids, seen = {}, {}
  local present = {}
  local ls = io.popen("ls -1 '" .. root .. "/rules' 2>/dev/null")
  if ls then
    for f in ls:lines() do
      local id = f:match("^([%w_%-]+)%.lua$")
      if id then
        present[id] = true
      end
    end
    ls:close()
  end
  for _, id in ipairs(ORDER) do
    if present[id] then
      ids[#ids + 1] = id
      seen[id] = true
    end
  end
  local rest = {}
  for id in pairs(present) do
    if not seen[id] then
      rest[#rest + 1] = id
    end
  end
  table.sort(rest)
  for _, id in ipairs(rest) do
    ids[#ids + 1] = id
  end
  return ids
end

-- {=== the allele-function tables (rules/data/pgx_*.lua) ===

local FUNCTION_ORDER = { "normal", "decreased", "no_function", "uncertain", "unknown" }

-- star alleles in number order (*1, *2, *3A, *3B, *10)
local function allele_order(a, b)
  local na, sa = a:match("^%*(%d+)(.*)$")
  local nb, sb = b:match("^%*(%d+)(.*)$")
  if na and nb and tonumber(na) ~= tonumber(nb) then
    return tonumber(na) < tonumber(nb)
  end
  if na and nb then
    return sa < sb
  end
  return a < b
end

local function section_alleles(out)
  local pgx = require "aza.input.pgx"
  out[#out + 1] = "## Allele-function tables"
  out[#out + 1] = ""
  out[#out + 1] = "The tables the patient reader turns TPMT and NUDT15 genotypes into phenotypes"
    .. " with (`rules/data/pgx_<id>.lua`; a protocol selects one with `parameters.profile`)."
    .. " The trace names the table and its data version with each genotype (`genotype *1/*3A"
    .. " (CPIC 2025-11-05)`). An allele a table does not list is an allele of unknown function"
    .. " (DPWG: CPIC's function first)."
  out[#out + 1] = ""
  out[#out + 1] = "`cpic` is PharmCAT's CPIC data of 2025-11-05 (all 991 TPMT and NUDT15"
    .. " diplotypes of those files agree with it); CPIC's reassignment of TPMT and NUDT15"
    .. " allele functions of 2026-02-03 is not applied: no public CPIC table of it was at hand."
    .. " `dpwg` is PharmCAT's last DPWG data, 2025-09-25 (all 255 diplotypes agree); it"
    .. " replaced an older DPWG snapshot that had NUDT15 *4-*6 \"strongly decreased\", no"
    .. " *7-*9 and a TPMT *3D, which gave 17 NUDT15 diplotypes the wrong phenotype."
    .. " `spec/rules/pgx_tables_spec.lua` checks every diplotype."
  out[#out + 1] = ""
  out[#out + 1] = "| profile | data version | gene | function | alleles | source |"
  out[#out + 1] = "|---|---|---|---|---|---|"
  for _, id in ipairs(pgx.profiles) do
    local t = pgx.data("pgx_" .. id)
    for _, gene in ipairs(pgx.genes) do
      local by = {}
      for allele, f in pairs(t.genes[gene] or {}) do
        by[f] = by[f] or {}
        by[f][#by[f] + 1] = allele
      end
      for _, f in ipairs(FUNCTION_ORDER) do
        if by[f] then
          table.sort(by[f], allele_order)
          out[#out + 1] = ("| `%s` | %s | %s | %s | %s | %s (%s) |"):format(id,
            tostring(t.version), gene, (f:gsub("_", " ")), cell(table.concat(by[f], ", ")),
            cell(tostring(t.title)), tostring(t.confidence))
        end
      end
    end
  end
  out[#out + 1] = ""
end

-- }===

--- Generate the document.
-- @tparam[opt] table opts `root` (the checkout), `ids` (protocol ids)
-- @treturn string the markdown text
-- @return[2] nil
-- @treturn[2] string message (a protocol failed to load)
local function generate(opts)
  opts = opts or {}
  local root = opts.root or ROOT
  local ids = opts.ids or shipped_ids(root)
  local path = { root .. "/rules" }
  local out = {
    "# Clinical basis of the shipped protocols",
    "",
    "<!-- GENERATED by `lua5.4 scripts/clinical_basis.lua > docs/clinical-basis.md`;"
      .. " do not edit. spec/clinical_basis_spec.lua fails when it differs from the"
      .. " protocols. -->",
    "",
    "Every shipped rule with its condition, its action (numbers included), its citation and"
      .. " the confidence mark of `clinical-reference.md`: **V** read in a primary source,"
      .. " **S** secondary sources only, **R** recalled and unverified (a site-configurable"
      .. " default whose reference says so), **X** a claim the sources contradict or do not"
      .. " support; two marks joined by \"/\" (S/X) give both, and any R or X reference says"
      .. " \"unverified\". Doses are mg/kg/day of actual body weight unless"
      .. " stated; rounding and the order of dose modifiers are in `docs/dose-maths.md`.",
    "",
    "Protocols: " .. (#ids > 0 and ("`" .. table.concat(ids, "`, `") .. "`") or "none") .. ".",
    "",
  }
  section_alleles(out)
  local loaded = {}
  for _, id in ipairs(ids) do
    local p, msg = load.load(id, { path = path })
    if not p then
      return nil, "cannot load protocol '" .. id .. "': " .. tostring(msg)
    end
    loaded[id] = p
    local parent = p.extends and (loaded[p.extends] or load.load(p.extends, { path = path }))
    protocol_section(out, p, parent or nil)
  end
  return (table.concat(out, "\n"):gsub("\n+$", "\n"))
end

if MODE == "--module" then
  return { generate = generate, shipped_ids = shipped_ids, describe_action = describe_action }
end

local text, msg = generate()
if not text then
  io.stderr:write("clinical_basis: ", msg, "\n")
  os.exit(3)
end
io.write(text)

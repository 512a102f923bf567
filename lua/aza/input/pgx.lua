--- Pharmacogenomics: TPMT and NUDT15 diplotypes and activity to phenotypes.
--
-- The allele-function tables and the diplotype -> phenotype rules are data in
-- `rules/data/pgx_cpic.lua` (the default profile) and `rules/data/pgx_dpwg.lua`; TPMT
-- activity bands per laboratory are in `rules/data/tpmt_activity.lua`. This module only
-- reads them: no allele, function or cut-off is written in code.
--
-- Phenotype words: `normal`, `intermediate`, `possible_intermediate`, `poor`,
-- `indeterminate` (design §7).
--
-- A diplotype is two star alleles separated by `/`, spaces tolerated (`*1/*3A`,
-- `*3A / *3C`). A malformed string is an error (`nil, message, "E_INPUT"`). A
-- well-formed allele that the profile does not list takes the function of the profile's
-- `fallback` profile when that one lists it (DPWG -> CPIC), and otherwise counts as an
-- allele of unknown function (clinical reference §1.2: no function + unknown is possible
-- intermediate; normal + unknown is indeterminate); either way with a note.
--
-- @module aza.input.pgx
-- @usage
-- local pgx = require "aza.input.pgx"
-- local p, info = pgx.phenotype("TPMT", "*1/*3A")          --> "intermediate"
-- local p2 = pgx.phenotype("TPMT", "*1/*8", "dpwg")         --> "intermediate"
-- local p3 = pgx.phenotype("TPMT", "*1/*8")                 --> "indeterminate" (CPIC)
-- local a = pgx.classify_activity(18, "st_thomas")          --> "intermediate"

local assert, error, ipairs, loadfile, pairs, setmetatable, tostring, type =
  assert, error, ipairs, loadfile, pairs, setmetatable, tostring, type
local tonumber = require("aza.compat").tonumber
local getinfo = debug.getinfo
local open = io.open
local huge = math.huge
local format = string.format
local concat, sort = table.concat, table.sort
local searchpath = require("aza.compat").searchpath

local M = {}

--- Genes this module knows, in display order.
M.genes = { "TPMT", "NUDT15" }

--- Phenotype words accepted from a patient (design §7), as a set: the words of the
-- phenotype facts (aza.protocol.facts PHENOTYPES, where they are written once).
M.phenotype_words = {}
for _, w in ipairs(require("aza.protocol.facts").PHENOTYPES) do
  M.phenotype_words[w] = true
end

--- Profiles shipped in `rules/data/` (`pgx_<id>.lua`).
M.profiles = { "cpic", "dpwg" }

--- The default profile id.
M.default_profile = "cpic"

-- {=== data files ===

-- Directory of this checkout's `rules/data/`, from this file's own path
-- (lua/aza/input/pgx.lua -> rules/data/), for runs from a source tree.
local function source_data_dir()
  local src = getinfo(1, "S").source
  if src:sub(1, 1) ~= "@" then
    return nil
  end
  local dir = src:sub(2):match("^(.*)[/\\]lua[/\\]aza[/\\]input[/\\][^/\\]+$")
  if dir == nil then
    return nil
  end
  return dir .. "/rules/data/"
end

local data_cache = {}

--- Load a data table from `rules/data/NAME.lua`.
-- Looks for the installed copy (`aza/rules/data/NAME.lua` on `package.path`) first, then
-- for the source tree this module was loaded from. The file runs in an empty
-- environment: data files hold tables, strings, numbers and booleans only.
-- Results are cached per name.
-- @tparam string name file name without `.lua` (`"pgx_cpic"`, `"loinc"`)
-- @treturn table the data
-- @raise when the file is missing or does not return a table (a broken install)
-- @usage local loinc = pgx.data("loinc")
function M.data(name)
  local cached = data_cache[name]
  if cached then
    return cached
  end
  assert(type(name) == "string" and name:match("^[%w_]+$"), "bad data file name")
  local path = searchpath("aza.rules.data." .. name, package.path)
  if path == nil then
    local dir = source_data_dir()
    local candidate = dir and (dir .. name .. ".lua")
    local f = candidate and open(candidate, "r")
    if f then
      f:close()
      path = candidate
    end
  end
  if path == nil then
    error(format("aza: data file rules/data/%s.lua not found", name), 2)
  end
  local chunk, err = loadfile(path, "t", {})
  if not chunk then
    error("aza: " .. err, 2)
  end
  local tbl = chunk()
  if type(tbl) ~= "table" then
    error(format("aza: %s does not return a table", path), 2)
  end
  data_cache[name] = tbl
  return tbl
end

-- }===

-- {=== profiles ===

local function pair_key(a, b)
  if a > b then
    a, b = b, a
  end
  return a .. "|" .. b
end

-- Validate a profile table and index its pair rules (once per table).
local indexed = setmetatable({}, { __mode = "k" })

local function index_profile(p)
  local idx = indexed[p]
  if idx then
    return idx
  end
  assert(type(p) == "table" and type(p.genes) == "table" and type(p.phenotypes) == "table",
    "aza: a pgx profile needs 'genes' and 'phenotypes' tables")
  idx = { pairs = {} }
  for i, rule in ipairs(p.phenotypes) do
    local a, b, ph = rule[1], rule[2], rule[3]
    assert(type(a) == "string" and type(b) == "string" and M.phenotype_words[ph],
      format("aza: pgx profile '%s': bad phenotype rule %d", tostring(p.id), i))
    local key = pair_key(a, b)
    assert(idx.pairs[key] == nil,
      format("aza: pgx profile '%s': duplicate rule for %s + %s", tostring(p.id), a, b))
    idx.pairs[key] = ph
  end
  indexed[p] = idx
  return idx
end

--- Resolve a profile: an id (`"cpic"`, `"dpwg"`) or an alias listed in its data file
-- (`"cpic-2025"`), a profile table (a site's own, in the
-- shape of `rules/data/pgx_cpic.lua`), or nil for the default (`"cpic"`).
-- @tparam[opt] string|table profile
-- @treturn table the profile
-- @return[2] nil
-- @treturn[2] string message
-- @treturn[2] string `"E_INPUT"`
function M.profile(profile)
  if profile == nil then
    profile = M.default_profile
  end
  if type(profile) == "table" then
    index_profile(profile)
    return profile
  end
  for _, id in ipairs(M.profiles) do
    local p = M.data("pgx_" .. id)
    local match = id == profile
    for _, alias in ipairs(p.aliases or {}) do
      match = match or alias == profile
    end
    if match then
      index_profile(p)
      return p
    end
  end
  return nil, format("unknown pharmacogenomic profile '%s' (known: %s)", tostring(profile),
    concat(M.profiles, ", ")), "E_INPUT"
end

-- }===

-- {=== diplotypes ===

--- Parse a diplotype string into its two star alleles.
-- Spaces around the alleles and the `/` are tolerated; letters in an allele name are
-- upper-cased (`*3a` is `*3A`).
-- @tparam string text such as `"*1/*3A"`
-- @treturn string first allele
-- @treturn string second allele
-- @return[2] nil
-- @treturn[2] string message, such as `"'*1/' is not a diplotype ..."`
-- @treturn[2] string `"E_INPUT"`
-- @usage local a, b = pgx.parse_diplotype(" *3A / *3C ")  --> "*3A", "*3C"
function M.parse_diplotype(text)
  if type(text) ~= "string" then
    return nil, format("%s is not a diplotype (expected a string such as '*1/*3A')",
      type(text) == "table" and "a table" or tostring(text)), "E_INPUT"
  end
  local a, b = text:match("^%s*(%*%w+)%s*/%s*(%*%w+)%s*$")
  if a == nil then
    return nil, format("'%s' is not a diplotype (expected two star alleles such as '*1/*3A')",
      text), "E_INPUT"
  end
  return a:upper(), b:upper()
end

--- The function of an allele in a profile.
-- @tparam string gene `"TPMT"` or `"NUDT15"`
-- @tparam string allele such as `"*3A"`
-- @tparam[opt] string|table profile default `"cpic"`
-- @treturn string|nil the function word (`"no_function"`), nil when not listed
function M.allele_function(gene, allele, profile)
  local p = assert(M.profile(profile))
  local g = p.genes[gene]
  return g and g[allele] or nil
end

--- Phenotype of an unordered pair of allele functions in a profile.
-- @tparam string f1 function word
-- @tparam string f2 function word
-- @tparam[opt] string|table profile default `"cpic"`
-- @treturn string|nil the phenotype, nil when the profile has no rule for the pair
function M.pair_phenotype(f1, f2, profile)
  local p = assert(M.profile(profile))
  return index_profile(p).pairs[pair_key(f1, f2)]
end

-- the fallback profile of a profile (its `fallback` field: an id such as "cpic"), or nil
local function fallback_of(p)
  if p.fallback == nil or p.fallback == p.id then
    return nil
  end
  local f = M.profile(p.fallback)
  if f == nil then
    error(format("aza: pgx profile '%s': unknown fallback profile '%s'", tostring(p.id),
      tostring(p.fallback)), 3)
  end
  return f
end

-- The function of one allele as the pair rules use it, with where it came from:
-- the profile's table ("listed"), the fallback profile's table ("fallback"), or neither
-- ("unlisted": the profile's `unlisted` word, default "unknown"). Adds a note unless listed.
local function effective_function(p, pid, gene, allele, notes, noted)
  local fn = p.genes[gene][allele]
  if fn then
    return fn, "listed"
  end
  local fb = fallback_of(p)
  local fbgenes = fb and fb.genes[gene]
  local ffn = fbgenes and fbgenes[allele]
  if ffn then
    if not noted[allele] then
      notes[#notes + 1] = format("%s %s is not in the %s allele-function table: the %s "
        .. "function (%s) is used (fallback profile)", gene, allele, pid:upper(),
        tostring(fb.id):upper(), (ffn:gsub("_", " ")))
    end
    noted[allele] = true
    return ffn, "fallback"
  end
  local word = p.unlisted or "unknown"
  if not noted[allele] then
    notes[#notes + 1] = format("%s %s is not in the %s allele-function table%s: counted as "
      .. "an allele of %s function", gene, allele, pid:upper(),
      fb and (" nor in the " .. tostring(fb.id):upper() .. " one") or "",
      (word:gsub("_", " ")))
  end
  noted[allele] = true
  return word, "unlisted"
end

--- Phenotype of a diplotype.
-- An allele the profile does not list is looked up in the profile's `fallback` profile
-- (DPWG falls back to CPIC), and otherwise counts as an allele of unknown function (the
-- profile's `unlisted` word, default `"unknown"`) in the pair rules: CPIC no function +
-- unknown is possible intermediate; normal + unknown and unknown pairs are
-- indeterminate. Each such allele gets a note. A pair with no rule is `indeterminate`,
-- with a note.
-- @tparam string gene `"TPMT"` or `"NUDT15"`
-- @tparam string diplotype such as `"*1/*3A"`
-- @tparam[opt] string|table profile `"cpic"` (default), `"dpwg"` or a profile table
-- @treturn string the phenotype word
-- @treturn table info: `alleles` (two names), `functions` (the two function words the
--   pair rules used), `sources` (for each allele `"listed"`, `"fallback"` or
--   `"unlisted"`), `profile` (id), `cite`, `confidence`, `notes` (list of strings)
-- @return[2] nil
-- @treturn[2] string message
-- @treturn[2] string `"E_INPUT"`
-- @usage local ph, info = pgx.phenotype("NUDT15", "*2/*5")  --> "possible_intermediate"
-- @usage pgx.phenotype("NUDT15", "*2/*10")  --> "possible_intermediate" (*10 unlisted)
function M.phenotype(gene, diplotype, profile)
  local p, perr, pcode = M.profile(profile)
  if not p then
    return nil, perr, pcode
  end
  local a, b = M.parse_diplotype(diplotype)
  if a == nil then
    return nil, b, "E_INPUT"
  end
  local pid = tostring(p.id or "site")
  local genes = p.genes[gene]
  if genes == nil then
    return nil, format("gene '%s' is not in the %s allele-function table", tostring(gene),
      pid), "E_INPUT"
  end
  local info = {
    gene = gene,
    alleles = { a, b },
    profile = pid,
    version = p.version,
    cite = p.cite,
    confidence = p.confidence,
    notes = {},
  }
  local noted = {}
  local fa, sa = effective_function(p, pid, gene, a, info.notes, noted)
  local fb, sb = effective_function(p, pid, gene, b, info.notes, noted)
  info.functions = { fa, fb }
  info.sources = { sa, sb }
  local ph = index_profile(p).pairs[pair_key(fa, fb)]
  if ph == nil then
    info.notes[#info.notes + 1] = format(
      "%s %s/%s: the %s rules have no phenotype for %s + %s: phenotype indeterminate",
      gene, a, b, pid:upper(), fa, fb)
    return "indeterminate", info
  end
  if sa ~= "listed" or sb ~= "listed" then
    info.notes[#info.notes + 1] = format("%s %s/%s: %s + %s -> %s (%s pair rules)", gene, a,
      b, (fa:gsub("_", " ")), (fb:gsub("_", " ")), ph, pid:upper())
  end
  return ph, info
end

--- Every allele of a gene in a profile, sorted by star number then suffix.
-- @tparam string gene
-- @tparam[opt] string|table profile
-- @treturn {string,...}
function M.alleles(gene, profile)
  local p = assert(M.profile(profile))
  local list = {}
  for allele in pairs(p.genes[gene] or {}) do
    list[#list + 1] = allele
  end
  sort(list, function(x, y)
    local nx, sx = x:match("^%*(%d+)(.*)$")
    local ny, sy = y:match("^%*(%d+)(.*)$")
    nx, ny = tonumber(nx) or 0, tonumber(ny) or 0
    if nx ~= ny then
      return nx < ny
    end
    return sx < sy
  end)
  return list
end

-- }===

-- {=== TPMT activity ===

--- The TPMT activity data (`rules/data/tpmt_activity.lua`).
-- @treturn table `{default, transfusion_days, methods = {id = {unit, bands, ...}}}`
function M.activity_data()
  return M.data("tpmt_activity")
end

--- A TPMT activity method by id.
-- @tparam[opt] string method default: the data's `default` (`"st_thomas"`)
-- @treturn table the method `{title, unit, cite, confidence, bands}`
-- @treturn string the method id
-- @return[2] nil
-- @treturn[2] string message
-- @treturn[2] string `"E_INPUT"`
function M.activity_method(method)
  local data = M.activity_data()
  local id = method == nil and data.default or method
  local m = type(id) == "string" and data.methods[id] or nil
  if m == nil then
    local known = {}
    for k in pairs(data.methods) do
      known[#known + 1] = k
    end
    sort(known)
    return nil, format("unknown TPMT activity method '%s' (known: %s)", tostring(id),
      concat(known, ", ")), "E_INPUT"
  end
  return m, id
end

local function band_matches(b, v)
  return (b.min == nil or v >= b.min) and (b.above == nil or v > b.above)
    and (b.below == nil or v < b.below) and (b.max == nil or v <= b.max)
end

--- Classify a TPMT activity value (already in the method's unit) into a phenotype.
-- A value between two published bands (St Thomas' 25 < x < 26) is put in the lower band,
-- with a note; a value that matches no band is `indeterminate`, with a note.
-- @tparam number value activity in the method's unit (`nmol/h/g{Hb}` for St Thomas')
-- @tparam[opt] string method method id, default `"st_thomas"`
-- @treturn string phenotype word
-- @treturn table info `{method, unit, band, published, cite, confidence, notes}`
-- @return[2] nil
-- @treturn[2] string message
-- @treturn[2] string `"E_INPUT"`
-- @usage pgx.classify_activity(25.5)  --> "intermediate", {band = "carrier", notes = {...}}
function M.classify_activity(value, method)
  local m, id = M.activity_method(method)
  if not m then
    return nil, id, "E_INPUT"
  end
  if type(value) ~= "number" or value ~= value or value < 0 or value == huge then
    return nil, format("%s is not a valid TPMT activity", tostring(value)), "E_INPUT"
  end
  local info = { method = id, unit = m.unit, cite = m.cite, confidence = m.confidence,
                 notes = {} }
  for _, b in ipairs(m.bands) do
    if band_matches(b, value) then
      info.band, info.published = b.band, b.published
      if b.published_max and value > b.published_max then
        info.notes[#info.notes + 1] = format(
          "TPMT activity %s %s lies between the published bands (%s and the next); "
            .. "classified in the lower band (%s)", tostring(value), m.unit, b.published,
          b.phenotype)
      end
      return b.phenotype, info
    end
  end
  info.notes[#info.notes + 1] = format(
    "TPMT activity %s %s is outside every published band of method %s: phenotype "
      .. "indeterminate", tostring(value), m.unit, id)
  return "indeterminate", info
end

-- }===

return M

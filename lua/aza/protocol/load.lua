--- Load a protocol: run its script in the sandbox, resolve `extends`,
-- merge, hash and check it.
--
-- A protocol is named by a file path (`site/site-ibd.lua`) or by the id of
-- a shipped protocol (`ibd`), looked up as `<id>.lua` in the search path:
-- `opts.path` when given (a list of directories), else the installed
-- `aza/rules/` next to the Lua modules, then the checkout's `rules/`.
--
-- `extends = "ibd"` (an id, looked up the same way, or a `.lua` file in the
-- extending file's folder or below it: no absolute path, no `..` out of
-- it) inherits everything from the parent, then:
--
-- * `references`, `parameters`, `data`: the child's entries override the
--   parent's, key by key (tables are merged recursively; lists replace);
-- * `disable = { "rule-id", … }` drops inherited rules (each must exist);
-- * `replace = { rule "id" { … }, … }` replaces inherited rules in place
--   (each must exist);
-- * `rules = { … }` adds rules; a rule whose id is inherited replaces that
--   rule in place, as `replace` does.
--
-- Every override is recorded in `protocol.overrides` as `{what, old, new,
-- by, line}` (`by` the file that made it), so a trace can show it.
--
-- The content hash is FNV-1a 64 (offset basis 0xcbf29ce484222325, prime
-- 0x100000001b3) over the source files in extends order (the root first),
-- each fed as its byte length in decimal, a newline, then its bytes; it is
-- printed as 16 lowercase hex digits. It changes when any file of the
-- chain changes, and not when files move.
--
-- @module aza.protocol.load
-- @usage
-- local load = require "aza.protocol.load"
-- local p, msg, code = load.load("spec/fixtures/protocols/site-ibd.lua",
--                                { path = { "spec/fixtures/protocols" } })
-- if p then print(p.id, p.version, p.hash) else print(msg) end

local compat = require "aza.compat"
local dsl = require "aza.protocol.dsl"
local sandbox = require "aza.protocol.sandbox"
local text_of = require "aza.protocol.source"
local util = require "aza.util"

local debug, getmetatable, io, ipairs, math, next, rawget, require, string, table, tonumber,
  tostring, type =
  debug, getmetatable, io, ipairs, math, next, rawget, require, string, table, tonumber,
  tostring, type

local M = {}

--- Deepest `extends` chain accepted.
M.MAX_DEPTH = 16
--- Largest protocol file read, in bytes (the shipped `base.lua` is about 40 KB).
M.MAX_BYTES = 1024 * 1024
--- Most values (table entries, all levels together) one protocol file may hold.
M.MAX_VALUES = 100000
--- Most errors one message lists (the list returned beside it has them all).
M.ERRORS_SHOWN = 50
--- Deepest nesting of tables in protocol data.
M.MAX_NESTING = 32

local copy = dsl.copy
local dirname, exists, sorted_keys = util.dirname, util.exists, util.sorted_keys

-- {=== paths ===

local function is_path(name)
  return string.find(name, "/", 1, true) ~= nil or string.sub(name, -4) == ".lua"
end

--- The default search path: the installed `aza/rules/` next to the Lua
-- modules, then the checkout's `rules/`.
-- @treturn {string,...}
function M.default_path()
  local src = debug.getinfo(1, "S").source
  local here = string.sub(src, 1, 1) == "@" and dirname(string.sub(src, 2)) or "."
  local aza = dirname(here)             -- .../aza
  local root = dirname(dirname(aza))    -- the checkout: .../lua/aza -> ...
  return { aza .. "/rules", root .. "/rules" }
end

--- Whether a relative path stays inside its folder: `"site/x.lua"` yes,
-- `"../x.lua"`, `"/etc/x.lua"` no; and names a `.lua` file.
-- @tparam string name
-- @treturn string|nil the path without `.` components
-- @treturn[2] string why not
function M.inside(name)
  if string.sub(name, 1, 1) == "/" then
    return nil, "is an absolute path"
  end
  if string.sub(name, -4) ~= ".lua" then
    return nil, "is not a .lua file"
  end
  local parts = {}
  for part in string.gmatch(name, "[^/]+") do
    if part == ".." then
      if #parts == 0 then
        return nil, "leaves the folder of the extending file"
      end
      parts[#parts] = nil
    elseif part ~= "." then
      parts[#parts + 1] = part
    end
  end
  return table.concat(parts, "/")
end

--- Read a protocol file: a regular file of at most `MAX_BYTES` bytes.
-- @tparam string path
-- @treturn string the text
-- @return[2] nil
-- @treturn[2] string message (never any of the file's content)
function M.read(path)
  local f, err = io.open(path, "rb")
  if not f then
    return nil, "cannot read protocol file: " .. tostring(err)
  end
  local text = f:read(M.MAX_BYTES + 1)
  f:close()
  if text == nil then
    -- a directory opens, then fails to read; an empty file reads as nil at its end
    local g = io.open(path .. "/.", "rb")
    if g then
      g:close()
      return nil, "cannot read protocol file: " .. path .. " is a directory"
    end
    text = ""
  end
  if #text > M.MAX_BYTES then
    return nil, "cannot read protocol file: " .. path .. " is larger than "
      .. string.format("%d", M.MAX_BYTES) .. " bytes"
  end
  return text
end

--- Find a protocol file.
-- @tparam string name a path, or the id of a protocol on the search path
-- @tparam[opt] table opts `path` (list of directories)
-- @tparam[opt] string from_dir directory for relative paths (of `extends`)
-- @treturn string the file
-- @return[2] nil
-- @treturn[2] string message
-- @treturn[2] string `"E_NOTFOUND"`
function M.resolve(name, opts, from_dir)
  opts = opts or {}
  if type(name) ~= "string" or name == "" then
    return nil, "protocol name must be a non-empty string", "E_NOTFOUND"
  end
  if is_path(name) then
    local path = name
    if from_dir then
      -- extends: a file beside the extending one or below it, nothing else
      local inside, why = M.inside(name)
      if not inside then
        return nil, "'" .. name .. "' " .. why .. "; name a protocol id (extends = \"ibd\") "
          .. "or a .lua file in the folder of the extending file", "E_NOTFOUND"
      end
      path = from_dir .. "/" .. inside
    end
    -- "dir/./x.lua" and "./x.lua" name the same file as "dir/x.lua", "x.lua"
    path = string.gsub(path, "/%./", "/")
    path = string.gsub(path, "/%./", "/")
    path = string.gsub(path, "^%./(.)", "%1")
    if exists(path) then
      return path
    end
    return nil, "no protocol file '" .. path .. "'", "E_NOTFOUND"
  end
  if not string.find(name, "^[%w_][%w_%-%.]*$") then
    return nil, "bad protocol id '" .. name .. "'", "E_NOTFOUND"
  end
  local dirs = opts.path or M.default_path()
  for _, dir in ipairs(dirs) do
    local path = dir .. "/" .. name .. ".lua"
    if exists(path) then
      return path
    end
  end
  return nil, "no protocol '" .. name .. "' in the search path (" .. table.concat(dirs, ", ")
    .. ")", "E_NOTFOUND"
end

-- }===

-- {=== helpers ===

--- FNV-1a 64 of one text (computed in C, `aza.core.fnv1a64`, so that it is
-- the same on every interpreter).
-- @tparam string s
-- @treturn string 16 lowercase hex digits (`fnv1a64("a")` is `af63dc4c8601ec8c`)
function M.fnv1a64(s)
  return require("aza.core").fnv1a64(s)
end

--- The content hash of a protocol: FNV-1a 64 over its files' texts in
-- extends order, each fed as `#text .. "\n" .. text`.
-- @tparam {string,...} texts
-- @treturn string 16 lowercase hex digits
function M.hash(texts)
  local pieces = {}
  for _, s in ipairs(texts) do
    pieces[#pieces + 1] = string.format("%d\n", #s)
    pieces[#pieces + 1] = s
  end
  return require("aza.core").fnv1a64(compat.unpack(pieces))
end

--- The closest candidate to a misspelt name, or nil (`aza.protocol.source`).
M.suggest = text_of.suggest

--- The first line at or after `from` that contains `needle` (`aza.protocol.source`).
M.locate = text_of.locate

local function is_list(t)
  return type(t) == "table" and (t[1] ~= nil or next(t) == nil)
end

local function deep_equal(a, b)
  if type(a) ~= "table" or type(b) ~= "table" then
    return a == b
  end
  for k, v in next, a do
    if not deep_equal(v, b[k]) then
      return false
    end
  end
  for k in next, b do
    if a[k] == nil then
      return false
    end
  end
  return true
end

local function add_error(errors, file, line, message)
  errors[#errors + 1] = { file = file, line = line, message = message }
end

--- Format errors as `file:line: message` lines.
-- @tparam {table,...} errors `{file, line, message}`
-- @treturn string
function M.format_errors(errors)
  local lines = {}
  for i, e in ipairs(errors) do
    if i > M.ERRORS_SHOWN then
      lines[#lines + 1] = string.format("(%d more errors not shown)", #errors - M.ERRORS_SHOWN)
      break
    end
    if e.file then
      lines[#lines + 1] = e.file .. ":" .. tostring(e.line or 0) .. ": " .. e.message
    else
      lines[#lines + 1] = e.message
    end
  end
  return table.concat(lines, "\n")
end

-- }===

-- {=== one file ===

-- whether a text calls a DSL word (`protocol "id"`, `rule "x" {`, `reduce {`, …): a
-- protocol script, however broken, does; /etc/passwd or an .env file does not
local DSL_CALLS = { "protocol", "rule", "reduce", "cap", "set_dose", "alert", "monitor",
                    "counsel", "need_data" }
local function uses_dsl(text)
  for _, word in ipairs(DSL_CALLS) do
    if string.find(text, "%f[%w_]" .. word .. "%s*[%(\"'{]") then
      return true
    end
  end
  return false
end

local function key_text(k)
  if type(k) == "string" and string.find(k, "^[%a_][%w_]*$") then
    return "." .. k
  end
  return "[" .. (type(k) == "string" and compat.quote(util.printable(k, 40))
    or util.number(k)) .. "]"
end

-- What the script returned must be plain data: a tree (no table twice, so no cycle and
-- no DAG whose paths multiply), of strings (valid UTF-8), numbers, booleans and tables without
-- metatables, at most MAX_VALUES values and MAX_NESTING levels. Returns a problem or nil.
-- One pass, linear in the size of the data: every later walk over it is linear too.
local function data_problem_text(p)
  local invalid_utf8 = require("aza.input.json").invalid_utf8
  local seen, count = {}, 0
  local function walk(v, where, depth)
    local t = type(v)
    if t == "function" or t == "thread" or t == "userdata" then
      return where .. ": a " .. t .. " is not protocol data"
    elseif t == "string" then
      local at = invalid_utf8(v)
      return at and (where .. ": not valid UTF-8 at byte " .. at) or nil
    elseif t ~= "table" then
      return nil
    elseif seen[v] then
      return where .. ": the same table as " .. seen[v]
        .. " (protocol data may not share or repeat tables)"
    elseif getmetatable(v) ~= nil then
      return where .. ": a library table or an object is not protocol data"
    elseif depth > M.MAX_NESTING then
      return where .. ": nested deeper than " .. M.MAX_NESTING .. " tables"
    end
    seen[v] = where
    for k, x in next, v do
      count = count + 1
      if count > M.MAX_VALUES then
        return "more than " .. M.MAX_VALUES .. " values in one protocol file"
      end
      local kt = type(k)
      if kt ~= "string" and kt ~= "number" and kt ~= "boolean" then
        return where .. ": a " .. kt .. " as a key is not protocol data"
      elseif kt == "string" and string.find(k, "%c") then
        return where .. key_text(k) .. ": a key with control bytes is not protocol data"
      end
      local problem = walk(x, where .. key_text(k), depth + 1)
      if problem then
        return problem
      end
    end
    return nil
  end
  return walk(p, "protocol", 0)
end

-- The same checks without building a path for every value (a protocol with data tables
-- has thousands): true when there is a problem, which data_problem_text then describes.
local function has_data_problem(p)
  local invalid_utf8 = require("aza.input.json").invalid_utf8
  local seen, count, nesting = {}, 0, M.MAX_NESTING
  local function walk(v, depth)
    local t = type(v)
    if t == "string" then
      return invalid_utf8(v) ~= nil
    elseif t ~= "table" then
      return t == "function" or t == "thread" or t == "userdata"
    elseif seen[v] or getmetatable(v) ~= nil or depth > nesting then
      return true
    end
    seen[v] = true
    for k, x in next, v do
      count = count + 1
      local kt = type(k)
      if count > M.MAX_VALUES or (kt ~= "string" and kt ~= "number" and kt ~= "boolean")
        or (kt == "string" and string.find(k, "%c")) or walk(x, depth + 1) then
        return true
      end
    end
    return false
  end
  return walk(p, 0)
end

local function data_problem(p)
  if has_data_problem(p) then
    return data_problem_text(p)
  end
  return nil
end

local BASE_NAMES = { "assert", "error", "ipairs", "next", "pairs", "pcall", "rawequal", "rawlen",
                     "select", "tonumber", "tostring", "type", "unpack", "string", "math",
                     "table", "load", "_G", "_VERSION" }

--- Run one protocol file in the sandbox (no extends, no checks).
-- @tparam string path
-- @tparam[opt] table opts `budget`, `memory` (sandbox limits)
-- @treturn table the protocol object as the script built it, plus `source`
-- @return[2] nil
-- @treturn[2] string message `file:line: …`
-- @treturn[2] string code `E_NOTFOUND`, `E_SYNTAX`, `E_SCRIPT`, `E_LIMIT`, `E_PROTOCOL`
function M.run_file(path, opts)
  opts = opts or {}
  local source, err = M.read(path)
  if not source then
    return nil, err, "E_NOTFOUND"
  end
  local ctx = {}
  local names = dsl.names(ctx)
  local candidates = {}
  for k in next, names do
    candidates[#candidates + 1] = k
  end
  for _, k in ipairs(BASE_NAMES) do
    candidates[#candidates + 1] = k
  end
  table.sort(candidates)
  local res = compat.pack(sandbox.run(source, "@" .. path, {
    names = names, budget = opts.budget, memory = opts.memory, cpu_ms = opts.cpu_ms,
    suggest = function(name)
      return M.suggest(name, candidates)
    end,
  }))
  if not res[1] then
    return nil, res[2], res[3]
  end
  local p = res[2]
  local ours = false
  for _, q in ipairs(ctx.protocols) do
    if q == p then
      ours = true
    end
  end
  if not ours then
    return nil, path .. ":1: the script must return protocol \"id\" { … } (it returned "
      .. (type(p) == "table" and "a table" or type(p)) .. ")", "E_PROTOCOL"
  end
  local problem = data_problem(p)
  if problem then
    return nil, path .. ":" .. tostring(math.floor(tonumber(rawget(p, "line")) or 1)) .. ": "
      .. problem, "E_PROTOCOL"
  end
  p.source = source
  p.file = path
  return p
end

-- {=== structure of one layer (raw protocol object): errors into `errors` ===

local function layer_fields(p, errors)
  local allowed = {}
  for _, k in ipairs(dsl.PROTOCOL_FIELDS) do
    allowed[k] = true
  end
  for _, k in ipairs { "file", "line", "source", "spec_id" } do
    allowed[k] = true
  end
  for _, k in ipairs(sorted_keys(p)) do
    if not allowed[k] then
      local hint = M.suggest(tostring(k), dsl.PROTOCOL_FIELDS)
      add_error(errors, p.file, M.locate(p.source, tostring(k), p.line),
        "protocol '" .. p.id .. "': unknown field '" .. tostring(k) .. "'"
        .. (hint and ("; did you mean '" .. hint .. "'?") or "")
        .. " (fields: " .. table.concat(dsl.PROTOCOL_FIELDS, ", ") .. ")")
    end
  end
  if p.spec_id ~= nil and p.spec_id ~= p.id then
    add_error(errors, p.file, p.line, "protocol '" .. p.id .. "': the table also says id = '"
      .. tostring(p.spec_id) .. "'; give the id once, as protocol \"" .. p.id .. "\" { … }")
  end
end

local FIELD_TYPES = {
  { "title", "string", 'title = "…"' },
  { "version", "string", 'version = "2026.1"' },
  { "description", "string", 'description = "…"' },
  { "extends", "string", 'extends = "ibd"' },
  { "references", "table", 'references = { key = "text" }' },
  { "parameters", "table", "parameters = { … }" },
  { "data", "table", "data = { … }" },
  { "required", "table", 'required = { "weight", "tpmt.phenotype", … }' },
  { "rules", "table", 'rules = { rule "id" { … }, … }' },
  { "replace", "table", 'replace = { rule "id" { … }, … }' },
  { "disable", "table", 'disable = { "rule-id", … }' },
}

local function layer_types(p, errors)
  for _, ft in ipairs(FIELD_TYPES) do
    local field, kind, example = ft[1], ft[2], ft[3]
    local v = p[field]
    if v ~= nil and type(v) ~= kind then
      add_error(errors, p.file, M.locate(p.source, field, p.line), "protocol '" .. p.id .. "': "
        .. field .. " must be a " .. kind .. " (" .. example .. "), got " .. type(v))
      p[field] = nil
    end
  end
end

-- rules and replace hold rule objects only; keep those, in order
local function layer_rule_lists(p, errors)
  for _, field in ipairs { "rules", "replace" } do
    local list = p[field]
    if list then
      local keep = {}
      for _, k in ipairs(sorted_keys(list)) do
        local r = list[k]
        if type(k) ~= "number" or type(r) ~= "table" or type(r.id) ~= "string" or not r.line then
          add_error(errors, p.file, M.locate(p.source, field, p.line), "protocol '" .. p.id
            .. "': " .. field .. "[" .. tostring(k) .. "] is not a rule; write rule \"id\" { … }")
        else
          keep[#keep + 1] = r
        end
      end
      p[field] = keep
    end
  end
end

local function layer_disable(p, errors)
  for i, id in ipairs(p.disable or {}) do
    if type(id) ~= "string" then
      add_error(errors, p.file, M.locate(p.source, "disable", p.line), "protocol '" .. p.id
        .. "': disable[" .. i .. "] must be a rule id string")
    end
  end
  if not p.extends then
    for _, field in ipairs { "replace", "disable" } do
      if p[field] then
        add_error(errors, p.file, M.locate(p.source, field, p.line), "protocol '" .. p.id
          .. "': " .. field .. " needs extends = \"…\" (there is nothing to " .. field .. ")")
        p[field] = nil
      end
    end
  end
end

local function check_layer(p, errors)
  layer_fields(p, errors)
  layer_types(p, errors)
  layer_rule_lists(p, errors)
  layer_disable(p, errors)
end

-- }===

-- {=== merge ===

-- keys that exclude others in the same table: a layer that sets one drops the inherited
-- others (a fixed dose.mg_per_day does not keep a weight-based rate, band or rounding)
local EXCLUDES = {
  ["parameters.dose"] = { mg_per_day = { "mg_per_kg_per_day", "band", "rounding", "cite" },
                          mg_per_kg_per_day = { "mg_per_day", "cite" } },
}

-- drop from dst the keys that a key of src excludes, recording each as an override
local function drop_excluded(dst, src, path, ov, by, line)
  for key, others in next, EXCLUDES[path] or {} do
    if src[key] ~= nil then
      for _, k in ipairs(others) do
        if src[k] == nil and dst[k] ~= nil then
          ov[#ov + 1] = { what = path .. "." .. k, old = copy(dst[k]),
                          new = "(removed: " .. path .. "." .. key .. " is set)", by = by,
                          line = line }
          dst[k] = nil
        end
      end
    end
  end
end

-- merge src into dst (both plain tables) recording overrides; `from`: the line of the
-- table src is written in (a key is looked for at or after it)
local function merge_into(dst, src, path, ov, by, source, from)
  for _, k in ipairs(sorted_keys(src)) do
    local v = src[k]
    local name = path .. "." .. tostring(k)
    local old = dst[k]
    local line = text_of.locate_key(source, tostring(k), from)
    if type(v) == "table" and not is_list(v) and type(old) == "table" and not is_list(old) then
      drop_excluded(old, v, name, ov, by, line)
      merge_into(old, v, name, ov, by, source, line)
    else
      if old ~= nil and not deep_equal(old, v) then
        ov[#ov + 1] = { what = name, old = copy(old), new = copy(v), by = by, line = line }
      end
      dst[k] = copy(v)
    end
  end
end

-- the fact declarations of a layer appended to `list`, each `{decl, file, line}` (the line
-- where its name is written)
local function declared_by(c, list)
  if type(c.facts) ~= "table" then
    if c.facts ~= nil then
      list[#list + 1] = { decl = c.facts, file = c.file, line = c.line }
    end
    return list
  end
  for _, d in ipairs(c.facts) do
    local name = type(d) == "table" and d.name
    list[#list + 1] = { decl = d, file = c.file,
                        line = type(name) == "string"
                          and M.locate(c.source, '"' .. name .. '"', c.line) or c.line }
  end
  return list
end

-- the rules of a layer, each marked with the id of the protocol that wrote it
local function of_layer(rules, id)
  for _, r in ipairs(rules) do
    r.protocol = id
  end
  return rules
end

-- The layer c (fresh from run_file: the DSL copied what the script gave, and nothing else
-- holds these tables) becomes the root of the merged protocol; its tables are taken over,
-- not copied again.
local function base_of(c)
  return {
    id = c.id, version = c.version, title = c.title, description = c.description,
    file = c.file, line = c.line,
    files = { c.file }, sources = { c.source },
    layers = { { id = c.id, version = c.version, file = c.file } },
    references = c.references or {},
    parameters = c.parameters or {},
    data = c.data or {},
    required = c.required,
    rules = of_layer(c.rules or {}, c.id),
    overrides = {}, disabled = {},
    facts = declared_by(c, {}),
  }
end

-- the child's disable list: drops inherited rules (state.dropped)
local function apply_disable(st, c, errors)
  local disable_line = c.disable and M.locate(c.source, "disable", c.line) or c.line
  for _, id in ipairs(c.disable or {}) do
    if type(id) == "string" then
      local line = M.locate(c.source, '"' .. id .. '"', disable_line)
      if st.index[id] and not st.dropped[id] then
        st.dropped[id] = true
        st.R.disabled[#st.R.disabled + 1] = id
        st.ov[#st.ov + 1] = { what = "rule " .. id, old = "enabled", new = "disabled",
                              by = c.file, line = line }
      elseif not st.index[id] then
        local hint = M.suggest(id, st.parent_ids)
        add_error(errors, c.file, line, "disable: protocol '" .. st.parent .. "' has no rule '"
          .. id .. "'" .. (hint and ("; did you mean '" .. hint .. "'?")
            or "; remove it from disable"))
      end
    end
  end
end

-- replace an inherited rule in place; false when r.id is not (or no more) replaceable
local function replace_rule(st, r, explicit, errors)
  local i = st.index[r.id]
  if st.dropped[r.id] then
    add_error(errors, r.file, r.line, "rule '" .. r.id .. "' is both disabled and replaced; "
      .. "keep one of the two")
    return true
  end
  if not i or st.replaced[r.id] then
    return false
  end
  st.ov[#st.ov + 1] = { what = "rule " .. r.id, old = st.rules[i].when, new = r.when,
                        by = r.file, line = r.line, explicit = explicit or nil }
  local from = st.rules[i].protocol
  st.rules[i] = copy(r)
  st.rules[i].protocol, st.rules[i].replaces = st.child, from
  st.replaced[r.id] = true
  return true
end

local function merge_rules(st, c, errors)
  apply_disable(st, c, errors)
  for _, r in ipairs(c.replace or {}) do
    if not st.index[r.id] then
      local hint = M.suggest(r.id, st.parent_ids)
      add_error(errors, r.file, r.line, "replace: protocol '" .. st.parent .. "' has no rule '"
        .. r.id .. "' to replace" .. (hint and ("; did you mean '" .. hint .. "'?")
          or "; add it under rules = { … } instead"))
    elseif not replace_rule(st, r, true, errors) then
      st.rules[#st.rules + 1] = copy(r) -- replaced twice: the duplicate check reports it
      st.rules[#st.rules].protocol = c.id
    end
  end
  for _, r in ipairs(c.rules or {}) do
    if not replace_rule(st, r, false, errors) then
      st.rules[#st.rules + 1] = copy(r)
      st.rules[#st.rules].protocol = c.id
    end
  end
  for _, r in ipairs(st.rules) do
    if not st.dropped[r.id] then
      st.R.rules[#st.R.rules + 1] = r
    end
  end
end

-- P (the merged parents, built by base_of or merge for this load alone) is taken over by
-- the result, not copied; c's values are copied in as they are merged.
local function merge(P, c, errors)
  local R = {
    id = c.id, version = c.version, title = c.title or P.title,
    description = c.description or P.description, extends = P.id,
    file = c.file, line = c.line,
    files = P.files, sources = P.sources, layers = P.layers, facts = declared_by(c, P.facts),
    references = P.references, parameters = P.parameters, data = P.data,
    required = P.required,
    rules = {}, overrides = P.overrides, disabled = P.disabled,
  }
  R.files[#R.files + 1] = c.file
  R.sources[#R.sources + 1] = c.source
  R.layers[#R.layers + 1] = { id = c.id, version = c.version, file = c.file }
  local ov, by = R.overrides, c.file
  for _, section in ipairs { "references", "parameters", "data" } do
    merge_into(R[section], c[section] or {}, section, ov, by, c.source,
      text_of.locate_key(c.source, section, c.line))
  end
  if c.required then
    if R.required and not deep_equal(R.required, c.required) then
      ov[#ov + 1] = { what = "required", old = R.required, new = copy(c.required), by = by,
                      line = M.locate(c.source, "required", c.line) }
    end
    R.required = copy(c.required)
  end
  local st = { R = R, ov = ov, parent = P.id, child = c.id, rules = {}, index = {},
               parent_ids = {}, dropped = {}, replaced = {} }
  for _, r in ipairs(P.rules) do
    st.rules[#st.rules + 1] = r
    st.index[r.id] = #st.rules
    st.parent_ids[#st.parent_ids + 1] = r.id
  end
  merge_rules(st, c, errors)
  return R
end

-- }===

-- load target (a name) with its parents; chain: files already on the way
local function resolve_chain(name, opts, from_dir, chain, errors)
  local path, msg, code = M.resolve(name, opts, from_dir)
  if not path then
    return nil, msg, code
  end
  for _, seen in ipairs(chain) do
    if seen == path then
      chain[#chain + 1] = path
      return nil, "extends cycle: " .. table.concat(chain, " -> "), "E_PROTOCOL"
    end
  end
  if #chain >= M.MAX_DEPTH then
    return nil, path .. ": extends chain deeper than " .. M.MAX_DEPTH, "E_PROTOCOL"
  end
  chain[#chain + 1] = path
  local c
  c, msg, code = M.run_file(path, opts)
  if not c then
    if code == "E_SYNTAX" or code == "E_SCRIPT" then
      -- a file that is no protocol at all (no `protocol "id"` in it; /etc/passwd, an .env
      -- file): say so without quoting any of it
      local text = M.read(path) or ""
      if string.byte(text, 1) ~= 27 and not uses_dsl(text) then
        msg, code = path .. ": not a protocol script (no protocol \"id\" { … } in it)"
          .. (#chain > 1 and "; extends must name a protocol" or ""), "E_PROTOCOL"
      end
    end
    return nil, msg, code
  end
  check_layer(c, errors)
  if not c.extends then
    return base_of(c)
  end
  local P
  P, msg, code = resolve_chain(c.extends, opts, dirname(path), chain, errors)
  if not P then
    if code == "E_NOTFOUND" then
      msg = c.file .. ":" .. M.locate(c.source, "extends", c.line) .. ": extends: " .. msg
      code = "E_PROTOCOL"
    end
    return nil, msg, code
  end
  return merge(P, c, errors)
end

--- Load, merge and check a protocol.
-- @tparam string name a file path or the id of a protocol on the search path
-- @tparam[opt] table opts `path` (list of directories for ids and
--   `extends`), `units` (for the checks; default `aza.units`), `budget`,
--   `memory` (sandbox limits per file), `check` (`false` to skip checks)
-- @treturn table the protocol: `id version title description extends file
--   line files layers hash references parameters data rules overrides disabled`
--   (`layers`: `{id, version, file}` of each protocol of the extends chain, base
--   first); each rule `{id, when, action, cite, message, file, line, ast, facts,
--   protocol, replaces}` (`protocol`: the id of the layer that wrote it;
--   `replaces`: the id of the layer whose rule of that id it replaced)
-- @return[2] nil
-- @treturn[2] string message: `file:line: …` lines
-- @treturn[2] string code: `E_NOTFOUND`, `E_SYNTAX` (Lua syntax), `E_SCRIPT`,
--   `E_LIMIT` (sandbox), `E_PROTOCOL` (a check failed)
-- @treturn[2] table the list of errors `{file, line, message}` (E_PROTOCOL)
function M.load(name, opts)
  opts = opts or {}
  local errors = {}
  local p, msg, code = resolve_chain(name, opts, nil, {}, errors)
  if not p then
    return nil, msg, code, { { message = msg } }
  end
  p.hash = M.hash(p.sources)
  if opts.check ~= false then
    require("aza.protocol.check").check(p, { units = opts.units }, errors)
  end
  if #errors > 0 and p.declared_new then
    -- a protocol that does not load leaves no declaration behind in the process catalogue
    require("aza.protocol.facts").forget(p.declared_new)
  end
  if #errors > 0 then
    return nil, M.format_errors(errors), "E_PROTOCOL", errors
  end
  return p
end

return M

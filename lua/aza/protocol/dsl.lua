--- The protocol DSL: the names a protocol script sees in the sandbox.
--
-- ```lua
-- return protocol "site-ibd" {
--   extends = "ibd",
--   version = "2026.1",
--   references = { local1 = "Local neutropenia audit, 2026" },
--   rules = {
--     rule "neutrophils-low" { when = "neutrophils < 1.8 10*9/L", action = withhold,
--                              cite = "local1" },
--   },
--   disable = { "ace-inhibitor-caution" },
-- }
-- ```
--
-- `protocol "id" { … }` and `rule "id" { … }` record the file and line of
-- the call (with `debug.getinfo`: the DSL functions are trusted host code;
-- the script itself has no `debug`). Action values and constructors build
-- the tables of docs/internals/protocol-ast.md:
--
-- | DSL | table |
-- |---|---|
-- | `withhold`, `contraindicate`, `proceed` | `{type="withhold"}` ... |
-- | `need_data{"tpmt", …}` | `{type="need_data", facts={…}}` |
-- | `reduce{percent=50, low=30, high=80}`, `reduce{fraction=0.25}` | `{type="reduce", …}` |
-- | `cap{mg_per_kg_per_day=2}`, `cap{mg_per_day=100}` | `{type="cap", …}` |
-- | `set_dose{mg_per_kg_per_day=1, band={0.75, 1.25}}` | `{type="set_dose", …}` |
-- | `reduce{percent=10, days_per_week=3}` | a weekly schedule (`days_per_week` 1-7) |
-- | `alert{kind=…, severity=…}` | `{type="alert", …}` |
-- | `monitor{tests={"fbc"}, every="1 wk", weeks=4}` | `{type="monitor", …}` |
-- | `counsel "text"` | `{type="counsel", text=…}` |
--
-- The DSL copies what it is given and checks only what it needs to build a
-- value (an id is a string, a body is a table); aza.protocol.check checks
-- the rest with file and line. It never uses string methods: while a
-- script runs, the string metatable points at the sandbox's string table.
--
-- @module aza.protocol.dsl

local debug, error, next, select, setmetatable, string, table, tostring, type =
  debug, error, next, select, setmetatable, string, table, tostring, type

local getinfo = debug.getinfo
local printable = require("aza.util").printable
local sfind, ssub = string.find, string.sub

local M = {}

--- Fields a protocol may have.
M.PROTOCOL_FIELDS = { "id", "title", "version", "description", "extends", "references",
                      "parameters", "data", "required", "rules", "replace", "disable",
                      "facts" }
--- Fields a rule may have.
M.RULE_FIELDS = { "when", "action", "cite", "message", "require", "phase",
                  "when_parameter" }

-- deep copy of plain data (cycles are cut: a table seen twice is copied once);
-- with `mt`, every table of the copy gets that metatable
local function copy(v, seen, mt)
  if type(v) ~= "table" then
    return v
  end
  seen = seen or {}
  if seen[v] then
    return seen[v]
  end
  local t = {}
  seen[v] = t
  for k, x in next, v do
    t[copy(k, seen, mt)] = copy(x, seen, mt)
  end
  if mt then
    setmetatable(t, mt)
  end
  return t
end
M.copy = copy

-- file and line of the DSL call: level 3 = the script calling the DSL function
local function where()
  local info = getinfo(3, "Sl")
  if not info then
    return "?", 0
  end
  local src = info.source or "?"
  local c = ssub(src, 1, 1)
  if c == "@" or c == "=" then
    src = ssub(src, 2)
  end
  return src, info.currentline or 0
end

local function fail(file, line, msg)
  error(file .. ":" .. tostring(line) .. ": " .. msg, 0)
end

--- Longest protocol or rule id, in bytes.
M.ID_MAX = 128

local function check_id(kind, id, example, file, line)
  if type(id) ~= "string" or id == "" or sfind(id, "%s") or sfind(id, "%c") or #id > M.ID_MAX then
    fail(file, line, kind .. " needs an id string without spaces or control bytes, of at most "
      .. M.ID_MAX .. " bytes, as in " .. example .. " (got "
      .. (type(id) == "string" and ("'" .. printable(id) .. "'") or type(id)) .. ")")
  end
end

--- Build the names for one script run.
-- @tparam[opt] table ctx collects what the script creates: `ctx.protocols`
--   (list of protocol objects) and `ctx.rules` (list of rule objects)
-- @treturn table name → value, for `aza.protocol.sandbox.run{names=…}`
function M.names(ctx)
  ctx = ctx or {}
  ctx.protocols = ctx.protocols or {}
  ctx.rules = ctx.rules or {}
  local N = {}

  function N.protocol(id)
    local file, line = where()
    check_id("protocol", id, 'protocol "ibd" { … }', file, line)
    return function(spec)
      if type(spec) ~= "table" then
        fail(file, line, 'protocol "' .. id .. '" needs a table: protocol "' .. id
          .. '" { version = "…", rules = { … } }')
      end
      local p = copy(spec)
      p.id = id
      p.file, p.line = file, line
      p.spec_id = spec.id -- an id inside the table as well: the checker reports it
      ctx.protocols[#ctx.protocols + 1] = p
      return p
    end
  end

  function N.rule(id)
    local file, line = where()
    check_id("rule", id, 'rule "wbc-low" { … }', file, line)
    return function(spec)
      if type(spec) ~= "table" then
        fail(file, line, 'rule "' .. id .. '" needs a table: rule "' .. id
          .. '" { when = "…", action = withhold, cite = "key" }')
      end
      for _, k in next, { "protocol", "replaces" } do -- the loader's fields
        if spec[k] ~= nil then
          fail(file, line, "rule '" .. id .. "': unknown field '" .. k .. "' (the loader sets "
            .. "it: which protocol wrote the rule, which one it replaces)")
        end
      end
      local r = copy(spec)
      r.id = id
      r.file, r.line = file, line
      ctx.rules[#ctx.rules + 1] = r
      return r
    end
  end

  N.withhold = { type = "withhold" }
  N.contraindicate = { type = "contraindicate" }
  N.proceed = { type = "proceed" }

  -- constructors taking a table: name{…}
  local function ctor(name, build)
    N[name] = function(...)
      local spec = ...
      if select("#", ...) ~= 1 or type(spec) ~= "table" then
        local file, line = where()
        fail(file, line, name .. " needs one table argument: " .. name .. "{ … }")
      end
      return build(copy(spec))
    end
  end

  ctor("need_data", function(t)
    return { type = "need_data", facts = t }
  end)
  for _, name in next, { "reduce", "cap", "set_dose", "alert", "monitor" } do
    ctor(name, function(t)
      t.type = name
      return t
    end)
  end

  function N.counsel(text)
    if type(text) ~= "string" then
      local file, line = where()
      fail(file, line, 'counsel needs a string: counsel "text"')
    end
    return { type = "counsel", text = text }
  end

  return N
end

--- All DSL names (for suggestions of unknown names).
-- @treturn {string,...}
function M.name_list()
  local list = {}
  for k in next, M.names({}) do
    list[#list + 1] = k
  end
  table.sort(list)
  return list
end

return M

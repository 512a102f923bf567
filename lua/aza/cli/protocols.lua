--- `aza protocols`: list the shipped protocols, or the rules one protocol has in force.
--
--     aza protocols [--path DIR]...
--     aza protocols --rules ID|FILE [--format text|json] [--path DIR]...
--
-- Without `--rules`: one line per protocol, sorted by id: `ID  VERSION  TITLE`. A
-- protocol script that does not load is reported on stderr as
-- `aza protocols: ID: MESSAGE` and makes the exit status 3; otherwise it
-- is 0. `--path DIR` (repeatable) lists those directories instead of the
-- default search path (the installed `aza/rules/`, then the checkout's
-- `rules/`).
--
-- With `--rules`: every rule the protocol has in force after its `extends` chain, in
-- evaluation order, with its condition, action, source and the protocol of the chain that
-- wrote it (and the one whose rule it replaced), then the rules switched off (by `disable`,
-- or by a parameter through `when_parameter`). `--format json`: one object
-- `{id, version, chain, rules = [...], disabled = [...]}`. Exit 3 when it does not load.
--
-- @module aza.cli.protocols

local describe = require "aza.protocol.describe"
local protocol = require "aza.protocol"

local ipairs, math, string, table, tostring = ipairs, math, string, table, tostring

local M = {}

--- One line for `aza help`.
M.summary = "list the shipped protocols with version and title"

--- Usage text.
M.usage = "usage: aza protocols [--path DIR]...\n"
  .. "       aza protocols --rules ID|FILE [--format text|json] [--path DIR]...\n"

-- {=== --rules ===

local function where(r)
  return tostring(r.file) .. ":" .. tostring(r.line)
end

-- the rules in force and the ones switched off, as plain tables
local function rule_rows(p)
  local rows, off = {}, {}
  local refs = describe.plain(p.references or {})
  for _, view in ipairs(p.rules) do
    local r = describe.plain(view) -- (the protocol's tables are read-only views)
    local short = describe.cites(refs, r)
    local row = { id = r.id, protocol = r.protocol, replaces = r.replaces, file = r.file,
                  line = r.line, when = r.when, action = describe.action(r.action),
                  cite = describe.cite_list(r), source = short,
                  phase = r.phase, when_parameter = r.when_parameter, params = r.params }
    if r.disabled then
      row.off_by = r.disabled_by
      off[#off + 1] = row
    else
      rows[#rows + 1] = row
    end
  end
  for _, o in ipairs(p.overrides) do
    local id = string.match(o.what, "^rule (.+)$")
    if id and o.new == "disabled" then
      off[#off + 1] = { id = id, off_by = "disable", file = o.by, line = o.line }
    end
  end
  return rows, off
end

local function chain_text(p)
  local parts = {}
  for i, l in ipairs(p.layers) do
    parts[i] = l.id .. " " .. tostring(l.version)
  end
  return table.concat(parts, " → ")
end

local function rules_text(out, p, rows, off)
  local w = {}
  w[#w + 1] = p.id .. " " .. tostring(p.version) .. ": " .. #rows .. " rules in force ("
    .. chain_text(p) .. ")"
  for _, r in ipairs(rows) do
    local by = r.protocol .. (r.replaces and (", replaces " .. r.replaces .. "'s") or "")
    w[#w + 1] = ""
    w[#w + 1] = r.id .. "  [" .. by .. "; " .. where(r) .. "]"
    w[#w + 1] = "  when    " .. tostring(r.when)
    w[#w + 1] = "  action  " .. r.action
    w[#w + 1] = "  source  " .. (r.source ~= "" and r.source or "–")
    for _, k in ipairs(describe.keys(r.params or {})) do
      w[#w + 1] = "  params  " .. k .. " = " .. describe.show(r.params[k])
    end
    if r.phase then
      w[#w + 1] = "  phase   " .. r.phase .. " (runs after the dose is worked out)"
    end
  end
  if #off > 0 then
    w[#w + 1] = ""
    w[#w + 1] = "Switched off (" .. #off .. "):"
    for _, r in ipairs(off) do
      if r.off_by == "disable" then
        w[#w + 1] = "  " .. r.id .. ": disabled [" .. where(r) .. "]"
      else
        local need = {}
        for _, k in ipairs(describe.keys(r.when_parameter or {})) do
          need[#need + 1] = "parameters." .. k .. " = " .. describe.show(r.when_parameter[k])
            .. " (now " .. describe.show((p.parameters or {})[k]) .. ")"
        end
        w[#w + 1] = "  " .. r.id .. ": on only when " .. table.concat(need, " and ") .. " ["
          .. r.protocol .. "; " .. where(r) .. "]"
      end
    end
  end
  out:write(table.concat(w, "\n"), "\n")
end

local function list_rules(name, path, format, env)
  local p, msg = protocol.load(name, { path = path })
  if not p then
    env.stderr:write(msg, "\n")
    return 3
  end
  local rows, off = rule_rows(p)
  if format == "json" then
    local chain = {}
    for i, l in ipairs(p.layers) do
      chain[i] = { id = l.id, version = l.version, file = l.file }
    end
    env.stdout:write(assert(require("aza.render.json").encode {
      id = p.id, version = p.version, chain = chain, rules = rows, disabled = off,
    }), "\n")
  else
    rules_text(env.stdout, p, rows, off)
  end
  return 0
end

-- }===

-- the options: {path, rules, format}, or nil, message (bad usage), or the exit status 0
-- after --help
local function options(args, env)
  local o = {}
  local i = 1
  while i <= #args do
    local a = args[i]
    local name = string.match(a, "^%-%-(%a+)$")
    if name == "path" or name == "rules" or name == "format" then
      if not args[i + 1] then
        return nil, a .. " needs " .. (name == "path" and "a directory" or name == "rules"
          and "a protocol id or file" or "text or json") .. "\n" .. M.usage
      end
      if name == "path" then
        o.path = o.path or {}
        o.path[#o.path + 1] = args[i + 1]
      else
        o[name] = args[i + 1]
      end
      i = i + 1
    elseif a == "-h" or a == "--help" then
      env.stdout:write(M.usage)
      return nil, nil, 0
    else
      return nil, "unknown argument '" .. a .. "'\n" .. M.usage
    end
    i = i + 1
  end
  return o
end

--- Run `aza protocols`.
-- @tparam {string,...} args the arguments after `protocols`
-- @tparam table env `stdout`, `stderr` file handles
-- @treturn integer exit status (0, or 3 when a protocol does not load)
-- @return[2] nil, message for bad usage (exit 2)
function M.run(args, env)
  local o, msg, done = options(args, env)
  if not o then
    return done, msg
  end
  local path, rules, format = o.path, o.rules, o.format
  if format ~= nil and format ~= "text" and format ~= "json" then
    return nil, "--format must be text or json, got '" .. format .. "'\n" .. M.usage
  elseif format ~= nil and not rules then
    return nil, "--format goes with --rules\n" .. M.usage
  elseif rules then
    return list_rules(rules, path, format, env)
  end
  local list = protocol.list { path = path }
  local wid, wver = 2, 7
  for _, e in ipairs(list) do
    if not e.error then
      wid = math.max(wid, #e.id)
      wver = math.max(wver, #tostring(e.version))
    end
  end
  local status, lines = 0, {}
  for _, e in ipairs(list) do
    if e.error then
      env.stderr:write("aza protocols: ", e.id, ": ", e.error, "\n")
      status = 3
    else
      lines[#lines + 1] = (string.format("%-" .. wid .. "s  %-" .. wver .. "s  %s", e.id,
        tostring(e.version), tostring(e.title or ""))):gsub("%s+$", "")
    end
  end
  if #lines > 0 then
    env.stdout:write(table.concat(lines, "\n"), "\n")
  elseif status == 0 then
    env.stderr:write("aza protocols: no protocols found\n")
  end
  return status
end

return M

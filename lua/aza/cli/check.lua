--- `aza check`: load and check protocols.
--
--     aza check [--path DIR]... [--verbose] FILE|ID...
--
-- For each protocol that loads and passes every check, prints on stdout
--
--     ok ID VERSION HASH
--
-- (with `--verbose`, followed by one indented line per override:
-- `  override WHAT: OLD -> NEW (FILE:LINE)`). For one that does not, prints
-- its errors on stderr, one per line, as `FILE:LINE: MESSAGE`. The exit
-- status is 3 when any protocol fails, else 0; 2 for bad usage.
--
-- `--path DIR` (repeatable) is searched, in order, for protocol ids and for
-- `extends = "ID"`, instead of the default search path (the installed
-- `aza/rules/`, then the checkout's `rules/`).
--
-- @module aza.cli.check

local protocol = require "aza.protocol"

local ipairs, pairs, string, table, tostring, type =
  ipairs, pairs, string, table, tostring, type

local M = {}

--- One line for `aza help`.
M.summary = "load and check protocol files (aza check [--path DIR] FILE...)"

--- Usage text.
M.usage = "usage: aza check [--path DIR]... [--verbose] FILE|ID...\n"

-- a value in an override line: lists and nested tables written out in
-- full with sorted keys (never a table address), depth-limited
local function show(v, depth)
  depth = depth or 0
  if type(v) ~= "table" then
    return type(v) == "string" and depth > 0 and require("aza.compat").quote(v) or tostring(v)
  end
  if depth > 3 then
    return "{…}"
  end
  local parts, n = {}, #v
  for i = 1, n do
    parts[i] = show(v[i], depth + 1)
  end
  local keys = {}
  for k in pairs(v) do
    if not (require("aza.compat").is_integral(k) and k >= 1 and k <= n) then
      keys[#keys + 1] = k
    end
  end
  table.sort(keys, function(a, b) return tostring(a) < tostring(b) end)
  for _, k in ipairs(keys) do
    parts[#parts + 1] = tostring(k) .. " = " .. show(v[k], depth + 1)
  end
  return "{" .. table.concat(parts, ", ") .. "}"
end

--- Run `aza check`.
-- @tparam {string,...} args the arguments after `check`
-- @tparam table env `stdout`, `stderr` file handles
-- @treturn integer exit status (0 all good, 3 any protocol failed)
-- @return[2] nil, message for bad usage (exit 2)
function M.run(args, env)
  local path, files, verbose = nil, {}, false
  local i = 1
  while i <= #args do
    local a = args[i]
    if a == "--path" then
      if not args[i + 1] then
        return nil, "--path needs a directory\n" .. M.usage
      end
      path = path or {}
      path[#path + 1] = args[i + 1]
      i = i + 1
    elseif a == "--verbose" or a == "-v" then
      verbose = true
    elseif a == "-h" or a == "--help" then
      env.stdout:write(M.usage)
      return 0
    elseif a == "--" then
      for j = i + 1, #args do
        files[#files + 1] = args[j]
      end
      break
    elseif string.sub(a, 1, 1) == "-" then
      return nil, "unknown option '" .. a .. "'\n" .. M.usage
    else
      files[#files + 1] = a
    end
    i = i + 1
  end
  if #files == 0 then
    return nil, "no protocol given\n" .. M.usage
  end
  local status = 0
  for _, name in ipairs(files) do
    -- the same load as `aza evaluate`: checks, parameter checks and compilation
    local p, msg = protocol.load(name, { path = path })
    if p then
      env.stdout:write("ok ", p.id, " ", p.version, " ", p.hash, "\n")
      if verbose then
        for _, o in ipairs(p.overrides) do
          env.stdout:write("  override ", o.what, ": ", show(o.old), " -> ", show(o.new), " (",
            o.by, ":", tostring(o.line), ")\n")
        end
      end
    else
      env.stderr:write(msg, "\n")
      status = 3
    end
  end
  return status
end

return M

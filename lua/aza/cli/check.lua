--- `aza check`: load and check protocols.
--
--     aza check [--path DIR]... [--verbose] FILE|ID...
--
-- For each protocol that loads and passes every check, prints on stdout
--
--     ok ID VERSION HASH
--
-- (with `--verbose`, followed by one indented line per override,
-- `  override WHAT: OLD -> NEW (FILE:LINE)`, and per rule the file adds,
-- `  added rule ID (FILE:LINE)`). For one that does not, prints
-- its errors on stderr, one per line, as `FILE:LINE: MESSAGE`. The exit
-- status is 3 when any protocol fails, else 0; 2 for bad usage.
--
-- `--path DIR` (repeatable) is searched, in order, for protocol ids and for
-- `extends = "ID"`, instead of the default search path (the installed
-- `aza/rules/`, then the checkout's `rules/`).
--
-- @module aza.cli.check

local describe = require "aza.protocol.describe"
local protocol = require "aza.protocol"

local ipairs, string, tostring = ipairs, string, tostring

local M = {}

--- One line for `aza help`.
M.summary = "load and check protocol files (aza check [--path DIR] FILE...)"

--- Usage text.
M.usage = "usage: aza check [--path DIR]... [--verbose] FILE|ID...\n"

-- a value in an override line: lists and nested tables written out in full with sorted
-- keys (never a table address), depth-limited; a top-level string as it is
local function show(v)
  return describe.show(v, { bare = true, depth = 3 })
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
        for _, r in ipairs(p.rules) do
          if r.protocol == p.id and not r.replaces then
            env.stdout:write("  added rule ", r.id, " (", r.file, ":", tostring(r.line), ")\n")
          end
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

--- `aza protocols`: list the shipped protocols.
--
--     aza protocols [--path DIR]...
--
-- Prints one line per protocol, sorted by id: `ID  VERSION  TITLE`. A
-- protocol script that does not load is reported on stderr as
-- `aza protocols: ID: MESSAGE` and makes the exit status 3; otherwise it
-- is 0. `--path DIR` (repeatable) lists those directories instead of the
-- default search path (the installed `aza/rules/`, then the checkout's
-- `rules/`).
--
-- @module aza.cli.protocols

local protocol = require "aza.protocol"

local ipairs, math, string, table, tostring = ipairs, math, string, table, tostring

local M = {}

--- One line for `aza help`.
M.summary = "list the shipped protocols with version and title"

--- Usage text.
M.usage = "usage: aza protocols [--path DIR]...\n"

--- Run `aza protocols`.
-- @tparam {string,...} args the arguments after `protocols`
-- @tparam table env `stdout`, `stderr` file handles
-- @treturn integer exit status (0, or 3 when a protocol does not load)
-- @return[2] nil, message for bad usage (exit 2)
function M.run(args, env)
  local path
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
    elseif a == "-h" or a == "--help" then
      env.stdout:write(M.usage)
      return 0
    else
      return nil, "unknown argument '" .. a .. "'\n" .. M.usage
    end
    i = i + 1
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

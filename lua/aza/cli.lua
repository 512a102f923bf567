--- The `aza` command line: a dispatcher over subcommand modules.
--
-- `aza <command> ARGS...` runs the module `aza.cli.<command>` (a `-` in
-- the command is read as `_`). A subcommand module is a table with
--
-- * `run(args, env)` (required): `args` is the list of arguments after the
--   command name; `env.stdout` and `env.stderr` are file handles to write
--   to. It returns an exit code (`nil` means 0), or `nil, message` for bad
--   input: the message goes to stderr and the exit code is 2. An error
--   raised by `run` is reported the same way.
-- * `summary` (optional): one line shown by `aza help`.
--
-- So a new subcommand is a new file `lua/aza/cli/<name>.lua`; this file
-- does not change. `aza help` (or `aza` alone, `-h`, `--help`) prints the
-- usage with the commands found on `package.path`, exit 0. An unknown
-- command prints a message on stderr and exits with 2.
--
-- @module aza.cli
-- @usage os.exit(require("aza.cli").main(arg))

local io, ipairs, package, pairs, pcall, require, table, tostring, type =
  io, ipairs, package, pairs, pcall, require, table, tostring, type

local compat = require "aza.compat"

local M = {}

local PREFIX = "aza.cli."

local function module_name(command)
  if type(command) ~= "string" or not command:match("^%a[%w_-]*$") then
    return nil
  end
  return PREFIX .. command:gsub("-", "_")
end

local function shell_quote(s)
  return "'" .. s:gsub("'", "'\\''") .. "'"
end

--- Names of the subcommands installed on `package.path`, sorted.
-- Lists the `aza/cli/` directory beside each `?.lua` template of
-- `package.path` (with `ls`, as Lua has no directory API), plus any
-- `aza.cli.*` module already loaded or preloaded.
-- @treturn {string,...}
function M.commands()
  local seen, list = {}, {}
  local function add(name)
    if name and not seen[name] then
      seen[name] = true
      list[#list + 1] = name
    end
  end
  for template in package.path:gmatch("[^;]+") do
    local dir = template:match("^(.*)%?%.lua$")
    if dir then
      local p = io.popen("ls -1 -- " .. shell_quote(dir .. "aza/cli") .. " 2>/dev/null")
      if p then
        for file in p:lines() do
          add(file:match("^(%a[%w_]*)%.lua$"))
        end
        p:close()
      end
    end
  end
  for _, t in ipairs({ package.loaded, package.preload }) do
    for name in pairs(t) do
      if type(name) == "string" and name:sub(1, #PREFIX) == PREFIX then
        add(name:sub(#PREFIX + 1):match("^%a[%w_]*$"))
      end
    end
  end
  table.sort(list)
  return list
end

--- The usage text, listing the available commands with their summaries.
-- @treturn string
function M.usage()
  local lines = {
    "usage: aza <command> [arguments]",
    "",
    "commands:",
  }
  for _, name in ipairs(M.commands()) do
    local ok, mod = pcall(require, PREFIX .. name)
    local summary = ok and type(mod) == "table" and mod.summary or ""
    lines[#lines + 1] = ("  %-12s %s"):format(name, summary):gsub("%s+$", "")
  end
  lines[#lines + 1] = "  help         show this text"
  lines[#lines + 1] = "  version      print the aza version (also --version)"
  lines[#lines + 1] = ""
  lines[#lines + 1] = "Bad input: a message on stderr and exit status 2."
  return table.concat(lines, "\n") .. "\n"
end

-- the subcommand module for a command name, or nil, message
local function find(command)
  local name = module_name(command)
  if not name then
    return nil, ("aza: invalid command name '%s' (try 'aza help')"):format(tostring(command))
  end
  if not package.loaded[name] and not package.preload[name]
    and not compat.searchpath(name, package.path)
    and not compat.searchpath(name, package.cpath) then
    return nil, ("aza: unknown command '%s' (try 'aza help')"):format(command)
  end
  local ok, mod = pcall(require, name)
  if not ok then
    return nil, ("aza: cannot load command '%s': %s"):format(command, tostring(mod))
  end
  if type(mod) ~= "table" or type(mod.run) ~= "function" then
    return nil, ("aza: command '%s' has no run function"):format(command)
  end
  return mod
end

--- Run the command line.
-- @tparam {string,...} argv the arguments (`arg` of the launcher)
-- @tparam[opt] table env `{stdout = file, stderr = file}`, defaulting to
--   `io.stdout` and `io.stderr`
-- @treturn integer the exit code
function M.main(argv, env)
  argv = argv or {}
  env = env or {}
  env.stdout = env.stdout or io.stdout
  env.stderr = env.stderr or io.stderr
  env.argv = env.argv or argv
  local command = argv[1]
  if command == nil or command == "help" or command == "-h" or command == "--help" then
    env.stdout:write(M.usage())
    return 0
  end
  if command == "--version" or command == "version" then
    env.stdout:write("aza ", require("aza.core").version, " (", compat.version, ")\n")
    return 0
  end
  local mod, err = find(command)
  if not mod then
    env.stderr:write(err, "\n")
    return 2
  end
  local args = compat.move(argv, 2, #argv, 1, {})
  local ok, code, msg = pcall(mod.run, args, env)
  if not ok then
    env.stderr:write(("aza %s: %s\n"):format(command, tostring(code)))
    return 2
  end
  if code == nil and msg ~= nil then
    env.stderr:write(("aza %s: %s\n"):format(command, tostring(msg)))
    return 2
  end
  if type(code) ~= "number" then
    return 0
  end
  return code
end

return M

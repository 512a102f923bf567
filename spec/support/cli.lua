--- Running `bin/aza` (or any shell command) from the specs as a process: stdout,
-- stderr and the exit code.
--
-- `cli.run(cmdline, opts)` runs a shell command line from the working directory
-- (the checkout root under busted). `cli.aza(args, opts)` runs `<lua> bin/aza`
-- (or `opts.command`) with each argument quoted for the shell. Both return
-- `stdout, stderr, exit code`. `cli.quote` quotes one shell word; `cli.slurp`
-- reads a file.
--
-- @module spec.support.cli

local M = {}

--- The interpreter the specs run under (`lua5.4`, `luajit`, ...): every
-- `bin/aza` a spec starts runs under it too, with that interpreter's build.
M.LUA = require("aza.compat").interpreter

--- The default command line of `cli.aza`.
M.AZA = M.LUA .. " bin/aza"

--- Quote a string as one word for a POSIX shell.
-- @tparam string s
-- @treturn string
function M.quote(s)
  return "'" .. s:gsub("'", "'\\''") .. "'"
end

--- Arguments as shell words, each quoted, separated by spaces.
-- @tparam {string,...} args
-- @treturn string
function M.words(args)
  local out = {}
  for i, a in ipairs(args) do
    out[i] = M.quote(a)
  end
  return table.concat(out, " ")
end

--- The contents of a file, `""` when it cannot be read.
-- @tparam string path
-- @treturn string
function M.slurp(path)
  local f = io.open(path, "rb")
  if not f then
    return ""
  end
  local s = f:read("*a")
  f:close()
  return s
end

--- Run a shell command line.
-- @tparam string cmdline
-- @tparam[opt] table opts `stdin` (text given on standard input); `merge` (true:
--   standard error goes into standard output, as `2>&1`)
-- @treturn string stdout
-- @treturn string stderr (`""` with `merge`)
-- @treturn integer exit code
function M.run(cmdline, opts)
  opts = opts or {}
  local infile, errfile
  if opts.stdin then
    infile = os.tmpname()
    local f = assert(io.open(infile, "wb"))
    f:write(opts.stdin)
    f:close()
    cmdline = cmdline .. " <" .. M.quote(infile)
  end
  if opts.merge then
    cmdline = cmdline .. " 2>&1"
  else
    errfile = os.tmpname()
    cmdline = cmdline .. " 2>" .. M.quote(errfile)
  end
  -- the exit status through a file: 5.1's and LuaJIT's close() of a pipe does not give it
  local codefile = os.tmpname()
  local p = assert(io.popen(cmdline .. "; echo $? >" .. M.quote(codefile), "r"))
  local out = p:read("*a")
  p:close()
  local code = tonumber((M.slurp(codefile):match("%d+")))
  os.remove(codefile)
  local err = ""
  if errfile then
    err = M.slurp(errfile)
    os.remove(errfile)
  end
  if infile then
    os.remove(infile)
  end
  return out, err, code
end

--- Run `bin/aza` with arguments.
-- @tparam {string,...} args the arguments, each quoted for the shell
-- @tparam[opt] table opts as for `run`, plus `command`: the command line before the
--   arguments (default `M.AZA`, `"lua5.4 bin/aza"`)
-- @treturn string stdout
-- @treturn string stderr
-- @treturn integer exit code
function M.aza(args, opts)
  opts = opts or {}
  local cmdline = opts.command or M.AZA
  if #args > 0 then
    cmdline = cmdline .. " " .. M.words(args)
  end
  return M.run(cmdline, opts)
end

return M

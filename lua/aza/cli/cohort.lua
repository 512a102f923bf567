--- `aza evaluate --cohort FILE.jsonl [--jobs N]`: many patients, one per line.
--
-- Streams one patient JSON object per line in and one result per line out, in input
-- order and in constant memory (one line at a time; with workers, one line per worker in
-- flight). `--format json` writes each result as compact JSON (the result contract,
-- design §7); `text` writes `ID<TAB>DECISION<TAB>TARGET mg/day` (`-` without a dose);
-- `cards` the CDS Hooks cards, compact. A bad line gives an error object in its place,
-- `{"code":"E_INPUT","error":"…","line":N}` (text: `line N<TAB>error<TAB>message`), and
-- the run goes on; the exit status is then 2 (3 when a line met a protocol error). Lines
-- that are empty or only blanks are skipped. With `--jobs N` (N > 1) N worker processes
-- (this same command with `--cohort-part K/N`) each evaluate every Nth line; this process
-- merges their output in input order. A progress line goes to stderr when stderr is a
-- terminal. See docs/cli.md.
--
-- @module aza.cli.cohort

local json = require "aza.render.json"

local io, ipairs, math, os, string, table, tostring =
  io, ipairs, math, os, string, table, tostring
local tonumber = require("aza.compat").tonumber

local M = {}

--- Most worker processes `--jobs` accepts.
M.JOBS_MAX = 64

-- status letters a worker writes before each line (stripped by the merger)
local OK, BAD, PROTOCOL = "0", "2", "3"

local function one_line(s)
  return (string.gsub(tostring(s), "[\r\n]+", " "))
end

-- one output line (without its newline) and its status letter for one input line
local function evaluate_line(p, line, number, o)
  local result, msg, code = p:evaluate(line, { as_of = o.as_of, trace = o.format ~= "text" })
  if not result then
    local status = code == "E_PROTOCOL" and PROTOCOL or BAD
    if o.format == "text" then
      return status, ("line %d\terror\t%s"):format(number, one_line(msg))
    end
    return status, json.encode({ code = code or "E_INPUT", error = tostring(msg), line = number })
  end
  local text, rmsg
  if o.format == "text" then
    local d = result.dose
    text = ("%s\t%s\t%s"):format(one_line(result.patient or ("line " .. number)),
      result.decision, d and d.target_mg_per_day and (json.number(d.target_mg_per_day)
      .. " mg/day") or "-")
  elseif o.format == "cards" then
    text, rmsg = json.encode({ cards = require("aza.render.cards").cards(result) })
  else
    text, rmsg = json.encode(result)
  end
  if not text then
    return PROTOCOL, json.encode({ code = "E_RENDER", error = "cannot render the result: "
      .. tostring(rmsg), line = number })
  end
  return OK, text
end

-- is the stream a terminal? (Lua has no isatty: ask test(1), which inherits our fds)
local function stderr_is_terminal()
  local ok = os.execute("test -t 2")
  return ok == true or ok == 0
end

local function progress(env, o, done, bad, final)
  if o.progress then
    env.stderr:write(("\raza evaluate: %d patients, %d bad%s"):format(done, bad,
      final and "\n" or ""))
  end
end

-- count one output line: c.done, c.bad and the worst status so far
local function count(c, status, env, o)
  if status ~= OK then
    c.bad = c.bad + 1
    if status > c.worst then
      c.worst = status
    end
  end
  c.done = c.done + 1
  if c.done % 100 == 0 then
    progress(env, o, c.done, c.bad)
  end
end

local function open_input(o, env)
  if o.cohort == "-" then
    return env.stdin or io.stdin
  end
  local f, err = io.open(o.cohort, "rb")
  if not f then
    return nil, "--cohort: cannot open " .. tostring(err)
  end
  return f
end

-- run every line in this process (jobs = 1, or one worker's share: part k of n)
local function run_here(p, o, env, k, n)
  local f, err = open_input(o, env)
  if not f then
    env.stderr:write("aza evaluate: ", err, "\n")
    return 2
  end
  local spool
  if o.spool then
    spool, err = io.open(o.spool, "wb")
    if not spool then
      env.stderr:write("aza evaluate: --cohort-spool: ", tostring(err), "\n")
      return 2
    end
  end
  local c, number = { worst = OK, done = 0, bad = 0 }, 0
  for line in f:lines() do
    number = number + 1
    if string.find(line, "%S") and (number - 1) % n == k then
      local status, text = evaluate_line(p, line, number, o)
      if spool then -- a worker: the line to its spool file, then a short notice
        spool:write(text, "\n")
        spool:flush()
        env.stdout:write(status, " ", #text + 1, "\n")
        env.stdout:flush()
      else
        env.stdout:write(text, "\n")
      end
      count(c, status, env, o)
    end
  end
  if f ~= io.stdin and f ~= env.stdin then
    f:close()
  end
  if spool then
    spool:close()
  end
  progress(env, o, c.done, c.bad, true)
  return tonumber(c.worst)
end

local function shell_quote(s)
  return "'" .. string.gsub(s, "'", "'\\''") .. "'"
end

-- the command that runs this program again (the interpreter, its options, the script)
local function self_command(env)
  local argv = env.argv or {}
  local first = 0
  while argv[first - 1] ~= nil do
    first = first - 1
  end
  local words = {}
  for i = first, 0 do
    words[#words + 1] = shell_quote(argv[i])
  end
  if #words < 2 then
    return nil
  end
  return table.concat(words, " ")
end

-- jobs > 1: start the workers, merge their lines in input order
local function run_workers(o, env)
  if o.cohort == "-" then
    env.stderr:write("aza evaluate: --jobs needs a --cohort file (stdin can be read once)\n")
    return 2
  end
  local f = io.open(o.cohort, "rb")
  if not f then
    env.stderr:write("aza evaluate: --cohort: cannot open ", o.cohort, "\n")
    return 2
  end
  local self = self_command(env)
  if not self then
    env.stderr:write("aza evaluate: --jobs: cannot tell how this program was started\n")
    return 2
  end
  local base = { "evaluate", "--protocol", o.protocol, "--format", o.format, "--cohort",
                 o.cohort }
  if o.as_of then
    base[#base + 1] = "--as-of"
    base[#base + 1] = o.as_of
  end
  for _, dir in ipairs(o.path or {}) do
    base[#base + 1] = "--path"
    base[#base + 1] = dir
  end
  -- Each worker writes its results to a spool file and a short notice per line to its pipe
  -- ("STATUS BYTES"); the notices never fill a pipe, so no worker waits for this process
  -- while it copies another worker's (possibly long) line. Memory stays constant; the
  -- spool files are removed at the end.
  local workers, spools, names = {}, {}, {}
  for k = 0, o.jobs - 1 do
    names[k] = os.tmpname()
    local words = { self }
    for _, w in ipairs(base) do
      words[#words + 1] = shell_quote(w)
    end
    words[#words + 1] = shell_quote(("--cohort-part=%d/%d"):format(k, o.jobs))
    words[#words + 1] = shell_quote("--cohort-spool=" .. names[k])
    workers[k] = assert(io.popen(table.concat(words, " ") .. " 2>/dev/null", "r"))
    spools[k] = assert(io.open(names[k], "rb"))
  end
  local c, number = { worst = OK, done = 0, bad = 0 }, 0
  local failed
  for line in f:lines() do
    number = number + 1
    if string.find(line, "%S") then
      local w = (number - 1) % o.jobs
      local notice = workers[w]:read("*l")
      local status, bytes = string.match(notice or "", "^(%d) (%d+)$")
      local text = bytes and spools[w]:read(tonumber(bytes))
      if not text or #text ~= tonumber(bytes) then
        failed = number
        break
      end
      env.stdout:write(text)
      count(c, status, env, o)
    end
  end
  f:close()
  for k = 0, o.jobs - 1 do
    workers[k]:close()
    spools[k]:close()
    os.remove(names[k])
  end
  progress(env, o, c.done, c.bad, true)
  if failed then
    env.stderr:write(("aza evaluate: worker %d stopped before line %d\n")
      :format((failed - 1) % o.jobs, failed))
    return 3
  end
  return tonumber(c.worst)
end

--- Validate the cohort options (`jobs`, `part`) in place.
-- @tparam table o the options of `aza evaluate`
-- @treturn true|nil
-- @treturn[2] string message
function M.check_options(o)
  local jobs = tonumber(o.jobs or "1")
  if not jobs or jobs ~= math.floor(jobs) or jobs < 1 or jobs > M.JOBS_MAX then
    return nil, "--jobs needs a whole number from 1 to " .. M.JOBS_MAX
  end
  o.jobs = jobs
  if o.part then
    local k, n = string.match(o.part, "^(%d+)/(%d+)$")
    k, n = tonumber(k), tonumber(n)
    if not k or n < 1 or k >= n then
      return nil, "--cohort-part needs K/N with 0 <= K < N"
    end
    o.part = { k, n }
  end
  return true
end

--- Run a cohort.
-- @tparam table o the options of `aza evaluate` (`cohort`, `jobs`, `format`, …)
-- @tparam table env `stdout`, `stderr`, optionally `stdin` and `argv` (the program's `arg`)
-- @param p the loaded protocol (not used when o.jobs > 1: the workers load their own)
-- @treturn integer exit status: 0 every line gave a result, 2 a line was bad, 3 a protocol
--   error
function M.run(o, env, p)
  o.progress = not o.part and stderr_is_terminal()
  if o.part then
    return run_here(p, o, env, o.part[1], o.part[2])
  elseif o.jobs > 1 then
    return run_workers(o, env)
  end
  return run_here(p, o, env, 0, 1)
end

return M

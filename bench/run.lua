--- `make bench`: every figure of docs/performance.md in one run, side by side with the
-- peers and their ratios (design §9: performance is measured here, never by timed tests).
--
--     lua5.4 bench/run.lua [seconds per measurement, default 1]
--
-- Measures, on this machine, in this run:
--   * unit conversions from Lua, unit strings on every call and parsed once, against
--     ucum-lhc (npm @lhncbc/ucum-lhc, bench/peers/ucum.js);
--   * JSON text -> result over the bench cohort (bench/cohort.lua, 2,000 patients in mixed
--     units), trace on and off, against json-rules-engine running the base + IBD decision
--     rules (bench/peers/rules.js), with a check that both decide the same;
--   * the hand-coded C floor for the same decisions (bench/floor.c, built here against the
--     core library), with the same check;
--   * the C engine alone against the plain-Lua reference evaluator (bench/evaluate.lua);
--   * protocol load + check + compile; Lua garbage per evaluation; `aza evaluate --cohort`
--     with 1 and 2 worker processes.
-- The peers are installed by bench/peers/install.sh into $AZA_BENCH_CACHE (default
-- ~/.cache/aza-bench); when npm or the registry is unreachable the bench says so and prints
-- aza's figures alone.

package.path = "./lua/?.lua;./lua/?/init.lua;./?.lua;" .. package.path
package.cpath = (os.getenv("AZA_CPATH") or "./build/?.so") .. ";" .. package.cpath

local compat = require "aza.compat"
local input_json = require "aza.input.json"
local protocol = require "aza.protocol"

local SECONDS = tonumber(arg and arg[1]) or 1
local LUA = compat.interpreter
local BUILD = os.getenv("BUILD") or "build"
local COHORT_N = 2000
local DIR = BUILD .. "/bench"
local COHORT = DIR .. "/cohort.jsonl"
local CACHE = os.getenv("AZA_BENCH_CACHE") or ((os.getenv("HOME") or "/tmp") .. "/.cache/aza-bench")

local function sh(cmd)
  local ok = os.execute(cmd)
  return ok == true or ok == 0
end

local function quote(s)
  return "'" .. s:gsub("'", "'\\''") .. "'"
end

-- wall-clock nanoseconds (Lua has no sub-second wall clock)
local function now_ns()
  local p = io.popen("date +%s%N")
  local t = tonumber(p:read("*l"))
  p:close()
  return t
end

-- {=== the cohort ===
assert(sh("mkdir -p " .. quote(DIR)))
local lines = dofile("bench/cohort.lua").generate(COHORT_N)
do
  local f = assert(io.open(COHORT, "wb"))
  f:write(table.concat(lines, "\n"), "\n")
  f:close()
end
-- }===

-- {=== the peers (node) ===
local peers_ok = sh("sh bench/peers/install.sh " .. quote(CACHE))
local function node(script, args)
  if not peers_ok then
    return nil
  end
  local p = io.popen("NODE_PATH=" .. quote(CACHE .. "/node_modules") .. " node " .. script
    .. " " .. args .. " 2>" .. quote(DIR .. "/node.log"))
  local out = p:read("*a")
  p:close()
  local r = input_json.decode(out:match("^[^\n]*") or "")
  if type(r) ~= "table" then
    io.stderr:write("bench: ", script, " failed (", DIR, "/node.log)\n")
    return nil
  end
  return r
end
-- }===

-- evaluations per second of f() over the cohort, for about SECONDS of CPU time
local function cohort_rate(f)
  local n, t0 = 0, os.clock()
  repeat
    for i = 1, #lines do
      f(lines[i])
    end
    n = n + #lines
  until os.clock() - t0 >= SECONDS
  return n / (os.clock() - t0)
end

local rows = {}
local function row(what, aza, peer, ratio, goal)
  rows[#rows + 1] = { what, aza, peer or "", ratio or "", goal or "" }
end
local function per_s(x)
  if x >= 1e6 then
    return ("%.2f M/s"):format(x / 1e6)
  elseif x >= 1e3 then
    return ("%.1f k/s"):format(x / 1e3)
  end
  return ("%.0f /s"):format(x)
end
local function times(a, b)
  return ("%.2f×"):format(a / b)
end
local function goal(text, met)
  return text .. (met and " (met)" or " (not met)")
end

-- {=== units ===
do
  local u = assert(loadfile("bench/units.lua"))("library", SECONDS)()
  local peer = node("bench/peers/ucum.js", tostring(SECONDS))
  if peer then
    local tag = "ucum-lhc " .. peer.version .. " "
    row("units, strings on every call", per_s(u.string), tag .. per_s(peer.string),
      times(u.string, peer.string), goal(">= 10×", u.string >= 10 * peer.string))
    row("units, parsed once", per_s(u.parsed), tag .. per_s(peer.parsed),
      times(u.parsed, peer.parsed))
  else
    row("units, strings on every call", per_s(u.string))
    row("units, parsed once", per_s(u.parsed))
  end
end
-- }===

-- {=== JSON text -> result ===
local ibd = assert(protocol.load("ibd"))
local agreement, floor_agreement

-- The same decisions, or a comparison means nothing: the only difference allowed is aza's
-- dose stage (no deliverable dose -> withhold), which an engine without dose maths cannot
-- see. `file` has one decision a line, in cohort order.
local function agree(decisions, file, who)
  local same, dose_stage, other, i = 0, 0, {}, 0
  for d in io.lines(file) do
    i = i + 1
    local r = decisions[i]
    if r.decision == d then
      same = same + 1
    elseif r.nodose and r.decision == "withhold" then
      dose_stage = dose_stage + 1
    else
      other[#other + 1] = ("patient %d: aza %s, %s %s"):format(i, r.decision, who, d)
    end
  end
  local text = ("%s: %d of %d decisions the same as aza's; %d differ by aza's dose stage "
    .. "(no deliverable dose -> withhold, dose maths it lacks)"):format(who, same, i, dose_stage)
  if #other > 0 then
    text = text .. "; OTHER DIFFERENCES: " .. table.concat(other, "; ")
  end
  return text
end

local function bench_json()
  -- each patient's decision, and whether aza's dose stage found no deliverable dose (only
  -- these are kept: a heap full of results would slow every later measurement)
  local decisions = {}
  for i, line in ipairs(lines) do
    local r = assert(ibd:evaluate(line, { trace = false }))
    local nodose = false
    for _, a in ipairs(r.alerts) do
      nodose = nodose or a.id == "no-deliverable-dose"
    end
    decisions[i] = { decision = r.decision, nodose = nodose }
  end
  collectgarbage("collect")
  local off = cohort_rate(function(line) ibd:evaluate(line, { trace = false }) end)
  local on = cohort_rate(function(line) ibd:evaluate(line) end)
  local peer = node("bench/peers/rules.js", quote(COHORT) .. " " .. SECONDS .. " "
    .. quote(DIR .. "/peer-decisions.txt"))
  if peer then
    local tag = "json-rules-engine " .. peer.version .. " "
    row("JSON text -> result, trace off", per_s(off), tag .. per_s(peer.rate),
      times(off, peer.rate), goal(">= 5×", off >= 5 * peer.rate))
    row("JSON text -> result, full trace", per_s(on), tag .. per_s(peer.rate),
      times(on, peer.rate), goal(">= 2×", on >= 2 * peer.rate))
    agreement = agree(decisions, DIR .. "/peer-decisions.txt", "json-rules-engine")
  else
    row("JSON text -> result, trace off", per_s(off))
    row("JSON text -> result, full trace", per_s(on))
  end
  return decisions, off
end

-- the hand-coded C floor (bench/floor.c): the same decisions in C, no protocol, no trace
local function bench_floor(decisions, off)
  local floor = DIR .. "/floor"
  if not sh((os.getenv("CC") or "cc") .. " -O2 -std=c99 -Icsrc/core bench/floor.c "
      .. quote(BUILD .. "/libaza_core.a") .. " -lm -o " .. quote(floor)) then
    io.stderr:write("bench: bench/floor.c did not build: the C floor is not measured\n")
    return
  end
  local p = io.popen(quote(floor) .. " " .. quote(COHORT) .. " " .. SECONDS .. " "
    .. quote(DIR .. "/floor-decisions.txt"))
  local r = input_json.decode(p:read("*a"):match("^[^\n]*") or "")
  p:close()
  if type(r) == "table" then
    row("JSON text -> decision, vs the C floor", per_s(off), "hand-coded C " .. per_s(r.rate),
      times(off, r.rate))
    floor_agreement = agree(decisions, DIR .. "/floor-decisions.txt", "C floor")
  end
end

bench_floor(bench_json())
-- }===

-- {=== C engine vs reference ===
do
  local e = assert(loadfile("bench/evaluate.lua"))("library", SECONDS)()
  row("C engine alone (33-rule fixture)", per_s(e.engine), "plain-Lua reference "
    .. per_s(e.reference), times(e.engine, e.reference))
  row("C path: facts converted in Lua + C", per_s(e.path), "plain-Lua reference "
    .. per_s(e.reference), times(e.path, e.reference))
end
-- }===

-- {=== protocol load, garbage ===
do
  local n, t0 = 0, os.clock()
  repeat
    assert(protocol.load("ibd"))
    n = n + 1
  until os.clock() - t0 >= SECONDS
  local ms = (os.clock() - t0) / n * 1000
  row("protocol.load(\"ibd\") (load, check, compile)", ("%.1f ms"):format(ms), "", "",
    goal("< 5 ms", ms < 5))
  for _, trace in ipairs({ false, true }) do
    collectgarbage("collect")
    collectgarbage("stop")
    local before = collectgarbage("count")
    for i = 1, 200 do
      ibd:evaluate(lines[i], { trace = trace })
    end
    local kb = (collectgarbage("count") - before) / 200
    collectgarbage("restart")
    row("Lua garbage per evaluation, trace " .. (trace and "on" or "off"), ("%.0f KB"):format(kb))
  end
end
-- }===

-- {=== cohort mode, 1 and 2 workers ===
do
  local wall = {}
  for _, jobs in ipairs({ 1, 2 }) do
    local t0 = now_ns()
    sh(LUA .. " bin/aza evaluate --protocol ibd --format json --cohort " .. quote(COHORT)
      .. " --jobs " .. jobs .. " >/dev/null 2>&1")
    wall[jobs] = (now_ns() - t0) / 1e9
  end
  local r1, r2 = COHORT_N / wall[1], COHORT_N / wall[2]
  row("aza evaluate --cohort --jobs 1 (json)", per_s(r1))
  row("aza evaluate --cohort --jobs 2 (json)", per_s(r2), "--jobs 1 " .. per_s(r1),
    times(r2, r1), goal(">= 1.7×", r2 >= 1.7 * r1))
end
-- }===

local function print_table()
  print(("aza bench: %s, %d patients (%s), %s s per measurement"):format(LUA, COHORT_N, COHORT,
    tostring(SECONDS)))
  if not peers_ok then
    print("peers: not measured (npm or the registry unreachable; see above)")
  end
  local widths = { 0, 0, 0, 0, 0 }
  local header = { "measure", "aza", "peer", "ratio", "goal" }
  table.insert(rows, 1, header)
  for _, r in ipairs(rows) do
    for i, c in ipairs(r) do
      widths[i] = math.max(widths[i], compat.utf8_len(c))
    end
  end
  for _, r in ipairs(rows) do
    local cells = {}
    for i, c in ipairs(r) do
      cells[i] = c .. string.rep(" ", widths[i] - compat.utf8_len(c))
    end
    print((table.concat(cells, " | "):gsub("%s+$", "")))
  end
  if agreement then
    print(agreement)
  end
  if floor_agreement then
    print(floor_agreement)
  end
end
print_table()

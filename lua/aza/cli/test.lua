--- `aza test`: run a site's scenario tables against a protocol.
--
--     aza test [--path DIR]... PROTOCOL CASES.lua...
--
-- `PROTOCOL` is a shipped id or a protocol file. Each `CASES.lua` is loaded
-- as data (text only, in an empty environment: no functions of Lua's
-- libraries) and returns a list of cases:
--
-- ```lua
-- return {
--   { name = "normal TPMT, 70 kg", patient = "patients/p70.json", as_of = "2026-11-21",
--     expect = { decision = "proceed", dose = 150, titration = { 50, 100, 150 },
--                monitoring = { "protocol" }, alerts = {} } },
--   { name = "no weight", patient = { as_of = "2026-11-21" },
--     expect = { decision = "need_data", dose = false, need_data = { "weight" } } },
-- }
-- ```
--
-- `patient` is a table (the patient record) or a JSON file path, relative
-- to the cases file (or to the working directory). `as_of` replaces the
-- record's. The expectations, each optional, are those of `aza.scenario` (the same words
-- the project's own specs use): `decision`, `dose`, `dose_mg_per_kg`, `band`, `regimen`,
-- `titration`, `titration_weeks`, `monitoring`, `counselling`, `alerts` (exactly these),
-- `alerts_include`, `no_alerts`, `need_data`, `input_error`; `target_mg_per_day`,
-- `target_mg_per_kg_per_day` and `band_mg_per_day` are read as `dose`, `dose_mg_per_kg`
-- and `band`.
--
-- Each case prints `ok NAME` or `FAIL NAME: …` with every difference
-- (`expected decision withhold, got proceed`), then a summary
-- `N passed, N failed`. Exit status: 0 when every case passes, 1 when one
-- fails, 2 for a cases file that is not valid (or bad usage), 3 for a
-- protocol that does not load.
--
-- @module aza.cli.test

local protocol = require "aza.protocol"
local scenario = require "aza.scenario"

local util = require "aza.util"

local ipairs, string, table, tostring, type = ipairs, string, table, tostring, type
local dirname, exists = util.dirname, util.exists

local M = {}

--- One line for `aza help`.
M.summary = "run scenario tables against a protocol (aza test PROTOCOL CASES.lua...)"

--- Usage text.
M.usage = "usage: aza test [--path DIR]... PROTOCOL CASES.lua...\n"

--- Expectation keys a case may use (`aza.scenario`: the same vocabulary as the specs').
M.EXPECT_KEYS = scenario.KEYS

-- {=== loading the cases ===

local function case_name(c, i)
  return type(c) == "table" and type(c.name) == "string" and c.name or ("case " .. i)
end

-- the problems of one case, as messages
local function check_case(c, i, file)
  local where = file .. ": " .. case_name(c, i)
  if type(c) ~= "table" then
    return where .. ": a case must be a table { name = …, patient = …, expect = { … } }"
  end
  if type(c.name) ~= "string" then
    return where .. ": needs name = \"…\""
  end
  if type(c.patient) ~= "table" and type(c.patient) ~= "string" then
    return where .. ": needs patient = { … } (a record) or a JSON file path"
  end
  if type(c.expect) ~= "table" then
    return where .. ": needs expect = { decision = …, … }"
  end
  local bad = scenario.unknown_key(c.expect)
  if bad then
    return where .. ": unknown expectation '" .. bad .. "'"
      .. (require("aza.protocol.source").suggest(bad, M.EXPECT_KEYS) and ("; did you mean '"
        .. require("aza.protocol.source").suggest(bad, M.EXPECT_KEYS) .. "'?") or "")
      .. " (known: " .. table.concat(M.EXPECT_KEYS, ", ") .. ")"
  end
  return nil
end

--- Load a cases file as data: run in the protocol sandbox (same limits: instruction
-- budget, memory cap, processor-time deadline; no io, os, require), read as a regular
-- file of at most the protocol size limit.
-- @tparam string file
-- @treturn {table,...} the cases
-- @return[2] nil, message
function M.load_cases(file)
  local src, err = require("aza.protocol.load").read(file)
  if not src then
    return nil, (string.gsub(err, "^cannot read protocol file", "cannot read cases file"))
  end
  local ok, cases = require("aza.protocol.sandbox").run(src, "@" .. file)
  if not ok then
    return nil, cases
  end
  if type(cases) ~= "table" then
    return nil, file .. ": must return a list of cases, got " .. type(cases)
  end
  for i, c in ipairs(cases) do
    local problem = check_case(c, i, file)
    if problem then
      return nil, problem
    end
  end
  return cases
end

-- }===

-- {=== comparing ===

--- The differences between a case's expectations and a result (`aza.scenario.compare`).
M.compare = scenario.compare

-- }===

local function patient_of(c, file)
  local x = c.patient
  if type(x) == "string" and not string.match(x, "^%s*{") and string.sub(x, 1, 1) ~= "/" then
    local rel = dirname(file) .. "/" .. x
    if exists(rel) then
      return rel
    end
  end
  return x
end

-- run one cases file; returns passed, failed (or nil, message)
local function run_file(p, file, env)
  local cases, msg = M.load_cases(file)
  if not cases then
    return nil, msg
  end
  local passed, failed = 0, 0
  for i, c in ipairs(cases) do
    local r, emsg, code, path = p:evaluate(patient_of(c, file), { as_of = c.as_of })
    local diffs
    if not r and code == "E_PROTOCOL" then
      diffs = { "protocol error: " .. tostring(emsg) }
    else
      diffs = M.compare(c.expect, r, emsg, path)
    end
    if #diffs == 0 then
      passed = passed + 1
      env.stdout:write("ok ", case_name(c, i), "\n")
    else
      failed = failed + 1
      env.stdout:write("FAIL ", case_name(c, i), ": ", table.concat(diffs, "; "), "\n")
    end
  end
  return passed, failed
end

--- Run `aza test`.
-- @tparam {string,...} args the arguments after `test`
-- @tparam table env `stdout`, `stderr` file handles
-- @treturn integer exit status: 0 all pass, 1 a case failed, 2 bad cases
--   file or usage, 3 bad protocol
function M.run(args, env)
  local path, files = nil, {}
  local i = 1
  while i <= #args do
    local a = args[i]
    if a == "--path" and args[i + 1] then
      path = path or {}
      path[#path + 1] = args[i + 1]
      i = i + 1
    elseif a == "-h" or a == "--help" then
      env.stdout:write(M.usage)
      return 0
    elseif string.sub(a, 1, 1) == "-" then
      env.stderr:write("aza test: unknown option '", a, "'\n", M.usage)
      return 2
    else
      files[#files + 1] = a
    end
    i = i + 1
  end
  if #files < 2 then
    env.stderr:write("aza test: a protocol and at least one cases file are needed\n", M.usage)
    return 2
  end
  local p, msg = protocol.load(files[1], { path = path })
  if not p then
    env.stderr:write("aza test: ", msg, "\n")
    return 3
  end
  local passed, failed = 0, 0
  for k = 2, #files do
    local np, nf = run_file(p, files[k], env)
    if not np then
      env.stderr:write("aza test: ", nf, "\n")
      return 2
    end
    passed, failed = passed + np, failed + nf
  end
  env.stdout:write(passed, " passed, ", failed, " failed\n")
  return failed == 0 and 0 or 1
end

return M

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
--     expect = { decision = "proceed", target_mg_per_day = 150,
--                alerts = { "nudt15-untested" }, no_alerts = { "allopurinol" } } },
--   { name = "no weight", patient = { as_of = "2026-11-21" },
--     expect = { decision = "need_data", target_mg_per_day = false,
--                need_data = { "weight" } } },
-- }
-- ```
--
-- `patient` is a table (the patient record) or a JSON file path, relative
-- to the cases file (or to the working directory). `as_of` replaces the
-- record's. The expectations, each optional:
--
-- | key | passes when |
-- |---|---|
-- | `decision` | the decision is this word |
-- | `target_mg_per_day` | the dose is this many mg/day; `false`: there is no dose |
-- | `target_mg_per_kg_per_day` | the dose per kg (2 decimals) is this |
-- | `band_mg_per_day` | the band is `{low, high}`; `false`: no band |
-- | `regimen` | the regimen text is this (`"3 × 50 mg once daily"`) |
-- | `alerts` | every listed alert id is present |
-- | `no_alerts` | none of the listed alert ids is present |
-- | `need_data` | need_data holds exactly these names (any order) |
-- | `counselling` | every listed counselling rule id is present |
-- | `input_error` | the patient is bad input: `true`, or the JSON path named |
--
-- Each case prints `ok NAME` or `FAIL NAME: …` with every difference
-- (`expected decision withhold, got proceed`), then a summary
-- `N passed, N failed`. Exit status: 0 when every case passes, 1 when one
-- fails, 2 for a cases file that is not valid (or bad usage), 3 for a
-- protocol that does not load.
--
-- @module aza.cli.test

local protocol = require "aza.protocol"

local text_num = require("aza.render.text").num
local util = require "aza.util"

local ipairs, math, pairs, string, table, tostring, type =
  ipairs, math, pairs, string, table, tostring, type
local dirname, exists = util.dirname, util.exists

local M = {}

--- One line for `aza help`.
M.summary = "run scenario tables against a protocol (aza test PROTOCOL CASES.lua...)"

--- Usage text.
M.usage = "usage: aza test [--path DIR]... PROTOCOL CASES.lua...\n"

--- Expectation keys a case may use.
M.EXPECT_KEYS = { "decision", "target_mg_per_day", "target_mg_per_kg_per_day",
                  "band_mg_per_day", "regimen", "alerts", "no_alerts", "need_data",
                  "counselling", "input_error" }

local EXPECT = util.set_of(M.EXPECT_KEYS)

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
  for k in pairs(c.expect) do
    if not EXPECT[k] then
      return where .. ": unknown expectation '" .. tostring(k) .. "' (known: "
        .. table.concat(M.EXPECT_KEYS, ", ") .. ")"
    end
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

local function show(v)
  if type(v) == "table" then
    local parts = {}
    for i, x in ipairs(v) do
      parts[i] = show(x)
    end
    return "{" .. table.concat(parts, ", ") .. "}"
  elseif type(v) == "number" then
    return text_num(v)
  end
  return tostring(v)
end

local function close(a, b)
  return type(a) == "number" and type(b) == "number" and math.abs(a - b) <= 1e-9
end

local function ids_of(list, key)
  local set = {}
  for _, x in ipairs(list or {}) do
    set[x[key]] = true
  end
  return set
end

local function set_equal(a, b)
  local sa, sb = {}, {}
  for _, x in ipairs(a or {}) do
    sa[x] = true
  end
  for _, x in ipairs(b or {}) do
    sb[x] = true
    if not sa[x] then
      return false
    end
  end
  for x in pairs(sa) do
    if not sb[x] then
      return false
    end
  end
  return true
end

local function target_diffs(e, d, diffs)
  local want = e.target_mg_per_day
  if want == false and d then
    diffs[#diffs + 1] = "expected no dose, got " .. show(d.target_mg_per_day) .. " mg/day"
  elseif want ~= nil and want ~= false then
    local got = d and d.target_mg_per_day
    if not close(got, want) then
      diffs[#diffs + 1] = "expected target " .. show(want) .. " mg/day, got "
        .. (got and (show(got) .. " mg/day") or "no dose")
    end
  end
  if e.target_mg_per_kg_per_day ~= nil then
    local got = d and d.target_mg_per_kg_per_day
    if not close(got, e.target_mg_per_kg_per_day) then
      diffs[#diffs + 1] = "expected " .. show(e.target_mg_per_kg_per_day) .. " mg/kg/day, got "
        .. (got and show(got) or "no dose")
    end
  end
end

local function band_diffs(e, d, diffs)
  local want = e.band_mg_per_day
  if want == nil then
    return
  end
  local got = d and d.band_mg_per_day
  local same
  if want == false then
    same = got == nil
  else
    same = type(want) == "table" and got ~= nil and close(got[1], want[1])
      and close(got[2], want[2])
  end
  if not same then
    diffs[#diffs + 1] = "expected band " .. (want and show(want) or "none") .. ", got "
      .. (got and show(got) or "none")
  end
end

local function dose_diffs(e, r, diffs)
  local d = r.dose
  target_diffs(e, d, diffs)
  band_diffs(e, d, diffs)
  if e.regimen ~= nil then
    local got = d and d.regimen and d.regimen.text
    if got ~= e.regimen then
      diffs[#diffs + 1] = "expected regimen '" .. tostring(e.regimen) .. "', got "
        .. (got and ("'" .. got .. "'") or "none")
    end
  end
end

local function list_diffs(e, r, diffs)
  local alerts = ids_of(r.alerts, "id")
  for _, id in ipairs(e.alerts or {}) do
    if not alerts[id] then
      diffs[#diffs + 1] = "expected alert " .. id .. ", not raised"
    end
  end
  for _, id in ipairs(e.no_alerts or {}) do
    if alerts[id] then
      diffs[#diffs + 1] = "expected no alert " .. id .. ", raised"
    end
  end
  if e.need_data ~= nil and not set_equal(e.need_data, r.need_data) then
    diffs[#diffs + 1] = "expected need_data " .. show(e.need_data) .. ", got "
      .. show(r.need_data or {})
  end
  local counsel = ids_of(r.counselling, "id")
  for _, id in ipairs(e.counselling or {}) do
    if not counsel[id] then
      diffs[#diffs + 1] = "expected counselling " .. id .. ", not given"
    end
  end
end

--- The differences between a case's expectations and a result.
-- @tparam table e the expectations
-- @tparam table|nil r the result (nil for bad input)
-- @tparam[opt] string err_msg the input error message (when r is nil)
-- @tparam[opt] string err_path the JSON path of the input error
-- @treturn {string,...} the differences (empty: the case passes)
function M.compare(e, r, err_msg, err_path)
  local diffs = {}
  if not r then
    local want = e.input_error
    if not want then
      diffs[1] = "bad input: " .. tostring(err_msg)
    elseif want ~= true and want ~= err_path then
      diffs[1] = "expected an input error at " .. tostring(want) .. ", got one at "
        .. tostring(err_path) .. " (" .. tostring(err_msg) .. ")"
    end
    return diffs
  end
  if e.input_error then
    diffs[#diffs + 1] = "expected an input error"
      .. (e.input_error ~= true and (" at " .. tostring(e.input_error)) or "") .. ", got decision "
      .. tostring(r.decision)
  end
  if e.decision ~= nil and r.decision ~= e.decision then
    diffs[#diffs + 1] = "expected decision " .. tostring(e.decision) .. ", got "
      .. tostring(r.decision)
  end
  dose_diffs(e, r, diffs)
  list_diffs(e, r, diffs)
  return diffs
end

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

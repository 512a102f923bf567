--- `aza evaluate`: evaluate a patient against a protocol.
--
--     aza evaluate --protocol ID|FILE [--as-of DATE] [--format text|json|cards]
--                  [--input json|hl7v2] [--path DIR]... SOURCE... | -
--
-- Loads the protocol (a shipped id such as `ibd`, or a protocol file),
-- reads the patient (one or more sources, merged by `aza.input.sources`: patient
-- record JSON files, HL7 v2 message files, or `-` for stdin), evaluates it
-- (`aza.protocol`) and prints the result: in text (`aza.render.text`, the
-- default), as JSON with sorted keys (`aza.render.json`), or as a CDS Hooks
-- response body of cards (`aza.render.cards`).
--
-- Exit status: 0 for any decision (proceed, adjust, need_data, withhold,
-- contraindicated); 2 for bad input or usage (the message names the JSON
-- path of the field); 3 for a protocol that does not load (its errors as
-- `file:line: message`).
--
-- `--as-of DATE` replaces the record's `as_of`. `--path DIR` (repeatable)
-- is searched for protocol ids and `extends` instead of the default path.
-- `--cohort FILE.jsonl [--jobs N]` evaluates one patient per line (`aza.cli.cohort`).
--
-- @module aza.cli.evaluate

local cohort = require "aza.cli.cohort"
local sources = require "aza.input.sources"
local protocol = require "aza.protocol"

local io, ipairs, string = io, ipairs, string

local M = {}

--- One line for `aza help`.
M.summary = "evaluate a patient against a protocol (aza evaluate --protocol ID PATIENT)"

--- Usage text.
M.usage = "usage: aza evaluate --protocol ID|FILE [--as-of YYYY-MM-DD] [--format text|json|cards]\n"
  .. "                    [--input json|hl7v2] [--path DIR]... SOURCE...|-\n"
  .. "       (SOURCE: a patient record .json or HL7 v2 messages; several merge into one patient)\n"
  .. "       aza evaluate --protocol ID|FILE --cohort FILE.jsonl|- [--jobs N] [--format ...]\n"
  .. "                    (one patient per line in, one result per line out)\n"

local FORMATS = { text = "aza.render.text", json = "aza.render.json",
                  cards = "aza.render.cards" }

local VALUED = { ["--protocol"] = "protocol", ["-p"] = "protocol", ["--as-of"] = "as_of",
                 ["--format"] = "format", ["--path"] = "path", ["--cohort"] = "cohort",
                 ["--jobs"] = "jobs", ["-j"] = "jobs", ["--cohort-part"] = "part",
                 ["--cohort-spool"] = "spool", ["--input"] = "input" }

-- the options, or nil, message
local function parse(args)
  local o = { format = "text" }
  local i = 1
  while i <= #args do
    local a = args[i]
    local name, value = string.match(a, "^(%-%-[%w-]+)=(.*)$")
    name = name or a
    local key = VALUED[name]
    if key then
      if value == nil then
        i = i + 1
        value = args[i]
      end
      if value == nil then
        return nil, name .. " needs a value"
      end
      if key == "path" then
        o.path = o.path or {}
        o.path[#o.path + 1] = value
      else
        o[key] = value
      end
    elseif a == "-h" or a == "--help" then
      o.help = true
    elseif a == "-" or string.sub(a, 1, 1) ~= "-" then
      o.sources = o.sources or {}
      o.sources[#o.sources + 1] = a
      o.patient = o.patient or a
    else
      return nil, "unknown option '" .. a .. "'"
    end
    i = i + 1
  end
  return o
end

-- the patient argument for protocol:evaluate; stdin is read here
local function patient_input(o, env)
  if #o.sources == 1 and o.patient ~= "-" and not o.input then
    return o.patient
  end
  local list = {}
  for i, s in ipairs(o.sources) do
    if s == "-" then
      local text = (env.stdin or io.stdin):read("*a")
      if text == nil or not (string.match(text, "^%s*{") or sources.detect(text) == "hl7v2") then
        return nil, "patient (stdin): not a JSON object or HL7 v2 messages"
      end
      list[i] = { name = "stdin", text = text, input = o.input }
    else
      list[i] = { path = s, input = o.input }
    end
  end
  return #list == 1 and list[1].text and not o.input and list[1].text or list
end

-- what is wrong with the options, or nil
local function check(o)
  if o.cohort and o.patient then
    return "--cohort reads the patients from its file; no PATIENT argument as well ('"
      .. o.patient .. "')"
  elseif (o.jobs or o.part) and not o.cohort then
    return "--jobs goes with --cohort"
  elseif not o.protocol then
    return "--protocol is required"
  elseif not (o.patient or o.cohort) then
    return "no patient given (a JSON file, HL7 v2 messages, or - for stdin)"
  elseif o.input and not sources.is_input(o.input) then
    return "unknown input format '" .. o.input .. "' (json, hl7v2)"
  elseif not FORMATS[o.format] then
    return "unknown format '" .. o.format .. "' (text, json, cards)"
  elseif o.cohort then
    local ok, msg = cohort.check_options(o)
    if not ok then
      return msg
    end
  end
  return nil
end

--- Run `aza evaluate`.
-- @tparam {string,...} args the arguments after `evaluate`
-- @tparam table env `stdout`, `stderr` (and optionally `stdin`) file handles
-- @treturn integer exit status: 0 a decision, 2 bad input or usage, 3 bad protocol
function M.run(args, env)
  local o, err = parse(args)
  if not o then
    env.stderr:write("aza evaluate: ", err, "\n", M.usage)
    return 2
  end
  if o.help then
    env.stdout:write(M.usage)
    return 0
  end
  local bad = check(o)
  if bad then
    env.stderr:write("aza evaluate: ", bad, "\n", bad:find("^unknown format") and "" or M.usage)
    return 2
  end
  local p, msg = protocol.load(o.protocol, { path = o.path })
  if not p then
    env.stderr:write("aza evaluate: ", msg, "\n")
    return 3
  end
  if o.cohort then
    return cohort.run(o, env, p)
  end
  local x
  x, msg = patient_input(o, env)
  if not x then
    env.stderr:write("aza evaluate: ", msg, "\n")
    return 2
  end
  local result, emsg, code = p:evaluate(x, { as_of = o.as_of })
  if not result then
    env.stderr:write("aza evaluate: ", emsg, "\n")
    return code == "E_PROTOCOL" and 3 or 2
  end
  local text, rmsg = require(FORMATS[o.format]).render(result)
  if not text then
    env.stderr:write("aza evaluate: cannot render the result: ", rmsg, "\n")
    return 3
  end
  env.stdout:write(text)
  return 0
end

return M

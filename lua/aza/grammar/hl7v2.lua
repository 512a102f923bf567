--- HL7 version 2 messages (2.3 to 2.5.1, ER7 "pipe" encoding) → segments, fields,
-- repetitions, components and subcomponents (LPeg).
--
-- A text holds one or more messages, each starting with an `MSH` segment; segments end with
-- CR, LF or CRLF; MLLP framing (a leading VT 0x0B, a trailing FS 0x1C and CR) is stripped.
-- Each message takes its delimiters from its own MSH: MSH-1 the field separator (`|`),
-- MSH-2 the encoding characters (component `^`, repetition `~`, escape `\`, subcomponent
-- `&`, and in 2.7 a truncation character that is kept as text). Values are unescaped:
-- `\F\ \S\ \T\ \R\ \E\` (the delimiters), `\Xhh…\` (bytes in hex), `\.br\` (a line break);
-- the highlighting escapes `\H\ \N\` are dropped; any other escape is kept as written.
--
-- The result is plain data, numbered as HL7 numbers it (field 1 of MSH is the field
-- separator itself):
--
--     { messages = { { line = 1, delimiters = {field = "|", component = "^", ...},
--                      segments = { { id = "MSH", line = 1, fields = { [1] = "|", ... } },
--                                   { id = "OBX", line = 4, fields = { ... } } } } } }
--
-- A field is a list of repetitions; a repetition a list of components; a component a list of
-- subcomponents (strings). `value(segment, field, component, subcomponent, repetition)` reads
-- one string. Errors are values: `nil, message, "E_SYNTAX", {message = n, segment = i,
-- line = l}`; the message names the message, the segment and its line.
--
-- @module aza.grammar.hl7v2
-- @usage
-- local hl7 = require "aza.grammar.hl7v2"
-- local doc = assert(hl7.parse("MSH|^~\\&|LAB||||20261120||ORU^R01|1|P|2.5.1\r"
--   .. "OBX|1|NM|6690-2^WBC^LN||3.2|10*9/L|4.0-11.0|L|||F\r"))
-- print(hl7.value(doc.messages[1].segments[2], 3, 1))   --> 6690-2

local lpeg = require "lpeg"

local ipairs, string, tonumber, tostring, type =
  ipairs, string, tonumber, tostring, type

local C, Cs, Ct, P, R = lpeg.C, lpeg.Cs, lpeg.Ct, lpeg.P, lpeg.R

local M = {}

--- Longest text accepted, in bytes (a day of one laboratory's results is far less).
M.MAX_LENGTH = 8 * 1024 * 1024
--- Most segments in one text.
M.MAX_SEGMENTS = 100000

-- {=== lines: segments end with CR, LF or CRLF ===

local EOL = P "\r\n" + P "\r" + P "\n"
local LINES = Ct((C((1 - EOL) ^ 0) * EOL) ^ 0 * C((1 - EOL) ^ 1) ^ -1)

-- the text without MLLP framing: VT at the start of a message, FS (CR) at its end
local function unframe(text)
  text = string.gsub(text, "\28\r?", "\r")
  text = string.gsub(text, "\11", "")
  return text
end

-- }===

-- {=== values ===

local HEX = R("09", "af", "AF")

-- an unescaping pattern for one message's delimiters
local function unescaper(d)
  local e = P(d.escape)
  local function named(ch, out)
    return e * P(ch) * e / function()
      return out
    end
  end
  local hex = e * P "X" * C((HEX * HEX) ^ 1) * e / function(h)
    return (string.gsub(h, "..", function(x)
      return string.char(tonumber(x, 16))
    end))
  end
  local other = C(e * (1 - e) ^ 0 * e)
  local any = named("F", d.field) + named("S", d.component) + named("T", d.subcomponent)
    + named("R", d.repetition) + named("E", d.escape) + hex
    + e * P ".br" * e / function() return "\n" end
    + e * (P "H" + P "N") * e / function() return "" end
    + other
  return Cs((any + (1 - e)) ^ 0) * -1, e
end

-- split s by the one-character separator sep (plain), keeping empty parts
local function split(s, sep)
  local out, from = {}, 1
  while true do
    local i = string.find(s, sep, from, true)
    if not i then
      out[#out + 1] = string.sub(s, from)
      return out
    end
    out[#out + 1] = string.sub(s, from, i - 1)
    from = i + 1
  end
end

-- one field's text -> repetitions -> components -> subcomponents (unescaped);
-- nil, message for an escape that does not end
local function field_of(text, d, unescape)
  local reps = {}
  for r, rep in ipairs(split(text, d.repetition)) do
    local comps = {}
    for c, comp in ipairs(split(rep, d.component)) do
      local subs = {}
      for s, sub in ipairs(split(comp, d.subcomponent)) do
        local v = unescape:match(sub)
        if v == nil then
          return nil, "an escape sequence that does not end (" .. d.escape .. "…" .. d.escape
            .. ") in " .. string.format("%q", sub)
        end
        subs[s] = v
      end
      comps[c] = subs
    end
    reps[r] = comps
  end
  return reps
end

-- }===

-- {=== messages ===

-- the delimiters of an MSH line, or nil, message
local function delimiters(line)
  if #line < 8 then
    return nil, "MSH is too short to hold its delimiters (MSH-1 and MSH-2)"
  end
  local fs = string.sub(line, 4, 4)
  if string.find(fs, "[%w%s]") then
    return nil, "MSH-1 (the field separator) is " .. string.format("%q", fs)
      .. ": a printable character that is not a letter or digit"
  end
  local enc = string.match(line, "^MSH" .. "%" .. fs .. "([^%" .. fs .. "]*)")
  if not enc or #enc < 4 or #enc > 5 then
    return nil, "MSH-2 (the encoding characters) must be 4 or 5 characters, such as ^~\\&"
  end
  local d = { field = fs, component = string.sub(enc, 1, 1),
              repetition = string.sub(enc, 2, 2), escape = string.sub(enc, 3, 3),
              subcomponent = string.sub(enc, 4, 4), encoding = enc }
  local seen = { [fs] = true }
  for i = 1, 4 do
    local ch = string.sub(enc, i, i)
    if seen[ch] or string.find(ch, "[%w%s]") then
      return nil, "MSH-2 (the encoding characters) " .. string.format("%q", enc)
        .. " repeats a delimiter or uses a letter, digit or space"
    end
    seen[ch] = true
  end
  return d
end

-- one segment line of a message with delimiters d -> {id, line, fields}, or nil, message
local function segment_of(text, lineno, d, unescape)
  local parts = split(text, d.field)
  local id = parts[1]
  if not string.find(id, "^[A-Z][A-Z0-9][A-Z0-9]$") then
    return nil, "segment id " .. string.format("%q", string.sub(id, 1, 10))
      .. " is not three upper-case letters or digits (such as OBX)"
  end
  local seg = { id = id, line = lineno, fields = {} }
  local first = 2
  if id == "MSH" then
    -- MSH-1 is the field separator itself, MSH-2 the encoding characters, both as they are
    seg.fields[1] = { { { d.field } } }
    seg.fields[2] = { { { d.encoding } } }
    first = 3
  end
  for i = first, #parts do
    local n = id == "MSH" and i or i - 1
    local f, msg = field_of(parts[i], d, unescape)
    if not f then
      return nil, id .. "-" .. n .. ": " .. msg
    end
    seg.fields[n] = f
  end
  return seg
end

local function fail(msg, where)
  local at = ""
  if where.message then
    at = "message " .. where.message .. ", "
  end
  at = at .. (where.segment and ("segment " .. where.segment .. " ") or "")
    .. (where.id and ("(" .. where.id .. ") ") or "") .. "line " .. tostring(where.line)
  return nil, at .. ": " .. msg, "E_SYNTAX", where
end

--- Parse a text of HL7 v2 messages.
-- @tparam string text
-- @treturn table `{messages = {{line, delimiters, segments = {{id, line, fields}}}}}`
-- @return[2] nil, message (`message 2, segment 3 (OBX) line 9: …`), `"E_SYNTAX"`, the place
--   `{message, segment, id, line}`
function M.parse(text)
  if type(text) ~= "string" then
    return nil, "an HL7 v2 text must be a string, got " .. type(text), "E_SYNTAX", {}
  elseif #text > M.MAX_LENGTH then
    return nil, "HL7 v2 text of " .. #text .. " bytes, more than " .. M.MAX_LENGTH,
      "E_SYNTAX", {}
  end
  local lines = LINES:match(unframe(text))
  local doc, msg_, d, unescape = { messages = {} }, nil, nil, nil
  local count = 0
  for lineno, line in ipairs(lines) do
    if not string.find(line, "^%s*$") then
      count = count + 1
      if count > M.MAX_SEGMENTS then
        return fail("more than " .. M.MAX_SEGMENTS .. " segments", { line = lineno })
      end
      if string.sub(line, 1, 3) == "MSH" then
        local e
        d, e = delimiters(line)
        if not d then
          return fail(e, { message = #doc.messages + 1, segment = 1, id = "MSH",
                           line = lineno })
        end
        unescape = unescaper(d)
        msg_ = { line = lineno, delimiters = d, segments = {} }
        doc.messages[#doc.messages + 1] = msg_
      elseif not msg_ then
        return fail("the text must start with an MSH segment (got "
          .. string.format("%q", string.sub(line, 1, 10)) .. ")", { line = lineno })
      end
      local seg, e = segment_of(line, lineno, d, unescape)
      local where = { message = #doc.messages, segment = #msg_.segments + 1,
                      id = string.sub(line, 1, 3), line = lineno }
      if not seg then
        return fail(e, where)
      end
      msg_.segments[#msg_.segments + 1] = seg
    end
  end
  if #doc.messages == 0 then
    return nil, "no HL7 v2 message (no MSH segment)", "E_SYNTAX", {}
  end
  return doc
end

--- One value of a segment: field `f`, component `c` (default 1), subcomponent `s`
-- (default 1) of repetition `r` (default 1); "" when absent.
-- @tparam table seg a segment of `parse`
-- @tparam integer f
-- @tparam[opt] integer c
-- @tparam[opt] integer s
-- @tparam[opt] integer r
-- @treturn string
function M.value(seg, f, c, s, r)
  local field = seg.fields[f]
  local rep = field and field[r or 1]
  local comp = rep and rep[c or 1]
  return comp and comp[s or 1] or ""
end

--- The segments of a message with this id, in order.
-- @tparam table msg a message of `parse`
-- @tparam string id
-- @treturn {table,...}
function M.segments(msg, id)
  local out = {}
  for _, seg in ipairs(msg.segments) do
    if seg.id == id then
      out[#out + 1] = seg
    end
  end
  return out
end

--- The number of repetitions of a field (0 when absent or empty).
-- @tparam table seg
-- @tparam integer f
-- @treturn integer
function M.repetitions(seg, f)
  local field = seg.fields[f]
  if not field or (#field == 1 and M.value(seg, f) == "" and #field[1] == 1) then
    return 0
  end
  return #field
end

-- }===

M.split = split

return M

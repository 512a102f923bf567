--- Shared terminals of the aza grammars (LPeg).
--
-- Unanchored, composable patterns (style.md §5b, §7.7): callers anchor them
-- (`lexical.number * -1`). Numbers use `.` as the only decimal separator and
-- are converted with `aza.compat.tonumber`, which reads `.` whatever the C
-- locale (Lua 5.1's own `tonumber` follows it). No pattern here evaluates
-- anything or has side effects.
--
-- @module aza.grammar.lexical
-- @usage
-- local lex = require "aza.grammar.lexical"
-- print((lex.number * -1):match "3.5")        --> 3.5
-- print((lex.dotted_name * -1):match "alt.uln") --> alt.uln

local lpeg = require "lpeg"
local tonumber = require("aza.compat").tonumber -- "." whatever LC_NUMERIC says

local P, R, S, C, Cs = lpeg.P, lpeg.R, lpeg.S, lpeg.C, lpeg.Cs

local M = {}

--- One whitespace character (space, tab, CR, LF).
M.space = S " \t\r\n"
--- Optional whitespace.
M.ws = M.space ^ 0
--- A decimal digit.
M.digit = R "09"
--- A letter or underscore (identifier start).
M.alpha = R("az", "AZ") + P "_"
--- A letter, digit or underscore.
M.alnum = M.alpha + M.digit
--- End of a word: not followed by an identifier character.
M.word_end = -M.alnum

--- Reserved words of the condition language.
M.keywords = { ["and"] = true, ["or"] = true, ["not"] = true, ["in"] = true,
               ["true"] = true, ["false"] = true }

local kw = P "and" + P "or" + P "not" + P "in" + P "true" + P "false"
--- A reserved word as a whole word.
M.keyword = kw * M.word_end

-- identifier text without capture: not a reserved word
local ident_text = -M.keyword * M.alpha * M.alnum ^ 0
M.ident_text = ident_text
--- An identifier (captured text): `wbc`, `days_since`.
M.ident = C(ident_text)
--- Dotted name text without capture: `alt.uln`, `tpmt.activity.date`.
M.dotted_text = ident_text * (P "." * ident_text) ^ 0
--- A dotted name (captured text).
M.dotted_name = C(M.dotted_text)

--- Number text: optional minus, digits, optional `.digits`, optional exponent.
-- No leading `.` and no `,`: `0.5`, not `.5` or `0,5`.
M.number_text = P "-" ^ -1 * M.digit ^ 1 * (P "." * M.digit ^ 1) ^ -1
  * (S "eE" * S "+-" ^ -1 * M.digit ^ 1) ^ -1
--- A number, captured and converted with `tonumber`.
M.number = C(M.number_text) / tonumber

-- string body: escapes \" and \\ only; no raw control characters
local str_char = (P "\\" * C(S "\"\\")) / "%1" + (1 - S "\"\\" - R "\0\31")
--- The body of a double-quoted string (after the opening quote), captured
-- with escapes replaced; does not match the closing quote.
M.string_body = Cs(str_char ^ 0)
--- A double-quoted string literal, captured without quotes.
M.string = P '"' * M.string_body * P '"'

-- Unit text: a run of UCUM characters (plus the lab-alias characters `^`
-- and non-ASCII bytes such as µ), with [..] and {..} atoms and balanced
-- parentheses, so that `365 d)` stops before the `)`. Validity is decided
-- by the unit parser, not here.
local uplain = R("az", "AZ", "09") + S "./*^%_-+'" + R "\128\255"
local ubracket = P "[" * (1 - S "[]{}()" - M.space) ^ 0 * P "]"
local ubrace = P "{" * (1 - S "{}" - M.space) ^ 0 * P "}"
local ubody = P {
  "body",
  body = (uplain + ubracket + ubrace + lpeg.V "group") ^ 1,
  group = P "(" * lpeg.V "body" * P ")",
}
--- Unit candidate text: not a keyword, not `*`, not a lone `/`.
M.unit_text = -M.keyword * -P "*" * -(P "/" * (M.space + -P(1))) * ubody
--- A unit candidate (captured text).
M.unit = C(M.unit_text)

--- Convert number text with `tonumber` (never locale-dependent for `.`).
-- @tparam string text
-- @treturn number|nil
function M.tonumber(text)
  return tonumber(text)
end

return M

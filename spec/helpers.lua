-- busted helper (.busted `helper`): shared assertions for the specs.
--
-- assert.fails_with(code, text, ...): the values after `text` are a fail triple
-- `nil, message, code` whose code is `code` and whose message contains `text`
-- (plain substring; `nil` skips the check):
--   assert.fails_with("E_UNIT", "kgs", units.parse("kgs"))
local assert = require "luassert"
local say = require "say"

local function fails_with(_, args)
  local code, text = args[1], args[2]
  local v, msg, c = args[3], args[4], args[5]
  return v == nil and type(msg) == "string" and c == code
    and (text == nil or msg:find(text, 1, true) ~= nil)
end

say:set("assertion.fails_with.positive",
  "Expected the fail triple nil, message, code with code %s and a message"
  .. " containing %s.\nGot:\n%s\n%s\n%s")
say:set("assertion.fails_with.negative",
  "Expected anything but a fail triple with code %s and message %s.\nGot:\n%s\n%s\n%s")
assert:register("assertion", "fails_with", fails_with,
  "assertion.fails_with.positive", "assertion.fails_with.negative")

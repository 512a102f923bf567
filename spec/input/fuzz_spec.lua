-- Fuzzing the patient reader from Lua: the demo record's JSON mutated byte by byte
-- (deleted, repeated, replaced by JSON-significant or invalid bytes, spliced), then read and
-- evaluated. Each case must give a result or `nil, message, "E_INPUT"` — never a raised
-- error — and a result's JSON must be valid UTF-8. Deterministic (seed below), the same
-- cases on every interpreter; AZA_FUZZ_SEED and AZA_FUZZ_CASES change them.
local json = require "aza.input.json"
local protocol = require "aza.protocol"
local render = require "aza.render.json"

local SEED = tonumber(os.getenv("AZA_FUZZ_SEED") or "") or 20261202
local CASES = tonumber(os.getenv("AZA_FUZZ_CASES") or "") or 1500

local rng = require "spec.support.rng"

local PIECES = { "{", "}", "[", "]", ",", ":", '"', "\\", "0", "-", "1e999", "null", "true",
                 "\255", "\192\175", "\0", " ", '"weight"', '"70 kg"', '"labs"', "1.5",
                 '"unit": "mg"', '"value": -1', '"date": "1900-01-01"', "\239\187\191" }

describe("aza.input.patient under fuzzed JSON (" .. CASES .. " cases, seed " .. SEED .. ")",
  function()
  it("never raises; every result is valid UTF-8 JSON; every refusal is E_INPUT", function()
    local f = assert(io.open("examples/patients/ibd-new-start.json", "rb"))
    local base = f:read("*a")
    f:close()
    local ibd = assert(protocol.load("ibd"))
    local rand = rng(SEED)
    local results, refused = 0, 0
    for i = 1, CASES do
      local s = base
      for _ = 1, rand(4) do
        local at = rand(#s)
        local op = rand(4)
        if op == 1 then
          s = s:sub(1, at - 1) .. s:sub(at + rand(8))
        elseif op == 2 then
          s = s:sub(1, at) .. s:sub(at, at + rand(16)) .. s:sub(at + 1)
        else
          s = s:sub(1, at - 1) .. PIECES[rand(#PIECES)] .. s:sub(at + (op == 3 and 1 or 0))
        end
      end
      local ok, r, msg, code = pcall(ibd.evaluate, ibd, s, { as_of = "2026-11-21" })
      assert(ok, ("case %d raised: %s"):format(i, tostring(r)))
      if r then
        results = results + 1
        local text = assert(render.render(r))
        assert(json.invalid_utf8(text) == nil, ("case %d: result not UTF-8"):format(i))
      else
        refused = refused + 1
        assert(code == "E_INPUT", ("case %d: code %s: %s"):format(i, tostring(code),
          tostring(msg)))
        assert(type(msg) == "string" and not msg:find("lua/aza/", 1, true),
          ("case %d: %s"):format(i, tostring(msg)))
      end
    end
    print(("fuzz patient: %d results, %d refused"):format(results, refused))
    assert.is_true(results > 0 and refused > 0)
  end)
end)

-- Fuzzing the binding's description -> program step (aza.core.program) from Lua: the
-- description the compiler makes for spec/fixtures/eval/many_rules.lua, mutated (fields
-- dropped, values of the wrong type, huge and non-finite numbers, long strings, deep
-- nesting, swapped instructions), then built. Each must give a program, nil and a message,
-- or the binding's own "bad program description at …" error — never another error or a
-- crash — and a program must evaluate. The same mutations on every
-- interpreter; AZA_FUZZ_SEED and AZA_FUZZ_CASES change them.
local compile = require "aza.protocol.compile"
local core = require "aza.core"
local load = require "aza.protocol.load"

local SEED = tonumber(os.getenv("AZA_FUZZ_SEED") or "") or 20261202
local CASES = tonumber(os.getenv("AZA_FUZZ_CASES") or "") or 500

local rng = require "spec.support.rng"

local copy = require("aza.protocol.dsl").copy

local WEIRD = { 0, -1, 1e308, -1e308, 1 / 0, -1 / 0, 2 ^ 53, 2 ^ 31, 1.5, "", "x",
                ("y"):rep(5000), true, false, {}, { {} }, { 1, 2, 3 }, "str", "qty", "==",
                "or", "not", 65535, 4294967296 }

-- keys in a fixed order (pairs' order differs between interpreters)
local function sorted_keys(t)
  local keys = {}
  for k in pairs(t) do
    keys[#keys + 1] = k
  end
  table.sort(keys, function(a, b)
    if type(a) ~= type(b) then
      return type(a) < type(b)
    end
    return a < b
  end)
  return keys
end

-- the tables of a description, in a fixed order
local function tables_of(t, out, seen)
  out, seen = out or {}, seen or {}
  if seen[t] then
    return out
  end
  seen[t] = true
  out[#out + 1] = t
  for _, k in ipairs(sorted_keys(t)) do
    if type(t[k]) == "table" then
      tables_of(t[k], out, seen)
    end
  end
  return out
end

describe("aza.core.program under fuzzed descriptions (" .. CASES .. " cases, seed " .. SEED
  .. ")", function()
  it("never raises; what it accepts evaluates", function()
    local base = compile.describe(assert(load.load("spec/fixtures/eval/many_rules.lua")))
    local rand = rng(SEED)
    local built, refused = 0, 0
    for i = 1, CASES do
      local d = copy(base)
      for _ = 1, rand(3) do
        local all = tables_of(d)
        local t = all[rand(#all)]
        local keys = sorted_keys(t)
        if #keys > 0 then
          local k = keys[rand(#keys)]
          local op = rand(4)
          if op == 1 then
            t[k] = nil
          elseif op == 2 then
            t[k] = copy(WEIRD[rand(#WEIRD)])
          elseif op == 3 and type(t[k]) == "table" then
            t[k] = { t[k] } -- one level deeper
          else
            local k2 = keys[rand(#keys)]
            t[k], t[k2] = t[k2], t[k]
          end
        end
      end
      -- a malformed description is API misuse: the binding raises, with a message that
      -- says where (the compiler never makes one); anything else is a finding
      local ok, prog, msg = pcall(core.program, d)
      if not ok then
        assert(type(prog) == "string" and prog:find("^aza: bad program description")
          and not prog:find("lua/aza/", 1, true), ("case %d raised: %s"):format(i, tostring(prog)))
        refused = refused + 1
      elseif prog then
        built = built + 1
        local eok, r = pcall(prog.evaluate, prog, {})
        assert(eok, ("case %d: evaluate raised: %s"):format(i, tostring(r)))
        prog:close()
      else
        refused = refused + 1
        assert(type(msg) == "string" and msg ~= "", ("case %d: no message"):format(i))
      end
    end
    print(("fuzz program: %d built, %d refused"):format(built, refused))
    assert.is_true(refused > 0)
  end)
end)

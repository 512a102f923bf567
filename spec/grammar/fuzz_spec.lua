local compat = require "aza.compat"
-- Fuzz harness for the condition grammar: thousands of strings from a seeded
-- generator (grammar tokens, garbage bytes, mutations of valid conditions)
-- must each give an AST or an error triple, never a Lua error, within a
-- bounded time. Valid conditions generated from the grammar must parse and
-- survive a print/parse round trip.
local condition = require "aza.grammar.condition"

local units = dofile("spec/fixtures/protocols/units_stub.lua")

local SEED = tonumber(os.getenv("AZA_FUZZ_SEED") or "") or 20261121
local CASES = tonumber(os.getenv("AZA_FUZZ_CASES") or "") or 6000

-- a small deterministic generator (Park-Miller "minimal standard", 48271), independent
-- of math.random; exact in doubles, so the same cases on every interpreter
local function rng(seed)
  local state = seed % 2147483646 + 1
  local r = {}
  function r.next()
    state = state * 48271 % 2147483647
    return state
  end
  function r.int(n)
    return r.next() % n + 1
  end
  function r.pick(list)
    return list[r.int(#list)]
  end
  return r
end

local TOKENS = {
  "wbc", "alt.uln", "tpmt.phenotype", "pregnant", "x", "neutrophils", "a.b.c", "andrew",
  "3.5", "-1", "1e3", "0", "1e999", "3,5", ".5", "5.", "10*9/L", "mg", "Cel", "mgg",
  "mg/(kg.d)", "[arb'U]", "%", "d)", "{", "}", "(", ")", ",", '"', "\\", "'",
  "<", "<=", ">", ">=", "==", "!=", "=", "~=", "!", "&&", "||", "*", "/", "-", ".",
  "and", "or", "not", "in", "true", "false",
  '"poor"', '"a\\"b"', '"unterminated', '{"a", "b"}',
  "known(", "unknown(", "ratio(", "rise_percent(", "days_since(", "taking(\"x\")",
  " ", " ", " ", "\t", "\n", "µ", "≥", "\0",
}

local function garbage(r)
  local n = r.int(40) - 1
  local parts = {}
  for i = 1, n do
    if r.int(6) == 1 then
      parts[i] = string.char(r.int(256) - 1)
    else
      parts[i] = r.pick(TOKENS)
      if r.int(3) > 1 then
        parts[i] = parts[i] .. " "
      end
    end
  end
  return table.concat(parts)
end

-- {=== valid conditions from the grammar, printed fully parenthesised ===
local FACTS = { "wbc", "alt", "alt.uln", "tpmt.phenotype", "x", "y.z" }
local QTYS = { "3.5 10*9/L", "38 Cel", "2 mg", "1.5 mg/(kg.d)", "365 d", "30 %", "70 kg" }
local STRS = { '"poor"', '"a b"', '"x\\"y"', '""' }
local OPS = { "<", "<=", ">", ">=", "==", "!=" }

local gen_value, gen_cond

gen_value = function(r, depth)
  local k = r.int(depth > 3 and 5 or 7)
  if k == 1 then
    return r.pick(FACTS)
  elseif k == 2 then
    return r.pick(QTYS)
  elseif k == 3 then
    return tostring(r.int(1000) - 1)
  elseif k == 4 then
    return r.pick(STRS)
  elseif k == 5 then
    return r.pick { "days_since(wbc.date)", "ratio(a, b)", "rise_percent(creatinine, 365 d)" }
  elseif k == 6 then
    return gen_value(r, depth + 1) .. " " .. r.pick { "*", "/" } .. " " .. gen_value(r, depth + 1)
  end
  return "(" .. gen_value(r, depth + 1) .. ")"
end

gen_cond = function(r, depth)
  local k = r.int(depth > 4 and 4 or 8)
  if k == 1 then
    return gen_value(r, depth) .. " " .. r.pick(OPS) .. " " .. gen_value(r, depth)
  elseif k == 2 then
    return r.pick(FACTS) .. ' in {"a", "b"}'
  elseif k == 3 then
    return r.pick { "true", "false", "pregnant", 'taking("allopurinol")', "known(x)" }
  elseif k == 4 then
    return r.pick(FACTS) .. " " .. r.pick(OPS) .. " " .. r.pick(QTYS)
  elseif k == 5 then
    return "not " .. gen_cond(r, depth + 1)
  elseif k == 6 then
    return "(" .. gen_cond(r, depth + 1) .. ")"
  end
  return gen_cond(r, depth + 1) .. " " .. r.pick { "and", "or" } .. " " .. gen_cond(r, depth + 1)
end

local function mutate(r, s)
  local n = r.int(3)
  for _ = 1, n do
    local i = r.int(#s + 1)
    local op = r.int(3)
    if op == 1 then
      s = s:sub(1, i - 1) .. s:sub(i + 1)
    elseif op == 2 then
      s = s:sub(1, i - 1) .. r.pick(TOKENS) .. s:sub(i)
    else
      s = s:sub(1, i - 1) .. string.char(r.int(256) - 1) .. s:sub(i + 1)
    end
  end
  return s
end
-- }===

-- print an AST back as a fully parenthesised condition
local function show(n)
  local t = n.tag
  if t == "and" or t == "or" then
    return "(" .. show(n[1]) .. " " .. t .. " " .. show(n[2]) .. ")"
  elseif t == "not" then
    return "(not " .. show(n[1]) .. ")"
  elseif t == "cmp" then
    return "(" .. show(n.lhs) .. " " .. n.op .. " " .. show(n.rhs) .. ")"
  elseif t == "in" then
    local items = {}
    for i, s in ipairs(n.set) do
      items[i] = string.format("%q", s)
    end
    return "(" .. show(n.lhs) .. " in {" .. table.concat(items, ", ") .. "})"
  elseif t == "mul" or t == "div" then
    return "(" .. show(n[1]) .. (t == "mul" and " * " or " / ") .. show(n[2]) .. ")"
  elseif t == "bool" then
    return tostring(n.value)
  elseif t == "fact" then
    return n.name
  elseif t == "qty" then
    return n.text
  elseif t == "num" then
    return string.format("%.17g", n.value)
  elseif t == "str" then
    return '"' .. n.value:gsub("\\", "\\\\"):gsub('"', '\\"') .. '"'
  elseif t == "call" then
    local args = {}
    for i, a in ipairs(n.args) do
      args[i] = show(a)
    end
    return n.name .. "(" .. table.concat(args, ", ") .. ")"
  end
  error("unknown node " .. tostring(t))
end

local function shape(node)
  if type(node) ~= "table" then
    return node
  end
  local t = {}
  for k, v in pairs(node) do
    if k ~= "pos" and k ~= "text" then
      t[k] = shape(v)
    end
  end
  return t
end

-- every node is a known tag with a position inside the input, no error nodes
local TAGS = { ["and"] = true, ["or"] = true, ["not"] = true, cmp = true, ["in"] = true,
               bool = true, call = true, fact = true, qty = true, num = true, str = true,
               mul = true, div = true }
local function well_formed(node, len)
  if type(node) ~= "table" or not TAGS[node.tag] then
    return false
  end
  if not compat.is_integral(node.pos) or node.pos < 1 or node.pos > len then
    return false
  end
  for k, v in pairs(node) do
    if type(v) == "table" and k ~= "set" then
      if k == "args" then
        for _, a in ipairs(v) do
          if not well_formed(a, len) then
            return false
          end
        end
      elseif not well_formed(v, len) then
        return false
      end
    end
  end
  return true
end

-- one input: an AST or an error triple; returns the AST or nil and a problem
local function run_one(s)
  local ok, ast, msg, code, pos = pcall(condition.parse, s, units)
  if not ok then
    return nil, "raised: " .. tostring(ast)
  end
  if ast ~= nil then
    if msg ~= nil or not well_formed(ast, #s) then
      return nil, "malformed AST"
    end
    return ast
  end
  if type(msg) ~= "string" or code ~= "E_SYNTAX" or not compat.is_integral(pos)
      or pos < 1 or pos > math.max(#s + 1, condition.MAX_LENGTH + 1) then
    return nil, "bad error triple: " .. tostring(msg) .. " " .. tostring(code) .. " "
      .. tostring(pos)
  end
  if msg ~= "empty condition" and not msg:find(" at col " .. pos .. ": ", 1, true) then
    return nil, "message without its column: " .. msg
  end
  return nil
end

describe("aza.grammar.condition fuzz", function()
  it("gives an AST or an error for random token soup and garbage (seed " .. SEED .. ")",
    function()
      local r = rng(SEED)
      local start, worst = os.clock(), 0
      local parsed = 0
      for i = 1, CASES do
        local s = garbage(r)
        local t0 = os.clock()
        local ast, problem = run_one(s)
        worst = math.max(worst, os.clock() - t0)
        assert(problem == nil, ("case %d %q: %s"):format(i, s, tostring(problem)))
        if ast then
          parsed = parsed + 1
        end
      end
      assert.is_true(parsed > 0, "no random input parsed at all")
      assert.is_true(worst < 0.5, "slowest case took " .. worst .. " s")
      assert.is_true(os.clock() - start < 30)
    end)

  it("parses generated conditions and round-trips them (seed " .. SEED .. ")", function()
    local r = rng(SEED + 1)
    for i = 1, compat.idiv(CASES, 2) do
      local s = gen_cond(r, 0)
      local ast, msg = condition.parse(s, units)
      assert(ast, ("case %d %q: %s"):format(i, s, tostring(msg)))
      local printed = show(ast)
      local again, msg2 = condition.parse(printed, units)
      assert(again, ("case %d %q printed as %q: %s"):format(i, s, printed, tostring(msg2)))
      assert.same(shape(ast), shape(again))
    end
  end)

  it("survives mutations of valid conditions (seed " .. SEED .. ")", function()
    local r = rng(SEED + 2)
    for i = 1, CASES do
      local s = mutate(r, gen_cond(r, 0))
      local _, problem = run_one(s)
      assert(problem == nil, ("case %d %q: %s"):format(i, s, tostring(problem)))
    end
  end)

  it("handles long and deeply nested inputs in bounded time", function()
    local inputs = {
      ("(a and "):rep(300) .. "b" .. (")"):rep(300),
      ("not "):rep(500) .. "x",
      ("x < 1 and "):rep(399) .. "y",
      ("wbc < 3.5 10*9/L or "):rep(199) .. "z",
      ("("):rep(2000),
      ('"'):rep(3999),
      ("a"):rep(condition.MAX_LENGTH),
      ("{"):rep(1000) .. "}",
    }
    for _, s in ipairs(inputs) do
      local t0 = os.clock()
      local _, problem = run_one(s)
      assert(problem == nil, problem)
      assert.is_true(os.clock() - t0 < 1, "took " .. (os.clock() - t0) .. " s")
    end
  end)
end)

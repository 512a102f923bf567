--- The rule compiler: checked protocol AST → program description →
-- `aza.Program` (the C evaluator, csrc/core/aza_eval.h).
--
-- Input: a protocol table `{id, version, hash, rules = {…}, required = {…}}`
-- whose rules are `{id, when, action, cite, message, require, disabled}`.
-- `when` is a condition string (parsed with `aza.grammar.condition`) or its
-- AST (docs/internals/protocol-ast.md); a rule may also carry the AST as
-- `ast` or `condition`. `action` is one action table or a list of them.
-- `required` lists fact names that must be known before a decision, and
-- a rule with `require = true` asks for the facts it read when its
-- condition is unknown (both give `need_data`).
--
-- What the compiler decides (the evaluator only compares doubles):
--
-- * Every number is converted at compile time into the unit of the value it
--   is compared with: the fact's reference unit from the catalogue
--   (`aza.protocol.facts`), `d` for `days_since`, `wk` for `weeks_since`, `%`
--   for `rise_percent`, `1` for `ratio`. A bare number is read in the unit of
--   the other side. Two facts of the same dimension in different units are
--   brought together by a constant factor (`const f, mul`).
-- * A fact with no reference unit (`tpmt.activity`) gets one slot per unit
--   it is compared in; the patient value is converted into each.
-- * `taking`, `planned`, `has`, `allergic`, `ancestry` test each set fact the
--   catalogue lists for them (`reads`), joined with Kleene `or`.
-- * `rise_percent(fact, window)` reads a separate *series* slot of the
--   fact, filled with every dated reading (`aza.protocol.evaluate`); the
--   window becomes a constant in days; the C evaluator finds the lowest and
--   the latest reading in the window.
-- * Dose modifiers (`reduce`, `cap`, `set_dose`) are applied neither here
--   nor in C: the evaluation result lists them in rule order for the dose
--   maths (`aza.dose`).
--
-- The program description (the input of `aza.core.program`):
--
--     { id, version, hash,
--       slots = { {type = "num"|"str"|"bool"|"set"|"date"|"series", name = FACT}, … },
--       required = { SLOT, … },
--       rules = { { id, cite, require, code = { {OP, X, Y}, … }, actions = { … } }, … } }
--
-- `code` is postfix: `{"num", SLOT}`, `{"const", X}`, `{"cmp", "<"}`,
-- `{"str", SLOT}`, `{"sconst", S}`, `{"scmp", "=="}`, `{"bool", SLOT}`,
-- `{"truth", true|false|"unknown"}`, `{"tcmp", "=="}`, `{"in", {S, …}}`,
-- `{"and"}`, `{"or"}`, `{"not"}`, `{"known", SLOT}`, `{"unknown", SLOT}`,
-- `{"set_has", SLOT, S}`, `{"days_since", SLOT}`, `{"weeks_since", SLOT}`,
-- `{"mul"}`, `{"div"}`, `{"ratio"}`, `{"rise_percent", SLOT}` (window in d on
-- the stack). Slots are 1-based.
--
-- @module aza.protocol.compile
-- @usage
-- local compile = require "aza.protocol.compile"
-- local compiled = assert(compile.compile {
--   id = "demo", version = "1",
--   rules = { { id = "low-wbc", when = "wbc < 3.5 10*9/L", action = { type = "withhold" } } },
-- })
-- print(compiled.program)   --> aza.Program: demo 1 (1 rules)

local condition = require "aza.grammar.condition"
local catalogue = require "aza.protocol.facts"
local units = require "aza.units"

local error, getmetatable, ipairs, math, pairs, pcall, require, setmetatable, table, tostring,
  type = error, getmetatable, ipairs, math, pairs, pcall, require, setmetatable, table, tostring,
  type

local M = {}

-- catalogue types → C slot types
local CTYPE = { quantity = "num", string = "str", boolean = "bool", set = "set", date = "date" }

local CMP_OPS = { ["<"] = true, ["<="] = true, [">"] = true, [">="] = true, ["=="] = true,
                  ["!="] = true }

-- {=== errors: raised inside the compiler, returned by its entry points ===

local Failure = {}
Failure.__index = Failure

local function fail(node, msg)
  error(setmetatable({ msg = msg, pos = type(node) == "table" and node.pos or nil }, Failure), 0)
end

-- }===

-- {=== units ===

-- value in `from` converted to `to`; raises a compile error
local function convert(node, value, from, to)
  if from == nil or to == nil or from == to then
    return value
  end
  local v, msg = units.convert(value, from, to)
  if v == nil then
    fail(node, msg)
  end
  return v
end

local function is_one(u)
  return u == nil or u == "1"
end

local function unit_mul(a, b)
  if is_one(a) then
    return b
  elseif is_one(b) then
    return a
  end
  return "(" .. a .. ").(" .. b .. ")"
end

local function unit_div(a, b)
  if is_one(b) then
    return a
  elseif a == b then
    return "1"
  elseif is_one(a) then
    return "/(" .. b .. ")"
  end
  return "(" .. a .. ")/(" .. b .. ")"
end

-- }===

-- {=== the compiler state ===

local Compiler = {}
Compiler.__index = Compiler

local function new_compiler()
  return setmetatable({
    slots = {},    -- description slots
    meta = {},     -- per slot: {fact, type, unit, series}
    slot_of = {},  -- key → slot
  }, Compiler)
end

-- the slot for `key`, created on first use
function Compiler:slot(key, fact, ctype, unit)
  local s = self.slot_of[key]
  if s then
    return s
  end
  s = #self.slots + 1
  self.slots[s] = { type = ctype, name = fact }
  self.meta[s] = { fact = fact, type = ctype, unit = unit, key = key,
                   per_unit = catalogue.get(fact) ~= nil and ctype == "num"
                     and catalogue.get(fact).unit == nil or nil }
  self.slot_of[key] = s
  return s
end

local function entry_of(node)
  local e = catalogue.get(node.name)
  if not e then
    fail(node, "unknown fact '" .. tostring(node.name) .. "'")
  end
  return e
end

-- the value slot of a fact; for a fact without reference unit, per unit
function Compiler:fact_slot(node, unit)
  local e = entry_of(node)
  local ctype = CTYPE[e.type]
  if e.type == "quantity" and e.unit == nil then
    return self:slot(e.name .. "@" .. (unit or ""), e.name, "num", unit), unit
  end
  return self:slot(e.name, e.name, ctype, e.unit), e.unit
end

-- }===

-- {=== values: {kind = "num"|"str"|"truth"|"qconst"|"sconst", unit, code} ===
-- "qconst" (a number still in its own unit, cunit nil for a bare number)
-- and "sconst" wait for their context; "num" with `method` is a fact
-- without reference unit whose slot waits for the unit it is compared in.

local function append(dst, src)
  for _, x in ipairs(src) do
    dst[#dst + 1] = x
  end
  return dst
end

function Compiler:value(node)
  local tag = node.tag
  if tag == "num" then
    return { kind = "qconst", value = node.value, node = node }
  elseif tag == "qty" then
    return { kind = "qconst", value = node.value, cunit = node.unit, node = node }
  elseif tag == "str" then
    return { kind = "sconst", value = node.value, node = node }
  elseif tag == "bool" then
    return { kind = "truth", code = { { "truth", node.value } }, node = node }
  elseif tag == "fact" then
    local e = entry_of(node)
    if e.type == "quantity" then
      if e.unit == nil then
        return { kind = "num", method = e.name, node = node }
      end
      return { kind = "num", unit = e.unit, code = { { "num", (self:fact_slot(node)) } },
               node = node }
    elseif e.type == "string" then
      return { kind = "str", code = { { "str", (self:fact_slot(node)) } }, node = node }
    elseif e.type == "boolean" then
      return { kind = "truth", code = { { "bool", (self:fact_slot(node)) } }, node = node }
    end
    fail(node, "a " .. e.type .. " fact ('" .. e.name .. "') cannot be used as a value here")
  elseif tag == "mul" or tag == "div" then
    return self:arith(node)
  elseif tag == "call" then
    return self:value_call(node)
  end
  return { kind = "truth", code = self:bool(node), node = node }
end

-- bring a numeric value into `unit`: its code, now of kind "num"
function Compiler:finish_num(v, unit)
  if v.kind == "qconst" then
    return { { "const", convert(v.node, v.value, v.cunit, unit) } }
  elseif v.method then
    if unit == nil then
      fail(v.node, "'" .. v.method .. "' has no reference unit: compare it with a quantity")
    end
    return { { "num", (self:fact_slot(v.node, unit)) } }
  elseif v.kind ~= "num" then
    fail(v.node, "a number or quantity expected")
  end
  local code = append({}, v.code)
  if unit ~= nil and v.unit ~= nil and unit ~= v.unit then
    local f = convert(v.node, 1, v.unit, unit)
    if f ~= 1 then
      append(code, { { "const", f }, { "mul" } })
    end
  end
  return code
end

-- the unit two numeric values are compared or combined in
local function common_unit(a, b)
  if a.kind ~= "qconst" and not a.method then
    return a.unit
  elseif b.kind ~= "qconst" and not b.method then
    return b.unit
  elseif a.kind == "qconst" and a.cunit then
    return a.cunit
  elseif b.kind == "qconst" then
    return b.cunit
  end
  return nil
end

-- two constants: one constant
local function fold(node, a, b, mul)
  local v = mul and a.value * b.value or a.value / b.value
  if v ~= v or v == math.huge or v == -math.huge then
    fail(node, "constant arithmetic is not finite")
  end
  local cu = mul and unit_mul(a.cunit, b.cunit) or unit_div(a.cunit, b.cunit)
  return { kind = "qconst", value = v, cunit = not is_one(cu) and cu or nil, node = node }
end

function Compiler:arith(node)
  local a, b = self:value(node[1]), self:value(node[2])
  for _, v in ipairs { a, b } do
    if v.kind ~= "num" and v.kind ~= "qconst" then
      fail(v.node, "arithmetic needs numbers or quantities")
    end
  end
  if a.method or b.method then
    fail(node, "a fact without reference unit cannot take part in arithmetic")
  end
  local mul = node.tag == "mul"
  if a.kind == "qconst" and b.kind == "qconst" then
    return fold(node, a, b, mul)
  end
  local ua = a.kind == "qconst" and a.cunit or a.unit
  local ub = b.kind == "qconst" and b.cunit or b.unit
  local code = append(self:finish_num(a, ua), self:finish_num(b, ub))
  code[#code + 1] = { mul and "mul" or "div" }
  return { kind = "num", unit = mul and unit_mul(ua, ub) or unit_div(ua, ub), code = code,
           node = node }
end

function Compiler:date_arg(node, fname)
  local arg = node.args and node.args[1]
  if not arg or arg.tag ~= "fact" or entry_of(arg).type ~= "date" then
    fail(arg or node, fname .. "() takes a date fact")
  end
  return (self:fact_slot(arg))
end

function Compiler:value_call(node)
  local name, args = node.name, node.args or {}
  if name == "days_since" or name == "weeks_since" then
    return { kind = "num", unit = name == "days_since" and "d" or "wk",
             code = { { name, self:date_arg(node, name) } }, node = node }
  elseif name == "ratio" then
    if #args ~= 2 then
      fail(node, "ratio() takes two values")
    end
    local a, b = self:value(args[1]), self:value(args[2])
    local u = common_unit(a, b)
    local code = append(self:finish_num(a, u), self:finish_num(b, u))
    code[#code + 1] = { "ratio" }
    return { kind = "num", unit = "1", code = code, node = node }
  elseif name == "rise_percent" then
    local f, w = args[1], args[2]
    if not f or f.tag ~= "fact" or not entry_of(f).series then
      fail(f or node, "rise_percent() takes a lab test")
    end
    if not w or w.tag ~= "qty" then
      fail(w or node, "rise_percent() takes a window such as 365 d")
    end
    local e = entry_of(f)
    local s = self:slot(e.name .. "#series", e.name, "series", e.unit)
    return { kind = "num", unit = "%", node = node,
             code = { { "const", convert(w, w.value, w.unit, "d") }, { "rise_percent", s } } }
  end
  return { kind = "truth", code = self:bool(node), node = node }
end

-- }===

-- {=== conditions: code leaving one truth value ===

local function string_code(v)
  if v.kind == "sconst" then
    return { { "sconst", v.value } }
  end
  return v.code
end

function Compiler:cmp(node)
  local op = node.op
  if not CMP_OPS[op] then
    fail(node, "unknown comparison '" .. tostring(op) .. "'")
  end
  local a, b = self:value(node.lhs), self:value(node.rhs)
  local sa = a.kind == "str" or a.kind == "sconst"
  local sb = b.kind == "str" or b.kind == "sconst"
  if sa or sb then
    if not (sa and sb) then
      fail(node, "a string can only be compared with a string")
    end
    if op ~= "==" and op ~= "!=" then
      fail(node, "strings compare with == and != only")
    end
    if a.kind == "sconst" and b.kind == "sconst" then
      return { { "truth", (a.value == b.value) == (op == "==") } }
    end
    return append(append(string_code(a), string_code(b)), { { "scmp", op } })
  end
  if a.kind == "truth" or b.kind == "truth" then
    if a.kind ~= b.kind then
      fail(node, "a truth value can only be compared with a truth value")
    end
    if op ~= "==" and op ~= "!=" then
      fail(node, "truth values compare with == and != only")
    end
    return append(append(append({}, a.code), b.code), { { "tcmp", op } })
  end
  local u = common_unit(a, b)
  return append(append(self:finish_num(a, u), self:finish_num(b, u)), { { "cmp", op } })
end

function Compiler:bool_call(node)
  local name, args = node.name, node.args or {}
  local fn = catalogue.functions[name]
  if not fn then
    fail(node, "unknown function '" .. tostring(name) .. "'")
  end
  if name == "known" or name == "unknown" then
    local arg = args[1]
    if not arg or arg.tag ~= "fact" then
      fail(arg or node, name .. "() takes a fact")
    end
    local e = entry_of(arg)
    local s = e.type == "quantity" and e.unit == nil and self:fact_slot(arg, nil)
      or self:fact_slot(arg)
    return { { name, s } }
  elseif fn.reads then
    local arg = args[1]
    if not arg or arg.tag ~= "str" then
      fail(arg or node, name .. "() takes a string")
    end
    local code = {}
    for i, set in ipairs(fn.reads) do
      local s = self:slot(set, set, "set", nil)
      code[#code + 1] = { "set_has", s, arg.value }
      if i > 1 then
        code[#code + 1] = { "or" }
      end
    end
    return code
  end
  fail(node, name .. "() is not a condition")
end

function Compiler:bool(node)
  if type(node) ~= "table" then
    fail(nil, "condition node expected")
  end
  local tag = node.tag
  if tag == "and" or tag == "or" then
    return append(append(self:bool(node[1]), self:bool(node[2])), { { tag } })
  elseif tag == "not" then
    return append(self:bool(node[1]), { { "not" } })
  elseif tag == "cmp" then
    return self:cmp(node)
  elseif tag == "in" then
    local v = self:value(node.lhs)
    if v.kind ~= "str" and v.kind ~= "sconst" then
      fail(node, "'in' tests a string")
    end
    return append(string_code(v), { { "in", node.set } })
  elseif tag == "bool" then
    return { { "truth", node.value } }
  elseif tag == "fact" then
    local e = entry_of(node)
    if e.type ~= "boolean" then
      fail(node, "'" .. e.name .. "' is a " .. e.type .. " fact, not a condition")
    end
    return { { "bool", (self:fact_slot(node)) } }
  elseif tag == "call" then
    return self:bool_call(node)
  end
  fail(node, "not a condition (" .. tostring(tag) .. ")")
end

-- }===

-- {=== actions ===

local ACTION_WORDS = { proceed = true, contraindicate = true, withhold = true }

local function days_of(node, x)
  if x == nil or type(x) == "number" then
    return x
  end
  local q = require "aza.quantity"
  local v, msg = q.coerce(x)
  if not v then
    fail(node, "monitor interval: " .. tostring(msg))
  end
  local d, msg2 = v:value_in("d")
  if not d then
    fail(node, "monitor interval: " .. tostring(msg2))
  end
  return d
end

-- DSL action → description action
local function describe_action(rule, a)
  if type(a) == "string" and ACTION_WORDS[a] then
    a = { type = a }
  end
  if type(a) ~= "table" or type(a.type) ~= "string" then
    fail(nil, "rule '" .. tostring(rule.id) .. "': bad action")
  end
  local t = a.type
  if t == "alert" then
    return { type = "alert", kind = a.kind, severity = a.severity,
             message = a.message or rule.message }
  elseif t == "monitor" then
    return { type = "monitor", tests = a.tests, every_days = days_of(nil, a.every),
             weeks = a.weeks }
  elseif t == "counsel" then
    return { type = "counsel", text = a.text or a[1] }
  end
  local d = {}
  for k, v in pairs(a) do
    d[k] = v
  end
  return d
end

local function actions_of(rule)
  local a = rule.action or rule.actions
  if a == nil then
    return {}
  end
  if type(a) == "string" or (type(a) == "table" and a.type ~= nil) then
    a = { a }
  end
  return a
end

-- }===

-- {=== entry points ===

local function rule_ast(rule)
  local w = rule.ast or rule.condition or rule.when
  if type(w) == "table" then
    return w
  elseif type(w) == "string" then
    local ast, msg = condition.parse(w)
    if not ast then
      fail(nil, msg)
    end
    return ast
  end
  fail(nil, "rule '" .. tostring(rule.id) .. "' has no condition")
end

local function describe(protocol)
  local c = new_compiler()
  local desc = { id = protocol.id, version = protocol.version, hash = protocol.hash,
                 slots = c.slots, required = {}, rules = {} }
  local rules = {}
  for _, name in ipairs(protocol.required or {}) do
    local e = catalogue.get(name)
    if not e then
      fail(nil, "required fact '" .. tostring(name) .. "' is unknown")
    end
    local s = c:fact_slot({ name = name }, nil)
    desc.required[#desc.required + 1] = s
  end
  for _, rule in ipairs(protocol.rules or {}) do
    if not rule.disabled then
      local ok, code = pcall(function()
        return c:bool(rule_ast(rule))
      end)
      if not ok then
        if getmetatable(code) == Failure then
          code.rule = rule.id
        end
        error(code, 0)
      end
      local actions, dacts = actions_of(rule), {}
      for i, a in ipairs(actions) do
        dacts[i] = describe_action(rule, a)
      end
      local cite = rule.cite
      if type(cite) == "table" then -- a list of keys: one string for C
        cite = table.concat(cite, ",")
      end
      desc.rules[#desc.rules + 1] = { id = rule.id, cite = cite, code = code,
                                      actions = dacts,
                                      require = rule.require and true or false }
      rules[#rules + 1] = { id = rule.id, cite = rule.cite, message = rule.message,
                            actions = dacts, source = rule }
    end
  end
  return desc, c.meta, rules
end

--- Compile a protocol into a program description (no C involved).
-- @tparam table protocol see the module description
-- @treturn table the description for `aza.core.program`
-- @treturn table slot metadata: per slot `{fact, type, unit, key}`
-- @treturn table rules: per compiled rule `{id, cite, message, actions, source}`
-- @return[2] nil
-- @treturn[2] string message (`rule 'id': at col N: …`)
-- @treturn[2] string `"E_COMPILE"`
function M.describe(protocol)
  local ok, desc, meta, rules = pcall(describe, protocol)
  if not ok then
    local e = desc
    if getmetatable(e) ~= Failure then
      error(e, 0)
    end
    local msg = e.msg
    if e.pos then
      msg = "at col " .. e.pos .. ": " .. msg
    end
    if e.rule then
      msg = "rule '" .. tostring(e.rule) .. "': " .. msg
    end
    return nil, msg, "E_COMPILE"
  end
  return desc, meta, rules
end

--- Compile a protocol into an `aza.Program`.
-- @tparam table protocol see the module description
-- @treturn table `{program, description, slots, rules, protocol = {id, version, hash},
--   references}`
-- @return[2] nil
-- @treturn[2] string message
-- @treturn[2] string code (`"E_COMPILE"`, or the core's code when it rejects
--   the program, such as `"E_ARG"`)
function M.compile(protocol)
  local desc, meta, rules = M.describe(protocol)
  if not desc then
    return nil, meta, rules
  end
  local core = require "aza.core"
  local program, msg, code = core.program(desc)
  if not program then
    return nil, msg, code
  end
  return {
    program = program,
    description = desc,
    slots = meta,
    rules = rules,
    protocol = { id = protocol.id, version = protocol.version, hash = protocol.hash },
    references = protocol.references,
  }
end

-- }===

return M

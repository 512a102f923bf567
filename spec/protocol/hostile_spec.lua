-- The hostile corpus (spec/fixtures/hostile/): protocol scripts an attacker or a careless
-- author might write. Each file says what its message must hold (`-- expect: fragment | …`,
-- any one of them); every one must be refused as `nil, message, "E_PROTOCOL"` — never raised, no
-- position inside aza's own files, no traceback, no table address — and quickly. `make test`
-- runs this on Lua 5.1, LuaJIT 2.1, 5.3 and 5.4 with the same expectations.
local compat = require "aza.compat"
local protocol = require "aza.protocol"

local DIR = "spec/fixtures/hostile/"
-- a short deadline, so the cases the deadline stops do not take 2 s each
local OPTS = { cpu_ms = 600 }
local EXTRA = { ["bytecode.bin"] = "attempt to load a binary chunk" }

local function files()
  local list = {}
  local p = assert(io.popen("ls -1 " .. DIR))
  for name in p:lines() do
    list[#list + 1] = name
  end
  p:close()
  table.sort(list)
  return list
end

local function expectation(name)
  if EXTRA[name] then
    return { EXTRA[name] }
  end
  local f = assert(io.open(DIR .. name, "rb"))
  local text = f:read("*a")
  f:close()
  local line = assert(text:match("%-%- expect: ([^\n]+)"), name .. " has no expect line")
  local parts = {}
  for part in line:gmatch("[^|]+") do
    parts[#parts + 1] = part:match("^%s*(.-)%s*$")
  end
  return parts
end

describe("hostile protocols on " .. compat.interpreter, function()
  it("the corpus has its cases", function()
    assert.is_true(#files() >= 20)
  end)

  for _, name in ipairs(files()) do
    it(name, function()
      local fragments = expectation(name)
      local t0 = os.clock()
      local res = compat.pack(pcall(protocol.load, DIR .. name, OPTS))
      assert.is_true(res[1], "raised: " .. tostring(res[2]))
      local p, msg, c = res[2], res[3], res[4]
      assert.is_nil(p, name .. " loaded")
      assert.equal("E_PROTOCOL", c, msg)
      local found = false
      for _, f in ipairs(fragments) do
        found = found or msg:find(f, 1, true) ~= nil
      end
      assert.is_true(found, msg)
      assert.is_truthy(msg:find(DIR .. name, 1, true), msg)
      assert.is_nil(msg:find("lua/aza/", 1, true), msg)
      assert.is_nil(msg:find("traceback", 1, true), msg)
      assert.is_nil(msg:find("0x%x%x%x%x"), msg)
      assert.is_nil(msg:find("\27", 1, true), "raw ESC in the message")
      assert.is_true(os.clock() - t0 < 5, name .. " took " .. (os.clock() - t0) .. " s")
    end)
  end

  -- protocols made here: big, so not in the corpus; each walk over them must be linear
  local function written(lines)
    local name = os.tmpname() .. ".lua"
    local f = assert(io.open(name, "wb"))
    f:write(table.concat(lines, "\n"), "\n")
    f:close()
    return name
  end

  it("500 rules citing 2000 references load in well under a second of work", function()
    local lines = { 'return protocol "big" {', '  version = "1",', '  extends = "ibd",',
                    "  references = {" }
    for i = 1, 2000 do
      lines[#lines + 1] = ('    r%d = "Ref %d",'):format(i, i)
    end
    lines[#lines + 1] = "  },"
    lines[#lines + 1] = "  rules = {"
    for i = 1, 500 do
      lines[#lines + 1] = ('    rule "x%d" { when = "wbc < 3 10*9/L", action = withhold, '
        .. 'cite = "r%d" },'):format(i, i)
    end
    lines[#lines + 1] = "  },"
    lines[#lines + 1] = "}"
    local name = written(lines)
    local t0 = os.clock()
    local p = protocol.load(name)
    local took = os.clock() - t0
    os.remove(name)
    assert.is_truthy(p)
    assert.is_true(took < 3, "took " .. took .. " s")
  end)

  it("3000 unknown parameter keys: one message of at most 51 lines, quickly", function()
    local lines = { 'return protocol "keys" {', '  version = "1",', '  extends = "ibd",',
                    "  parameters = { dose = {" }
    for i = 1, 3000 do
      lines[#lines + 1] = ("    k%d = %d,"):format(i, i)
    end
    lines[#lines + 1] = "    mg_per_kg_per_day = 2, band = { 2, 2.5 } } },"
    lines[#lines + 1] = "}"
    local name = written(lines)
    local t0 = os.clock()
    local p, msg, code, errors = protocol.load(name)
    local took = os.clock() - t0
    os.remove(name)
    assert.is_nil(p)
    assert.equal("E_PROTOCOL", code)
    assert.equal(3000, #errors)
    local n = select(2, msg:gsub("\n", "")) + 1
    assert.equal(51, n)
    assert.is_truthy(msg:find("(2950 more errors not shown)", 1, true))
    assert.is_true(took < 3, "took " .. took .. " s")
  end)

  it("leaks nothing: loading the whole corpus again leaves the heap where it was", function()
    local function all()
      for _, name in ipairs(files()) do
        protocol.load(DIR .. name, OPTS)
      end
    end
    all() -- the first round may fill caches (the unit cache, interned strings)
    collectgarbage("collect")
    collectgarbage("collect")
    local before = collectgarbage("count")
    all()
    collectgarbage("collect")
    collectgarbage("collect")
    local grew = collectgarbage("count") - before
    assert.is_true(grew < 256, ("the heap grew by %.0f KB"):format(grew))
  end)

  it("leaves nothing behind: a good protocol loads after them all", function()
    local p = assert(protocol.load("ibd"))
    assert.equal("ibd", p.id)
  end)
end)

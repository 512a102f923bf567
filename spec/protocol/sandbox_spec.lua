-- The protocol sandbox: every known escape fails with a clear error; limits
-- hold, reset on each run, and leave the host as it was. `make test` runs this
-- file on Lua 5.1, LuaJIT 2.1, 5.3 and 5.4 with the same expectations.
local compat = require "aza.compat"
local sandbox = require "aza.protocol.sandbox"

local BUDGET = 2000000
local MEMORY = 8 * 1024 * 1024

local function run(src, opts)
  opts = opts or {}
  opts.budget = opts.budget or BUDGET
  opts.memory = opts.memory or MEMORY
  return sandbox.run(src, "@proto.lua", opts)
end

-- assert a failed run: code and a message fragment
local function fails(code, text, ok, msg, c)
  assert.is_nil(ok, "the script ran: " .. tostring(msg))
  assert.equal(code, c, msg)
  assert.is_truthy(msg:find(text, 1, true), msg)
  return msg
end

describe("aza.protocol.sandbox", function()
  describe("run()", function()
    it("runs a script and returns its results", function()
      assert.same({ true, 3, "x" }, { run("return 1 + 2, 'x'") })
    end)

    it("gives the script the names it is given", function()
      local ok, v = run("return answer * 2", { names = { answer = 21 } })
      assert.is_true(ok)
      assert.equal(42, v)
    end)

    it("reports syntax errors with file and line (E_SYNTAX)", function()
      fails("E_SYNTAX", "proto.lua:2:", run("local x = 1\nreturn x +"))
    end)

    it("reports runtime errors with file and line (E_SCRIPT)", function()
      fails("E_SCRIPT", "proto.lua:3: boom", run("local x = 1\n\nerror('boom')"))
      fails("E_SCRIPT", "(error object is a table value)", run("error({})"))
    end)
  end)

  describe("escapes", function()
    it("string.dump + load of bytecode", function()
      fails("E_SCRIPT", "string.dump is not available in protocols",
        run("return load(string.dump(function() return 1 end))"))
      -- a binary chunk from elsewhere is refused by the text-only load
      local msg = fails("E_SCRIPT", "binary chunk",
        run("local f, e = load('\\27LuaT\\0\\25\\147\\r\\n\\26\\n') assert(f == nil) error(e)"))
      assert.is_truthy(msg:find("proto.lua:1:", 1, true), msg)
    end)

    it("a binary chunk from a reader function", function()
      -- 5.1 has no mode argument: aza checks the first byte the reader gives
      fails("E_SCRIPT", "binary chunk", run([[
        local parts = { '\27Lua', 'Q\0' }
        local i = 0
        local f, e = load(function() i = i + 1 return parts[i] end)
        assert(f == nil) error(e)]]))
      assert.same({ true, 7 }, { run([[
        local parts = { 'return ', '3 + 4' }
        local i = 0
        return load(function() i = i + 1 return parts[i] end)()]]) })
    end)

    it("a binary chunk given to the sandbox itself", function()
      fails("E_SYNTAX", "binary chunk", sandbox.run("\27LuaQ\0\1\4", "@proto.lua"))
      fails("E_SYNTAX", "binary chunk", sandbox.run("\27LJ\2", "@proto.lua"))
    end)

    it("the 5.1 and LuaJIT names: setfenv, getfenv, newproxy, jit, ffi, bit", function()
      for _, name in ipairs { "setfenv", "getfenv", "newproxy", "gcinfo", "jit", "ffi", "bit",
                              "module", "loadstring" } do
        fails("E_SCRIPT", "'" .. name .. "' is not available in protocols",
          run("return " .. name))
      end
    end)

    it("a function's environment cannot be reached through another function", function()
      -- 5.1/LuaJIT: functions carry environments; 5.2+: _ENV is an upvalue
      fails("E_SCRIPT", "'setfenv' is not available", run("setfenv(1, {})"))
      fails("E_SCRIPT", "'getfenv' is not available", run("return getfenv(print)"))
      assert.same({ true, "table" }, { run("return type(_G)") })
    end)

    it('load with mode "b"', function()
      fails("E_SCRIPT", 'only text chunks (mode "t")', run("return load('return 1', 'x', 'b')"))
      fails("E_SCRIPT", 'only text chunks (mode "t")', run("return load('return 1', 'x', 'bt')"))
    end)

    it("load of text runs in the sandbox, never with another env", function()
      fails("E_SCRIPT", "'io' is not available in protocols",
        run("return load('return io')()"))
      fails("E_SCRIPT", "env argument is not available",
        run("return load('return 1', 'x', 't', {})"))
      assert.same({ true, 5 }, { run("return load('return 2 + 3')()") })
    end)

    it("debug.*", function()
      fails("E_SCRIPT", "proto.lua:1: 'debug' is not available in protocols",
        run("return debug.getregistry()"))
      fails("E_SCRIPT", "'debug' is not available", run("debug.sethook()"))
    end)

    it("io.open", function()
      fails("E_SCRIPT", "'io' is not available in protocols", run("return io.open('/etc/passwd')"))
    end)

    it("os.execute", function()
      fails("E_SCRIPT", "'os' is not available in protocols", run("return os.execute('id')"))
      fails("E_SCRIPT", "'os' is not available", run("return os.time()"))
    end)

    it('require "os"', function()
      fails("E_SCRIPT", "'require' is not available in protocols", run('return require "os"'))
    end)

    it("package.loadlib", function()
      fails("E_SCRIPT", "'package' is not available in protocols",
        run("return package.loadlib('libc.so.6', '*')"))
    end)

    it('getmetatable("").__index', function()
      fails("E_SCRIPT", "'getmetatable' is not available in protocols",
        run("return getmetatable('').__index"))
      fails("E_SCRIPT", "string.__index is not available", run("return ('').__index"))
    end)

    it("setmetatable(_G, nil)", function()
      fails("E_SCRIPT", "'setmetatable' is not available in protocols",
        run("setmetatable(_G, nil)"))
      fails("E_SCRIPT", "'rawset' is not available", run("rawset(string, 'rep', print)"))
      fails("E_SCRIPT", "'rawget' is not available", run("return rawget(_G, 'x')"))
    end)

    it("rewriting string.rep for other protocols", function()
      fails("E_SCRIPT", "string is read-only in protocols (cannot assign string.rep)",
        run("string.rep = function() return 'pwned' end"))
      -- a caught attempt changes nothing either
      assert.same({ true, false }, { run([[
        local ok = pcall(function() string.rep = function() return 'pwned' end end)
        return ok]]) })
      -- a script may rebind its own global `string`: only its own
      assert.same({ true, "pwned" }, { run([[
        string = { rep = function() return 'pwned' end }
        return string.rep('x', 2)]]) })
      -- the next protocol, and the host, see the real one
      assert.same({ true, "xx", "yy" }, { run("return string.rep('x', 2), ('y'):rep(2)") })
      assert.equal("ab ab", compat.rep("ab", 2, " "))
      assert.equal(string, getmetatable("").__index)
    end)

    it("rewriting string.rep: two protocols loaded one after the other", function()
      local load = require "aza.protocol.load"
      local p = io.popen("mktemp -d")
      local dir = p:read("*l")
      p:close()
      local function write(name, text)
        local f = assert(io.open(dir .. "/" .. name, "wb"))
        f:write(text)
        f:close()
      end
      write("first.lua", [[
pcall(function() string.rep = function() return "pwned" end end)
string = { rep = function() return "pwned" end }
return protocol "first" { version = string.rep("1", 2) }
]])
      write("second.lua", 'return protocol "second" { version = string.rep("2", 2) }')
      local first = assert(load.load(dir .. "/first.lua"))
      local second = assert(load.load(dir .. "/second.lua"))
      os.execute("rm -rf '" .. dir .. "'")
      assert.equal("pwned", first.version) -- its own global only
      assert.equal("22", second.version)
      assert.equal("33", string.rep("3", 2))
    end)

    it("collectgarbage", function()
      fails("E_SCRIPT", "'collectgarbage' is not available in protocols",
        run("return collectgarbage('count')"))
    end)

    it("math.random and the clock", function()
      fails("E_SCRIPT", "math.random is not available in protocols", run("return math.random()"))
      fails("E_SCRIPT", "math.randomseed is not available", run("math.randomseed(1)"))
      fails("E_SCRIPT", "'os' is not available", run("return os.clock()"))
    end)

    it("an endless loop (instruction budget)", function()
      fails("E_LIMIT", "proto.lua:2: instruction budget of 2000000 instructions exceeded",
        run("local i = 0\nwhile true do i = i + 1 end"))
    end)

    it("an endless loop that catches the budget error with pcall", function()
      fails("E_LIMIT", "instruction budget",
        run("while true do pcall(function() while true do end end) end"))
    end)

    it("an endless loop on this interpreter (" .. compat.interpreter .. ")", function()
      -- LuaJIT: compiled traces never call the count hook; the sandbox turns the JIT off
      -- for the script and every function it defines, so the budget holds there too
      local t0 = os.clock()
      fails("E_LIMIT", "instruction budget", run("x = 0\nwhile true do x = x + 1 end"))
      fails("E_LIMIT", "instruction budget",
        run("local function f() local y = 0 for i = 1, 1e12 do y = y + i end end f()"))
      fails("E_LIMIT", "instruction budget",
        run("local f = load('local y = 0 while true do y = y + 1 end') f()"))
      assert.is_true(os.clock() - t0 < 5, "took " .. (os.clock() - t0) .. " s")
    end)

    it("work in one instruction that allocates nothing: the CPU-time deadline", function()
      -- 5.1 and LuaJIT intern strings, so `a .. a` of an existing result allocates
      -- nothing: the allocator cannot charge it, the deadline stops it
      local t0 = os.clock()
      local ok, msg, code = run("local a = ('x'):rep(2e6) while true do local b = a .. a end",
        { budget = 1e12, memory = 64 * 1024 * 1024, cpu_ms = 300 })
      assert.is_nil(ok)
      assert.equal("E_LIMIT", code)
      assert.is_truthy(msg:find("proto.lua:1: CPU time limit of 300 ms exceeded", 1, true)
        or msg:find("instruction budget", 1, true), msg)
      assert.is_true(os.clock() - t0 < 3, "took " .. (os.clock() - t0) .. " s")
      fails("E_LIMIT", "proto.lua:1: CPU time limit of 200 ms exceeded",
        run("while true do end", { budget = 1e12, cpu_ms = 200 }))
    end)

    it("a memory bomb: string.rep('x', 2^30)", function()
      fails("E_LIMIT", "proto.lua:1: memory cap of 8388608 bytes exceeded",
        run("return string.rep('x', 2^30)"))
      fails("E_LIMIT", "memory cap", run("return ('x'):rep(2^30)"))
      fails("E_LIMIT", "memory cap", run("local ok = pcall(string.rep, 'x', 2^30) return ok"))
      -- an empty string repeated 2^50 times would loop inside C: answered at once
      assert.same({ true, "" }, { run("return string.rep('', 2^50)") })
    end)

    it("a memory bomb: a growing table", function()
      fails("E_LIMIT", "memory cap of 8388608 bytes exceeded",
        run("local t = {} local i = 0 while true do i = i + 1 t[i] = {i} end",
          { budget = 100000000 }))
      fails("E_LIMIT", "memory cap",
        run("local s = 'x' while true do s = s .. s end", { budget = 100000000 }))
    end)

    it("a pathological pattern", function()
      fails("E_SCRIPT", "string.find is not available in protocols",
        run("return string.find(('a'):rep(40), '(a*)*b')"))
      fails("E_SCRIPT", "string.match is not available in protocols",
        run("return ('a'):rep(40):match('(a*)*b')"))
      fails("E_SCRIPT", "string.gsub is not available", run("return ('a'):gsub('a', 'b')"))
      fails("E_SCRIPT", "string.gmatch is not available", run("return ('a'):gmatch('a')"))
    end)

    it("work inside C functions is charged to the budget (bounded time)", function()
      local scripts = {
        "while true do local x = string.rep('x', 4000000) end",
        "local s = ('x'):rep(1000000) while true do local u = s:upper() end",
        "local t = {} for i = 1, 100000 do t[i] = i end while true do table.sort(t) end",
        "local t = {} for i = 1, 100000 do t[i] = '' end while true do table.concat(t) end",
        "local t = {} for i = 1, 5000 do t[i] = i end while true do table.unpack(t) end",
        "local t = {} for i = 1, 5000 do t[i] = i end "
          .. "while true do select('#', table.unpack(t)) end",
        "local t = {} for i = 1, 100000 do t[i] = i end "
          .. "while true do table.insert(t, 1, 0) table.remove(t, 1) end",
        "local s = (' '):rep(1000000) while true do tonumber(s) end",
        "local s = (' '):rep(1000000) while true do load(s) end",
      }
      for _, src in ipairs(scripts) do
        local t0 = os.clock()
        fails("E_LIMIT", "instruction budget", run(src, { memory = 32 * 1024 * 1024 }))
        assert.is_true(os.clock() - t0 < 2, src .. " took " .. (os.clock() - t0) .. " s")
      end
    end)

    it("unpack and select beyond the values every interpreter can hold", function()
      fails("E_SCRIPT", "proto.lua:1: table.unpack: at most 7000 values in protocols",
        run("local t = {} for i = 1, 100000 do t[i] = i end return table.unpack(t)"))
      fails("E_SCRIPT", "proto.lua:2: table.unpack: at most 7000 values in protocols",
        run("local x = 1\nlocal y = unpack({}, 1, 1e9)"))
      -- in a tail call the caller's frame is gone: the file is named, the line may not be
      fails("E_SCRIPT", "table.unpack: at most 7000 values in protocols",
        run("return unpack({}, 1, 1e9)"))
    end)

    it("table.move over a huge range", function()
      fails("E_SCRIPT", "table.move: at most", run("return table.move({}, 1, 2^40, 2)"))
    end)

    it("addresses and pointer formats (determinism)", function()
      assert.same({ true, "table", "function", "table" },
        { run("return tostring({}), tostring(tostring), string.format('%s', {})") })
      fails("E_SCRIPT", "'%p' is not available", run("return string.format('%p', {})"))
      assert.same({ true, "100%p" }, { run("return string.format('%d%%p', 100)") })
    end)

    it("pairs visits keys in a fixed order", function()
      assert.same({ true, "1,2,10,a,b,zz" }, { run([[
        local t, keys = { zz = 1, b = 2, a = 3, [10] = 4, [2] = 5, [1] = 6 }, {}
        for k in pairs(t) do keys[#keys + 1] = tostring(k) end
        return table.concat(keys, ",")]]) })
    end)

    it("unknown names are errors with a suggestion", function()
      fails("E_SCRIPT", "proto.lua:1: unknown name 'withold'; did you mean 'withhold'?",
        run("return withold", { names = { withhold = {} }, suggest = function(n)
          return n == "withold" and "withhold" or nil
        end }))
      fails("E_SCRIPT", "proto.lua:1: unknown name 'foo'", run("foo()"))
      fails("E_SCRIPT", "'print' is not available in protocols", run("print(1)"))
    end)
  end)

  describe("limits", function()
    it("reset on each run", function()
      -- each run needs about 60 % of the budget: two in a row both succeed
      local loop = "local n = 0 for i = 1, 120000 do n = n + i end return n"
      for _ = 1, 3 do
        assert.same({ true, 7200060000 }, { run(loop, { budget = 1000000 }) })
      end
      -- each run holds about 5 MB of an 8 MB cap
      local big = "local t = {} for i = 1, 5 do t[i] = string.rep(tostring(i), 1024 * 1024) end "
        .. "return #t[5]"
      for _ = 1, 3 do
        assert.same({ true, 1024 * 1024 }, { run(big) })
      end
      -- and a failed run does not poison the next one
      fails("E_LIMIT", "budget", run("while true do end"))
      assert.same({ true, 1 }, { run("return 1") })
      fails("E_LIMIT", "memory", run("return ('x'):rep(2^30)"))
      assert.same({ true, 1 }, { run("return 1") })
    end)

    it("leave the host's hook, allocator and string metatable as they were", function()
      local calls = 0
      local function hook()
        calls = calls + 1
      end
      debug.sethook(hook, "", 1000)
      fails("E_LIMIT", "budget", run("while true do end"))
      local h, mask, count = debug.gethook()
      debug.sethook()
      assert.equal(hook, h)
      assert.equal("", mask)
      assert.equal(1000, count)
      -- the host may allocate far beyond the cap again
      fails("E_LIMIT", "memory", run("return ('x'):rep(2^30)"))
      assert.equal(64 * 1024 * 1024, #string.rep("x", 64 * 1024 * 1024))
      assert.equal(string, getmetatable("").__index)
      assert.equal("aaa", ("a"):rep(3))
      assert.equal(1, ("abc"):find("a"))
    end)

    it("refuse nested runs", function()
      local core = require "aza.core"
      local ok, msg = run("return nested()", { names = { nested = function()
        return core.sandbox_run("return 1", "=inner", {}, 1000, 100000)
      end } })
      assert.is_nil(ok)
      assert.is_truthy(msg:find("already inside a sandbox", 1, true), msg)
    end)

    it("check their arguments", function()
      local core = require "aza.core"
      assert.has_error(function()
        core.sandbox_run("return 1", "=x", {}, 0, 1000)
      end)
      assert.has_error(function()
        core.sandbox_run("return 1", "=x", {}, 1000, 0)
      end)
      assert.equal(0, core.sandbox_tripped())
    end)
  end)
end)

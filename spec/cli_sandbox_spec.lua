-- Hostile protocols through `bin/aza evaluate` and `bin/aza check`, on the interpreter the
-- specs run under (make test runs this file on Lua 5.1, LuaJIT, 5.3 and 5.4): refused with
-- exit 3 and a message naming the file, the line and the limit; nothing runs outside.
local cli = require "spec.support.cli"

local PATIENT = "examples/patients/ibd-new-start.json"

local dir
local function write(name, text)
  local path = dir .. "/" .. name
  local f = assert(io.open(path, "wb"))
  f:write(text)
  f:close()
  return path
end

local HOSTILE = {
  { "endless.lua", 'local x = 0\nwhile true do x = x + 1 end\nreturn protocol "e" {}\n',
    "endless.lua:2: instruction budget of 10000000 instructions exceeded" },
  { "bytecode.lua", "\27LuaQ\0\1\4\8\4\8\0", "attempt to load a binary chunk" },
  { "bytecode-jit.lua", "\27LJ\2\10\0", "attempt to load a binary chunk" },
  { "os.lua", 'os.execute("touch ' .. "PWNED" .. '")\nreturn protocol "o" {}\n',
    "os.lua:1: 'os' is not available in protocols" },
  -- 5.1 hashes a long string from 32 of its bytes: these strings all collide, and the
  -- processor-time deadline may stop the script before the memory cap does
  { "bomb.lua", 'local t = {}\nfor i = 1, 1e9 do t[i] = ("x"):rep(1000) .. i end\n',
    { "bomb.lua:2: memory cap of 33554432 bytes exceeded",
      "bomb.lua:2: CPU time limit of 2000 ms exceeded" } },
  { "string-bomb.lua", 'local s = ("x"):rep(2^31)\n', "memory cap of 33554432 bytes exceeded" },
}

describe("hostile protocols on " .. cli.LUA, function()
  before_each(function()
    dir = os.tmpname()
    os.remove(dir)
    assert(os.execute("mkdir " .. cli.quote(dir)))
  end)
  after_each(function()
    os.execute("rm -rf " .. cli.quote(dir))
  end)

  -- the message names one of the expected limits
  local function names(text, expected)
    for _, e in ipairs(type(expected) == "table" and expected or { expected }) do
      if text:find(e, 1, true) then
        return true
      end
    end
    return false
  end

  for _, case in ipairs(HOSTILE) do
    it(case[1] .. " is refused by evaluate and check with exit 3", function()
      local path = write(case[1], case[2])
      local out, err, code = cli.aza({ "evaluate", "--protocol", path, PATIENT })
      assert.equal(3, code)
      assert.equal("", out)
      assert.is_true(names(err, case[3]), err)
      assert.is_nil(err:find("traceback", 1, true), err)
      out, err, code = cli.aza({ "check", path })
      assert.equal(3, code)
      assert.is_true(names(out .. err, case[3]), out .. err)
      assert.is_nil(io.open("PWNED", "rb"), "os.execute ran")
    end)
  end
end)

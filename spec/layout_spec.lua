-- The layout rule of the project (style: one concern per file): no source file over 800
-- lines outside the tests, and every file opens with a header that says what it is.
local LIMIT = 800

local function files()
  local p = io.popen("git ls-files -- lua csrc rules bench bin scripts examples 2>/dev/null")
  local list = {}
  for f in p:lines() do
    if f:match("%.lua$") or f:match("%.[ch]$") or f:match("%.sh$") or f:match("%.js$")
      or f == "bin/aza" then
      if not f:match("^csrc/tests/") then
        list[#list + 1] = f
      end
    end
  end
  p:close()
  return list
end

describe("layout", function()
  local list = files()

  it("finds the sources (git ls-files works here)", function()
    assert.is_true(#list > 50)
  end)

  it("has no source file over " .. LIMIT .. " lines outside the tests", function()
    local long = {}
    for _, f in ipairs(list) do
      local n = 0
      for _ in io.lines(f) do
        n = n + 1
      end
      if n > LIMIT then
        long[#long + 1] = f .. " (" .. n .. " lines)"
      end
    end
    assert.are.same({}, long)
  end)

  it("opens every Lua and C file with a header comment", function()
    local bare = {}
    for _, f in ipairs(list) do
      local fh = io.open(f, "rb")
      local head = fh:read(200) or ""
      fh:close()
      head = head:gsub("^#![^\n]*\n", "")
      local ok = (f:match("%.lua$") or f == "bin/aza") and head:match("^%-%-")
        or f:match("%.[ch]$") and head:match("^/%*")
        or f:match("%.sh$") and head:match("^#")
        or f:match("%.js$") and head:match("^//")
      if not ok then
        bare[#bare + 1] = f
      end
    end
    assert.are.same({}, bare)
  end)
end)

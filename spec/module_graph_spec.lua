-- The module graph of lua/aza has no cycle: every `require` of an aza module, at the top of
-- a file or inside a function (a lazy require hides a cycle, it does not remove it), read
-- from the source with comments left out.
local function modules()
  local list = {}
  local p = assert(io.popen("find lua/aza -name '*.lua' | sort"))
  for file in p:lines() do
    local name = file:gsub("^lua/", ""):gsub("%.lua$", ""):gsub("/", ".")
    name = name:gsub("%.init$", "")
    list[#list + 1] = { name = name, file = file }
  end
  p:close()
  return list
end

local function requires_of(file)
  local f = assert(io.open(file, "rb"))
  local deps = {}
  for line in f:lines() do
    local code = line:gsub("^%s*%-%-.*$", "")
    for dep in code:gmatch("require%s*%(?%s*[\"']([%w_.]+)[\"']") do
      if dep == "aza" or dep:find("^aza%.") then
        deps[#deps + 1] = dep
      end
    end
  end
  f:close()
  return deps
end

describe("the module graph of lua/aza", function()
  it("has no require cycle", function()
    local graph, names = {}, {}
    for _, m in ipairs(modules()) do
      graph[m.name] = requires_of(m.file)
      names[#names + 1] = m.name
    end
    assert.is_true(#names > 20)
    local state, stack, cycles = {}, {}, {}
    local function visit(n)
      state[n] = "open"
      stack[#stack + 1] = n
      for _, d in ipairs(graph[n] or {}) do
        if state[d] == "open" then
          local from
          for i = #stack, 1, -1 do
            if stack[i] == d then
              from = i
            end
          end
          cycles[#cycles + 1] = table.concat(stack, " -> ", from) .. " -> " .. d
        elseif state[d] == nil and graph[d] then
          visit(d)
        end
      end
      stack[#stack] = nil
      state[n] = "done"
    end
    for _, n in ipairs(names) do
      if state[n] == nil then
        visit(n)
      end
    end
    assert.same({}, cycles)
  end)
end)

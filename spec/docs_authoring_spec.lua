-- docs/authoring.md stays the complete reference a site author needs: every parameter key
-- the checks know, every DSL name, every expectation word of `aza test`, every fact.
local params = require "aza.protocol.params"

local function read(path)
  local f = assert(io.open(path, "rb"))
  local s = f:read("*a")
  f:close()
  return s
end

local DOC = read("docs/authoring.md")

local function section(title)
  local from = assert(DOC:find("\n## " .. title, 1, true), "section " .. title)
  local to = DOC:find("\n## ", from + 1, true) or #DOC
  return DOC:sub(from, to)
end

describe("docs/authoring.md", function()
  it("lists every parameter key in section 1a", function()
    local text = section("1a. Parameters")
    for group, keys in pairs(params.KEYS) do
      for k in pairs(keys) do
        local name = group == "top" and k or (group .. "." .. k)
        local short = "." .. k .. "`"
        assert.truthy(text:find("`" .. name, 1, true) or (group ~= "top"
          and text:find(short, 1, true)), "parameter " .. name .. " is not documented")
      end
    end
  end)

  it("names every DSL word", function()
    for _, name in ipairs(require("aza.protocol.dsl").name_list()) do
      assert.truthy(DOC:find(name, 1, true), "DSL name " .. name .. " is not documented")
    end
  end)

  it("lists every expectation of aza test", function()
    local text = section("9. Copying and testing a site protocol")
    for _, k in ipairs(require("aza.scenario").KEYS) do
      assert.truthy(text:find("`" .. k .. "`", 1, true), "expectation " .. k)
    end
  end)

  it("names every fact of the catalogue that is not a lab sub-fact", function()
    for _, e in ipairs(require("aza.protocol.facts").list) do
      local name = e.name
      -- (facts a protocol declared, when a spec loaded one first, are not the catalogue's)
      if not e.site and not name:find("%.date$") and not name:find("%.uln$")
          and not name:find("%.lln$") then
        assert.truthy(DOC:find(name, 1, true), "fact " .. name .. " is not documented")
      end
    end
  end)
end)

describe("the user documentation", function()
  it("points at no file a user does not have (design.md, clinical-reference.md)", function()
    -- docs/clinical-basis.md is generated from the protocols' own citation texts; the
    -- hand-written pages and the README must stand on their own
    for _, path in ipairs { "README.md", "docs/authoring.md", "docs/dose-maths.md",
                            "docs/patient-input.md", "docs/performance.md", "docs/units.md",
                            "docs/hosts.md", "docs/security.md", "examples/site/README.md" } do
      local text = read(path)
      for _, needle in ipairs { "design §", "design.md", "clinical-reference.md",
                                "clinical reference §" } do
        assert.falsy(text:find(needle, 1, true), path .. " mentions " .. needle)
      end
    end
  end)
end)

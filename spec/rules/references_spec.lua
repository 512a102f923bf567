-- Every shipped protocol (rules/*.lua) cites its sources properly
-- (docs/internals/protocol-parameters.md, "References"):
--
-- * every rule cites references that exist (and so do parameters.dose, parameters.titration
--   and data.monitoring items that carry a cite);
-- * every reference has text, a short form, a year and a confidence mark: the mark of
--   clinical-reference.md §0, V, S or R, or two of V, S, R, X joined by "/" where the
--   reference gives two (fever 38 degC is S/X: the NHS definition [S], no azathioprine
--   source [X]);
-- * a reference marked R or X (recalled, or contradicted / unsupported) says "unverified"
--   in its text and its short form;
-- * every rule id is lower-case and hyphenated (sites disable and replace rules by id).

local protocol = require "aza.protocol"

local function shipped()
  local ids = {}
  local pipe = assert(io.popen("ls rules/*.lua 2>/dev/null"))
  for path in pipe:lines() do
    ids[#ids + 1] = path:match("([^/]+)%.lua$")
  end
  pipe:close()
  table.sort(ids)
  return ids
end

local IDS = shipped()

-- a confidence mark: V, S, R, or two different marks of V, S, R, X joined by "/"
-- (X alone is not a mark: a claim no source supports is not encoded)
local function valid_mark(m)
  if m == "V" or m == "S" or m == "R" then
    return true
  end
  local a, b = nil, nil
  if type(m) == "string" then
    a, b = m:match("^([VSRX])/([VSRX])$")
  end
  return a ~= nil and a ~= b
end

local function cites(c)
  if c == nil then
    return {}
  end
  return type(c) == "table" and c or { c }
end

describe("shipped protocols: references", function()
  it("finds the shipped protocols (base and ibd at least)", function()
    local have = {}
    for _, id in ipairs(IDS) do
      have[id] = true
    end
    assert.is_true(have.base)
    assert.is_true(have.ibd)
  end)

  for _, id in ipairs(IDS) do
    describe(id, function()
      local p, msg

      setup(function()
        p, msg = protocol.load(id)
      end)

      it("loads", function()
        assert.is_truthy(p, msg)
      end)

      it("cites an existing reference in every rule", function()
        assert.is_truthy(p, msg)
        for _, r in ipairs(p.rules) do
          local list = cites(r.cite)
          assert.is_true(#list > 0, "rule " .. r.id .. " has no cite")
          for _, key in ipairs(list) do
            assert.is_not_nil(p.references[key], "rule " .. r.id .. ": no reference " .. key)
          end
        end
      end)

      it("cites existing references in parameters and data", function()
        assert.is_truthy(p, msg)
        local params = p.parameters or {}
        for _, what in ipairs { "dose", "titration" } do
          local t = params[what]
          if type(t) == "table" then
            for _, key in ipairs(cites(t.cite)) do
              assert.is_not_nil(p.references[key], "parameters." .. what .. ": " .. key)
            end
          end
        end
        for i, m in ipairs((p.data or {}).monitoring or {}) do
          for _, key in ipairs(cites(m.cite)) do
            assert.is_not_nil(p.references[key], "data.monitoring[" .. i .. "]: " .. key)
          end
        end
      end)

      it("gives every reference text, short form, year and confidence", function()
        assert.is_truthy(p, msg)
        for key, ref in pairs(p.references) do
          assert.is_table(ref, "reference " .. key .. " must be a table {text, short, year, "
            .. "confidence}")
          assert.is_string(ref.text, key .. ".text")
          assert.is_true(#ref.text > 20, key .. ".text is too short to name a source")
          assert.is_string(ref.short, key .. ".short")
          assert.is_number(ref.year, key .. ".year")
          assert.is_true(ref.year >= 1950 and ref.year <= 2030 and ref.year % 1 == 0,
            key .. ".year " .. tostring(ref.year))
          assert.is_true(valid_mark(ref.confidence),
            key .. ".confidence must be V, S or R (or two of V, S, R, X joined by '/'), got "
              .. tostring(ref.confidence))
        end
      end)

      it("says 'unverified' in every reference marked R or X", function()
        assert.is_truthy(p, msg)
        for key, ref in pairs(p.references) do
          if type(ref) == "table" and type(ref.confidence) == "string"
            and ref.confidence:find("[RX]") then
            assert.is_truthy(ref.text:lower():find("unverified", 1, true),
              key .. " is marked " .. ref.confidence .. " but its text does not say "
                .. "unverified")
            assert.is_truthy(ref.short:lower():find("unverified", 1, true),
              key .. " is marked " .. ref.confidence .. " but its short form (shown in "
                .. "results) does not say unverified")
          end
        end
      end)

      it("uses lower-case hyphenated rule ids, each once", function()
        assert.is_truthy(p, msg)
        local seen = {}
        for _, r in ipairs(p.rules) do
          -- words of lower-case letters and digits joined by single hyphens
          assert.is_truthy(r.id:match("^[a-z0-9][a-z0-9%-]*$") and r.id:sub(-1) ~= "-"
            and not r.id:find("--", 1, true), "rule id " .. r.id)
          assert.is_nil(seen[r.id], "duplicate rule id " .. r.id)
          seen[r.id] = true
        end
      end)
    end)
  end
end)

-- Data tables through the loaded protocol (aza.input.tables): a site protocol's
-- data.medications and data.loinc replace the shipped rules/data tables for its patients,
-- are checked when it loads, and can never switch a rule off by leaving out what it asks for.
local compat = require "aza.compat"
local pgx = require "aza.input.pgx"
local protocol = require "aza.protocol"
local tmpdir = require "spec.support.tmpdir"

-- a Lua literal of plain data (sorted keys: the same text every time)
local function literal(v)
  if type(v) == "string" then
    return compat.quote(v)
  elseif type(v) ~= "table" then
    return tostring(v)
  end
  local parts = {}
  for _, x in ipairs(v) do
    parts[#parts + 1] = literal(x)
  end
  local keys = {}
  for k in pairs(v) do
    if type(k) == "string" then
      keys[#keys + 1] = k
    end
  end
  table.sort(keys)
  for _, k in ipairs(keys) do
    parts[#parts + 1] = "[" .. compat.quote(k) .. "] = " .. literal(v[k])
  end
  return "{ " .. table.concat(parts, ", ") .. " }"
end

local dir
local function write_protocol(name, data_text)
  local path = dir .. "/" .. name .. ".lua"
  local f = assert(io.open(path, "wb"))
  f:write('return protocol "', name, '" {\n  extends = "ibd", version = "2026.1",\n',
    "  data = ", data_text, ",\n}\n")
  f:close()
  return path
end

local function copy_of(t)
  return require("aza.protocol.dsl").copy(t)
end

local PATIENT = {
  id = "t1", as_of = "2026-11-21", weight = "70 kg", sex = "male",
  genotype = { TPMT = "*1/*1", NUDT15 = "*1/*1" },
  labs = {
    { test = "wbc", value = 6, unit = "10*9/L", date = "2026-11-14" },
    { test = "neutrophils", value = 4, unit = "10*9/L", date = "2026-11-14" },
    { test = "platelets", value = 300, unit = "10*9/L", date = "2026-11-14" },
    { test = "alt", value = 20, unit = "U/L", date = "2026-11-14" },
  },
  medications = { { name = "alopurinol", status = "active" } },
  azathioprine = { status = "naive" },
}

local function fired(r, id)
  for _, a in ipairs(r.alerts) do
    if a.id == id then
      return true
    end
  end
  return false
end

describe("data tables through the protocol", function()
  setup(function()
    dir = tmpdir.make()
  end)
  teardown(function()
    tmpdir.remove(dir)
  end)

  it("matches a site's own medication name with the site's table, not with the shipped one",
    function()
      local meds = copy_of(pgx.data("medications"))
      meds.substances[#meds.substances + 1] = { id = "alopurinol_site", names = { "alopurinol" },
        classes = { "xanthine_oxidase_inhibitor", "allopurinol_like" } }
      local site = assert(protocol.load(write_protocol("site_meds",
        literal({ medications = meds }))))
      local ibd = assert(protocol.load("ibd"))
      local r = assert(site:evaluate(PATIENT))
      assert.is_true(fired(r, "allopurinol-quarter-dose"))
      assert.are.equal("adjust", r.decision)
      assert.are.equal(25, r.dose.target_mg_per_day) -- a quarter of 140, rounded down
      local r0 = assert(ibd:evaluate(PATIENT))
      assert.is_false(fired(r0, "allopurinol-quarter-dose"))
      assert.are.equal(150, r0.dose.target_mg_per_day)
    end)

  it("refuses at load a table without a class a rule asks for", function()
    local meds = copy_of(pgx.data("medications"))
    for _, e in ipairs(meds.substances) do
      local kept = {}
      for _, c in ipairs(e.classes or {}) do
        if c ~= "allopurinol_like" then
          kept[#kept + 1] = c
        end
      end
      e.classes = kept
    end
    local p, msg, code = protocol.load(write_protocol("site_nolike",
      literal({ medications = meds })))
    assert.is_nil(p)
    assert.are.equal("E_PROTOCOL", code)
    assert.truthy(msg:find("data.medications defines no substance or class 'allopurinol_like', "
      .. "which rule 'allopurinol-quarter-dose' asks for with taking(\"allopurinol_like\")", 1,
      true), msg)
  end)

  it("refuses a table of the wrong shape, naming the field", function()
    local cases = {
      { "{ medications = { substances = { { id = 5, names = { \"x\" } } } } }",
        "data.medications.substances[1].id must be a word" },
      { "{ medications = { substances = {} } }", "data.medications.substances must be a list" },
      { "{ medications = { substances = { { id = \"x\" } } } }",
        "data.medications.substances[1] needs names or atc codes" },
      { "{ medications = { substances = { { id = \"x\", names = { 1 } } } } }",
        "data.medications.substances[1].names must be a list of strings" },
      { "{ loinc = { [\"6690-2\"] = { test = \"weight\" } } }",
        "data.loinc[6690-2].test must be a lab test aza reads" },
      { "{ loinc = { wbc = { test = \"wbc\" } } }", "the key must be a LOINC code" },
    }
    for i, c in ipairs(cases) do
      local p, msg = protocol.load(write_protocol("site_bad" .. i, c[1]))
      assert.is_nil(p, c[1])
      assert.truthy(msg:find(c[2], 1, true), msg)
    end
  end)

  it("reads a LOINC code of the site's table, and ignores it with the shipped one", function()
    local loinc = copy_of(pgx.data("loinc"))
    loinc["99999-9"] = { test = "neutrophils", name = "a site-local code" }
    local site = assert(protocol.load(write_protocol("site_loinc", literal({ loinc = loinc }))))
    local ibd = assert(protocol.load("ibd"))
    local p = copy_of(PATIENT)
    p.medications = {}
    p.labs[2] = { test = "99999-9", value = 1.2, unit = "10*9/L", date = "2026-11-14" }
    local r = assert(site:evaluate(p))
    assert.is_true(fired(r, "neutrophils-low"))
    assert.are.equal("withhold", r.decision)
    local r0 = assert(ibd:evaluate(p))
    assert.is_false(fired(r0, "neutrophils-low"))
    assert.are.equal("need_data", r0.decision) -- no neutrophil count: baseline FBC missing
  end)
end)

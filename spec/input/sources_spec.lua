-- aza.input.hl7v2 and aza.input.sources: HL7 v2 results read into the patient record,
-- several sources merged into one patient, errors named in each source's own terms, and a
-- differential check: every scenario patient of the example site protocols, split into an
-- HL7 v2 lab feed and a patient record, gives exactly the result of the record alone.
local hl7 = require "aza.input.hl7v2"
local sources = require "aza.input.sources"
local protocol = require "aza.protocol"
local to_hl7 = require "spec.support.to_hl7"
local cli = require "aza.cli"

local function msg(lines)
  return table.concat(lines, "\r") .. "\r"
end

local MSH = "MSH|^~\\&|LAB|HOSP|AZA|HOSP|20261120093000+0100||ORU^R01^ORU_R01|M1|P|2.5.1"
local PID = "PID|1||MRN1^^^HOSP^MR~NHS99^^^NHS^NH||DOE^JANE||19800312|F"

local function obx(n, code, value, unit, more)
  return string.format("OBX|%d|%s|%s^x^LN||%s|%s|%s||||%s|||%s", n, more and more.type or "NM",
    code, value, unit, more and more.range or "", more and more.status or "F",
    more and more.ts or "20261120081500+0100")
end

describe("HL7 v2 results", function()
  it("PID and OBX map to the record, with units, ranges, comparators and dates", function()
    local rec, origin, warnings = assert(hl7.read(msg {
      MSH, PID, "OBR|1|O1|F1|58410-2^CBC^LN|||20261119230000-0500",
      obx(1, "6690-2", "6.1", "10*9/L^^UCUM", { range = "4.0-11.0" }),
      obx(2, "751-8", "<^0.5", "x10E9/L", { type = "SN", ts = "" }),   -- date from OBR-7
      obx(3, "777-3", "262", "10\\S\\3/uL", { range = "150-400", status = "P" }),
      obx(4, "1742-6", "22", "U/L", { range = "0-40", status = "X" }), -- deleted: ignored
      obx(5, "2951-2", "139", "mmol/L"),                               -- not read: warning
      obx(6, "29463-7", "70", "kg", { ts = "20261101" }),
      obx(7, "29463-7", "71.5", "kg", { ts = "20261115" }),            -- the latest weight
    }, { name = "labs.hl7" }))
    assert.equal("MRN1", rec.id)
    assert.equal("1980-03-12", rec.birth_date)
    assert.equal("female", rec.sex)
    assert.equal("71.5 kg", rec.weight)
    assert.equal(3, #rec.labs)
    assert.same({ loinc = "6690-2", value = "6.1", unit = "10*9/L", date = "2026-11-20",
                  lln = "4.0", uln = "11.0" }, rec.labs[1])
    -- the OBR-7 date as written, in its own zone (19 November, 23:00 at -05:00)
    assert.same({ loinc = "751-8", value = "<0.5", unit = "x10E9/L", date = "2026-11-19" },
      rec.labs[2])
    assert.equal("10^3/uL", rec.labs[3].unit)
    assert.equal("message 1, OBX[2]", origin["labs[2]"].at)
    local texts = {}
    for _, w in ipairs(warnings) do texts[#texts + 1] = w.message end
    assert.same({
      "message 1, OBX[3]-11: result status P (not final): used",
      "message 1, OBX[4]-11: result status X: ignored",
      "message 1, OBX[5]-3: 2951-2 is not a test aza reads: ignored",
    }, texts)
  end)

  it("a message with no result aza reads adds nothing", function()
    local rec = assert(hl7.read(msg { MSH, "OBX|1|NM|2951-2^Na^LN||139|mmol/L|||||F" }))
    assert.is_nil(next(rec))
  end)

  it("timestamps: day precision at least, a real time and zone", function()
    assert.equal("2026-11-20", hl7.date("20261120"))
    assert.equal("2026-11-20", hl7.date("202611202359+1400"))
    assert.equal("2026-11-20", hl7.date("20261120081500.1234-0330"))
    assert.is_nil(hl7.date("202611"))
    assert.is_nil(hl7.date("20261120250000"))
    assert.is_nil(hl7.date("20261120+2500"))
    assert.is_nil(hl7.date("2026-11-20"))
  end)

  it("a local code maps through the protocol's lab_codes", function()
    local rec = assert(hl7.read(msg { MSH,
      "OBX|1|NM|NEUT^Neutrophils^L||3.1|10*9/L|||||F|||20261120" },
      { lab_codes = { NEUT = "751-8" } }))
    assert.equal("751-8", rec.labs[1].test)
  end)
end)

describe("one patient from several sources", function()
  local ibd = assert(protocol.load("ibd"))
  local REC = { id = "MRN1", as_of = "2026-11-21", weight = "70 kg",
                genotype = { TPMT = "*1/*1", NUDT15 = "*1/*1" },
                azathioprine = { status = "naive" } }
  local LABS = msg { MSH, PID,
    obx(1, "6690-2", "6.1", "10*9/L"), obx(2, "751-8", "3.9", "x10E9/L"),
    obx(3, "777-3", "262", "K/uL"), obx(4, "1742-6", "22", "U/L"),
    obx(5, "62238-1", ">^90", "mL/min/{1.73_m2}", { type = "SN" }) }

  it("merges an HL7 feed and a record: the decision of the whole record", function()
    local r = assert(ibd:evaluate({ { name = "labs.hl7", text = LABS }, REC }))
    assert.equal("proceed", r.decision)
    -- 2 mg/kg/day x 70 kg = 140 mg/day, band 140-175, nearest deliverable in band: 150
    assert.equal(150, r.dose.target_mg_per_day)
  end)

  it("errors name the source and the segment and field", function()
    local bad = LABS:gsub("x10E9/L", "x10E9")
    local r, m, code = ibd:evaluate({ { name = "labs.hl7", text = bad }, REC })
    assert.is_nil(r)
    assert.equal("E_INPUT", code)
    assert.matches("^labs%.hl7: message 1, OBX%[2%]%-6: unknown unit 'x10E", m)
    r, m = ibd:evaluate({ { name = "labs.hl7", text = LABS:gsub("3%.9", "lots") }, REC })
    assert.is_nil(r)
    assert.equal('labs.hl7: message 1, OBX[2]-5: "lots" is not a number', m)
    r, m = ibd:evaluate({ { name = "labs.hl7", text = LABS:gsub("20261120081500%+0100", "2026") } })
    assert.is_nil(r)
    assert.matches("^labs%.hl7: message 1, OBX%[1%]%-14: ", m)
    local rec = {}
    for k, v in pairs(REC) do rec[k] = v end
    rec.labs = { { test = "wbc", value = 5, unit = "kgs", date = "2026-11-20" } }
    r, m = ibd:evaluate({ { name = "labs.hl7", text = LABS }, { name = "p.json",
      text = require("aza.input.json").encode(rec) } })
    assert.is_nil(r)
    assert.matches("^p%.json: labs%[1%]%.unit: unknown unit 'kgs'", m)
  end)

  it("two sources that disagree on a scalar are an input error naming both", function()
    local rec = {}
    for k, v in pairs(REC) do rec[k] = v end
    rec.birth_date = "1980-03-13"
    local r, m = ibd:evaluate({ { name = "labs.hl7", text = LABS }, rec })
    assert.is_nil(r)
    assert.equal("birth_date: labs.hl7 (message 1, PID[1]) gives 1980-03-12, source 2 gives "
      .. "1980-03-13: the sources disagree", m)
    rec.birth_date, rec.weight = nil, "154 [lb_av]"   -- 69.85 kg: not 70 kg
    local heavy = LABS:gsub("OBX|5", "OBX|6|NM|29463-7^w^LN||70|kg|||||F|||20261120\rOBX|5")
    r, m = ibd:evaluate({ { name = "labs.hl7", text = heavy }, rec })
    assert.is_nil(r)
    -- OBX[5]: the fifth OBX segment of the message (its set id says 6)
    assert.matches("^weight: labs%.hl7 %(message 1, OBX%[5%]%) gives 70 kg", m)
    rec.weight = "70000 g"                               -- the same weight in grams agrees
    assert.truthy(ibd:evaluate({ { name = "labs.hl7", text = heavy }, rec }))
  end)

  it("genotypes merge gene by gene; a gene given twice differently is an error", function()
    local a = { id = "MRN1", genotype = { TPMT = "*1/*1" } }
    local b = { id = "MRN1", genotype = { NUDT15 = "*1/*1" } }
    local rec = assert(sources.read({ a, b }))
    assert.same({ TPMT = "*1/*1", NUDT15 = "*1/*1" }, rec.genotype)
    assert.same({ TPMT = "*1/*1" }, a.genotype)      -- the sources are not changed
    local r, m = sources.read({ a, { genotype = { TPMT = "*1/*3A" } } })
    assert.is_nil(r)
    assert.equal("genotype.TPMT: source 1 gives *1/*1, source 2 gives *1/*3A: the sources "
      .. "disagree", m)
  end)

  it("sources naming different patients are refused", function()
    local rec = {}
    for k, v in pairs(REC) do rec[k] = v end
    rec.id = "MRN2"
    local r, m = ibd:evaluate({ { name = "labs.hl7", text = LABS }, rec })
    assert.is_nil(r)
    assert.equal("labs.hl7 names patient MRN1, NHS99, source 2 names patient MRN2: not one "
      .. "patient", m)
  end)

  it("a result in two sources is kept once", function()
    local rec = {}
    for k, v in pairs(REC) do rec[k] = v end
    rec.labs = { { loinc = "751-8", value = "3.9", unit = "x10E9/L", date = "2026-11-20" } }
    local merged = assert(sources.read({ { name = "labs.hl7", text = LABS }, rec }))
    assert.equal(5, #merged.labs)
  end)

  it("aza evaluate takes several sources and --input", function()
    local function sink(into)
      return { write = function(_, ...) into[#into + 1] = table.concat({ ... }) end }
    end
    local function run(args)
      local out, err = {}, {}
      local code = cli.main(args, { stdout = sink(out), stderr = sink(err) })
      return code, table.concat(out), table.concat(err)
    end
    local code, out = run { "evaluate", "--protocol", "ibd", "--format", "json",
      "examples/sources/labs.hl7", "examples/sources/patient.json" }
    assert.equal(0, code)
    assert.matches('"decision": "proceed"', out)
    local c2, _, err = run { "evaluate", "--protocol", "ibd", "--input", "hl7v2",
      "examples/sources/patient.json" }
    assert.equal(2, c2)
    assert.matches("examples/sources/patient%.json: ", err)
    local c3, _, err3 = run { "evaluate", "--protocol", "ibd", "--input", "fhir",
      "examples/sources/patient.json" }
    assert.equal(2, c3)
    assert.matches("unknown input format 'fhir'", err3)
  end)
end)

describe("differential: HL7 v2 + record form = record form", function()
  local json = require "aza.input.json"
  for _, set in ipairs { { "examples/site/site_ibd.lua", "examples/site/cases.lua" },
                         { "examples/site/site_aih.lua", "examples/site/aih_cases.lua" } } do
    local p = assert(protocol.load(set[1]))
    local cases = assert(require("aza.cli.test").load_cases(set[2]))
    for _, case in ipairs(cases) do
      it(set[2] .. ": " .. case.name, function()
        local rec = case.patient
        local text, rest = to_hl7.split(rec)
        local opts = { as_of = case.as_of, trace = false }
        local a, am = p:evaluate(rec, opts)
        local b, bm = p:evaluate({ { name = "labs.hl7", text = text }, rest }, opts)
        assert.equal(am, bm)
        if a then
          a.warnings, b.warnings = nil, nil
          assert.equal(json.encode(a), json.encode(b))
        end
      end)
    end
  end
end)

describe("HL7 v2 reader under mutated input (a Lua-level fuzz)", function()
  local patient_opts = { as_of = "2026-11-21" }
  local f = assert(io.open("examples/sources/labs.hl7", "rb"))
  local base = f:read("*a")
  f:close()
  local CHARS = { "|", "^", "~", "\\", "&", "\r", "\n", "<", ">", "-", "+", ".", "0", "9", "X",
    "\0", "\255", "MSH|", "OBX|", "PID|" }
  it("2000 mutations: a patient or an input error, never a raise", function()
    local seed = 12345
    local function rand(n) -- Park-Miller: exact in doubles, the same on every interpreter
      seed = (seed * 16807) % 2147483647
      return seed % n + 1
    end
    local errors = 0
    for _ = 1, 2000 do
      local s = base
      for _ = 1, rand(4) do
        local at = rand(#s)
        local op = rand(3)
        if op == 1 then
          s = s:sub(1, at - 1) .. s:sub(at + rand(8))
        elseif op == 2 then
          s = s:sub(1, at - 1) .. CHARS[rand(#CHARS)] .. s:sub(at)
        else
          s = s:sub(1, at - 1) .. CHARS[rand(#CHARS)] .. s:sub(at + 1)
        end
      end
      local ok, pt, emsg = pcall(sources.normalise, { { name = "m.hl7", text = s } },
        patient_opts, "hl7v2")
      assert(ok, pt)
      if pt == nil then
        errors = errors + 1
        assert.equal("string", type(emsg))
        assert.matches("^m%.hl7", emsg)
      end
    end
    assert.is_true(errors > 0)
  end)
end)

-- aza.input.patient: validation and normalisation of the patient record (design §7).
-- Every number below is hand-checked; the working is in the comment beside it.
local patient = require "aza.input.patient"
local json = require "aza.input.json"

local FIX = "spec/fixtures/patients/"
local AS_OF = "2026-11-21"

-- a minimal record with `extra` fields merged in
local function rec(extra)
  local t = { as_of = AS_OF }
  for k, v in pairs(extra or {}) do
    t[k] = v
  end
  return t
end

local function ok(extra, opts)
  local r, msg = patient.normalise(rec(extra), opts)
  assert(r, msg)
  return r
end

local function lab(test, value, unit, date, more)
  local t = { test = test, value = value, unit = unit, date = date or "2026-11-20" }
  for k, v in pairs(more or {}) do
    t[k] = v
  end
  return t
end

local function has_message(list, text)
  for _, e in ipairs(list) do
    if (e.message or ""):find(text, 1, true) then
      return e
    end
  end
  return nil
end

-- assert the bad-input contract: nil, message, "E_INPUT", path
local function bad(extra, path, message, opts)
  local r, msg, code, p, errors = patient.normalise(rec(extra), opts)
  assert.is_nil(r)
  assert.equal("E_INPUT", code)
  assert.equal(path, p)
  assert.is_truthy(msg:find(message, 1, true), ("message %q lacks %q"):format(msg, message))
  assert.equal(path .. ":", msg:sub(1, #path + 1))
  assert.is_table(errors)
  return msg, errors
end

describe("aza.input.patient", function()
  describe("quantities", function()
    it("reads weight as text in kg", function()
      local r = ok { weight = "70 kg" }
      assert.equal(70, r.facts.weight)
      assert.equal("kg", r.units.weight)
      assert.equal("70 kg", r.given.weight)
    end)

    it("converts 176 [lb_av] to 79.83225712 kg (176 x 0.45359237)", function()
      local r = ok { weight = "176 [lb_av]" }
      assert.near(79.83225712, r.facts.weight, 1e-9)
      assert.equal("176 [lb_av]", r.given.weight)
    end)

    it("reads {value, unit} tables, and numeric strings in them", function()
      assert.equal(70, ok({ weight = { value = 70, unit = "kg" } }).facts.weight)
      assert.equal(70, ok({ weight = { value = "70", unit = "kg" } }).facts.weight)
      -- 70 [in_i] = 70 x 2.54 cm = 177.8 cm
      assert.near(177.8, ok({ height = { value = 70, unit = "[in_i]" } }).facts.height, 1e-9)
    end)

    it("converts height in m to cm (1.68 m = 168 cm)", function()
      assert.near(168, ok({ height = "1.68 m" }).facts.height, 1e-9)
    end)
  end)

  describe("lab units (clinical reference §3.3)", function()
    local r
    setup(function()
      r = assert(patient.from_file(FIX .. "unit-variants.json"))
    end)

    it("3200 /uL is 3.2 10*9/L (x 10^6 uL/L = 3.2e9 /L)", function()
      assert.near(3.2, r.facts.wbc, 1e-12)
      assert.equal("10*9/L", r.units.wbc)
    end)

    it("accepts the x10^9/L and K/uL lab spellings (120 K/uL = 120 10*9/L)", function()
      assert.near(1.9, r.facts.neutrophils, 1e-12)
      assert.near(120, r.facts.platelets, 1e-12)
    end)

    it("2.8 g/dL albumin is 28 g/L; 13.1 g/dL haemoglobin is 131 g/L", function()
      assert.near(28, r.facts.albumin, 1e-12)
      assert.near(131, r.facts.hemoglobin, 1e-12)
    end)

    it("1.2 mg/dL creatinine is 106.08 umol/L (12 mg/L / 113.12 g/mol; ref: x 88.4)", function()
      assert.near(106.082, r.facts.creatinine, 1e-3)
      assert.near(1.2 * 88.4, r.facts.creatinine, 0.01)
    end)

    it("1.0 mg/dL bilirubin is 17.10 umol/L (10 mg/L / 584.66 g/mol)", function()
      assert.near(17.104, r.facts.bilirubin, 1e-3)
    end)

    it("101.3 [degF] is 38.5 Cel ((101.3 - 32) x 5/9)", function()
      assert.near(38.5, r.facts.temperature, 1e-9)
      assert.equal("101.3 [degF]", r.given.temperature)
    end)

    it("reads a dimensionless INR without a unit", function()
      assert.near(1.1, r.facts.inr, 1e-12)
    end)

    it("converts umol/L creatinine without a substance and keeps the series", function()
      local s = r.series.creatinine
      assert.equal(2, #s)
      assert.equal("2026-03-01", s[1].date)
      assert.near(80, s[1].value, 1e-12)
    end)

    it("accepts x10E9/L, x10E3/uL and 10E9/L (laboratory spellings of 10*9/L, 10*3/uL)",
      function()
        local S = require "spec.support.scenario"
        local p = assert(patient.normalise(S.patient { labs = {
          wbc = S.lab(4.1, "x10E9/L"), neutrophils = S.lab(2.2, "10E9/L"),
          platelets = S.lab(210, "x10E3/uL") } }))
        assert.near(4.1, p.facts.wbc, 1e-12)
        assert.near(2.2, p.facts.neutrophils, 1e-12)
        assert.near(210, p.facts.platelets, 1e-12) -- 10*3/uL = 10*9/L
      end)

    it("reads G/L as 10*9/L for a cell count only, with a note; elsewhere it is gauss", function()
      local S = require "spec.support.scenario"
      local p = assert(patient.normalise(S.patient { labs = { wbc = S.lab(5.2, "G/L") } }))
      assert.near(5.2, p.facts.wbc, 1e-12)
      local noted = false
      for _, n in ipairs(p.notes) do
        noted = noted or (n.fact == "wbc" and n.message:find("G/L read as 10*9/L", 1, true) ~= nil)
      end
      assert.is_true(noted)
      local q, msg, code, path = patient.normalise(S.patient { labs = { alt = S.lab(20, "G/L") } })
      assert.is_nil(q)
      assert.equal("E_INPUT", code)
      assert.truthy(path:find("%.unit$"), path)
      assert.truthy(msg:find("G/L is not a unit of alt", 1, true), msg)
    end)

    it("converts the patient's own quantities too", function()
      assert.near(79.83225712, r.facts.weight, 1e-9)
      assert.near(177.8, r.facts.height, 1e-9)
    end)
  end)

  describe("LOINC codes", function()
    it("maps codes given as test or loinc to the test (6690-2 wbc, 751-8 neutrophils)", function()
      local r = assert(patient.from_file(FIX .. "unit-variants.json"))
      assert.near(3.2, r.facts.wbc, 1e-12)
      assert.equal("3200 /uL (LOINC 6690-2)", r.given.wbc)
      assert.equal("1.9 x10^9/L (LOINC 751-8)", r.given.neutrophils)
      assert.equal("80 umol/L", r.series.creatinine[1].given) -- given as LOINC 14682-9
    end)

    local codes = {
      ["6690-2"] = "wbc", ["751-8"] = "neutrophils", ["731-0"] = "lymphocytes",
      ["711-2"] = "eosinophils", ["777-3"] = "platelets", ["718-7"] = "hemoglobin",
      ["787-2"] = "mcv", ["1742-6"] = "alt", ["1920-8"] = "ast", ["6768-6"] = "alp",
      ["1975-2"] = "bilirubin", ["1751-7"] = "albumin", ["2160-0"] = "creatinine",
      ["33914-3"] = "egfr", ["62238-1"] = "egfr", ["98979-8"] = "egfr",
      ["8310-5"] = "temperature", ["6301-6"] = "inr",
    }
    local units = {
      wbc = "10*9/L", neutrophils = "10*9/L", lymphocytes = "10*9/L", eosinophils = "10*9/L",
      platelets = "10*9/L", hemoglobin = "g/L", mcv = "fL", alt = "U/L", ast = "U/L",
      alp = "U/L", bilirubin = "umol/L", albumin = "g/L", creatinine = "umol/L",
      egfr = "mL/min/{1.73_m2}", temperature = "Cel", inr = "1",
    }
    for code, test in pairs(codes) do
      it(("maps LOINC %s to %s"):format(code, test), function()
        -- a value inside every test's plausible range in its reference unit
        local value = ({ temperature = 37, hemoglobin = 130, mcv = 90, albumin = 40,
                         creatinine = 80, inr = 1 })[test] or 1
        local r = ok { labs = { lab(code, value, units[test]) } }
        assert.near(value, r.facts[test], 1e-12)
      end)
    end

    it("ignores a code it does not read, with a warning (770-8 is a percentage)", function()
      local r = ok { labs = { lab("770-8", 60, "%") } }
      assert.is_nil(r.facts.neutrophils)
      assert.is_truthy(has_message(r.warnings, "LOINC 770-8 is not a test aza reads"))
    end)

    it("rejects a LOINC code that contradicts the test name", function()
      bad({ labs = { lab("wbc", 3, "10*9/L", nil, { loinc = "751-8" }) } }, "labs[1].loinc",
        "LOINC 751-8 is neutrophils, not wbc")
    end)
  end)

  describe("lab series and derived facts", function()
    local r
    setup(function()
      r = assert(patient.from_file(FIX .. "active-ibd.json"))
    end)

    it("uses the latest result per test, whatever the input order", function()
      assert.near(4.2, r.facts.wbc, 1e-12)
      assert.equal("2026-11-01", r.facts["wbc.date"])
      assert.same({ "2026-08-01", "2026-11-01" },
        { r.series.wbc[1].date, r.series.wbc[2].date })
    end)

    it("gives day numbers for dates (2026-11-01 is day 20758 since 1970-01-01)", function()
      -- 2026-01-01 = 56 x 365 + 14 leap days = 20454; + 304 days to 1 November = 20758
      assert.equal(20758, r.days["wbc.date"])
      assert.equal(20778, r.as_of_day) -- 2026-11-21
    end)

    it("counts days since each lab (2026-11-01 to 2026-11-21 = 20)", function()
      assert.equal(20, r.derived["wbc.days_since"])
      assert.equal(20, r.derived["creatinine.days_since"])
    end)

    it("gives the creatinine rise within 365 days: (96 - 80) / 80 = 20 %", function()
      -- 75 umol/L on 2025-11-20 is 366 days before as_of: outside the window
      assert.near(20, r.derived["creatinine.rise_percent_365d"], 1e-9)
    end)

    it("includes a result exactly 365 days old: (96 - 75) / 75 = 28 %", function()
      local p = json.decode(io.open(FIX .. "active-ibd.json"):read("*a"))
      p.labs[1].date = "2025-11-21"
      local r2 = assert(patient.normalise(p))
      assert.near(28, r2.derived["creatinine.rise_percent_365d"], 1e-9)
    end)

    it("gives no rise from a single result", function()
      local r2 = ok { labs = { lab("creatinine", 90, "umol/L") } }
      assert.is_nil(r2.derived["creatinine.rise_percent_365d"])
    end)

    it("counts weeks on azathioprine (2026-01-10 to 2026-11-21 = 315 d = 45 wk)", function()
      assert.equal(315, r.derived["azathioprine.days"])
      assert.near(45, r.derived["azathioprine.weeks"], 1e-12)
      assert.equal("2026-01-10", r.facts["azathioprine.started"])
    end)

    it("reads uln and lln in the result's unit", function()
      local r2 = ok { labs = { lab("creatinine", 1.2, "mg/dL", nil,
        { uln = 1.1, lln = "0.5 mg/dL" }) } }
      assert.near(1.1 * 88.40169731, r2.facts["creatinine.uln"], 1e-6)
      assert.near(0.5 * 88.40169731, r2.facts["creatinine.lln"], 1e-6)
    end)

    it("leaves a test unknown when two results of one day differ, in either order", function()
      -- which one is right cannot be told from the order of a list: repeat the test
      for _, labs in ipairs { { lab("wbc", 3.0, "10*9/L"), lab("wbc", 3.4, "10*9/L") },
                              { lab("wbc", 3.4, "10*9/L"), lab("wbc", 3.0, "10*9/L") } } do
        local r2 = ok { labs = labs }
        assert.is_nil(r2.facts.wbc)
        assert.equal(1, #r2.conflicts)
        assert.equal(1, #r2.lab_conflicts)
        assert.equal("wbc", r2.lab_conflicts[1].test)
        assert.matches("two different results on 2026%-11%-20 %(3%.?4? 10%*9/L", r2.conflicts[1]
          .message)
        assert.matches("repeat the test; neither is used", r2.conflicts[1].message)
      end
      -- the same value twice is no conflict
      local r3 = ok { labs = { lab("wbc", 3.4, "10*9/L"), lab("wbc", 3.4, "10*9/L") } }
      assert.near(3.4, r3.facts.wbc, 1e-12)
      assert.equal(0, #r3.lab_conflicts)
    end)

    it("refuses a Lua-table record that JSON could not be: bad UTF-8, a cycle", function()
      assert.fails_with("E_INPUT", "id: not valid UTF-8 at byte 2",
        patient.normalise(rec { id = "x\255y" }))
      assert.fails_with("E_INPUT", "symptoms[2]: not valid UTF-8 at byte 4",
        patient.normalise(rec { symptoms = { "fever", "bad\192" } }))
      local t = rec {}
      t.labs = { { test = "wbc" } }
      t.labs[2] = t.labs
      assert.fails_with("E_INPUT", "labs[2]: the same table appears twice",
        patient.normalise(t))
    end)

    it("refuses lists longer than a patient record may hold, before reading them", function()
      local many = {}
      for i = 1, 500000 do
        many[i] = "sore_throat"
      end
      local t0 = os.clock()
      local res, msg, code, where = patient.normalise(rec { symptoms = many })
      assert.is_nil(res)
      assert.equal("E_INPUT", code)
      assert.equal("symptoms", where)
      assert.equal("symptoms: 500000 entries, more than the 1000 a patient record may hold", msg)
      assert.is_true(os.clock() - t0 < 1)
    end)

    it("refuses implausible values with the likely unit slip, limits that cannot be", function()
      local function fails(entry, path, message)
        local res, msg, code, where = patient.normalise(rec { birth_date = "1980-05-01",
          labs = { entry } })
        assert.is_nil(res)
        assert.equal("E_INPUT", code)
        assert.equal(path, where)
        assert.is_truthy(msg:find(message, 1, true), msg)
      end
      fails(lab("wbc", 6800, "10*9/L"), "labs[1].value", "6800 10*9/L is not a plausible white "
        .. "blood cell count (0-1000 10*9/L); did you mean /uL?")
      fails(lab("wbc", 1e308, "10*9/L"), "labs[1].value", "is not a plausible white blood")
      fails(lab("creatinine", 1.2, "umol/L"), "labs[1].value", "did you mean mg/dL?")
      fails(lab("albumin", 3.8, "g/L"), "labs[1].value", "did you mean g/dL?")
      local alt = lab("alt", 30, "U/L")
      alt.uln = -40
      fails(alt, "labs[1].uln", "-40 U/L is not a positive limit")
      alt.uln = 0
      fails(alt, "labs[1].uln", "0 U/L is not a positive limit")
      alt.uln, alt.lln = 40, 50
      fails(alt, "labs[1].lln", "50 U/L is not below the uln 40 U/L")
      fails(lab("wbc", 5, "10*9/L", "1900-01-01"), "labs[1].date",
        "1900-01-01 is before the birth date")
    end)

    it("refuses a result, transfusion or TPMT activity dated after as_of", function()
      -- a date from the future is a data error, never quietly left out
      assert.fails_with("E_INPUT", "labs[1].date: 2026-11-22 is after as_of 2026-11-21",
        patient.normalise(rec { labs = { lab("wbc", 3.0, "10*9/L", "2026-11-22") } }))
      assert.fails_with("E_INPUT", "transfusion_date: 2026-12-01 is after as_of 2026-11-21",
        patient.normalise(rec { transfusion_date = "2026-12-01" }))
      assert.fails_with("E_INPUT", "tpmt_activity.date: 2026-12-01 is after as_of 2026-11-21",
        patient.normalise(rec { tpmt_activity = { value = 30, unit = "nmol/h/g{Hb}",
          method = "st_thomas", date = "2026-12-01" } }))
    end)
  end)

  describe("dates and age", function()
    it("computes age in completed years (1980-05-01 at 2026-11-21 is 46)", function()
      assert.equal(46, ok({ birth_date = "1980-05-01" }).facts.age)
      assert.equal(45, ok({ birth_date = "1980-11-22" }).facts.age)
      assert.equal(46, ok({ birth_date = "1980-11-21" }).facts.age)
    end)

    it("handles a 29 February birthday (24 on 2025-02-28, 25 on 2025-03-01)", function()
      assert.equal(24, ok({ birth_date = "2000-02-29", as_of = "2025-02-28" }).facts.age)
      assert.equal(25, ok({ birth_date = "2000-02-29", as_of = "2025-03-01" }).facts.age)
    end)

    it("parses calendar dates and gives day numbers", function()
      assert.equal(0, patient.parse_date("1970-01-01").n)
      assert.equal(11017, patient.parse_date("2000-03-01").n) -- 10957 + 31 + 29
      assert.equal(19782, patient.parse_date("2024-02-29").n)
      assert.is_nil(patient.parse_date("2023-02-29"))
      assert.is_nil(patient.parse_date("2026-04-31"))
      assert.is_nil(patient.parse_date("2026-1-01"))
      assert.is_nil(patient.parse_date("2026-11-21T10:00"))
    end)
  end)

  describe("as_of", function()
    it("uses the record's as_of", function()
      local r = ok {}
      assert.equal(AS_OF, r.as_of)
      assert.same({}, r.notes)
    end)

    it("lets opts.as_of replace the record's, with a note", function()
      local r = ok({}, { as_of = "2026-12-01" })
      assert.equal("2026-12-01", r.as_of)
      assert.is_truthy(has_message(r.notes, "replaces the record's"))
    end)

    it("defaults to today only when absent, with a note", function()
      local r = assert(patient.normalise({ weight = "70 kg" }))
      assert.equal(os.date("%Y-%m-%d"), r.as_of)
      assert.is_truthy(has_message(r.notes, "as_of not given"))
      local r2 = assert(patient.normalise({ weight = "70 kg" }, { today = "2026-01-05" }))
      assert.equal("2026-01-05", r2.as_of)
    end)

    it("rejects an impossible as_of", function()
      bad({ as_of = "2026-02-29" }, "as_of", "as_of: 2026-02-29 is not a calendar date")
    end)
  end)

  describe("pharmacogenomics", function()
    it("derives phenotypes from diplotypes (CPIC by default)", function()
      local r = ok { genotype = { TPMT = "*1/*3A", NUDT15 = "*1/*1" } }
      assert.equal("intermediate", r.facts["tpmt.phenotype"])
      assert.equal("normal", r.facts["nudt15.phenotype"])
      -- the allele table and its data version, as the trace shows them
      assert.equal("genotype *1/*3A (CPIC 2025-11-05)", r.given["tpmt.phenotype"])
      assert.equal("cpic", r.profile)
    end)

    it("uses the DPWG profile when asked (TPMT *1/*8: CPIC indeterminate, DPWG IM)", function()
      assert.equal("indeterminate",
        ok({ genotype = { TPMT = "*1/*8" } }).facts["tpmt.phenotype"])
      local r = ok({ genotype = { TPMT = "*1/*8" } }, { profile = "dpwg" })
      assert.equal("intermediate", r.facts["tpmt.phenotype"])
      assert.equal("dpwg", r.profile)
    end)

    it("keeps an unknown allele indeterminate, with a note, not an error", function()
      local r = ok { genotype = { NUDT15 = "*1/*77" } }
      assert.equal("indeterminate", r.facts["nudt15.phenotype"])
      assert.is_truthy(has_message(r.notes, "NUDT15 *77 is not in the CPIC"))
    end)

    it("reads a reported phenotype word", function()
      local r = ok { phenotype = { TPMT = "Intermediate", nudt15 = "normal" } }
      assert.equal("intermediate", r.facts["tpmt.phenotype"])
      assert.equal("normal", r.facts["nudt15.phenotype"])
    end)

    it("derives TPMT from activity when there is no genotype (18 -> intermediate)", function()
      local r = ok { tpmt_activity = { value = 18, unit = "nmol/h/g{Hb}", date = "2026-10-02" } }
      assert.equal("intermediate", r.facts["tpmt.phenotype"])
      assert.equal(18, r.facts["tpmt.activity"])
      assert.equal("nmol/h/g{Hb}", r.units["tpmt.activity"])
      assert.equal("st_thomas", r.facts["tpmt.method"])
      assert.equal("2026-10-02", r.facts["tpmt.activity.date"])
    end)

    it("derives TPMT from activity when the genotype is indeterminate", function()
      local r = ok { genotype = { TPMT = "*1/*8" }, tpmt_activity = "30 nmol/h/g{Hb}" }
      assert.equal("normal", r.facts["tpmt.phenotype"])
      assert.is_truthy(has_message(r.notes, "genotype *1/*8 (CPIC 2025-11-05) is indeterminate"))
    end)

    it("puts 25.5 nmol/h/g{Hb} in the lower (intermediate) band, with a note", function()
      local r = ok { tpmt_activity = "25.5 nmol/h/g{Hb}" }
      assert.equal("intermediate", r.facts["tpmt.phenotype"])
      assert.is_truthy(has_message(r.notes, "between the published bands"))
    end)

    it("invalidates activity sampled within 120 days after a transfusion", function()
      local r = assert(patient.from_file(FIX .. "tpmt-transfusion.json"))
      -- 2026-09-01 to 2026-10-02 = 31 days
      assert.is_nil(r.facts["tpmt.phenotype"])
      assert.is_nil(r.facts["tpmt.activity"])
      assert.equal("2026-09-01", r.facts["transfusion.date"])
      assert.is_truthy(has_message(r.warnings, "sampled 31 days after a red-cell transfusion"))
      local nd = has_message(r.notes, "TPMT status not determined")
      assert.equal("need_data", nd.kind)
      assert.equal("tpmt.phenotype", nd.fact)
    end)

    it("counts day 120 as invalid and day 121 as valid", function()
      local act = { value = 18, unit = "nmol/h/g{Hb}", date = "2026-10-02" }
      -- 2026-06-04 to 2026-10-02: 26 + 31 + 31 + 30 + 2 = 120 days
      local r = ok { tpmt_activity = act, transfusion_date = "2026-06-04" }
      assert.is_nil(r.facts["tpmt.phenotype"])
      local r2 = ok { tpmt_activity = act, transfusion_date = "2026-06-03" }
      assert.equal("intermediate", r2.facts["tpmt.phenotype"])
    end)

    it("keeps activity taken before a transfusion", function()
      local r = ok { tpmt_activity = { value = 18, unit = "nmol/h/g{Hb}", date = "2026-08-01" },
                     transfusion_date = "2026-09-01" }
      assert.equal("intermediate", r.facts["tpmt.phenotype"])
    end)

    it("does not use undated activity when a transfusion is recorded", function()
      local r = ok { tpmt_activity = "18 nmol/h/g{Hb}", transfusion_date = "2026-09-01" }
      assert.is_nil(r.facts["tpmt.phenotype"])
      assert.is_truthy(has_message(r.warnings, "cannot be shown valid"))
    end)

    it("records genotype normal + activity low as a conflict and keeps both", function()
      local r = assert(patient.from_file(FIX .. "tpmt-conflict.json"))
      assert.equal("normal", r.facts["tpmt.phenotype"])
      assert.equal(8, r.facts["tpmt.activity"])
      assert.equal(1, #r.conflicts)
      local c = r.conflicts[1]
      assert.equal("tpmt.phenotype", c.fact)
      assert.same({ genotype = "normal", activity = "poor" }, c.values)
      assert.is_truthy(has_message(r.warnings, "gives normal but activity 8"))
      assert.equal("conflict", has_message(r.notes, "both are kept").kind)
    end)

    it("treats intermediate and possible intermediate as agreeing", function()
      local r = ok { genotype = { TPMT = "*3A/*30" }, phenotype = { TPMT = "intermediate" } }
      assert.equal("possible_intermediate", r.facts["tpmt.phenotype"])
      assert.same({}, r.conflicts)
    end)
  end)

  describe("medications, sets and azathioprine", function()
    local r
    setup(function()
      r = assert(patient.from_file(FIX .. "active-ibd.json"))
    end)

    it("sorts medications by status into sets of names, ATC codes and classes", function()
      -- rules/data/medications.lua: ramipril C09AA05 is an ACE inhibitor;
      -- allopurinol M04AA01 a xanthine-oxidase inhibitor
      assert.same({ "ramipril", "C09AA05", "ace_inhibitor" }, r.facts["medications.active"])
      assert.same({ "allopurinol", "M04AA01", "xanthine_oxidase_inhibitor", "allopurinol_like" },
                  r.facts["medications.planned"])
    end)

    it("reads an active patient's current dose in mg/d", function()
      assert.equal("active", r.facts["azathioprine.status"])
      assert.equal(75, r.facts["azathioprine.dose"])
      assert.equal(21, r.facts["azathioprine.cumulative"])
    end)

    it("keeps a naive patient's dose out of the facts, with a note", function()
      local r2 = ok { azathioprine = { status = "naive", dose = "150 mg/d" } }
      assert.equal("naive", r2.facts["azathioprine.status"])
      assert.is_nil(r2.facts["azathioprine.dose"])
      assert.is_truthy(has_message(r2.notes, "not a current dose"))
    end)

    it("converts cumulative exposure to g (420000 mg = 420 g)", function()
      local r2 = ok { azathioprine = { status = "active", dose = "150 mg/d",
                                        cumulative = "420000 mg" } }
      assert.near(420, r2.facts["azathioprine.cumulative"], 1e-9)
    end)

    it("normalises words of sets and keeps them as arrays", function()
      local r2 = ok { symptoms = { "Sore throat", "sore_throat", "unexplained-bruising" },
                      ancestry = { "East Asian" }, vaccines_planned = { "Yellow fever" },
                      allergies = { "Mercaptopurine" }, conditions = {} }
      assert.same({ "sore_throat", "unexplained_bruising" }, r2.facts.symptoms)
      assert.same({ "east_asian" }, r2.facts.ancestry)
      assert.same({ "yellow_fever", "live_vaccine" }, r2.facts["vaccines.planned"])
      assert.same({ "mercaptopurine", "thiopurine" }, r2.facts.allergies)
      assert.same({}, r2.facts.conditions)
    end)

    it("reads booleans and sex", function()
      local r2 = ok { pregnant = true, breastfeeding = false, sex = "Female" }
      assert.is_true(r2.facts.pregnant)
      assert.is_false(r2.facts.breastfeeding)
      assert.equal("female", r2.facts.sex)
    end)
  end)

  describe("JSON null, unknown fields and the example", function()
    it("treats null as not given, distinct from absent in `given`", function()
      local r = assert(patient.from_file(FIX .. "nulls-and-extras.json"))
      assert.is_nil(r.facts.height)
      assert.equal("null", r.given.height)
      assert.is_nil(r.given.breastfeeding)
      assert.is_nil(r.facts["nudt15.phenotype"])
      assert.equal("17", r.id)
    end)

    it("ignores unknown fields with a warning", function()
      local r = assert(patient.from_file(FIX .. "nulls-and-extras.json"))
      local w = has_message(r.warnings, "unknown field 'foo' ignored")
      assert.equal("foo", w.path)
      assert.equal("foo: unknown field 'foo' ignored", w.text)
      assert.is_truthy(has_message(r.warnings, "unknown field 'flag' ignored"))
      assert.is_truthy(has_message(r.warnings, "unknown gene 'CYP2D6' ignored"))
      assert.is_truthy(has_message(r.warnings, "unknown lab test 'crp' ignored"))
      assert.near(6.1, r.facts.wbc, 1e-12)
    end)

    it("reads the bundled IBD new-start example", function()
      local r = assert(patient.from_file("examples/patients/ibd-new-start.json"))
      assert.equal(70, r.facts.weight)
      assert.equal("normal", r.facts["tpmt.phenotype"])
      assert.equal("normal", r.facts["nudt15.phenotype"])
      assert.equal("naive", r.facts["azathioprine.status"])
      assert.same({}, r.warnings)
      assert.same({}, r.conflicts)
      for _, test in ipairs({ "wbc", "neutrophils", "lymphocytes", "platelets", "alt", "ast" }) do
        assert.is_true(r.derived[test .. ".days_since"] <= 28, test)
      end
      assert.same({ "prednisolone", "colecalciferol" }, r.facts["medications.active"])
    end)
  end)

  describe("entry points", function()
    it("from_json() reads text and reports JSON errors", function()
      local r = assert(patient.from_json('{"as_of": "2026-11-21", "weight": "70 kg"}'))
      assert.equal(70, r.facts.weight)
      local _, msg, code = patient.from_json("{bad")
      assert.equal("E_INPUT", code)
      assert.matches("^patient JSON: ", msg)
    end)

    it("from_file() reports a missing file", function()
      local _, msg, code = patient.from_file(FIX .. "no-such-file.json")
      assert.equal("E_INPUT", code)
      assert.matches("^patient file: ", msg)
    end)

    it("from_file() reads a bad record and reports its path", function()
      local _, msg, code, path = patient.from_file(FIX .. "bad-weight.json")
      assert.equal("E_INPUT", code)
      assert.equal("weight", path)
      assert.equal("weight: -70 kg is not a positive mass", msg)
    end)

    it("read() takes a table, JSON text or a path", function()
      assert.equal(70, assert(patient.read(rec { weight = "70 kg" })).facts.weight)
      assert.equal(70, assert(patient.read('{"as_of":"2026-11-21","weight":"70 kg"}'))
        .facts.weight)
      assert.equal(70, assert(patient.read("examples/patients/ibd-new-start.json")).facts.weight)
    end)

    it("to_facts() gives the evaluator's facts: as_of, readings lists, activity unit", function()
      local r = assert(patient.from_file(FIX .. "active-ibd.json"))
      local f = patient.to_facts(r)
      assert.equal("2026-11-21", f.as_of)
      assert.equal("active", f["azathioprine.status"])
      -- creatinine has three dated results: a readings list, oldest first
      assert.equal(3, #f.creatinine)
      assert.same({ value = 75, unit = "umol/L", date = "2025-11-20" }, f.creatinine[1])
      local c = assert(patient.from_file(FIX .. "tpmt-conflict.json"))
      assert.same({ value = 8, unit = "nmol/h/g{Hb}" }, patient.to_facts(c)["tpmt.activity"])
      -- a single result stays a number
      assert.equal(8, c.facts["tpmt.activity"])
    end)

    it("rejects what is not a patient object", function()
      local _, msg, code = patient.normalise({ 1, 2 })
      assert.equal("E_INPUT", code)
      assert.matches("is not a patient object", msg)
      local _, msg2, code2 = patient.from_json("[1, 2]")
      assert.equal("E_INPUT", code2)
      assert.matches("is not a patient object", msg2)
    end)
  end)

  describe("bad input: nil, message naming the path, E_INPUT, path", function()
    local cases = {
      { "weight: -70 kg", { weight = "-70 kg" }, "weight",
        "weight: -70 kg is not a positive mass" },
      { "weight: {value = -70}", { weight = { value = -70, unit = "kg" } }, "weight",
        "weight: -70 kg is not a positive mass" },
      { "weight: 70 mg/kg", { weight = "70 mg/kg" }, "weight",
        "weight: 70 mg/kg is not a mass (mass/mass)" },
      { "weight: 70 (no unit)", { weight = 70 }, "weight", "weight: 70 has no unit" },
      { "weight: 70 g (implausible)", { weight = "70 g" }, "weight",
        "weight: 70 g is not a plausible body weight (0.5-500 kg)" },
      { "weight: unknown unit", { weight = "70 kgs" }, "weight", "unknown unit 'kgs' at 4" },
      { "weight.value not a number", { weight = { value = "abc", unit = "kg" } },
        "weight.value", 'weight.value: "abc" is not a number' },
      { "height: 170 kg", { height = "170 kg" }, "height",
        "height: 170 kg is not a length (mass)" },
      { "lab unit unknown", { labs = { lab("wbc", 3, "10*9/L"), lab("wbc", 3, "kgs") } },
        "labs[2].unit", "labs[2].unit: unknown unit 'kgs' at 1" },
      { "lab value not a number", { labs = { lab("wbc", "abc", "10*9/L") } }, "labs[1].value",
        'labs[1].value: "abc" is not a number' },
      { "lab unit of another dimension", { labs = { lab("wbc", 3, "mg") } }, "labs[1].unit",
        "labs[1].unit: mg is not a unit of wbc (10*9/L)" },
      { "eGFR without its annotation", { labs = { lab("egfr", 50, "mL/min") } },
        "labs[1].unit", "labs[1].unit: mL/min is not a unit of egfr" },
      { "lab without a date", { labs = { { test = "wbc", value = 3, unit = "10*9/L" } } },
        "labs[1].date", "labs[1].date: missing date" },
      { "lab with an impossible date", { labs = { lab("wbc", 3, "10*9/L", "2026-02-30") } },
        "labs[1].date", "labs[1].date: 2026-02-30 is not a calendar date" },
      { "negative lab value", { labs = { lab("wbc", -3, "10*9/L") } }, "labs[1].value",
        "labs[1].value: -3 10*9/L is negative" },
      { "temperature in degF written as Cel", { labs = { lab("temperature", 101.3, "Cel") } },
        "labs[1].value", "is not a plausible body temperature" },
      { "lab without a unit", { labs = { { test = "wbc", value = 3, date = "2026-11-20" } } },
        "labs[1].unit", "labs[1].unit: missing unit (wbc is in 10*9/L)" },
      { "birth_date 2026-02-30", { birth_date = "2026-02-30" }, "birth_date",
        "birth_date: 2026-02-30 is not a calendar date" },
      { "birth_date not ISO", { birth_date = "01/05/1980" }, "birth_date",
        "birth_date: '01/05/1980' is not a date (YYYY-MM-DD)" },
      { "birth_date after as_of", { birth_date = "2027-01-01" }, "birth_date",
        "birth_date: 2027-01-01 is after as_of 2026-11-21" },
      { "phenotype word", { phenotype = { TPMT = "slow" } }, "phenotype.TPMT",
        "phenotype.TPMT: unknown phenotype word 'slow'" },
      { "diplotype", { genotype = { TPMT = "*1/" } }, "genotype.TPMT",
        "genotype.TPMT: '*1/' is not a diplotype" },
      { "NUDT15 diplotype", { genotype = { NUDT15 = "1/3" } }, "genotype.NUDT15",
        "genotype.NUDT15: '1/3' is not a diplotype" },
      { "TPMT activity in another basis", { tpmt_activity = { value = 18, unit = "U/mL{RBC}" } },
        "tpmt_activity", "is not a TPMT activity in nmol/h/g{Hb} (method st_thomas)" },
      { "TPMT activity method", { tpmt_activity = { value = 18, unit = "nmol/h/g{Hb}",
        method = "guess" } }, "tpmt_activity.method", "unknown TPMT activity method 'guess'" },
      { "medication without status", { medications = { { name = "allopurinol" } } },
        "medications[1].status", "medications[1].status: missing (active, planned or stopped)" },
      { "azathioprine dose in mg", { azathioprine = { status = "active", dose = "150 mg" } },
        "azathioprine.dose", "azathioprine.dose: 150 mg is not a daily dose (mass)" },
      { "azathioprine status", { azathioprine = { status = "on" } }, "azathioprine.status",
        'azathioprine.status: unknown status "on"' },
      { "active patient started after as_of", { azathioprine = { status = "active",
        started = "2026-12-01" } }, "azathioprine.started",
        "azathioprine.started: 2026-12-01 is after as_of 2026-11-21 for a active patient" },
      { "pregnant as text", { pregnant = "yes" }, "pregnant",
        'pregnant: "yes" is not a boolean' },
      { "sex word", { sex = "f" }, "sex", "sex: unknown word 'f'" },
      { "set not a list", { ancestry = "east_asian" }, "ancestry",
        'ancestry: "east_asian" is not a list of strings' },
      { "set item not a string", { symptoms = { "fever", 3 } }, "symptoms[2]",
        "symptoms[2]: 3 is not a non-empty string" },
    }
    for _, c in ipairs(cases) do
      it(c[1], function()
        bad(c[2], c[3], c[4])
      end)
    end

    it("collects every error, the first one in the message", function()
      local msg, errors = bad({ weight = "-70 kg", birth_date = "2026-02-30" }, "birth_date",
        "birth_date: 2026-02-30 is not a calendar date")
      assert.equal(2, #errors)
      assert.equal("weight", errors[2].path)
      assert.is_string(msg)
    end)

    it("never returns a partial result", function()
      local r = patient.normalise(rec { weight = "70 kg", labs = { lab("wbc", "x", "10*9/L") } })
      assert.is_nil(r)
    end)

    it("rejects an unknown profile option", function()
      bad({}, "profile (option)", "unknown pharmacogenomic profile 'nice'", { profile = "nice" })
    end)
  end)

  describe("aza.input.json", function()
    it("keeps null distinct from absent", function()
      local t = assert(json.decode('{"height": null}'))
      assert.is_true(json.is_null(t.height))
      assert.is_nil(t.weight)
      assert.is_false(json.is_null(t.weight))
    end)

    it("wraps decode errors as E_INPUT", function()
      assert.fails_with("E_INPUT", "patient JSON: ", json.decode("{bad"))
      assert.fails_with("E_INPUT", "patient JSON: ", json.decode('{"a": NaN}'))
      assert.fails_with("E_INPUT", "patient JSON: text expected", json.decode(42))
    end)

    it("encodes tables", function()
      assert.equal('{"a":1}', json.encode({ a = 1 }))
    end)
  end)

  describe("num()", function()
    it("formats numbers for messages", function()
      assert.equal("70", patient.num(70.0))
      assert.equal("-70", patient.num(-70))
      assert.equal("0.1", patient.num(0.1))
      assert.equal("79.83225712", patient.num(79.83225712))
      assert.equal("0.30000000000000004", patient.num(0.1 + 0.2))
    end)
  end)
end)

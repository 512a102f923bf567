-- Renderers: deterministic JSON (aza.render.json) and the pharmacist's text (aza.render.text).
local json = require "aza.render.json"
local text = require "aza.render.text"

-- the text with wrapped lines joined again
local function flat(s)
  return (s:gsub("\n +", " "))
end

describe("aza.render.json", function()
  it("sorts object keys and keeps arrays in order", function()
    assert.are.equal('{"a":[3,1,2],"b":{"x":true,"y":"z"},"c":1}',
      json.encode({ c = 1, b = { y = "z", x = true }, a = { 3, 1, 2 } }))
  end)

  it("gives the same text whatever order the keys were inserted in", function()
    local a, b = {}, {}
    for i = 1, 50 do
      a["k" .. i] = i
    end
    for i = 50, 1, -1 do
      b["k" .. i] = i
    end
    assert.are.equal(json.encode(a), json.encode(b))
  end)

  it("writes an empty table as [] unless marked as an object", function()
    assert.are.equal('{"a":[],"b":{}}', json.encode({ a = {}, b = json.object() }))
  end)

  it("writes numbers in their shortest exact form", function()
    assert.are.equal("[150,2.14,0.30000000000000004,-3,37.5,1e+300]",
      json.encode({ 150.0, 2.14, 0.1 + 0.2, -3, 37.5, 1e300 }))
    assert.are.equal("2.142857142857143", json.number(150 / 70))
    assert.are.equal(150 / 70, tonumber(json.number(150 / 70)))
  end)

  it("escapes strings as JSON requires and keeps UTF-8", function()
    assert.are.equal('"a\\"b\\\\c\\nd\\u0001 × –"', json.encode("a\"b\\c\nd\1 × –"))
  end)

  it("refuses values JSON cannot hold", function()
    assert.fails_with("E_ARG", "not a JSON number", json.encode({ 0 / 0 }))
    assert.fails_with("E_ARG", "not a JSON number", json.encode({ math.huge }))
    assert.fails_with("E_ARG", "function", json.encode({ f = print }))
    local t = {}
    t.self = t
    assert.fails_with("E_ARG", "contains itself", json.encode(t))
  end)

  it("writes null for the cjson null and numeric keys of a sparse table as strings",
    function()
      assert.are.equal('{"1":"a","3":"c"}', json.encode({ [1] = "a", [3] = "c" }))
      assert.are.equal("[null]", json.encode({ json.null }))
    end)

  it("renders indented JSON with a final newline", function()
    assert.are.equal('{\n  "a": [\n    1,\n    {\n      "b": 2\n    }\n  ]\n}\n',
      json.render({ a = { 1, { b = 2 } } }))
  end)
end)

-- a result as the pipeline gives it (design §7), built by hand
local function proceed_result()
  return {
    patient = "p1", as_of = "2026-11-21",
    protocol = { id = "ibd", version = "2026.1", hash = "0123456789abcdef" },
    decision = "proceed",
    dose = {
      target_mg_per_day = 150, target_mg_per_kg_per_day = 2.14, band_mg_per_day = { 140, 175 },
      basis = "weight", regimen = { text = "3 × 50 mg once daily" },
      titration = { { mg_per_day = 50, week = 0 }, { mg_per_day = 100, week = 2 },
                    { mg_per_day = 150, week = 4 } },
      modifiers = {},
    },
    monitoring = {
      { source = "protocol", tests = { "fbc", "lft", "ue" }, at_weeks = { 2, 4, 8, 12 } },
      { source = "protocol", tests = { "fbc", "lft", "ue" }, every = "3 mo" },
      { source = "rule", id = "nudt15-untested", tests = { "fbc" }, every_days = 7, weeks = 4,
        cite = "CPIC 2025" },
    },
    alerts = {
      { id = "nudt15-untested", kind = "pharmacogenomic", severity = "warning",
        message = "NUDT15 not tested", cite = "CPIC 2025" },
      { id = "x", kind = "lab", severity = "critical", message = "Critical first", cite = "BSR" },
    },
    need_data = {},
    counselling = { { id = "food", text = "Take with food.", cite = "BNF" } },
    warnings = { { path = "foo", message = "unknown field 'foo' ignored",
                   text = "foo: unknown field 'foo' ignored" } },
    trace = {
      { kind = "protocol", id = "ibd" },
      { kind = "rule", rule = "tpmt-normal", outcome = "true", cite = "CPIC 2025 T4" },
      { kind = "rule", rule = "wbc-low", outcome = "false", cite = "BSR 2017" },
      { kind = "rule", rule = "weight-band", outcome = "true", cite = "BSG 2019" },
      { kind = "dose", what = "standard dose", why = "parameters.dose", cite = "BSG 2019",
        detail = "2 mg/kg/day × 70 kg = 140 mg/day; nearest_in_band → 150 mg/day" },
      { kind = "dose", what = "titration", why = "parameters.titration", detail = "…" },
    },
  }
end

describe("aza.render.text", function()
  it("prints the plan of design §1", function()
    assert.are.equal(table.concat({
      "Decision: proceed — start azathioprine",
      "Target:   150 mg/day (2.14 mg/kg/day; band 140–175 mg) as 3 × 50 mg once daily",
      "Titrate:  50 mg/day weeks 0–1, 100 mg/day weeks 2–3, 150 mg/day from week 4",
      "Monitor:  FBC + LFT + U&E at weeks 2, 4, 8, 12, then every 3 months",
      "          FBC every week for 4 weeks (nudt15-untested; CPIC 2025)",
      "Alerts:   [critical] Critical first (BSR)",
      "          [warning] NUDT15 not tested (CPIC 2025)",
      "Counsel:  Take with food. (BNF)",
      "Why:      tpmt-normal (CPIC 2025 T4) · weight-band (BSG 2019)",
      "Dose:     standard dose (parameters.dose): 2 mg/kg/day × 70 kg = 140 mg/day; "
        .. "nearest_in_band →",
      "            150 mg/day (BSG 2019)",
      "Warnings: foo: unknown field 'foo' ignored",
      "Patient:  p1, as of 2026-11-21",
      "Protocol: ibd 2026.1 (hash 0123456789abcdef)",
    }, "\n") .. "\n", text.render(proceed_result()))
  end)

  it("uses the protocol's schedule texts, joining 'then …' to the line before", function()
    local r = proceed_result()
    r.monitoring = {
      { source = "protocol", tests = { "fbc" }, at_weeks = { 2 }, text = "FBC at week 2",
        cite = "SPS" },
      { source = "protocol", tests = { "fbc" }, every = "3 mo", text = "then every 3 months" },
    }
    assert.matches("\nMonitor:  FBC at week 2, then every 3 months %(SPS%)\n", text.render(r))
  end)

  it("marks a dose under withhold or need_data as not to be given now", function()
    local r = proceed_result()
    r.decision, r.decision_by = "withhold", "wbc-low"
    local out = flat(text.render(r))
    assert.matches("^Decision: withhold — do not give azathioprine now %(wbc%-low%)\n", out)
    assert.matches("once daily — on hold: not to be given now\n", out)
    r.decision = "need_data"
    r.need_data = { "tpmt.phenotype", "weight" }
    out = text.render(r)
    assert.matches("— provisional: not to be given until the data below are complete", flat(out))
    assert.matches("\nNeed data: tpmt%.phenotype %(TPMT metaboliser phenotype%)\n", out)
    assert.matches("\n           weight %(actual body weight%)\n", out)
  end)

  it("says why there is no dose", function()
    local r = proceed_result()
    r.decision, r.decision_by, r.dose = "contraindicated", "tpmt-poor", nil
    r.trace[#r.trace + 1] = { kind = "dose", what = "no dose", why = "tpmt-poor",
                              detail = "contraindicated" }
    local out = text.render(r)
    assert.matches("^Decision: contraindicated — do not give azathioprine %(tpmt%-poor%)\n", out)
    assert.matches("\nTarget:   none — contraindicated %(tpmt%-poor%)\n", out)
    assert.not_matches("Titrate", out)
  end)

  it("describes an active patient's dose change with its limit", function()
    local r = proceed_result()
    r.decision = "adjust"
    r.dose = { target_mg_per_day = 25, target_mg_per_kg_per_day = 0.36, limit_mg_per_day = 37.5,
               basis = "current", regimen = { text = "1 × 25 mg once daily" } }
    local out = text.render(r)
    assert.matches("^Decision: adjust — change the azathioprine dose\n", out)
    assert.matches("\nTarget:   25 mg/day %(0%.36 mg/kg/day; limit 37%.5 mg%) as 1 × 25 mg "
      .. "once daily\n", out)
  end)

  it("says 'current dose' for an active patient kept on it, with the band that applies",
    function()
      local r = proceed_result()
      r.dose = { target_mg_per_day = 75, target_mg_per_kg_per_day = 1.07,
                 band_mg_per_day = { 42, 112 }, current_mg_per_day = 75, basis = "current",
                 regimen = { text = "1 × 50 mg + 1 × 25 mg once daily" } }
      local out = flat(text.render(r))
      assert.matches("^Decision: proceed — continue azathioprine at the current dose\n", out)
      assert.matches("\nTarget:   75 mg/day %(current dose; 1%.07 mg/kg/day; band 42–112 mg%) "
        .. "as 1 × 50 mg %+ 1 × 25 mg once daily\n", out)
      r.decision = "adjust"
      r.dose.current_mg_per_day = 150
      out = flat(text.render(r))
      assert.matches("\nTarget:   75 mg/day %(changed from the current 150 mg/day; 1%.07 "
        .. "mg/kg/day; band 42–112 mg%)", out)
    end)

  it("shows the pipeline's input warnings", function()
    local r = proceed_result()
    r.warnings[#r.warnings + 1] = { path = "ancestry[1]", message = "'chinese' is not a word "
      .. "this protocol reads (it reads: east_asian); it has no effect",
      text = "ancestry[1]: 'chinese' is not a word this protocol reads (it reads: east_asian); "
        .. "it has no effect" }
    local out = text.render(r)
    assert.matches("\nWarnings: foo: unknown field 'foo' ignored\n          ancestry%[1%]: "
      .. "'chinese' is not", out)
    assert.matches("ancestry%[1%]: 'chinese' is not a word this protocol reads %(it reads: "
      .. "east_asian%); it has no effect\nPatient:", flat(out))
  end)

  it("writes titration steps of one week and a single step", function()
    local r = proceed_result()
    r.dose.titration = { { mg_per_day = 25, week = 0 }, { mg_per_day = 50, week = 1 },
                         { mg_per_day = 75, week = 4 } }
    assert.matches("\nTitrate:  25 mg/day week 0, 50 mg/day weeks 1–3, 75 mg/day from week 4\n",
      text.render(r))
    r.dose.titration = { { mg_per_day = 75, week = 0 } }
    assert.matches("\nTitrate:  none — start at 75 mg/day\n", text.render(r))
  end)

  it("names monitoring intervals in days, weeks and months", function()
    local r = proceed_result()
    r.monitoring = {
      { source = "rule", tests = { "fbc" }, every_days = 91.3125 },
      { source = "rule", tests = { "lft" }, every_days = 14 },
      { source = "rule", tests = { "inr" }, every_days = 3 },
    }
    local out = text.render(r)
    assert.matches("Monitor:  FBC every 3 months\n", out)
    assert.matches("\n          LFT every 2 weeks\n", out)
    assert.matches("\n          INR every 3 days\n", out)
  end)

  it("leaves counselling and monitoring rules out of Why (cited in their sections)", function()
    local r = proceed_result()
    r.trace = {
      { kind = "rule", rule = "food", outcome = "true", cite = "BNF", actions = { "counsel" } },
      { kind = "rule", rule = "fbc", outcome = "true", cite = "BSR", actions = { "monitor" } },
    }
    assert.matches("\nWhy:      no rule changed or stopped the standard dose\n", text.render(r))
    r.trace[3] = { kind = "rule", rule = "tpmt-normal", outcome = "true", cite = "CPIC",
                   actions = { "proceed", "counsel" } }
    assert.matches("\nWhy:      tpmt%-normal %(CPIC%)\n", text.render(r))
  end)

  it("wraps long lines at 100 columns", function()
    local r = proceed_result()
    r.alerts[1].message = string.rep("word ", 60)
    for line in text.render(r):gmatch("[^\n]+") do
      assert.is_true(require("aza.compat").utf8_len(line) <= 100, line)
    end
  end)
end)

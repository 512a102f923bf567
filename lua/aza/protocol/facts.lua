--- The fact catalogue: every name a rule condition may read, and the
-- functions of the condition language.
--
-- One table, in a fixed order: a fact's **slot** is its index in
-- `facts.list` (the compiler and the C evaluator use it). Types:
--
-- * `quantity`: a number in the fact's reference `unit` (UCUM). A patient
--   value in another unit of the same dimension is converted to it.
--   `tpmt.activity` has no reference unit (it is method-specific, see
--   rules/data/tpmt_activity.lua): a condition compares it in the unit of
--   the literal it is compared with.
-- * `string`: one word; `words` lists the allowed ones when fixed.
-- * `boolean`, `date` (a day), `set` (of strings).
--
-- Lab tests (design §7) each come with three sub-facts: `<test>.date` (the
-- date of the result), `<test>.uln` and `<test>.lln` (the laboratory's upper
-- and lower limits of normal, in the test's unit). Lab tests are `series`
-- facts too: `rise_percent(creatinine, 365 d)` reads every dated result.
--
-- Units chosen where UCUM has no single spelling:
--
-- * `tgn6`, `mmp6` (6-thioguanine and 6-methylmercaptopurine nucleotides,
--   reported per 8x10^8 red cells): `pmol/{8x10^8_RBC}`. The annotation
--   keeps the reference population in the unit, so a value in another
--   basis (`pmol/{RBC}` or per g Hb) never converts silently.
-- * `egfr`: `mL/min/{1.73_m2}` (normalised to body surface area); `crcl`:
--   `mL/min` (Cockcroft-Gault, not normalised). They do not convert into
--   each other.
--
-- @module aza.protocol.facts
-- @usage
-- local facts = require "aza.protocol.facts"
-- print(facts.by_name["wbc"].unit, facts.by_name["wbc"].slot)  --> 10*9/L  1

local ipairs, next, string, table, tostring, type = ipairs, next, string, table, tostring, type

local M = {}

--- Words of `tpmt.phenotype` and `nudt15.phenotype`.
M.PHENOTYPES = { "normal", "intermediate", "possible_intermediate", "poor", "indeterminate" }

-- Lab tests of design §7 in catalogue order: name, unit, description, and the physically
-- plausible range in that unit: far outside any clinical value (leukaemic counts, hepatic
-- necrosis included), so that a value outside it is an input slip, never a result. `slip`:
-- a unit mistake often made, as the factor that would bring the number into range and the
-- unit it was probably in (`6800 10*9/L`: did you mean /uL?).
local LABS = {
  { "wbc", "10*9/L", "white blood cell count", 0, 1000, { 1e-3, "/uL" } },
  { "neutrophils", "10*9/L", "neutrophil count", 0, 500, { 1e-3, "/uL" } },
  { "lymphocytes", "10*9/L", "lymphocyte count", 0, 1000, { 1e-3, "/uL" } },
  { "eosinophils", "10*9/L", "eosinophil count", 0, 200, { 1e-3, "/uL" } },
  { "platelets", "10*9/L", "platelet count", 0, 5000, { 1e-3, "/uL" } },
  { "hemoglobin", "g/L", "haemoglobin", 10, 300, { 10, "g/dL" } },
  { "mcv", "fL", "mean corpuscular volume", 40, 200 },
  { "alt", "U/L", "alanine aminotransferase", 0, 100000 },
  { "ast", "U/L", "aspartate aminotransferase", 0, 100000 },
  { "alp", "U/L", "alkaline phosphatase", 0, 100000 },
  { "bilirubin", "umol/L", "total bilirubin", 0, 2000, { 17.1, "mg/dL" } },
  { "albumin", "g/L", "serum albumin", 5, 80, { 10, "g/dL" } },
  { "creatinine", "umol/L", "serum creatinine", 5, 4000, { 88.42, "mg/dL" } },
  { "egfr", "mL/min/{1.73_m2}", "estimated glomerular filtration rate", 0, 300 },
  { "crcl", "mL/min", "creatinine clearance (Cockcroft-Gault)", 0, 400 },
  { "tgn6", "pmol/{8x10^8_RBC}", "6-thioguanine nucleotides in red cells", 0, 50000 },
  { "mmp6", "pmol/{8x10^8_RBC}", "6-methylmercaptopurine nucleotides in red cells", 0, 500000 },
  { "temperature", "Cel", "body temperature", 25, 45 },
  { "inr", "1", "international normalised ratio", 0.5, 30 },
}

--- The facts, in slot order. Each entry: `name`, `type`, `unit` (quantity),
-- `words` (string, when fixed), `series` (lab tests), `lab` (the test a
-- lab fact or sub-fact belongs to), `from` (where the patient input holds
-- it, design §7), `description`, and `slot` (its index here).
M.list = {}

local function add(entry)
  M.list[#M.list + 1] = entry
  entry.slot = #M.list
end

for _, lab in ipairs(LABS) do
  local name, unit, desc = lab[1], lab[2], lab[3]
  add { name = name, type = "quantity", unit = unit, series = true, lab = name,
        from = "labs[test=" .. name .. "].value", description = desc,
        plausible = { lab[4], lab[5] }, slip = lab[6] and { factor = lab[6][1],
        unit = lab[6][2] } or nil }
  add { name = name .. ".date", type = "date", lab = name,
        from = "labs[test=" .. name .. "].date", description = "date of the " .. desc .. " result" }
  add { name = name .. ".uln", type = "quantity", unit = unit, lab = name,
        from = "labs[test=" .. name .. "].uln",
        description = "upper limit of normal of the " .. desc }
  add { name = name .. ".lln", type = "quantity", unit = unit, lab = name,
        from = "labs[test=" .. name .. "].lln",
        description = "lower limit of normal of the " .. desc }
end

local PATIENT = {
  { name = "age", type = "quantity", unit = "a", from = "birth_date, as_of",
    description = "age in years, from birth_date and as_of" },
  { name = "weight", type = "quantity", unit = "kg", from = "weight",
    description = "actual body weight" },
  { name = "height", type = "quantity", unit = "cm", from = "height", description = "height" },
  { name = "sex", type = "string", words = { "female", "male" }, from = "sex",
    description = "sex" },
  { name = "pregnant", type = "boolean", from = "pregnant", description = "pregnant" },
  { name = "breastfeeding", type = "boolean", from = "breastfeeding",
    description = "breastfeeding" },
  { name = "tpmt.phenotype", type = "string", words = M.PHENOTYPES,
    from = "genotype.TPMT, phenotype.TPMT or tpmt_activity",
    description = "TPMT metaboliser phenotype" },
  { name = "nudt15.phenotype", type = "string", words = M.PHENOTYPES,
    from = "genotype.NUDT15 or phenotype.NUDT15", description = "NUDT15 metaboliser phenotype" },
  { name = "tpmt.activity", type = "quantity", unit = nil, method_unit = true,
    from = "tpmt_activity.value, tpmt_activity.unit",
    description = "TPMT enzyme activity, in the laboratory method's unit" },
  { name = "tpmt.activity.date", type = "date", from = "tpmt_activity.date",
    description = "date of the TPMT activity sample" },
  { name = "tpmt.method", type = "string", from = "tpmt_activity.method",
    description = "TPMT activity laboratory method (st_thomas, ...)" },
  { name = "transfusion.date", type = "date", from = "transfusion_date",
    description = "date of the last red-cell transfusion" },
  { name = "azathioprine.status", type = "string", words = { "naive", "active", "stopped" },
    from = "azathioprine.status", description = "azathioprine treatment status" },
  { name = "azathioprine.dose", type = "quantity", unit = "mg/d", from = "azathioprine.dose",
    description = "current azathioprine dose" },
  { name = "azathioprine.started", type = "date", from = "azathioprine.started",
    description = "date azathioprine was started" },
  { name = "dose.mg_per_day", type = "quantity", unit = "mg/d", phase = "dose",
    from = "the final dose of this evaluation",
    description = "the dose this evaluation gives, in mg/day: the most taken on one day (a "
      .. "weekly schedule: the amount of a dosing day); rules of phase \"dose\" only; "
      .. "unknown when there is no dose" },
  { name = "dose.mg_per_week", type = "quantity", unit = "mg/wk", phase = "dose",
    from = "the final dose of this evaluation",
    description = "the dose this evaluation gives, in mg/week (7 x the daily dose, or the "
      .. "weekly amount of a weekly schedule; rules of phase \"dose\" only)" },
  { name = "dose.mg_per_kg_per_day", type = "quantity", unit = "mg/kg/d", phase = "dose",
    from = "the final dose of this evaluation",
    description = "the dose this evaluation gives, in mg/kg/day (rules of phase \"dose\" "
      .. "only)" },
  { name = "azathioprine.dose_since", type = "date", from = "azathioprine.dose_since",
    description = "date the current azathioprine dose was set" },
  { name = "allopurinol.started", type = "date", class = "allopurinol_like",
    from = "medications[status=active].started of the allopurinol_like medicines",
    description = "date the allopurinol-like medicine being taken was started (the latest "
      .. "start when several; unknown when one has no start date)" },
  { name = "azathioprine.cumulative", type = "quantity", unit = "g",
    from = "azathioprine.cumulative", description = "cumulative azathioprine exposure" },
  { name = "symptoms", type = "set", from = "symptoms", description = "current symptoms" },
  { name = "conditions", type = "set", from = "conditions", description = "conditions" },
  { name = "allergies", type = "set", from = "allergies", description = "drug allergies" },
  { name = "medications.active", type = "set", from = "medications[status=active].name",
    description = "medications being taken" },
  { name = "medications.planned", type = "set", from = "medications[status=planned].name",
    description = "medications planned" },
  { name = "vaccines.planned", type = "set", from = "vaccines_planned",
    description = "vaccines planned" },
  { name = "ancestry", type = "set", from = "ancestry", description = "ancestry groups" },
  -- added after the design §7 facts (so that earlier slots keep their numbers)
  { name = "tpmt.conflict", type = "boolean",
    from = "genotype.TPMT, phenotype.TPMT, tpmt_activity",
    description = "two determinate TPMT results disagree (e.g. genotype normal, activity "
      .. "low); tpmt.phenotype holds the one chosen by precedence" },
  { name = "nudt15.conflict", type = "boolean", from = "genotype.NUDT15, phenotype.NUDT15",
    description = "the NUDT15 genotype and the reported NUDT15 phenotype disagree" },
  { name = "tpmt.activity.after_transfusion", type = "boolean",
    from = "tpmt_activity.date, transfusion_date",
    description = "a TPMT activity result was given but not used: sampled within 120 days "
      .. "after a red-cell transfusion (or undated with a transfusion recorded)" },
}

for _, entry in ipairs(PATIENT) do
  add(entry)
end

--- Facts by name.
M.by_name = {}
for _, entry in ipairs(M.list) do
  M.by_name[entry.name] = entry
end

--- The functions of the condition language. Each entry: `args` (a list of
-- argument kinds), `result` (`boolean`, `quantity` or `number`), `unit`
-- (the result unit of a quantity result: a bare number compared with the
-- result is read in it), `reads` (the set facts a membership function
-- looks in: true when the string is in any of them), `never_unknown`.
--
-- Argument kinds: `fact` (any fact name), `date` (a date fact), `string`
-- (a string literal), `quantity` (a quantity-valued expression), `series`
-- (a lab test name), `duration` (a quantity literal of dimension time).
M.functions = {
  known = { args = { "fact" }, result = "boolean", never_unknown = true,
            description = "true when the fact is given" },
  unknown = { args = { "fact" }, result = "boolean", never_unknown = true,
              description = "true when the fact is missing" },
  taking = { args = { "string" }, result = "boolean", reads = { "medications.active" },
             description = "the medication is being taken" },
  planned = { args = { "string" }, result = "boolean",
              reads = { "medications.planned", "vaccines.planned" },
              description = "the medication or vaccine is planned" },
  has = { args = { "string" }, result = "boolean", reads = { "conditions", "symptoms" },
          description = "the condition or symptom is present" },
  allergic = { args = { "string" }, result = "boolean", reads = { "allergies" },
               description = "the patient is allergic to it" },
  ancestry = { args = { "string" }, result = "boolean", reads = { "ancestry" },
               description = "the ancestry group is listed" },
  days_since = { args = { "date" }, result = "quantity", unit = "d",
                 description = "days from the date to as_of" },
  weeks_since = { args = { "date" }, result = "quantity", unit = "wk",
                  description = "weeks from the date to as_of" },
  ratio = { args = { "quantity", "quantity" }, result = "number",
            description = "a / b, of two quantities of the same dimension" },
  rise_percent = { args = { "series", "duration" }, result = "quantity", unit = "%",
                   description = "percent rise of the latest result over the lowest "
                     .. "result within the window before as_of" },
}

--- Look up a fact.
-- @tparam string name
-- @treturn table|nil the catalogue entry
function M.get(name)
  return M.by_name[name]
end

--- The names of the catalogue, in slot order (shipped facts, then declared ones).
M.names = {}
for i, entry in ipairs(M.list) do
  M.names[i] = entry.name
end

-- {=== facts a protocol declares ===
--
-- A protocol's `facts = { … }` adds entries to the catalogue, marked `site` with the
-- declaration's text: a lab test (`lab = true`, with its `.date`, `.uln` and `.lln`, read from
-- `labs[]` by name or by its LOINC codes), the start date of a medication being taken
-- (`medication = "prednisolone"`: a name, substance id or class of the medication table;
-- the latest start, unknown when not taken or when one entry has no start date), or a fact
-- read from the patient record's `facts` object (`boolean`, `string` with `words`,
-- `quantity` with `unit`). The catalogue is one
-- table for the process: a name has one kind, unit, word list and LOINC list for every
-- protocol that declares it (its plausible range and description are each protocol's own);
-- a protocol sees only the declared facts of its own extends chain (the checker and the
-- patient reader are given that set, name -> declaration).

local NAME = "^[a-z][a-z0-9_]*$"
local TYPES = { boolean = true, string = true, quantity = true }
local DECL_KEYS = { name = true, lab = true, type = true, unit = true, words = true,
                    loinc = true, description = true, plausible = true, medication = true }

local function valid_name(name)
  if type(name) ~= "string" or #name > 64 then
    return false
  end
  for part in string.gmatch(name .. ".", "([^.]*)%.") do
    if not string.find(part, NAME) then
      return false
    end
  end
  return true
end

-- a canonical text of a declaration, to compare two of the same name
local function signature(d)
  local parts = { tostring(d.lab and "lab" or d.medication and ("medication " .. d.medication)
    or d.type), tostring(d.unit) }
  for _, key in ipairs { "words", "loinc" } do
    local list = {}
    for i, w in ipairs(d[key] or {}) do
      list[i] = tostring(w)
    end
    table.sort(list)
    parts[#parts + 1] = table.concat(list, ",")
  end
  return table.concat(parts, "|")
end

local function declared_entries(d)
  local desc = d.description or d.name
  if d.lab then
    return {
      { name = d.name, type = "quantity", unit = d.unit, series = true, lab = d.name,
        from = "labs[test=" .. d.name .. "].value", description = desc,
        plausible = d.plausible, loinc = d.loinc },
      { name = d.name .. ".date", type = "date", lab = d.name,
        from = "labs[test=" .. d.name .. "].date", description = "date of the " .. desc
          .. " result" },
      { name = d.name .. ".uln", type = "quantity", unit = d.unit, lab = d.name,
        from = "labs[test=" .. d.name .. "].uln",
        description = "upper limit of normal of the " .. desc },
      { name = d.name .. ".lln", type = "quantity", unit = d.unit, lab = d.name,
        from = "labs[test=" .. d.name .. "].lln",
        description = "lower limit of normal of the " .. desc },
    }
  end
  if d.medication then
    return { { name = d.name, type = "date", class = d.medication,
               from = "medications[status=active].started of " .. d.medication,
               description = desc } }
  end
  return { { name = d.name, type = d.type, unit = d.unit, words = d.words,
             from = "facts." .. d.name, description = desc } }
end

local function name_problem(d)
  if not valid_name(d.name) then
    return "name " .. tostring(d.name) .. " must be lower-case words joined by '.' "
      .. "(igg, aih.acute_severe)"
  end
  local head = string.match(d.name, "^([^.]+)")
  if head == "params" or head == "dose" or M.functions[d.name] then
    return "'" .. d.name .. "' is reserved"
  end
  local shipped = M.by_name[d.name]
  if shipped and not shipped.site then
    return "'" .. d.name .. "' is a shipped fact"
  end
  return nil
end

local function kind_problem(d)
  if d.medication ~= nil then
    if type(d.medication) ~= "string" or not string.find(d.medication, "^[a-z][a-z0-9_]*$") then
      return "medication must be a medication or class id (\"prednisolone\")"
    elseif d.lab or d.type ~= nil or d.unit ~= nil or d.words ~= nil then
      return "a medication fact is the date the medication was started: no lab, type, unit "
        .. "or words"
    end
    return nil
  elseif d.lab then
    if d.type ~= nil and d.type ~= "quantity" then
      return "a lab fact is a quantity"
    elseif type(d.unit) ~= "string" then
      return "a lab fact needs unit = \"g/L\" (its reference unit, UCUM)"
    end
  elseif not TYPES[d.type] then
    return "type must be \"boolean\", \"string\" or \"quantity\" (or lab = true, or "
      .. "medication = \"id\")"
  elseif d.type == "quantity" and type(d.unit) ~= "string" then
    return "a quantity fact needs unit = \"…\" (UCUM; \"1\" for a plain number)"
  elseif d.type ~= "quantity" and d.unit ~= nil then
    return "unit goes with a quantity"
  end
  return nil
end

-- a non-empty list of strings each matching `pattern`
local function list_of(t, pattern)
  if type(t) ~= "table" or #t == 0 then
    return false
  end
  for k, v in next, t do
    if type(k) ~= "number" or type(v) ~= "string" or not string.find(v, pattern) then
      return false
    end
  end
  return true
end

local function extras_problem(d)
  if d.words ~= nil and (d.type ~= "string" or not list_of(d.words, "^[a-z][a-z0-9_]*$")) then
    return "words = { … } goes with type = \"string\", a list of lower-case words"
  end
  if d.loinc ~= nil and (not d.lab or not list_of(d.loinc, "^%d+%-%d$")) then
    return "loinc = { \"2465-3\" } goes with lab = true, a list of LOINC codes"
  end
  if d.description ~= nil and type(d.description) ~= "string" then
    return "description must be a text"
  end
  local pl = d.plausible
  if pl ~= nil and not (d.lab and type(pl) == "table" and type(pl[1]) == "number"
      and type(pl[2]) == "number" and pl[1] < pl[2]) then
    return "plausible = { low, high } goes with lab = true, in the fact's unit"
  end
  return nil
end

--- The problem of a declaration, or nil (shape only; units are checked by the caller).
-- @tparam table d `{name, lab | type, unit, words, loinc, description, plausible}`
-- @treturn string|nil
function M.declaration_problem(d)
  if type(d) ~= "table" then
    return "a fact declaration is a table { name = \"igg\", lab = true, unit = \"g/L\" }"
  end
  for k in next, d do
    if not DECL_KEYS[k] then
      return "unknown key '" .. tostring(k) .. "' (keys: name, lab, type, unit, words, loinc, "
        .. "description, plausible, medication)"
    end
  end
  return name_problem(d) or kind_problem(d) or extras_problem(d)
end

--- Take back the entries a load added (the newest of the catalogue, in the order given),
-- when that protocol does not load.
-- @tparam {string,...} names
function M.forget(names)
  for i = #names, 1, -1 do
    local entry = M.by_name[names[i]]
    if entry and entry.site and M.list[#M.list] == entry then
      M.list[#M.list] = nil
      M.names[#M.names] = nil
      M.by_name[names[i]] = nil
    end
  end
end

--- Declare a fact (see above): its catalogue entries, added once for the process.
-- @tparam table d a declaration without problems (`declaration_problem`)
-- @treturn {string,...} the names it adds (the fact, and a lab's sub-facts)
-- @treturn nil
-- @treturn boolean true when this call added the entries (false: declared before the same way)
-- @return[2] nil, message (declared differently before)
function M.declare(d)
  local sig = signature(d)
  local old = M.by_name[d.name]
  local added = false
  if old then
    if old.signature ~= sig then
      return nil, "'" .. d.name .. "' is declared differently by another protocol loaded in "
        .. "this process (" .. old.signature .. " vs " .. sig .. ")"
    end
  else
    added = true
    for _, entry in ipairs(declared_entries(d)) do
      entry.site, entry.signature = true, sig
      add(entry)
      M.by_name[entry.name] = entry
      M.names[#M.names + 1] = entry.name
    end
  end
  local names = { d.name }
  if d.lab then
    names[2], names[3], names[4] = d.name .. ".date", d.name .. ".uln", d.name .. ".lln"
  end
  return names, nil, added
end

-- }===

return M

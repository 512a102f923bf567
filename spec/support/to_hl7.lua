-- Test support: a patient record split into two sources, HL7 v2 for what a laboratory
-- sends (PID: id, birth date, sex; one OBX per lab result; weight and height OBX) and a
-- patient record for the rest, so that a spec can check that the merge gives the record's
-- result. Units and values are written as the record gives them (the reader maps back).
local M = {}

local function ts(date)
  return (date:gsub("-", "")) .. "081500+0000"
end

local function esc(s)
  return (tostring(s):gsub("\\", "\\E\\"):gsub("|", "\\F\\"):gsub("%^", "\\S\\")
    :gsub("&", "\\T\\"):gsub("~", "\\R\\"))
end

local SEX = { female = "F", male = "M" }

local LOINC = {}
for code, e in pairs(require "rules.data.loinc") do
  if not LOINC[e.test] or code < LOINC[e.test] then
    LOINC[e.test] = code
  end
end

local labs_to_obx, body_to_obx

--- split(record) -> hl7 text (or nil when nothing goes there), the rest of the record
function M.split(rec)
  local rest, segs = {}, {}
  for k, v in pairs(rec) do
    rest[k] = v
  end
  segs[1] = "MSH|^~\\&|LAB|HOSP|AZA|HOSP|20261121000000+0000||ORU^R01^ORU_R01|1|P|2.5.1"
  segs[2] = string.format("PID|1||%s^^^HOSP^MR||DOE^PAT||%s|%s", esc(rec.id or ""),
    rec.birth_date and (rec.birth_date:gsub("-", "")) or "", SEX[rec.sex] or "")
  rest.birth_date, rest.sex = nil, nil
  if rec.sex and not SEX[rec.sex] then
    rest.sex = rec.sex
  end
  local n = labs_to_obx(rec, rest, segs)
  body_to_obx(rec, rest, segs, n)
  return table.concat(segs, "\r") .. "\r", rest
end

-- one OBX per lab the feed can carry; the others stay in the record
function labs_to_obx(rec, rest, segs)
  local n, kept = 0, {}
  for _, lab in ipairs(rec.labs or {}) do
    local code = lab.loinc or LOINC[lab.test]
    if code and lab.date and lab.uln == nil and lab.lln == nil and type(lab.value) ~= "table" then
      n = n + 1
      segs[#segs + 1] = string.format("OBX|%d|NM|%s^%s^LN||%s|%s|||||F|||%s", n, code,
        esc(lab.test or ""), esc(lab.value), esc(lab.unit or ""), ts(lab.date))
    else
      kept[#kept + 1] = lab
    end
  end
  rest.labs = kept[1] and kept or nil
  return n
end

function body_to_obx(rec, rest, segs, n)
  for _, f in ipairs { { "weight", "29463-7" }, { "height", "8302-2" } } do
    local v = rec[f[1]]
    if type(v) == "string" then
      local num, unit = v:match("^%s*(%S+)%s+(.-)%s*$")
      n = n + 1
      segs[#segs + 1] = string.format("OBX|%d|NM|%s^%s^LN||%s|%s|||||F|||%s", n, f[2], f[1],
        esc(num), esc(unit), ts(rec.as_of or "2026-11-21"))
      rest[f[1]] = nil
    end
  end
  return n
end

return M

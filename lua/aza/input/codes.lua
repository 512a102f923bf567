--- The codes the HL7 v2 and FHIR readers resolve: a LOINC code (or a site's local code
-- mapped to a test name or LOINC code) → what it fills in the patient record.
-- Lab tests come from the LOINC table in force (a protocol's `data.loinc`, else
-- `rules/data/loinc.lua`); weight, height and pregnancy status from
-- `rules/data/observations.lua`.
--
-- @module aza.input.codes

local catalogue = require "aza.protocol.facts"
local pgx = require "aza.input.pgx"

local type = type

local M = {}

--- What a code fills: `{kind = "lab", test =}`, `{kind = "weight"|"height"|"pregnancy"}`,
-- or nil for a code aza does not read.
-- @tparam string code a LOINC code or a lab test name
-- @tparam[opt] table loinc the LOINC table in force (default the shipped one)
-- @treturn table|nil
function M.observation(code, loinc)
  if type(code) ~= "string" then
    return nil
  end
  local lab = (loinc or pgx.data("loinc"))[code]
  if lab then
    return { kind = "lab", test = lab.test }
  end
  local other = pgx.data("observations").codes[code]
  if other then
    return { kind = other.kind }
  end
  local f = catalogue.by_name[code]
  if f and f.series then
    return { kind = "lab", test = code }
  end
  return nil
end

--- The record's `pregnant` for a LOINC answer code of pregnancy status (nil: unknown).
-- @tparam string answer
-- @treturn boolean|nil
function M.pregnant(answer)
  return pgx.data("observations").pregnancy[answer]
end

return M

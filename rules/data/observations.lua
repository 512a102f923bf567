--- LOINC codes of the observations the HL7 v2 and FHIR readers take besides lab tests.
--
-- Data only (no code): read by `aza.input.codes`. Lab tests are in `loinc.lua`; these are
-- the codes that fill other fields of the patient record. `checked` as in loinc.lua:
-- `hl7-ig` = seen with this meaning in HL7 FHIR implementation-guide examples (US Core
-- vital signs, IPS pregnancy status); none was checked against the LOINC database itself.
return {
  codes = {
    ["29463-7"] = { kind = "weight", checked = "hl7-ig", name = "Body weight" },
    ["3141-9"] = { kind = "weight", checked = "hl7-ig", name = "Body weight Measured" },
    ["8302-2"] = { kind = "height", checked = "hl7-ig", name = "Body height" },
    ["82810-3"] = { kind = "pregnancy", checked = "hl7-ig", name = "Pregnancy status" },
  },
  -- answers of 82810-3 → the record's `pregnant`: the LOINC answers (WHO SMART immunization
  -- and German COVID-19 research network value sets) and the SNOMED CT ones current IPS and
  -- US Core use (IPS ObservationPregnancyStatusUvIps); LA4489-6 Unknown gives no value
  pregnancy = {
    ["LA15173-0"] = true,  -- Pregnant
    ["LA26683-5"] = false, -- Not pregnant
    ["77386006"] = true,   -- Pregnant (finding)
    ["60001007"] = false,  -- Not pregnant
  },
}

--- LOINC codes accepted for the lab tests of the patient input (design §7).
--
-- Data only (no code): read by `aza.input.patient`. A lab result whose `test` (or
-- `loinc`) is one of these codes fills the named test; the value's unit still has to
-- convert to the test's reference unit (a code never changes what a unit means).
-- Codes that are NOT here are ignored with a warning, never guessed: for example
-- 770-8 (neutrophils per 100 leukocytes, a percentage) or 1968-7 (direct bilirubin).
--
-- `checked`: where the code and its LOINC long name were seen while writing this table
-- (2026): `hl7-ig` = an HL7 FHIR implementation-guide example (US Core, CTCAE AE IG, eCR),
-- `code` = several independent open-source code bases agreeing on code and long name.
-- None was checked against the LOINC database itself (loinc.org needs an account):
-- verify before relying on the table beyond these codes.
return {
  ["6690-2"] = { test = "wbc", checked = "hl7-ig",
                 name = "Leukocytes [#/volume] in Blood by Automated count" },
  ["751-8"] = { test = "neutrophils", checked = "hl7-ig",
                name = "Neutrophils [#/volume] in Blood by Automated count" },
  ["731-0"] = { test = "lymphocytes", checked = "hl7-ig",
                name = "Lymphocytes [#/volume] in Blood by Automated count" },
  ["711-2"] = { test = "eosinophils", checked = "hl7-ig",
                name = "Eosinophils [#/volume] in Blood by Automated count" },
  ["777-3"] = { test = "platelets", checked = "hl7-ig",
                name = "Platelets [#/volume] in Blood by Automated count" },
  ["718-7"] = { test = "hemoglobin", checked = "code",
                name = "Hemoglobin [Mass/volume] in Blood" },
  ["787-2"] = { test = "mcv", checked = "code",
                name = "MCV [Entitic volume] by Automated count" },
  ["1742-6"] = { test = "alt", checked = "code",
                 name = "Alanine aminotransferase [Enzymatic activity/volume] in Serum or Plasma" },
  ["1920-8"] = { test = "ast", checked = "code",
                 name = "Aspartate aminotransferase [Enzymatic activity/volume] "
                   .. "in Serum or Plasma" },
  ["6768-6"] = { test = "alp", checked = "code",
                 name = "Alkaline phosphatase [Enzymatic activity/volume] in Serum or Plasma" },
  ["1975-2"] = { test = "bilirubin", checked = "code",
                 name = "Bilirubin.total [Mass/volume] in Serum or Plasma" },
  ["14631-6"] = { test = "bilirubin", checked = "code",
                  name = "Bilirubin.total [Moles/volume] in Serum or Plasma" },
  ["1751-7"] = { test = "albumin", checked = "code",
                 name = "Albumin [Mass/volume] in Serum or Plasma" },
  ["2160-0"] = { test = "creatinine", checked = "code",
                 name = "Creatinine [Mass/volume] in Serum or Plasma" },
  ["14682-9"] = { test = "creatinine", checked = "code",
                  name = "Creatinine [Moles/volume] in Serum or Plasma" },
  ["33914-3"] = { test = "egfr", checked = "code",
                  name = "Glomerular filtration rate/1.73 sq M.predicted [Volume Rate/Area] "
                    .. "in Serum or Plasma by Creatinine-based formula (MDRD)" },
  ["62238-1"] = { test = "egfr", checked = "code",
                  name = "Glomerular filtration rate/1.73 sq M.predicted [Volume Rate/Area] "
                    .. "in Serum, Plasma or Blood by Creatinine-based formula (CKD-EPI)" },
  ["98979-8"] = { test = "egfr", checked = "code",
                  name = "Glomerular filtration rate/1.73 sq M.predicted [Volume Rate/Area] "
                    .. "in Serum, Plasma or Blood by Creatinine-based formula (CKD-EPI 2021)" },
  ["8310-5"] = { test = "temperature", checked = "code", name = "Body temperature" },
  ["6301-6"] = { test = "inr", checked = "code",
                 name = "INR in Platelet poor plasma by Coagulation assay" },
}

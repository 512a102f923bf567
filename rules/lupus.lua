-- Protocol "lupus": azathioprine in systemic lupus erythematosus (design §8, lupus row;
-- clinical reference §2.2).
--
-- Everything else (pharmacogenomics, interactions, contraindications, BSR 2017 laboratory
-- thresholds, baseline, renal, pregnancy cap 2 mg/kg/day (EULAR 2024), lactation, exposure,
-- monitoring, counselling) is inherited from "base" unchanged: design §8 lists no
-- lupus-specific rule.
--
-- Numbers and their confidence (clinical reference §0: V read in a primary source, S secondary
-- only, R recalled and unverified):
--   standard dose 2.0 mg/kg/day   lupus nephritis maintenance (MAINTAIN trial dose) [R]:
--                                 unverified, site-configurable; within the SmPC range [V] and
--                                 the D&G target 2-2.5 mg/kg/day [V]
--   band 1.5-2.5 mg/kg/day        aza default (design §8, clinical reference §7) [R]
--   start 1 mg/kg/day, 4 weeks    NHS Dumfries & Galloway: 1 mg/kg/day, rising after 4-6 weeks [V]
--
-- Worked example (25 mg steps, docs/dose-maths.md): 70 kg -> 2.0 x 70 = 140 mg/day, band
-- 105-175; deliverable in band 125, 150, 175; nearest 150 (10 away; 125 is 15) -> 150 mg/day.
-- Start 1.0 x 70 = 70 -> rounded down 50 mg/day for weeks 0-3, then 150 mg/day from week 4.
--
-- luacheck: no max line length
return protocol "lupus" {
  extends = "base",
  version = "2026.1",
  title = "Azathioprine in systemic lupus erythematosus",
  description = "Systemic lupus erythematosus, including lupus nephritis maintenance: standard "
    .. "2.0 mg/kg/day (band 1.5-2.5), starting at 1 mg/kg/day for 4 weeks; the shared rules "
    .. "of base apply unchanged.",

  references = {
    eular_ln2019 = {
      text = "EULAR/ERA-EDTA recommendations for lupus nephritis, 2019 update: azathioprine is "
        .. "an alternative to mycophenolate for maintenance, preferred when pregnancy is "
        .. "planned (abstract, [S]). The maintenance dose of about 2 mg/kg/day (the MAINTAIN "
        .. "trial dose) is recalled, not read in the guideline text [R]: unverified, a "
        .. "site-configurable default (clinical reference §2.2, gap 7).",
      short = "EULAR/ERA-EDTA LN 2019 (dose unverified)", year = 2019, confidence = "R",
    },
    eular_sle2023 = {
      text = "Fanouriakis A et al. EULAR recommendations for the management of systemic lupus "
        .. "erythematosus, 2023 update. Ann Rheum Dis 2024;83:15 (abstract [V]): start an "
        .. "immunosuppressant (methotrexate, azathioprine or mycophenolate) promptly to allow "
        .. "the glucocorticoid to be tapered; no azathioprine dose is given.",
      short = "EULAR SLE 2023", year = 2024, confidence = "V",
    },
    dg2020 = {
      text = "NHS Dumfries & Galloway rheumatology azathioprine protocol (RightDecisions, "
        .. "2020): start at 1 mg/kg/day, rising after 4-6 weeks to 2-2.5 mg/kg/day; maximum "
        .. "3 mg/kg/day [V].",
      short = "NHS D&G 2020", year = 2020, confidence = "V",
    },
    smpc_sle = {
      text = "UK/international azathioprine (Imuran) SmPC, non-transplant indications "
        .. "(systemic lupus erythematosus is a UK-licensed indication): start at 1-3 "
        .. "mg/kg/day and adjust within that range; maintenance below 1 to 3 mg/kg/day; if "
        .. "there is no improvement within 3 months, consider stopping [V]. Year = as read "
        .. "(2026).",
      short = "Imuran SmPC (dose)", year = 2026, confidence = "V",
    },
    lupus_band = {
      text = "aza default clinical profile for lupus (design §8; clinical reference §7, "
        .. "'proposed defaults; make them configurable'): the band 1.5-2.5 mg/kg/day around "
        .. "the 2.0 mg/kg/day standard dose, inside the SmPC range of 1-3 mg/kg/day. No "
        .. "guideline gives this band: unverified, site-configurable.",
      short = "aza lupus band (unverified)", year = 2026, confidence = "R",
    },
  },

  parameters = {
    indication = "Systemic lupus erythematosus (including lupus nephritis maintenance)",
    dose = { mg_per_kg_per_day = 2.0, band = { 1.5, 2.5 },
             cite = { "eular_ln2019", "lupus_band", "dg2020", "smpc_sle" } },
    -- 1 mg/kg/day (rounded down to a deliverable dose) for 4 weeks, then the target
    titration = { start_mg_per_kg_per_day = 1.0, start_weeks = 4, cite = "dg2020" },
  },

  data = {
    -- the indication itself needs no rule (see base.lua's known_words)
    known_words = {
      conditions = { "systemic_lupus_erythematosus", "sle", "lupus", "lupus_nephritis" },
    },
    -- citations of parameters that have no cite field of their own (as in base.lua)
    citations = { indication = { "eular_sle2023", "eular_ln2019", "smpc_sle" } },
  },
}

-- Protocol "ibd": azathioprine in inflammatory bowel disease (design §8, ibd row).
--
-- Extends "base" (every shared rule applies) and changes: the standard dose (2.0 mg/kg/day,
-- band 2.0-2.5), titration (50 mg/day, +50 mg every 2 weeks to the target), the neutrophil
-- threshold (< 2.0 x10^9/L, gastroenterology / SPS), the monitoring schedule (weeks 2, 4,
-- 8 and 12, then every 3 months; for a patient already on azathioprine: every 2 weeks
-- before week 4 or when the start date is not given, every 4 weeks from week 4 to week 12,
-- every 3 months from week 12) and adds the interpretation of thiopurine metabolites
-- (6-TGN, 6-MMP). Metabolite rules give advice (alerts) and never change the dose
-- themselves: a shunter's allopurinol co-therapy is a specialist decision, and once
-- allopurinol is prescribed the base rule allopurinol-quarter-dose does the arithmetic.
--
-- Worked examples (design §8; 25 mg deliverable step):
--   70 kg, TPMT and NUDT15 normal: 70 x 2.0 = 140, band 140-175 -> 150 mg/day.
--   TPMT intermediate: 50 % of 140 = 70, band 30-80 % = 42-112 -> 75 mg/day.
--   active on 150 mg/day, allopurinol started: 150 x 0.25 = 37.5, round down -> 25 mg/day.
--

return protocol "ibd" {
  extends = "base",
  version = "2026.1",
  title = "Azathioprine in inflammatory bowel disease (Crohn's disease, ulcerative colitis)",
  description = "Base rules plus the IBD dose (2.0 mg/kg/day, band 2.0-2.5), titration from "
    .. "50 mg/day, the gastroenterology neutrophil threshold (2.0 x10^9/L), the SPS "
    .. "monitoring schedule and 6-TGN / 6-MMP interpretation.",

  references = {
    bsg2019 = {
      text = "Lamb CA et al. British Society of Gastroenterology consensus guidelines on the "
        .. "management of IBD in adults. Gut 2019;68(Suppl 3):s1: azathioprine 2-2.5 "
        .. "mg/kg/day with normal TPMT [R]: recalled, unverified; SPS quotes the BSG as "
        .. "'normal TPMT = 2 mg/kg' (see sps_bsg).",
      short = "BSG 2019 (unverified)", year = 2019, confidence = "R",
    },
    sps_bsg = {
      text = "NHS Specialist Pharmacy Service, azathioprine monitoring (gastroenterology), "
        .. "quoting the BSG: normal TPMT, 2 mg/kg/day; low TPMT, 1 mg/kg/day (about 50 %); "
        .. "very low, avoid [V that SPS attributes this to the BSG]. Web page; year = as read "
        .. "(2026).",
      short = "SPS (BSG)", year = 2026, confidence = "V",
    },
    ibd_titration = {
      text = "Titration 50 mg/day, +50 mg every 2 weeks to the target: the design §8 default. "
        .. "Practice varies: BSG (as recalled) sees no evidence that slow escalation is safer "
        .. "[R]; NHS shared-care protocols use 50 mg/day for a week then weekly steps [S]. "
        .. "Unverified; site-configurable.",
      short = "IBD titration (unverified)", year = 2026, confidence = "R",
    },
    sps_gastro = {
      text = "NHS Specialist Pharmacy Service monitoring pages, gastroenterology "
        .. "(BSG-derived): neutrophils < 2.0 x10^9/L, withhold (SPS mercaptopurine page; "
        .. "< 1.0 consider antibiotics) [V]; FBC, LFT and U&E at 2 weeks, then 4, 8 and 12 "
        .. "weeks, then every 3 months [V]. Web pages; year = as read (2026).",
      short = "SPS gastroenterology", year = 2026, confidence = "V",
    },
    pn2020 = {
      text = "McWilliam M, Khan U. Azathioprine and the neurologist. Pract Neurol "
        .. "2020;20:69, Table 1 (metabolite grid): therapeutic 6-TGN 235-450 pmol/8x10^8 RBC; "
        .. "6-MMP > 5700, hepatotoxicity risk (check LFTs; split or reduce the dose); 6-TGN "
        .. "< 235 with 6-MMP > 5700 or MMP:TGN ratio > 11, shunter (split the dose, or add "
        .. "allopurinol 100 mg and cut azathioprine to 25-33 %); 6-TGN > 450, myelotoxicity "
        .. "risk (check FBC, reduce); 6-TGN > 1000 with undetectable 6-MMP, probable absent "
        .. "TPMT (stop) [V].",
      short = "Pract Neurol 2020 Table 1", year = 2020, confidence = "V",
    },
    aga2017 = {
      text = "Feuerstein JD et al. AGA guideline on therapeutic drug monitoring in IBD. "
        .. "Gastroenterology 2017;153:827: 6-TGN 230-450 (monotherapy); reactive testing "
        .. "(active disease or suspected toxicity), not routine proactive testing [V].",
      short = "AGA 2017", year = 2017, confidence = "V",
    },
    dpwg_nudt15 = {
      text = "DPWG azathioprine-NUDT15 annotation (PharmCAT snapshot PA166184614, about "
        .. "2019-2023): in NUDT15 intermediate or poor metabolisers 6-TGN-guided dosing is not "
        .. "valid, because they become toxic within the normal 6-TGN range [V].",
      short = "DPWG NUDT15", year = 2023, confidence = "V",
    },
  },

  parameters = {
    indication = "Inflammatory bowel disease (Crohn's disease, ulcerative colitis)",
    dose = { mg_per_kg_per_day = 2.0, band = { 2.0, 2.5 }, cite = { "sps_bsg", "bsg2019" } },
    titration = { start_mg_per_day = 50, step_mg_per_day = 50, every_weeks = 2,
                  cite = "ibd_titration" },
  },

  data = {
    -- the indication itself needs no rule (see base.lua's known_words)
    known_words = {
      conditions = { "crohns_disease", "ulcerative_colitis", "inflammatory_bowel_disease",
                     "ibd", "ibd_unclassified" },
    },
    -- SPS gastroenterology (BSG-derived) [V]; replaces base's BSR schedule
    monitoring = {
      { tests = { "fbc", "lft", "ue" }, at_weeks = { 2, 4, 8, 12 },
        text = "FBC, LFT and U&E at weeks 2, 4, 8 and 12 (and after each dose change)",
        cite = "sps_gastro" },
      { tests = { "fbc", "lft", "ue" }, every = "3 mo", after = "week 12",
        text = "then every 3 months", cite = "sps_gastro" },
    },
  },

  rules = {
    -- replaces base's neutrophils-low (BSR 1.6) in place
    rule "neutrophils-low" {
      when = "neutrophils < 2.0 10*9/L",
      action = { withhold, alert { kind = "lab", severity = "critical" } },
      cite = "sps_gastro",
      message = "Neutrophils below 2.0 x10^9/L (gastroenterology threshold): withhold "
        .. "azathioprine and discuss with the IBD team; below 1.0, consider antibiotics.",
    },
    -- {=== thiopurine metabolites (pmol/8x10^8 RBC) ===

    rule "tgn-nudt15-invalid" {
      when = "(known(tgn6) or known(mmp6)) and "
        .. 'nudt15.phenotype in {"intermediate", "possible_intermediate", "poor"}',
      action = alert { kind = "metabolite", severity = "warning" },
      cite = "dpwg_nudt15",
      message = "NUDT15 intermediate or poor metaboliser: 6-TGN-guided dosing is not valid "
        .. "(toxicity occurs within the normal 6-TGN range); dose by blood counts instead.",
    },
    rule "tgn-therapeutic" {
      when = "tgn6 >= 235 pmol/{8x10^8_RBC} and tgn6 <= 450 pmol/{8x10^8_RBC} "
        .. "and mmp6 <= 5700 pmol/{8x10^8_RBC} and (unknown(nudt15.phenotype) or "
        .. 'nudt15.phenotype in {"normal", "indeterminate"})',
      action = alert { kind = "metabolite", severity = "info" },
      cite = { "pn2020", "aga2017" },
      message = "6-TGN in the therapeutic range (235-450) with 6-MMP not raised: keep the "
        .. "dose; if the disease is still active, treat as thiopurine-refractory and "
        .. "consider another drug class.",
    },
    rule "tgn-low" {
      -- "ratio 6-MMP:6-TGN <= 11" written without a division, so that undetectable
      -- 6-TGN (0) still compares: mmp6 <= 11 * tgn6
      when = "tgn6 < 235 pmol/{8x10^8_RBC} and mmp6 <= 5700 pmol/{8x10^8_RBC} "
        .. "and mmp6 <= 11 * tgn6 and (unknown(nudt15.phenotype) or "
        .. 'nudt15.phenotype in {"normal", "indeterminate"})',
      action = alert { kind = "metabolite", severity = "info" },
      cite = "pn2020",
      message = "6-TGN below 235 without raised 6-MMP: under-dosed (very low 6-TGN and 6-MMP "
        .. "together suggest non-adherence); check adherence, consider a dose increase and "
        .. "recheck metabolites in about 4 weeks. Not changed automatically.",
    },
    rule "tgn-shunter" {
      -- ratio 6-MMP:6-TGN > 11 as mmp6 > 11 * tgn6 (defined when 6-TGN is 0)
      when = "tgn6 < 235 pmol/{8x10^8_RBC} and (mmp6 > 11 * tgn6 "
        .. "or mmp6 > 5700 pmol/{8x10^8_RBC}) and (unknown(nudt15.phenotype) or "
        .. 'nudt15.phenotype in {"normal", "indeterminate"})',
      action = alert { kind = "metabolite", severity = "warning" },
      cite = "pn2020",
      message = "Thiopurine shunter (6-TGN below 235 with 6-MMP:6-TGN ratio above 11 or "
        .. "6-MMP above 5700): consider splitting the dose, or (specialist decision) "
        .. "allopurinol 100 mg daily with azathioprine cut to 25 % of the current dose. Not "
        .. "applied automatically: once allopurinol is prescribed, allopurinol-quarter-dose "
        .. "gives the reduced dose.",
    },
    rule "mmp-hepatotoxicity" {
      when = "mmp6 > 5700 pmol/{8x10^8_RBC}",
      action = alert { kind = "metabolite", severity = "warning" },
      cite = "pn2020",
      message = "6-MMP above 5700: risk of hepatotoxicity; check LFTs and consider splitting "
        .. "or reducing the dose.",
    },
    rule "tgn-myelotoxicity" {
      when = "tgn6 > 450 pmol/{8x10^8_RBC}",
      action = alert { kind = "metabolite", severity = "warning" },
      cite = "pn2020",
      message = "6-TGN above 450: risk of myelotoxicity (possible low TPMT); check the FBC "
        .. "and consider reducing the dose.",
    },
    rule "tgn-very-high" {
      when = "tgn6 > 1000 pmol/{8x10^8_RBC}",
      action = alert { kind = "metabolite", severity = "critical" },
      cite = "pn2020",
      message = "6-TGN above 1000: if 6-MMP is undetectable, TPMT activity is probably "
        .. "absent: stop azathioprine, check the FBC now and re-test TPMT.",
    },

    -- }===
  },
}

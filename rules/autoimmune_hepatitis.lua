-- Protocol "autoimmune_hepatitis": azathioprine in autoimmune hepatitis (AIH), with
-- prednisolone or budesonide.
--
-- Inherits "base". Its own differences, each cited below:
--   * dose 1.0 mg/kg/day, band 1.0-2.0 (EASL 2015 and AASLD 2019: maintenance 1-2
--     mg/kg/day), started at a fixed 50 mg/day for 2 weeks (EASL 2015);
--   * transaminases-high (base: ALT or AST > 100 U/L -> withhold) is disabled: raised
--     transaminases are the disease being treated, not a reason to withhold;
--   * aih-bilirubin-high: a patient starting with bilirubin >= 100 umol/L (6 mg/dL) waits
--     (EASL 2015: start azathioprine once bilirubin is below 6 mg/dL);
--   * platelets-low and wbc-low read their thresholds from parameters (platelets_min
--     50 x10^9/L, wbc_min 2.5 x10^9/L: AASLD, severe cytopenia), so a site changes the number
--     alone; base's 140 and 3.5 (BSR 2017, rheumatology) would withhold most AIH patients with
--     cirrhosis and hypersplenism;
--   * aih-steroid-first: a start reminds that azathioprine is added about 2 weeks after the
--     steroid (EASL 2015), which the record cannot show yet.
--
-- Numbers and their confidence (V read in a primary source, S secondary only, R recalled):
--   1-2 mg/kg/day, start 50 mg/day, 2 weeks, bilirubin < 6 mg/dL   EASL 2015 [S]
--   1-2 mg/kg/day                                                   AASLD 2019 [S]
--   WBC < 2.5, platelets < 50 x10^9/L: azathioprine avoided         AASLD [S]
--   1.0 mg/kg/day as the standard (the low end of the band)         aza default [R]
--
-- Worked example (25 mg steps): 70 kg -> 1.0 x 70 = 70 mg/day, band 70-140; deliverable in
-- band 75, 100, 125; nearest 75 (5 away) -> 75 mg/day; 50 mg/day for weeks 0-1, then 75.
--
-- luacheck: no max line length
return protocol "autoimmune_hepatitis" {
  extends = "base",
  version = "2026.1",
  title = "Azathioprine in autoimmune hepatitis",
  description = "Autoimmune hepatitis with a steroid: standard 1.0 mg/kg/day (band 1.0-2.0), "
    .. "started at 50 mg/day for 2 weeks; transaminases are the disease (no withhold on "
    .. "them); bilirubin >= 100 umol/L delays the start; cytopenia thresholds of AASLD as "
    .. "parameters.",

  references = {
    easl2015_aih = {
      text = "European Association for the Study of the Liver. EASL Clinical Practice "
        .. "Guidelines: Autoimmune hepatitis. J Hepatol 2015;63:971-1004. Azathioprine is "
        .. "added about 2 weeks after starting prednisolone, ideally once bilirubin is below "
        .. "6 mg/dL (100 umol/L), at 50 mg/day, then increased by toxicity and response to a "
        .. "maintenance dose of 1-2 mg/kg/day. Read in secondary summaries of the guideline "
        .. "[S]; not checked against the full text.",
      short = "EASL AIH 2015", year = 2015, confidence = "S",
    },
    aasld2019_aih = {
      text = "Mack CL et al. Diagnosis and management of autoimmune hepatitis in adults and "
        .. "children: 2019 practice guidance and guidelines from the American Association "
        .. "for the Study of Liver Diseases. Hepatology 2020;72:671-722. Azathioprine 1-2 "
        .. "mg/kg/day with prednisone or budesonide; azathioprine is avoided in severe "
        .. "cytopenia (white cell count below 2.5 x10^9/L or platelets below 50 x10^9/L, "
        .. "from the AASLD 2010 guideline). Read in secondary summaries [S].",
      short = "AASLD AIH 2019", year = 2020, confidence = "S",
    },
    aih_standard = {
      text = "aza default for autoimmune hepatitis: 1.0 mg/kg/day, the low end of the "
        .. "guidelines' 1-2 mg/kg/day maintenance band, as the standard dose a site raises "
        .. "by response. No guideline fixes the point inside the band: unverified, "
        .. "site-configurable.",
      short = "aza AIH standard (unverified)", year = 2026, confidence = "R",
    },
  },

  parameters = {
    indication = "Autoimmune hepatitis (with prednisolone or budesonide)",
    dose = { mg_per_kg_per_day = 1.0, band = { 1.0, 2.0 },
             cite = { "easl2015_aih", "aasld2019_aih", "aih_standard" } },
    -- a fixed 50 mg/day for 2 weeks, then the weight-based target
    titration = { start_mg_per_day = 50, every_weeks = 2, cite = "easl2015_aih" },
    -- cytopenia that rules azathioprine out in AIH (AASLD); a site changes the number here
    platelets_min = "50 10*9/L",
    wbc_min = "2.5 10*9/L",
  },

  data = {
    known_words = {
      conditions = { "autoimmune_hepatitis", "aih" },
    },
    citations = { indication = { "easl2015_aih", "aasld2019_aih" },
                  platelets_min = "aasld2019_aih", wbc_min = "aasld2019_aih" },
  },

  -- the disease marker itself: ALT and AST are raised because of AIH
  disable = { "transaminases-high" },

  replace = {
    rule "platelets-low" {
      when = "platelets < params.platelets_min",
      action = { withhold, alert { kind = "lab", severity = "critical" } },
      cite = "aasld2019_aih",
      message = "Platelets below the AIH threshold (parameters.platelets_min, AASLD: 50 "
        .. "x10^9/L): severe cytopenia; do not give azathioprine; discuss with the "
        .. "hepatology team.",
    },
    rule "wbc-low" {
      when = "wbc < params.wbc_min",
      action = { withhold, alert { kind = "lab", severity = "critical" } },
      cite = "aasld2019_aih",
      message = "White cell count below the AIH threshold (parameters.wbc_min, AASLD: 2.5 "
        .. "x10^9/L): severe cytopenia; do not give azathioprine; discuss with the "
        .. "hepatology team.",
    },
  },

  rules = {
    rule "aih-bilirubin-high" {
      when = 'azathioprine.status != "active" and bilirubin >= 100 umol/L',
      action = { withhold, alert { kind = "lab", severity = "warning" } },
      cite = "easl2015_aih",
      message = "Bilirubin 100 umol/L (6 mg/dL) or above: wait with azathioprine until it is "
        .. "below (EASL 2015), treating with the steroid alone meanwhile.",
    },
    rule "aih-steroid-first" {
      when = 'azathioprine.status != "active"',
      action = alert { kind = "monitoring", severity = "info" },
      cite = "easl2015_aih",
      message = "Autoimmune hepatitis: azathioprine is usually added about 2 weeks after the "
        .. "steroid was started (EASL 2015), so that a rise in transaminases can be told "
        .. "apart from azathioprine toxicity.",
    },
  },
}

-- Protocol "rheumatoid_arthritis": azathioprine in rheumatoid arthritis (RA).
--
-- Inherits "base" (BSR/BHPR 2017 monitoring and laboratory thresholds are rheumatology's
-- own). Its own differences, each cited below:
--   * dose 2.0 mg/kg/day, band 1.0-2.5 (the US label: start about 1 mg/kg/day, raise from
--     6-8 weeks, up to 2.5 mg/kg/day at most), started at 1 mg/kg/day for 6 weeks;
--   * ra-pregnancy: pregnancy contraindicates azathioprine for RA (US label), stricter than
--     base's 2 mg/kg/day pregnancy cap;
--   * ra-prior-alkylating-agent: RA previously treated with alkylating agents
--     (cyclophosphamide, chlorambucil, melphalan) carries a prohibitive malignancy risk (US
--     label contraindication), recorded as the condition word prior_alkylating_agent.
--
-- Numbers and their confidence (V read in a primary source, S secondary only, R recalled):
--   start ~1 mg/kg/day, raise at 6-8 weeks, maximum 2.5 mg/kg/day   US label (RA) [V]
--   pregnancy and prior alkylating agents contraindicate (RA)       US label [V]
--   2.0 mg/kg/day as the standard inside 1.0-2.5                     aza default [R]
--   one step from the start to the target after 6 weeks             aza default [R]: the
--     label raises by 0.5 mg/kg/day every 4 weeks; a site that wants those steps sets
--     parameters.titration = { start_mg_per_day = ..., step_mg_per_day = ..., every_weeks = 4 }
--
-- Worked example (25 mg steps): 70 kg -> 2.0 x 70 = 140 mg/day, band 70-175; deliverable in
-- band 75 ... 175; nearest 150 (10 away; 125 is 15) -> 150 mg/day. Start 1.0 x 70 = 70 ->
-- rounded down 50 mg/day for weeks 0-5, then 150 mg/day from week 6.
--
-- luacheck: no max line length
return protocol "rheumatoid_arthritis" {
  extends = "base",
  version = "2026.1",
  title = "Azathioprine in rheumatoid arthritis",
  description = "Rheumatoid arthritis: standard 2.0 mg/kg/day (band 1.0-2.5, the label's "
    .. "maximum), starting at 1 mg/kg/day for 6 weeks; pregnancy and previous alkylating "
    .. "agents contraindicate (US label).",

  references = {
    fda_label_ra = {
      text = "Azathioprine (Imuran) US prescribing information, rheumatoid arthritis: about "
        .. "1.0 mg/kg (50-100 mg) given once or twice daily; the dose may be increased, "
        .. "beginning at 6-8 weeks and thereafter by steps at 4-week intervals, by 0.5 "
        .. "mg/kg/day up to a maximum of 2.5 mg/kg/day; an adequate trial is at least 12 "
        .. "weeks. Contraindicated in pregnant women with RA, and in RA patients previously "
        .. "treated with alkylating agents (cyclophosphamide, chlorambucil, melphalan or "
        .. "others), who may have a prohibitive risk of malignancy [V] (drugs.com label "
        .. "text). Label version as read (2026).",
      short = "US label (RA)", year = 2026, confidence = "V",
    },
    ra_standard = {
      text = "aza default for rheumatoid arthritis: 2.0 mg/kg/day as the standard target "
        .. "inside the label's 1.0-2.5 mg/kg/day, reached in one step after 6 weeks at 1 "
        .. "mg/kg/day (the label raises by 0.5 mg/kg/day every 4 weeks). Unverified, "
        .. "site-configurable.",
      short = "aza RA standard (unverified)", year = 2026, confidence = "R",
    },
  },

  parameters = {
    indication = "Rheumatoid arthritis",
    dose = { mg_per_kg_per_day = 2.0, band = { 1.0, 2.5 },
             cite = { "fda_label_ra", "ra_standard" } },
    titration = { start_mg_per_kg_per_day = 1.0, start_weeks = 6,
                  cite = { "fda_label_ra", "ra_standard" } },
  },

  data = {
    known_words = {
      conditions = { "rheumatoid_arthritis", "ra", "prior_alkylating_agent" },
    },
    citations = { indication = "fda_label_ra" },
  },

  rules = {
    rule "ra-pregnancy" {
      when = "pregnant",
      action = { contraindicate, alert { kind = "pregnancy", severity = "critical" } },
      cite = "fda_label_ra",
      message = "Pregnancy: the US label contraindicates azathioprine for rheumatoid "
        .. "arthritis in pregnancy; choose another treatment with the rheumatology team.",
    },
    rule "ra-prior-alkylating-agent" {
      when = 'has("prior_alkylating_agent")',
      action = { contraindicate, alert { kind = "malignancy", severity = "critical" } },
      cite = "fda_label_ra",
      message = "Rheumatoid arthritis previously treated with an alkylating agent "
        .. "(cyclophosphamide, chlorambucil, melphalan): the US label contraindicates "
        .. "azathioprine (a prohibitive risk of malignancy).",
    },
  },
}

-- Example site protocol: "Example Trust" autoimmune hepatitis protocol.
--
-- It extends the shipped "autoimmune_hepatitis" protocol (which extends "base") and changes
-- four things, each recorded in the protocol's `overrides` (`aza check --verbose`) and shown
-- by `aza protocols --rules examples/site/site_aih.lua`:
--
--   1. parameters.platelets_min: the Trust withholds below 70 x10^9/L instead of the shipped
--      50 (AASLD's severe cytopenia): one number, no rule rewritten, because the shipped
--      platelets-low reads `platelets < params.platelets_min`.
--   2. local-tgn-escalate: an added rule: a patient on azathioprine for 12 weeks or more,
--      TPMT normal, whose 6-TGN is below the therapeutic range (235 pmol/8x10^8 RBC), is
--      raised to the band 1.5-2.0 mg/kg/day (set_dose with raise = true; without it a
--      set_dose only caps a current dose).
--   3. two facts of its own (docs/authoring.md, "Facts a protocol declares"): IgG, a lab test
--      read by name or LOINC 2465-3, and prednisolone.started, the start of the prednisolone
--      being taken;
--   4. local-steroid-first-two-weeks and local-igg-not-normal, rules that read them: a start
--      waits until prednisolone has been taken for 2 weeks (EASL 2015), and an IgG above its
--      upper limit after 12 weeks on azathioprine is flagged (remission needs a normal IgG).
--
-- Inherited unchanged: the fixed 50 mg/day start for 2 weeks and the 1.0 mg/kg/day target
-- (band 1.0-2.0), transaminases-high disabled, the bilirubin rule, and everything of base.
-- This is a worked example for docs/authoring.md, not clinical advice: the local references
-- are illustrative. Test it with
--
--   bin/aza test examples/site/site_aih.lua examples/site/aih_cases.lua
--
-- luacheck: no max line length
return protocol "site_aih" {
  extends = "autoimmune_hepatitis",
  version = "2026.1",
  title = "Example Trust: azathioprine in autoimmune hepatitis",

  references = {
    trust_aih = {
      text = "Example Trust hepatology azathioprine policy, 2026 (illustrative local reference "
        .. "for the aza site example; not a published source): withhold below 70 x10^9/L "
        .. "platelets; raise the dose to 1.5-2.0 mg/kg/day when 6-TGN is below 235 pmol/8x10^8 "
        .. "RBC after 12 weeks with TPMT normal. Local decision, unverified outside the Trust.",
      short = "Example Trust AIH policy 2026", year = 2026, confidence = "R",
    },
    tgn_range = {
      text = "Therapeutic 6-TGN 235-450 pmol/8x10^8 RBC (UK laboratories; Pract Neurol 2020 "
        .. "Table 1) [V].",
      short = "6-TGN range (Pract Neurol 2020)", year = 2020, confidence = "V",
    },
  },

  parameters = {
    platelets_min = "70 10*9/L",
  },

  data = {
    citations = { platelets_min = "trust_aih" },
  },

  facts = {
    { name = "igg", lab = true, unit = "g/L", loinc = { "2465-3" },
      description = "immunoglobulin G", plausible = { 0, 150 } },
    { name = "prednisolone.started", medication = "prednisolone",
      description = "date the prednisolone being taken was started" },
  },

  rules = {
    rule "local-tgn-escalate" {
      when = 'azathioprine.status == "active" and tpmt.phenotype == "normal" and '
        .. "weeks_since(azathioprine.started) >= 12 wk and tgn6 < 235 pmol/{8x10^8_RBC}",
      action = { set_dose { mg_per_kg_per_day = 1.5, band = { 1.5, 2.0 }, raise = true },
                 alert { kind = "metabolite", severity = "info" } },
      cite = { "trust_aih", "tgn_range" },
      message = "6-TGN below the therapeutic range after 12 weeks with TPMT normal: the dose "
        .. "is raised to 1.5-2.0 mg/kg/day (Trust policy); recheck 6-TGN and FBC after the "
        .. "change.",
    },
    rule "local-steroid-first-two-weeks" {
      when = 'azathioprine.status != "active" and weeks_since(prednisolone.started) < 2 wk',
      action = { withhold, alert { kind = "monitoring", severity = "warning" } },
      cite = { "easl2015_aih", "trust_aih" },
      message = "Prednisolone started less than 2 weeks ago: add azathioprine once it has "
        .. "been taken for 2 weeks (EASL 2015).",
    },
    rule "local-igg-not-normal" {
      when = 'azathioprine.status == "active" and weeks_since(azathioprine.started) >= 12 wk '
        .. "and igg > igg.uln",
      action = alert { kind = "lab", severity = "info" },
      cite = { "easl2015_aih", "trust_aih" },
      message = "IgG above its upper limit after 12 weeks on azathioprine: not in biochemical "
        .. "remission (EASL 2015: remission needs normal transaminases and IgG).",
    },
  },
}

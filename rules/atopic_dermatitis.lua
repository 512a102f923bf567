-- Protocol "atopic_dermatitis": azathioprine in moderate-to-severe atopic dermatitis (atopic
-- eczema) (design §8, atopic_dermatitis row; clinical reference §2.4, §6.1).
--
-- Inherits "base", with these differences:
--
--   * dose 2.5 mg/kg/day, band 2.0-3.0; 1.0 mg/kg/day for 4 weeks, then the target
--     (Meggitt 2006, normal TPMT arm).
--   * TPMT intermediate: the Meggitt 2006 regimen REPLACES base's 50 % rule. The choice made
--     here, because base's `pgx-one-intermediate` covers both genes in one rule:
--       - `pgx-one-intermediate` is replaced (explicitly, with `replace`) by the same rule
--         restricted to its NUDT15 branch: NUDT15 intermediate (or possible intermediate)
--         with TPMT normal, indeterminate or not tested -> 50 % (band 30-80 %) of the
--         standard dose, exactly as base does for that case (naive and active patients).
--         Meggitt dosed by TPMT activity only, so it says nothing about NUDT15.
--       - the new rule `tpmt-intermediate-meggitt` covers base's TPMT branch for a patient
--         not yet on azathioprine: TPMT intermediate (or possible intermediate) with NUDT15
--         normal, indeterminate or not tested -> set_dose 1.0 mg/kg/day (band 0.75-1.25),
--         starting at 0.5 mg/kg/day for 4 weeks. A set_dose replaces the dose, so it would
--         also RAISE a low current dose: it stays a starting-dose rule.
--       - `tpmt-intermediate-meggitt-active` covers the same patients once on azathioprine,
--         as base's pharmacogenomic rules do (see base.lua's header): Meggitt's 1.0 (band
--         0.75-1.25) mg/kg/day written as a percentage of this protocol's 2.5 mg/kg/day
--         standard, 40 % (band 30-50 %). A current dose within or below that band is kept;
--         one above it is lowered to 40 % (nearest deliverable in the band). If a site
--         changes the standard dose, it must change these percentages with it.
--       - TPMT and NUDT15 both intermediate: base's `pgx-both-intermediate` (30 %, band
--         20-50 %) is kept: 30 % of 2.5 = 0.75 mg/kg/day, below Meggitt's single-IM dose.
--   * Pregnancy: contraindicated (the label position: US label, UK SmPC), not base's 2 mg/kg
--     cap (the specialty-guideline position). `pregnancy-cap` is disabled and
--     `pregnancy-contraindicated` added, so that a site that disables or replaces
--     "pregnancy-cap" on this protocol gets a load error instead of silently dropping the
--     contraindication. Breastfeeding rules are base's.
--
-- Numbers and their confidence (clinical reference §0):
--   2.5 mg/kg/day after 1.0 for 4 weeks       Meggitt 2006 (normal TPMT) [V]
--   band 2.0-3.0 mg/kg/day                    aza default [R], inside the SmPC 1-3 [V]
--   TPMT IM: 0.5 for 4 weeks, then 1.0        Meggitt 2006 (heterozygous-range TPMT) [V]
--   TPMT IM band 0.75-1.25 mg/kg/day          aza default (design §8) [R]
--   active TPMT IM: 40 % (30-50 %) of 2.5     the two lines above divided by 2.5
--   pregnancy contraindicated                 US label, UK SmPC [V] (label position)
--
-- Worked examples (25 mg steps, docs/dose-maths.md):
--   70 kg: 2.5 x 70 = 175, band 140-210 -> 175 mg/day; start 1.0 x 70 = 70 -> down 50 mg/day
--     for weeks 0-3, then 175 from week 4.
--   70 kg, TPMT intermediate: 1.0 x 70 = 70, band 52.5-87.5 -> 75 mg/day (5 away; 50 is
--     outside the band); start 0.5 x 70 = 35 -> down 25 mg/day for weeks 0-3, then 75.
--
-- luacheck: no max line length

-- a naive or stopped patient, or one whose status is not given (as in base.lua)
local NOT_ACTIVE = '(unknown(azathioprine.status) or azathioprine.status != "active")'

return protocol "atopic_dermatitis" {
  extends = "base",
  version = "2026.1",
  title = "Azathioprine in atopic dermatitis",
  description = "Moderate-to-severe atopic dermatitis (atopic eczema): TPMT-guided dosing "
    .. "after Meggitt 2006. Normal TPMT: 1.0 mg/kg/day for 4 weeks, then 2.5 mg/kg/day (band "
    .. "2.0-3.0). TPMT intermediate: 0.5 mg/kg/day for 4 weeks, then 1.0 mg/kg/day (band "
    .. "0.75-1.25). Pregnancy: contraindicated (label position).",

  references = {
    meggitt2006 = {
      text = "Meggitt SJ et al. Azathioprine dosed by TPMT activity for moderate-to-severe "
        .. "atopic eczema (randomised controlled trial). Lancet 2006;367:839 [V]. Normal "
        .. "TPMT: 1.0 mg/kg/day "
        .. "for 4 weeks, then 2.5 mg/kg/day; TPMT in the heterozygous range: 0.5 mg/kg/day for "
        .. "4 weeks, then 1.0 mg/kg/day. At 12 weeks SASSAD fell 37 % vs 20 % with placebo.",
      short = "Meggitt 2006", year = 2006, confidence = "V",
    },
    bad2011 = {
      text = "Meggitt SJ et al. British Association of Dermatologists' guidelines for "
        .. "azathioprine, 2011. Br J Dermatol 2011;165:711: "
        .. "TPMT-guided dosing; absent TPMT, do not use; heterozygous, a reduced dose. The "
        .. "guideline exists [V]; its TPMT bands and dose numbers were not read [R]: "
        .. "unverified.",
      short = "BAD 2011 (numbers unverified)", year = 2011, confidence = "R",
    },
    ad_bands = {
      text = "aza default clinical profile for atopic dermatitis (design §8; clinical "
        .. "reference §7, 'proposed defaults; make them configurable'): the band 2.0-3.0 "
        .. "mg/kg/day around Meggitt's 2.5 mg/kg/day, and 0.75-1.25 mg/kg/day around his 1.0 "
        .. "mg/kg/day for TPMT intermediates. No source gives these bands: unverified, "
        .. "site-configurable. AAD 2014 (Sidbury, JAAD 71:327) quotes 1-3 mg/kg/day "
        .. "(recalled, unverified); the UK SmPC range is 1-3 mg/kg/day [V].",
      short = "aza AD bands (unverified)", year = 2026, confidence = "R",
    },
    label_pregnancy = {
      text = "Azathioprine labels on pregnancy [V]: US label, can cause fetal harm (former "
        .. "category D), avoid whenever possible, contraindicated in pregnancy for rheumatoid "
        .. "arthritis; UK/international SmPC, do not give to pregnant women (or women likely "
        .. "to become pregnant) without a careful assessment of risk and benefit. Specialty "
        .. "guidelines (EULAR 2016/2024, BSR 2016) call it compatible up to 2 mg/kg/day; "
        .. "design §8 takes the label position for atopic dermatitis (clinical reference "
        .. "§6.1). Labels as read (2026).",
      short = "US label; UK SmPC (pregnancy)", year = 2026, confidence = "V",
    },
  },

  parameters = {
    indication = "Moderate-to-severe atopic dermatitis (atopic eczema)",
    dose = { mg_per_kg_per_day = 2.5, band = { 2.0, 3.0 },
             cite = { "meggitt2006", "ad_bands" } },
    -- 1.0 mg/kg/day (rounded down to a deliverable dose) for 4 weeks, then the target
    titration = { start_mg_per_kg_per_day = 1.0, start_weeks = 4, cite = "meggitt2006" },
  },

  data = {
    -- the indication itself needs no rule (see base.lua's known_words)
    known_words = { conditions = { "atopic_dermatitis", "atopic_eczema", "eczema" } },
    -- citations of parameters that have no cite field of their own (as in base.lua)
    citations = { indication = { "meggitt2006", "bad2011" } },
  },

  replace = {
    -- base's rule, NUDT15 branch only; the TPMT branch is tpmt-intermediate-meggitt below
    rule "pgx-one-intermediate" {
      when = 'nudt15.phenotype in {"intermediate", "possible_intermediate"} and '
        .. '(tpmt.phenotype in {"normal", "indeterminate"} or unknown(tpmt.phenotype))',
      action = { reduce { percent = 50, low = 30, high = 80 },
                 alert { kind = "pharmacogenomic", severity = "warning" } },
      cite = { "cpic2025", "dpwg2025", "cpic2020", "aza_default" },
      message = "NUDT15 intermediate metaboliser: 50 % of the standard dose, rounded to a "
        .. "deliverable dose within 30-80 % of it (CPIC 2025; DPWG 2025: 50 %). Already on "
        .. "azathioprine: a current dose within or below that band is kept; one above it is "
        .. "lowered to the 50 % dose. Adjust on blood counts; steady state takes 2-4 weeks. "
        .. "(For TPMT intermediates this protocol uses the Meggitt 2006 regimen instead.)",
    },
  },

  disable = { "pregnancy-cap" },

  rules = {
    rule "tpmt-intermediate-meggitt" {
      when = NOT_ACTIVE .. ' and '
        .. 'tpmt.phenotype in {"intermediate", "possible_intermediate"} and '
        .. '(nudt15.phenotype in {"normal", "indeterminate"} or unknown(nudt15.phenotype))',
      action = { set_dose { mg_per_kg_per_day = 1.0, band = { 0.75, 1.25 },
                            start_mg_per_kg_per_day = 0.5, start_weeks = 4 },
                 alert { kind = "pharmacogenomic", severity = "warning" } },
      cite = { "meggitt2006", "bad2011", "ad_bands" },
      message = "TPMT intermediate metaboliser (atopic dermatitis): Meggitt 2006 regimen "
        .. "instead of the 50 % rule: 0.5 mg/kg/day for 4 weeks, then 1.0 mg/kg/day, rounded "
        .. "to a deliverable dose within 0.75-1.25 mg/kg/day; monitor blood counts.",
    },
    rule "tpmt-intermediate-meggitt-active" {
      when = 'azathioprine.status == "active" and '
        .. 'tpmt.phenotype in {"intermediate", "possible_intermediate"} and '
        .. '(nudt15.phenotype in {"normal", "indeterminate"} or unknown(nudt15.phenotype))',
      action = { reduce { percent = 40, low = 30, high = 50 },
                 alert { kind = "pharmacogenomic", severity = "warning" } },
      cite = { "meggitt2006", "ad_bands", "aza_default" },
      message = "TPMT intermediate metaboliser already on azathioprine (atopic dermatitis): "
        .. "the Meggitt 2006 maintenance dose is 1.0 mg/kg/day (band 0.75-1.25), i.e. 40 % "
        .. "(30-50 %) of the 2.5 mg/kg/day standard. A current dose within or below that "
        .. "band is kept; one above it is lowered to the 40 % dose. Monitor blood counts.",
    },
    rule "pregnancy-contraindicated" {
      when = "pregnant",
      action = { contraindicate, alert { kind = "pregnancy", severity = "critical" } },
      cite = "label_pregnancy",
      message = "Pregnancy: azathioprine is contraindicated for atopic dermatitis in this "
        .. "protocol (label position: US label, UK SmPC); choose another treatment. A site "
        .. "that follows the specialty guidelines (compatible up to 2 mg/kg/day) can replace "
        .. "this rule.",
    },
  },
}

-- Example site protocol: "Example Trust" inflammatory bowel disease protocol.
--
-- It extends the shipped "ibd" protocol and changes four things, each recorded in the
-- protocol's `overrides` (`aza check --verbose examples/site/site_ibd.lua` lists them):
--
--   1. formulary: the Trust also stocks a scored 75 mg tablet (US Azasan-type; clinical
--      reference §2.5), so half a 75 mg tablet makes 37.5 mg/day deliverable. With 25, 50
--      (scored) and 75 (scored) mg the deliverable doses are 25 mg and every 12.5 mg above.
--   2. neutrophils-low: withhold below 1.8 x10^9/L instead of ibd's 2.0 (a local decision,
--      cited to the Trust's own audit).
--   3. ace-inhibitor-caution: disabled (the Trust's shared-care agreement handles it).
--   4. local-elderly-review: an added rule, with the Trust's own reference.
--
-- This is a worked example for docs/authoring.md, not clinical advice: the local
-- references below are illustrative and name no published source. Test it with
--
--   bin/aza test examples/site/site_ibd.lua examples/site/cases.lua
--
-- luacheck: no max line length
return protocol "site_ibd" {
  extends = "ibd",
  version = "2026.1",
  title = "Example Trust: azathioprine in inflammatory bowel disease",

  references = {
    trust_audit = {
      text = "Example Trust gastroenterology neutropenia audit, 2026 (illustrative local "
        .. "reference for the aza site example; not a published source): withhold below "
        .. "1.8 x10^9/L. Local decision, unverified outside the Trust.",
      short = "Example Trust audit 2026", year = 2026, confidence = "R",
    },
    trust_elderly = {
      text = "Example Trust azathioprine shared-care policy, 2026, section 4 (illustrative "
        .. "local reference for the aza site example; not a published source): patients aged "
        .. "75 or over start only after a consultant has reviewed the dose. Local policy, "
        .. "unverified outside the Trust. Background: the UK SmPC advises the lower end of "
        .. "the dose range in the elderly (clinical reference §6.5, recalled).",
      short = "Example Trust policy 2026", year = 2026, confidence = "R",
    },
    trust_formulary = {
      text = "Example Trust formulary, 2026 (illustrative): azathioprine 25 mg (unscored), "
        .. "50 mg (scored) and 75 mg (scored) tablets. Scoring is per product: check the "
        .. "product stocked (clinical reference §2.5).",
      short = "Example Trust formulary 2026", year = 2026, confidence = "R",
    },
  },

  parameters = {
    -- a list replaces the inherited formulary as a whole
    formulary = { { mg = 25 }, { mg = 50, scored = true }, { mg = 75, scored = true } },
  },

  data = {
    citations = { formulary = "trust_formulary" },
  },

  -- replace: the id must be inherited (a typo is a load error, not a new rule)
  replace = {
    rule "neutrophils-low" {
      when = "neutrophils < 1.8 10*9/L",
      action = { withhold, alert { kind = "lab", severity = "critical" } },
      cite = "trust_audit",
      message = "Neutrophils below 1.8 x10^9/L (Trust threshold): withhold azathioprine and "
        .. "discuss with the IBD team.",
    },
  },

  disable = { "ace-inhibitor-caution" },

  rules = {
    rule "local-elderly-review" {
      when = "age >= 75 a",
      action = alert { kind = "monitoring", severity = "warning",
                       message = "Aged 75 or over: consultant review of the dose before "
                         .. "starting (Trust policy)." },
      cite = "trust_elderly",
      message = "Trust policy: patients aged 75 or over start azathioprine only after a "
        .. "consultant has reviewed the dose.",
    },
  },
}

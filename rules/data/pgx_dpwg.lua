--- DPWG allele functions and diplotype -> phenotype rules for TPMT and NUDT15.
--
-- Data only (no code): read by `aza.input.pgx` when a protocol or caller selects the
-- `dpwg` profile. Source, from ../shared/clinical-reference.md §1.1-1.2 and §8:
--
-- * S-DPWG-old: PharmCAT
--   `reporter/guidelines/Annotation_of_DPWG_Guideline_for_azathioprine_and_TPMT.json`
--   (PA166104934) and `..._NUDT15.json` (PA166184614). [V for the snapshot, dated about
--   2019-2023; not yet checked against DPWG 2025 (S-DPWG25, Coenen et al., PMID 41318725)]
--
-- Function words: `normal`, `decreased`, `strongly_decreased`, `no_function`.
-- Not encoded: the DPWG NUDT15 variants named only by protein change in the reference
-- (Arg34Thr and Gly17_Val18del "strongly decreased", Lys35Glu "decreased"), because the
-- reference gives no star-allele name for them.
--
-- Fallback to CPIC (`fallback = "cpic"`, an aza choice, not DPWG's): the DPWG snapshot does
-- not classify the CPIC-only alleles, TPMT *19 and above and NUDT15 *7-*9. Without a
-- fallback NUDT15 *2/*9 (CPIC poor: *9 is no function since 2019) would be indeterminate
-- under this profile and get the standard dose. So an allele this table does not list takes
-- CPIC's function (rules/data/pgx_cpic.lua), with a note naming the fallback: *2/*9 is poor,
-- *1/*9 intermediate. An allele neither table lists counts as unknown function (`unlisted`).
-- CPIC's functions include `uncertain` and `unknown`, which DPWG's rules do not use; the
-- pairs that contain them (marked "fallback" below) follow CPIC's rules (clinical reference
-- §1.2): with normal, or with each other -> indeterminate; with no function -> possible
-- intermediate. With a DPWG decreased or strongly decreased allele -> possible
-- intermediate as well: DPWG counts those as reduced like no function, so the CPIC rule
-- for a reduced allele with one of unknown function is applied to them by analogy (aza
-- default, unverified).
return {
  id = "dpwg",
  title = "DPWG allele functions (PharmCAT DPWG annotation snapshot, about 2019-2023)",
  cite = "S-DPWG-old",
  confidence = "V",
  caveat = "snapshot not checked against DPWG 2025 (S-DPWG25)",
  -- an allele this table does not list takes CPIC's function (see above)
  fallback = "cpic",
  -- an allele neither table lists
  unlisted = "unknown",

  genes = {
    TPMT = {
      ["*1"] = "normal",
      -- DPWG: *2, *3A, *3B, *3C, *3D, *4 and *5 through *18 are all no function [V]
      ["*2"] = "no_function", ["*3A"] = "no_function", ["*3B"] = "no_function",
      ["*3C"] = "no_function", ["*3D"] = "no_function", ["*4"] = "no_function",
      ["*5"] = "no_function", ["*6"] = "no_function", ["*7"] = "no_function",
      ["*8"] = "no_function", ["*9"] = "no_function", ["*10"] = "no_function",
      ["*11"] = "no_function", ["*12"] = "no_function", ["*13"] = "no_function",
      ["*14"] = "no_function", ["*15"] = "no_function", ["*16"] = "no_function",
      ["*17"] = "no_function", ["*18"] = "no_function",
    },
    NUDT15 = {
      ["*1"] = "normal",
      ["*2"] = "no_function", ["*3"] = "no_function",               -- [V]
      ["*4"] = "strongly_decreased", ["*5"] = "strongly_decreased",  -- [V]
      ["*6"] = "strongly_decreased",                                 -- [V]
    },
  },

  -- Unordered pairs of allele functions -> phenotype (clinical reference §1.2, DPWG rules
  -- from the PharmCAT snapshot) [V]:
  -- IM = one reduced allele with a normal one (decreased, strongly decreased or no function);
  -- PM = any pair of two reduced alleles. TPMT has only normal and no-function alleles here.
  phenotypes = {
    { "normal", "normal", "normal" },
    { "normal", "decreased", "intermediate" },
    { "normal", "strongly_decreased", "intermediate" },
    { "normal", "no_function", "intermediate" },
    { "decreased", "decreased", "poor" },
    { "decreased", "strongly_decreased", "poor" },
    { "decreased", "no_function", "poor" },
    { "strongly_decreased", "strongly_decreased", "poor" },
    { "strongly_decreased", "no_function", "poor" },
    { "no_function", "no_function", "poor" },
    -- fallback pairs: an allele with CPIC's uncertain or unknown function (see above)
    { "normal", "uncertain", "indeterminate" },
    { "normal", "unknown", "indeterminate" },
    { "uncertain", "uncertain", "indeterminate" },
    { "uncertain", "unknown", "indeterminate" },
    { "unknown", "unknown", "indeterminate" },
    { "no_function", "uncertain", "possible_intermediate" },
    { "no_function", "unknown", "possible_intermediate" },
    -- by analogy with CPIC's no function + uncertain/unknown (aza default, unverified)
    { "strongly_decreased", "uncertain", "possible_intermediate" },
    { "strongly_decreased", "unknown", "possible_intermediate" },
    { "decreased", "uncertain", "possible_intermediate" },
    { "decreased", "unknown", "possible_intermediate" },
  },
}

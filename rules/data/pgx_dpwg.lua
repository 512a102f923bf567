--- DPWG allele functions and diplotype -> phenotype rules for TPMT and NUDT15.
--
-- Data only (no code): read by `aza.input.pgx` when a protocol or caller selects the
-- `dpwg` profile. Source:
--
-- * S-PCAT-DPWG: PharmCAT's DPWG phenotype files, data version 2025-09-25-21-40,
--   `src/main/resources/org/pharmgkb/pharmcat/phenotype/dpwg/TPMT.json` and `NUDT15.json`
--   as they were in PharmGKB/PharmCAT before commit bd221371 ("removal of DPWG-specific
--   phenotypes and functions"), the last DPWG data PharmCAT published. [V]
--
-- Function words are DPWG's: `normal` (Normal function), `decreased` (Decreased function),
-- `no_function` (No function). DPWG 2025-09-25 lists TPMT *1-*18 (no *3D: DPWG dropped it
-- in 2023 and CPIC never listed it, so it is an allele of unknown function here like any
-- unlisted one) and NUDT15 *1-*9, with *4-*9 decreased function (the earlier snapshot this
-- table was made from called *4-*6 strongly decreased and did not list *7-*9).
-- `spec/rules/pgx_tables_spec.lua` checks every diplotype of those files against this table.
--
-- Fallback to CPIC (`fallback = "cpic"`, an aza choice, not DPWG's): DPWG does not classify
-- the CPIC-only alleles (TPMT *19 and above, NUDT15 *10 and above). An allele this table
-- does not list takes CPIC's function (rules/data/pgx_cpic.lua), with a note naming the
-- fallback. An allele neither table lists counts as unknown function (`unlisted`). CPIC's
-- functions include `uncertain` and `unknown`, which DPWG's rules do not use; the pairs that
-- contain them (marked "fallback" below) follow CPIC's rules (clinical reference §1.2):
-- with normal, or with each other -> indeterminate; with no function -> possible
-- intermediate. With a DPWG decreased allele -> possible intermediate as well: DPWG counts a
-- decreased allele as reduced like no function (decreased + decreased is poor), so the CPIC
-- rule for a reduced allele with one of unknown function is applied to it by analogy (aza
-- default, unverified).
return {
  id = "dpwg",
  version = "2025-09-25",
  title = "DPWG allele functions (PharmCAT DPWG phenotype files, data version 2025-09-25)",
  cite = "S-PCAT-DPWG",
  confidence = "V",
  -- an allele this table does not list takes CPIC's function (see above)
  fallback = "cpic",
  -- an allele neither table lists
  unlisted = "unknown",

  genes = {
    TPMT = {
      ["*1"] = "normal",
      -- DPWG 2025-09-25: *2, *3A, *3B, *3C, *4 and *5 through *18 are no function [V]
      ["*2"] = "no_function", ["*3A"] = "no_function", ["*3B"] = "no_function",
      ["*3C"] = "no_function", ["*4"] = "no_function",
      ["*5"] = "no_function", ["*6"] = "no_function", ["*7"] = "no_function",
      ["*8"] = "no_function", ["*9"] = "no_function", ["*10"] = "no_function",
      ["*11"] = "no_function", ["*12"] = "no_function", ["*13"] = "no_function",
      ["*14"] = "no_function", ["*15"] = "no_function", ["*16"] = "no_function",
      ["*17"] = "no_function", ["*18"] = "no_function",
    },
    NUDT15 = {
      ["*1"] = "normal",
      ["*2"] = "no_function", ["*3"] = "no_function",                  -- [V]
      ["*4"] = "decreased", ["*5"] = "decreased", ["*6"] = "decreased", -- [V]
      ["*7"] = "decreased", ["*8"] = "decreased", ["*9"] = "decreased", -- [V]
    },
  },

  -- Unordered pairs of allele functions -> phenotype (DPWG 2025-09-25, every pair of which
  -- the files hold a diplotype) [V]: IM = one reduced allele (decreased or no function) with
  -- a normal one; PM = any pair of two reduced alleles.
  phenotypes = {
    { "normal", "normal", "normal" },
    { "normal", "decreased", "intermediate" },
    { "normal", "no_function", "intermediate" },
    { "decreased", "decreased", "poor" },
    { "decreased", "no_function", "poor" },
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
    { "decreased", "uncertain", "possible_intermediate" },
    { "decreased", "unknown", "possible_intermediate" },
  },
}

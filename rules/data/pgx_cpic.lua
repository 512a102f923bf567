--- CPIC allele functions and diplotype -> phenotype rules for TPMT and NUDT15.
--
-- Data only (no code): read by `aza.input.pgx`. Sources, from
-- ../shared/clinical-reference.md §1.1-1.2 and §8:
--
-- * S-PCAT-PHENO: PharmCAT `src/main/resources/org/pharmgkb/pharmcat/phenotype/TPMT.json`
--   and `NUDT15.json`, data version 2025-11-05 (commit 5431bf1), generated from the CPIC
--   database. [V]
-- * S-CPIC-site: cpicpgx.org thiopurine page; NUDT15*9 reclassified from "uncertain" to
--   "no function" in February 2019 (PMID 30728528). [V]
--
-- Function words: `normal`, `no_function`, `uncertain`, `unknown` (CPIC lists no
-- decreased-function TPMT or NUDT15 allele [V]). A well-formed allele that is not listed
-- here is an allele of unknown function (`unlisted` below): the pair rules then apply as
-- for CPIC's own unknown-function alleles (clinical reference §1.2: no function + unknown
-- -> possible intermediate, treated as intermediate; normal + unknown, and unknown or
-- uncertain pairs -> indeterminate), with a note naming the allele. So NUDT15 *2/*10 is
-- possible intermediate (never the full dose), *1/*10 and *10/*11 indeterminate.
return {
  id = "cpic",
  version = "2025-11-05",
  -- other names a protocol's `parameters.profile` may use for this table
  aliases = { "cpic-2025" },
  title = "CPIC allele functions (PharmCAT TPMT.json / NUDT15.json, data version 2025-11-05)",
  cite = "S-PCAT-PHENO",
  confidence = "V",
  -- the function of a well-formed allele this table does not list
  unlisted = "unknown",

  genes = {
    TPMT = {
      -- no function [V]
      ["*2"] = "no_function", ["*3A"] = "no_function", ["*3B"] = "no_function",
      ["*3C"] = "no_function", ["*4"] = "no_function", ["*11"] = "no_function",
      ["*14"] = "no_function", ["*15"] = "no_function", ["*23"] = "no_function",
      ["*29"] = "no_function", ["*41"] = "no_function",
      -- uncertain function [V]: *5-*10, *12, *13, *16-*22, *24-*28, *31-*34, *37, *39, *40
      ["*5"] = "uncertain", ["*6"] = "uncertain", ["*7"] = "uncertain", ["*8"] = "uncertain",
      ["*9"] = "uncertain", ["*10"] = "uncertain", ["*12"] = "uncertain",
      ["*13"] = "uncertain", ["*16"] = "uncertain", ["*17"] = "uncertain",
      ["*18"] = "uncertain", ["*19"] = "uncertain", ["*20"] = "uncertain",
      ["*21"] = "uncertain", ["*22"] = "uncertain", ["*24"] = "uncertain",
      ["*25"] = "uncertain", ["*26"] = "uncertain", ["*27"] = "uncertain",
      ["*28"] = "uncertain", ["*31"] = "uncertain", ["*32"] = "uncertain",
      ["*33"] = "uncertain", ["*34"] = "uncertain", ["*37"] = "uncertain",
      ["*39"] = "uncertain", ["*40"] = "uncertain",
      -- unknown function [V]
      ["*30"] = "unknown", ["*35"] = "unknown", ["*36"] = "unknown", ["*38"] = "unknown",
      -- normal [V]
      ["*1"] = "normal",
    },
    NUDT15 = {
      ["*1"] = "normal",
      -- no function [V]; *9 since February 2019
      ["*2"] = "no_function", ["*3"] = "no_function", ["*9"] = "no_function",
      -- uncertain function [V]
      ["*4"] = "uncertain", ["*5"] = "uncertain", ["*6"] = "uncertain",
      ["*7"] = "uncertain", ["*8"] = "uncertain",
    },
  },

  -- Unordered pairs of allele functions -> phenotype (clinical reference §1.2, CPIC rules
  -- derived from the 2025-11 PharmCAT tables; the same logic for both genes). [V]
  -- A pair that is not listed gives `indeterminate` with a note.
  phenotypes = {
    { "normal", "normal", "normal" },
    { "normal", "no_function", "intermediate" },
    { "no_function", "no_function", "poor" },
    -- no function + uncertain/unknown: Possible IM (CPIC treats it as IM)
    { "no_function", "uncertain", "possible_intermediate" },
    { "no_function", "unknown", "possible_intermediate" },
    -- normal + uncertain/unknown, and uncertain/unknown pairs: Indeterminate
    { "normal", "uncertain", "indeterminate" },
    { "normal", "unknown", "indeterminate" },
    { "uncertain", "uncertain", "indeterminate" },
    { "uncertain", "unknown", "indeterminate" },
    { "unknown", "unknown", "indeterminate" },
  },
}

-- Protocol "base": the rules every indication shares (design §8, base column). Indication
-- protocols extend it and sites extend those; rule ids are stable (sites disable and
-- replace them by id). Every number comes from ../shared/clinical-reference.md with its
-- confidence mark and every rule cites a key of `references`. The need_data names, how the
-- dose modifiers act for a patient already on azathioprine, allopurinol co-therapy and the
-- monitoring intervals: docs/internals/base-protocol.md.

-- a naive or stopped patient, or one whose status is not given (the dose pipeline treats
-- that as naive; `required` asks for it)
local NOT_ACTIVE = '(unknown(azathioprine.status) or azathioprine.status != "active")'

return protocol "base" {
  version = "2026.1",
  title = "Azathioprine: rules shared by all indications",
  description = "Pharmacogenomics (combined TPMT x NUDT15, CPIC 2025), interactions, "
    .. "contraindications, BSR 2017 laboratory thresholds, baseline requirements, renal, "
    .. "pregnancy and lactation, cumulative exposure, monitoring and counselling.",

  references = {
    -- pharmacogenomics ------------------------------------------------------------------
    cpic2025 = {
      text = "Relling MV et al. CPIC guideline for thiopurine dosing based on TPMT and NUDT15 "
        .. "genotypes: 2025 update. Clin Pharmacol Ther 2026; PMID 41618934. Table 4 "
        .. "(azathioprine, non-malignant conditions): both normal metabolisers, standard "
        .. "starting dose (e.g. 2 mg/kg/day for autoimmune disease); exactly one gene "
        .. "intermediate or possible intermediate, 30-80 % of the standard dose (strong); both "
        .. "intermediate, 20-50 % (moderate); either gene poor metaboliser, consider a "
        .. "non-thiopurine immunosuppressant, no reduced-dose fallback (strong). Verbatim "
        .. "strings read through ClinPGx/PharmCAT as quoted in third-party repositories "
        .. "(clinical reference §1.3c) [S].",
      short = "CPIC 2025 Table 4", year = 2025, confidence = "S",
    },
    cpic2020 = {
      text = "CPIC thiopurine guideline page, update log (cpicpgx.org), April 2020 addendum: "
        .. "TPMT indeterminate, consider an erythrocyte TPMT activity test; NUDT15 "
        .. "indeterminate, or unknown when a thiopurine is needed, monitor closely for "
        .. "toxicity [V]. Clinical reference §1.4 matrix: TPMT intermediate with NUDT15 "
        .. "indeterminate or unknown, intermediate dose plus close monitoring.",
      short = "CPIC 2020 addendum", year = 2020, confidence = "V",
    },
    dpwg2025 = {
      text = "Coenen MJH et al. DPWG guideline for TPMT/NUDT15 and thiopurines. Eur J Hum "
        .. "Genet 2025; PMID 41318725 (abstract): TPMT or NUDT15 intermediate, start at 50 % "
        .. "of the normal dose; poor, an alternative (or 10 %); genotyping both genes before "
        .. "starting is 'essential' [V]. No number for TPMT IM with NUDT15 IM.",
      short = "DPWG 2025", year = 2025, confidence = "V",
    },
    nudt15_hk = {
      text = "PLoS Genet 2021, actionable pharmacogenetic phenotypes in Hong Kong Chinese "
        .. "(PMC7891783), table: NUDT15 intermediate metabolisers 17.6 %, poor 0.95 % [V] "
        .. "(clinical reference §1.2). The reference's summary for East Asian ancestry, "
        .. "intermediate about 18-21 % and poor 1-2 % (§6.6, [V/S]), takes its upper figures "
        .. "from the seed document (21 % and 2 %, [S/X], not used here).",
      short = "PLoS Genet 2021 (Hong Kong)", year = 2021, confidence = "V",
    },
    tpmt_lab = {
      text = "Gloucestershire Hospitals NHS TPMT page (St Thomas' laboratory ranges, "
        .. "nmol/h/g Hb: <10 deficient, 10-25 carrier, 26-50 normal, >50 high); a red-cell "
        .. "transfusion in the previous 4 months invalidates the activity result; thiopurine "
        .. "treatment already under way can induce TPMT activity [V]. Web page, undated; "
        .. "year = as read for the clinical reference (2026). Design §8 sets 120 days.",
      short = "St Thomas' TPMT (S-Lab)", year = 2026, confidence = "V",
    },
    aza_default = {
      text = "aza default clinical profile: a site-configurable choice where the sources give "
        .. "no single number; unverified. Taken from design §8 (which states them, without a "
        .. "further source): the 30 % point dose inside CPIC's 20-50 % band for TPMT IM + "
        .. "NUDT15 IM; weekly FBC for the first 4 weeks as the reading of CPIC's 'monitor "
        .. "closely' (NUDT15 indeterminate); FBC 2-4 weeks after an ACE inhibitor is added; "
        .. "baseline FBC and ALT/AST no older than 28 days; withholding for specialist review "
        .. "in active malignancy (the seed's 'relative contraindication' is not confirmed by "
        .. "a source). aza's own choices, which design §8 does not make: refusing to choose "
        .. "between conflicting TPMT or NUDT15 results; asking for the current dose of a "
        .. "patient already on azathioprine; for such a patient, reading the pharmacogenomic "
        .. "band against the weight-based standard dose and the renal percentage as a "
        .. "ceiling on the dose a new start would get (a current dose within or below the "
        .. "band, or at or below the ceiling, is kept; one above is lowered); withholding "
        .. "with a xanthine-oxidase inhibitor the sources give no azathioprine dose for "
        .. "(topiroxostat); for the monitoring of a patient already "
        .. "on azathioprine, taking an unknown start date as the initiation phase and (BSR "
        .. "schedule) the first 19 weeks as that phase (6 weeks 2-weekly + 3 months monthly, "
        .. "the shortest the BSR initiation can last), with the 2-weekly interval throughout.",
      short = "aza default (unverified)", year = 2026, confidence = "R",
    },

    -- labels and interactions -----------------------------------------------------------
    smpc = {
      text = "UK/international azathioprine (Imuran) SmPC, interactions and contraindications: "
        .. "with allopurinol, oxipurinol or thiopurinol give one quarter of the original "
        .. "azathioprine dose [V, via SmPC derivatives]; hypersensitivity to azathioprine or "
        .. "mercaptopurine is a contraindication [V]. Section and table numbers not "
        .. "verified; year = as read (2026).",
      short = "Imuran SmPC", year = 2026, confidence = "V",
    },
    fda_label = {
      text = "US Imuran (azathioprine) prescribing information (drugs.com, openFDA): "
        .. "allopurinol, reduce azathioprine to 1/3-1/4 of the usual dose; febuxostat, not "
        .. "recommended; ACE inhibitors, anaemia and severe leukopenia reported (a caution, "
        .. "not a contraindication); warfarin, azathioprine may reduce the anticoagulant "
        .. "effect, monitor INR; co-trimoxazole and other myelosuppressants, exaggerated "
        .. "leukopenia, monitor FBC; boxed warning: malignancy; hypersensitivity is a "
        .. "contraindication; maximum 2.5 mg/kg/day (RA) [V]. Label version as read (2026).",
      short = "US Imuran label", year = 2026, confidence = "V",
    },
    febuxostat_label = {
      text = "Febuxostat's own label contraindicates use with azathioprine or mercaptopurine; "
        .. "UK SmPC: not recommended (clinical reference §5) [R]: recalled, unverified. "
        .. "Design §8 encodes 'contraindicated'. Label year not known; year = as read (2026).",
      short = "febuxostat label (unverified)", year = 2026, confidence = "R",
    },
    smpc_vaccines = {
      text = "Azathioprine SmPC: avoid live vaccines; wait at least 3 months after stopping "
        .. "before a live vaccine (some local protocols say 6 months) [R]: recalled, "
        .. "unverified (clinical reference §5).",
      short = "SmPC live vaccines (unverified)", year = 2026, confidence = "R",
    },
    vaccine_handbook = {
      text = "Australian Immunisation Handbook, zoster vaccine table: azathioprine above "
        .. "3.0 mg/kg/day is significant immunosuppression (live zoster vaccine at least 1 "
        .. "month before starting or 3 months after stopping); 3.0 mg/kg/day or less is "
        .. "low-level [V]; recombinant zoster vaccine is the usual alternative. Yellow fever "
        .. "and oral polio: avoid (clinical reference §5). Year = as read (2026).",
      short = "Aust. Immunisation Handbook", year = 2026, confidence = "V",
    },

    -- laboratory thresholds and monitoring ---------------------------------------------
    bsr2017 = {
      text = "Ledingham J et al. BSR and BHPR guideline for the prescription and monitoring "
        .. "of non-biologic DMARDs. Rheumatology 2017;56:865. Action thresholds (x10^9/L): "
        .. "WBC < 3.5, neutrophils < 1.6, eosinophils > 0.5 (unexplained), platelets < 140; "
        .. "MCV > 105 fL (check B12, folate, TSH); ALT and/or AST > 100 U/L; albumin < 30 g/L "
        .. "(unexplained fall): withhold and discuss with the specialist team. Creatinine up "
        .. "> 30 % over 12 months and/or eGFR < 60: repeat in 1 week. Abnormal bruising or "
        .. "severe sore throat: withhold until the FBC result is available. Read through NHS "
        .. "derivatives (Lanarkshire, Dumfries & Galloway, SPS) [S]; the table number is not "
        .. "verified. Superseded by BSR 2025 (risk-adapted), whose thresholds were not read.",
      short = "BSR 2017", year = 2017, confidence = "S",
    },
    bsr2017_lymphocytes = {
      text = "BSR/BHPR DMARD guideline 2017: lymphocytes < 0.5 x10^9/L, withhold and discuss "
        .. "[R]: recalled from the guideline (thresholds table), not found in the NHS "
        .. "derivatives read; unverified.",
      short = "BSR 2017 lymphocytes (unverified)", year = 2017, confidence = "R",
    },
    bsr2017_schedule = {
      text = "BSR/BHPR DMARD guideline 2017, monitoring: baseline FBC with differential, "
        .. "creatinine/eGFR, ALT and/or AST, albumin, TPMT (wait for the result); then FBC, "
        .. "creatinine/eGFR, ALT/AST and albumin every 2 weeks until the dose has been stable "
        .. "for 6 weeks, monthly for 3 months, then at least every 12 weeks; back to 2-weekly "
        .. "after a dose increase [S, via NHS derivatives].",
      short = "BSR 2017 monitoring", year = 2017, confidence = "S",
    },
    fever_38 = {
      text = "Fever threshold 38 degC: the usual NHS definition of a high temperature [S]; no "
        .. "source uses 38 degC as an azathioprine-specific threshold [X] (clinical reference "
        .. "§3.2, mark S/X): unverified. Fever or sore throat -> urgent FBC, withhold until "
        .. "the result is back (BSR 2017 for bruising and sore throat).",
      short = "fever 38 degC (unverified)", year = 2026, confidence = "S/X",
    },

    -- renal, pregnancy, lactation, exposure ---------------------------------------------
    renal_handbook = {
      text = "Renal dosing references (Aronoff / Renal Drug Handbook style): creatinine "
        .. "clearance 10-50 mL/min, 75 % of the dose; below 10 mL/min, 50 % [S/R]: "
        .. "unverified (clinical reference §6.3, gap 8). Design §8 applies the same bands to "
        .. "eGFR. Year = as read (2026).",
      short = "renal handbook (unverified)", year = 2026, confidence = "R",
    },
    eular2024 = {
      text = "Goetestam Skorpen C et al. EULAR points to consider for use of antirheumatic "
        .. "drugs in pregnancy and lactation, 2024 update: azathioprine compatible with "
        .. "pregnancy up to 2 mg/kg/day in patients with normal thiopurine metabolism [S].",
      short = "EULAR 2024", year = 2024, confidence = "S",
    },
    nksr2024 = {
      text = "Norwegian National Advisory Unit on Pregnancy and Rheumatic Diseases (NKSR), "
        .. "azathioprine page, 2024: pregnancy up to 2 mg/kg/day; breastfeeding fine up to "
        .. "100 mg/day, assess individually above that [V].",
      short = "NKSR 2024", year = 2024, confidence = "V",
    },
    confavreux1996 = {
      text = "Confavreux C et al. Neurology 1996;46:1607 (PMID 8649558), multiple sclerosis "
        .. "case-control: cancer OR 1.3 (< 5 years), 2.0 (5-10 years), 4.4 (> 10 years of "
        .. "azathioprine), all 95 % CIs crossing 1; cumulative dose similar [V]. An "
        .. "informational flag, not a stop rule.",
      short = "Confavreux 1996", year = 1996, confidence = "V",
    },
    casetta2007 = {
      text = "Casetta I et al. Cochrane review of azathioprine in multiple sclerosis, 2007: "
        .. "the cumulative dose threshold > 600 g is attributed to it by a later review [S].",
      short = "Casetta 2007", year = 2007, confidence = "S",
    },

    -- counselling -----------------------------------------------------------------------
    patient_leaflet = {
      text = "Cleveland Clinic azathioprine patient page (reviewed 2021; "
        .. "../shared/seeds/000): take with food to reduce nausea; a missed dose is taken "
        .. "when remembered, then the usual schedule; regular blood tests. Patient "
        .. "information, not checked against the SmPC patient leaflet: unverified.",
      short = "patient information (unverified)", year = 2021, confidence = "R",
    },
    report_symptoms = {
      text = "Patient leaflets and guidelines list fever, sore throat, bruising and bleeding "
        .. "as 'report now' symptoms (clinical reference §3.2); DPWG (PharmCAT annotation "
        .. "snapshot, about 2019-2023): warn the patient to report sore throat with fever, "
        .. "nosebleeds or bruising [V].",
      short = "DPWG; patient leaflets", year = 2023, confidence = "V",
    },
    sun_protection = {
      text = "Azathioprine and UV light: skin cancer risk, sun protection advised "
        .. "(clinical reference §5, [V]); azathioprine dose and lip/skin cancer in transplant "
        .. "recipients [V]. Year = as read (2026).",
      short = "sun protection (label)", year = 2026, confidence = "V",
    },
  },

  parameters = {
    indication = "All indications (base: extend it with an indication protocol)",
    -- CPIC 2025 'e.g. 2 mg/kg/day for autoimmune disease' [S]; US label maximum 2.5 [V]
    dose = { mg_per_kg_per_day = 2.0, band = { 2.0, 2.5 }, cite = { "cpic2025", "fda_label" } },
    titration = false,
    -- UK Imuran: 25 mg unscored, 50 mg scored (clinical reference §2.5) [V]
    formulary = { { mg = 25 }, { mg = 50, scored = true } },
    regimen = { split_above_mg_per_day = false, allow_alternate = false },
    profile = "cpic-2025",
    tpmt_method = "st_thomas",
    -- TPMT not tested or indeterminate: "need_data" (aza's default, stricter than CPIC: no
    -- dose until TPMT is known) or "dose_by_nudt15" (CPIC: dose by NUDT15, advise a TPMT test)
    tpmt_unknown = "need_data",
  },

  data = {
    -- patient words the rules do not read but that are known to need nothing
    -- (no "unread word" warning for them; aza.protocol §6). Ancestry words with a
    -- NUDT15 or TPMT bearing (south_asian, hispanic, asian, ...) are left out on
    -- purpose, so a record using them is flagged for a person to look at.
    known_words = {
      ancestry = { "white", "white_british", "white_irish", "white_other", "european",
                   "black_african", "black_caribbean", "african", "african_american" },
    },
    -- BSR 2017 schedule (bsr2017_schedule) [S]
    monitoring = {
      { tests = { "fbc", "lft", "ue" }, every = "2 wk", until_stable_weeks = 6,
        text = "FBC, LFT and U&E every 2 weeks until the dose has been stable for 6 weeks "
          .. "(and again after each dose change)", cite = "bsr2017_schedule" },
      { tests = { "fbc", "lft", "ue" }, every = "1 mo", times = 3,
        text = "then monthly for 3 months", cite = "bsr2017_schedule" },
      { tests = { "fbc", "lft", "ue" }, every = "12 wk",
        text = "then at least every 12 weeks", cite = "bsr2017_schedule" },
    },
    -- citations of parameters that have no cite field of their own
    citations = { formulary = "smpc", tpmt_unknown = { "aza_default", "cpic2020" } },
  },

  -- facts needed before any decision (need_data names the missing one)
  required = { "weight", "azathioprine.status" },

  rules = {
    -- {=== pharmacogenomics (combined TPMT x NUDT15, CPIC 2025) ===

    rule "tpmt-poor" {
      when = 'tpmt.phenotype == "poor"',
      action = { contraindicate, alert { kind = "pharmacogenomic", severity = "critical" } },
      cite = "cpic2025",
      message = "TPMT poor metaboliser: do not use azathioprine; choose a non-thiopurine "
        .. "immunosuppressant (CPIC 2025 gives no reduced-dose option for non-malignant use).",
    },
    rule "nudt15-poor" {
      when = 'nudt15.phenotype == "poor"',
      action = { contraindicate, alert { kind = "pharmacogenomic", severity = "critical" } },
      cite = "cpic2025",
      message = "NUDT15 poor metaboliser: do not use azathioprine; choose a non-thiopurine "
        .. "immunosuppressant (CPIC 2025 gives no reduced-dose option for non-malignant use).",
    },
    rule "tpmt-not-tested" {
      when_parameter = { tpmt_unknown = "need_data" },
      when = "unknown(tpmt.phenotype) and not (known(tpmt.activity.after_transfusion) "
        .. "and tpmt.activity.after_transfusion)",
      action = { need_data { "tpmt" },
                 alert { kind = "pharmacogenomic", severity = "warning" } },
      cite = { "cpic2025", "bsr2017_schedule" },
      message = "TPMT status unknown: request a TPMT genotype or an erythrocyte TPMT activity "
        .. "test and wait for the result before starting azathioprine.",
    },
    rule "tpmt-indeterminate" {
      when_parameter = { tpmt_unknown = "need_data" },
      -- a usable activity result is a fact (tpmt.activity) only when one was given and is
      -- valid; when it is known and TPMT is still indeterminate, the activity itself could
      -- not be classified: tpmt-activity-unclassified, not a request for the same test
      when = 'tpmt.phenotype == "indeterminate" and not known(tpmt.activity)',
      action = { need_data { "tpmt_activity" },
                 alert { kind = "pharmacogenomic", severity = "warning" } },
      cite = "cpic2020",
      message = "TPMT genotype indeterminate (an allele of uncertain or unknown function): "
        .. "request an erythrocyte TPMT activity test; the dose is not set until it is back.",
    },
    -- parameters.tpmt_unknown = "dose_by_nudt15": CPIC's behaviour (the dose follows NUDT15;
    -- pgx-one-intermediate already treats an unknown or indeterminate TPMT so)
    rule "tpmt-not-tested-dose-by-nudt15" {
      when_parameter = { tpmt_unknown = "dose_by_nudt15" },
      when = "unknown(tpmt.phenotype) and not (known(tpmt.activity.after_transfusion) "
        .. "and tpmt.activity.after_transfusion)",
      action = alert { kind = "pharmacogenomic", severity = "warning" },
      cite = { "cpic2025", "cpic2020" },
      message = "TPMT status unknown: dosed by NUDT15 as CPIC does (this protocol's "
        .. "parameters.tpmt_unknown); request a TPMT genotype or an erythrocyte TPMT activity "
        .. "test and monitor the blood count closely until it is back.",
    },
    rule "tpmt-indeterminate-dose-by-nudt15" {
      when_parameter = { tpmt_unknown = "dose_by_nudt15" },
      when = 'tpmt.phenotype == "indeterminate" and not known(tpmt.activity)',
      action = alert { kind = "pharmacogenomic", severity = "warning" },
      cite = "cpic2020",
      message = "TPMT genotype indeterminate (an allele of uncertain or unknown function): "
        .. "dosed by NUDT15 as CPIC does (this protocol's parameters.tpmt_unknown); CPIC: "
        .. "consider an erythrocyte TPMT activity test to assess the TPMT phenotype.",
    },
    rule "tpmt-activity-unclassified" {
      when = 'tpmt.phenotype == "indeterminate" and known(tpmt.activity)',
      action = { need_data { "tpmt" },
                 alert { kind = "pharmacogenomic", severity = "warning" } },
      cite = { "tpmt_lab", "cpic2020" },
      message = "TPMT activity result outside every band of its laboratory method (for "
        .. "example above 26.4 U/mL on a Mayo-type assay, for which no band is published), "
        .. "and no determinate genotype: TPMT status cannot be read from it. Ask the "
        .. "laboratory to interpret the result, or request a TPMT genotype if none has been "
        .. "done; do not repeat the same activity test for this. The dose is not set until "
        .. "TPMT status is known.",
    },
    rule "tpmt-activity-after-transfusion" {
      -- 120 days: rules/data/tpmt_activity.lua transfusion_days (design §8)
      when = "(known(tpmt.activity.after_transfusion) and tpmt.activity.after_transfusion "
        .. 'and (unknown(tpmt.phenotype) or tpmt.phenotype == "indeterminate")) '
        .. "or (unknown(tpmt.phenotype) and days_since(transfusion.date) <= 120 d)",
      action = { need_data { "tpmt" },
                 alert { kind = "pharmacogenomic", severity = "warning" } },
      cite = "tpmt_lab",
      message = "TPMT activity is not valid within 120 days of a red-cell transfusion (donor "
        .. "cells): request a TPMT genotype, or repeat the activity test at least 120 days "
        .. "after the transfusion.",
    },
    rule "tpmt-conflict" {
      when = "tpmt.conflict",
      action = { need_data { "tpmt" },
                 alert { kind = "pharmacogenomic", severity = "critical" } },
      cite = { "tpmt_lab", "aza_default" },
      message = "TPMT results disagree (e.g. genotype normal but enzyme activity low): the "
        .. "dose is not chosen until they are reconciled. The two results are listed in the "
        .. "input warnings. Check for a transfusion before the activity sample, a sample "
        .. "mix-up, or a rare allele the genotype panel does not test; repeat the test that "
        .. "is in doubt or ask the laboratory.",
    },
    rule "nudt15-conflict" {
      when = "nudt15.conflict",
      action = { need_data { "nudt15" },
                 alert { kind = "pharmacogenomic", severity = "critical" } },
      cite = { "cpic2025", "aza_default" },
      message = "The NUDT15 genotype and the reported NUDT15 phenotype disagree: the dose is "
        .. "not chosen until the laboratory confirms which is right.",
    },
    rule "pgx-one-intermediate" {
      -- exactly one gene IM / possible IM, the other normal, indeterminate or not tested
      -- (CPIC: IM dose plus close monitoring); never with pgx-both-intermediate. Naive and
      -- active patients alike (see the header for how the pipeline reads it when active)
      when = '(tpmt.phenotype in {"intermediate", "possible_intermediate"} and '
        .. '(nudt15.phenotype in {"normal", "indeterminate"} or unknown(nudt15.phenotype))) '
        .. 'or (nudt15.phenotype in {"intermediate", "possible_intermediate"} and '
        .. '(tpmt.phenotype in {"normal", "indeterminate"} or unknown(tpmt.phenotype)))',
      action = { reduce { percent = 50, low = 30, high = 80 },
                 alert { kind = "pharmacogenomic", severity = "warning" } },
      cite = { "cpic2025", "dpwg2025", "cpic2020", "aza_default" },
      message = "One of TPMT / NUDT15 is an intermediate metaboliser: 50 % of the standard "
        .. "dose, rounded to a deliverable dose within 30-80 % of it (CPIC 2025; DPWG 2025: "
        .. "50 %). Already on azathioprine: a current dose within or below that band is "
        .. "kept; one above it is lowered to the 50 % dose. Adjust on blood counts; steady "
        .. "state takes 2-4 weeks.",
    },
    rule "pgx-both-intermediate" {
      when = 'tpmt.phenotype in {"intermediate", "possible_intermediate"} and '
        .. 'nudt15.phenotype in {"intermediate", "possible_intermediate"}',
      action = { reduce { percent = 30, low = 20, high = 50 },
                 alert { kind = "pharmacogenomic", severity = "warning" } },
      cite = { "cpic2025", "aza_default" },
      message = "TPMT and NUDT15 are both intermediate metabolisers: 30 % of the standard "
        .. "dose, rounded to a deliverable dose within 20-50 % of it (CPIC 2025, moderate; "
        .. "the 30 % point is a site-configurable default). Already on azathioprine: a "
        .. "current dose within or below that band is kept; one above it is lowered to the "
        .. "30 % dose. Monitor blood counts closely.",
    },
    rule "nudt15-indeterminate" {
      when = 'nudt15.phenotype == "indeterminate"',
      action = { alert { kind = "pharmacogenomic", severity = "warning" },
                 monitor { tests = { "fbc" }, every = "1 wk", weeks = 4 } },
      cite = { "cpic2020", "aza_default" },
      message = "NUDT15 indeterminate (an allele of uncertain or unknown function): "
        .. "standard dose, but monitor closely for myelotoxicity: FBC weekly for the first 4 "
        .. "weeks.",
    },
    rule "nudt15-not-tested" {
      -- CPIC: "if NUDT15 status is unknown, monitor closely"; the weekly FBC for 4 weeks is
      -- the schedule nudt15-indeterminate gives (aza default)
      when = "unknown(nudt15.phenotype)",
      action = { alert { kind = "pharmacogenomic", severity = "warning" },
                 monitor { tests = { "fbc" }, every = "1 wk", weeks = 4 } },
      cite = { "cpic2020", "dpwg2025", "aza_default" },
      message = "NUDT15 not tested: CPIC advises close monitoring when NUDT15 is unknown (FBC "
        .. "weekly for the first 4 weeks) and DPWG 2025 rates genotyping both genes before "
        .. "starting as essential; consider a NUDT15 genotype.",
    },
    rule "nudt15-not-tested-east-asian" {
      when = 'unknown(nudt15.phenotype) and ancestry("east_asian")',
      action = { need_data { "nudt15" },
                 alert { kind = "pharmacogenomic", severity = "warning" } },
      cite = { "cpic2025", "dpwg2025", "nudt15_hk" },
      message = "East Asian ancestry and NUDT15 not tested: NUDT15 no-function alleles are "
        .. "common (Hong Kong Chinese: intermediate 17.6 %, poor 0.95 %); request a NUDT15 "
        .. "genotype before setting the dose.",
    },

    -- }===
    -- {=== interactions ===

    -- Allopurinol co-therapy (issue "clinical correctness, round 2"): the quarter dose is for
    -- a patient starting azathioprine, or already on it when allopurinol is planned or was
    -- started after the current dose was set; a dose set while allopurinol was already
    -- taken is kept (it was set with it); when either date is unknown the dose is not cut
    -- on a guess: need_data.
    rule "allopurinol-quarter-dose" {
      when = "(" .. NOT_ACTIVE
        .. ' and (taking("allopurinol_like") or planned("allopurinol_like"))) '
        .. 'or (azathioprine.status == "active" and planned("allopurinol_like") '
        .. 'and not taking("allopurinol_like")) '
        .. 'or (azathioprine.status == "active" and taking("allopurinol_like") '
        .. "and days_since(allopurinol.started) < days_since(azathioprine.dose_since))",
      action = { reduce { fraction = 0.25 },
                 alert { kind = "interaction", severity = "critical" } },
      cite = { "smpc", "fda_label" },
      message = "Allopurinol (or another purine xanthine-oxidase inhibitor) with "
        .. "azathioprine: give one quarter of the azathioprine dose (the target when starting, "
        .. "the current dose when already on it and allopurinol is planned or was started "
        .. "after that dose was set), rounded down to a deliverable dose, and monitor the FBC "
        .. "closely. Deliberate IBD co-therapy (allopurinol 100 mg) is a specialist decision.",
    },
    rule "allopurinol-dose-set-with-it" {
      when = 'azathioprine.status == "active" and taking("allopurinol_like") '
        .. "and days_since(allopurinol.started) >= days_since(azathioprine.dose_since)",
      action = alert { kind = "interaction", severity = "warning" },
      cite = { "smpc", "aza_default" },
      message = "Allopurinol was already taken when the current azathioprine dose was set: "
        .. "that dose was chosen with it and is kept (no second quarter-dose cut). The "
        .. "combination needs an FBC after every dose change.",
    },
    rule "allopurinol-started-unknown" {
      when = 'azathioprine.status == "active" and taking("allopurinol_like") '
        .. "and unknown(allopurinol.started)",
      action = { need_data { "allopurinol.started" },
                 alert { kind = "interaction", severity = "critical" } },
      cite = { "smpc", "aza_default" },
      message = "On azathioprine and taking allopurinol, but when allopurinol was started is "
        .. "not given (medications[].started): if it was started after the current dose was "
        .. "set, that dose must be cut to a quarter; if the dose was set with it, it is kept. "
        .. "The dose is not changed on a guess: give the start date.",
    },
    rule "azathioprine-dose-since-unknown" {
      when = 'azathioprine.status == "active" and taking("allopurinol_like") '
        .. "and unknown(azathioprine.dose_since)",
      action = { need_data { "azathioprine.dose_since" },
                 alert { kind = "interaction", severity = "critical" } },
      cite = { "smpc", "aza_default" },
      message = "On azathioprine and taking allopurinol, but the date the current azathioprine "
        .. "dose was set is not given (azathioprine.dose_since): whether that dose already "
        .. "allows for allopurinol cannot be told. The dose is not changed on a guess: give the "
        .. "date.",
    },
    rule "febuxostat-contraindicated" {
      when = 'taking("febuxostat") or planned("febuxostat")',
      action = { contraindicate, alert { kind = "interaction", severity = "critical" } },
      cite = { "fda_label", "febuxostat_label" },
      message = "Febuxostat with azathioprine: do not co-prescribe (febuxostat blocks "
        .. "xanthine oxidase; no safe azathioprine dose is established). Use another urate-"
        .. "lowering drug or another immunosuppressant.",
    },
    rule "xanthine-oxidase-inhibitor-other" {
      when = 'taking("topiroxostat") or planned("topiroxostat")',
      action = { withhold, alert { kind = "interaction", severity = "critical" } },
      cite = "aza_default",
      message = "A xanthine-oxidase inhibitor for which the sources give no azathioprine "
        .. "dose (topiroxostat): do not co-prescribe without specialist review.",
    },
    rule "ace-inhibitor-caution" {
      when = 'taking("ace_inhibitor") or planned("ace_inhibitor")',
      action = { alert { kind = "interaction", severity = "warning" },
                 monitor { tests = { "fbc" }, every = "2 wk", weeks = 4 } },
      cite = { "fda_label", "aza_default" },
      message = "ACE inhibitor with azathioprine: anaemia and severe leukopenia have been "
        .. "reported; check the FBC 2-4 weeks after starting either drug.",
    },
    rule "coumarin-inr" {
      when = 'taking("coumarin") or planned("coumarin") or taking("vitamin_k_antagonist") '
        .. 'or planned("vitamin_k_antagonist")',
      action = alert { kind = "interaction", severity = "warning" },
      cite = "fda_label",
      message = "Vitamin K antagonist (warfarin, acenocoumarol, phenprocoumon): azathioprine "
        .. "can reduce the anticoagulant effect; check the INR after starting, stopping or "
        .. "changing the azathioprine dose.",
    },
    rule "co-trimoxazole-fbc" {
      when = 'taking("co_trimoxazole") or planned("co_trimoxazole")',
      action = alert { kind = "interaction", severity = "warning" },
      cite = "fda_label",
      message = "Co-trimoxazole with azathioprine: risk of exaggerated leukopenia; monitor "
        .. "the FBC during the course.",
    },
    rule "live-vaccine-planned" {
      when = 'planned("live_vaccine") or taking("live_vaccine")',
      action = alert { kind = "vaccine", severity = "critical" },
      cite = { "smpc_vaccines", "vaccine_handbook" },
      message = "Live vaccine planned: avoid live vaccines (yellow fever, MMR, varicella, "
        .. "oral typhoid, BCG, oral polio, nasal influenza) during azathioprine treatment "
        .. "(SmPC); after stopping, wait at least 3 months (local protocols up to 6). Live "
        .. "zoster vaccine only on specialist advice, considering the dose: the Australian "
        .. "Immunisation Handbook counts azathioprine up to 3.0 mg/kg/day as low-level "
        .. "immunosuppression and above 3.0 mg/kg/day as significant (then give it at least "
        .. "1 month before starting or 3 months after stopping); the recombinant (non-live) "
        .. "zoster vaccine is the usual alternative.",
    },
    rule "vaccine-live-status-unclear" {
      when = 'planned("vaccine_live_status_unclear")',
      action = alert { kind = "vaccine", severity = "warning" },
      cite = { "smpc_vaccines", "vaccine_handbook" },
      message = "A planned vaccine is named without its product (zoster, typhoid, polio, "
        .. "influenza, cholera, Japanese encephalitis, smallpox/mpox have live and non-live "
        .. "forms): confirm it is not a live vaccine before it is given.",
    },

    -- }===
    -- {=== contraindications ===

    rule "azathioprine-allergy" {
      when = 'allergic("thiopurine") or allergic("azathioprine") or allergic("mercaptopurine")',
      action = { contraindicate, alert { kind = "hypersensitivity", severity = "critical" } },
      cite = { "smpc", "fda_label" },
      message = "Hypersensitivity to azathioprine or mercaptopurine: azathioprine is "
        .. "contraindicated.",
    },
    rule "active-malignancy" {
      when = 'has("active_malignancy")',
      action = { withhold, alert { kind = "malignancy", severity = "critical" } },
      cite = { "fda_label", "aza_default" },
      message = "Active malignancy: withhold azathioprine until the specialist team has "
        .. "reviewed (azathioprine carries a boxed warning for malignancy).",
    },

    -- }===
    -- {=== laboratory thresholds (BSR 2017) ===

    rule "wbc-low" {
      when = "wbc < 3.5 10*9/L",
      action = { withhold, alert { kind = "lab", severity = "critical" } },
      cite = "bsr2017",
      message = "WBC below 3.5 x10^9/L: withhold azathioprine and discuss with the "
        .. "specialist team.",
    },
    rule "neutrophils-low" {
      when = "neutrophils < 1.6 10*9/L",
      action = { withhold, alert { kind = "lab", severity = "critical" } },
      cite = "bsr2017",
      message = "Neutrophils below 1.6 x10^9/L: withhold azathioprine and discuss with the "
        .. "specialist team.",
    },
    rule "lymphocytes-low" {
      when = "lymphocytes < 0.5 10*9/L",
      action = { withhold, alert { kind = "lab", severity = "critical" } },
      cite = "bsr2017_lymphocytes",
      message = "Lymphocytes below 0.5 x10^9/L: withhold azathioprine and discuss with the "
        .. "specialist team (threshold unverified; site-configurable).",
    },
    rule "eosinophils-high" {
      when = "eosinophils > 0.5 10*9/L",
      action = { withhold, alert { kind = "lab", severity = "critical" } },
      cite = "bsr2017",
      message = "Eosinophils above 0.5 x10^9/L (if unexplained): withhold azathioprine and "
        .. "discuss with the specialist team.",
    },
    rule "platelets-low" {
      when = "platelets < 140 10*9/L",
      action = { withhold, alert { kind = "lab", severity = "critical" } },
      cite = "bsr2017",
      message = "Platelets below 140 x10^9/L: withhold azathioprine and discuss with the "
        .. "specialist team.",
    },
    rule "transaminases-high" {
      when = "alt > 100 U/L or ast > 100 U/L",
      action = { withhold, alert { kind = "lab", severity = "critical" } },
      cite = "bsr2017",
      message = "ALT or AST above 100 U/L: withhold azathioprine and discuss with the "
        .. "specialist team.",
    },
    rule "albumin-low" {
      when = "albumin < 30 g/L",
      action = { withhold, alert { kind = "lab", severity = "critical" } },
      cite = "bsr2017",
      message = "Albumin below 30 g/L (if an unexplained fall): withhold azathioprine and "
        .. "discuss with the specialist team.",
    },
    rule "mcv-high" {
      when = "mcv > 105 fL",
      action = alert { kind = "lab", severity = "warning" },
      cite = "bsr2017",
      message = "MCV above 105 fL: check vitamin B12, folate and TSH and treat any cause; if "
        .. "they are normal, discuss with the specialist team (macrocytosis is common on "
        .. "thiopurines).",
    },
    rule "renal-function-check" {
      when = "egfr < 60 mL/min/{1.73_m2} or rise_percent(creatinine, 365 d) > 30 %",
      action = { alert { kind = "renal", severity = "warning" },
                 monitor { tests = { "ue" }, every = "1 wk", weeks = 1 } },
      cite = "bsr2017",
      message = "eGFR below 60 mL/min/1.73 m2 or creatinine up more than 30 % within 12 "
        .. "months: repeat U&E in 1 week; if still abnormal, withhold and discuss with the "
        .. "specialist team.",
    },
    rule "fever-or-symptoms" {
      when = 'temperature >= 38 Cel or has("fever") or has("sore_throat") '
        .. 'or has("bruising") or has("unexplained_bruising") or has("abnormal_bruising") '
        .. 'or has("unexplained_bleeding")',
      action = { withhold, alert { kind = "infection", severity = "critical" } },
      cite = { "bsr2017", "fever_38" },
      message = "Fever (38 degC or above), sore throat, or unexplained bruising or bleeding: "
        .. "withhold azathioprine and get an urgent FBC; restart only when the result is "
        .. "back and acceptable.",
    },

    -- }===
    -- {=== baseline (naive or restarting patients) ===

    rule "baseline-fbc" {
      when = NOT_ACTIVE .. ' and (unknown(wbc) or unknown(neutrophils) '
        .. "or unknown(platelets) or days_since(wbc.date) > 28 d "
        .. "or days_since(neutrophils.date) > 28 d or days_since(platelets.date) > 28 d)",
      action = { need_data { "fbc" }, alert { kind = "monitoring", severity = "warning" } },
      cite = { "bsr2017_schedule", "aza_default" },
      message = "Baseline FBC (WBC, neutrophils, platelets) missing or older than 28 days: "
        .. "take a new FBC before starting azathioprine.",
    },
    rule "baseline-lft" {
      when = NOT_ACTIVE .. ' and (unknown(alt) or days_since(alt.date) > 28 d) '
        .. "and (unknown(ast) or days_since(ast.date) > 28 d)",
      action = { need_data { "lft" }, alert { kind = "monitoring", severity = "warning" } },
      cite = { "bsr2017_schedule", "aza_default" },
      message = "Baseline ALT/AST missing or older than 28 days: take new liver function "
        .. "tests before starting azathioprine.",
    },
    rule "active-dose-missing" {
      when = 'azathioprine.status == "active" and unknown(azathioprine.dose)',
      action = { need_data { "azathioprine.dose" },
                 alert { kind = "input", severity = "warning" } },
      cite = "aza_default",
      message = "The patient is on azathioprine but the current daily dose is not given: "
        .. "dose changes act on the current dose, so it is needed.",
    },

    -- }===
    -- {=== renal (a ceiling for a patient already on azathioprine) ===

    rule "renal-severe" {
      when = "(known(egfr) and egfr < 10 mL/min/{1.73_m2}) or (known(crcl) and crcl < 10 mL/min)",
      action = { reduce { percent = 50 }, alert { kind = "renal", severity = "warning" } },
      cite = { "renal_handbook", "aza_default" },
      message = "eGFR or creatinine clearance below 10 mL/min: 50 % of the dose, rounded "
        .. "down (unverified default; site-configurable). Already on azathioprine: 50 % of "
        .. "the dose a new start would get (the standard dose, after any pharmacogenomic "
        .. "reduction) is a ceiling; a current dose at or below it is kept.",
    },
    rule "renal-moderate" {
      when = "((known(egfr) and egfr >= 10 mL/min/{1.73_m2} and egfr <= 50 mL/min/{1.73_m2}) "
        .. "or (known(crcl) and crcl >= 10 mL/min and crcl <= 50 mL/min)) and not ((known(egfr) "
        .. "and egfr < 10 mL/min/{1.73_m2}) or (known(crcl) and crcl < 10 mL/min))",
      action = { reduce { percent = 75 }, alert { kind = "renal", severity = "warning" } },
      cite = { "renal_handbook", "aza_default" },
      message = "eGFR or creatinine clearance 10-50 mL/min: 75 % of the dose, rounded down "
        .. "(unverified default; site-configurable). Already on azathioprine: 75 % of the "
        .. "dose a new start would get (the standard dose, after any pharmacogenomic "
        .. "reduction) is a ceiling; a current dose at or below it is kept.",
    },

    -- }===
    -- {=== pregnancy and lactation ===

    rule "pregnancy-cap" {
      when = "pregnant",
      action = { cap { mg_per_kg_per_day = 2 },
                 alert { kind = "pregnancy", severity = "warning" } },
      cite = { "eular2024", "nksr2024" },
      message = "Pregnancy: azathioprine is compatible; keep the dose at or below "
        .. "2 mg/kg/day (rounded down), with extra blood count monitoring; neonatal "
        .. "cytopenias have been reported.",
    },
    -- rules of phase "dose" run after the dose is worked out: they read this evaluation's
    -- dose (dose.mg_per_day, dose.mg_per_kg_per_day; unknown when there is none)
    rule "breastfeeding-high-dose" {
      phase = "dose",
      when = "breastfeeding and dose.mg_per_day > 100 mg/d",
      action = alert { kind = "lactation", severity = "warning" },
      cite = "nksr2024",
      message = "Breastfeeding with a dose above 100 mg/day (compatible up to 100 mg/day): "
        .. "assess individually; consider checking the infant's blood count.",
    },

    -- }===
    -- {=== exposure ===

    rule "cumulative-exposure" {
      when = "azathioprine.cumulative > 600 g or "
        .. '(azathioprine.status == "active" and days_since(azathioprine.started) > 10 a)',
      action = alert { kind = "exposure", severity = "info" },
      cite = { "confavreux1996", "casetta2007" },
      message = "Cumulative azathioprine exposure above 600 g or more than 10 years: a "
        .. "possible rise in cancer risk (weak evidence, confidence intervals crossing 1); "
        .. "review the continued need and skin checks. Information only.",
    },
    rule "dose-above-label-maximum" {
      -- a safety net over whatever produced the dose (a rule, a site's parameters)
      phase = "dose",
      -- UK/international SmPC (non-transplant): 1-3 mg/kg/day (clinical reference §2.5) [V]
      when = "dose.mg_per_kg_per_day > 3 mg/kg/d",
      action = alert { kind = "exposure", severity = "critical" },
      cite = "smpc",
      message = "The dose is above 3 mg/kg/day, the top of the labelled range: check the rule "
        .. "or the protocol setting that produced it before prescribing.",
    },

    -- }===
    -- {=== monitoring and counselling ===

    -- monitoring: the schedule of data.monitoring, for a start and for a patient already
    -- on azathioprine (the stage it is at now: aza.protocol.monitoring), not rules
    rule "counsel-take-with-food" {
      when = "true",
      action = counsel("Take azathioprine with food to reduce nausea."),
      cite = "patient_leaflet",
    },
    rule "counsel-report-symptoms" {
      when = "true",
      action = counsel("Report at once any fever, sore throat, mouth ulcers, unexplained "
        .. "bruising or bleeding: these can be signs of a low blood count."),
      cite = "report_symptoms",
    },
    rule "counsel-missed-dose" {
      when = "true",
      action = counsel("If you miss a dose, take it when you remember, then carry on with "
        .. "your usual schedule."),
      cite = "patient_leaflet",
    },
    rule "counsel-live-vaccines" {
      when = "true",
      action = counsel("Do not have live vaccines (such as yellow fever, MMR, chickenpox, "
        .. "oral typhoid or BCG) while taking azathioprine, and have the live shingles "
        .. "vaccine only if your specialist advises it; tell anyone vaccinating you that you "
        .. "take azathioprine."),
      cite = { "smpc_vaccines", "vaccine_handbook" },
    },
    rule "counsel-sun-protection" {
      when = "true",
      action = counsel("Protect your skin from the sun (high-factor sunscreen, covering up) "
        .. "and report new or changing skin lesions."),
      cite = "sun_protection",
    },
    rule "counsel-blood-tests" {
      when = "true",
      action = counsel("You need regular blood tests while taking azathioprine; keep every "
        .. "appointment."),
      cite = { "bsr2017_schedule", "patient_leaflet" },
    },

    -- }===
  },
}

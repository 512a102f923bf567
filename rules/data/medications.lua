--- Medication and vaccine classes: which names and ATC codes belong to which class.
--
-- Data only (no code): read by `aza.input.patient`. A medication (`medications[].name`,
-- `medications[].atc`), a planned vaccine (`vaccines_planned[]`) or an allergy
-- (`allergies[]`) that matches an entry adds the entry's `id` and its `classes` to the
-- patient's set (`medications.active`, `medications.planned`, `vaccines.planned`,
-- `allergies`), next to the name as given. Protocol rules then write
-- `taking("ace_inhibitor")`, `planned("live_vaccine")`, `allergic("thiopurine")`.
--
-- Matching (aza.input.patient, `medication_keys`), never by brand names:
--
-- * a name is lower-cased; `/`, `+`, `,`, `&`, ` and `, ` with ` separate the parts of a
--   combination; inside a part every character that is not a letter or a digit is dropped
--   ("co-trimoxazole" -> "cotrimoxazole", "6-MP" -> "6mp"); trailing `ignore_words`
--   (salts, "vaccine", dosage forms) and a trailing strength ("5 mg") are dropped;
-- * the name matches an entry when its parts, sorted, equal the sorted parts of one of the
--   entry's `names` ("trimethoprim/sulfamethoxazole" = "sulfamethoxazole + trimethoprim");
--   a hyphen is tried both as part of a word and as a separator;
-- * a combination that matches no entry as a whole matches each of its parts that is an
--   entry of its own ("ramipril/hydrochlorothiazide" -> ramipril -> ace_inhibitor);
-- * an ATC code (given as `atc`, or as the name itself) matches an entry listing that exact
--   code, and every `atc_prefixes` entry it starts with.
--
-- A name that matches nothing adds nothing (the name itself is still in the set). The
-- matches are recorded as notes of the patient (`derived` kind) so the trace can show them.
--
-- `checked` says where each ATC code was seen while writing this table (2026):
--   `pharmacolibrary` = the creative-connections/Pharmacolibrary repository, whose drug
--   models are filed by ATC code and name (e.g. C09A_AceInhibitorsPlain/C09AA16_Imidapril);
--   `fhir-atc` = a FHIR value set listing WHO ATC J07 codes with their WHO display names
--   ("yellow fever, live attenuated"); `several` = several unrelated code bases agree.
-- None was checked against the WHOCC ATC index itself (whocc.no): verify before relying on
-- a code beyond these. Entries without `atc` have no ATC code of their own (or none was
-- found): they match by name only.
--
-- Sources for the class memberships (../shared/clinical-reference.md §5): the interaction
-- table names allopurinol (also oxipurinol, thiopurinol), febuxostat, ACE inhibitors,
-- warfarin/acenocoumarol, co-trimoxazole and live vaccines (yellow fever, oral polio, live
-- zoster; the SmPC's "avoid live vaccines").
return {
  -- trailing words dropped before matching (salts, esters, "vaccine", dosage forms)
  ignore_words = {
    "sodium", "potassium", "calcium", "magnesium", "hydrochloride", "hcl", "maleate",
    "erbumine", "arginine", "tosilate", "tosylate", "mesilate", "mesylate", "besilate",
    "besylate", "tert-butylamine", "anhydrous", "dihydrate", "monohydrate",
    "vaccine", "vaccines", "vaccination", "immunisation", "immunization", "jab",
    "tablet", "tablets", "tab", "tabs", "capsule", "capsules",
  },

  classes = {
    xanthine_oxidase_inhibitor = {
      title = "xanthine-oxidase inhibitors (allopurinol, oxipurinol, tisopurine, febuxostat, "
        .. "topiroxostat)",
    },
    allopurinol_like = {
      title = "purine-analogue xanthine-oxidase inhibitors: allopurinol, its active metabolite "
        .. "oxipurinol, and tisopurine (thiopurinol); the SmPC's quarter-dose interaction "
        .. "(clinical reference §5: 'Allopurinol (also oxipurinol, thiopurinol)')",
    },
    ace_inhibitor = {
      title = "ACE inhibitors, plain and in combination (ATC C09A, C09B)",
    },
    vitamin_k_antagonist = {
      title = "vitamin K antagonists (ATC B01AA: coumarins and indandiones)",
    },
    coumarin = {
      title = "coumarin anticoagulants (warfarin, acenocoumarol, phenprocoumon and the other "
        .. "coumarins of ATC B01AA)",
    },
    co_trimoxazole = {
      title = "co-trimoxazole (sulfamethoxazole with trimethoprim, ATC J01EE01)",
    },
    thiopurine = {
      title = "thiopurines: azathioprine and mercaptopurine (an allergy to either "
        .. "contraindicates azathioprine)",
    },
    live_vaccine = {
      title = "live (attenuated or replicating) vaccines",
    },
    vaccine_live_status_unclear = {
      title = "vaccines named without saying which product: a live and a non-live form "
        .. "both exist (zoster, typhoid, polio, influenza, cholera, Japanese encephalitis, "
        .. "smallpox/mpox)",
    },
    inactivated_vaccine = {
      title = "non-live vaccines named explicitly (recombinant zoster, inactivated polio, "
        .. "injected typhoid, inactivated influenza)",
    },
  },

  -- ATC prefixes: a code starting with one of these belongs to the classes
  atc_prefixes = {
    { prefix = "C09A", classes = { "ace_inhibitor" }, checked = "pharmacolibrary" },
    { prefix = "C09B", classes = { "ace_inhibitor" }, checked = "several" },
    { prefix = "B01AA", classes = { "vitamin_k_antagonist" }, checked = "pharmacolibrary" },
  },

  substances = {
    -- xanthine-oxidase inhibitors -------------------------------------------------------
    { id = "allopurinol", names = { "allopurinol" }, atc = { "M04AA01" },
      classes = { "xanthine_oxidase_inhibitor", "allopurinol_like" },
      checked = "pharmacolibrary" },
    { id = "allopurinol", names = {}, atc = { "M04AA51" },
      classes = { "xanthine_oxidase_inhibitor", "allopurinol_like" },
      note = "allopurinol, combinations", checked = "pharmacolibrary" },
    { id = "oxipurinol", names = { "oxipurinol", "oxypurinol", "alloxanthine" },
      classes = { "xanthine_oxidase_inhibitor", "allopurinol_like" },
      note = "no ATC code of its own found" },
    { id = "tisopurine", names = { "tisopurine", "thiopurinol" }, atc = { "M04AA02" },
      classes = { "xanthine_oxidase_inhibitor", "allopurinol_like" },
      checked = "pharmacolibrary",
      note = "tisopurine is the INN of thiopurinol (equivalence not checked against a source)" },
    { id = "febuxostat", names = { "febuxostat" }, atc = { "M04AA03" },
      classes = { "xanthine_oxidase_inhibitor" }, checked = "pharmacolibrary" },
    { id = "topiroxostat", names = { "topiroxostat" },
      classes = { "xanthine_oxidase_inhibitor" },
      note = "non-purine XO inhibitor (Japan); no ATC code found; not allopurinol_like" },

    -- ACE inhibitors (ATC C09AA01-16) ---------------------------------------------------
    { id = "captopril", names = { "captopril" }, atc = { "C09AA01" },
      classes = { "ace_inhibitor" }, checked = "pharmacolibrary" },
    { id = "enalapril", names = { "enalapril", "enalaprilat" }, atc = { "C09AA02" },
      classes = { "ace_inhibitor" }, checked = "pharmacolibrary" },
    { id = "lisinopril", names = { "lisinopril" }, atc = { "C09AA03" },
      classes = { "ace_inhibitor" }, checked = "pharmacolibrary" },
    { id = "perindopril", names = { "perindopril" }, atc = { "C09AA04" },
      classes = { "ace_inhibitor" }, checked = "pharmacolibrary" },
    { id = "ramipril", names = { "ramipril" }, atc = { "C09AA05" },
      classes = { "ace_inhibitor" }, checked = "pharmacolibrary" },
    { id = "quinapril", names = { "quinapril" }, atc = { "C09AA06" },
      classes = { "ace_inhibitor" }, checked = "pharmacolibrary" },
    { id = "benazepril", names = { "benazepril" }, atc = { "C09AA07" },
      classes = { "ace_inhibitor" }, checked = "pharmacolibrary" },
    { id = "cilazapril", names = { "cilazapril" }, atc = { "C09AA08" },
      classes = { "ace_inhibitor" }, checked = "pharmacolibrary" },
    { id = "fosinopril", names = { "fosinopril" }, atc = { "C09AA09" },
      classes = { "ace_inhibitor" }, checked = "pharmacolibrary" },
    { id = "trandolapril", names = { "trandolapril" }, atc = { "C09AA10" },
      classes = { "ace_inhibitor" }, checked = "pharmacolibrary" },
    { id = "spirapril", names = { "spirapril" }, atc = { "C09AA11" },
      classes = { "ace_inhibitor" }, checked = "pharmacolibrary" },
    { id = "delapril", names = { "delapril" }, atc = { "C09AA12" },
      classes = { "ace_inhibitor" }, checked = "pharmacolibrary" },
    { id = "moexipril", names = { "moexipril" }, atc = { "C09AA13" },
      classes = { "ace_inhibitor" }, checked = "pharmacolibrary" },
    { id = "temocapril", names = { "temocapril" }, atc = { "C09AA14" },
      classes = { "ace_inhibitor" }, checked = "pharmacolibrary" },
    { id = "zofenopril", names = { "zofenopril" }, atc = { "C09AA15" },
      classes = { "ace_inhibitor" }, checked = "pharmacolibrary" },
    { id = "imidapril", names = { "imidapril" }, atc = { "C09AA16" },
      classes = { "ace_inhibitor" }, checked = "pharmacolibrary" },

    -- vitamin K antagonists (ATC B01AA) ----------------------------------------------------
    { id = "warfarin", names = { "warfarin" }, atc = { "B01AA03" },
      classes = { "coumarin", "vitamin_k_antagonist" }, checked = "pharmacolibrary" },
    { id = "phenprocoumon", names = { "phenprocoumon" }, atc = { "B01AA04" },
      classes = { "coumarin", "vitamin_k_antagonist" }, checked = "pharmacolibrary" },
    { id = "acenocoumarol", names = { "acenocoumarol", "nicoumalone" }, atc = { "B01AA07" },
      classes = { "coumarin", "vitamin_k_antagonist" }, checked = "pharmacolibrary" },
    { id = "dicoumarol", names = { "dicoumarol", "dicumarol" }, atc = { "B01AA01" },
      classes = { "coumarin", "vitamin_k_antagonist" }, checked = "pharmacolibrary" },
    { id = "ethyl_biscoumacetate", names = { "ethyl biscoumacetate" }, atc = { "B01AA08" },
      classes = { "coumarin", "vitamin_k_antagonist" }, checked = "pharmacolibrary" },
    { id = "tioclomarol", names = { "tioclomarol" }, atc = { "B01AA11" },
      classes = { "coumarin", "vitamin_k_antagonist" }, checked = "pharmacolibrary" },
    { id = "phenindione", names = { "phenindione" }, atc = { "B01AA02" },
      classes = { "vitamin_k_antagonist" }, checked = "pharmacolibrary" },
    { id = "fluindione", names = { "fluindione" }, atc = { "B01AA12" },
      classes = { "vitamin_k_antagonist" }, checked = "pharmacolibrary" },

    -- co-trimoxazole ---------------------------------------------------------------------
    { id = "co_trimoxazole",
      names = { "co-trimoxazole", "cotrimoxazole", "sulfamethoxazole/trimethoprim",
                "sulphamethoxazole/trimethoprim", "smx/tmp", "smx/tmx", "tmp/smx" },
      atc = { "J01EE01" }, classes = { "co_trimoxazole" }, checked = "pharmacolibrary" },

    -- thiopurines (allergies) --------------------------------------------------------------
    { id = "azathioprine", names = { "azathioprine", "aza" }, atc = { "L04AX01" },
      classes = { "thiopurine" }, checked = "several" },
    { id = "mercaptopurine", names = { "mercaptopurine", "6-mercaptopurine", "6-mp", "6mp" },
      atc = { "L01BB02" }, classes = { "thiopurine" }, checked = "several" },

    -- live vaccines (WHO ATC display "live attenuated" unless noted) --------------------------
    { id = "yellow_fever", names = { "yellow fever", "yellow fever live", "yf" },
      atc = { "J07BL01" }, classes = { "live_vaccine" }, checked = "fhir-atc" },
    { id = "mmr",
      names = { "mmr", "measles/mumps/rubella", "measles mumps rubella", "mmr ii" },
      atc = { "J07BD52" }, classes = { "live_vaccine" }, checked = "fhir-atc" },
    { id = "mmrv",
      names = { "mmrv", "measles/mumps/rubella/varicella", "measles mumps rubella varicella" },
      atc = { "J07BD54" }, classes = { "live_vaccine" }, checked = "fhir-atc" },
    { id = "measles", names = { "measles", "measles live" }, atc = { "J07BD01" },
      classes = { "live_vaccine" }, checked = "fhir-atc" },
    { id = "measles_mumps", names = { "measles/mumps" }, atc = { "J07BD51" },
      classes = { "live_vaccine" }, checked = "fhir-atc" },
    { id = "measles_rubella", names = { "mr", "measles/rubella" }, atc = { "J07BD53" },
      classes = { "live_vaccine" }, checked = "fhir-atc" },
    { id = "mumps", names = { "mumps" }, atc = { "J07BE01" },
      classes = { "live_vaccine" }, checked = "fhir-atc" },
    { id = "rubella", names = { "rubella" }, atc = { "J07BJ01" },
      classes = { "live_vaccine" }, checked = "fhir-atc" },
    { id = "rubella_mumps", names = { "mumps/rubella" }, atc = { "J07BJ51" },
      classes = { "live_vaccine" }, checked = "fhir-atc" },
    { id = "varicella", names = { "varicella", "varicella live", "chickenpox", "chicken pox" },
      atc = { "J07BK01" }, classes = { "live_vaccine" }, checked = "fhir-atc" },
    { id = "zoster_live",
      names = { "live zoster", "zoster live", "live herpes zoster", "herpes zoster live",
                "live shingles", "shingles live", "zoster vaccine live", "zvl",
                "live attenuated zoster", "zoster live attenuated" },
      atc = { "J07BK02" }, classes = { "live_vaccine" }, checked = "fhir-atc" },
    { id = "typhoid_oral",
      names = { "oral typhoid", "typhoid oral", "live oral typhoid", "ty21a",
                "typhoid ty21a", "typhoid oral live" },
      atc = { "J07AP01" }, classes = { "live_vaccine" }, checked = "fhir-atc" },
    { id = "bcg",
      names = { "bcg", "bacillus calmette-guerin", "bacille calmette-guerin",
                "bacillus calmette guerin", "bacille calmette guerin", "tuberculosis" },
      atc = { "J07AN01" }, classes = { "live_vaccine" }, checked = "fhir-atc" },
    { id = "polio_oral",
      names = { "oral polio", "polio oral", "opv", "oral poliomyelitis", "poliomyelitis oral",
                "bopv", "topv", "mopv", "sabin" },
      atc = { "J07BF01", "J07BF02", "J07BF04" }, classes = { "live_vaccine" },
      checked = "fhir-atc" },
    { id = "influenza_live",
      names = { "laiv", "live attenuated influenza", "live influenza", "influenza live",
                "nasal influenza", "nasal flu", "intranasal influenza", "flu nasal spray" },
      atc = { "J07BB03" }, classes = { "live_vaccine" }, checked = "fhir-atc" },
    { id = "rotavirus", names = { "rotavirus", "rota virus" }, atc = { "J07BH01", "J07BH02" },
      classes = { "live_vaccine" }, checked = "fhir-atc" },
    { id = "cholera_live",
      names = { "live oral cholera", "cholera live", "live cholera", "cvd 103-hgr" },
      atc = { "J07AE02" }, classes = { "live_vaccine" }, checked = "fhir-atc" },
    { id = "japanese_encephalitis_live",
      names = { "live japanese encephalitis", "japanese encephalitis live" },
      atc = { "J07BA03" }, classes = { "live_vaccine" }, checked = "fhir-atc" },
    { id = "dengue", names = { "dengue" }, atc = { "J07BX04" },
      classes = { "live_vaccine" }, checked = "fhir-atc",
      note = "ATC display 'dengue virus vaccines' does not say live; the licensed dengue "
        .. "vaccines (CYD-TDV, TAK-003) are live attenuated (not checked against a source)" },

    -- named without the product: live and non-live forms exist ---------------------------
    { id = "zoster", names = { "zoster", "herpes zoster", "shingles", "varicella zoster" },
      classes = { "vaccine_live_status_unclear" } },
    { id = "typhoid", names = { "typhoid" }, classes = { "vaccine_live_status_unclear" } },
    { id = "polio", names = { "polio", "poliomyelitis" },
      classes = { "vaccine_live_status_unclear" } },
    { id = "influenza", names = { "influenza", "flu" },
      classes = { "vaccine_live_status_unclear" } },
    { id = "cholera", names = { "cholera" }, classes = { "vaccine_live_status_unclear" } },
    { id = "japanese_encephalitis", names = { "japanese encephalitis" },
      classes = { "vaccine_live_status_unclear" } },
    { id = "smallpox", names = { "smallpox", "mpox", "monkeypox", "smallpox/monkeypox" },
      atc = { "J07BX01" }, classes = { "vaccine_live_status_unclear" }, checked = "fhir-atc" },

    -- non-live forms named explicitly --------------------------------------------------------
    { id = "zoster_recombinant",
      names = { "recombinant zoster", "zoster recombinant", "rzv", "adjuvanted zoster",
                "recombinant herpes zoster", "zoster subunit" },
      atc = { "J07BK03" }, classes = { "inactivated_vaccine" }, checked = "fhir-atc" },
    { id = "polio_inactivated",
      names = { "ipv", "inactivated polio", "polio inactivated", "inactivated poliomyelitis" },
      atc = { "J07BF03" }, classes = { "inactivated_vaccine" }, checked = "fhir-atc" },
    { id = "typhoid_injected",
      names = { "typhoid vi", "vi typhoid", "typhoid polysaccharide", "typhoid injection",
                "injected typhoid", "inactivated typhoid" },
      atc = { "J07AP02", "J07AP03" }, classes = { "inactivated_vaccine" },
      checked = "fhir-atc" },
    { id = "influenza_inactivated",
      names = { "inactivated influenza", "influenza inactivated", "quadrivalent inactivated "
                  .. "influenza", "recombinant influenza" },
      atc = { "J07BB01", "J07BB02" }, classes = { "inactivated_vaccine" },
      checked = "fhir-atc" },
  },
}

--- TPMT enzyme-activity bands per laboratory method.
--
-- Data only (no code): read by `aza.input.patient` to derive `tpmt.phenotype` from
-- `tpmt_activity` when no determinate genotype is given (design §8). Units and cut-offs
-- depend on the laboratory, so each method keeps its own unit and bands; a value is
-- converted only to its method's unit (method-specific units such as nmol/h/g{Hb} convert
-- only to themselves, design §3).
--
-- Bands are tried in order; a band matches when every bound it has holds:
-- `min` (value >= min), `above` (value > above), `below` (value < below), `max`
-- (value <= max). `published` is the band as the laboratory prints it. A value that
-- lies above a band's `published_max` but still in the band (a gap between two
-- published integer bands) is kept in the LOWER band and noted: see docs/patient-input.md.
-- A value that matches no band gives phenotype `indeterminate`, with a note.
--
-- Sources (../shared/clinical-reference.md §1.2 and §8, S-Lab).
return {
  default = "st_thomas",

  -- A red-cell transfusion invalidates the activity result: the UK laboratory asks about
  -- transfusions in the previous 4 months [V] (S-Lab); design §8 sets 120 days.
  -- An activity sampled 0..transfusion_days days (inclusive) after a transfusion is invalid.
  transfusion_days = 120,
  transfusion_cite = "S-Lab (UK lab asks about transfusions in the previous 4 months); design §8",

  methods = {
    st_thomas = {
      title = "St Thomas' (UK), via the Gloucestershire Hospitals NHS TPMT page",
      unit = "nmol/h/g{Hb}",
      cite = "S-Lab",
      confidence = "V",
      bands = {
        { phenotype = "poor", band = "deficient", below = 10, published = "<10" },
        -- published 10-25; values above 25 and below 26 are put here (the lower band)
        { phenotype = "intermediate", band = "carrier", min = 10, below = 26,
          published = "10-25", published_max = 25 },
        { phenotype = "normal", band = "normal", min = 26, max = 50, published = "26-50" },
        -- high activity is a normal metaboliser for dosing
        { phenotype = "normal", band = "high", above = 50, published = ">50" },
      },
    },

    mayo = {
      title = "US, Mayo-type assay, via ClinLabNavigator",
      unit = "U/mL{RBC}",
      cite = "S-Lab",
      confidence = "S",
      bands = {
        { phenotype = "poor", band = "deficient", below = 6.3, published = "<6.3" },
        -- published 6.3-15.0; values above 15.0 and below 15.1 are put here (the lower band)
        { phenotype = "intermediate", band = "carrier", min = 6.3, below = 15.1,
          published = "6.3-15.0", published_max = 15.0 },
        { phenotype = "normal", band = "normal", min = 15.1, max = 26.4,
          published = "15.1-26.4" },
        -- the reference gives no band above 26.4: such a value is indeterminate
      },
    },
  },
}

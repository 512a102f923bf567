-- Protocol "myasthenia_gravis": azathioprine in myasthenia gravis (design §8, MG row;
-- clinical reference §2.3).
--
-- Inherits every rule of "base". Its own differences:
--   * dose 2.5 mg/kg/day, band 2.0-3.0; start 50 mg/day, +50 mg every 2 weeks to the target;
--   * counselling: benefit takes 4-10 months, peak about 14 months (rule
--     counsel-mg-time-to-benefit);
--   * the monitoring schedule is the neurology one (Pract Neurol 2020, Table 1). Its numbers
--     are the same as base's BSR 2017 schedule (every 2 weeks until stable for 6 weeks,
--     monthly for 3 months, then every 12 weeks), so data.monitoring keeps those numbers and
--     cites the neurology source [V]; the neurology extras that need a judgement aza has no
--     fact for (weekly counts in high-risk patients; 6-TGN/6-MMP at week 4 and weeks 12-16
--     in high-risk patients or poor responders) are in the entries' text only, not in the
--     printed schedule, so that they never read as routine. A patient already on
--     azathioprine gets the stage of this schedule the dose is at (one model for starts and
--     active patients: aza.protocol.monitoring).
--
-- Numbers and their confidence (clinical reference §0):
--   2.5 mg/kg/day, band 2.0-3.0   "2-3 mg/kg/day (2.5 common)" in many reviews [R]: unverified,
--                                 site-configurable; Matell 1987 used 2 mg/kg [V]
--   50 mg/day, +50 mg / 2 weeks   local practice: 50 mg/day for 1-4 weeks, then 25-50 mg steps;
--                                 no guideline fixes the interval [R/S]: unverified
--   onset 4-10 months, peak ~14   24-patient series [V abstract; attribution to Witte 1984 R]
--
-- Worked example: 70 kg -> 2.5 x 70 = 175 mg/day, band 140-210 -> 175 (deliverable, in band).
-- Titration 50 (week 0), 100 (week 2), 150 (week 4), 175 (week 6: the next step, 200, would
-- pass the target, so the last step is the target).
--
-- luacheck: no max line length
return protocol "myasthenia_gravis" {
  extends = "base",
  version = "2026.1",
  title = "Azathioprine in myasthenia gravis",
  description = "Generalised myasthenia gravis, as a steroid-sparing agent: standard 2.5 "
    .. "mg/kg/day (band 2.0-3.0), starting at 50 mg/day and rising by 50 mg every 2 weeks; "
    .. "slow onset (4-10 months, peak about 14 months); neurology monitoring schedule.",

  references = {
    mg_dose_reviews = {
      text = "Myasthenia gravis target dose 2-3 mg/kg/day, 2.5 mg/kg/day common: quoted in "
        .. "many reviews [R], recalled, not read in a guideline: unverified, a "
        .. "site-configurable default. Australian eTG gives 1.5-2.5 mg/kg/day [S] "
        .. "(clinical reference §2.3, gap 7).",
      short = "MG reviews 2-3 mg/kg (unverified)", year = 2026, confidence = "R",
    },
    matell1987 = {
      text = "Matell G, 1987 (myasthenia gravis trial): azathioprine 2 mg/kg/day; response "
        .. "after 4-8 months [V] (clinical reference §2.3; full citation not recorded there).",
      short = "Matell 1987", year = 1987, confidence = "V",
    },
    mg_titration = {
      text = "Myasthenia gravis titration: often 50 mg/day for 1-4 weeks, then 25-50 mg steps "
        .. "to the target; no guideline fixes the interval [R/S]. The +50 mg every 2 weeks "
        .. "of this protocol is the aza default (design §8): unverified, site-configurable "
        .. "(clinical reference §2.3, gap 7).",
      short = "MG titration (unverified)", year = 2026, confidence = "R",
    },
    mg_consensus = {
      text = "Sanders DB et al. International consensus guidance for management of "
        .. "myasthenia gravis. Neurology 2016;87:419 (2020 update, Narayanaswami): "
        .. "azathioprine is a first-line steroid-sparing agent, usually started with "
        .. "prednisolone [S]; its dosing text was not read [R]: unverified.",
      short = "MG consensus 2016", year = 2016, confidence = "S",
    },
    witte1984 = {
      text = "24-patient myasthenia gravis series (abstract read [V]; its attribution to "
        .. "Witte et al., Ann Neurol 1984, is unverified): first response after 4-10 months "
        .. "(mean 6.4), improvement up to 24 months with the peak at a mean of 14 months; all "
        .. "6 patients who stopped relapsed within 1 year.",
      short = "MG series 1984 (attribution unverified)", year = 1984, confidence = "V",
    },
    pn2020 = {
      text = "McWilliam M, Khan U. Azathioprine and the neurologist. Pract Neurol "
        .. "2020;20:69, Table 1 [V]: FBC, U&E and LFT fortnightly while starting or "
        .. "changing the dose (weekly in high-risk patients), monthly for 3 months once the "
        .. "dose has been stable for 6 weeks, then every 12 weeks; 6-TGN/6-MMP at 4 weeks and "
        .. "12-16 weeks, then yearly if needed; benefit 'may take a year or longer'.",
      short = "Pract Neurol 2020 T1", year = 2020, confidence = "V",
    },
  },

  parameters = {
    indication = "Myasthenia gravis",
    dose = { mg_per_kg_per_day = 2.5, band = { 2.0, 3.0 },
             cite = { "mg_dose_reviews", "matell1987" } },
    -- 50 mg/day, then +50 mg every 2 weeks, never above the target (the last step is it)
    titration = { start_mg_per_day = 50, step_mg_per_day = 50, every_weeks = 2,
                  cite = "mg_titration" },
  },

  data = {
    -- the indication itself needs no rule (see base.lua's known_words)
    known_words = { conditions = { "myasthenia_gravis", "generalised_myasthenia_gravis",
                                   "ocular_myasthenia_gravis" } },
    -- citations of parameters that have no cite field of their own (as in base.lua)
    citations = { indication = "mg_consensus" },
    -- Pract Neurol 2020 Table 1 [V]; the same numbers as base's BSR 2017 schedule
    monitoring = {
      { tests = { "fbc", "lft", "ue" }, every = "2 wk", until_stable_weeks = 6,
        text = "FBC, LFT and U&E every 2 weeks while starting or changing the dose, until "
          .. "it has been stable for 6 weeks (weekly in high-risk patients)", cite = "pn2020" },
      { tests = { "fbc", "lft", "ue" }, every = "1 mo", times = 3,
        text = "then monthly for 3 months", cite = "pn2020" },
      { tests = { "fbc", "lft", "ue" }, every = "12 wk",
        text = "then every 12 weeks; 6-TGN and 6-MMP at week 4 and weeks 12-16 (then yearly) "
          .. "only in high-risk patients or poor responders", cite = "pn2020" },
    },
  },

  rules = {
    rule "counsel-mg-time-to-benefit" {
      when = "true",
      action = counsel("Azathioprine works slowly in myasthenia gravis: improvement usually "
        .. "starts 4 to 10 months after the first dose and keeps building, with the full "
        .. "effect at about 14 months (it can take a year or longer). Do not stop it without "
        .. "talking to your neurology team: symptoms often come back within a year of "
        .. "stopping."),
      cite = { "witte1984", "pn2020" },
    },
  },
}

// The json-rules-engine peer of `make bench`: the base + IBD decision rules of aza's shipped
// protocol (design §8) written as json-rules-engine rules, run over the bench cohort (one
// patient JSON per line). A units-free engine needs its facts in fixed units, so the
// normalisation (weight to kg, counts to 10*9/L, g/dL to g/L, mg/dL creatinine to umol/L,
// genotypes to phenotypes, dates to days) is written by hand here, as its users must.
//
//   node bench/peers/rules.js COHORT.jsonl SECONDS DECISIONS_OUT
//
// Prints one JSON line: {"peer":"json-rules-engine","version":..,"rate":..,"runs":..}
// and writes the decision of every patient, one per line, to DECISIONS_OUT, so that
// bench/run.lua can check that both engines decide the same.
'use strict'
const fs = require('fs')
const { Engine } = require('json-rules-engine')

const [cohortPath, secondsText, decisionsOut] = process.argv.slice(2)
const SECONDS = Number(secondsText || 1)
const lines = fs.readFileSync(cohortPath, 'utf8').split('\n').filter(l => l.length > 0)

// {=== hand-written normalisation ===
const RANK = { proceed: 0, adjust: 1, need_data: 2, withhold: 3, contraindicated: 4 }
const TPMT = { '*1/*1': 'normal', '*1/*2': 'intermediate', '*1/*3A': 'intermediate',
  '*1/*3C': 'intermediate', '*3A/*3A': 'poor' }
const NUDT15 = { '*1/*1': 'normal', '*1/*3': 'intermediate', '*3/*3': 'poor' }
const COUNT = { '10*9/L': 1, '10*3/uL': 1, '/uL': 0.001 }
const FACTOR = {
  albumin: { 'g/L': 1, 'g/dL': 10 },
  hemoglobin: { 'g/L': 1, 'g/dL': 10 },
  creatinine: { 'umol/L': 1, 'mg/dL': 88.42 },
  alt: { 'U/L': 1 }, ast: { 'U/L': 1 }, mcv: { fL: 1 },
  egfr: { 'mL/min/{1.73_m2}': 1 }
}
const COUNTS = ['wbc', 'neutrophils', 'lymphocytes', 'eosinophils', 'platelets']
const DAY = 86400000

function quantity (q) {
  if (typeof q === 'string') {
    const m = /^(\S+) (\S+)$/.exec(q)
    return { value: Number(m[1]), unit: m[2] }
  }
  return q
}

function kg (q) {
  q = quantity(q)
  if (q.unit === 'kg') return q.value
  if (q.unit === '[lb_av]') return q.value * 0.45359237
  throw new Error('weight unit ' + q.unit)
}

function normalise (p) {
  const asOf = Date.parse(p.as_of)
  const f = { weight: p.weight !== undefined ? kg(p.weight) : undefined }
  const geno = p.genotype || {}
  const pheno = p.phenotype || {}
  f.tpmt = pheno.TPMT || TPMT[geno.TPMT]
  f.nudt15 = pheno.NUDT15 || NUDT15[geno.NUDT15]
  f.east_asian = (p.ancestry || []).includes('east_asian')
  f.pregnant = p.pregnant === true
  f.allergy = (p.allergies || []).some(a => a === 'azathioprine' || a === 'mercaptopurine' ||
    a === 'thiopurine')
  f.malignancy = (p.conditions || []).includes('active_malignancy')
  f.symptoms = (p.symptoms || []).some(s => s === 'fever' || s === 'sore_throat' ||
    s === 'bruising' || s === 'unexplained_bruising' || s === 'abnormal_bruising' ||
    s === 'unexplained_bleeding')
  const meds = (p.medications || []).filter(m => m.status === 'active' || m.status === 'planned')
  f.allopurinol = meds.some(m => m.name === 'allopurinol')
  f.febuxostat = meds.some(m => m.name === 'febuxostat')
  for (const l of p.labs || []) {
    const factor = COUNTS.includes(l.test) ? COUNT[l.unit] : (FACTOR[l.test] || {})[l.unit]
    if (factor === undefined) throw new Error(l.test + ' unit ' + l.unit)
    f[l.test] = l.value * factor
    f[l.test + '_days'] = (asOf - Date.parse(l.date)) / DAY
  }
  const fresh = t => f[t] !== undefined && f[t + '_days'] <= 28
  f.fbc_fresh = fresh('wbc') && fresh('neutrophils') && fresh('platelets')
  f.lft_fresh = fresh('alt') || fresh('ast')
  f.naive = !p.azathioprine || p.azathioprine.status !== 'active'
  return f
}
// }===

// {=== the rules ===
function rule (name, decision, conditions) {
  return { name, conditions, event: { type: 'decision', params: { decision, rule: name } } }
}
const is = (fact, value) => ({ fact, operator: 'equal', value })
const lt = (fact, value) => ({ fact, operator: 'lessThan', value })
const gt = (fact, value) => ({ fact, operator: 'greaterThan', value })
const IM = ['intermediate', 'possible_intermediate']

const RULES = [
  rule('tpmt-poor', 'contraindicated', { all: [is('tpmt', 'poor')] }),
  rule('nudt15-poor', 'contraindicated', { all: [is('nudt15', 'poor')] }),
  rule('tpmt-not-tested', 'need_data', { all: [is('tpmt', undefined)] }),
  rule('tpmt-indeterminate', 'need_data', { all: [is('tpmt', 'indeterminate')] }),
  rule('nudt15-not-tested-east-asian', 'need_data',
    { all: [is('nudt15', undefined), is('east_asian', true)] }),
  rule('pgx-intermediate', 'adjust', {
    any: [{ fact: 'tpmt', operator: 'in', value: IM }, { fact: 'nudt15', operator: 'in', value: IM }]
  }),
  rule('allopurinol-quarter-dose', 'adjust', { all: [is('allopurinol', true)] }),
  rule('febuxostat-contraindicated', 'contraindicated', { all: [is('febuxostat', true)] }),
  rule('azathioprine-allergy', 'contraindicated', { all: [is('allergy', true)] }),
  rule('active-malignancy', 'withhold', { all: [is('malignancy', true)] }),
  rule('wbc-low', 'withhold', { all: [lt('wbc', 3.5)] }),
  rule('neutrophils-low', 'withhold', { all: [lt('neutrophils', 2.0)] }),
  rule('lymphocytes-low', 'withhold', { all: [lt('lymphocytes', 0.5)] }),
  rule('eosinophils-high', 'withhold', { all: [gt('eosinophils', 0.5)] }),
  rule('platelets-low', 'withhold', { all: [lt('platelets', 140)] }),
  rule('transaminases-high', 'withhold', { any: [gt('alt', 100), gt('ast', 100)] }),
  rule('albumin-low', 'withhold', { all: [lt('albumin', 30)] }),
  rule('fever-or-symptoms', 'withhold', { any: [is('symptoms', true),
    { fact: 'temperature', operator: 'greaterThanInclusive', value: 38 }] }),
  rule('baseline-fbc', 'need_data', { all: [is('naive', true), is('fbc_fresh', false)] }),
  rule('baseline-lft', 'need_data', { all: [is('naive', true), is('lft_fresh', false)] }),
  rule('renal-severe', 'adjust', { all: [lt('egfr', 10)] }),
  rule('renal-moderate', 'adjust', { all: [{ fact: 'egfr', operator: 'greaterThanInclusive', value: 10 },
    { fact: 'egfr', operator: 'lessThanInclusive', value: 50 }] }),
  rule('pregnancy-cap', 'adjust', { all: [is('pregnant', true)] }),
  rule('weight-missing', 'need_data', { all: [is('weight', undefined)] })
]
// }===

const engine = new Engine(RULES, { allowUndefinedFacts: true })

async function decide (line) {
  const facts = normalise(JSON.parse(line))
  const { events } = await engine.run(facts)
  let decision = 'proceed'
  for (const e of events) {
    if (RANK[e.params.decision] > RANK[decision]) decision = e.params.decision
  }
  return decision
}

async function main () {
  const decisions = []
  for (const line of lines) decisions.push(await decide(line))
  fs.writeFileSync(decisionsOut, decisions.join('\n') + '\n')
  let runs = 0
  const t0 = process.hrtime.bigint()
  let elapsed = 0
  while (elapsed < SECONDS * 1e9) {
    for (const line of lines) await decide(line)
    runs += lines.length
    elapsed = Number(process.hrtime.bigint() - t0)
  }
  const version = require('json-rules-engine/package.json').version
  console.log(JSON.stringify({ peer: 'json-rules-engine', version, rate: runs / (elapsed / 1e9), runs }))
}

main().catch(e => { console.error(e.stack); process.exit(1) })

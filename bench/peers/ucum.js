// The ucum-lhc peer of `make bench`: conversions per second of the same five conversions
// bench/units.lua measures for aza (lb -> kg, mg/kg/d -> ug/kg/h, 10*3/uL -> 10*9/L,
// U/L -> U/mL, wk -> d), with the unit strings on every call (`convertUnitTo`) and with the
// units parsed once (`Unit.convertFrom`).
//
//   node bench/peers/ucum.js SECONDS
//
// Prints one JSON line: {"peer":"ucum-lhc","version":..,"string":..,"parsed":..}
'use strict'
const ucum = require('@lhncbc/ucum-lhc')
const SECONDS = Number(process.argv[2] || 1)
const utils = ucum.UcumLhcUtils.getInstance()
const CONVERSIONS = [[176, '[lb_av]', 'kg'], [2.5, 'mg/kg/d', 'ug/kg/h'],
  [3200, '10*3/uL', '10*9/L'], [40, 'U/L', 'U/mL'], [8, 'wk', 'd']]

// the same answers as aza, or the comparison means nothing
const EXPECT = [79.83225712, 104.16666666666667, 3200, 0.04, 56]
CONVERSIONS.forEach((c, i) => {
  const r = utils.convertUnitTo(c[1], c[0], c[2])
  if (r.status !== 'succeeded' || Math.abs(r.toVal - EXPECT[i]) > 1e-9 * EXPECT[i]) {
    throw new Error(`${c[1]} -> ${c[2]}: ${JSON.stringify(r)}`)
  }
})

function rate (f) {
  let n = 0
  let sink = 0
  const t0 = process.hrtime.bigint()
  let elapsed = 0
  while (elapsed < SECONDS * 1e9) {
    for (let i = 0; i < 1000; i++) sink += f(i % 5)
    n += 1000
    elapsed = Number(process.hrtime.bigint() - t0)
  }
  if (!(sink > 0)) throw new Error('no result')
  return n / (elapsed / 1e9)
}

const text = rate(i => {
  const c = CONVERSIONS[i]
  return utils.convertUnitTo(c[1], c[0], c[2]).toVal
})
const parsed = CONVERSIONS.map(c => [c[0], utils.getSpecifiedUnit(c[1], 'convert').unit,
  utils.getSpecifiedUnit(c[2], 'convert').unit])
const pre = rate(i => {
  const c = parsed[i]
  return c[2].convertFrom(c[0], c[1])
})
const version = require('@lhncbc/ucum-lhc/package.json').version
console.log(JSON.stringify({ peer: 'ucum-lhc', version, string: text, parsed: pre }))

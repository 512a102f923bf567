-- Properties of the dose maths over thousands of random weights, bands and
-- formularies. The deliverable sets are computed here independently, in
-- Lua, by brute force over quarter milligrams; the C results must agree.
--
-- Reproducible: the seed is printed; set AZA_SEED to replay a run.
local dose = require "aza.dose"
local quantity = require "aza.quantity"

local SEED = tonumber(os.getenv("AZA_SEED") or "") or 20261121
print(("dose_property_spec: seed %d (AZA_SEED=%d busted spec/dose_property_spec.lua"
  .. " to replay)"):format(SEED, SEED))
math.randomseed(SEED)

local EPS = 1e-6 -- mg: the documented tolerance between computed and deliverable amounts
local STRENGTHS = { 10, 12.5, 20, 25, 37.5, 50, 75, 100 }

local random, floor, abs = math.random, math.floor, math.abs

local function uniform(a, b)
  return a + (b - a) * random()
end

-- 1 to 3 distinct strengths, each scored or not
local function random_formulary()
  local pool, f = {}, {}
  for i, s in ipairs(STRENGTHS) do
    pool[i] = s
  end
  for _ = 1, random(1, 3) do
    local s = table.remove(pool, random(1, #pool))
    f[#f + 1] = { mg = s, scored = random() < 0.5 }
  end
  return f
end

-- the deliverable set up to top_mg: set[q] == true for q quarter-mg
-- amounts (q >= 1) that are sums of whole tablets and halves of scored ones
local function deliverable_set(f, top_mg)
  local top = floor(top_mg * 4 + 1e-6)
  local pieces = {}
  for _, t in ipairs(f) do
    pieces[#pieces + 1] = floor(t.mg * 4 + 0.5)
    if t.scored then
      pieces[#pieces + 1] = floor(t.mg * 2 + 0.5)
    end
  end
  local set = { [0] = true }
  for n = 1, top do
    for _, p in ipairs(pieces) do
      if p <= n and set[n - p] then
        set[n] = true
        break
      end
    end
  end
  set[0] = nil
  return set, top
end

local function is_deliverable(set, mg)
  local q = floor(mg * 4 + 0.5)
  return abs(mg * 4 - q) < 1e-9 and set[q] == true
end

-- the largest deliverable <= limit, or nil
local function largest_below(set, limit)
  for q = floor(limit * 4 + EPS * 4), 1, -1 do
    if set[q] then
      return q / 4
    end
  end
  return nil
end

local function fstr(f)
  local parts = {}
  for _, t in ipairs(f) do
    parts[#parts + 1] = t.mg .. (t.scored and "s" or "")
  end
  return table.concat(parts, ",")
end

-- nearest_in_band as specified, checked against the brute-force set
local function check_nearest(r, t, lo, hi, set, where)
  local ctx = ("%s: target %.17g band %.17g..%.17g -> %s"):format(where, t, lo, hi,
    tostring(r))
  assert(is_deliverable(set, r), ctx .. " is not deliverable")
  assert(r <= hi + EPS, ctx .. " is above the band")
  local inband = {}
  for q = floor((lo - EPS) * 4), floor((hi + EPS) * 4) do
    if set[q] and q / 4 >= lo - EPS and q / 4 <= hi + EPS then
      inband[#inband + 1] = q / 4
    end
  end
  if #inband == 0 then
    assert(r == largest_below(set, hi), ctx .. " is not the largest below the band's top")
    return false
  end
  assert(r >= lo - EPS, ctx .. " is outside the band though a deliverable dose is inside")
  local dr = abs(r - t)
  for _, d in ipairs(inband) do
    local dd = abs(d - t)
    assert(dd >= dr - EPS, ("%s: %s is nearer"):format(ctx, d))
    if abs(dd - dr) <= EPS then
      assert(d >= r, ("%s: tie with %s, the lower must win"):format(ctx, d))
    end
  end
  return true
end

describe("aza.dose properties (seed " .. SEED .. ")", function()
  it("target(): deliverable, in the band when possible, nearest, ties low", function()
    local ok, nodose = 0, 0
    for i = 1, 3000 do
      local f = random_formulary()
      local w, lo, hi, r
      if i % 2 == 0 then -- "nice" decimals: many exact band edges and ties
        w = random(20, 1500) / 10
        lo = random(10, 60) / 20
        hi = lo + random(0, 20) / 20
        r = lo + random(0, floor((hi - lo) * 20 + 0.5)) / 20
      else
        w = uniform(0.5, 150)
        lo = uniform(0.5, 3)
        hi = lo + uniform(0, 1)
        r = uniform(lo, hi)
      end
      if i % 500 == 0 then
        w = i % 1000 == 0 and 500 or 0.5
      end
      local plan, msg, code = dose.target { weight = quantity(w, "kg"),
        rate = quantity(r, "mg/kg/d"), band = { quantity(lo, "mg/kg/d"), quantity(hi, "mg/kg/d") },
        formulary = f }
      local t, blo, bhi = r * w, lo * w, hi * w
      local set = deliverable_set(f, bhi + 1)
      local where = ("case %d, %s kg, formulary %s"):format(i, w, fstr(f))
      if plan == nil then
        assert.equal("E_NODOSE", code, where .. ": " .. tostring(msg))
        assert.is_nil(largest_below(set, bhi), where .. ": E_NODOSE but a dose exists")
        nodose = nodose + 1
      else
        local inband = check_nearest(plan.target_mg_per_day, t, blo, bhi, set, where)
        assert.equal(inband, plan.in_band, where .. ": in_band flag")
        assert.is_true(abs(plan.exact_mg_per_day - t) <= 1e-9 * t, where .. ": exact")
        local err = (plan.target_mg_per_day - t) / t * 100
        assert.is_true(abs(plan.rounding_error_percent - err) <= 1e-6, where .. ": error %")
        ok = ok + 1
      end
    end
    assert.is_true(ok > 2000, "most cases give a dose")
    assert.is_true(nodose > 0, "some cases have nothing deliverable")
  end)

  it("modify(): percent nearest in its band; reduce, fraction, cap round down", function()
    for i = 1, 1500 do
      local f = random_formulary()
      local w = uniform(30, 120)
      local std = uniform(20, 300)
      local plan = assert(dose.current(std, { weight = quantity(w, "kg"), formulary = f }))
      local set = deliverable_set(f, std + 1)
      local where = ("case %d, standard %.17g, formulary %s"):format(i, std, fstr(f))
      -- percent with its band
      local plo = random(10, 60)
      local phi = plo + random(0, 40)
      local p = random(plo, phi)
      local m, msg, code = dose.modify(plan, { percent = { value = p, low = plo, high = phi } })
      local bl, bh = std * plo / 100, std * phi / 100
      if m == nil then
        assert.equal("E_NODOSE", code, where .. ": " .. tostring(msg))
        assert.is_nil(largest_below(set, bh), where)
      else
        check_nearest(m.target_mg_per_day, std * p / 100, bl, bh, set, where .. " percent")
      end
      -- fraction then cap: each result the largest deliverable at or below
      local frac = uniform(0.05, 1)
      local cap = uniform(0.5, 3)
      m, msg, code = dose.modify(plan, { fraction = frac, cap = quantity(cap, "mg/kg/d") })
      local after_frac = largest_below(set, std * frac)
      if m == nil then
        assert.equal("E_NODOSE", code, where .. ": " .. tostring(msg))
        assert.is_true(after_frac == nil or largest_below(set, cap * w) == nil, where)
      else
        assert.equal(after_frac, m.trace[1].after_mg_per_day, where .. " fraction")
        local want = after_frac
        if after_frac > cap * w + EPS then
          want = largest_below(set, cap * w)
        end
        assert.equal(want, m.target_mg_per_day, where .. " cap")
        assert.is_true(m.target_mg_per_day <= cap * w + EPS, where .. ": above the cap")
        assert.is_true(is_deliverable(set, m.target_mg_per_day), where .. ": not deliverable")
      end
    end
  end)

  it("regimen(): the tablets add up, with the fewest pieces", function()
    for i = 1, 600 do
      local f = random_formulary()
      local set = deliverable_set(f, 400)
      local qs = {}
      for q in pairs(set) do
        qs[#qs + 1] = q
      end
      table.sort(qs)
      local q = qs[random(1, #qs)]
      local mg = q / 4
      local where = ("case %d, %s mg, formulary %s"):format(i, mg, fstr(f))
      local reg = assert(dose.regimen(mg, f))
      assert.is_false(reg.alternating, where)
      local a = reg.days[1].administrations[1]
      local sum, pieces = 0, 0
      for _, t in ipairs(a.tablets) do
        sum = sum + t.halves * t.mg / 2
        pieces = pieces + floor(t.halves / 2) + t.halves % 2
        assert.is_true(t.halves % 2 == 0 or t.scored, where .. ": half of an unscored tablet")
      end
      assert.equal(mg, sum, where .. ": sum")
      assert.equal(pieces, a.pieces, where .. ": pieces")
      -- brute force: fewest pieces (a half is one piece), then fewest halves
      local best = { [0] = { 0, 0 } }
      local ps = {}
      for _, t in ipairs(f) do
        ps[#ps + 1] = { floor(t.mg * 4 + 0.5), 0 }
        if t.scored then
          ps[#ps + 1] = { floor(t.mg * 2 + 0.5), 1 }
        end
      end
      for n = 1, q do
        for _, p in ipairs(ps) do
          local prev = p[1] <= n and best[n - p[1]]
          if prev then
            local c = { prev[1] + 1, prev[2] + p[2] }
            local b = best[n]
            if b == nil or c[1] < b[1] or (c[1] == b[1] and c[2] < b[2]) then
              best[n] = c
            end
          end
        end
      end
      local halves = 0
      for _, t in ipairs(a.tablets) do
        halves = halves + t.halves % 2
      end
      assert.equal(best[q][1], a.pieces, where .. ": not the fewest pieces")
      assert.equal(best[q][2], halves, where .. ": not the fewest halves")
    end
  end)

  it("regimen(): alternating patterns average exactly the amount", function()
    for i = 1, 300 do
      local f = random_formulary()
      local mg = random(1, 800) / 4
      local set = deliverable_set(f, 2 * mg + 1)
      local where = ("case %d, %s mg, formulary %s"):format(i, mg, fstr(f))
      local reg, _, code = dose.regimen(mg, f, { allow_alternate = true })
      if reg == nil then
        assert.equal("E_NODOSE", code, where)
        assert.is_false(is_deliverable(set, mg), where)
      elseif reg.alternating then
        local a, b = reg.days[1].mg, reg.days[2].mg
        assert.is_false(is_deliverable(set, mg), where)
        assert.is_true(is_deliverable(set, a) and is_deliverable(set, b), where)
        assert.is_true(a < mg and mg < b, where)
        assert.equal(2 * mg, a + b, where)
        assert.equal(4 * a + 3 * b, reg.weekly_mg, where)
        for q = floor(a * 4) + 1, floor(mg * 4 + 0.5) - 1 do -- a is the nearest such day
          assert.is_false(set[q] == true and set[floor(8 * mg + 0.5) - q] == true,
            where .. ": a nearer pair exists")
        end
      else
        assert.is_true(is_deliverable(set, mg), where)
      end
    end
  end)
end)

--- A small deterministic random generator for the fuzz specs (Park-Miller "minimal
-- standard", 48271): exact in doubles, so the same numbers on every interpreter, and
-- independent of math.random.
--
-- @module spec.support.rng
-- @usage
-- local rand = require("spec.support.rng")(20261202)
-- print(rand(6))   --> a number from 1 to 6

--- A generator for `seed`: a function(n) giving an integer from 1 to n.
-- @tparam number seed
-- @treturn function
return function(seed)
  local state = seed % 2147483646 + 1
  return function(n)
    state = state * 48271 % 2147483647
    return state % n + 1
  end
end

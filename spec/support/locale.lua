--- Running spec code under a comma-decimal `LC_NUMERIC` set in-process, as an embedding
-- host may set one (scripts/test.sh builds de_DE.UTF-8 into LOCPATH when none is
-- installed).
--
-- @module spec.support.locale
-- @usage
-- local ok, why = locale.with_comma(function() assert.equal("2.5", util.number(2.5)) end)
-- if not ok then pending(why) end

local compat = require "aza.compat"

local M = {}

--- The locales tried, in order.
M.NAMES = { "de_DE.UTF-8", "de_DE.utf8", "fr_FR.UTF-8", "fr_FR.utf8", "nl_NL.UTF-8", "de_DE" }

--- Call `f` with `LC_NUMERIC` set to the first comma-decimal locale installed, then put
-- the old one back, whatever `f` did (an error it raised is raised again afterwards).
-- @tparam function f
-- @treturn boolean true when `f` ran
-- @treturn[2] string why it did not (no such locale installed)
function M.with_comma(f)
  local old = os.setlocale(nil, "numeric")
  local set
  for _, name in ipairs(M.NAMES) do
    set = set or os.setlocale(name, "numeric")
  end
  if not set then
    return false, "no comma-decimal locale installed (locale -a)"
  end
  local res = compat.pack(pcall(f))
  os.setlocale(old, "numeric")
  if not res[1] then
    error(res[2], 0)
  end
  return true
end

return M

--- A temporary folder for specs that write files (site protocols, records): made by
-- `tmpdir.make()`, removed with everything in it by `tmpdir.remove(dir)`.
--
-- @module spec.support.tmpdir

local M = {}

--- Make a fresh empty folder.
-- @treturn string its path
function M.make()
  local dir = os.tmpname()
  os.remove(dir)
  assert(os.execute("mkdir -p '" .. dir .. "'"))
  return dir
end

--- Write `text` to `dir/name.lua`.
-- @tparam string dir
-- @tparam string name the file name without `.lua`
-- @tparam string text
-- @treturn string the file's path
function M.write(dir, name, text)
  local path = dir .. "/" .. name .. ".lua"
  local f = assert(io.open(path, "wb"))
  f:write(text)
  f:close()
  return path
end

--- Remove a folder made by `make` and what is in it.
-- @tparam string dir
function M.remove(dir)
  if dir and dir:match("^/tmp/") then
    os.execute("rm -rf '" .. dir .. "'")
  end
end

return M

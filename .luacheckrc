-- "min": only what Lua 5.1, LuaJIT 2.1, 5.2, 5.3 and 5.4 all have, so a 5.3/5.4-only
-- library name (utf8, table.move, math.type, rawlen, ...) is a warning; aza.compat alone
-- may reach for each version's own. 5.4-only syntax is caught by `luac5.1 -p` in
-- scripts/test.sh.
std = "min"
max_line_length = 100
max_cyclomatic_complexity = 20
include_files = { "lua/**/*.lua", "spec/**/*.lua", "rules/**/*.lua", "bench/**/*.lua",
                  "examples/**/*.lua", "bin/aza", "rockspec/*.rockspec", ".busted", ".luacheckrc" }
exclude_files = { "build/**", ".install/**", "build.luarocks/**", "build-*/**",
                  "spec/fixtures/hostile/**" }
files["spec/**/*.lua"] = { std = "min+busted" }
files["lua/aza/compat.lua"] = { std = "max" }
files["rockspec/*.rockspec"] = { std = "min+rockspec" }
ignore = { "212/_.*" }
not_globals = { "string.len", "table.getn" }
-- protocol scripts run in the sandbox with the DSL (lua/aza/protocol/dsl.lua) as globals
local dsl_globals = { "protocol", "rule", "withhold", "contraindicate", "proceed", "need_data",
                      "reduce", "cap", "set_dose", "alert", "monitor", "counsel" }
files["rules/*.lua"] = { std = "min", read_globals = dsl_globals }
files["examples/**/*.lua"] = { std = "min", read_globals = dsl_globals }
files["spec/fixtures/**/*.lua"] = { std = "min", read_globals = dsl_globals }

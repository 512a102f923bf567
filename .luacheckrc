std = "lua54"
max_line_length = 100
max_cyclomatic_complexity = 20
include_files = { "lua/**/*.lua", "spec/**/*.lua", "rules/**/*.lua", "bench/**/*.lua",
                  "examples/**/*.lua", "bin/aza", "rockspec/*.rockspec", ".busted", ".luacheckrc" }
exclude_files = { "build/**", ".install/**", "build.luarocks/**" }
files["spec/**/*.lua"] = { std = "+busted" }
files["rockspec/*.rockspec"] = { std = "min+rockspec" }
ignore = { "212/_.*" }
not_globals = { "string.len", "table.getn" }
-- protocol scripts run in the sandbox with the DSL (lua/aza/protocol/dsl.lua) as globals
local dsl_globals = { "protocol", "rule", "withhold", "contraindicate", "proceed", "need_data",
                      "reduce", "cap", "set_dose", "alert", "monitor", "counsel" }
files["rules/*.lua"] = { std = "lua54", read_globals = dsl_globals }
files["examples/**/*.lua"] = { std = "lua54", read_globals = dsl_globals }
files["spec/fixtures/**/*.lua"] = { std = "lua54", read_globals = dsl_globals }

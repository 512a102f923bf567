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

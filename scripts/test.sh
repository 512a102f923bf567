#!/bin/sh
# Run every test stage of aza and end with one line "N passed, N failed".
# Counts: individual C checks and busted tests, plus one per lint/format/
# install/fuzz stage. Exit status is non-zero when anything failed.
set -u
BUILD=${BUILD:-build}
log=$(mktemp -d)
trap 'rm -rf "$log"' EXIT
passed=0
failed=0

add() { passed=$((passed + $1)); failed=$((failed + $2)); }
stage() { printf '\n== %s\n' "$1"; }

# 1. C unit tests: each prints "name: N passed, N failed".
stage "C unit tests (ctest)"
if ctest --test-dir "$BUILD" --output-on-failure -V >"$log/ctest" 2>&1; then ok=1; else ok=0; fi
grep -E '^[0-9]+: [a-z_]+: [0-9]+ passed, [0-9]+ failed' "$log/ctest" | sed 's/^[0-9]*: //'
p=$(grep -Eo '[a-z_]+: [0-9]+ passed, [0-9]+ failed' "$log/ctest" | awk '{s+=$2} END {print s+0}')
f=$(grep -Eo '[a-z_]+: [0-9]+ passed, [0-9]+ failed' "$log/ctest" | awk '{s+=$4} END {print s+0}')
if [ "$ok" -eq 0 ] && [ "$f" -eq 0 ]; then f=1; grep -E 'FAIL|Failed|Error' "$log/ctest" | head -20; fi
tail -n 3 "$log/ctest" | sed -n '1p'
add "$p" "$f"

# 1b. the same C tests built with AddressSanitizer + UBSan, and under valgrind.
stage "C unit tests under ASan/UBSan"
if cmake -S . -B build-asan -DAZA_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug >"$log/asan" 2>&1 \
   && cmake --build build-asan -j2 >>"$log/asan" 2>&1 \
   && ctest --test-dir build-asan --output-on-failure >>"$log/asan" 2>&1; then
  add 1 0; grep -E 'tests passed' "$log/asan"
else
  add 0 1; grep -E 'runtime error|ERROR: AddressSanitizer|FAIL|Failed|error' "$log/asan" | head -20
fi

stage "C unit tests under valgrind"
if command -v valgrind >/dev/null 2>&1; then
  vg_fail=0
  for t in test_status test_units test_qty test_dose test_eval; do
    if ! valgrind -q --error-exitcode=9 --leak-check=full --errors-for-leak-kinds=definite,indirect \
         "$BUILD/$t" >"$log/vg-$t" 2>&1; then
      vg_fail=1; echo "valgrind: $t"; tail -n 20 "$log/vg-$t"
    fi
  done
  if [ "$vg_fail" -eq 0 ]; then add 1 0; echo "clean (5 programs)"; else add 0 1; fi
else
  echo "valgrind not found: skipped"
fi

# 2. busted specs (Lua 5.4, set in .busted). A comma-decimal locale is built
# into a private LOCPATH so the locale specs run on machines without one.
stage "busted specs"
if command -v localedef >/dev/null 2>&1 && [ -d /usr/share/i18n/locales ]; then
  mkdir -p "$log/locale"
  if localedef -i de_DE -f UTF-8 "$log/locale/de_DE.UTF-8" >/dev/null 2>&1; then
    LOCPATH="$log/locale"
    export LOCPATH
  fi
fi
busted --output=utfTerminal --no-auto-insulate >"$log/busted" 2>&1 && ok=1 || ok=0
sed -n '/^[0-9]* success/,$p' "$log/busted" | head -c 6000
grep -E '^ucum |^seed ' "$log/busted" || true
line=$(grep -E '^[0-9]+ success' "$log/busted" | tail -n 1)
if [ -n "$line" ]; then
  p=$(echo "$line" | awk '{print $1}')
  f=$(echo "$line" | awk '{print $4 + $7}')
else
  p=0; f=1; tail -n 30 "$log/busted"
fi
if [ "$ok" -eq 0 ] && [ "$f" -eq 0 ]; then f=1; fi
[ "$f" -ne 0 ] && grep -E -A12 '^(Failure|Error) →' "$log/busted" | head -150
add "$p" "$f"

# 3. luacheck over every Lua file (.luacheckrc lists them).
stage "luacheck"
if luacheck --no-color -q . >"$log/luacheck" 2>&1; then add 1 0; tail -n 1 "$log/luacheck"
else add 0 1; cat "$log/luacheck" | tail -n 40; fi

# 4. clang-format check of the C sources.
stage "clang-format"
if clang-format --dry-run -Werror csrc/*/*.c csrc/*/*.h >"$log/fmt" 2>&1; then add 1 0; echo "clean"
else add 0 1; head -n 20 "$log/fmt"; fi

# 5. the core must not see Lua.
stage "core has no Lua includes"
if grep -rn 'lua\.h\|lauxlib\.h\|lualib\.h' csrc/core >/dev/null 2>&1; then
  add 0 1; grep -rn 'lua\.h\|lauxlib\.h\|lualib\.h' csrc/core
else add 1 0; echo "clean"; fi

# 6. install check: luarocks make into a temporary tree, then run the installed CLI.
stage "install check (luarocks make)"
if sh scripts/install-check.sh >"$log/install" 2>&1; then add 1 0; tail -n 3 "$log/install"
else add 0 1; tail -n 30 "$log/install"; fi

# 7. fuzz smoke: 30 seconds in all when clang is present.
stage "fuzz smoke"
if command -v clang >/dev/null 2>&1; then
  if sh scripts/fuzz.sh 30 >"$log/fuzz" 2>&1; then add 1 0; grep -E '^fuzz' "$log/fuzz"
  else add 0 1; tail -n 30 "$log/fuzz"; fi
else
  echo "clang not found: fuzz smoke skipped"
fi

echo
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]

#!/bin/sh
# Run every test stage of aza and end with one line "N passed, N failed".
# Counts: individual C checks and busted tests, plus one per lint/format/
# install/fuzz/host stage. Exit status is non-zero when anything failed.
#
# LUA (lua5.4 by default) is the interpreter of the main run: C tests once,
# the busted suite, luacheck, the install check and the host example under
# it. With AZA_MATRIX=1 (plain `make test`) the busted suite, the install
# check and the host example then run again under each other interpreter
# (lua5.1, luajit, lua5.3), each against its own build-<lua>/ folder, and
# the demo patient's JSON result must be byte-identical on all four.
set -u
LUA=${LUA:-lua5.4}
BUILD=${BUILD:-build}
MATRIX=${AZA_MATRIX:-}
build_of() { if [ "$1" = lua5.4 ]; then echo build; else echo "build-$1"; fi; }
task_of() { case "$1" in lua5.4) echo lua54 ;; lua5.3) echo lua53 ;; lua5.1) echo lua51 ;; *) echo "$1" ;; esac; }
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

stage "C evaluator under ThreadSanitizer (one program, many threads)"
if cmake -S . -B build-tsan -DAZA_TSAN=ON -DCMAKE_BUILD_TYPE=Debug >"$log/tsan" 2>&1 \
   && cmake --build build-tsan -j2 --target test_eval >>"$log/tsan" 2>&1 \
   && TSAN_OPTIONS=halt_on_error=1 build-tsan/test_eval >>"$log/tsan" 2>&1; then
  add 1 0; grep -E '^test_eval: ' "$log/tsan" | tail -n 1
else
  add 0 1; grep -E -A12 'WARNING: ThreadSanitizer|error|FAIL' "$log/tsan" | head -30
fi

stage "C unit tests under valgrind"
if command -v valgrind >/dev/null 2>&1; then
  vg_fail=0 vg_n=0
  for t in test_status test_hash test_json test_ucache test_units test_qty test_dose test_eval; do
    vg_n=$((vg_n + 1))
    if ! valgrind -q --error-exitcode=9 --leak-check=full --errors-for-leak-kinds=definite,indirect \
         "$BUILD/$t" >"$log/vg-$t" 2>&1; then
      vg_fail=1; echo "valgrind: $t"; tail -n 20 "$log/vg-$t"
    fi
  done
  if [ "$vg_fail" -eq 0 ]; then add 1 0; echo "clean ($vg_n programs)"; else add 0 1; fi
else
  echo "valgrind not found: skipped"
fi

# 2. busted specs, one interpreter at a time (.busted has a task per
# interpreter). A comma-decimal locale is built into a private LOCPATH so the
# locale specs run on machines without one.
if command -v localedef >/dev/null 2>&1 && [ -d /usr/share/i18n/locales ]; then
  mkdir -p "$log/locale"
  if localedef -i de_DE -f UTF-8 "$log/locale/de_DE.UTF-8" >/dev/null 2>&1; then
    LOCPATH="$log/locale"
    export LOCPATH
  fi
fi
run_busted() { # interpreter
  stage "busted specs ($1)"
  out="$log/busted-$1"
  busted --run="$(task_of "$1")" --output=utfTerminal --no-auto-insulate >"$out" 2>&1 && ok=1 || ok=0
  sed -n '/^[0-9]* success/,$p' "$out" | head -c 6000
  grep -E '^ucum |^seed ' "$out" || true
  line=$(grep -E '^[0-9]+ success' "$out" | tail -n 1)
  if [ -n "$line" ]; then
    p=$(echo "$line" | awk '{print $1}')
    f=$(echo "$line" | awk '{print $4 + $7}')
  else
    p=0; f=1; tail -n 30 "$out"
  fi
  if [ "$ok" -eq 0 ] && [ "$f" -eq 0 ]; then f=1; fi
  [ "$f" -ne 0 ] && grep -E -A12 '^(Failure|Error) →' "$out" | head -150
  add "$p" "$f"
}

# the install check and the host example, for one interpreter
run_install() { # interpreter
  stage "install check ($1: luarocks make)"
  if LUA="$1" sh scripts/install-check.sh >"$log/install-$1" 2>&1; then add 1 0; tail -n 4 "$log/install-$1"
  else add 0 1; tail -n 30 "$log/install-$1"; fi
}

run_host() { # interpreter
  stage "host example ($1: examples/hosts/aza_host embeds $1)"
  b=$(build_of "$1")
  if [ ! -x "$b/aza_host" ]; then add 0 1; echo "$b/aza_host was not built"; return; fi
  if "$b/aza_host" "$(pwd)" "$(pwd)/$b" ibd examples/patients/ibd-new-start.json 2026-11-21 \
       >"$log/host-$1.json" 2>&1 \
     && "$1" bin/aza evaluate --protocol ibd --as-of 2026-11-21 --format json \
       examples/patients/ibd-new-start.json >"$log/cli-$1.json" 2>&1 \
     && cmp -s "$log/host-$1.json" "$log/cli-$1.json"; then
    add 1 0; echo "same result as '$1 bin/aza evaluate --format json' ($(wc -c <"$log/host-$1.json") bytes)"
  else
    add 0 1; head -n 20 "$log/host-$1.json"
  fi
}

run_busted "$LUA"

# 3. luacheck over every Lua file (.luacheckrc lists them).
stage "luacheck"
if luacheck --no-color -q . >"$log/luacheck" 2>&1; then add 1 0; tail -n 1 "$log/luacheck"
else add 0 1; cat "$log/luacheck" | tail -n 40; fi

# 3b. every Lua file parses as Lua 5.1 (no //, bit operators, goto, <const>,
# <close>), and none uses an escape 5.1 reads differently (\x.., \u{...}).
stage "Lua sources in the common subset (luac5.1 -p)"
lua_files=$(git ls-files '*.lua' 'bin/aza' 2>/dev/null | grep -v '^spec/fixtures/hostile/')
if luac5.1 -p $lua_files >"$log/luac" 2>&1 \
   && ! grep -nE '\\x[0-9A-Fa-f]{2}|\\u\{' $lua_files >"$log/escapes" 2>&1; then
  add 1 0; echo "clean ($(echo $lua_files | wc -w) files)"
else
  add 0 1; cat "$log/luac" "$log/escapes" | head -20
fi

# 4. clang-format check of the C sources.
stage "clang-format"
if clang-format --dry-run -Werror csrc/*/*.c csrc/*/*.h bench/*.c >"$log/fmt" 2>&1; then add 1 0; echo "clean"
else add 0 1; head -n 20 "$log/fmt"; fi

# 5. the core must not see Lua.
stage "core has no Lua includes"
if grep -rn 'lua\.h\|lauxlib\.h\|lualib\.h' csrc/core >/dev/null 2>&1; then
  add 0 1; grep -rn 'lua\.h\|lauxlib\.h\|lualib\.h' csrc/core
else add 1 0; echo "clean"; fi

# 6. install check: luarocks make into a temporary tree, then run the installed CLI
# and require the installed module; then the host example.
run_install "$LUA"
run_host "$LUA"

# 7. fuzz smoke: 30 seconds in all when clang is present.
stage "fuzz smoke"
if command -v clang >/dev/null 2>&1; then
  if sh scripts/fuzz.sh 30 >"$log/fuzz" 2>&1; then add 1 0; grep -E '^fuzz' "$log/fuzz"
  else add 0 1; tail -n 30 "$log/fuzz"; fi
else
  echo "clang not found: fuzz smoke skipped"
fi

# 8. the other interpreters: build, busted, install check, host example; then
# the demo patient's JSON result must be the same bytes on all four.
if [ -n "$MATRIX" ]; then
  others=""
  for other in lua5.1 luajit lua5.3 lua5.4; do [ "$other" = "$LUA" ] || others="$others $other"; done
  for other in $others; do
    b=$(build_of "$other")
    stage "build ($other into $b/)"
    if cmake -S . -B "$b" -DAZA_LUA="$other" -DCMAKE_BUILD_TYPE=RelWithDebInfo >"$log/build-$other" 2>&1 \
       && cmake --build "$b" -j2 >>"$log/build-$other" 2>&1; then
      add 1 0; echo "built"
    else
      add 0 1; tail -n 30 "$log/build-$other"; continue
    fi
    run_busted "$other"
    run_install "$other"
    run_host "$other"
  done
  stage "byte-identical results on lua5.4, lua5.3, lua5.1 and luajit (JIT on)"
  same=1
  # 400 patients of the bench cohort: aza's evaluation loop under LuaJIT's compiler
  lua5.4 bench/cohort.lua 400 7 >"$log/cohort.jsonl"
  for other in lua5.4 lua5.3 lua5.1 luajit; do
    "$other" bin/aza evaluate --protocol ibd --cohort "$log/cohort.jsonl" >"$log/same-$other.cohort" 2>&1 \
      || { same=0; echo "cohort failed: $other"; tail -n 3 "$log/same-$other.cohort"; }
    for fmt in json text cards; do
      "$other" bin/aza evaluate --protocol ibd --format "$fmt" examples/patients/ibd-new-start.json \
        >"$log/same-$other.$fmt" 2>&1 || same=0
    done
    # the other commands' output, and an error message
    { "$other" bin/aza dose --weight '70 kg' --rate '2 mg/kg/d' --band-low '2 mg/kg/d' \
        --band-high '2.5 mg/kg/d' --percent 50 --percent-low 30 --percent-high 80 --format json
      "$other" bin/aza check examples/site/site_ibd.lua
      "$other" bin/aza test examples/site/site_ibd.lua examples/site/cases.lua
      "$other" bin/aza units convert 1.2 mg/dL umol/L --substance creatinine
      "$other" bin/aza evaluate --protocol ibd spec/fixtures/bad-records/duplicate-weight.json
      # a weekly schedule: its day-equivalent and weekly amounts are floats
      "$other" bin/aza evaluate --protocol spec/fixtures/weekly/site_pm_weekly.lua --format json \
        spec/fixtures/weekly/tpmt-poor-active.json
      "$other" bin/aza dose --weight '70 kg' --rate '2 mg/kg/d' --percent 10 --formulary '10,25,50s' \
        --days-per-week 3 --format json
      # two sources: an HL7 v2 lab feed (a censored eGFR) merged with a patient record
      "$other" bin/aza evaluate --protocol ibd --format json examples/sources/labs.hl7 \
        examples/sources/patient.json
    } >"$log/same-$other.other" 2>&1
    for fmt in json text cards other cohort; do
      cmp -s "$log/same-lua5.4.$fmt" "$log/same-$other.$fmt" || { same=0; echo "differs: $other $fmt"; }
    done
  done
  if [ "$same" -eq 1 ]; then add 1 0; echo "identical (json, text, cards, dose, check, test, units, an error, a weekly schedule, HL7 v2 + JSON, a 400-patient cohort; $(md5sum <"$log/same-lua5.4.json" | cut -c1-12))"
  else add 0 1; fi
fi

echo
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]

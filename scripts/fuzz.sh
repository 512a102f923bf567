#!/bin/sh
# Build the libFuzzer targets with clang and run them for SECONDS in all
# (split evenly between targets). Crashes leave their input in build-fuzz/.
set -eu
seconds=${1:-60}
dir=build-fuzz
CC=clang cmake -S . -B "$dir" -DAZA_FUZZ=ON -DAZA_TESTS=OFF -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$dir" -j2 >/dev/null
targets=""
for t in fuzz_unit fuzz_eval fuzz_dose fuzz_json fuzz_condition fuzz_patient fuzz_hl7; do
  [ -x "$dir/$t" ] && targets="$targets $t"
done
n=$(echo $targets | wc -w)
[ "$n" -gt 0 ] || { echo "no fuzz targets built"; exit 1; }
each=$((seconds / n))
[ "$each" -ge 1 ] || each=1
for t in $targets; do
  corpus="$dir/corpus-$t"
  mkdir -p "$corpus"
  [ -d "csrc/fuzz/corpus/$t" ] && cp -n csrc/fuzz/corpus/$t/* "$corpus"/ 2>/dev/null || true
  (cd "$dir" && ./$t -max_total_time="$each" -max_len=512 -print_final_stats=1 "corpus-$t" \
      >"$t.log" 2>&1) || { tail -n 40 "$dir/$t.log"; exit 1; }
  runs=$(grep -Eo 'stat::number_of_executed_units: *[0-9]+' "$dir/$t.log" | grep -Eo '[0-9]+$')
  echo "fuzz $t: ${each}s, ${runs:-?} runs, no crash"
done

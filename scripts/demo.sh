#!/bin/sh
# The main job on a bundled example. Once the shipped protocols exist this
# evaluates examples/patients/ibd-new-start.json with the ibd protocol;
# until then it shows the unit calculator and the dose maths.
set -eu
aza=bin/aza
if [ -f rules/ibd.lua ] && [ -f lua/aza/cli/evaluate.lua ]; then
  echo "\$ bin/aza evaluate --protocol ibd --as-of 2026-11-21 examples/patients/ibd-new-start.json"
  $aza evaluate --protocol ibd --as-of 2026-11-21 examples/patients/ibd-new-start.json
  echo
  echo "# the laboratory's HL7 v2 feed merged with the rest of the record:"
  echo "\$ bin/aza evaluate --protocol ibd examples/sources/labs.hl7 examples/sources/patient.json"
  exec $aza evaluate --protocol ibd examples/sources/labs.hl7 examples/sources/patient.json
fi
run() { echo "\$ bin/aza $*"; $aza "$@"; echo; }
run units convert 176 '[lb_av]' kg
run units convert 3200 /uL '10*9/L'
run units convert 1.2 mg/dL umol/L --substance creatinine
run units check mg/kg/d
if [ -f lua/aza/cli/dose.lua ]; then
  run dose --weight '70 kg' --rate '2 mg/kg/d' --band-low '2 mg/kg/d' --band-high '2.5 mg/kg/d'
  run dose --weight '70 kg' --rate '2 mg/kg/d' --band-low '2 mg/kg/d' --band-high '2.5 mg/kg/d' \
      --percent 50 --percent-low 30 --percent-high 80
fi

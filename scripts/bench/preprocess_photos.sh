#!/usr/bin/env bash
# Preprocessing on camera-sized photographs (issue 11), ours against torchvision's PIL pipeline, one thread each,
# alternating round by round so that a neighbour's load hits both alike. Called by scripts/bench.sh (step 4b);
# runs alone too:
#   scripts/bench/preprocess_photos.sh WORK RESULTS ROUNDS CLASSPATH
# WORK gets the photo sets (made once by make_photos.py from Debian's sample photographs, never committed).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
work="$1"; results="$2"; rounds="$3"; cp="$4"
photos="$work/photos"
sets=("jpeg-0.3MP:jpeg:0.3:20" "jpeg-2MP:jpeg:2:10" "jpeg-12MP:jpeg:12:10" "jpeg-24MP:jpeg:24:6"
      "progressive-12MP:progressive:12:6" "png-12MP:png:12:4")
java_sets=(); py_sets=()
for s in "${sets[@]}"; do
  IFS=: read -r label kind mp count <<<"$s"
  if [[ ! -d "$photos/$label" ]]; then
    /usr/bin/python3 "$here/make_photos.py" --out "$photos/$label" --kind "$kind" --megapixels "$mp" \
      --count "$count" >&2
  fi
  java_sets+=(--set "$label=$photos/$label"); py_sets+=(--images "$photos/$label" --label "$label")
done
modes="${PREPROCESS_MODES:-exact}"
for round in $(seq "$rounds"); do
  phases=(); [[ $round == 1 ]] && phases=(--phases)
  java -Xmx2g --add-modules=jdk.incubator.vector -cp "$cp" io.resnetspark.bench.PreprocessBench "${java_sets[@]}" \
    --modes "$modes" --threads 1 --repeats 1 --min-seconds 2 "${phases[@]}" --out "$results" >/dev/null \
    2> >(grep -v -E '^WARNING' >&2)
  /usr/bin/python3 "$here/pil_preprocess.py" "${py_sets[@]}" --modes "${modes/reduced/draft}" --repeats 1 \
    --min-seconds 2 "${phases[@]}" --out "$results" >/dev/null
done

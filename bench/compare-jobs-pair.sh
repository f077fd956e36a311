#!/bin/bash
# Same-minute pairs of `sdgm compare --jobs 2` wall time between two checkouts (issue 23: "compare
# --jobs 2 with threads on does not run slower than today"). Each checkout needs its own npm install.
# usage: bench/compare-jobs-pair.sh <checkout A> <checkout B> [pairs]
#   e.g. bench/compare-jobs-pair.sh . ../before-threads 2
set -u
A=$(cd "$1" && pwd); B=$(cd "$2" && pwd); PAIRS=${3:-1}
DATA="synthetic:moran?rho=0;synthetic:moran?rho=0.2;synthetic:moran?rho=0.4;synthetic:moran?rho=0.6;synthetic:moran?rho=0.8"
for i in $(seq 1 "$PAIRS"); do
  for w in "$A" "$B"; do
    out=$(mktemp -d)
    s=$(date +%s.%N)
    (cd "$w" && npx sdgm compare --models sparseVae,vae --seeds 10 --epochs 100 --jobs 2 --data "$DATA" --out "$out" > "$out.log" 2>&1)
    rc=$?; e=$(date +%s.%N)
    echo "pair $i $w ($(git -C "$w" rev-parse --short HEAD)) exit $rc wall $(echo "$e - $s" | bc) s, load $(cut -d' ' -f1 /proc/loadavg)"
  done
done

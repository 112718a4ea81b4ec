#!/usr/bin/env bash
# One thread against two on one log, in interleaved runs: on a shared
# machine the speed drifts by tens of percent within minutes, so a ratio
# of two runs minutes apart (as in bench/run.sh's table) can land far on
# either side. Here each round runs, back to back: seam with one thread,
# seam with two, and two one-thread seam processes at once (nothing shared
# but the hardware). Prints each round, then the minimum and median of each
# command's wall and user seconds and of the per-round ratio one/two.
#
#   bench/scaling.sh [LOG] [ROUNDS]   default: target/bench-data/squid-2g.log, 8
#
# Needs GNU time (/usr/bin/time); the log comes from bench/run.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
LOG=${1:-target/bench-data/squid-2g.log}
ROUNDS=${2:-8}
cargo build --release --bins -q
SEAM=$PWD/target/release/seam
OUT=$(mktemp)
trap 'rm -f "$OUT"' EXIT
. bench/warm.sh
warm "$LOG"
for _ in $(seq "$ROUNDS"); do
    /usr/bin/time -f "one %e %U" "$SEAM" scan "$LOG" --threads 1 --quiet --json /dev/null 2>>"$OUT"
    /usr/bin/time -f "two %e %U" "$SEAM" scan "$LOG" --threads 2 --quiet --json /dev/null 2>>"$OUT"
    /usr/bin/time -f "pair %e %U" sh -c "'$SEAM' scan '$LOG' --threads 1 --quiet --json /dev/null & '$SEAM' scan '$LOG' --threads 1 --quiet --json /dev/null; wait" 2>>"$OUT"
done
python3 - "$OUT" <<'EOF'
import statistics, sys
runs = {"one": [], "two": [], "pair": []}
for line in open(sys.argv[1]):
    parts = line.split()
    if len(parts) == 3 and parts[0] in runs:
        runs[parts[0]].append((float(parts[1]), float(parts[2])))
print("| round | 1 thread s | 2 threads s | ratio | two 1-thread processes at once s |")
print("|---|---|---|---|---|")
ratios = []
for i, (one, two, pair) in enumerate(zip(runs["one"], runs["two"], runs["pair"]), 1):
    ratios.append(one[0] / two[0])
    print("| %d | %.2f | %.2f | %.2f | %.2f |" % (i, one[0], two[0], ratios[-1], pair[0]))
print()
print("| command | wall min | wall median | user min | user median |")
print("|---|---|---|---|---|")
for name, label in (("one", "1 thread"), ("two", "2 threads"), ("pair", "two 1-thread processes at once")):
    wall = [w for w, _ in runs[name]]
    user = [u for _, u in runs[name]]
    print("| %s | %.2f | %.2f | %.2f | %.2f |" % (label, min(wall), statistics.median(wall), min(user), statistics.median(user)))
print()
print("ratio 1 thread / 2 threads per round: min %.2f, median %.2f, max %.2f" % (min(ratios), statistics.median(ratios), max(ratios)))
EOF

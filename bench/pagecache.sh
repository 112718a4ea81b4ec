#!/usr/bin/env bash
# seam on one log with the log cached two ways, in alternating rounds:
#   read  - evicted and read back sequentially (as bench/warm.sh does):
#           large folios, mapped 2 MB at a time;
#   pages - evicted and read back 4 KiB at a time without readahead:
#           4 KiB pages, as a log written in small appends may be cached.
# Prints wall, user and system seconds of each run, then the medians.
#
#   bench/pagecache.sh [LOG] [ROUNDS] [THREADS]
#       default: target/bench-data/squid-2g.log, 3, 2
#
# Needs GNU time (/usr/bin/time), GNU dd and python3. Reading the log in
# 4 KiB pages takes about 30 s per round for 2 GB.
set -euo pipefail
cd "$(dirname "$0")/.."
LOG=${1:-target/bench-data/squid-2g.log}
ROUNDS=${2:-3}
THREADS=${3:-2}
cargo build --release --bins -q
SEAM=$PWD/target/release/seam
. bench/warm.sh
OUT=$(mktemp)
trap 'rm -f "$OUT"' EXIT
pages() {
    python3 - "$1" <<'PY'
import os, sys
fd = os.open(sys.argv[1], os.O_RDONLY)
os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_RANDOM)
while os.read(fd, 4096):
    pass
PY
}
for _ in $(seq "$ROUNDS"); do
    warm "$LOG"
    for _ in 1 2 3; do
        /usr/bin/time -f "read %e %U %S" "$SEAM" scan "$LOG" --threads "$THREADS" --quiet 2>>"$OUT"
    done
    pages "$LOG"
    for _ in 1 2 3; do
        /usr/bin/time -f "pages %e %U %S" "$SEAM" scan "$LOG" --threads "$THREADS" --quiet 2>>"$OUT"
    done
done
warm "$LOG"
python3 - "$OUT" <<'PY'
import statistics, sys
runs = {"read": [], "pages": []}
for line in open(sys.argv[1]):
    p = line.split()
    if len(p) == 4 and p[0] in runs:
        runs[p[0]].append(tuple(map(float, p[1:])))
print("| cached as | runs | wall s (median, min-max) | user s | system s |")
print("|---|---|---|---|---|")
for k, v in runs.items():
    if not v:
        continue
    col = lambda i: "%.2f (%.2f-%.2f)" % (statistics.median(x[i] for x in v), min(x[i] for x in v), max(x[i] for x in v))
    print("| %s | %d | %s | %s | %s |" % (k, len(v), col(0), col(1), col(2)))
PY

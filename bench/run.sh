#!/usr/bin/env bash
# Whole-program benchmarks: seam end to end (read, parse, fingerprint,
# reconcile, report) on generated logs, next to peers doing the simplest
# comparable job on the same file in the same run.
#
#   bench/run.sh [DATA_DIR]        default DATA_DIR: target/bench-data
#
# Needs: hyperfine, mawk, gzip, taskset, GNU time (/usr/bin/time), python3 with
# polars (pip install polars), goaccess. About 20 GB free in DATA_DIR; the
# logs are generated once (seam-gen bench) and kept for later runs.
# Prints a Markdown table (also written to DATA_DIR/results.md). Inputs are
# evicted from the page cache and read back once before each measurement
# (bench/warm.sh), so every figure is page-cached, the same way each time.
set -euo pipefail
cd "$(dirname "$0")/.."
DATA=${1:-target/bench-data}
RUNS=${RUNS:-3}
cargo build --release --bins -q
SEAM=$PWD/target/release/seam
GEN=$PWD/target/release/seam-gen
mkdir -p "$DATA"
cd "$DATA"

# name format scale days [extra seam-gen flags]
gen() {
    [ -s "$1" ] || "$GEN" bench --out "$1" --format "$2" --scale "$3" --days "$4" "${@:5}"
}
gen squid-2g.log squid 30 22
gen squid-1g.log squid 30 11
gen squid-4g.log squid 30 44
# The 1 GB world again with every request written four times at the same
# instant: four times the input, the same channels and runs.
gen squid-1g-x4.log squid 30 11 --copies 4
gen fortigate-2g.log fortigate 30 7
gen panos-2g.log panos 30 7
gen combined-2g.log combined 30 20
gen squid-1g.log.gz squid 30 11 --gzip
if [ ! -d gz-folder ]; then
    mkdir -p gz-folder.tmp
    split -n l/8 -d squid-1g.log gz-folder.tmp/part-
    ls gz-folder.tmp/part-* | xargs -P "$(nproc)" -n 1 gzip -1
    mv gz-folder.tmp gz-folder
fi
head -c 200000000 combined-2g.log | head -n -1 >combined-200m.log
# Let the kernel finish writing the generated files before timing anything.
sync
mkdir -p mixed
for f in squid-4g.log fortigate-2g.log panos-2g.log combined-2g.log squid-2g.log; do
    ln -sf "../$f" "mixed/$f"
done

. "$OLDPWD/bench/warm.sh"
size() { du -L -b -c "$@" | tail -1 | cut -f1; }
lines_of() { # uncompressed lines
    local n=0
    for f in "$@"; do
        case "$f" in *.gz) n=$((n + $(zcat "$f" | wc -l))) ;; *) n=$((n + $(wc -l <"$f"))) ;; esac
    done
    echo "$n"
}
# Mean wall seconds of a command over $RUNS runs (after one warm-up run).
wall() {
    hyperfine -N -w 1 -r "$RUNS" --export-json /tmp/seam-bench.json "$1" >/dev/null 2>&1
    python3 -c 'import json;print("%.2f"%json.load(open("/tmp/seam-bench.json"))["results"][0]["mean"])'
}
# Heap peak of a seam run: mimalloc's committed arena peak, plus peak RSS
# (which also counts the pages of memory-mapped input).
heap() {
    MIMALLOC_SHOW_STATS=1 "$@" 2>&1 >/dev/null | awk '
        /committed :/ {heap=$3" "$4}
        /peak rss:/ {for (i=1;i<=NF;i++) if ($i=="rss:") rss=$(i+1)" "$(i+2); sub(",","",rss)}
        END {print heap " heap, " rss " RSS"}'
}
row() { # label input bytes lines seconds memory
    python3 -c 'import sys
label, inp, b, n, s, mem = sys.argv[1:]
b, n, s = int(b), int(n), float(s)
print("| %s | %s | %.2f GB | %.2f | %.2f GB/s | %.1f M | %s |" % (label, inp, b/1e9, s, b/1e9/s, n/s/1e6, mem))' "$@"
}

{
echo "| run | input | size | wall s | throughput | lines/s | peak memory |"
echo "|---|---|---|---|---|---|---|"
for f in squid-2g.log fortigate-2g.log panos-2g.log; do
    b=$(size $f); n=$(lines_of $f)
    for t in 1 2; do
        warm $f
        s=$(wall "$SEAM scan $f --quiet --threads $t --json /dev/null")
        row "seam, $t thread(s)" "$f" "$b" "$n" "$s" "$(heap "$SEAM" scan $f --quiet --threads $t)"
    done
done
f=squid-2g.log; b=$(size $f); n=$(lines_of $f)
warm $f
# What the machine allows two threads: two independent one-thread
# processes at once, each on the whole file (nothing shared but the
# hardware). Their wall time against one such process alone bounds the
# speed-up of one process with two threads.
s=$(wall "sh -c '$SEAM scan $f --quiet --threads 1 --json /dev/null & $SEAM scan $f --quiet --threads 1 --json /dev/null; wait'")
row "two seam processes at once, 1 thread each (each process)" "$f" "$b" "$n" "$s" "-"
# Background findings are hidden by default and then only counted; with
# --show-background every one of them is fingerprinted and built.
s=$(wall "$SEAM scan $f --quiet --show-background --json /dev/null")
row "seam, 2 threads, --show-background (all findings built)" "$f" "$b" "$n" "$s" "-"
s=$(wall "$SEAM scan $f --quiet --no-mmap --json /dev/null")
row "seam, 2 threads, --no-mmap (read in blocks)" "$f" "$b" "$n" "$s" "$(heap "$SEAM" scan $f --quiet --no-mmap)"
s=$(wall "mawk -f $OLDPWD/bench/peer.awk $f")
row "mawk (requests, bytes per client+host)" "$f" "$b" "$n" "$s" "-"
s=$(wall "python3 $OLDPWD/bench/peers.py $f")
row "polars (same job, lazy, all cores)" "$f" "$b" "$n" "$s" "-"
f=combined-200m.log; b=$(size $f); n=$(lines_of $f)
warm $f
s=$(wall "goaccess $f --log-format=COMBINED -o /tmp/seam-bench-goaccess.json")
row "goaccess (COMBINED, JSON report)" "$f" "$b" "$n" "$s" "-"
s=$(wall "$SEAM scan $f --quiet --json /dev/null")
row "seam, 2 threads" "$f" "$b" "$n" "$s" "$(heap "$SEAM" scan $f --quiet)"

f=squid-1g.log.gz; b=$(size squid-1g.log); n=$(lines_of squid-1g.log)
warm $f
s=$(wall "sh -c 'zcat $f >/dev/null'")
row "zcat > /dev/null" "$f" "$b" "$n" "$s" "-"
s=$(wall "$SEAM scan $f --quiet --json /dev/null")
row "seam, 2 threads" "$f" "$b" "$n" "$s" "$(heap "$SEAM" scan $f --quiet)"
for t in 1 2; do
    warm gz-folder/*
    s=$(wall "$SEAM scan gz-folder --quiet --threads $t --json /dev/null")
    row "seam, $t thread(s)" "gz-folder (8 x .gz)" "$b" "$n" "$s" "$(heap "$SEAM" scan gz-folder --quiet --threads $t)"
done
# Scaling with cores rather than with parsing threads (a .gz input also
# has a decompressing thread): the default threads, pinned to one core.
warm gz-folder/*
s=$(wall "taskset -c 0 $SEAM scan gz-folder --quiet --json /dev/null")
row "seam, 2 threads, on one core (taskset -c 0)" "gz-folder (8 x .gz)" "$b" "$n" "$s" "-"

for f in squid-1g.log squid-1g-x4.log squid-4g.log; do
    b=$(size $f); n=$(lines_of $f)
    warm $f
    s=$(wall "$SEAM scan $f --quiet --json /dev/null")
    ch=$("$SEAM" scan $f --json /dev/stdout --quiet | python3 -c 'import json,sys;print(json.load(sys.stdin)["run"]["channels"])')
    row "seam, 2 threads ($ch channels)" "$f" "$b" "$n" "$s" "$(heap "$SEAM" scan $f --quiet)"
done

b=$(size mixed/*); n=$(lines_of mixed/*)
s=$( { /usr/bin/time -f %e "$SEAM" scan mixed --quiet --json /dev/null; } 2>&1 | tail -1)
row "seam, 2 threads, 4 formats" "mixed (5 files)" "$b" "$n" "$s" "$(heap "$SEAM" scan mixed --quiet)"
} | tee results.md

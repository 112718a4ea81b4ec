# Sourced by the benchmark scripts. warm FILE...: evicts each file from the
# page cache and reads it back once, so that every measurement starts with
# the file cached the way a read from disk leaves it, whatever way the file
# was written. How a file entered the cache matters: on Linux 6.x with ext4
# a read from disk caches it in large folios that the kernel maps 2 MB at a
# time, while a file written in small appends is cached in 4 KiB pages,
# each mapped and unmapped on its own (bench/pagecache.sh measures both).
# Large folios need free memory in 2 MB blocks: on a machine whose memory
# is fragmented (after writing the benchmark's logs, say) the read-back
# falls back to small folios. So memory is compacted first where that is
# allowed (root), and the share of the file cached in 2 MB folios is
# printed to standard error for files of 64 MiB or more (from
# /proc/meminfo's FileHugePages, which counts every file: exact when
# nothing else is read at the same time).
warm() {
    local f before after size
    for f in "$@"; do
        # GNU dd: drop the whole file from the cache (no-op where unsupported).
        dd if="$f" iflag=nocache count=0 status=none 2>/dev/null || true
        if [ -w /proc/sys/vm/compact_memory ]; then
            echo 1 >/proc/sys/vm/compact_memory 2>/dev/null || true
        fi
        before=$(awk '/^FileHugePages:/ {print $2}' /proc/meminfo 2>/dev/null || echo 0)
        cat "$f" >/dev/null
        after=$(awk '/^FileHugePages:/ {print $2}' /proc/meminfo 2>/dev/null || echo 0)
        size=$(du -L -k "$f" | cut -f1)
        if [ "${size:-0}" -ge 65536 ] && [ -n "$before" ] && [ -n "$after" ]; then
            echo "warm: $f: $(( (after - before) * 100 / size ))% read back into 2 MB folios" >&2
        fi
    done
}

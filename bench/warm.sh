# Sourced by the benchmark scripts. warm FILE...: evicts each file from the
# page cache and reads it back once, so that every measurement starts with
# the file cached the way a read from disk leaves it, whatever way the file
# was written. How a file entered the cache matters: on Linux 6.x with ext4
# a read from disk caches it in large folios that the kernel maps 2 MB at a
# time, while a file written in small appends is cached in 4 KiB pages,
# each mapped and unmapped on its own (bench/pagecache.sh measures both).
warm() {
    local f
    for f in "$@"; do
        # GNU dd: drop the whole file from the cache (no-op where unsupported).
        dd if="$f" iflag=nocache count=0 status=none 2>/dev/null || true
        cat "$f" >/dev/null
    done
}

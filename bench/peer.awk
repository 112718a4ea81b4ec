# The simplest comparable job in awk: requests and bytes per (client,
# destination host) from a Squid native access.log. Used by bench/run.sh.
{
    h = $7
    sub(/^[a-z]+:\/\//, "", h)
    sub(/[\/:].*/, "", h)
    k = $3 " " h
    n[k]++
    b[k] += $5
}
END {
    for (k in n) c++
    print c " pairs" > "/dev/stderr"
}

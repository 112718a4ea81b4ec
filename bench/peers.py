"""The simplest comparable job in polars: requests and bytes per (client,
destination host) from a Squid native access.log. Used by bench/run.sh."""
import sys

import polars as pl

path = sys.argv[1]
lines = pl.scan_csv(
    path,
    has_header=False,
    separator="\x01",
    quote_char=None,
    new_columns=["line"],
    schema_overrides={"line": pl.Utf8},
)
fields = lines.select(
    pl.col("line").str.extract(r"^\S+\s+\S+\s+(\S+)", 1).alias("client"),
    pl.col("line").str.extract(r"^\S+\s+\S+\s+\S+\s+\S+\s+(\d+)", 1).cast(pl.Int64).alias("bytes"),
    pl.col("line")
    .str.extract(r"^\S+\s+\S+\s+\S+\s+\S+\s+\S+\s+\S+\s+(?:[a-z]+://)?([^/:\s]+)", 1)
    .alias("host"),
)
out = fields.group_by(["client", "host"]).agg(pl.len().alias("requests"), pl.col("bytes").sum()).collect()
print(len(out), "pairs", file=sys.stderr)

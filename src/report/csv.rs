//! The register as CSV, safe to open in Excel.
//!
//! Spreadsheet programs execute a cell that starts with `=`, `+`, `-` or `@`
//! (and some treat a leading tab or carriage return the same way). Every text
//! cell that comes from log data and starts with one of those characters is
//! written with a leading apostrophe `'`, which Excel and LibreOffice show as
//! text and do not evaluate. Numbers are written as numbers.

use super::join;
use crate::findings::{Finding, REGISTER_COLUMNS};
use std::borrow::Cow;
use std::io::Write;

/// Neutralises a text cell against formula injection.
pub fn cell(s: &str) -> Cow<'_, str> {
    match s.as_bytes().first() {
        Some(b'=' | b'+' | b'-' | b'@' | b'\t' | b'\r') => Cow::Owned(format!("'{s}")),
        _ => Cow::Borrowed(s),
    }
}

/// Writes the register (header row, then one row per finding).
pub fn write_register<W: Write>(w: W, findings: &[Finding]) -> std::io::Result<()> {
    let mut out = ::csv::WriterBuilder::new().terminator(::csv::Terminator::CRLF).from_writer(w);
    out.write_record(REGISTER_COLUMNS)?;
    for f in findings {
        let row: [Cow<str>; 21] = [
            cell(&f.finding_id),
            Cow::Borrowed(f.status.as_str()),
            cell(&join(&f.source)).into_owned().into(),
            cell(&f.destination),
            f.port.map_or(Cow::Borrowed(""), |p| p.to_string().into()),
            cell(&f.service),
            Cow::Borrowed(&f.first_seen),
            Cow::Borrowed(&f.last_seen),
            f.connections.to_string().into(),
            f.runs.to_string().into(),
            f.bytes_out.to_string().into(),
            f.bytes_in.to_string().into(),
            cell(&f.schedule),
            f.period_seconds.map_or(Cow::Borrowed(""), |p| p.to_string().into()),
            cell(&join(&f.users)).into_owned().into(),
            cell(&join(&f.user_agents)).into_owned().into(),
            f.risk.to_string().into(),
            cell(&join(&f.flags)).into_owned().into(),
            cell(&f.inventory_id),
            cell(&f.owner),
            cell(&f.evidence.join("; ")).into_owned().into(),
        ];
        out.write_record(row.iter().map(|c| c.as_bytes()))?;
    }
    out.flush()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn neutralises_formula_starts() {
        for s in ["=cmd|' /C calc'!A0", "+1", "-2", "@SUM(A1)", "\tx", "\rx"] {
            assert!(cell(s).starts_with('\''), "{s:?}");
        }
        assert_eq!(cell("api.example.com"), "api.example.com");
        assert_eq!(cell(""), "");
    }
}

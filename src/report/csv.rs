//! The register as CSV, safe to open in Excel.
//!
//! Spreadsheet programs execute a cell that starts with `=`, `+`, `-` or `@`
//! (and some treat a leading tab or carriage return the same way). Every text
//! cell whose first character, or first character after leading white
//! space, is one of those (or a full-width `＝`, `＋`, `－`, `＠`) is written
//! with a leading apostrophe `'`, which Excel and LibreOffice show as text
//! and do not evaluate. In cells that hold a `;`-separated list (source,
//! users, user agents, flags, evidence) each item is neutralised the same
//! way, so a spreadsheet that splits the cell on `;` finds no formula
//! either. Numbers are written as numbers; every field is quoted when it
//! holds a `,`, `"` or line break, as RFC 4180 says.

use crate::findings::{Finding, REGISTER_COLUMNS};
use std::borrow::Cow;
use std::io::Write;

/// True when a spreadsheet could read the text as a formula.
fn dangerous(s: &str) -> bool {
    if matches!(s.as_bytes().first(), Some(b'\t' | b'\r' | b'\n')) {
        return true;
    }
    let first = s.trim_start().chars().next();
    matches!(
        first,
        Some('=' | '+' | '-' | '@' | '\u{ff1d}' | '\u{ff0b}' | '\u{ff0d}' | '\u{ff20}')
    )
}

/// Neutralises a text cell against formula injection.
pub fn cell(s: &str) -> Cow<'_, str> {
    if dangerous(s) {
        Cow::Owned(format!("'{s}"))
    } else {
        Cow::Borrowed(s)
    }
}

/// Joins a list into one cell with `sep`, neutralising every item.
pub fn cell_list(items: &[String], sep: &str) -> String {
    items.iter().map(|i| cell(i)).collect::<Vec<_>>().join(sep)
}

/// Writes the register (header row, then one row per finding).
pub fn write_register<W: Write>(w: W, findings: &[Finding]) -> std::io::Result<()> {
    let mut out = ::csv::WriterBuilder::new().terminator(::csv::Terminator::CRLF).from_writer(w);
    out.write_record(REGISTER_COLUMNS)?;
    for f in findings {
        let row: [Cow<str>; 22] = [
            cell(&f.finding_id),
            Cow::Borrowed(f.status.as_str()),
            cell_list(&f.source, ";").into(),
            cell(&f.destination),
            f.port.map_or(Cow::Borrowed(""), |p| p.to_string().into()),
            cell(&f.service),
            cell(&f.first_seen),
            cell(&f.last_seen),
            f.connections.to_string().into(),
            f.runs.to_string().into(),
            f.bytes_out.to_string().into(),
            f.bytes_in.to_string().into(),
            cell(&f.schedule),
            f.period_seconds.map_or(Cow::Borrowed(""), |p| p.to_string().into()),
            cell_list(&f.users, ";").into(),
            cell_list(&f.user_agents, ";").into(),
            f.risk.to_string().into(),
            cell_list(&f.flags, ";").into(),
            cell(&f.inventory_id),
            cell(&f.owner),
            cell_list(&f.evidence, "; ").into(),
            Cow::Borrowed(f.change.map_or("", |c| c.as_str())),
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
        for s in [
            "=cmd|' /C calc'!A0",
            "+1",
            "-2",
            "@SUM(A1)",
            "\tx",
            "\rx",
            "\n=1",
            "  =1+1",
            "\u{ff1d}1+1",
        ] {
            assert!(cell(s).starts_with('\''), "{s:?}");
        }
        assert_eq!(cell("api.example.com"), "api.example.com");
        assert_eq!(cell("a=b"), "a=b");
        assert_eq!(cell(""), "");
    }

    #[test]
    fn neutralises_every_list_item() {
        let v = vec![
            "svc_a".to_string(),
            "=HYPERLINK(\"http://x.example\")".to_string(),
            "@x".to_string(),
        ];
        assert_eq!(cell_list(&v, ";"), "svc_a;'=HYPERLINK(\"http://x.example\");'@x");
    }
}

//! The summary printed on standard output.
//!
//! Everything that came from log data is escaped before it reaches the
//! terminal, so a hostile user agent cannot send control sequences.

use super::{join, Run};
use crate::findings::{Change, Finding, Status};
use crate::fingerprint::human_duration;
use std::collections::BTreeMap;
use std::io::Write;

/// Escapes control characters (`\x1b` → `\x1b` as text) for terminal output.
pub fn safe(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if c.is_control() {
            out.push_str(&format!("\\x{:02x}", c as u32));
        } else {
            out.push(c);
        }
    }
    out
}

fn clip(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(n.saturating_sub(1)).collect();
        t.push('…');
        t
    }
}

fn thousands(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn ids(v: &[String]) -> String {
    const SHOWN: usize = 8;
    let mut s = v.iter().take(SHOWN).map(|x| safe(x)).collect::<Vec<_>>().join(", ");
    if v.len() > SHOWN {
        s.push_str(&format!(" and {} more", v.len() - SHOWN));
    }
    s
}

fn print_reconcile<W: Write>(w: &mut W, r: &crate::reconcile::Summary) -> std::io::Result<()> {
    if r.inventory_rows > 0 {
        writeln!(
            w,
            "inventory: {} row(s) ({} active, {} ended), {} with traffic; reviews judged on {} (max age {} days)",
            r.inventory_rows,
            r.active_rows,
            r.ended_rows,
            r.rows_with_traffic,
            r.reference_date.as_deref().unwrap_or("-"),
            r.review_max_age_days
        )?;
    }
    if !r.stale.is_empty() {
        writeln!(
            w,
            "stale: {} active row(s) without traffic in the window: {}",
            r.stale.len(),
            ids(&r.stale)
        )?;
    }
    if !r.too_short.is_empty() {
        let v: Vec<String> = r
            .too_short
            .iter()
            .map(|t| {
                format!(
                    "{} ('{}', needs {})",
                    t.inventory_id,
                    t.frequency,
                    human_duration(t.needs_seconds as i64)
                )
            })
            .collect();
        writeln!(
            w,
            "window too short to tell: {} active row(s) without traffic, but the window ({}) covers fewer than two expected runs: {}",
            v.len(),
            human_duration(r.window_seconds as i64),
            ids(&v)
        )?;
    }
    if !r.unscheduled_without_traffic.is_empty() {
        writeln!(
            w,
            "no traffic, no schedule to judge: {} active row(s) run on demand: {}",
            r.unscheduled_without_traffic.len(),
            ids(&r.unscheduled_without_traffic)
        )?;
    }
    if !r.ended_before_window.is_empty() {
        writeln!(
            w,
            "ended before the window: {} active row(s) with a past end_date: {}",
            r.ended_before_window.len(),
            ids(&r.ended_before_window)
        )?;
    }
    if r.leavers > 0 {
        writeln!(w, "leavers: {} account(s) checked", r.leavers)?;
    }
    Ok(())
}

/// Prints the summary and the top `top` findings.
pub fn print<W: Write>(w: &mut W, run: &Run, findings: &[Finding], hidden_background: usize, top: usize) -> std::io::Result<()> {
    let (lines, parsed, ignored, skipped) = run.lines();
    let mut formats: BTreeMap<&str, usize> = BTreeMap::new();
    for f in &run.files {
        *formats.entry(f.format.unwrap_or("unrecognised")).or_insert(0) += 1;
    }
    let formats: Vec<String> = formats.iter().map(|(k, v)| format!("{k} {v}")).collect();
    writeln!(w, "seam {}: {} file(s) ({})", run.seam_version, run.files.len(), formats.join(", "))?;
    writeln!(
        w,
        "lines: {} = {} parsed + {} ignored + {} skipped",
        thousands(lines),
        thousands(parsed),
        thousands(ignored),
        thousands(skipped)
    )?;
    let mut reasons: BTreeMap<&str, u64> = BTreeMap::new();
    for f in &run.files {
        for (r, n) in &f.stats.skip_reasons {
            *reasons.entry(r).or_insert(0) += n;
        }
    }
    if !reasons.is_empty() {
        let r: Vec<String> = reasons.iter().map(|(k, v)| format!("{} {k}", thousands(*v))).collect();
        writeln!(w, "skipped: {}", r.join(", "))?;
        for f in &run.files {
            for s in f.stats.samples.iter().take(3) {
                writeln!(w, "  {}:{}: {}: {}", safe(&f.path), s.line, s.reason, safe(&s.text))?;
            }
        }
    }
    for f in &run.files {
        if let Some(e) = &f.error {
            writeln!(w, "error: {}: {}", safe(&f.path), e)?;
        }
    }
    match (&run.window.first, &run.window.last) {
        (Some(a), Some(b)) => writeln!(w, "window: {a} .. {b}")?,
        _ => writeln!(w, "window: no records")?,
    }
    let t = &run.traffic;
    writeln!(
        w,
        "traffic: {} outbound record(s) in {} channel(s); not channelled: {} internal, {} inbound, {} external-to-external, {} without destination",
        thousands(t.outbound),
        thousands(run.channels as u64),
        thousands(t.internal),
        thousands(t.inbound),
        thousands(t.external),
        thousands(t.no_destination)
    )?;
    let findings: Vec<&Finding> = findings.iter().filter(|f| f.change != Some(Change::Gone)).collect();
    let mut by_status: BTreeMap<Status, usize> = BTreeMap::new();
    for f in &findings {
        *by_status.entry(f.status).or_insert(0) += 1;
    }
    let mut parts: Vec<String> = by_status.iter().map(|(s, n)| format!("{n} {}", s.as_str())).collect();
    if hidden_background > 0 {
        parts.push(format!("{hidden_background} background (hidden; --show-background)"));
    }
    writeln!(
        w,
        "findings: {}{}",
        findings.len(),
        if parts.is_empty() {
            String::new()
        } else {
            format!(" ({})", parts.join(", "))
        }
    )?;
    if let Some(r) = &run.reconcile {
        print_reconcile(w, r)?;
    }
    if let Some(b) = &run.baseline {
        writeln!(
            w,
            "baseline {}: {} new, {} changed, {} unchanged, {} gone",
            safe(&b.path),
            b.new,
            b.changed,
            b.unchanged,
            b.gone
        )?;
    }
    if findings.is_empty() {
        return Ok(());
    }
    writeln!(w)?;
    writeln!(
        w,
        "{:>4}  {:<12}  {:<15}  {:<32}  {:>5}  {:<26}  {:>6}  users / flags",
        "risk", "status", "source", "destination", "port", "schedule", "runs"
    )?;
    for f in findings.iter().take(top) {
        let status = match f.change {
            Some(Change::New) => format!("{} (new)", f.status.as_str()),
            _ => f.status.as_str().to_string(),
        };
        let src = if f.source.len() > 1 {
            format!("{} (+{})", f.source.first().map_or("", String::as_str), f.source.len() - 1)
        } else {
            join(&f.source)
        };
        let tail = [join(&f.users), join(&f.flags)]
            .into_iter()
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
            .join(" / ");
        writeln!(
            w,
            "{:>4}  {:<12}  {:<15}  {:<32}  {:>5}  {:<26}  {:>6}  {}",
            f.risk,
            status,
            clip(&safe(&src), 15),
            clip(&safe(&f.destination), 32),
            f.port.map_or(String::new(), |p| p.to_string()),
            clip(&safe(&f.schedule), 26),
            f.runs,
            clip(&safe(&tail), 60)
        )?;
    }
    if findings.len() > top {
        writeln!(
            w,
            "... {} more in the register (--register FILE.csv, --json FILE.json)",
            findings.len() - top
        )?;
    }
    Ok(())
}

//! The JSON report: `{"run": {...}, "findings": [...]}`.

use super::{Document, Run};
use crate::findings::Finding;
use std::io::Write;

pub fn write<W: Write>(mut w: W, run: &Run, findings: &[Finding]) -> std::io::Result<()> {
    serde_json::to_writer_pretty(&mut w, &Document { run, findings })?;
    w.write_all(b"\n")?;
    w.flush()
}

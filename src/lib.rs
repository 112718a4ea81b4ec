//! seam: find the integrations nobody documented.
//!
//! Pipeline, one module per stage: [`input`] (read and split) →
//! [`formats`] (parse lines into [`record::Record`]s) → [`aggregate`] (fold
//! into per-channel state, merge) → [`findings`] (fingerprint and build
//! findings) → [`reconcile`] (against the [`inventory`] and leavers) →
//! [`pseudo`] (optional pseudonyms) → [`baseline`] (against an earlier run)
//! → [`report`] (terminal, CSV register, JSON).

pub mod aggregate;
pub mod app;
pub mod background;
pub mod baseline;
pub mod cli;
pub mod config;
pub mod findings;
pub mod fingerprint;
pub mod formats;
#[doc(hidden)]
pub mod fuzzing;
pub mod input;
pub mod inventory;
mod prefetch;
pub mod pseudo;
pub mod reconcile;
pub mod record;
pub mod redact;
pub mod report;
pub mod scan;
pub mod stats;
pub mod synth;
pub mod time;

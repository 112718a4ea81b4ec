//! seam: find the integrations nobody documented.
//!
//! Pipeline, one module per stage: [`input`] (read and split) →
//! [`formats`] (parse lines into [`record::Record`]s) → [`aggregate`] (fold
//! into per-channel state, merge) → [`findings`] (fingerprint and build
//! findings) → [`report`] (terminal, CSV register, JSON).

pub mod aggregate;
pub mod app;
pub mod background;
pub mod cli;
pub mod config;
pub mod findings;
pub mod fingerprint;
pub mod formats;
pub mod input;
pub mod record;
pub mod redact;
pub mod report;
pub mod scan;
pub mod stats;
pub mod synth;
pub mod time;

//! seam: find the integrations nobody documented.
//!
//! Pipeline, one module per stage: [`input`] (read and split) →
//! [`formats`] (parse lines into [`record::Record`]s) → [`aggregate`] (fold
//! into per-channel state, merge) → [`findings`] (fingerprint and build
//! findings) → [`report`] (terminal, CSV register, JSON).

pub mod formats;
pub mod record;
pub mod time;

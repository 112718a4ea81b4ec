//! `--pseudonymize KEY`: user names replaced by a keyed hash.
//!
//! A user name becomes `u-` and the first 12 hex digits of
//! HMAC-SHA256(KEY, lower-cased name). The same name under the same key
//! gives the same pseudonym in every run and every output (so baselines
//! still compare); without the key the name cannot be recovered or
//! confirmed by hashing guesses. Names are lower-cased first because
//! account names are case-insensitive; `CORP\jdoe` and `jdoe` stay
//! different pseudonyms.
//!
//! Replaced: every finding's `users`, and each of those names wherever it
//! stands as a whole word in the finding's evidence. Skipped-line samples
//! are raw log text whose user field seam could not read, so their text
//! is withheld (line number and reason stay).

use crate::findings::Finding;
use crate::report::Run;
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// What a withheld sample text reads.
pub const WITHHELD: &str = "(text withheld: --pseudonymize)";

/// Keyed pseudonyms for user names.
#[derive(Clone)]
pub struct Pseudonymizer {
    mac: Hmac<Sha256>,
}

impl std::fmt::Debug for Pseudonymizer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never print the key.
        f.write_str("Pseudonymizer(..)")
    }
}

impl Pseudonymizer {
    pub fn new(key: &str) -> Result<Pseudonymizer, String> {
        if key.is_empty() {
            return Err("--pseudonymize needs a non-empty key".into());
        }
        Hmac::<Sha256>::new_from_slice(key.as_bytes())
            .map(|mac| Pseudonymizer { mac })
            .map_err(|_| "--pseudonymize: unusable key".to_string())
    }

    /// `u-` + 12 hex digits.
    pub fn name(&self, user: &str) -> String {
        let mut mac = self.mac.clone();
        mac.update(user.to_lowercase().as_bytes());
        let digest = mac.finalize().into_bytes();
        let mut out = String::from("u-");
        for b in digest.iter().take(6) {
            out.push_str(&format!("{b:02x}"));
        }
        out
    }

    /// Pseudonymizes every finding in place.
    pub fn findings(&self, findings: &mut [Finding]) {
        for f in findings {
            let mut names: Vec<(String, String)> = f.users.iter().map(|u| (u.clone(), self.name(u))).collect();
            // Longest first, so `CORP\jdoe` is replaced before `jdoe`.
            names.sort_by(|a, b| b.0.len().cmp(&a.0.len()).then_with(|| a.0.cmp(&b.0)));
            for e in &mut f.evidence {
                for (from, to) in &names {
                    *e = replace_word(e, from, to);
                }
            }
            f.users = f.users.iter().map(|u| self.name(u)).collect();
            f.users.sort();
            f.users.dedup();
        }
    }

    /// Withholds the text of skipped-line samples.
    pub fn run(&self, run: &mut Run) {
        for file in &mut run.files {
            for s in &mut file.stats.samples {
                s.text = WITHHELD.to_string();
            }
        }
    }
}

fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-' | b'@' | b'\\' | b'$')
}

/// Replaces `from` where it stands as a whole word (not inside a longer
/// name) in `text`.
pub fn replace_word(text: &str, from: &str, to: &str) -> String {
    if from.is_empty() {
        return text.to_string();
    }
    let b = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut pos = 0;
    for (i, _) in text.match_indices(from) {
        if i < pos {
            continue;
        }
        let end = i + from.len();
        let before_ok = i == 0 || b.get(i - 1).is_none_or(|&c| !is_word_byte(c));
        let after_ok = b
            .get(end)
            .is_none_or(|&c| !is_word_byte(c) || (c == b'.' && b.get(end + 1).is_none_or(|&n| !is_word_byte(n))));
        if before_ok && after_ok {
            out.push_str(text.get(pos..i).unwrap_or_default());
            out.push_str(to);
            pos = end;
        }
    }
    out.push_str(text.get(pos..).unwrap_or_default());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pseudonyms_are_keyed_stable_and_case_insensitive() {
        let p = Pseudonymizer::new("k1").unwrap();
        let q = Pseudonymizer::new("k2").unwrap();
        let a = p.name("CORP\\jdoe");
        assert!(a.starts_with("u-") && a.len() == 14 && a[2..].bytes().all(|c| c.is_ascii_hexdigit()));
        assert_eq!(a, p.name("corp\\JDOE"));
        assert_ne!(a, q.name("CORP\\jdoe"));
        assert_ne!(a, p.name("jdoe"));
        assert!(Pseudonymizer::new("").is_err());
        assert!(!format!("{p:?}").contains("k1"));
    }

    #[test]
    fn hmac_matches_rfc_4231_test_case_2() {
        // RFC 4231 test case 2: key "Jefe", data "what do ya want for nothing?".
        let p = Pseudonymizer::new("Jefe").unwrap();
        assert_eq!(p.name("what do ya want for nothing?"), "u-5bdcc146bf60");
    }

    #[test]
    fn whole_words_only() {
        assert_eq!(
            replace_word("departed account: bob (on the leavers list)", "bob", "u-1"),
            "departed account: u-1 (on the leavers list)"
        );
        assert_eq!(replace_word("bobcat bob2 xbob bob.", "bob", "u-1"), "bobcat bob2 xbob u-1.");
        assert_eq!(replace_word("CORP\\bob, bob", "bob", "u-1"), "CORP\\bob, u-1");
        assert_eq!(replace_word("users: bob.smith", "bob", "u-1"), "users: bob.smith");
    }
}

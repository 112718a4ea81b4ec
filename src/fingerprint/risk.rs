//! An explainable risk score: a sum of named contributions, capped at 100.
//! Every contribution that applies is written into the finding's evidence
//! as `risk +N: name (detail)`, so the score can be checked by hand.
//!
//! | points | contribution | when |
//! |---:|---|---|
//! | 10 | machine-to-machine | every finding (a recurring or scripted channel) |
//! | 25 | credential in URL | a URL carried a secret parameter |
//! | 20 | cleartext | HTTP, FTP, Telnet (scheme or port 21, 23, 80) |
//! | 15 | off-hours | at least half of the runs outside weekdays 07-19 |
//! | 10 | upload-heavy | at least 1 MB sent and twice what was received |
//! | 10 | direct to IP | no host name: the destination is an address |
//! | 10 | disguised browser | a browser user agent on a machine schedule |
//! | 5 | non-web port | a port other than 80, 443, 8080, 8443 |
//! | 5 | denied | at least 10 % of requests denied by policy |

/// What the score looks at.
#[derive(Debug, Clone, Default)]
pub struct RiskInput {
    pub credential_params: Vec<String>,
    pub cleartext: Option<String>,
    pub off_hours_share: f64,
    pub upload: Option<(u64, u64)>,
    pub direct_ip: bool,
    pub disguised_browser: bool,
    pub port: Option<u16>,
    pub denied_share: f64,
}

/// The score and its named contributions.
#[derive(Debug, Clone, PartialEq)]
pub struct Risk {
    pub score: u32,
    pub contributions: Vec<(u32, String)>,
}

impl Risk {
    /// Evidence lines, `risk +N: name (detail)`.
    pub fn evidence(&self) -> Vec<String> {
        self.contributions.iter().map(|(p, t)| format!("risk +{p}: {t}")).collect()
    }
}

fn mb(b: u64) -> String {
    format!("{:.1} MB", b as f64 / 1e6)
}

pub fn assess(r: &RiskInput) -> Risk {
    let mut c: Vec<(u32, String)> = vec![(10, "machine-to-machine".into())];
    if !r.credential_params.is_empty() {
        c.push((25, format!("credential in URL ({})", r.credential_params.join(","))));
    }
    if let Some(what) = &r.cleartext {
        c.push((20, format!("cleartext ({what})")));
    }
    if r.off_hours_share >= 0.5 {
        c.push((15, format!("off-hours ({:.0}% of runs)", r.off_hours_share * 100.0)));
    }
    if let Some((out, inn)) = r.upload {
        c.push((10, format!("upload-heavy ({} out, {} in)", mb(out), mb(inn))));
    }
    if r.direct_ip {
        c.push((10, "direct to IP".into()));
    }
    if r.disguised_browser {
        c.push((10, "disguised browser (browser user agent on a machine schedule)".into()));
    }
    if let Some(p) = r.port.filter(|p| !matches!(p, 80 | 443 | 8080 | 8443)) {
        c.push((5, format!("non-web port {p}")));
    }
    if r.denied_share >= 0.1 {
        c.push((5, format!("denied ({:.0}% of requests)", r.denied_share * 100.0)));
    }
    let score = c.iter().map(|(p, _)| p).sum::<u32>().min(100);
    Risk { score, contributions: c }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contributions_add_up_and_are_named() {
        let r = assess(&RiskInput {
            credential_params: vec!["password".into()],
            cleartext: Some("http".into()),
            off_hours_share: 0.7,
            port: Some(80),
            ..RiskInput::default()
        });
        assert_eq!(r.score, 10 + 25 + 20 + 15);
        assert_eq!(r.evidence()[1], "risk +25: credential in URL (password)");
        assert_eq!(assess(&RiskInput::default()).score, 10);
    }

    #[test]
    fn score_is_capped() {
        let r = assess(&RiskInput {
            credential_params: vec!["token".into()],
            cleartext: Some("ftp".into()),
            off_hours_share: 1.0,
            upload: Some((5_000_000, 1)),
            direct_ip: true,
            disguised_browser: true,
            port: Some(21),
            denied_share: 0.5,
        });
        assert_eq!(r.score, 100);
        assert_eq!(r.contributions.len(), 9);
    }
}

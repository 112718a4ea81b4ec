//! Netskope web transaction logs (Netskope One SWG "Transaction Events",
//! delivered by Log Streaming / Cloud Exchange to a file or S3), in the
//! W3C-style space-separated form or as CSV, with or without a header line.
//! Without a header the columns are Netskope's default transaction field
//! list; with one (`#Fields: date time ...` or a CSV header `date,time,...`)
//! the header decides.
//!
//! Reference: "Transaction Events Field Definitions"
//! <https://docs.netskope.com/en/transaction-events-field-definitions/>.
//!
//! Field meanings (ELFF names, see [`super::elff`]): the source is
//! `x-cs-userip`, the user's own address (`c-ip` is the egress address
//! Netskope saw); `s-ip` is the destination server (not a proxy address as
//! in ProxySG); `cs-bytes` is client→server (bytes out), `sc-bytes`
//! server→client; `date`/`time` are UTC.

use super::elff::{role_of, Delim, FileInfo, Role, Schema};
use super::{Field, Format, LineError, LineParser, LineResult};
use crate::time::TimeCtx;
use std::sync::LazyLock;

pub struct Netskope;

/// Netskope's default transaction log columns.
const DEFAULT_FIELDS: &str = "date time time-taken cs-bytes sc-bytes bytes c-ip s-ip cs-username cs-method cs-uri-scheme cs-uri-query cs-user-agent cs-content-type sc-status sc-content-type cs-dns cs-host cs-uri cs-uri-port cs-referer x-cs-session-id x-cs-access-method x-cs-app x-s-country x-s-latitude x-s-longitude x-s-location x-s-region x-s-zipcode x-c-country x-c-latitude x-c-longitude x-c-location x-c-region x-c-zipcode x-c-os x-c-browser x-c-browser-version x-c-device x-cs-site x-cs-timestamp x-cs-page-id x-cs-userip x-cs-traffic-type x-cs-tunnel-id x-category x-other-category x-type x-server-ssl-err x-client-ssl-err x-transaction-id x-request-id x-cs-sni x-cs-domain-fronted-sni x-category-id x-other-category-id x-sr-headers-name x-sr-headers-value x-cs-ssl-ja3 x-sr-ssl-ja3s x-ssl-bypass x-ssl-bypass-reason x-r-cert-subject-cn x-r-cert-issuer-cn x-r-cert-startdate x-r-cert-enddate x-r-cert-valid x-r-cert-expired x-r-cert-untrusted-root x-r-cert-incomplete-chain x-r-cert-self-signed x-r-cert-revoked x-r-cert-revocation-check x-r-cert-mismatch x-cs-ssl-fronting-error x-cs-ssl-handshake-error x-sr-ssl-handshake-error x-sr-ssl-client-certificate-error x-sr-ssl-malformed-ssl x-s-custom-signing-ca-error x-cs-ssl-engine-action x-cs-ssl-engine-action-reason x-sr-ssl-engine-action x-sr-ssl-engine-action-reason x-ssl-policy-src-ip x-ssl-policy-dst-ip x-ssl-policy-dst-host x-ssl-policy-dst-host-source x-ssl-policy-categories x-ssl-policy-action x-ssl-policy-name x-cs-ssl-version x-cs-ssl-cipher x-sr-ssl-version x-sr-ssl-cipher x-cs-src-ip-egress x-s-dp-name x-cs-src-ip x-cs-src-port x-cs-dst-ip x-cs-dst-port x-sr-src-ip x-sr-src-port x-sr-dst-ip x-sr-dst-port x-cs-ip-connect-xff x-cs-ip-xff x-cs-connect-host x-cs-connect-port x-cs-connect-user-agent x-cs-url x-cs-uri-path x-cs-http-version rs-status x-cs-app-category x-cs-app-cci x-cs-app-ccl x-cs-app-tags x-cs-app-suite x-cs-app-instance-id x-cs-app-instance-name x-cs-app-instance-tag x-cs-app-activity x-cs-app-from-user x-cs-app-to-user x-cs-app-object-type x-cs-app-object-name x-cs-app-object-id x-rs-file-type x-rs-file-category x-rs-file-language x-rs-file-size x-rs-file-md5 x-rs-file-sha256 x-error x-c-local-time x-policy-action x-policy-name x-policy-src-ip x-policy-dst-ip x-policy-dst-host x-policy-dst-host-source x-policy-justification-type x-policy-justification-reason x-sc-notification-name";

/// ELFF roles with Netskope's meaning of `s-ip` (the server).
fn netskope_role(name: &[u8]) -> Option<Role> {
    match role_of(name) {
        Some(Role::ServerIp) => Some(Role::RemoteIp),
        other => other,
    }
}

fn schema<'n>(names: impl IntoIterator<Item = &'n [u8]>) -> Schema {
    Schema::new(names, netskope_role, FileInfo::default())
}

static DEFAULT: LazyLock<Schema> = LazyLock::new(|| schema(DEFAULT_FIELDS.split(' ').map(str::as_bytes)));

/// Space-separated or CSV, told apart by the byte after the date.
fn delim(line: &[u8]) -> Delim {
    if line.get(10) == Some(&b',') {
        Delim::Char(b',')
    } else {
        Delim::Space
    }
}

fn parse_with<'a>(schema: &Schema, line: &'a [u8], ctx: &TimeCtx) -> LineResult<'a> {
    if line.starts_with(b"#") {
        return Err(LineError::Ignored("header line"));
    }
    if line.starts_with(b"date,time,") || line.starts_with(b"\"date\",") {
        return Err(LineError::Ignored("csv header line"));
    }
    schema.parse(line, delim(line), ctx)
}

struct WithHeader(Schema);

impl LineParser for WithHeader {
    fn parse<'a>(&self, line: &'a [u8], ctx: &TimeCtx) -> LineResult<'a> {
        parse_with(&self.0, line, ctx)
    }
}

impl Format for Netskope {
    fn name(&self) -> &'static str {
        "netskope"
    }

    fn title(&self) -> &'static str {
        "Netskope web transaction log (space-separated or CSV, default or header-given columns)"
    }

    fn fields(&self) -> &'static [Field] {
        use Field::*;
        &[
            Time, SrcIp, DstHost, DstIp, DstPort, Proto, Action, BytesOut, BytesIn, User, UserAgent, Method, Status, Url, Service,
        ]
    }

    fn sniff(&self, line: &[u8]) -> bool {
        super::elff::ymd(line).is_some()
            && matches!(line.get(10), Some(b' ' | b','))
            && crate::formats::find(line, b"http_transaction").is_some()
    }

    fn parse<'a>(&self, line: &'a [u8], ctx: &TimeCtx) -> LineResult<'a> {
        parse_with(&DEFAULT, line, ctx)
    }

    fn bind_header(&self, head: &[u8]) -> Option<Result<Box<dyn LineParser>, String>> {
        for raw in head.split(|&b| b == b'\n') {
            let l = super::trim_line(raw);
            if let Some(f) = l.strip_prefix(b"#Fields:") {
                let s = schema(f.split(|&b| b == b' ' || b == b'\t').filter(|n| !n.is_empty()));
                return Some(Ok(Box::new(WithHeader(s))));
            }
            if l.starts_with(b"date,time,") || l.starts_with(b"\"date\",") {
                let names = super::elff::Columns::new(l, Delim::Char(b','));
                return Some(Ok(Box::new(WithHeader(schema(names)))));
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::Action;
    use crate::time::rfc3339;

    fn line(values: &[(&str, &str)], sep: &str) -> String {
        let names: Vec<&str> = DEFAULT_FIELDS.split(' ').collect();
        names
            .iter()
            .map(|n| values.iter().find(|(k, _)| k == n).map_or("-", |(_, v)| v))
            .collect::<Vec<_>>()
            .join(sep)
    }

    const VALUES: &[(&str, &str)] = &[
        ("date", "2026-05-26"),
        ("time", "13:41:00"),
        ("cs-bytes", "1977"),
        ("sc-bytes", "651"),
        ("c-ip", "198.51.100.20"),
        ("s-ip", "203.0.113.30"),
        ("cs-username", "svc.sync@example.com"),
        ("cs-method", "POST"),
        ("cs-uri-scheme", "https"),
        ("cs-user-agent", "\"aws-sdk-go/1.55.5 (go1.23.8; windows)\""),
        ("sc-status", "200"),
        ("cs-host", "ssm.example.com"),
        ("cs-uri", "/"),
        ("cs-uri-port", "443"),
        ("x-cs-app", "\"Example Systems Manager\""),
        ("x-cs-timestamp", "1779802860"),
        ("x-cs-userip", "10.9.8.7"),
        ("x-type", "http_transaction"),
        ("x-policy-action", "block"),
    ];

    #[test]
    fn default_columns_space_separated() {
        let l = line(VALUES, " ");
        assert!(Netskope.sniff(l.as_bytes()));
        let r = Netskope.parse(l.as_bytes(), &TimeCtx::default()).unwrap();
        assert_eq!(rfc3339(r.time_ms), "2026-05-26T13:41:00Z");
        assert_eq!(r.src_ip, "10.9.8.7".parse().ok(), "x-cs-userip, not c-ip");
        assert_eq!(r.dst_ip, "203.0.113.30".parse().ok(), "s-ip is the server");
        assert_eq!((r.dst_host.as_deref(), r.dst_port), (Some("ssm.example.com"), Some(443)));
        assert_eq!((r.bytes_out, r.bytes_in), (Some(1977), Some(651)));
        assert_eq!(r.service.as_deref(), Some("Example Systems Manager"));
        assert_eq!(r.action, Action::Denied);
    }

    #[test]
    fn default_columns_csv_with_quoted_commas() {
        let mut v = VALUES.to_vec();
        v.push(("x-category", "\"IT Service, Technology\""));
        let l = line(&v, ",");
        let r = Netskope.parse(l.as_bytes(), &TimeCtx::default()).unwrap();
        assert_eq!(r.user_agent.as_deref(), Some("aws-sdk-go/1.55.5 (go1.23.8; windows)"));
        assert_eq!(r.src_ip, "10.9.8.7".parse().ok());
    }

    #[test]
    fn header_given_columns() {
        let head = b"date,time,c-ip,s-ip,cs-host,cs-uri-port,cs-bytes,sc-bytes,x-policy-action\n2026-05-26,13:41:00,10.1.1.1,203.0.113.1,a.example.com,443,10,20,allow\n";
        let p = super::super::bind(&Netskope, head).unwrap();
        assert_eq!(
            p.parse(b"date,time,c-ip,s-ip,cs-host", &TimeCtx::default()),
            Err(LineError::Ignored("csv header line"))
        );
        let r = p
            .parse(
                b"2026-05-26,13:41:00,10.1.1.1,203.0.113.1,a.example.com,443,10,20,allow",
                &TimeCtx::default(),
            )
            .unwrap();
        assert_eq!((r.src_ip, r.dst_ip), ("10.1.1.1".parse().ok(), "203.0.113.1".parse().ok()));
        assert_eq!((r.bytes_out, r.action), (Some(10), Action::Allowed));
        let w = super::super::bind(&Netskope, b"#Fields: date time x-cs-userip cs-host\n").unwrap();
        assert!(w.parse(b"2026-05-26 13:41:00 10.2.2.2 b.example.com", &TimeCtx::default()).is_ok());
    }
}

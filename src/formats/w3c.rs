//! W3C Extended Log File Format files, driven by their `#Fields:` header:
//! Microsoft IIS 6 to 10 (and the IIS Advanced Logging module), Blue Coat /
//! Symantec ProxySG ELFF access logs (`#Software: SGOS`), the Windows
//! Firewall log (`pfirewall.log`, Windows XP SP2 to Windows 11 / Server
//! 2022), and other products writing the format (Oracle Web Cache,
//! Imperva Incapsula).
//!
//! References: W3C WD-logfile-960323 <https://www.w3.org/TR/WD-logfile.html>;
//! IIS: <https://learn.microsoft.com/en-us/windows/win32/http/w3c-logging>;
//! Windows Firewall: <https://learn.microsoft.com/en-us/windows/security/operating-system-security/network-security/windows-firewall/configure-logging>.
//!
//! The parser for a file is built from its header (see
//! [`Format::bind_header`]): each `#Fields:` line in the file's first bytes
//! becomes a schema that maps columns to roles once ([`super::elff`]).
//! `#` lines in the data are ignored.
//!
//! Mid-file headers: IIS writes a new header block whenever the service
//! restarts or its field selection changes. The parser is shared by all
//! chunks of a file and holds no per-chunk state, so it cannot follow a
//! `#Fields:` line as it passes. It knows every distinct `#Fields:` line in
//! the file's first 64 KiB and picks, per line, the one whose column count
//! matches the line's. Limits: a field list first declared after the first
//! 64 KiB is unknown (its lines are read with the last known one), two field
//! lists with the same column count are not told apart (the first wins), and
//! for files whose lines carry only `time` the date is the first `#Date:`.

use super::elff::{role_of, Delim, FileInfo, Role, Schema};
use super::{Field, Format, LineError, LineParser, LineResult};
use crate::time::TimeCtx;

pub struct W3c;

impl Format for W3c {
    fn name(&self) -> &'static str {
        "w3c"
    }

    fn title(&self) -> &'static str {
        "W3C extended log file with a #Fields: header (IIS, ProxySG ELFF, Windows Firewall pfirewall.log)"
    }

    fn fields(&self) -> &'static [Field] {
        // Any field, depending on the file's `#Fields:` header.
        &Field::ALL
    }

    fn sniff(&self, line: &[u8]) -> bool {
        // Only the header identifies the format; data lines are claimed by
        // no one else (or by a vendor format that also reads the header).
        [&b"#Fields:"[..], b"#Software:", b"#Version:", b"#Date:", b"#Start-Date:"]
            .iter()
            .any(|p| line.starts_with(p))
    }

    fn parse<'a>(&self, line: &'a [u8], _ctx: &TimeCtx) -> LineResult<'a> {
        if line.starts_with(b"#") {
            Err(LineError::Ignored("w3c header line"))
        } else {
            Err(LineError::Skipped("no #Fields: header before this line"))
        }
    }

    fn bind_header(&self, head: &[u8]) -> Option<Result<Box<dyn LineParser>, String>> {
        Some(W3cParser::from_head(head, role_of, FileInfo::default()).map(|p| Box::new(p) as Box<dyn LineParser>))
    }
}

/// A W3C file's parser: the schemas of its `#Fields:` lines.
pub(crate) struct W3cParser {
    schemas: Vec<Schema>,
}

impl W3cParser {
    /// Reads the header lines of `head`; `map` names the role of each field
    /// and `base` gives defaults (a vendor format may know it is a proxy).
    pub fn from_head(head: &[u8], map: fn(&[u8]) -> Option<Role>, base: FileInfo) -> Result<W3cParser, String> {
        let mut schemas: Vec<Schema> = Vec::new();
        let mut info = base;
        let mut fresh = false; // the last schema has seen no data line yet
        for raw in head.split(|&b| b == b'\n') {
            let line = super::trim_line(raw);
            let Some(directive) = line.strip_prefix(b"#") else {
                fresh &= line.is_empty();
                continue;
            };
            let (name, value) = match memchr::memchr(b':', directive) {
                Some(i) => (
                    directive.get(..i).unwrap_or_default().trim_ascii(),
                    directive.get(i + 1..).unwrap_or_default().trim_ascii(),
                ),
                None => continue,
            };
            match name.to_ascii_lowercase().as_slice() {
                b"fields" => {
                    let s = Schema::new(value.split(|&b| b == b' ' || b == b'\t').filter(|n| !n.is_empty()), map, info);
                    if !schemas.iter().any(|o| o.same_columns(&s)) {
                        schemas.push(s);
                        fresh = true;
                    }
                }
                b"date" | b"start-date" => {
                    info.date = super::elff::ymd(value);
                    if fresh {
                        if let Some(last) = schemas.last_mut() {
                            last.info.date = info.date;
                        }
                    }
                }
                b"time format" => {
                    info.local = value.eq_ignore_ascii_case(b"local");
                    if fresh {
                        if let Some(last) = schemas.last_mut() {
                            last.info.local = info.local;
                        }
                    }
                }
                b"software" => {
                    let sgos = crate::formats::find(value, b"SGOS").is_some();
                    info.proxy = base.proxy || sgos;
                }
                _ => {}
            }
        }
        if schemas.is_empty() {
            return Err("no #Fields: line in the file's first 64 KiB".into());
        }
        Ok(W3cParser { schemas })
    }

    fn schema_for(&self, line: &[u8]) -> Option<&Schema> {
        if let [only] = self.schemas.as_slice() {
            return Some(only);
        }
        let n = super::elff::Columns::new(line, Delim::Space).count();
        self.schemas.iter().find(|s| s.len() == n).or(self.schemas.last())
    }
}

impl LineParser for W3cParser {
    fn parse<'a>(&self, line: &'a [u8], ctx: &TimeCtx) -> LineResult<'a> {
        if line.starts_with(b"#") {
            return Err(LineError::Ignored("w3c header line"));
        }
        let schema = self.schema_for(line).ok_or(LineError::Skipped("no #Fields: header"))?;
        schema.parse(line, Delim::Space, ctx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::{Action, Proto};
    use crate::time::{rfc3339, Zone};

    fn parser(head: &str) -> Box<dyn LineParser> {
        super::super::bind(&W3c, head.as_bytes()).unwrap()
    }

    fn ctx() -> TimeCtx {
        TimeCtx {
            year: 2026,
            zone: Zone::Fixed(3600),
            ref_ms: None,
        }
    }

    const IIS: &str = "#Software: Microsoft Internet Information Services 10.0\n#Version: 1.0\n#Date: 2026-03-01 00:00:00\n#Fields: date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) cs(Referer) sc-status sc-substatus sc-win32-status time-taken\n";

    #[test]
    fn iis_times_are_utc_and_header_lines_are_ignored() {
        let p = parser(IIS);
        let r = p
            .parse(
                b"2026-03-01 10:00:01 192.0.2.10 POST /api/orders - 443 - 198.51.100.7 python-requests/2.31.0 - 201 0 0 15",
                &ctx(),
            )
            .unwrap();
        assert_eq!(rfc3339(r.time_ms), "2026-03-01T10:00:01Z");
        assert_eq!(r.src_ip, "198.51.100.7".parse().ok());
        assert_eq!((r.dst_ip, r.dst_port, r.status), ("192.0.2.10".parse().ok(), Some(443), Some(201)));
        assert_eq!(r.method.as_deref(), Some("POST"));
        assert_eq!(r.action, Action::Allowed);
        assert_eq!(p.parse(b"#Fields: date time", &ctx()), Err(LineError::Ignored("w3c header line")));
    }

    #[test]
    fn header_redefined_mid_file_is_chosen_by_column_count() {
        let head = format!(
            "{IIS}2026-03-01 10:00:01 192.0.2.10 GET / - 80 - 198.51.100.7 - - 200 0 0 1\n#Fields: date time c-ip cs-method cs-uri-stem sc-status cs-bytes sc-bytes cs-host\n"
        );
        let p = parser(&head);
        let old = p
            .parse(b"2026-03-01 10:00:02 192.0.2.10 GET / - 80 - 198.51.100.7 - - 200 0 0 1", &ctx())
            .unwrap();
        assert_eq!(old.src_ip, "198.51.100.7".parse().ok());
        let new = p
            .parse(b"2026-03-01 11:00:00 203.0.113.5 GET /x 200 300 4000 www.example.com", &ctx())
            .unwrap();
        assert_eq!(new.src_ip, "203.0.113.5".parse().ok());
        assert_eq!(new.dst_host.as_deref(), Some("www.example.com"));
        assert_eq!((new.bytes_out, new.bytes_in), (Some(300), Some(4000)));
    }

    #[test]
    fn windows_firewall_local_time_and_directions() {
        let p = parser("#Version: 1.5\n#Software: Microsoft Windows Firewall\n#Time Format: Local\n#Fields: date time action protocol src-ip dst-ip src-port dst-port size tcpflags tcpsyn tcpack tcpwin icmptype icmpcode info path\n");
        let out = p
            .parse(
                b"2026-03-01 12:00:00 ALLOW TCP 10.0.0.5 203.0.113.80 50000 443 0 - 0 0 0 - - - SEND",
                &ctx(),
            )
            .unwrap();
        assert_eq!(rfc3339(out.time_ms), "2026-03-01T11:00:00Z", "local time in --tz (+01:00)");
        assert_eq!((out.src_ip, out.dst_port), ("10.0.0.5".parse().ok(), Some(443)));
        assert_eq!((out.proto, out.action), (Proto::Tcp, Action::Allowed));
        // Inbound: the remote host is the sender and stays the source.
        let inb = p
            .parse(
                b"2026-03-01 12:00:00 DROP UDP 198.51.100.9 10.0.0.5 5353 5353 73 - - - - - - - RECEIVE",
                &ctx(),
            )
            .unwrap();
        assert_eq!((inb.src_ip, inb.action), ("198.51.100.9".parse().ok(), Action::Denied));
        // A dropped reply segment (ACK, no SYN): the initiator is dst-ip.
        let reply = p
            .parse(
                b"2026-03-01 12:00:00 DROP TCP 203.0.113.80 10.0.0.5 443 50001 40 A 1 2 3 - - - RECEIVE",
                &ctx(),
            )
            .unwrap();
        assert_eq!((reply.src_ip, reply.src_port), ("10.0.0.5".parse().ok(), Some(50001)));
        assert_eq!((reply.dst_ip, reply.dst_port), ("203.0.113.80".parse().ok(), Some(443)));
        assert_eq!(
            p.parse(b"2026-03-01 12:00:00 INFO-EVENTS-LOST - - - - - - - - - - - - 59 -", &ctx()),
            Err(LineError::Ignored("firewall status entry"))
        );
    }

    #[test]
    fn proxysg_elff_uses_remote_server_not_proxy_ip() {
        let p = parser("#Software: SGOS 6.7.5.3\n#Version: 1.0\n#Fields: date time time-taken c-ip cs-username cs-auth-group x-exception-id sc-filter-result cs-categories cs(Referer) sc-status s-action cs-method rs(Content-Type) cs-uri-scheme cs-host cs-uri-port cs-uri-path cs-uri-query cs-uri-extension cs(User-Agent) s-ip sc-bytes cs-bytes x-virus-id\n");
        let r = p
            .parse(
                br#"2026-03-01 09:00:00 12 10.1.2.3 svc_sync - - OBSERVED "Technology/Internet" - 200 TCP_NC_MISS GET application/json https api.example.com 443 /v2/items ?apikey=abc json "Go-http-client/1.1" 10.0.0.1 900 400 -"#,
                &ctx(),
            )
            .unwrap();
        assert_eq!(r.dst_host.as_deref(), Some("api.example.com"));
        assert_eq!((r.dst_ip, r.dst_port), (None, Some(443)));
        assert_eq!((r.bytes_out, r.bytes_in), (Some(400), Some(900)));
        assert_eq!(r.url.as_deref(), Some("?apikey=abc"));
        let denied = p
            .parse(
                br#"2026-03-01 09:00:01 1 10.1.2.3 - - policy_denied DENIED "Gambling" - 403 TCP_DENIED CONNECT - tcp bet.example.net 443 / - - "curl/8" 10.0.0.1 0 0 -"#,
                &ctx(),
            )
            .unwrap();
        assert_eq!(denied.action, Action::Denied);
    }

    #[test]
    fn time_only_lines_take_the_header_date() {
        let p = parser("#Software: Microsoft Internet Information Server 4.0\n#Version: 1.0\n#Date: 2026-01-09 16:44:49\n#Fields: time c-ip cs-method cs-uri-stem sc-status\n");
        let r = p.parse(b"16:48:35 192.0.2.7 [3]sent /file.c 226", &ctx()).unwrap();
        assert_eq!(rfc3339(r.time_ms), "2026-01-09T16:48:35Z");
    }

    #[test]
    fn quoted_values_and_short_lines() {
        let p = parser("#Fields: date-local time-local s-ip cs-method cs-uri-stem c-ip cs(User-Agent) cs(Host) sc-status sc-substatus\n");
        let r = p
            .parse(
                br#"2026-03-01 17:00:00.363 192.0.2.4 GET /p "198.51.100.1" "Mozilla/5.0 (X11; Linux)" "shop.example.com" 404 " ""x"" y ""#,
                &ctx(),
            )
            .unwrap();
        assert_eq!(rfc3339(r.time_ms), "2026-03-01T16:00:00Z");
        assert_eq!(r.user_agent.as_deref(), Some("Mozilla/5.0 (X11; Linux)"));
        assert_eq!(r.dst_host.as_deref(), Some("shop.example.com"));
        assert_eq!(p.parse(b"2026-03-01", &ctx()), Err(LineError::Skipped("no usable date/time")));
        assert_eq!(
            p.parse(b"2026-03-01 17:00:00 192.0.2.4 GET /p", &ctx()),
            Err(LineError::Skipped("no client address"))
        );
    }

    #[test]
    fn no_header_is_an_error_for_the_file() {
        assert!(super::super::bind(&W3c, b"2026-03-01 10:00:00 x y").is_err());
        assert!(W3c.sniff(b"#Fields: date time c-ip"));
        assert!(!W3c.sniff(b"2026-03-01 10:00:00 1.2.3.4"));
    }
}

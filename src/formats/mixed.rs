//! A syslog file that mixes devices: a central collector's file where a
//! FortiGate, a Linux host's netfilter and a Juniper SRX (say) all log.
//!
//! Each line goes to the first format in [`FORMATS`] whose `sniff`
//! recognises it (this format itself excluded), which parses it as it would
//! in a file of its own; a line no format recognises is skipped with the
//! reason "no format recognises this line". Header-driven formats (W3C,
//! Zeek) need their file's header and are not reached this way.
//!
//! Detection picks this format when no single format recognises every
//! recognisable line among a file's first lines and at least two formats
//! are each the first to recognise [`MIN_SHARE_PERCENT`] or more of them
//! ([`is_mixed`]; header lines and JSON/CSV-framed files never count as
//! mixed). `--format syslog-mixed` forces it.

use super::{Field, Format, Framing, LineError, LineResult, FORMATS};
use crate::record::Record;
use crate::time::TimeCtx;

/// Name under which this format is registered.
pub const NAME: &str = "syslog-mixed";

/// Share of the sniffed lines each of two formats must take for a file to
/// count as mixed.
pub const MIN_SHARE_PERCENT: usize = 20;

pub struct SyslogMixed;

impl Format for SyslogMixed {
    fn name(&self) -> &'static str {
        NAME
    }

    fn title(&self) -> &'static str {
        "A syslog file mixing devices: each line goes to the format that recognises it"
    }

    fn fields(&self) -> &'static [Field] {
        &Field::ALL
    }

    /// Never claims a line itself; detection chooses it (see [`is_mixed`]).
    fn sniff(&self, _line: &[u8]) -> bool {
        false
    }

    fn parse<'a>(&self, line: &'a [u8], ctx: &TimeCtx) -> LineResult<'a> {
        match dispatch(line) {
            Some(f) => f.parse(line, ctx),
            None => Err(LineError::Skipped("no format recognises this line")),
        }
    }

    fn parse_multi<'a>(&self, line: &'a [u8], ctx: &TimeCtx, out: &mut dyn FnMut(Record<'a>)) -> Result<usize, LineError> {
        match dispatch(line) {
            Some(f) => f.parse_multi(line, ctx, out),
            None => Err(LineError::Skipped("no format recognises this line")),
        }
    }
}

/// The first registered format (other than this one) that recognises `line`.
pub fn dispatch(line: &[u8]) -> Option<&'static dyn Format> {
    FORMATS.iter().copied().filter(|f| f.name() != NAME).find(|f| f.sniff(line))
}

/// True when `lines` (a file's first non-empty lines) come from several
/// devices: at least two formats are each the first to recognise
/// [`MIN_SHARE_PERCENT`] of the lines, and no single format recognises every
/// line some format does. Comment and header lines (`#...`, as W3C and
/// Zeek write) are left out, and a file holding records of a JSON or CSV
/// framed format is never mixed: those are read whole, not line by line.
pub fn is_mixed(lines: &[&[u8]]) -> bool {
    let mut first: Vec<(&'static str, usize)> = Vec::new();
    let mut recognised: Vec<&[u8]> = Vec::new();
    let mut considered = 0;
    for l in lines.iter().filter(|l| !l.starts_with(b"#")) {
        considered += 1;
        let Some(f) = dispatch(l) else { continue };
        if f.framing() != Framing::Lines {
            return false;
        }
        recognised.push(l);
        match first.iter_mut().find(|(n, _)| *n == f.name()) {
            Some((_, c)) => *c += 1,
            None => first.push((f.name(), 1)),
        }
    }
    let big = first.iter().filter(|(_, c)| c * 100 >= MIN_SHARE_PERCENT * considered).count();
    big >= 2
        && !FORMATS
            .iter()
            .filter(|f| f.name() != NAME)
            .any(|f| recognised.iter().all(|l| f.sniff(l)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::formats::detect;
    use crate::record::Action;

    const FORTI: &str = r#"<189>Oct  5 00:15:02 fw01 date=2026-10-05 time=00:15:02 devname="fw01" devid="FG100E0000000001" logid="0000000013" type="traffic" subtype="forward" level="notice" vd="root" srcip=192.0.2.10 srcport=51000 dstip=203.0.113.7 dstport=443 proto=6 action="close" sentbyte=1200 rcvdbyte=5400"#;
    const NETFILTER: &str = "<4>Oct  5 00:15:03 gw1 kernel: [UFW BLOCK] IN=eth0 OUT= MAC=00:00:5e:00:53:01 SRC=198.51.100.9 DST=192.0.2.20 LEN=60 PROTO=TCP SPT=40000 DPT=22";
    const SRX: &str = r#"<14>1 2026-10-05T00:15:04Z srx1 RT_FLOW - RT_FLOW_SESSION_CLOSE [junos@2636.1.1.1.2.129 reason="TCP FIN" source-address="192.0.2.30" source-port="52000" destination-address="203.0.113.8" destination-port="443" protocol-id="6" bytes-from-client="100" bytes-from-server="200"]"#;

    fn ctx() -> TimeCtx {
        TimeCtx::utc(2026)
    }

    #[test]
    fn a_file_mixing_three_devices_is_detected_as_mixed() {
        let head = format!("{FORTI}\n{NETFILTER}\n{SRX}\n{FORTI}\n{NETFILTER}\n");
        assert_eq!(detect(head.as_bytes()).map(|f| f.name()), Some(NAME));
        let f = SyslogMixed;
        let a = f.parse(FORTI.as_bytes(), &ctx()).unwrap();
        assert_eq!((a.bytes_out, a.dst_port), (Some(1200), Some(443)));
        let b = f.parse(NETFILTER.as_bytes(), &ctx()).unwrap();
        assert_eq!((b.action, b.dst_port), (Action::Denied, Some(22)));
        let c = f.parse(SRX.as_bytes(), &ctx()).unwrap();
        assert_eq!((c.bytes_in, c.src_port), (Some(200), Some(52000)));
        assert_eq!(
            f.parse(b"<13>Oct  5 00:15:05 host1 sshd[42]: Accepted publickey for jdoe", &ctx()),
            Err(LineError::Skipped("no format recognises this line"))
        );
    }

    #[test]
    fn header_lines_of_a_w3c_style_file_do_not_make_it_mixed() {
        let mut lines: Vec<&[u8]> = vec![b"#Software: X", b"#Fields: date time c-ip"];
        lines.extend([NETFILTER.as_bytes(); 3]);
        assert!(!is_mixed(&lines));
        lines.extend([SRX.as_bytes(); 2]);
        assert!(is_mixed(&lines));
    }

    #[test]
    fn a_single_device_file_with_a_stray_line_is_not_mixed() {
        let mut head = String::new();
        for _ in 0..9 {
            head.push_str(NETFILTER);
            head.push('\n');
        }
        head.push_str(SRX);
        assert_eq!(detect(head.as_bytes()).map(|f| f.name()), Some("iptables"));
        assert!(!SyslogMixed.sniff(NETFILTER.as_bytes()));
    }
}

//! Formatting generated events as log lines, fast: integers and dates are
//! written by hand into one reused buffer, so no line allocates.
//!
//! Formats follow the parsers' references: Squid native with referer and
//! user agent appended, Squid `combined`, and FortiGate traffic logs with a
//! syslog header (`eventtime` in nanoseconds, `date`/`time` local with `tz`).

use super::{Dest, Event, Sink, World};
use crate::time::{civil_from_seconds, Zone};

const MONTHS: [&[u8; 3]; 12] = [
    b"Jan", b"Feb", b"Mar", b"Apr", b"May", b"Jun", b"Jul", b"Aug", b"Sep", b"Oct", b"Nov", b"Dec",
];

#[inline]
fn push_u64(buf: &mut Vec<u8>, mut v: u64) {
    let mut tmp = [0u8; 20];
    let mut i = tmp.len();
    loop {
        i -= 1;
        tmp[i] = b'0' + (v % 10) as u8;
        v /= 10;
        if v == 0 {
            break;
        }
    }
    buf.extend_from_slice(&tmp[i..]);
}

#[inline]
fn push2(buf: &mut Vec<u8>, v: u32) {
    buf.push(b'0' + (v / 10 % 10) as u8);
    buf.push(b'0' + (v % 10) as u8);
}

#[inline]
fn push_ip(buf: &mut Vec<u8>, ip: u32) {
    for (i, o) in ip.to_be_bytes().iter().enumerate() {
        if i > 0 {
            buf.push(b'.');
        }
        push_u64(buf, u64::from(*o));
    }
}

/// `+hhmm` / `-hhmm`.
fn push_offset(buf: &mut Vec<u8>, off: i32) {
    buf.push(if off < 0 { b'-' } else { b'+' });
    let a = off.unsigned_abs();
    push2(buf, a / 3600);
    push2(buf, a % 3600 / 60);
}

/// Local calendar fields of one UTC second, cached per local day and offset.
pub struct Clock {
    zone: Zone,
    /// Offset cache: valid for UTC seconds in [from, to).
    off: (i64, i64, i32),
    day: i64,
    ymd: (i64, u32, u32, u32),
}

impl Clock {
    pub fn new(zone: Zone) -> Clock {
        Clock {
            zone,
            off: (0, 0, 0),
            day: i64::MIN,
            ymd: (1970, 1, 1, 3),
        }
    }

    /// (local seconds, offset) of a UTC second. Offsets are looked up once
    /// per quarter hour (zone transitions fall on quarter hours).
    #[inline]
    fn local(&mut self, utc: i64) -> (i64, i32) {
        if utc < self.off.0 || utc >= self.off.1 {
            let q = utc.div_euclid(900) * 900;
            self.off = (q, q + 900, self.zone.offset_at_utc(q));
        }
        (utc + i64::from(self.off.2), self.off.2)
    }

    #[inline]
    fn date(&mut self, local: i64) -> (i64, u32, u32, u32) {
        let day = local.div_euclid(86_400);
        if day != self.day {
            let (y, m, d, _, _, _, _) = civil_from_seconds(day * 86_400);
            self.day = day;
            self.ymd = (y, m, d, 0);
        }
        self.ymd
    }
}

fn push_hms(buf: &mut Vec<u8>, local: i64) {
    let s = local.rem_euclid(86_400) as u32;
    push2(buf, s / 3600);
    buf.push(b':');
    push2(buf, s % 3600 / 60);
    buf.push(b':');
    push2(buf, s % 60);
}

/// `YYYY-MM-DD` with `sep` between the parts.
fn push_date(buf: &mut Vec<u8>, (y, m, d): (i64, u32, u32), sep: u8) {
    push_u64(buf, y as u64);
    buf.push(sep);
    push2(buf, m);
    buf.push(sep);
    push2(buf, d);
}

/// `<PRI>Mmm dd hh:mm:ss HOST` (BSD syslog; the day is space-padded).
fn push_syslog_header(buf: &mut Vec<u8>, pri: &[u8], month: u32, day: u32, local: i64, host: &[u8]) {
    buf.extend_from_slice(pri);
    buf.extend_from_slice(MONTHS.get(month as usize - 1).map_or(&b"Jan"[..], |x| &x[..]));
    buf.push(b' ');
    if day < 10 {
        buf.push(b' ');
        push_u64(buf, u64::from(day));
    } else {
        push2(buf, day);
    }
    buf.push(b' ');
    push_hms(buf, local);
    buf.push(b' ');
    buf.extend_from_slice(host);
}

fn push_target(buf: &mut Vec<u8>, d: &Dest, page: u16) {
    match (&d.url, &d.host) {
        (Some(u), _) => {
            buf.extend_from_slice(u.as_bytes());
            if page > 0 {
                buf.extend_from_slice(if u.contains('?') { b"&page=" } else { b"?page=" });
                push_u64(buf, u64::from(page));
            }
        }
        (None, Some(h)) => {
            buf.extend_from_slice(h.as_bytes());
            buf.push(b':');
            push_u64(buf, u64::from(d.port));
        }
        (None, None) => {
            push_ip(buf, u32::from(d.ip));
            buf.push(b':');
            push_u64(buf, u64::from(d.port));
        }
    }
}

fn text(table: &[String], idx: u16) -> Option<&str> {
    idx.checked_sub(1).and_then(|i| table.get(usize::from(i))).map(String::as_str)
}

/// Appends one line (with `\n`) for `e` in `sink`'s format.
pub fn line(buf: &mut Vec<u8>, w: &World, clock: &mut Clock, sink: Sink, e: &Event) {
    let Some(d) = w.dests.get(e.dest as usize) else { return };
    let secs = e.t_ms.div_euclid(1000);
    let ms = e.t_ms.rem_euclid(1000) as u64;
    let agent = text(&w.agents, e.agent);
    let user = text(&w.users, e.user);
    let connect = d.url.is_none();
    match sink {
        Sink::Squid => {
            push_u64(buf, secs as u64);
            buf.push(b'.');
            push2(buf, (ms / 10) as u32);
            buf.push(b'0' + (ms % 10) as u8);
            let el = e.elapsed_ms as u64;
            let width = if el >= 100_000 {
                6
            } else if el >= 10_000 {
                5
            } else if el >= 1000 {
                4
            } else if el >= 100 {
                3
            } else if el >= 10 {
                2
            } else {
                1
            };
            buf.extend(std::iter::repeat_n(b' ', 7 - width));
            push_u64(buf, el);
            buf.push(b' ');
            push_ip(buf, e.src);
            buf.extend_from_slice(if connect { b" TCP_TUNNEL/" } else { b" TCP_MISS/" });
            push_u64(buf, u64::from(e.status));
            buf.push(b' ');
            push_u64(buf, u64::from(e.bytes_in));
            buf.extend_from_slice(if connect { b" CONNECT " } else { b" GET " });
            push_target(buf, d, e.page);
            buf.push(b' ');
            buf.extend_from_slice(user.unwrap_or("-").as_bytes());
            buf.extend_from_slice(b" HIER_DIRECT/");
            push_ip(buf, u32::from(d.ip));
            buf.extend_from_slice(if connect {
                b" - \"-\" \""
            } else {
                b" application/octet-stream \"-\" \""
            });
            buf.extend_from_slice(agent.unwrap_or("-").as_bytes());
            buf.extend_from_slice(b"\"\n");
        }
        Sink::Combined => {
            let (local, off) = clock.local(secs);
            let (y, m, dd, _) = clock.date(local);
            push_ip(buf, e.src);
            buf.extend_from_slice(b" - ");
            buf.extend_from_slice(user.unwrap_or("-").as_bytes());
            buf.extend_from_slice(b" [");
            push2(buf, dd);
            buf.push(b'/');
            buf.extend_from_slice(MONTHS.get(m as usize - 1).map_or(&b"Jan"[..], |x| &x[..]));
            buf.push(b'/');
            push_u64(buf, y as u64);
            buf.push(b':');
            push_hms(buf, local);
            buf.push(b' ');
            push_offset(buf, off);
            buf.extend_from_slice(if connect { b"] \"CONNECT " } else { b"] \"GET " });
            push_target(buf, d, e.page);
            buf.extend_from_slice(b" HTTP/1.1\" ");
            push_u64(buf, u64::from(e.status));
            buf.push(b' ');
            push_u64(buf, u64::from(e.bytes_in));
            buf.extend_from_slice(b" \"-\" \"");
            buf.extend_from_slice(agent.unwrap_or("-").as_bytes());
            buf.extend_from_slice(if connect {
                b"\" TCP_TUNNEL:HIER_DIRECT\n"
            } else {
                b"\" TCP_MISS:HIER_DIRECT\n"
            });
        }
        Sink::Forti => {
            let (local, off) = clock.local(secs);
            let (y, m, dd, _) = clock.date(local);
            push_syslog_header(buf, b"<189>", m, dd, local, b"fw01");
            buf.extend_from_slice(b" date=");
            push_date(buf, (y, m, dd), b'-');
            buf.extend_from_slice(b" time=");
            push_hms(buf, local);
            buf.extend_from_slice(b" devname=\"fw01\" devid=\"FGT60FTK20000001\" eventtime=");
            push_u64(buf, (e.t_ms as u64).wrapping_mul(1_000_000));
            buf.extend_from_slice(b" tz=\"");
            push_offset(buf, off);
            buf.extend_from_slice(b"\" logid=\"0000000013\" type=\"traffic\" subtype=\"forward\" level=\"notice\" vd=\"root\" srcip=");
            push_ip(buf, e.src);
            buf.extend_from_slice(b" srcport=");
            push_u64(buf, u64::from(e.sport));
            buf.extend_from_slice(b" srcintf=\"lan\" srcintfrole=\"lan\" dstip=");
            push_ip(buf, u32::from(d.ip));
            buf.extend_from_slice(b" dstport=");
            push_u64(buf, u64::from(d.port));
            buf.extend_from_slice(b" dstintf=\"wan1\" dstintfrole=\"wan\" sessionid=");
            push_u64(buf, (e.t_ms as u64 ^ u64::from(e.sport)) % 100_000_000);
            buf.extend_from_slice(if d.udp {
                b" proto=17 action=\"accept\""
            } else {
                b" proto=6 action=\"close\""
            });
            buf.extend_from_slice(b" policyid=3 policytype=\"policy\" service=\"");
            buf.extend_from_slice(d.service.as_bytes());
            buf.push(b'"');
            if let Some(h) = &d.host {
                buf.extend_from_slice(b" hostname=\"");
                buf.extend_from_slice(h.as_bytes());
                buf.push(b'"');
            }
            buf.extend_from_slice(b" duration=");
            push_u64(buf, u64::from(e.elapsed_ms / 1000 + 1));
            buf.extend_from_slice(b" sentbyte=");
            push_u64(buf, u64::from(e.bytes_out));
            buf.extend_from_slice(b" rcvdbyte=");
            push_u64(buf, u64::from(e.bytes_in));
            buf.extend_from_slice(b" sentpkt=");
            push_u64(buf, u64::from(e.bytes_out / 1400 + 2));
            buf.extend_from_slice(b" rcvdpkt=");
            push_u64(buf, u64::from(e.bytes_in / 1400 + 2));
            buf.push(b'\n');
        }
        Sink::PanOs => {
            // PAN-OS TRAFFIC `end` log, syslog CSV with a syslog envelope;
            // columns as in the PAN-OS syslog field reference (pre-NAT
            // addresses 7/8, user 12, app 14, ports 24/25, protocol 29,
            // action 30, bytes 31-33). Traffic logs carry no host name.
            let (local, _) = clock.local(secs);
            let (y, m, dd, _) = clock.date(local);
            let stamp = |buf: &mut Vec<u8>| {
                push_date(buf, (y, m, dd), b'/');
                buf.push(b' ');
                push_hms(buf, local);
            };
            push_syslog_header(buf, b"<14>", m, dd, local, b"fw-edge-01");
            buf.extend_from_slice(b" 1,");
            stamp(buf);
            buf.extend_from_slice(b",012801000123,TRAFFIC,end,2561,");
            stamp(buf);
            buf.push(b',');
            push_ip(buf, e.src);
            buf.push(b',');
            push_ip(buf, u32::from(d.ip));
            buf.extend_from_slice(b",0.0.0.0,0.0.0.0,outbound-web,");
            if let Some(u) = user {
                buf.extend_from_slice(b"example\\");
                buf.extend_from_slice(u.as_bytes());
            }
            buf.extend_from_slice(b",,");
            buf.extend_from_slice(match (d.udp, d.port) {
                (true, 53) => b"dns".as_slice(),
                (true, 123) => b"ntp",
                (true, _) => b"unknown-udp",
                (false, 443) => b"ssl",
                (false, 80) => b"web-browsing",
                (false, _) => b"unknown-tcp",
            });
            buf.extend_from_slice(b",vsys1,trust,untrust,ethernet1/2,ethernet1/1,log-fwd,");
            stamp(buf);
            buf.push(b',');
            push_u64(buf, (e.t_ms as u64 ^ u64::from(e.sport)) % 100_000_000);
            buf.extend_from_slice(b",1,");
            push_u64(buf, u64::from(e.sport));
            buf.push(b',');
            push_u64(buf, u64::from(d.port));
            buf.extend_from_slice(if d.udp {
                b",0,0,0x400019,udp,allow,"
            } else {
                b",0,0,0x400053,tcp,allow,"
            });
            push_u64(buf, u64::from(e.bytes_out) + u64::from(e.bytes_in));
            buf.push(b',');
            push_u64(buf, u64::from(e.bytes_out));
            buf.push(b',');
            push_u64(buf, u64::from(e.bytes_in));
            buf.push(b',');
            push_u64(buf, u64::from(e.bytes_out / 1400 + e.bytes_in / 1400 + 4));
            buf.push(b',');
            stamp(buf);
            buf.push(b',');
            push_u64(buf, u64::from(e.elapsed_ms / 1000));
            buf.extend_from_slice(b",computer-and-internet-info,0,7300000001,0x0,10.0.0.0-10.255.255.255,United States,0,");
            push_u64(buf, u64::from(e.bytes_out / 1400 + 2));
            buf.push(b',');
            push_u64(buf, u64::from(e.bytes_in / 1400 + 2));
            buf.extend_from_slice(
                b",tcp-fin,0,0,0,0,,fw-edge-01,from-policy,,,0,,0,,N/A,0,0,0,0,6c2be47e-4724-4212-9902-26ba054fe2a9,0,0\n",
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integers_and_addresses() {
        let mut b = Vec::new();
        push_u64(&mut b, 0);
        b.push(b' ');
        push_u64(&mut b, 18_446_744_073_709_551_615);
        b.push(b' ');
        push_ip(&mut b, u32::from(std::net::Ipv4Addr::new(10, 0, 200, 7)));
        b.push(b' ');
        push_offset(&mut b, -(5 * 3600 + 1800));
        assert_eq!(String::from_utf8(b).unwrap(), "0 18446744073709551615 10.0.200.7 -0530");
    }
}

//! Log formats: one module per vendor family behind the [`Format`] trait.
//!
//! To add a vendor: write one module with a unit struct implementing
//! [`Format`], add one line to [`FORMATS`], and add its sample lines under
//! `testdata/formats/<name>/`.
//!
//! Parsers work on the bytes of one line (without its terminator), allocate
//! nothing on the common path, and never panic: no `unwrap`, no indexing.

use crate::record::Record;
use crate::time::TimeCtx;

pub mod aws_elb;
pub mod aws_vpc;
pub mod azure_firewall;
pub mod azure_nsg;
pub mod barracuda;
pub mod bits;
pub mod cato;
pub mod cef;
pub mod checkpoint;
pub mod cisco_asa;
pub mod cisco_wsa;
pub mod clavister;
pub mod cloudflare;
pub mod combined;
pub mod common;
pub mod custom;
pub mod elff;
pub mod filterlog;
pub mod fortigate;
pub mod gcp_vpc;
pub mod huawei_usg;
pub mod iptables;
pub mod json_de;
pub mod jsonwalk;
pub mod juniper_srx;
pub mod kv;
pub mod leef;
pub mod memo;
pub mod menlo;
pub mod meraki;
pub mod mixed;
pub mod netscreen;
pub mod netskope;
pub mod olfeo;
pub mod panos;
pub mod pf;
pub mod proxifier;
pub mod proxysg;
pub mod qcsv;
pub mod siem;
pub mod skyhigh;
pub mod sonicwall;
pub mod sophos_utm;
pub mod sophos_xg;
pub mod squid;
pub mod stormshield;
pub mod suricata;
pub mod symantec_wss;
pub mod syslog;
pub mod timefmt;
pub mod umbrella;
pub mod url;
pub mod w3c;
pub mod watchguard;
pub mod websense;
pub mod zeek;
pub mod zeek_json;
pub mod zscaler;

/// Why a line did not become a [`Record`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum LineError {
    /// A line the format recognises that is not a traffic record: a header,
    /// a comment, a system event. The text is the reason, for the summary.
    Ignored(&'static str),
    /// A line that should have been a record but could not be parsed. The
    /// text is the reason, for the summary.
    Skipped(&'static str),
}

/// Result of parsing one line.
pub type LineResult<'a> = Result<Record<'a>, LineError>;

/// A record field a format can carry (for `seam formats` and the README matrix).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    Time,
    SrcIp,
    SrcPort,
    DstHost,
    DstIp,
    DstPort,
    Proto,
    Action,
    BytesOut,
    BytesIn,
    User,
    UserAgent,
    Method,
    Status,
    Url,
    Service,
}

impl Field {
    pub const ALL: [Field; 16] = [
        Field::Time,
        Field::SrcIp,
        Field::SrcPort,
        Field::DstHost,
        Field::DstIp,
        Field::DstPort,
        Field::Proto,
        Field::Action,
        Field::BytesOut,
        Field::BytesIn,
        Field::User,
        Field::UserAgent,
        Field::Method,
        Field::Status,
        Field::Url,
        Field::Service,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Field::Time => "time",
            Field::SrcIp => "src_ip",
            Field::SrcPort => "src_port",
            Field::DstHost => "dst_host",
            Field::DstIp => "dst_ip",
            Field::DstPort => "dst_port",
            Field::Proto => "proto",
            Field::Action => "action",
            Field::BytesOut => "bytes_out",
            Field::BytesIn => "bytes_in",
            Field::User => "user",
            Field::UserAgent => "user_agent",
            Field::Method => "method",
            Field::Status => "status",
            Field::Url => "url",
            Field::Service => "service",
        }
    }
}

/// How records are delimited in a file of a format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Framing {
    /// One record per line (the default).
    Lines,
    /// CSV whose quoted fields may hold newlines: a record ends at a newline
    /// outside double quotes.
    QuotedCsv,
    /// JSON: one value per line (NDJSON), or pretty-printed values, or a
    /// top-level array of objects. Each record handed to the parser is one
    /// complete object (elements of a top-level array are unwrapped; a
    /// pretty-printed object keeps its newlines).
    Json,
}

/// A parser bound to one file. Header-driven formats (W3C `#Fields:`, Zeek
/// `#fields`) build one from the file's first lines; others use the format
/// itself.
pub trait LineParser: Sync + Send {
    fn parse<'a>(&self, line: &'a [u8], ctx: &TimeCtx) -> LineResult<'a>;

    /// How records are delimited in this file (default: one per line).
    fn framing(&self) -> Framing {
        Framing::Lines
    }

    /// Parses a line that may hold several records (Azure NSG flow tuples,
    /// a JSON batch), handing each to `out`; returns how many. The default
    /// is one record per line.
    fn parse_multi<'a>(&self, line: &'a [u8], ctx: &TimeCtx, out: &mut dyn FnMut(crate::record::Record<'a>)) -> Result<usize, LineError> {
        self.parse(line, ctx).map(|r| {
            out(r);
            1
        })
    }

    /// The format itself when the parser is the format as it is (no
    /// per-file header), so that the scan loop can call it directly.
    fn stateless(&self) -> Option<&'static dyn Format> {
        None
    }
}

/// A log format family.
pub trait Format: Sync + Send {
    /// Short name used by `--format` (lower-case, `-` separated).
    fn name(&self) -> &'static str;
    /// One line for `seam formats`: vendor, product, variant.
    fn title(&self) -> &'static str;
    /// The record fields the format carries.
    fn fields(&self) -> &'static [Field];
    /// Cheap test: does this line look like this format? Used by detection
    /// on the first lines of a file.
    fn sniff(&self, line: &[u8]) -> bool;
    /// Parses one line.
    fn parse<'a>(&self, line: &'a [u8], ctx: &TimeCtx) -> LineResult<'a>;
    /// Parses a line that may hold several records; see [`LineParser::parse_multi`].
    fn parse_multi<'a>(&self, line: &'a [u8], ctx: &TimeCtx, out: &mut dyn FnMut(Record<'a>)) -> Result<usize, LineError> {
        self.parse(line, ctx).map(|r| {
            out(r);
            1
        })
    }
    /// How records are delimited (default: one per line).
    fn framing(&self) -> Framing {
        Framing::Lines
    }
    /// Header-driven formats build a parser for one file from its first
    /// bytes `head` (`Some(Err)` when the header is unusable); the others
    /// return `None` and are used as they are.
    fn bind_header(&self, head: &[u8]) -> Option<Result<Box<dyn LineParser>, String>> {
        let _ = head;
        None
    }
}

/// The parser for one file of format `f` whose first bytes are `head`.
pub fn bind(f: &'static dyn Format, head: &[u8]) -> Result<Box<dyn LineParser>, String> {
    match f.bind_header(head) {
        Some(r) => r,
        None => Ok(Box::new(Stateless(f))),
    }
}

struct Stateless(&'static dyn Format);

impl LineParser for Stateless {
    fn parse<'a>(&self, line: &'a [u8], ctx: &TimeCtx) -> LineResult<'a> {
        self.0.parse(line, ctx)
    }

    fn parse_multi<'a>(&self, line: &'a [u8], ctx: &TimeCtx, out: &mut dyn FnMut(Record<'a>)) -> Result<usize, LineError> {
        self.0.parse_multi(line, ctx, out)
    }

    fn framing(&self) -> Framing {
        self.0.framing()
    }

    fn stateless(&self) -> Option<&'static dyn Format> {
        Some(self.0)
    }
}

/// Every supported format, in detection priority order (more specific first).
pub static FORMATS: &[&dyn Format] = &[
    // CEF and LEEF first: their header names the vendor, whose native
    // format may also recognise the extension's keys.
    &cef::Cef,
    &leef::Leef,
    &checkpoint::CheckPoint,
    // Before Squid: WSA access logs are Squid-like lines with extra fields.
    &cisco_wsa::CiscoWsa,
    &squid::SquidNative,
    // Before FortiGate: its sniff (log_id=, type=, subtype=) also matches
    // Sophos Firewall's log_id=, log_type=, log_subtype=.
    &sophos_xg::SophosXg,
    &fortigate::FortiGate,
    &iptables::Iptables,
    &filterlog::Filterlog,
    &pf::Pf,
    &juniper_srx::JuniperSrx,
    &netscreen::NetScreen,
    &sophos_utm::SophosUtm,
    &sonicwall::SonicWall,
    &watchguard::WatchGuard,
    &barracuda::Barracuda,
    &stormshield::Stormshield,
    &clavister::Clavister,
    &huawei_usg::HuaweiUsg,
    &proxysg::ProxySg,
    &netskope::Netskope,
    &skyhigh::Skyhigh,
    &websense::Websense,
    &zscaler::Zscaler,
    &symantec_wss::SymantecWss,
    &menlo::Menlo,
    &cato::Cato,
    &cloudflare::Cloudflare,
    &proxifier::Proxifier,
    // Before combined: Olfeo lines share the NCSA prefix.
    &olfeo::Olfeo,
    &panos::PanOs,
    &panos::PanOsJson,
    &cisco_asa::CiscoAsa,
    &meraki::Meraki,
    &umbrella::Umbrella,
    &combined::Combined,
    &w3c::W3c,
    &aws_vpc::AwsVpcFlow,
    &aws_elb::AwsElb,
    &azure_nsg::AzureNsgFlow,
    &azure_firewall::AzureFirewall,
    &gcp_vpc::GcpVpcFlow,
    &zeek::Zeek,
    &zeek_json::ZeekJson,
    &suricata::SuricataEve,
    // Never sniffs a line itself; `detect` picks it for mixed files.
    &mixed::SyslogMixed,
];

/// Looks a format up by its `--format` name.
pub fn by_name(name: &str) -> Option<&'static dyn Format> {
    FORMATS.iter().copied().find(|f| f.name().eq_ignore_ascii_case(name))
}

/// How many leading non-empty lines detection looks at.
pub const SNIFF_LINES: usize = 64;

/// Picks the format that recognises the most of the first lines of `head`;
/// ties go to the earlier entry in [`FORMATS`]. A file whose lines come
/// from several devices gets the [`mixed::SyslogMixed`] format (see
/// [`mixed::is_mixed`]). `None` when no format recognises any line.
pub fn detect(head: &[u8]) -> Option<&'static dyn Format> {
    let lines: Vec<&[u8]> = head
        .split(|&b| b == b'\n')
        .map(trim_line)
        .filter(|l| !l.is_empty())
        .take(SNIFF_LINES)
        .collect();
    let mut best: Option<(&'static dyn Format, usize)> = None;
    for &f in FORMATS {
        let n = lines.iter().filter(|l| f.sniff(l)).count();
        if n > 0 && best.is_none_or(|(_, b)| n > b) {
            best = Some((f, n));
        }
    }
    match best {
        Some((_, n)) if n < lines.len() && mixed::is_mixed(&lines) => Some(&mixed::SyslogMixed),
        _ => best.map(|(f, _)| f),
    }
}

/// Strips a trailing `\r` (CRLF files) and surrounding ASCII spaces.
#[inline]
pub fn trim_line(l: &[u8]) -> &[u8] {
    let l = l.strip_suffix(b"\r").unwrap_or(l);
    l.trim_ascii()
}

/// Splits off the next space-separated token (runs of spaces count as one).
#[inline]
pub fn next_token(s: &[u8]) -> Option<(&[u8], &[u8])> {
    let s = s.trim_ascii_start();
    if s.is_empty() {
        return None;
    }
    match find_space(s) {
        Some(i) => Some((s.get(..i)?, s.get(i + 1..)?)),
        None => Some((s, s.get(s.len()..)?)),
    }
}

/// The first `N` tokens of a line, as `N` calls of [`next_token`] would
/// return them, and what follows the last one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tokens<'a, const N: usize> {
    /// Tokens found, in order; the slots past `n` are empty.
    pub tok: [&'a [u8]; N],
    /// How many tokens the line had, at most `N`.
    pub n: usize,
    /// The text after the space that ends token `N` (empty when the line
    /// had `N` tokens or fewer).
    pub rest: &'a [u8],
}

impl<'a, const N: usize> Tokens<'a, N> {
    /// Token `i`, if the line had that many.
    #[inline(always)]
    pub fn get(&self, i: usize) -> Option<&'a [u8]> {
        self.tok.get(i).copied().filter(|_| i < self.n)
    }
}

/// Splits the first `N` tokens off `s` in one pass. Equivalent to calling
/// [`next_token`] `N` times, but the spaces of 64 bytes are found at once
/// and every token costs a few instructions instead of a search of its own:
/// fixed-layout formats (Squid) use it for the fields before their free text.
#[inline]
pub fn tokens<const N: usize>(s: &[u8]) -> Tokens<'_, N> {
    match tokens_in_64(s) {
        Some(t) => t,
        None => tokens_scan(s),
    }
}

/// [`tokens`] when all `N` tokens start with a byte above space and end
/// with a space within the first 64 bytes (the usual Squid lead: time to
/// byte count in about 50): token starts and ends come from one mask of
/// the spaces, a few instructions a token, where the scan takes a few per
/// space. None otherwise, and then [`tokens_scan`] decides.
#[inline(always)]
fn tokens_in_64<const N: usize>(s: &[u8]) -> Option<Tokens<'_, N>> {
    let spaces = bits::eq64(s, 0, b' ');
    let valid = if s.len() >= 64 { u64::MAX } else { (1u64 << s.len()) - 1 };
    let text = !spaces & valid;
    // A token starts at a non-space after a space (or at 0) and ends at a
    // space after a non-space: starts and ends alternate.
    let mut starts = text & !(text << 1);
    let mut ends = spaces & (text << 1);
    let mut out = Tokens {
        tok: [&b""[..]; N],
        n: N,
        rest: &b""[..],
    };
    for slot in out.tok.iter_mut() {
        if ends == 0 {
            return None;
        }
        let (a, b) = (starts.trailing_zeros() as usize, ends.trailing_zeros() as usize);
        starts &= starts.wrapping_sub(1);
        ends &= ends - 1;
        let t = s.get(a..b)?;
        // Other whitespace first would be trimmed by the scan.
        if *t.first()? <= b' ' {
            return None;
        }
        *slot = t;
        out.rest = s.get(b + 1..)?;
    }
    (N > 0).then_some(out)
}

/// [`tokens`] by a scan of the spaces, 64 bytes at a time.
#[inline]
fn tokens_scan<const N: usize>(s: &[u8]) -> Tokens<'_, N> {
    let mut out = Tokens {
        tok: [&b""[..]; N],
        n: 0,
        rest: &b""[..],
    };
    if N == 0 {
        out.rest = s;
        return out;
    }
    let mut start = 0usize;
    let mut base = 0usize;
    let n = s.len();
    // The spaces of 64 bytes at a time form one mask (see `bits::eq64`), so
    // that the loop over them does not restart (and mispredict) at every
    // sixteen bytes.
    while base < n {
        let mut m = bits::eq64(s, base, b' ');
        while m != 0 {
            let end = base + m.trailing_zeros() as usize;
            if push(&mut out, s.get(start..end).unwrap_or_default()) {
                out.rest = s.get(end + 1..).unwrap_or_default();
                return out;
            }
            start = end + 1;
            m &= m - 1;
        }
        base += 64;
    }
    push(&mut out, s.get(start..).unwrap_or_default());
    out
}

/// Adds `t` to `out` as the next token unless it is empty (from a run of
/// spaces); true once `out` is full.
#[inline]
fn push<'a, const N: usize>(out: &mut Tokens<'a, N>, t: &'a [u8]) -> bool {
    let t = match t.first() {
        Some(c) if c.is_ascii_whitespace() => t.trim_ascii_start(),
        _ => t,
    };
    if t.is_empty() {
        return false;
    }
    if let Some(slot) = out.tok.get_mut(out.n) {
        *slot = t;
        out.n += 1;
    }
    out.n == N
}

/// First space in `s`. Most log tokens are short, where a plain loop beats
/// `memchr`'s setup; past 16 bytes (URLs, user agents) `memchr` takes over.
#[inline]
pub fn find_space(s: &[u8]) -> Option<usize> {
    find_byte(b' ', s)
}

/// First `b` in `s`. Log fields are short, where `memchr`'s setup costs
/// more than the search and a byte loop mispredicts on every field length:
/// up to 16 bytes are searched as two overlapping words, up to 64 sixteen
/// at a time (SSE2 on x86-64, with an overlapping last block instead of a
/// byte loop), then `memchr` takes over.
#[inline]
pub fn find_byte(b: u8, s: &[u8]) -> Option<usize> {
    let n = s.len();
    if n <= 8 {
        return bits::find_upto8(b, s);
    }
    if n < 16 {
        // Two overlapping words; the second is searched only past the first.
        return bits::find_upto8(b, s.get(..8)?).or_else(|| Some(n - 8 + bits::find_upto8(b, s.get(n - 8..)?)?));
    }
    let mut at = 0;
    while at + 16 <= n {
        let m = bits::eq16(&bits::block16(s.get(at..)?), b);
        if m != 0 {
            return Some(at + m.trailing_zeros() as usize);
        }
        at += 16;
        if at >= 64 {
            return memchr::memchr(b, s.get(at..)?).map(|j| at + j);
        }
    }
    if at == n {
        return None;
    }
    // The last sixteen bytes, of which the first `16 - (n - at)` were searched.
    let m = bits::eq16(&bits::block16(s.get(n - 16..)?), b) >> (16 - (n - at));
    (m != 0).then(|| at + m.trailing_zeros() as usize)
}

/// Parses an IP address (v4 or v6, optionally in brackets) from bytes.
#[inline(always)]
pub fn parse_ip(b: &[u8]) -> Option<std::net::IpAddr> {
    // Every address ends in a hex digit, `:` (`fe80::`) or `]`; host names
    // nearly always end in a letter past `f`, and are turned away here,
    // inline, before the call to the parser proper.
    let last = *b.last()?;
    if !(last.is_ascii_hexdigit() || last == b':' || last == b']') {
        return None;
    }
    parse_ip_text(b)
}

/// [`parse_ip`] past its first test.
#[inline(never)]
fn parse_ip_text(b: &[u8]) -> Option<std::net::IpAddr> {
    if let Some(v4) = parse_ipv4(b) {
        return Some(std::net::IpAddr::V4(v4));
    }
    let b = b.strip_prefix(b"[").and_then(|x| x.strip_suffix(b"]")).unwrap_or(b);
    if b.len() < 2 || b.len() > 45 || find_byte(b':', b).is_none() {
        return None;
    }
    std::str::from_utf8(b).ok()?.parse().ok()
}

/// Parses dotted-quad IPv4 (`10.0.0.1`) with the rules of the standard
/// library's parser (four decimal parts of at most 255, no leading zeros,
/// nothing else), without going through `str`.
#[inline]
pub fn parse_ipv4(b: &[u8]) -> Option<std::net::Ipv4Addr> {
    if b.len() < 7 || b.len() > 15 {
        return None;
    }
    let mut octets = [0u8; 4];
    let mut rest = b;
    for (k, octet) in octets.iter_mut().enumerate() {
        if k > 0 {
            rest = rest.strip_prefix(b".")?;
        }
        let (&first, mut r) = rest.split_first()?;
        let mut v = u32::from(first.wrapping_sub(b'0'));
        if v > 9 {
            return None;
        }
        let mut digits = 1;
        while let Some((&c, after)) = r.split_first() {
            let d = u32::from(c.wrapping_sub(b'0'));
            if d > 9 {
                break;
            }
            if digits == 3 || v == 0 {
                return None; // a fourth digit, or a leading zero
            }
            v = v * 10 + d;
            digits += 1;
            r = after;
        }
        *octet = u8::try_from(v).ok()?;
        rest = r;
    }
    rest.is_empty().then_some(std::net::Ipv4Addr::from(octets))
}

/// Position of `needle` in `hay`. For the short needles and haystacks of
/// log fields this is much cheaper than `memchr::memmem::find`, which builds
/// a searcher on every call: `memchr` finds candidates for the first byte.
#[inline]
pub fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    let Some((&first, rest)) = needle.split_first() else {
        return Some(0);
    };
    let mut from = 0;
    while let Some(i) = find_byte(first, hay.get(from..)?) {
        let at = from + i;
        if hay.get(at + 1..at + 1 + rest.len()) == Some(rest) {
            return Some(at);
        }
        from = at + 1;
    }
    None
}

/// A random text of up to `max_pieces` pieces drawn from `alphabet`, for
/// the tests that hold a fast splitter to a plain one.
#[cfg(test)]
pub(crate) fn random_text(rng: &mut crate::synth::rng::Rng, alphabet: &[&[u8]], max_pieces: u64) -> Vec<u8> {
    let n = rng.below(max_pieces + 1);
    (0..n).flat_map(|_| rng.pick(alphabet).iter().copied()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `tokens::<N>` against `N` calls of `next_token`.
    fn tokens_by_next_token<const N: usize>(s: &[u8]) -> Tokens<'_, N> {
        let mut out = Tokens {
            tok: [&b""[..]; N],
            n: 0,
            rest: &b""[..],
        };
        let mut rest = s;
        for slot in out.tok.iter_mut() {
            let Some((t, r)) = next_token(rest) else {
                return out;
            };
            *slot = t;
            out.n += 1;
            rest = r;
        }
        out.rest = rest;
        out
    }

    #[test]
    fn tokens_agree_with_next_token() {
        // Every string over a small alphabet of separators and text, with
        // lengths around the eight-byte word boundaries.
        let alphabet = [b' ', b'a', b'\t', b'"', 0xff, b' ', b'b', b' '];
        let mut checked = 0;
        for len in 0..40usize {
            for seed in 0..200u64 {
                let s: Vec<u8> = (0..len as u64)
                    .map(|i| alphabet[((seed.wrapping_mul(2654435761) >> (i % 29)) ^ i.wrapping_mul(seed + 3)) as usize % 8])
                    .collect();
                assert_eq!(tokens::<3>(&s), tokens_by_next_token::<3>(&s), "{s:?}");
                assert_eq!(tokens::<5>(&s), tokens_by_next_token::<5>(&s), "{s:?}");
                assert_eq!(tokens::<10>(&s), tokens_by_next_token::<10>(&s), "{s:?}");
                checked += 1;
            }
        }
        assert_eq!(checked, 8000);
        // Long tokens, so that the ten tokens span several 64-byte windows.
        let pieces: &[&[u8]] = &[b" ", b"  ", b"a", &[b'b'; 15], &[b'c'; 33], &[b'd'; 64], b"\t", b"\xff"];
        let mut rng = crate::synth::rng::Rng::new(3);
        for _ in 0..20_000 {
            let s = random_text(&mut rng, pieces, 30);
            assert_eq!(tokens::<3>(&s), tokens_by_next_token::<3>(&s), "{s:?}");
            assert_eq!(tokens::<5>(&s), tokens_by_next_token::<5>(&s), "{s:?}");
            assert_eq!(tokens::<10>(&s), tokens_by_next_token::<10>(&s), "{s:?}");
        }
        let line = b"1564655684.277   3387 192.168.0.1 TCP_TUNNEL/200 19131 CONNECT example.org:443 u HIER_DIRECT/x - \"-\" \"a b\"";
        let t = tokens::<10>(line);
        assert_eq!(
            (t.n, t.tok[1], t.tok[9], t.rest),
            (10, &b"3387"[..], &b"-"[..], &b"\"-\" \"a b\""[..])
        );
        let t = tokens::<10>(b"  one  two ");
        assert_eq!((t.n, t.tok[0], t.tok[1], t.rest), (2, &b"one"[..], &b"two"[..], &b""[..]));
    }

    #[test]
    fn find_byte_agrees_with_a_plain_search() {
        let alphabet = b"ab c\x80\xff \x00";
        let hay: Vec<u8> = (0..120u32).map(|i| alphabet[((i * 7 + i / 5) % 8) as usize]).collect();
        for len in 0..hay.len() {
            for start in [0, 1, 5, 9] {
                let s = hay.get(start.min(len)..len).unwrap_or_default();
                for b in [b' ', b'a', 0x80, 0xff, b'q', 0] {
                    assert_eq!(find_byte(b, s), s.iter().position(|&c| c == b), "{b} in {s:?}");
                }
            }
        }
    }

    #[test]
    fn ipv4_parser_follows_the_standard_library() {
        let cases = [
            "10.0.0.1",
            "255.255.255.255",
            "0.0.0.0",
            "256.1.1.1",
            "01.2.3.4",
            "1.2.3",
            "1.2.3.4.5",
            "1..2.3",
            "1.2.3.4 ",
            "a.b.c.d",
            "1.2.3.04",
            "1.2.3.0",
            "",
            "1.2.3.4.",
            ".1.2.3",
        ];
        for c in cases {
            assert_eq!(parse_ipv4(c.as_bytes()), c.parse().ok(), "{c}");
        }
        // Random texts built of address-like pieces, around every length.
        // Four parts joined by dots, then often one byte replaced, dropped
        // or added.
        let parts: &[&[u8]] = &[b"0", b"1", b"9", b"25", b"255", b"256", b"00", b"01", b"199", b"1000", b""];
        let noise = b".09x:/ \xff";
        let mut rng = crate::synth::rng::Rng::new(11);
        let mut valid = 0;
        for _ in 0..100_000 {
            let mut t = random_text(&mut rng, parts, 1);
            for _ in 0..3 {
                t.push(b'.');
                let part = rng.pick(parts);
                t.extend_from_slice(part);
            }
            let at = rng.below(t.len() as u64 + 1) as usize;
            let c = *rng.pick(noise);
            match rng.below(4) {
                0 if at < t.len() => t[at] = c,
                1 if at < t.len() => {
                    t.remove(at);
                }
                2 => t.insert(at, c),
                _ => {}
            }
            let want = std::str::from_utf8(&t).ok().and_then(|s| s.parse::<std::net::Ipv4Addr>().ok());
            valid += usize::from(want.is_some());
            assert_eq!(parse_ipv4(&t), want, "{:?}", String::from_utf8_lossy(&t));
        }
        assert!(valid > 1000, "the test must draw valid addresses too ({valid})");
    }

    #[test]
    fn ip_parser_follows_the_standard_library() {
        let cases = [
            "10.0.0.1",
            "2001:db8::1",
            "fe80::",
            "::",
            "::ffff:10.0.0.1",
            "2001:DB8::A",
            "2001:db8::g",
            "example.com",
            "cafe.be",
            "dead:beef",
            "1.2.3.4x",
            "",
            ":",
        ];
        for c in cases {
            assert_eq!(parse_ip(c.as_bytes()), c.parse().ok(), "{c}");
            let bracketed = format!("[{c}]");
            let want = c.parse::<std::net::Ipv6Addr>().ok().map(std::net::IpAddr::V6);
            assert_eq!(parse_ip(bracketed.as_bytes()), want, "{bracketed}");
        }
    }
}

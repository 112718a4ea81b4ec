//! Folding records into per-channel state, and merging that state.
//!
//! A channel is (internal source IP, external destination, destination
//! port); the destination is the host name when the log names one, else the
//! IP. Each chunk folds its records into its own [`Aggregate`]; aggregates
//! merge associatively and commutatively (up to the order of
//! [`Aggregate::dests`], which [`Aggregate::canonical`] fixes), so the same
//! code serves threads, files, saved state and other machines.
//!
//! Memory grows with the number of channels, not with the input: every
//! per-channel collection is bounded (see [`TIME_CAP`], [`SET_CAP`]) in a way
//! that does not depend on the order records arrive in.

use crate::config::Networks;
use crate::record::{Proto, Record, Scheme};
use ahash::AHashMap;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use std::net::IpAddr;

mod accumulator;
pub use accumulator::{Accumulator, BATCH};

/// Most distinct time buckets kept per channel.
pub const TIME_CAP: usize = 50_000;
/// Coarsest bucket resolution (seconds). Coarser buckets would merge the
/// runs of a job that runs every minute or so, so past it the oldest
/// buckets are dropped instead.
pub const RES_MAX: u32 = 4;
/// Most distinct values kept per channel for users, user agents, services,
/// methods and destination IPs (the lexicographically smallest are kept).
pub const SET_CAP: usize = 32;

/// A destination: a host name (lower-case) or an IP address.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Dest {
    Host(String),
    Ip(IpAddr),
}

impl std::fmt::Display for Dest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Dest::Host(h) => f.write_str(h),
            Dest::Ip(ip) => write!(f, "{ip}"),
        }
    }
}

/// Key of a channel; `dest` indexes [`Aggregate::dests`]; `port` 0 means unknown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct ChannelKey {
    pub src: IpAddr,
    pub dest: u32,
    pub port: u16,
}

/// One hasher call per IPv4 key (the derived hash makes four), since the
/// channel tables hash a key per record.
impl std::hash::Hash for ChannelKey {
    #[inline]
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        let tail = u128::from(self.dest) << 16 | u128::from(self.port);
        match self.src {
            IpAddr::V4(a) => state.write_u128(u128::from(u32::from(a)) << 64 | tail),
            IpAddr::V6(a) => {
                state.write_u128(u128::from(a));
                state.write_u128(1 << 127 | tail);
            }
        }
    }
}

/// A set that keeps its [`SET_CAP`] smallest members and remembers whether
/// it dropped any. The kept set is the same whatever order values arrive in.
/// Stored as a sorted vector: most channels have one to three values, and a
/// tree node per set would cost more than the values.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CappedSet {
    values: Vec<Box<str>>,
    pub truncated: bool,
}

impl CappedSet {
    #[inline]
    pub fn insert(&mut self, v: &str) {
        // Fast path: a channel usually repeats the value it already has.
        if let [only] = self.values.as_slice() {
            if **only == *v {
                return;
            }
        }
        self.insert_slow(v)
    }

    fn insert_slow(&mut self, v: &str) {
        match self.values.binary_search_by(|x| (**x).cmp(v)) {
            Ok(_) => {}
            Err(i) => {
                if self.values.len() >= SET_CAP {
                    self.truncated = true;
                    if i >= SET_CAP {
                        return;
                    }
                    self.values.pop();
                }
                self.values.insert(i, v.into());
            }
        }
    }

    pub fn merge(&mut self, other: CappedSet) {
        self.merge_from(&other);
    }

    /// [`CappedSet::merge`] of a set that stays where it is (a value is
    /// copied only when it is kept).
    pub fn merge_from(&mut self, other: &CappedSet) {
        self.truncated |= other.truncated;
        for v in &other.values {
            self.insert(v);
        }
    }

    /// The values, sorted.
    pub fn iter(&self) -> impl Iterator<Item = &str> {
        self.values.iter().map(|v| &**v)
    }

    pub fn len(&self) -> usize {
        self.values.len()
    }

    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    pub fn contains(&self, v: &str) -> bool {
        self.values.binary_search_by(|x| (**x).cmp(v)).is_ok()
    }

    /// The values as owned strings, sorted.
    pub fn to_vec(&self) -> Vec<String> {
        self.iter().map(str::to_string).collect()
    }
}

/// Event times of a channel as distinct buckets of `res_s` seconds (a power
/// of two). When more than [`TIME_CAP`] distinct buckets exist the
/// resolution doubles, up to [`RES_MAX`]; past that the latest
/// [`TIME_CAP`] buckets are kept and `truncated` says so. The result is
/// the same whatever the order of arrival: the finest resolution that fits
/// the cap (at most [`RES_MAX`]), then the latest buckets.
///
/// Stored compactly: the sorted buckets as the first one plus LEB128
/// varint gaps (a gap under two minutes takes one byte, so a bucket costs
/// one or two bytes instead of eight), and a short list of recent
/// arrivals. Arrivals later than the last stored bucket (the usual case in
/// a time-ordered log) are appended; earlier ones wait in `late` and are
/// merged in when that list grows past an eighth of the stored ones.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Times {
    pub res_s: u32,
    packed: Vec<u8>,
    count: usize,
    first: i64,
    last: i64,
    /// Buckets pushed since the last pack, in arrival order.
    tail: Vec<i64>,
    /// Buckets that arrived at or before `last`.
    late: Vec<i64>,
    /// True when older buckets were dropped to stay within the cap.
    #[serde(default)]
    pub truncated: bool,
}

/// Arrivals buffered before they are packed.
const TAIL: usize = 32;

impl Default for Times {
    fn default() -> Self {
        Times {
            res_s: 1,
            packed: Vec::new(),
            count: 0,
            first: 0,
            last: 0,
            tail: Vec::new(),
            late: Vec::new(),
            truncated: false,
        }
    }
}

/// Appends `v` as a LEB128 varint; most gaps take one byte.
#[inline(always)]
fn put_varint(out: &mut Vec<u8>, v: u64) {
    if v < 0x80 {
        out.push(v as u8);
    } else {
        put_varint_long(out, v);
    }
}

fn put_varint_long(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push((v as u8 & 0x7f) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

/// Iterator over packed buckets.
struct Unpack<'a> {
    bytes: &'a [u8],
    next: Option<i64>,
    left: usize,
}

impl Iterator for Unpack<'_> {
    type Item = i64;

    fn next(&mut self) -> Option<i64> {
        let cur = self.next?;
        self.left = self.left.saturating_sub(1);
        self.next = if self.left == 0 {
            None
        } else {
            if let [b, ref rest @ ..] = *self.bytes {
                if b < 0x80 {
                    self.bytes = rest;
                    self.next = Some(cur.wrapping_add(i64::from(b)));
                    return Some(cur);
                }
            }
            let mut gap = 0u64;
            let mut shift = 0;
            loop {
                let (&b, rest) = self.bytes.split_first()?;
                self.bytes = rest;
                gap |= u64::from(b & 0x7f).checked_shl(shift).unwrap_or(0);
                shift += 7;
                if b & 0x80 == 0 {
                    break;
                }
            }
            Some(cur.wrapping_add(gap as i64))
        };
        Some(cur)
    }
}

/// The bucket of `res_s` seconds that holds `ms`. Resolutions are powers
/// of two, where flooring division is a shift (a division costs tens of
/// cycles per record); any other value, as from a hand-edited state file,
/// divides.
#[inline(always)]
fn bucket_of(ms: i64, res_s: u32) -> i64 {
    let s = ms.div_euclid(1000);
    if res_s.is_power_of_two() {
        s >> res_s.trailing_zeros()
    } else {
        s.div_euclid(i64::from(res_s.max(1)))
    }
}

/// The distinct values of two sorted lists, sorted.
fn merge_sorted(a: &[i64], b: &[i64]) -> Vec<i64> {
    let mut out = Vec::with_capacity(a.len() + b.len());
    let (mut i, mut j) = (0, 0);
    loop {
        let next = match (a.get(i), b.get(j)) {
            (Some(&x), Some(&y)) if x <= y => {
                i += 1;
                x
            }
            (_, Some(&y)) => {
                j += 1;
                y
            }
            (Some(&x), None) => {
                i += 1;
                x
            }
            (None, None) => break,
        };
        if out.last() != Some(&next) {
            out.push(next);
        }
    }
    out
}

impl Times {
    #[inline]
    pub fn push(&mut self, ms: i64) {
        let b = bucket_of(ms, self.res_s);
        if self.tail.last() != Some(&b) {
            self.tail.push(b);
            if self.tail.len() >= TAIL {
                self.pack();
            }
        }
    }

    /// Pushes times (ms). Buckets past the last stored one (all of them,
    /// in a time-ordered log) are appended straight to storage, without
    /// the recent-arrivals list; earlier ones wait in `late`, as
    /// [`Times::pack`] would put them.
    pub fn push_all(&mut self, ms: &[i64]) {
        if !self.tail.is_empty() {
            ms.iter().for_each(|&t| self.push(t));
            return;
        }
        let res = self.res_s;
        let mut ms = ms.iter();
        if self.count == 0 {
            let Some(&t) = ms.next() else { return };
            self.append(bucket_of(t, res));
        }
        // The state in locals: the loop stores one byte per bucket, which
        // the compiler cannot tell apart from the fields.
        let (mut last, mut count) = (self.last, self.count);
        let mut late = false;
        for &t in ms {
            let b = bucket_of(t, res);
            if b > last {
                put_varint(&mut self.packed, b.wrapping_sub(last) as u64);
                last = b;
                count += 1;
            } else if b < last {
                self.late.push(b);
                late = true;
            }
        }
        (self.last, self.count) = (last, count);
        if late {
            self.store_late_when_many();
        }
        if self.count > 2 * TIME_CAP {
            self.normalize();
        }
    }

    /// Distinct buckets stored (after [`Times::normalize`]: all of them).
    pub fn len(&self) -> usize {
        self.count
    }

    pub fn is_empty(&self) -> bool {
        self.count == 0 && self.tail.is_empty() && self.late.is_empty()
    }

    fn unpack(&self) -> Unpack<'_> {
        Unpack {
            bytes: &self.packed,
            next: (self.count > 0).then_some(self.first),
            left: self.count,
        }
    }

    /// Replaces the stored buckets with `v` (sorted, distinct).
    fn store(&mut self, v: &[i64]) {
        self.packed.clear();
        self.count = 0;
        for &b in v {
            self.append(b);
        }
        self.packed.shrink_to_fit();
    }

    #[inline]
    fn append(&mut self, b: i64) {
        if self.count == 0 {
            self.first = b;
        } else {
            put_varint(&mut self.packed, b.wrapping_sub(self.last) as u64);
        }
        self.last = b;
        self.count += 1;
    }

    /// Every bucket, sorted and distinct (stored, late and recent).
    fn all(&self) -> Vec<i64> {
        let mut v: Vec<i64> = self.unpack().collect();
        if !self.late.is_empty() || !self.tail.is_empty() {
            v.extend_from_slice(&self.late);
            v.extend_from_slice(&self.tail);
            v.sort_unstable();
            v.dedup();
        }
        v
    }

    /// Moves the recent arrivals into storage.
    fn pack(&mut self) {
        let mut tail = std::mem::take(&mut self.tail);
        tail.sort_unstable();
        tail.dedup();
        for &b in &tail {
            if self.count == 0 || b > self.last {
                self.append(b);
            } else if b < self.last {
                self.late.push(b);
            }
        }
        tail.clear();
        self.tail = tail;
        self.store_late_when_many();
        if self.count > 2 * TIME_CAP {
            self.normalize();
        }
    }

    /// Merges the late arrivals into storage once they are more than an
    /// eighth of the stored buckets (and more than [`TAIL`]).
    fn store_late_when_many(&mut self) {
        if self.late.len() > TAIL.max(self.count / 8) {
            let v = self.all();
            self.late.clear();
            self.store(&v);
        }
    }

    /// Stores every bucket, coarsens up to [`RES_MAX`] while more than
    /// [`TIME_CAP`] remain, then keeps the latest [`TIME_CAP`].
    pub fn normalize(&mut self) {
        if self.tail.is_empty() && self.late.is_empty() && self.count <= TIME_CAP {
            // Already stored, sorted and distinct, within the cap (as after
            // a merge, or a time-ordered log's pushes): storing the buckets
            // again would give the same bytes.
            self.packed.shrink_to_fit();
            self.tail.shrink_to_fit();
            self.late.shrink_to_fit();
            return;
        }
        self.restore();
    }

    /// [`Times::normalize`] by decoding and storing every bucket.
    fn restore(&mut self) {
        let mut v = self.all();
        self.tail.clear();
        self.late.clear();
        self.tail.shrink_to_fit();
        self.late.shrink_to_fit();
        while v.len() > TIME_CAP && self.res_s < RES_MAX {
            self.res_s = self.res_s.saturating_mul(2);
            for b in &mut v {
                *b = b.div_euclid(2);
            }
            v.dedup();
        }
        if v.len() > TIME_CAP {
            let excess = v.len() - TIME_CAP;
            v.drain(..excess);
            self.truncated = true;
        }
        self.store(&v);
    }

    /// Merges `other` in (coarsening the finer of the two to the other's
    /// resolution first).
    pub fn merge(&mut self, other: Times) {
        let stored = |t: &Times| t.tail.is_empty() && t.late.is_empty();
        if self.res_s == other.res_s && stored(self) && stored(&other) {
            self.merge_stored(other);
        } else {
            self.merge_lists(other);
        }
        if self.count > 2 * TIME_CAP {
            self.normalize();
        }
    }

    /// [`Times::merge`] of two stored lists at one resolution (as two
    /// threads' accumulators give): the packed gaps are merged as they are
    /// decoded, without lists in between, and lists that do not overlap
    /// are joined byte for byte.
    fn merge_stored(&mut self, other: Times) {
        self.truncated |= other.truncated;
        if other.count == 0 {
            return;
        }
        if self.count == 0 {
            let truncated = self.truncated;
            *self = other;
            self.truncated = truncated;
            return;
        }
        // Lists of separate stretches of time (threads that read separate
        // parts of a time-ordered log) meet at most in one bucket, and are
        // joined end to end: in place when `other` comes later (as a scan
        // merges, in file order).
        if self.last <= other.first {
            self.join(&other);
            return;
        }
        if other.last <= self.first {
            let mut joined = other;
            joined.join(self);
            joined.truncated = self.truncated;
            *self = joined;
            return;
        }
        let mut packed = Vec::with_capacity(self.packed.len() + other.packed.len() + 10);
        // Each merged gap is at most the gap before the same bucket in its
        // own list, so its varint is no longer: the capacity suffices.
        let (mut a, mut b) = (self.unpack(), other.unpack());
        let (mut x, mut y) = (a.next(), b.next());
        let mut prev = match (x, y) {
            (Some(p), Some(q)) => p.min(q),
            _ => return,
        };
        let (first, mut count) = (prev, 0usize);
        loop {
            let v = match (x, y) {
                (Some(p), Some(q)) if p <= q => {
                    x = a.next();
                    if p == q {
                        y = b.next();
                    }
                    p
                }
                (_, Some(q)) => {
                    y = b.next();
                    q
                }
                (Some(p), None) => {
                    x = a.next();
                    p
                }
                (None, None) => break,
            };
            if count > 0 {
                put_varint(&mut packed, v.wrapping_sub(prev) as u64);
            }
            prev = v;
            count += 1;
        }
        (self.first, self.last, self.count) = (first, prev, count);
        self.packed = packed;
    }

    /// Appends stored `later`, whose first bucket is at or after this
    /// list's last (a bucket both hold is kept once).
    fn join(&mut self, later: &Times) {
        self.packed.reserve(later.packed.len() + 10);
        let mut count = self.count + later.count;
        if self.last < later.first {
            put_varint(&mut self.packed, later.first.wrapping_sub(self.last) as u64);
        } else {
            count -= 1;
        }
        self.packed.extend_from_slice(&later.packed);
        (self.last, self.count) = (later.last, count);
    }

    /// [`Times::merge`] through decoded lists, coarsening the finer one.
    fn merge_lists(&mut self, other: Times) {
        let mut a = self.all();
        let mut b = other.all();
        let (mut ra, mut rb) = (self.res_s, other.res_s);
        while ra < rb {
            ra = ra.saturating_mul(2);
            a.iter_mut().for_each(|x| *x = x.div_euclid(2));
        }
        while rb < ra {
            rb = rb.saturating_mul(2);
            b.iter_mut().for_each(|x| *x = x.div_euclid(2));
        }
        // Both lists are sorted (coarsening keeps them so): one linear
        // merge instead of sorting their concatenation. Merging the
        // threads' results is a serial step of every scan.
        let merged = merge_sorted(&a, &b);
        self.res_s = ra;
        self.truncated |= other.truncated;
        self.tail.clear();
        self.late.clear();
        self.store(&merged);
    }

    /// Bucket start times in seconds, sorted (call [`Times::normalize`] first).
    pub fn seconds(&self) -> impl Iterator<Item = i64> + '_ {
        let res = i64::from(self.res_s);
        self.unpack().map(move |b| b.wrapping_mul(res))
    }

    /// [`Times::seconds`] appended to `out`, the same values in one loop
    /// over the stored bytes (fingerprinting reads every channel's times,
    /// and the iterator's per-item steps cost more than the decoding).
    pub fn seconds_into(&self, out: &mut Vec<i64>) {
        let res = i64::from(self.res_s);
        let base = out.len();
        // Written in place; cut back if the bytes end early.
        out.resize(base + self.count, 0);
        let mut written = 0;
        let (mut bytes, mut cur) = (&self.packed[..], self.first);
        for (i, slot) in out.iter_mut().skip(base).enumerate() {
            *slot = cur.wrapping_mul(res);
            if i + 1 == self.count {
                written = self.count;
                break;
            }
            // Gaps under two minutes take one byte, most others two.
            let gap = match *bytes {
                [b, ref rest @ ..] if b < 0x80 => {
                    bytes = rest;
                    u64::from(b)
                }
                [b0, b1, ref rest @ ..] if b1 < 0x80 => {
                    bytes = rest;
                    u64::from(b0 & 0x7f) | u64::from(b1) << 7
                }
                _ => {
                    let mut gap = 0u64;
                    let mut shift = 0;
                    loop {
                        // Like Unpack, stop before this time when the bytes run out.
                        let Some((&b, rest)) = bytes.split_first() else {
                            out.truncate(base + i);
                            return;
                        };
                        bytes = rest;
                        gap |= u64::from(b & 0x7f).checked_shl(shift).unwrap_or(0);
                        shift += 7;
                        if b & 0x80 == 0 {
                            break gap;
                        }
                    }
                }
            };
            cur = cur.wrapping_add(gap as i64);
        }
        out.truncate(base + written);
    }

    /// Heap bytes this holds (for the memory figures in tests).
    pub fn heap_bytes(&self) -> usize {
        self.packed.capacity() + 8 * (self.tail.capacity() + self.late.capacity())
    }
}

/// Count, sum, sum of squares, min and max of a size, exact and mergeable.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Moments {
    pub n: u64,
    pub sum: u128,
    pub sumsq: u128,
    pub min: u64,
    pub max: u64,
}

impl Moments {
    #[inline]
    pub fn add(&mut self, v: u64) {
        self.min = if self.n == 0 { v } else { self.min.min(v) };
        self.max = self.max.max(v);
        self.n += 1;
        self.sum += u128::from(v);
        self.sumsq += u128::from(v) * u128::from(v);
    }

    pub fn merge(&mut self, o: &Moments) {
        if o.n == 0 {
            return;
        }
        self.min = if self.n == 0 { o.min } else { self.min.min(o.min) };
        self.max = self.max.max(o.max);
        self.n += o.n;
        self.sum += o.sum;
        self.sumsq += o.sumsq;
    }

    pub fn mean(&self) -> f64 {
        if self.n == 0 {
            0.0
        } else {
            self.sum as f64 / self.n as f64
        }
    }

    /// Coefficient of variation (standard deviation / mean); 0 when constant.
    pub fn cv(&self) -> f64 {
        if self.n < 2 || self.sum == 0 {
            return 0.0;
        }
        let n = self.n as f64;
        let mean = self.sum as f64 / n;
        let var = (self.sumsq as f64 / n - mean * mean).max(0.0);
        var.sqrt() / mean
    }
}

/// Everything seam keeps about one channel.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ChannelStats {
    pub connections: u64,
    pub allowed: u64,
    pub denied: u64,
    pub bytes_out: u64,
    pub bytes_in: u64,
    pub first_ms: i64,
    pub last_ms: i64,
    pub times: Times,
    /// Per-record request sizes (bytes out), where the log has them.
    pub req_sizes: Moments,
    pub users: CappedSet,
    pub agents: CappedSet,
    /// Records without a user agent (on formats that log one).
    pub no_agent: u64,
    pub services: CappedSet,
    pub methods: CappedSet,
    /// Destination IPs seen for this channel (the [`SET_CAP`] smallest).
    pub dst_ips: BTreeSet<IpAddr>,
    /// Bit per [`Scheme`] seen (`1 << scheme as u8`).
    pub schemes: u8,
    /// Bit per [`Proto`] seen.
    pub protos: u8,
    /// Records whose URL carried a query string.
    pub with_query: u64,
    /// Names of URL parameters that carried a credential (never the values).
    pub credential_params: CappedSet,
    pub credential_hits: u64,
    pub credential_first_ms: Option<i64>,
}

impl ChannelStats {
    fn add(&mut self, r: &Record) {
        if self.connections == 0 || r.time_ms < self.first_ms {
            self.first_ms = r.time_ms;
        }
        if self.connections == 0 || r.time_ms > self.last_ms {
            self.last_ms = r.time_ms;
        }
        self.connections += 1;
        match r.action {
            crate::record::Action::Denied => self.denied += 1,
            _ => self.allowed += 1,
        }
        self.bytes_out += r.bytes_out.unwrap_or(0);
        self.bytes_in += r.bytes_in.unwrap_or(0);
        if let Some(b) = r.bytes_out {
            self.req_sizes.add(b);
        }
        self.times.push(r.time_ms);
        if let Some(u) = &r.user {
            self.users.insert(u);
        }
        match &r.user_agent {
            Some(a) => self.agents.insert(a),
            None => self.no_agent += 1,
        }
        if let Some(s) = &r.service {
            self.services.insert(s);
        }
        if let Some(m) = &r.method {
            self.methods.insert(m);
        }
        if let Some(ip) = r.dst_ip {
            if !self.dst_ips.contains(&ip) {
                self.dst_ips.insert(ip);
                if self.dst_ips.len() > SET_CAP {
                    self.dst_ips.pop_last();
                }
            }
        }
        self.schemes |= 1 << (r.scheme as u8);
        self.protos |= 1 << (r.proto as u8);
        if r.url_query {
            self.with_query += 1;
        }
        if let Some(param) = credential_param(r) {
            self.credential_params.insert(&param);
            self.credential_hits += 1;
            self.credential_first_ms = Some(self.credential_first_ms.map_or(r.time_ms, |t| t.min(r.time_ms)));
        }
    }

    pub fn merge(&mut self, o: ChannelStats) {
        if o.connections == 0 {
            return;
        }
        if self.connections == 0 {
            *self = o;
            return;
        }
        self.first_ms = self.first_ms.min(o.first_ms);
        self.last_ms = self.last_ms.max(o.last_ms);
        self.connections += o.connections;
        self.allowed += o.allowed;
        self.denied += o.denied;
        self.bytes_out += o.bytes_out;
        self.bytes_in += o.bytes_in;
        self.times.merge(o.times);
        self.req_sizes.merge(&o.req_sizes);
        self.users.merge(o.users);
        self.agents.merge(o.agents);
        self.no_agent += o.no_agent;
        self.services.merge(o.services);
        self.methods.merge(o.methods);
        self.dst_ips.extend(o.dst_ips);
        while self.dst_ips.len() > SET_CAP {
            self.dst_ips.pop_last();
        }
        self.schemes |= o.schemes;
        self.protos |= o.protos;
        self.with_query += o.with_query;
        self.credential_params.merge(o.credential_params);
        self.credential_hits += o.credential_hits;
        self.credential_first_ms = match (self.credential_first_ms, o.credential_first_ms) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
    }

    pub fn saw_scheme(&self, s: Scheme) -> bool {
        self.schemes & (1 << (s as u8)) != 0
    }

    pub fn saw_proto(&self, p: Proto) -> bool {
        self.protos & (1 << (p as u8)) != 0
    }
}

/// The name of the URL parameter (or `userinfo`) that carries a credential
/// in the record's URL, if any.
#[inline]
fn credential_param(r: &Record) -> Option<String> {
    let url = r.url.as_deref()?;
    if r.url_query || url.contains('@') {
        crate::redact::find_in_url(url)
    } else {
        None
    }
}

/// Records that were counted but not channelled.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrafficCounts {
    /// Records folded in total.
    pub records: u64,
    /// Internal source to external destination: channelled.
    pub outbound: u64,
    /// Internal to internal.
    pub internal: u64,
    /// External source to internal destination.
    pub inbound: u64,
    /// External to external (transit, or a mis-set `--internal`).
    pub external: u64,
    /// No destination host or IP in the record.
    pub no_destination: u64,
    /// No source IP in the record.
    pub no_source: u64,
    /// Earliest and latest record time (ms), over all records.
    pub first_ms: Option<i64>,
    pub last_ms: Option<i64>,
}

impl TrafficCounts {
    pub fn merge(&mut self, o: &TrafficCounts) {
        self.records += o.records;
        self.outbound += o.outbound;
        self.internal += o.internal;
        self.inbound += o.inbound;
        self.external += o.external;
        self.no_destination += o.no_destination;
        self.no_source += o.no_source;
        self.first_ms = match (self.first_ms, o.first_ms) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        self.last_ms = match (self.last_ms, o.last_ms) {
            (Some(a), Some(b)) => Some(a.max(b)),
            (a, b) => a.or(b),
        };
    }
}

/// `a * b` as 128 bits, halves folded together: a cheap, well-mixing
/// step for the hashes below.
#[inline(always)]
fn fold_mul(a: u64, b: u64) -> u64 {
    let p = u128::from(a) * u128::from(b);
    (p as u64) ^ ((p >> 64) as u64)
}

/// Eight bytes as a word, ASCII upper case turned to lower case (as
/// `make_ascii_lowercase` does, all eight bytes at once): bytes from `A`
/// to `Z` gain 0x20, nothing else changes.
#[inline(always)]
fn lower_word(w: u64) -> u64 {
    const LOW7: u64 = 0x7f7f_7f7f_7f7f_7f7f;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    const ONES: u64 = 0x0101_0101_0101_0101;
    let low = w & LOW7;
    // High bit of each byte: its low seven bits are at least `A`, and more than `Z`.
    let ge_a = low + ONES * (0x80 - u64::from(b'A'));
    let gt_z = low + ONES * (0x80 - u64::from(b'Z') - 1);
    let upper = ge_a & !gt_z & !w & HIGH;
    w | upper >> 2
}

/// The word at `i` (`i + 8 <= b.len()`; 0 otherwise, never reached).
#[inline(always)]
fn word_at(b: &[u8], i: usize) -> u64 {
    b.get(i..i + 8)
        .and_then(|s| <[u8; 8]>::try_from(s).ok())
        .map_or(0, u64::from_le_bytes)
}

/// Bit 5 of every byte: set, it makes ASCII letters lower case (and
/// changes a few other bytes, which only the hash sees).
const CASE: u64 = 0x2020_2020_2020_2020;

/// Whether `name` lower-cased equals `stored` (lower case, same length),
/// eight bytes at a time; the last word of a name whose length is not a
/// multiple of eight overlaps the one before, so no byte loop is needed.
#[inline(always)]
fn same_lower(name: &[u8], stored: &[u8]) -> bool {
    let n = name.len();
    if n < 8 || stored.len() != n {
        return stored.len() == n && name.iter().zip(stored).all(|(a, b)| a.to_ascii_lowercase() == *b);
    }
    // Stored names are lower case: an equal word is an equal lower-cased
    // word, and only a name logged in upper case needs the conversion.
    let eq = |i: usize| {
        let (w, s) = (word_at(name, i), word_at(stored, i));
        w == s || lower_word(w) == s
    };
    let mut i = 0;
    while i + 8 <= n {
        if !eq(i) {
            return false;
        }
        i += 8;
    }
    i == n || eq(n - 8)
}

/// Host names (lower case) to destination ids, for [`Aggregate::intern_host`],
/// which runs for most records. Names are looked up in their logged case:
/// the hash ignores case and the compare lower-cases eight bytes at a
/// time, so a lookup copies nothing. Open addressing with linear probing; a slot holds
/// a 32-bit hash tag and the entry's index + 1 (0: empty), so a mismatch
/// rarely reads a name, and the names sit in one buffer.
#[derive(Debug, Clone)]
struct HostIndex {
    slots: Vec<u64>,
    entries: Vec<HostEntry>,
    text: Vec<u8>,
    /// Random per index, so that crafted names cannot aim at one chain.
    seed: u64,
}

#[derive(Debug, Clone, Copy)]
struct HostEntry {
    start: usize,
    len: usize,
    id: u32,
}

impl Default for HostIndex {
    fn default() -> Self {
        HostIndex {
            slots: Vec::new(),
            entries: Vec::new(),
            text: Vec::new(),
            seed: ahash::RandomState::new().hash_one(0x5eed_u64),
        }
    }
}

impl HostIndex {
    /// A hash of `name` that ignores ASCII case (bit 5 of every byte is
    /// set first), eight bytes at a time as in [`same_lower`].
    #[inline(always)]
    fn hash(&self, name: &[u8]) -> u64 {
        const K: u64 = 0x9e37_79b9_7f4a_7c15;
        let n = name.len();
        let mut h = fold_mul(self.seed ^ n as u64, K);
        if n < 8 {
            let w = name.iter().rev().fold(0u64, |w, &x| w << 8 | u64::from(x));
            h = fold_mul(h ^ (w | CASE), K);
        } else {
            let mut i = 0;
            while i + 8 <= n {
                h = fold_mul(h ^ (word_at(name, i) | CASE), K);
                i += 8;
            }
            if i < n {
                h = fold_mul(h ^ (word_at(name, n - 8) | CASE), K);
            }
        }
        fold_mul(h, 0x2d35_8dcc_aa6c_78a5)
    }

    fn clear(&mut self) {
        self.slots.clear();
        self.entries.clear();
        self.text.clear();
    }

    /// Maps `name` (lower case) to `id`, whether or not it is present.
    fn set(&mut self, name: &[u8], hash: u64, id: u32) {
        match self.find(name, hash).and_then(|k| self.entries.get_mut(k)) {
            Some(e) => e.id = id,
            None => self.insert(name, hash, id),
        }
    }

    /// The id of `name` (in any case), given its [`HostIndex::hash`].
    #[inline(always)]
    fn get(&self, name: &[u8], hash: u64) -> Option<u32> {
        let k = self.find(name, hash)?;
        self.entries.get(k).map(|e| e.id)
    }

    /// The entry of `name` (in any case), given its [`HostIndex::hash`].
    #[inline(always)]
    fn find(&self, name: &[u8], hash: u64) -> Option<usize> {
        find_slot(&self.slots, hash, |k| {
            self.entries
                .get(k)
                .is_some_and(|e| e.len == name.len() && self.text.get(e.start..e.start + e.len).is_some_and(|t| same_lower(name, t)))
        })
        .ok()
    }

    /// Adds `name` (lower case, not present) with its hash and id, growing
    /// the table to keep it at most half full.
    fn insert(&mut self, name: &[u8], hash: u64, id: u32) {
        let entry = self.entries.len();
        self.entries.push(HostEntry {
            start: self.text.len(),
            len: name.len(),
            id,
        });
        self.text.extend_from_slice(name);
        if self.entries.len() * 2 > self.slots.len() {
            self.slots = vec![0; (self.slots.len() * 2).max(16)];
            let entries = std::mem::take(&mut self.entries);
            for (k, e) in entries.iter().enumerate() {
                let h = self.text.get(e.start..e.start + e.len).map_or(0, |n| self.hash(n));
                self.put(h, k);
            }
            self.entries = entries;
        } else {
            self.put(hash, entry);
        }
    }

    fn put(&mut self, hash: u64, entry: usize) {
        put_slot(&mut self.slots, hash, entry);
    }
}

/// Looks `hash` up in an open-addressing table of 8-byte slots (see
/// [`put_slot`]): `Ok` with the entry whose tag matches and that `is`
/// accepts, or `Err` with the free slot where it would go. The tag settles
/// almost every mismatch without reading the entry.
#[inline(always)]
pub(crate) fn find_slot(slots: &[u64], hash: u64, mut is: impl FnMut(usize) -> bool) -> Result<usize, usize> {
    let tag = hash >> 32;
    let mask = slots.len().wrapping_sub(1);
    let mut i = hash as usize & mask;
    loop {
        let Some(&s) = slots.get(i) else { return Err(i) };
        if s == 0 {
            return Err(i);
        }
        if s >> 32 == tag {
            let entry = (s as u32).wrapping_sub(1) as usize;
            if is(entry) {
                return Ok(entry);
            }
        }
        i = (i + 1) & mask;
    }
}

/// Puts `entry` in the first free slot for `hash` of an open-addressing
/// table of 8-byte slots (a power-of-two count, never full): the high 32
/// bits of the hash as a tag, and the entry plus one (0 is a free slot).
pub(crate) fn put_slot(slots: &mut [u64], hash: u64, entry: usize) {
    let mask = slots.len().wrapping_sub(1);
    let mut i = hash as usize & mask;
    while let Some(s) = slots.get_mut(i) {
        if *s == 0 {
            *s = (hash >> 32) << 32 | (entry as u64 + 1);
            return;
        }
        i = (i + 1) & mask;
    }
}

/// Per-channel state of any number of records.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Aggregate {
    pub dests: Vec<Dest>,
    #[serde(skip)]
    host_index: HostIndex,
    #[serde(skip)]
    ip_index: AHashMap<IpAddr, u32>,
    /// Boxed so that growing the map moves pointers, not the stats.
    #[serde(with = "channel_list")]
    pub channels: AHashMap<ChannelKey, Box<ChannelStats>>,
    pub traffic: TrafficCounts,
}

impl Aggregate {
    pub fn new() -> Aggregate {
        Aggregate::default()
    }

    /// Folds one record in. This is the plain reference fold; scans use
    /// [`Accumulator`], which must give the same result (tested).
    pub fn fold(&mut self, r: &Record, nets: &Networks) {
        let Some((src, dest)) = self.channel_of(r, nets) else { return };
        let key = ChannelKey {
            src,
            dest,
            port: r.dst_port.unwrap_or(0),
        };
        self.channels.entry(key).or_default().add(r);
    }

    /// Counts `r` in the traffic totals and, for an outbound record,
    /// returns its source and interned destination. Always inlined: it
    /// runs for every record, and as a call it spilled the record's fields.
    #[inline(always)]
    fn channel_of(&mut self, r: &Record, nets: &Networks) -> Option<(IpAddr, u32)> {
        let src = self.count(r)?;
        let host = r.dst_host.as_deref().filter(|h| !h.is_empty());
        let dst_internal = match (host, r.dst_ip) {
            (_, Some(ip)) => nets.contains(&ip),
            (Some(_), None) => false,
            (None, None) => {
                self.traffic.no_destination += 1;
                return None;
            }
        };
        if !self.outbound(src, dst_internal, nets) {
            return None;
        }
        let dest = match host {
            Some(h) => self.intern_host(h),
            None => self.intern_ip(r.dst_ip?),
        };
        Some((src, dest))
    }

    /// [`Aggregate::channel_of`] for a record whose destination is known
    /// to be outside the internal networks (as the record's tail says, see
    /// [`Record::tail`]): the counts, and the source of an outbound record.
    #[inline(always)]
    fn source_to_external(&mut self, r: &Record, nets: &Networks) -> Option<IpAddr> {
        let src = self.count(r)?;
        self.outbound(src, false, nets).then_some(src)
    }

    /// Counts `r` and its time span; its source, none (counted) without.
    #[inline(always)]
    fn count(&mut self, r: &Record) -> Option<IpAddr> {
        let t = &mut self.traffic;
        t.records += 1;
        t.first_ms = Some(t.first_ms.map_or(r.time_ms, |f| f.min(r.time_ms)));
        t.last_ms = Some(t.last_ms.map_or(r.time_ms, |l| l.max(r.time_ms)));
        if r.src_ip.is_none() {
            t.no_source += 1;
        }
        r.src_ip
    }

    /// Counts the direction of a record from `src`; true when outbound.
    #[inline(always)]
    fn outbound(&mut self, src: IpAddr, dst_internal: bool, nets: &Networks) -> bool {
        let t = &mut self.traffic;
        let src_internal = nets.contains(&src);
        match (src_internal, dst_internal) {
            (true, false) => t.outbound += 1,
            (true, true) => t.internal += 1,
            (false, true) => t.inbound += 1,
            (false, false) => t.external += 1,
        }
        src_internal && !dst_internal
    }

    /// Inlined (most records look up a host); adding one is out of line.
    #[inline(always)]
    fn intern_host(&mut self, h: &str) -> u32 {
        let h = h.strip_suffix('.').unwrap_or(h);
        let hash = self.host_index.hash(h.as_bytes());
        if let Some(id) = self.host_index.get(h.as_bytes(), hash) {
            return id;
        }
        self.add_host(h, hash)
    }

    #[inline(never)]
    fn add_host(&mut self, h: &str, hash: u64) -> u32 {
        let id = self.dests.len() as u32;
        let key = h.to_ascii_lowercase();
        self.host_index.insert(key.as_bytes(), hash, id);
        self.dests.push(Dest::Host(key));
        id
    }

    fn intern_ip(&mut self, ip: IpAddr) -> u32 {
        if let Some(&id) = self.ip_index.get(&ip) {
            return id;
        }
        let id = self.dests.len() as u32;
        self.dests.push(Dest::Ip(ip));
        self.ip_index.insert(ip, id);
        id
    }

    fn intern(&mut self, d: &Dest) -> u32 {
        match d {
            Dest::Host(h) => self.intern_host(h),
            Dest::Ip(ip) => self.intern_ip(*ip),
        }
    }

    /// Merges `other` into `self`.
    pub fn merge(&mut self, mut other: Aggregate) {
        if self.dests.is_empty() && self.channels.is_empty() {
            // Nothing to renumber or combine (the usual first merge of a
            // scan): take `other` whole instead of rehashing its channels.
            other.traffic.merge(&self.traffic);
            *self = other;
            return;
        }
        self.traffic.merge(&other.traffic);
        let remap: Vec<u32> = other.dests.iter().map(|d| self.intern(d)).collect();
        let mut theirs: AHashMap<ChannelKey, Box<ChannelStats>> = other
            .channels
            .into_iter()
            .map(|(k, v)| {
                let dest = remap.get(k.dest as usize).copied().unwrap_or(k.dest);
                (ChannelKey { dest, ..k }, v)
            })
            .collect();
        // Channels both sides have merge in parallel (merging times is
        // the costly part); the others move over.
        let both: Vec<(&mut Box<ChannelStats>, Box<ChannelStats>)> = self
            .channels
            .iter_mut()
            .filter_map(|(k, mine)| theirs.remove(k).map(|t| (mine, t)))
            .collect();
        both.into_par_iter().for_each(|(mine, t)| mine.merge(*t));
        self.channels.extend(theirs);
    }

    /// Normalizes every channel's times and renumbers destinations in sorted
    /// order, so that equal inputs give equal aggregates however they were
    /// chunked.
    pub fn canonical(mut self) -> Aggregate {
        let mut order: Vec<u32> = (0..self.dests.len() as u32).collect();
        order.sort_by(|&a, &b| self.dests.get(a as usize).cmp(&self.dests.get(b as usize)));
        let mut remap = vec![0u32; self.dests.len()];
        for (new, &old) in order.iter().enumerate() {
            if let Some(slot) = remap.get_mut(old as usize) {
                *slot = new as u32;
            }
        }
        let mut out = Aggregate {
            traffic: self.traffic,
            ..Aggregate::default()
        };
        for &old in &order {
            if let Some(d) = self.dests.get(old as usize) {
                out.intern(&d.clone());
            }
        }
        // Normalizing the times (unpack, sort, repack) is most of the work:
        // in parallel.
        let mut channels: Vec<(ChannelKey, Box<ChannelStats>)> = self.channels.drain().collect();
        channels.par_iter_mut().for_each(|(_, v)| v.times.normalize());
        out.channels.reserve(channels.len());
        for (k, v) in channels {
            let dest = remap.get(k.dest as usize).copied().unwrap_or(k.dest);
            out.channels.insert(ChannelKey { dest, ..k }, v);
        }
        out
    }

    /// Rebuilds the lookup indexes (after deserializing saved state).
    pub fn reindex(&mut self) {
        self.host_index.clear();
        self.ip_index.clear();
        for (i, d) in self.dests.iter().enumerate() {
            match d {
                Dest::Host(h) => {
                    // A name listed twice (hand-edited state) maps to its last place.
                    let hash = self.host_index.hash(h.as_bytes());
                    self.host_index.set(h.as_bytes(), hash, i as u32);
                }
                Dest::Ip(ip) => {
                    self.ip_index.insert(*ip, i as u32);
                }
            }
        }
    }

    pub fn dest(&self, k: &ChannelKey) -> Option<&Dest> {
        self.dests.get(k.dest as usize)
    }

    /// Channels sorted by key, for deterministic iteration.
    pub fn sorted_channels(&self) -> Vec<(&ChannelKey, &ChannelStats)> {
        let mut v: Vec<(&ChannelKey, &ChannelStats)> = self.channels.iter().map(|(k, v)| (k, &**v)).collect();
        if self.dests.windows(2).all(|w| w.first() <= w.get(1)) {
            // Destinations numbered in sorted order (see `canonical`): the
            // numbers sort like the names.
            v.par_sort_unstable_by_key(|(k, _)| (k.dest, k.port, k.src));
        } else {
            v.sort_by(|a, b| (self.dest(a.0), a.0.port, a.0.src).cmp(&(self.dest(b.0), b.0.port, b.0.src)));
        }
        v
    }
}

/// Channels serialize as a list (JSON objects cannot have struct keys).
mod channel_list {
    use super::{ChannelKey, ChannelStats};
    use ahash::AHashMap;
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    pub fn serialize<S: Serializer>(m: &AHashMap<ChannelKey, Box<ChannelStats>>, s: S) -> Result<S::Ok, S::Error> {
        let mut v: Vec<_> = m.iter().collect();
        v.sort_by_key(|(k, _)| **k);
        v.serialize(s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<AHashMap<ChannelKey, Box<ChannelStats>>, D::Error> {
        let v: Vec<(ChannelKey, Box<ChannelStats>)> = Vec::deserialize(d)?;
        Ok(v.into_iter().collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::borrow::Cow;

    fn rec(t: i64, src: &str, host: &str, port: u16) -> Record<'static> {
        Record {
            time_ms: t,
            src_ip: src.parse().ok(),
            dst_host: Some(Cow::Owned(host.to_string())),
            dst_port: Some(port),
            bytes_out: Some(10),
            ..Record::default()
        }
    }

    #[test]
    fn channels_and_classification() {
        let nets = Networks::default();
        let mut a = Aggregate::new();
        a.fold(&rec(1000, "10.0.0.1", "API.example.com", 443), &nets);
        a.fold(&rec(2000, "10.0.0.1", "api.example.com.", 443), &nets);
        a.fold(&rec(3000, "203.0.113.1", "api.example.com", 443), &nets);
        let mut internal = rec(4000, "10.0.0.1", "x", 80);
        internal.dst_ip = "10.0.0.2".parse().ok();
        a.fold(&internal, &nets);
        assert_eq!(a.channels.len(), 1);
        assert_eq!(a.channels.values().next().unwrap().connections, 2);
        assert_eq!((a.traffic.outbound, a.traffic.external, a.traffic.internal), (2, 1, 1));
    }

    #[test]
    fn merge_is_order_independent() {
        let nets = Networks::default();
        let recs: Vec<_> = (0..50)
            .map(|i| rec(i * 61_000, "10.0.0.1", if i % 3 == 0 { "a.example" } else { "b.example" }, 443))
            .collect();
        let mut whole = Aggregate::new();
        recs.iter().for_each(|r| whole.fold(r, &nets));
        let (mut x, mut y) = (Aggregate::new(), Aggregate::new());
        recs[..20].iter().for_each(|r| y.fold(r, &nets));
        recs[20..].iter().for_each(|r| x.fold(r, &nets));
        x.merge(y);
        let (w, x) = (whole.canonical(), x.canonical());
        assert_eq!(w.dests, x.dests);
        assert_eq!(w.sorted_channels(), x.sorted_channels());
    }

    #[test]
    fn merged_lists_are_the_sorted_distinct_union() {
        let mut rng = crate::synth::rng::Rng::new(2);
        for _ in 0..2000 {
            let mut list = |n: u64| {
                let mut v: Vec<i64> = (0..rng.below(n)).map(|_| rng.range(-5, 40)).collect();
                v.sort_unstable();
                v
            };
            let (a, b) = (list(30), list(30));
            let mut want: Vec<i64> = a.iter().chain(&b).copied().collect();
            want.sort_unstable();
            want.dedup();
            assert_eq!(merge_sorted(&a, &b), want, "{a:?} {b:?}");
        }
    }

    #[test]
    fn stored_lists_merge_as_decoded_lists_do() {
        // Overlapping, interleaved, disjoint either way round, meeting in
        // one bucket, equal, empty; gaps of one to three bytes; truncation
        // carried over.
        let mut rng = crate::synth::rng::Rng::new(3);
        for round in 0..3000 {
            let mut list = |n: u64, lo: i64, hi: i64| {
                let mut v: Vec<i64> = (0..rng.below(n)).map(|_| rng.range(lo, hi)).collect();
                v.sort_unstable();
                v.dedup();
                v
            };
            let spread = [40, 5_000, 3_000_000][round % 3];
            let a = list(60, -spread, spread);
            let (lo, hi) = (a.first().copied().unwrap_or(0), a.last().copied().unwrap_or(0));
            let b = match round % 6 {
                0 => list(60, -spread, spread),
                1 => list(60, spread + 1, 3 * spread),
                2 => list(60, -3 * spread, -spread - 1),
                // Starting on a's last bucket, or ending on its first.
                3 => [vec![hi], list(60, hi, hi + spread)]
                    .concat()
                    .into_iter()
                    .collect::<std::collections::BTreeSet<_>>()
                    .into_iter()
                    .collect(),
                4 => [vec![lo], list(60, lo - spread, lo)]
                    .concat()
                    .into_iter()
                    .collect::<std::collections::BTreeSet<_>>()
                    .into_iter()
                    .collect(),
                _ => a.clone(),
            };
            let times = |v: &[i64], truncated: bool| {
                let mut t = Times::default();
                t.store(v);
                t.truncated = truncated;
                t
            };
            let (x, y) = (times(&a, round % 5 == 0), times(&b, round % 7 == 0));
            let mut fast = x.clone();
            fast.merge_stored(y.clone());
            let mut slow = x;
            slow.merge_lists(y);
            assert_eq!(fast, slow, "{a:?} {b:?}");
            let mut want: Vec<i64> = a.iter().chain(&b).copied().collect();
            want.sort_unstable();
            want.dedup();
            assert_eq!(fast.seconds().collect::<Vec<_>>(), want);
        }
    }

    #[test]
    fn buckets_shift_as_flooring_division_does() {
        for ms in [
            -86_400_001i64,
            -1001,
            -1000,
            -999,
            -1,
            0,
            1,
            999,
            1000,
            1_700_000_000_123,
            i64::MIN,
            i64::MAX,
        ] {
            for res in [1u32, 2, 4, 8, 1 << 20] {
                assert_eq!(bucket_of(ms, res), ms.div_euclid(1000).div_euclid(i64::from(res)), "{ms} {res}");
            }
            assert_eq!(bucket_of(ms, 3), ms.div_euclid(1000).div_euclid(3));
            assert_eq!(bucket_of(ms, 0), ms.div_euclid(1000));
        }
    }

    #[test]
    fn times_cap_is_path_independent() {
        let mut a = Times::default();
        let mut b = Times::default();
        let mut c = Times::default();
        for i in 0..(TIME_CAP as i64 * 3) {
            a.push(i * 1000);
            if i % 2 == 0 {
                b.push(i * 1000)
            } else {
                c.push(i * 1000)
            }
        }
        a.normalize();
        b.merge(c);
        assert_eq!(a, b);
        assert!(a.len() <= TIME_CAP && a.res_s == 4);
    }

    #[test]
    fn dense_times_keep_latest_buckets_path_independently() {
        // A request every 60 s for 90 days: more runs than the cap, and
        // coarsening cannot help without merging runs.
        let n = 90 * 1440;
        let mut whole = Times::default();
        let mut parts = vec![Times::default(), Times::default(), Times::default()];
        for i in 0..n as i64 {
            whole.push(i * 60_000);
            parts[(i % 3) as usize].push(i * 60_000);
        }
        whole.normalize();
        let mut merged = Times::default();
        for mut p in parts {
            p.normalize();
            merged.merge(p);
        }
        assert_eq!(whole, merged);
        assert!(whole.truncated && whole.res_s <= RES_MAX);
        assert_eq!(whole.len(), TIME_CAP);
        let secs: Vec<i64> = whole.seconds().collect();
        assert_eq!(secs.last().copied(), Some((n as i64 - 1) * 60));
        assert!(secs.windows(2).all(|w| w[1] - w[0] == 60));
    }

    #[test]
    fn times_any_arrival_order_gives_the_same_buckets() {
        // A scrambled order (late arrivals, duplicates, negative times).
        let xs: Vec<i64> = (0..20_000i64).map(|i| (i * 7919) % 15_000 * 1000 - 3_000_000).collect();
        let mut scrambled = Times::default();
        xs.iter().for_each(|&t| scrambled.push(t));
        let mut sorted = Times::default();
        let mut ys = xs.clone();
        ys.sort_unstable();
        ys.iter().for_each(|&t| sorted.push(t));
        scrambled.normalize();
        sorted.normalize();
        assert_eq!(scrambled, sorted);
        let mut want: Vec<i64> = xs.iter().map(|t| t.div_euclid(1000)).collect();
        want.sort_unstable();
        want.dedup();
        assert_eq!(scrambled.seconds().collect::<Vec<_>>(), want);
    }

    #[test]
    fn seconds_into_gives_the_iterators_seconds() {
        // One- to three-byte gaps, a coarser resolution, negative times.
        let xs: Vec<i64> = (0..120_000i64).map(|i| i * i % 9_000_000 * 1000 - 2_000_000_000).collect();
        let mut times = Times::default();
        let mut out = vec![7];
        for (i, &t) in xs.iter().enumerate() {
            times.push(t);
            if i % 29_999 == 0 {
                let mut copy = times.clone();
                copy.normalize();
                out.truncate(1);
                copy.seconds_into(&mut out);
                assert_eq!(out[1..], copy.seconds().collect::<Vec<_>>()[..]);
            }
        }
        times.normalize();
        assert!(times.res_s > 1);
        out.clear();
        times.seconds_into(&mut out);
        assert_eq!(out, times.seconds().collect::<Vec<_>>());
        out.clear();
        Times::default().seconds_into(&mut out);
        assert!(out.is_empty());

        // Runs of one-byte gaps between longer gaps; and stored bytes cut
        // short anywhere (a damaged state file), which both ways stop at
        // the same time.
        let mut rng = crate::synth::rng::Rng::new(41);
        for round in 0..300 {
            let mut t = rng.below(1 << 40) as i64 - (1 << 39);
            let mut times = Times::default();
            for _ in 0..rng.below(60) {
                let run = rng.below(20);
                for _ in 0..run {
                    t += 1 + rng.below(127) as i64;
                    times.push(t * 1000);
                }
                let bytes = 1 + rng.below(3);
                t += 128 + rng.below(1 << (7 * bytes)) as i64;
                times.push(t * 1000);
            }
            times.normalize();
            if round % 2 == 1 {
                let len = times.packed.len() as u64;
                let keep = rng.below(len + 1) as usize;
                times.packed.truncate(keep);
            }
            // Appended after what `out` holds.
            out.clear();
            out.push(7);
            times.seconds_into(&mut out);
            assert_eq!(out[1..], times.seconds().collect::<Vec<_>>()[..], "round {round}");
        }
    }

    #[test]
    fn normalizing_stored_times_is_storing_them_again() {
        // States with nothing pending (after a merge, after in-order
        // pushes) and with pending buckets, under and over the cap.
        let mut rng = crate::synth::rng::Rng::new(29);
        for round in 0..200 {
            let n = rng.below(if round % 10 == 0 { 3 * TIME_CAP as u64 } else { 3000 }) as i64;
            let step = rng.range(1, 5000);
            let mut a = Times::default();
            let mut b = Times::default();
            let xs: Vec<i64> = (0..n).map(|i| i * step + rng.range(0, 3) * 1000).collect();
            for (i, chunk) in xs.chunks(1 + rng.below(500) as usize).enumerate() {
                if i % 2 == 0 {
                    a.push_all(chunk)
                } else {
                    b.push_all(chunk)
                }
            }
            let merged = {
                let mut m = a.clone();
                m.merge(b.clone());
                m
            };
            for t in [a, b, merged] {
                let (mut fast, mut slow) = (t.clone(), t);
                fast.normalize();
                slow.restore();
                assert_eq!(fast, slow, "round {round}");
            }
        }
    }

    #[test]
    fn times_pushed_in_batches_equal_times_pushed_one_by_one() {
        let xs: Vec<i64> = (0..5000i64).map(|i| i * 1300 + (i % 7) * 900).collect();
        let mut one = Times::default();
        xs.iter().for_each(|&t| one.push(t));
        let mut batched = Times::default();
        for chunk in xs.chunks(37) {
            batched.push_all(chunk);
        }
        // Out of order and overlapping batches take the slow path.
        batched.push_all(&[5, 3_000_000, 1_000]);
        [5, 3_000_000, 1_000].iter().for_each(|&t| one.push(t));
        one.normalize();
        batched.normalize();
        assert_eq!(one, batched);
    }

    #[test]
    fn times_pushed_in_scrambled_batches_equal_times_pushed_one_by_one() {
        // Batches that go back in time (late buckets, many of them, so that
        // they are merged into storage), repeat buckets, and cross the cap.
        let xs: Vec<i64> = (0..300_000i64).map(|i| (i * 7919) % 200_000 * 1000 + (i % 3) * 400).collect();
        for size in [1, 5, 64, 1000] {
            let mut one = Times::default();
            xs.iter().for_each(|&t| one.push(t));
            let mut batched = Times::default();
            for chunk in xs.chunks(size) {
                batched.push_all(chunk);
            }
            one.normalize();
            batched.normalize();
            assert_eq!(one, batched, "batches of {size}");
            assert!(one.truncated || one.res_s > 1);
        }
    }

    #[test]
    fn times_take_about_a_byte_per_bucket() {
        // A request every 30 s for 15 days: 43,200 buckets.
        let mut t = Times::default();
        for i in 0..43_200i64 {
            t.push(1_700_000_000_000 + i * 30_000);
        }
        t.normalize();
        assert_eq!(t.len(), 43_200);
        assert!(t.heap_bytes() <= 43_200 + 64, "{} bytes", t.heap_bytes());
    }

    #[test]
    fn host_index_matches_a_map_of_lower_case_names() {
        // Names of every length up to 40 (around the 8-byte words), mixed
        // case, bytes next to the letters in ASCII, non-ASCII bytes and
        // trailing dots; ids must be what a map of lower-cased names gives.
        let alphabet: Vec<char> = "aZ@[`{.-_9Ä\u{e9}".chars().collect();
        let mut seed = 0x1234_5678_9abc_def0u64;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        let mut a = Aggregate::new();
        let mut want: std::collections::HashMap<String, u32> = Default::default();
        for _ in 0..20_000 {
            let len = (next() % 41) as usize;
            let name: String = (0..len).map(|_| alphabet[(next() % alphabet.len() as u64) as usize]).collect();
            let key = name.strip_suffix('.').unwrap_or(&name).to_ascii_lowercase();
            let n = want.len() as u32;
            let expect = *want.entry(key.clone()).or_insert(n);
            assert_eq!(a.intern_host(&name), expect, "{name:?}");
            assert_eq!(a.dests[expect as usize], Dest::Host(key));
            // The same name in other cases finds the same id.
            assert_eq!(a.intern_host(&name.to_ascii_uppercase()), expect);
        }
        assert!(want.len() > 1000);
        let mut b = a.clone();
        b.reindex();
        for (k, &id) in &want {
            let h = b.host_index.hash(k.as_bytes());
            assert_eq!(b.host_index.get(k.as_bytes(), h), Some(id), "{k:?}");
        }
        assert_eq!(b.dests.len(), want.len());
    }

    #[test]
    fn capped_set_keeps_smallest() {
        let mut s = CappedSet::default();
        for i in (0..100).rev() {
            s.insert(&format!("u{i:03}"));
        }
        assert_eq!(s.len(), SET_CAP);
        assert!(s.truncated);
        assert_eq!(s.iter().next(), Some("u000"));
        assert_eq!(s.iter().last(), Some("u031"));
        let mut t = CappedSet::default();
        for i in 0..100 {
            t.insert(&format!("u{i:03}"));
        }
        assert_eq!(s, t, "same set whatever the order");
    }
}

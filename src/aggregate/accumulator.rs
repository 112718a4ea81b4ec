//! The hot fold: a per-worker channel accumulator laid out for the cache.
//!
//! [`Aggregate::fold`] keeps everything about a channel in one
//! [`ChannelStats`], whose sets hold strings: each record touches a dozen
//! cache lines, most of them misses once there are tens of thousands of
//! channels. An [`Accumulator`] gives the same result (see the tests) and
//! touches about three:
//!
//! * channels live in one vector, found through a map of small keys;
//! * text values (users, user agents, services, methods) are interned once
//!   per accumulator, and a channel remembers the last id it saw of each, so
//!   a repeated value costs a hash of the text and one compare;
//! * the sets themselves (and the rarely used credential fields) sit in a
//!   cold part reached only when a value changes.
//!
//! Memory stays bounded by the number of channels: the interner holds at
//! most [`INTERN_CAP`] strings (later values go straight into the channel's
//! own capped string sets), and each channel keeps at most [`IDS_MAX`] ids
//! per set before trimming them to the [`SET_CAP`] smallest.

use super::{fold_mul, Aggregate, CappedSet, ChannelKey, ChannelStats, Moments, Times, SET_CAP};
use crate::config::Networks;
use crate::prefetch::prefetch;
use crate::record::{Action, Record};
use ahash::AHashMap;
use rayon::prelude::*;
use std::net::IpAddr;

/// Most distinct strings interned per accumulator: ids (1 up) fit in the
/// 16 bits [`Hot::last`] keeps per field.
pub const INTERN_CAP: usize = u16::MAX as usize;
/// Ids a channel keeps per set before trimming to the [`SET_CAP`] smallest values.
pub const IDS_MAX: usize = 4 * SET_CAP;

/// Sets per channel: users, user agents, services, methods (the order of
/// the fields in [`Accumulator::fold`]).
const FIELDS: usize = 4;
const USER: usize = 0;
const AGENT: usize = 1;
const SERVICE: usize = 2;
const METHOD: usize = 3;
/// Times staged before they are sorted into their channels. Each flush
/// visits every channel with staged times (its `Times` and the end of its
/// packed bytes, mostly cache misses), so more times per flush means fewer
/// visits per record; 2^18 (4 MB staged, 2 MB sorted) measured faster
/// than 2^16, and 2^20 no faster still.
const STAGE: usize = 1 << 18;

/// Records per pass of [`Accumulator::fold_batch`]: enough cache misses in
/// flight to hide most of their latency. On the 2 GB Squid log with one
/// thread, four alternating runs took 3.40 to 3.62 s with 8, 3.35 to 3.73 s
/// with 16 and 3.27 to 3.65 s with 32 (a noisy machine; 16 keeps a batch
/// of records, 4 KB, well inside the L1 cache).
pub const BATCH: usize = 16;

/// Strings by id (ids start at 1; 0 means no value).
#[derive(Default)]
struct Interner {
    ids: AHashMap<Box<str>, u16>,
    strs: Vec<Box<str>>,
}

impl Interner {
    /// The id of `s`, interning it while there is room.
    #[inline]
    fn id(&mut self, s: &str) -> Option<u16> {
        if let Some(&id) = self.ids.get(s) {
            return Some(id);
        }
        if self.strs.len() >= INTERN_CAP {
            return None;
        }
        self.strs.push(s.into());
        let id = self.strs.len() as u16;
        self.ids.insert(s.into(), id);
        Some(id)
    }

    fn get(&self, id: u16) -> &str {
        usize::from(id).checked_sub(1).and_then(|i| self.strs.get(i)).map_or("", |s| &**s)
    }
}

/// The values of one field of one channel: interned ids, plus strings that
/// arrived after the interner was full.
#[derive(Default)]
struct ValueSet {
    ids: Vec<u16>,
    strs: CappedSet,
    trimmed: bool,
}

impl ValueSet {
    fn insert_id(&mut self, id: u16, strings: &Interner) {
        if self.ids.contains(&id) {
            return;
        }
        self.ids.push(id);
        if self.ids.len() > IDS_MAX {
            self.ids.sort_unstable_by(|&a, &b| strings.get(a).cmp(strings.get(b)));
            self.ids.truncate(SET_CAP);
            self.trimmed = true;
        }
    }

    fn into_set(self, strings: &Interner) -> CappedSet {
        let mut set = self.strs;
        for id in self.ids {
            set.insert(strings.get(id));
        }
        set.truncated |= self.trimmed;
        set
    }
}

/// Whether two texts are equal. Values are mostly short (methods,
/// services, user names): up to 16 bytes they are compared as two
/// overlapping words each, without a call to `memcmp`.
#[inline(always)]
fn same_text(a: &[u8], b: &[u8]) -> bool {
    let n = a.len();
    if n != b.len() {
        return false;
    }
    let word = super::word_at;
    let half = |s: &[u8], i: usize| s.get(i..i + 4).and_then(|w| <[u8; 4]>::try_from(w).ok()).map(u32::from_le_bytes);
    match n {
        0..=3 => a == b,
        4..=7 => half(a, 0) == half(b, 0) && half(a, n - 4) == half(b, n - 4),
        8..=16 => word(a, 0) == word(b, 0) && word(a, n - 8) == word(b, n - 8),
        _ => a == b,
    }
}

/// Notes value `v` of field `k` for a channel whose last id for the
/// field is `last`.
#[inline(always)]
fn note(last: &mut u16, v: &str, k: usize, cold: Option<&mut Cold>, strings: &mut Interner) {
    if *last != 0 && same_text(strings.get(*last).as_bytes(), v.as_bytes()) {
        return;
    }
    note_new(last, v, k, cold, strings);
}

/// [`note`] for a value other than the last one: into the channel's set.
#[inline(never)]
fn note_new(last: &mut u16, v: &str, k: usize, cold: Option<&mut Cold>, strings: &mut Interner) {
    match strings.id(v) {
        Some(id) => note_id(last, id, k, cold, strings),
        None => {
            if let Some(set) = cold.and_then(|c| c.sets.get_mut(k)) {
                set.strs.insert(v);
            }
        }
    }
}

/// [`note`] for a value interned as `id`.
#[inline(always)]
fn note_id(last: &mut u16, id: u16, k: usize, cold: Option<&mut Cold>, strings: &Interner) {
    if *last == id {
        return;
    }
    let Some(set) = cold.and_then(|c| c.sets.get_mut(k)) else { return };
    *last = id;
    set.insert_id(id, strings);
}

/// Entries of [`Accumulator`]'s cache of tails: a power of two, twice the
/// templates a Squid memo keeps ([`crate::formats::memo::SLOTS`]), so that
/// most of its tails have an entry.
const TAILS: usize = 2 * crate::formats::memo::SLOTS;

/// What folding a record worked out from the fields its tail fixes (see
/// [`Record::tail`]), kept for the next records with that tail: their
/// destination's id and port, and the interned ids of their values. An
/// entry exists only for a tail whose destination was outside the
/// internal networks, so an accumulator must be given the same networks
/// on every call (a scan gives all of its accumulators the same ones).
#[derive(Clone, Copy, Default)]
struct TailFold {
    /// The tail (0: an empty entry).
    tail: u64,
    dest: u32,
    port: u16,
    /// User, user agent, service, method (the order of [`FIELDS`]; 0: no value).
    ids: [u16; FIELDS],
}

/// A tail's entry in the cache.
#[inline(always)]
fn tail_slot(tail: u64) -> usize {
    (tail.wrapping_mul(0x9e37_79b9_7f4a_7c15) >> (64 - TAILS.trailing_zeros())) as usize
}

/// The interned ids of a record's values (0 for none); none when a value
/// is not interned (the interner was full).
fn ids_of(r: &Record, strings: &Interner) -> Option<[u16; FIELDS]> {
    let id = |v: &Option<std::borrow::Cow<str>>| match v.as_deref() {
        None => Some(0),
        Some(s) => strings.ids.get(s).copied(),
    };
    Some([id(&r.user)?, id(&r.user_agent)?, id(&r.service)?, id(&r.method)?])
}

/// The 32-bit counters of [`Hot`], by their index in [`Cold::wraps`].
const CONNECTIONS: usize = 0;
const REQUESTS: usize = 1;
const DENIED: usize = 2;
const NO_AGENT: usize = 3;
const WITH_QUERY: usize = 4;

/// What a channel needs only when something changes.
#[derive(Default)]
struct Cold {
    sets: [ValueSet; FIELDS],
    /// Sorted; the [`SET_CAP`] smallest.
    dst_ips: Vec<IpAddr>,
    credential_params: CappedSet,
    credential_hits: u64,
    credential_first_ms: Option<i64>,
    /// How often each 32-bit counter of [`Hot`] wrapped around: its high bits.
    wraps: [u64; 5],
    /// High 64 bits of the sums whose low 64 bits [`Hot`] keeps.
    sum_hi: u64,
    sumsq_hi: u64,
}

/// Adds one to a 32-bit counter of [`Hot`], carrying into its high part
/// in [`Cold`] on wrap-around (never in practice, but totals stay exact).
#[inline(always)]
fn bump(c: &mut u32, cold: Option<&mut Cold>, which: usize) {
    *c = c.wrapping_add(1);
    if *c == 0 {
        bump_high(cold, which);
    }
}

#[cold]
fn bump_high(cold: Option<&mut Cold>, which: usize) {
    if let Some(w) = cold.and_then(|c| c.wraps.get_mut(which)) {
        *w += 1;
    }
}

/// A counter from its low 32 bits and the times it wrapped.
fn wide(lo: u32, cold: &Cold, which: usize) -> u64 {
    cold.wraps.get(which).copied().unwrap_or(0) << 32 | u64::from(lo)
}

/// What every record of a channel reads or updates, with the channel's key
/// (so the lookup's compare and the update touch the same memory): two
/// cache lines, aligned so that they are one adjacent pair. Counters are
/// 32 bits and sums keep their low 64 bits here, the rest in [`Cold`].
#[repr(C, align(64))]
struct Hot {
    first_ms: i64,
    last_ms: i64,
    /// Sum of request sizes, low 64 bits: also the channel's bytes out.
    bytes_out: u64,
    /// Sum of squared request sizes, low 64 bits.
    sumsq_lo: u64,
    /// Smallest request size (`u64::MAX` before the first).
    req_min: u64,
    req_max: u64,
    bytes_in: u64,
    dest: u32,
    connections: u32,
    /// Records with a request size.
    requests: u32,
    denied: u32,
    no_agent: u32,
    with_query: u32,
    /// Last id seen per field (0: none yet).
    last: [u16; FIELDS],
    port: u16,
    src: IpAddr,
    last_dst: Option<IpAddr>,
    schemes: u8,
    protos: u8,
}

const _: () = assert!(std::mem::size_of::<Hot>() == 128);

impl Hot {
    fn new(src: IpAddr, dest: u32, port: u16, t: i64) -> Hot {
        Hot {
            first_ms: t,
            last_ms: t,
            bytes_out: 0,
            sumsq_lo: 0,
            req_min: u64::MAX,
            req_max: 0,
            bytes_in: 0,
            dest,
            connections: 0,
            requests: 0,
            denied: 0,
            no_agent: 0,
            with_query: 0,
            last: [0; FIELDS],
            port,
            src,
            last_dst: None,
            schemes: 0,
            protos: 0,
        }
    }

    #[inline(always)]
    fn is(&self, src: IpAddr, dest: u32, port: u16) -> bool {
        self.dest == dest && self.port == port && self.src == src
    }
}

/// A channel's key, source, destination and port, with its hash in the
/// [`ChannelTable`].
type Key = (IpAddr, u32, u16, u64);

/// Channel indexes by key. Open addressing with linear probing; a slot
/// holds a 32-bit hash tag and the channel's index + 1 (0: empty). At 8
/// bytes a slot the table for tens of thousands of channels stays in the
/// L2 cache, where a map holding the channels themselves would not, and
/// the tag settles almost every mismatch without reading the channel.
struct ChannelTable {
    slots: Vec<u64>,
    len: usize,
    /// Random per table, so that crafted logs cannot aim at one chain.
    seed_a: u64,
    seed_b: u64,
}

impl Default for ChannelTable {
    fn default() -> Self {
        let rs = ahash::RandomState::new();
        ChannelTable {
            slots: vec![0; 1024],
            len: 0,
            seed_a: rs.hash_one(1u64),
            seed_b: rs.hash_one(2u64) | 1,
        }
    }
}

impl ChannelTable {
    #[inline(always)]
    fn hash(&self, src: IpAddr, dest: u32, port: u16) -> u64 {
        let tail = u64::from(dest) << 16 | u64::from(port);
        let h = match src {
            IpAddr::V4(a) => fold_mul(u64::from(u32::from(a)) ^ self.seed_a, tail ^ self.seed_b),
            IpAddr::V6(a) => {
                let x = u128::from(a);
                let h = fold_mul((x as u64) ^ self.seed_a, ((x >> 64) as u64) ^ self.seed_b);
                fold_mul(h ^ tail, self.seed_b ^ 0x9e37_79b9_7f4a_7c15)
            }
        };
        fold_mul(h, 0x2d35_8dcc_aa6c_78a5)
    }

    /// The index of the channel (whose key has hash `h`), or the slot
    /// where it would go.
    #[inline(always)]
    fn find(&self, hot: &[Hot], src: IpAddr, dest: u32, port: u16, h: u64) -> Result<usize, usize> {
        super::find_slot(&self.slots, h, |idx| hot.get(idx).is_some_and(|c| c.is(src, dest, port)))
    }

    /// The first slot [`ChannelTable::find`] reads for hash `h`.
    #[inline(always)]
    fn home(&self, h: u64) -> Option<&u64> {
        self.slots.get(h as usize & (self.slots.len() - 1))
    }

    /// The channel in the first slot for hash `h` when its tag matches
    /// (most often the channel of a key with that hash): a guess, to fetch
    /// its state ahead of [`ChannelTable::find`].
    #[inline(always)]
    fn peek(&self, h: u64) -> Option<usize> {
        let s = *self.home(h)?;
        (s != 0 && s >> 32 == h >> 32).then(|| (s as u32).wrapping_sub(1) as usize)
    }

    /// Records channel `idx` (not in the table yet) at `slot`, from `find`,
    /// growing the table to keep it at most half full.
    fn insert(&mut self, hot: &[Hot], slot: usize, idx: usize) {
        self.len += 1;
        if self.len * 2 > self.slots.len() {
            self.slots = vec![0; self.slots.len() * 2];
            for (i, c) in hot.iter().enumerate() {
                self.put(c, i);
            }
            return;
        }
        let Some(c) = hot.get(idx) else { return };
        let tag = self.hash(c.src, c.dest, c.port) >> 32;
        if let Some(s) = self.slots.get_mut(slot) {
            *s = tag << 32 | (idx as u64 + 1);
        }
    }

    /// Puts channel `idx` in its first free slot (while rebuilding).
    fn put(&mut self, c: &Hot, idx: usize) {
        let h = self.hash(c.src, c.dest, c.port);
        super::put_slot(&mut self.slots, h, idx);
    }
}

/// Folds records into per-channel state; [`Accumulator::finish`] turns it
/// into an [`Aggregate`] equal to what [`Aggregate::fold`] would build.
#[derive(Default)]
pub struct Accumulator {
    /// Destinations and traffic totals (its `channels` stay empty until `finish`).
    agg: Aggregate,
    table: ChannelTable,
    /// Per channel, by index: `hot`, `cold` and `times` are parallel.
    hot: Vec<Hot>,
    /// Boxed: a `Cold` is hundreds of bytes, and growing a vector of them
    /// inline copied them all each time (measured: more instructions than
    /// the boxes cost).
    #[allow(clippy::vec_box)]
    cold: Vec<Box<Cold>>,
    /// Each record's time is first appended to `staged` (channel index,
    /// ms): writing one list in order is cheap, while appending to the
    /// channel's own list would be a cache miss per record.
    /// [`Accumulator::flush`] sorts the staged times into channels.
    times: Vec<Times>,
    staged: Vec<(u32, i64)>,
    /// Buffers of [`Accumulator::flush`].
    ends: Vec<u32>,
    sorted: Vec<i64>,
    strings: Interner,
    /// By [`tail_slot`]: what the last record of a tail left for the next
    /// ones, so that they skip the destination's lookup by name, the
    /// comparison of their values and the search for credentials (empty
    /// until the first record with a tail).
    tails: Vec<TailFold>,
    /// Records folded through their tail's entry (for the tests).
    #[cfg(test)]
    tail_hits: usize,
}

/// Ids of a record's values, when its tail's entry gave them.
type Known = Option<[u16; FIELDS]>;

impl Accumulator {
    pub fn new() -> Accumulator {
        Accumulator::default()
    }

    /// Moves the staged times into their channels: a counting sort by
    /// channel (stable, so each channel sees its times in arrival order),
    /// then one append per channel that has any. The sort's buffers are
    /// kept from one flush to the next.
    fn flush(&mut self) {
        self.flush_with(false);
    }

    /// [`Accumulator::flush`], the appends `parallel` or on this thread.
    fn flush_with(&mut self, parallel: bool) {
        if self.staged.is_empty() {
            return;
        }
        // `ends[i + 1]` counts channel i's times, then the running sums
        // make `ends[i]` where channel i starts; the scatter advances it,
        // so that afterwards `ends[i]` is where channel i ends.
        let ends = &mut self.ends;
        ends.clear();
        ends.resize(self.times.len() + 1, 0);
        for &(id, _) in &self.staged {
            if let Some(c) = ends.get_mut(id as usize + 1) {
                *c += 1;
            }
        }
        let mut sum = 0;
        for c in ends.iter_mut() {
            sum += *c;
            *c = sum;
        }
        let sorted = &mut self.sorted;
        sorted.clear();
        sorted.resize(self.staged.len(), 0);
        for &(id, t) in &self.staged {
            if let Some(n) = ends.get_mut(id as usize) {
                if let Some(slot) = sorted.get_mut(*n as usize) {
                    *slot = t;
                }
                *n += 1;
            }
        }
        // Channel i's times are `sorted[ends[i - 1]..ends[i]]` (from 0 for the first).
        let append = |(i, times): (usize, &mut Times)| {
            let a = i.checked_sub(1).and_then(|j| ends.get(j)).copied().unwrap_or(0);
            let b = ends.get(i).copied().unwrap_or(a);
            if b > a {
                times.push_all(sorted.get(a as usize..b as usize).unwrap_or_default());
            }
        };
        if parallel {
            self.times.par_iter_mut().enumerate().for_each(append);
        } else {
            self.times.iter_mut().enumerate().for_each(append);
        }
        self.staged.clear();
    }

    /// The index of the channel of `key`, added if new.
    #[inline(always)]
    fn channel(&mut self, (src, dest, port, hash): Key, t: i64) -> usize {
        match self.table.find(&self.hot, src, dest, port, hash) {
            Ok(idx) => idx,
            Err(slot) => {
                let idx = self.hot.len();
                self.hot.push(Hot::new(src, dest, port, t));
                self.cold.push(Box::default());
                self.times.push(Times::default());
                self.table.insert(&self.hot, slot, idx);
                idx
            }
        }
    }

    /// Folds one record in.
    #[inline]
    pub fn fold(&mut self, r: &Record, nets: &Networks) {
        let Some((key, known)) = self.key(r, nets) else { return };
        let idx = self.channel(key, r.time_ms);
        self.update(idx, r, known);
    }

    /// The record's channel key (source, destination, port) and its hash,
    /// with its values' ids when its tail's entry has them; none when the
    /// record is not outbound traffic.
    #[inline(always)]
    fn key(&mut self, r: &Record, nets: &Networks) -> Option<(Key, Known)> {
        let (src, dest, port, known) = match self.tails.get(tail_slot(r.tail)).filter(|e| e.tail == r.tail && r.tail != 0) {
            Some(&TailFold { dest, port, ids, .. }) => {
                #[cfg(test)]
                {
                    self.tail_hits += 1;
                }
                (self.agg.source_to_external(r, nets)?, dest, port, Some(ids))
            }
            None => {
                let (src, dest) = self.agg.channel_of(r, nets)?;
                (src, dest, r.dst_port.unwrap_or(0), None)
            }
        };
        Some(((src, dest, port, self.table.hash(src, dest, port)), known))
    }

    /// Folds records in, as [`Accumulator::fold`] one after the other
    /// would, but in passes over up to [`BATCH`] records, so that their
    /// cache misses overlap instead of stalling one after the other: each
    /// record's channel key and a prefetch of its slot in the table; a
    /// look at each slot and a prefetch of the state of the channel found
    /// there; each channel's index (adding new channels); the updates.
    /// The passes that change anything go in record order, so channels are
    /// added and updated in the same order as by `fold`.
    pub fn fold_batch(&mut self, rs: &[Record], nets: &Networks) {
        for batch in rs.chunks(BATCH) {
            let mut keys = [None; BATCH];
            for (key, r) in keys.iter_mut().zip(batch) {
                *key = self.key(r, nets);
                if let Some(((.., hash), _)) = *key {
                    prefetch(self.table.home(hash));
                }
            }
            for &((.., hash), _) in keys.iter().flatten() {
                if let Some(c) = self.table.peek(hash) {
                    prefetch(self.hot.get(c));
                    prefetch(self.hot.get(c).map(|h| &h.last));
                    prefetch(self.cold.get(c));
                }
            }
            let mut idx = [None; BATCH];
            for ((i, key), r) in idx.iter_mut().zip(keys).zip(batch) {
                if let Some((key, known)) = key {
                    *i = Some((self.channel(key, r.time_ms), known));
                }
            }
            for (i, r) in idx.iter().zip(batch) {
                if let Some((c, known)) = *i {
                    self.update(c, r, known);
                }
            }
        }
    }

    /// Folds record `r` into channel `idx`; `known`: its values' ids, from
    /// its tail's entry.
    #[inline(always)]
    fn update(&mut self, idx: usize, r: &Record, known: Known) {
        let Some(h) = self.hot.get_mut(idx) else { return };
        let mut cold = self.cold.get_mut(idx).map(|c| &mut **c);
        self.staged.push((idx as u32, r.time_ms));
        let strings = &mut self.strings;
        let t = r.time_ms;
        h.first_ms = h.first_ms.min(t);
        h.last_ms = h.last_ms.max(t);
        bump(&mut h.connections, cold.as_deref_mut(), CONNECTIONS);
        if r.action == Action::Denied {
            bump(&mut h.denied, cold.as_deref_mut(), DENIED);
        }
        if let Some(b) = r.bytes_out {
            bump(&mut h.requests, cold.as_deref_mut(), REQUESTS);
            h.req_min = h.req_min.min(b);
            h.req_max = h.req_max.max(b);
            let (sum, carry) = h.bytes_out.overflowing_add(b);
            h.bytes_out = sum;
            let sq = u128::from(b) * u128::from(b);
            let (sumsq, c2) = h.sumsq_lo.overflowing_add(sq as u64);
            h.sumsq_lo = sumsq;
            let sq_hi = (sq >> 64) as u64 + u64::from(c2);
            if carry || sq_hi != 0 {
                if let Some(c) = cold.as_deref_mut() {
                    c.sum_hi = c.sum_hi.wrapping_add(u64::from(carry));
                    c.sumsq_hi = c.sumsq_hi.wrapping_add(sq_hi);
                }
            }
        }
        h.bytes_in += r.bytes_in.unwrap_or(0);
        // One call per field rather than a loop over them: the field
        // index is a constant in each, and the usual case, the channel's
        // previous value again, is one compare with the interned text.
        let [user, agent, service, method] = &mut h.last;
        match known {
            Some([u, a, sv, m]) => {
                if u != 0 {
                    note_id(user, u, USER, cold.as_deref_mut(), strings);
                }
                match a {
                    0 => bump(&mut h.no_agent, cold.as_deref_mut(), NO_AGENT),
                    a => note_id(agent, a, AGENT, cold.as_deref_mut(), strings),
                }
                if sv != 0 {
                    note_id(service, sv, SERVICE, cold.as_deref_mut(), strings);
                }
                if m != 0 {
                    note_id(method, m, METHOD, cold.as_deref_mut(), strings);
                }
            }
            None => {
                if let Some(v) = r.user.as_deref() {
                    note(user, v, USER, cold.as_deref_mut(), strings);
                }
                match r.user_agent.as_deref() {
                    Some(v) => note(agent, v, AGENT, cold.as_deref_mut(), strings),
                    None => bump(&mut h.no_agent, cold.as_deref_mut(), NO_AGENT),
                }
                if let Some(v) = r.service.as_deref() {
                    note(service, v, SERVICE, cold.as_deref_mut(), strings);
                }
                if let Some(v) = r.method.as_deref() {
                    note(method, v, METHOD, cold.as_deref_mut(), strings);
                }
            }
        }
        if let Some(ip) = r.dst_ip {
            if h.last_dst != Some(ip) {
                h.last_dst = Some(ip);
                if let Some(c) = cold.as_deref_mut() {
                    let ips = &mut c.dst_ips;
                    if let Err(i) = ips.binary_search(&ip) {
                        if i < SET_CAP {
                            ips.insert(i, ip);
                            ips.truncate(SET_CAP);
                        }
                    }
                }
            }
        }
        h.schemes |= 1 << (r.scheme as u8);
        h.protos |= 1 << (r.proto as u8);
        if r.url_query {
            bump(&mut h.with_query, cold.as_deref_mut(), WITH_QUERY);
        }
        // A tail's records have the same URL: when its entry exists, the
        // URL had no credential.
        if known.is_none() {
            match super::credential_param(r) {
                Some(param) => {
                    if let Some(c) = cold {
                        c.credential_params.insert(&param);
                        c.credential_hits += 1;
                        c.credential_first_ms = Some(c.credential_first_ms.map_or(t, |f| f.min(t)));
                    }
                }
                None if r.tail != 0 => {
                    let (dest, port) = (h.dest, h.port);
                    if let Some(ids) = ids_of(r, strings) {
                        if self.tails.is_empty() {
                            self.tails = vec![TailFold::default(); TAILS];
                        }
                        if let Some(e) = self.tails.get_mut(tail_slot(r.tail)) {
                            *e = TailFold {
                                tail: r.tail,
                                dest,
                                port,
                                ids,
                            };
                        }
                    }
                }
                None => {}
            }
        }
        if self.staged.len() >= STAGE {
            self.flush();
        }
    }

    /// The folded state as an [`Aggregate`].
    pub fn finish(self) -> Aggregate {
        self.finish_with(false)
    }

    /// [`Accumulator::finish`] with the channels built in parallel, for a
    /// caller on a thread of the rayon pool (the scan of a whole file: its
    /// last worker finishes its accumulator while the others, done, would
    /// wait). Not from other threads: one that blocks the pool's threads
    /// while they wait for it would deadlock.
    pub fn finish_parallel(self) -> Aggregate {
        self.finish_with(true)
    }

    fn finish_with(mut self, parallel: bool) -> Aggregate {
        self.flush_with(parallel);
        let Accumulator {
            mut agg,
            hot,
            cold,
            times,
            strings,
            ..
        } = self;
        let build = |((h, c), times): ((Hot, Box<Cold>), Times)| channel_stats(h, *c, times, &strings);
        let channels: Vec<(ChannelKey, Box<ChannelStats>)> = if parallel {
            hot.into_par_iter().zip(cold).zip(times).map(build).collect()
        } else {
            hot.into_iter().zip(cold).zip(times).map(build).collect()
        };
        agg.channels.reserve(channels.len());
        agg.channels.extend(channels);
        agg
    }
}

/// A channel's key and statistics from its parts in an [`Accumulator`].
fn channel_stats(h: Hot, c: Cold, times: Times, strings: &Interner) -> (ChannelKey, Box<ChannelStats>) {
    let connections = wide(h.connections, &c, CONNECTIONS);
    let denied = wide(h.denied, &c, DENIED);
    let n = wide(h.requests, &c, REQUESTS);
    let req_sizes = Moments {
        n,
        sum: u128::from(c.sum_hi) << 64 | u128::from(h.bytes_out),
        sumsq: u128::from(c.sumsq_hi) << 64 | u128::from(h.sumsq_lo),
        min: if n == 0 { 0 } else { h.req_min },
        max: h.req_max,
    };
    let no_agent = wide(h.no_agent, &c, NO_AGENT);
    let with_query = wide(h.with_query, &c, WITH_QUERY);
    let Cold {
        sets,
        dst_ips,
        credential_params,
        credential_hits,
        credential_first_ms,
        ..
    } = c;
    let [users, agents, services, methods] = sets.map(|s| s.into_set(strings));
    let stats = ChannelStats {
        connections,
        allowed: connections - denied,
        denied,
        bytes_out: h.bytes_out,
        bytes_in: h.bytes_in,
        first_ms: h.first_ms,
        last_ms: h.last_ms,
        times,
        req_sizes,
        users,
        agents,
        no_agent,
        services,
        methods,
        dst_ips: dst_ips.into_iter().collect(),
        schemes: h.schemes,
        protos: h.protos,
        with_query,
        credential_params,
        credential_hits,
        credential_first_ms,
    };
    let key = ChannelKey {
        src: h.src,
        dest: h.dest,
        port: h.port,
    };
    (key, Box::new(stats))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::borrow::Cow;

    fn records() -> Vec<Record<'static>> {
        let mut v = Vec::new();
        for i in 0..3000i64 {
            let mut r = Record {
                time_ms: (i * 7919) % 500_000 * 1000,
                src_ip: format!("10.0.{}.{}", i % 3, i % 7).parse().ok(),
                dst_host: (i % 5 != 0).then(|| Cow::Owned(format!("h{}.example", i % 11))),
                dst_ip: format!("203.0.113.{}", i % 40).parse().ok(),
                dst_port: Some(if i % 4 == 0 { 80 } else { 443 }),
                bytes_out: (i % 6 != 0).then_some(i as u64 * 13 % 997),
                bytes_in: Some(i as u64),
                action: if i % 9 == 0 { Action::Denied } else { Action::Allowed },
                user: (i % 2 == 0).then(|| Cow::Owned(format!("u{}", i % 37))),
                user_agent: (i % 3 != 0).then(|| Cow::Owned(format!("agent/{}", i % 150))),
                method: Some(Cow::Borrowed(if i % 5 == 0 { "POST" } else { "GET" })),
                service: Some(Cow::Borrowed("https")),
                ..Record::default()
            };
            if i % 10 == 0 {
                r.url = Some(Cow::Owned(format!("https://h.example/x?token=s{i}")));
                r.url_query = true;
            }
            v.push(r);
        }
        // One channel with more agents than a channel keeps ids for, in an
        // order that makes the trimming drop and re-add values.
        for i in 0..400i64 {
            v.push(Record {
                time_ms: i * 1000,
                src_ip: "10.9.9.9".parse().ok(),
                dst_host: Some(Cow::Borrowed("many.example")),
                dst_port: Some(443),
                user_agent: Some(Cow::Owned(format!("agent/{}", (i * 37) % 300))),
                dst_ip: format!("198.51.100.{}", (i * 11) % 60).parse().ok(),
                ..Record::default()
            });
        }
        v
    }

    fn json(a: Aggregate) -> String {
        serde_json::to_string(&a.canonical()).unwrap_or_default()
    }

    #[test]
    fn same_aggregate_as_the_reference_fold() {
        let nets = Networks::default();
        let recs = records();
        let mut reference = Aggregate::new();
        let mut acc = Accumulator::new();
        for r in &recs {
            reference.fold(r, &nets);
            acc.fold(r, &nets);
        }
        let got = acc.finish();
        assert!(got.channels.values().any(|c| c.agents.truncated), "the test must overflow a set");
        assert_eq!(json(got), json(reference));
    }

    #[test]
    fn same_aggregate_when_the_interner_is_full() {
        let nets = Networks::default();
        let mut acc = Accumulator::new();
        for i in 0..INTERN_CAP as u32 {
            let _ = acc.strings.id(&format!("filler{i}"));
        }
        let mut reference = Aggregate::new();
        for r in &records() {
            reference.fold(r, &nets);
            acc.fold(r, &nets);
        }
        assert_eq!(json(acc.finish()), json(reference));
    }

    #[test]
    fn batches_of_any_size_fold_as_one_record_at_a_time() {
        // Both record sets: channels added within a batch, repeated within
        // a batch, records that are not channels (no source, internal
        // destinations), a table that grows in the middle of a batch.
        let nets = Networks::default();
        let mut recs = records();
        recs.extend((0..3000i64).map(|i| Record {
            time_ms: i * 1000,
            src_ip: (i % 13 != 0).then(|| format!("10.2.{}.{}", i % 97, i % 5).parse().ok()).flatten(),
            dst_host: Some(Cow::Owned(format!("n{}.example", i % 301))),
            dst_ip: format!("{}.0.0.1", if i % 17 == 0 { 10 } else { 198 }).parse().ok(),
            dst_port: Some(443),
            ..Record::default()
        }));
        let mut one = Accumulator::new();
        for r in &recs {
            one.fold(r, &nets);
        }
        let want = json(one.finish());
        let mut rng = crate::synth::rng::Rng::new(5);
        for _ in 0..4 {
            assert_eq!(json(in_random_batches(&recs, &nets, &mut rng)), want);
        }
    }

    /// `recs` folded by `fold_batch` in batches of random sizes, from
    /// empty to a little over two batches.
    fn in_random_batches(recs: &[Record], nets: &Networks, rng: &mut crate::synth::rng::Rng) -> Aggregate {
        let mut acc = Accumulator::new();
        let mut rest = recs;
        while !rest.is_empty() {
            let n = (rng.below(2 * BATCH as u64 + 2) as usize).min(rest.len());
            acc.fold_batch(&rest[..n], nets);
            rest = &rest[n..];
        }
        acc.finish()
    }

    /// `recs` with tails as a parser would tag them: one tag per distinct
    /// set of tail fields.
    fn tagged(recs: &[Record<'static>]) -> Vec<Record<'static>> {
        let mut tags = std::collections::HashMap::new();
        recs.iter()
            .map(|r| {
                let n = tags.len() as u64;
                let tail = *tags.entry(format!("{:?}", r.tail_fields())).or_insert(n + 1);
                Record { tail, ..r.clone() }
            })
            .collect()
    }

    #[test]
    fn records_with_tails_fold_as_their_fields_do() {
        // The reference fold sees no tails. Besides `records()`: tails
        // shared by internal and external sources and by records without
        // a source, tails of internal destinations, credentials in URLs,
        // more tails than the cache has entries.
        let nets = Networks::parse("10.0.0.0/8").unwrap_or_default();
        let mut recs = records();
        recs.extend((0..12_000i64).map(|i| Record {
            time_ms: i * 1000,
            src_ip: match i % 7 {
                0 => None,
                1 => "192.0.2.1".parse().ok(),
                _ => format!("10.3.{}.{}", i % 5, i % 3).parse().ok(),
            },
            dst_host: Some(Cow::Owned(format!("t{}.example", i % 60))),
            dst_ip: format!("{}.0.0.{}", if i % 11 == 0 { 10 } else { 198 }, i % 5).parse().ok(),
            dst_port: Some(443),
            user_agent: (i % 4 != 0).then(|| Cow::Owned(format!("job/{}", i % 3))),
            url: (i % 13 == 0).then(|| Cow::Owned(format!("https://t.example/?api_key=k{}", i % 2))),
            url_query: i % 13 == 0,
            ..Record::default()
        }));
        let recs_tagged = tagged(&recs);
        let mut reference = Aggregate::new();
        for r in &recs {
            reference.fold(r, &nets);
        }
        let want = json(reference);
        let mut one = Accumulator::new();
        for r in &recs_tagged {
            one.fold(r, &nets);
        }
        assert!(one.tail_hits > 10_000, "{} of {} through the cache", one.tail_hits, recs.len());
        assert_eq!(json(one.finish()), want);
        let mut rng = crate::synth::rng::Rng::new(9);
        assert_eq!(json(in_random_batches(&recs_tagged, &nets, &mut rng)), want);
        // With the interner full, values are not interned and tails are
        // not cached.
        let mut full = Accumulator::new();
        for i in 0..INTERN_CAP as u32 {
            let _ = full.strings.id(&format!("filler{i}"));
        }
        for r in &recs_tagged {
            full.fold(r, &nets);
        }
        assert_eq!(json(full.finish()), want);
    }

    #[test]
    fn same_aggregate_with_many_channels_and_ipv6_sources() {
        // Enough channels to grow the table several times, with sources of
        // both families (including a v4-mapped v6 address, distinct from
        // the v4 one) and colliding ports and destinations.
        let nets = Networks::parse("10.0.0.0/8,fd00::/8,::ffff:10.0.0.0/104").unwrap_or_default();
        let mut recs = Vec::new();
        for i in 0..20_000i64 {
            let src = match i % 3 {
                0 => format!("10.1.{}.{}", i % 50, i % 7),
                1 => format!("fd00::{:x}", i % 40),
                _ => format!("::ffff:10.1.{}.{}", i % 50, i % 7),
            };
            recs.push(Record {
                time_ms: i * 500,
                src_ip: src.parse().ok(),
                dst_host: (i % 4 != 0).then(|| Cow::Owned(format!("H{}.Example.", i % 23))),
                dst_ip: format!("198.51.100.{}", i % 30).parse().ok(),
                dst_port: (i % 9 != 0).then_some((i % 5) as u16),
                bytes_out: Some(i as u64),
                user_agent: Some(Cow::Borrowed("a")),
                ..Record::default()
            });
        }
        // Times out of order within and across flushes, which run far
        // more often than STAGE would make them.
        recs.iter_mut().step_by(7).for_each(|r| r.time_ms -= 3_000_000);
        let mut reference = Aggregate::new();
        let mut acc = Accumulator::new();
        for (i, r) in recs.iter().enumerate() {
            reference.fold(r, &nets);
            acc.fold(r, &nets);
            if i % 777 == 0 {
                acc.flush();
            }
        }
        assert!(acc.hot.len() > 2000, "{} channels", acc.hot.len());
        assert_eq!(json(acc.finish()), json(reference));
    }

    #[test]
    fn counters_and_sums_carry_past_their_hot_width() {
        let nets = Networks::default();
        let rec = |b: u64| Record {
            time_ms: 1000,
            src_ip: "10.0.0.1".parse().ok(),
            dst_host: Some(Cow::Borrowed("x.example")),
            bytes_out: Some(b),
            action: Action::Denied,
            url_query: true,
            ..Record::default()
        };
        let mut acc = Accumulator::new();
        acc.fold(&rec(5), &nets);
        if let Some(h) = acc.hot.first_mut() {
            h.connections = u32::MAX;
            h.denied = u32::MAX;
            h.requests = u32::MAX;
            h.no_agent = u32::MAX;
            h.with_query = u32::MAX;
        }
        let big = 1u64 << 63;
        acc.fold(&rec(big), &nets);
        acc.fold(&rec(big), &nets);
        let agg = acc.finish();
        let c = agg.channels.values().next().expect("one channel");
        let wrapped = (1u64 << 32) + 1;
        assert_eq!((c.connections, c.denied, c.allowed), (wrapped, wrapped, 0));
        assert_eq!((c.no_agent, c.with_query, c.req_sizes.n), (wrapped, wrapped, wrapped));
        let b = u128::from(big);
        assert_eq!(c.req_sizes.sum, 5 + 2 * b);
        assert_eq!(c.req_sizes.sumsq, 25 + 2 * b * b);
        assert_eq!(c.bytes_out, (5 + 2 * b) as u64);
        assert_eq!((c.req_sizes.min, c.req_sizes.max), (5, big));
    }
}

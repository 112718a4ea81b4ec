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

use super::{Aggregate, CappedSet, ChannelKey, ChannelStats, Moments, Times, SET_CAP};
use crate::config::Networks;
use crate::record::{Action, Record};
use ahash::AHashMap;
use std::net::IpAddr;

/// Most distinct strings interned per accumulator.
pub const INTERN_CAP: usize = 1 << 16;
/// Ids a channel keeps per set before trimming to the [`SET_CAP`] smallest values.
pub const IDS_MAX: usize = 4 * SET_CAP;

/// Sets per channel: users, user agents, services, methods (the order of
/// the fields in [`Accumulator::fold`]).
const FIELDS: usize = 4;
const AGENT: usize = 1;
/// Times staged before they are sorted into their channels.
const STAGE: usize = 1 << 16;

/// Strings by id (ids start at 1; 0 means no value).
#[derive(Default)]
struct Interner {
    ids: AHashMap<Box<str>, u32>,
    strs: Vec<Box<str>>,
}

impl Interner {
    /// The id of `s`, interning it while there is room.
    #[inline]
    fn id(&mut self, s: &str) -> Option<u32> {
        if let Some(&id) = self.ids.get(s) {
            return Some(id);
        }
        if self.strs.len() >= INTERN_CAP {
            return None;
        }
        self.strs.push(s.into());
        let id = self.strs.len() as u32;
        self.ids.insert(s.into(), id);
        Some(id)
    }

    fn get(&self, id: u32) -> &str {
        id.checked_sub(1).and_then(|i| self.strs.get(i as usize)).map_or("", |s| &**s)
    }
}

/// The values of one field of one channel: interned ids, plus strings that
/// arrived after the interner was full.
#[derive(Default)]
struct ValueSet {
    ids: Vec<u32>,
    strs: CappedSet,
    trimmed: bool,
}

impl ValueSet {
    fn insert_id(&mut self, id: u32, strings: &Interner) {
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

/// What a channel needs only when something changes.
#[derive(Default)]
struct Cold {
    sets: [ValueSet; FIELDS],
    /// Sorted; the [`SET_CAP`] smallest.
    dst_ips: Vec<IpAddr>,
    credential_params: CappedSet,
    credential_hits: u64,
    credential_first_ms: Option<i64>,
}

/// What every record of a channel updates. It lives in the map's slot
/// beside its key, so finding a channel and updating it touch the same
/// cache lines.
struct Hot {
    /// Index of the channel's [`Times`] in [`Accumulator::times`].
    id: u32,
    connections: u64,
    denied: u64,
    bytes_out: u64,
    bytes_in: u64,
    first_ms: i64,
    last_ms: i64,
    no_agent: u64,
    with_query: u64,
    /// Last id seen per field (0: none yet).
    last: [u32; FIELDS],
    last_dst: Option<IpAddr>,
    schemes: u8,
    protos: u8,
    req_sizes: Moments,
    cold: Box<Cold>,
}

impl Hot {
    fn new(id: u32, t: i64) -> Hot {
        Hot {
            id,
            connections: 0,
            denied: 0,
            bytes_out: 0,
            bytes_in: 0,
            first_ms: t,
            last_ms: t,
            no_agent: 0,
            with_query: 0,
            last: [0; FIELDS],
            last_dst: None,
            schemes: 0,
            protos: 0,
            req_sizes: Moments::default(),
            cold: Box::default(),
        }
    }
}

/// Folds records into per-channel state; [`Accumulator::finish`] turns it
/// into an [`Aggregate`] equal to what [`Aggregate::fold`] would build.
#[derive(Default)]
pub struct Accumulator {
    /// Destinations and traffic totals (its `channels` stay empty until `finish`).
    agg: Aggregate,
    channels: AHashMap<ChannelKey, Hot>,
    /// Per channel, by [`Hot::id`]. Each record's time is first appended
    /// to `staged` (channel id, ms): writing one list in order is cheap,
    /// while appending to the channel's own list would be a cache miss per
    /// record. [`Accumulator::flush`] sorts the staged times into channels.
    times: Vec<Times>,
    staged: Vec<(u32, i64)>,
    strings: Interner,
}

impl Accumulator {
    pub fn new() -> Accumulator {
        Accumulator::default()
    }

    /// Moves the staged times into their channels: a counting sort by
    /// channel (stable, so each channel sees its times in arrival order),
    /// then one append per channel.
    fn flush(&mut self) {
        if self.staged.is_empty() {
            return;
        }
        let mut start = vec![0u32; self.times.len() + 1];
        for &(id, _) in &self.staged {
            if let Some(c) = start.get_mut(id as usize + 1) {
                *c += 1;
            }
        }
        for i in 1..start.len() {
            let prev = start.get(i - 1).copied().unwrap_or(0);
            if let Some(c) = start.get_mut(i) {
                *c += prev;
            }
        }
        let mut sorted = vec![0i64; self.staged.len()];
        let mut next = start.clone();
        for &(id, t) in &self.staged {
            if let Some(n) = next.get_mut(id as usize) {
                if let Some(slot) = sorted.get_mut(*n as usize) {
                    *slot = t;
                }
                *n += 1;
            }
        }
        for (id, times) in self.times.iter_mut().enumerate() {
            let (Some(&a), Some(&b)) = (start.get(id), start.get(id + 1)) else {
                continue;
            };
            times.push_all(sorted.get(a as usize..b as usize).unwrap_or_default());
        }
        self.staged.clear();
    }

    /// Folds one record in.
    #[inline]
    pub fn fold(&mut self, r: &Record, nets: &Networks) {
        let Some((src, dest)) = self.agg.channel_of(r, nets) else { return };
        let key = ChannelKey {
            src,
            dest,
            port: r.dst_port.unwrap_or(0),
        };
        let h = match self.channels.entry(key) {
            std::collections::hash_map::Entry::Occupied(e) => e.into_mut(),
            std::collections::hash_map::Entry::Vacant(e) => {
                let id = self.times.len() as u32;
                self.times.push(Times::default());
                e.insert(Hot::new(id, r.time_ms))
            }
        };
        self.staged.push((h.id, r.time_ms));
        let strings = &mut self.strings;
        let t = r.time_ms;
        h.first_ms = h.first_ms.min(t);
        h.last_ms = h.last_ms.max(t);
        h.connections += 1;
        if r.action == Action::Denied {
            h.denied += 1;
        }
        if let Some(b) = r.bytes_out {
            h.bytes_out += b;
            h.req_sizes.add(b);
        }
        h.bytes_in += r.bytes_in.unwrap_or(0);
        let fields = [&r.user, &r.user_agent, &r.service, &r.method];
        for (k, v) in fields.into_iter().enumerate() {
            let Some(v) = v.as_deref() else {
                if k == AGENT {
                    h.no_agent += 1;
                }
                continue;
            };
            let Some(last) = h.last.get_mut(k) else { continue };
            // The usual case, the channel's previous value again: one
            // compare with the interned text, no hashing.
            if *last != 0 && strings.get(*last) == v {
                continue;
            }
            let Some(set) = h.cold.sets.get_mut(k) else { continue };
            match strings.id(v) {
                Some(id) if id == *last => {}
                Some(id) => {
                    *last = id;
                    set.insert_id(id, strings);
                }
                None => set.strs.insert(v),
            }
        }
        if let Some(ip) = r.dst_ip {
            if h.last_dst != Some(ip) {
                h.last_dst = Some(ip);
                let ips = &mut h.cold.dst_ips;
                if let Err(i) = ips.binary_search(&ip) {
                    if i < SET_CAP {
                        ips.insert(i, ip);
                        ips.truncate(SET_CAP);
                    }
                }
            }
        }
        h.schemes |= 1 << (r.scheme as u8);
        h.protos |= 1 << (r.proto as u8);
        if r.url_query {
            h.with_query += 1;
        }
        if let Some(param) = super::credential_param(r) {
            let c = &mut h.cold;
            c.credential_params.insert(&param);
            c.credential_hits += 1;
            c.credential_first_ms = Some(c.credential_first_ms.map_or(t, |f| f.min(t)));
        }
        if self.staged.len() >= STAGE {
            self.flush();
        }
    }

    /// The folded state as an [`Aggregate`].
    pub fn finish(mut self) -> Aggregate {
        self.flush();
        let Accumulator {
            mut agg,
            channels,
            mut times,
            strings,
            ..
        } = self;
        agg.channels.reserve(channels.len());
        for (key, h) in channels {
            let Cold {
                sets,
                dst_ips,
                credential_params,
                credential_hits,
                credential_first_ms,
            } = *h.cold;
            let [users, agents, services, methods] = sets.map(|s| s.into_set(&strings));
            let stats = ChannelStats {
                connections: h.connections,
                allowed: h.connections - h.denied,
                denied: h.denied,
                bytes_out: h.bytes_out,
                bytes_in: h.bytes_in,
                first_ms: h.first_ms,
                last_ms: h.last_ms,
                times: times.get_mut(h.id as usize).map(std::mem::take).unwrap_or_default(),
                req_sizes: h.req_sizes,
                users,
                agents,
                no_agent: h.no_agent,
                services,
                methods,
                dst_ips: dst_ips.into_iter().collect(),
                schemes: h.schemes,
                protos: h.protos,
                with_query: h.with_query,
                credential_params,
                credential_hits,
                credential_first_ms,
            };
            agg.channels.insert(key, Box::new(stats));
        }
        agg
    }
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
}

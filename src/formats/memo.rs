//! A small cache from byte strings to what parsing them gave.
//!
//! Machine-to-machine traffic repeats itself: the same request for the
//! same URL with the same agent, every few minutes, from many hosts. A
//! parser whose result for part of a line depends only on that part's
//! bytes can look the part up here instead of parsing it again. A lookup
//! compares the whole key, so a hit gives exactly what parsing would.
//!
//! The cache is direct-mapped (one slot per hash value, a new key evicts
//! the old one) and belongs to one worker thread. When the keys of a log
//! hardly ever repeat, it turns itself off for a while, so such a log pays
//! little more than the parse.

use super::bits::load_upto8;
use crate::prefetch::prefetch;
use std::num::NonZeroU64;
use std::sync::atomic::{AtomicU64, Ordering};

/// Slots of a [`Memo`]: a power of two. A Squid log's tails drift: the
/// generated 2 GB log has 1,900 and 3,000 distinct tails in its first and
/// last 20 MB, 16,000 in its first 400 MB. On 100 MB from its middle,
/// 2,048 slots missed 5.7% of the lines (2,590 instructions a line), 8,192
/// slots 3.4% (2,536) and 16,384 slots 2.7% (2,519); 8,192 keep the keys
/// at 2 MB a worker.
pub const SLOTS: usize = 8192;
/// Longest key kept: longer ones are parsed every time.
pub const MAX_KEY: usize = 256;
/// The hit rate is checked every `WINDOW` lookups ...
const WINDOW: u32 = 4096;
/// ... and below one hit in four, the memo is off for `PAUSE` lookups.
const PAUSE: u32 = 1 << 16;

/// Byte strings (at most [`MAX_KEY`] long) and their values.
pub struct Memo<T> {
    slots: Vec<Slot<T>>,
    /// Slot i's key is at `i * MAX_KEY`: its place is known before the
    /// slot is read, so that both can be fetched at once.
    keys: Vec<u8>,
    /// Lookups and hits since the hit rate was last checked.
    tries: u32,
    hits: u32,
    /// Lookups left to pass by while the memo is off.
    off: u32,
    /// The next tag to give, and how many of the memo's block of tags
    /// are left.
    next_tag: u64,
    tags_left: u64,
}

struct Slot<T> {
    hash: u64,
    len: u16,
    /// The value's tag (see [`Memo::get`]); 0 while the slot is empty.
    tag: u64,
    value: Option<T>,
}

/// The start of the next block of tags: one counter for every memo of the
/// process, so that tags are unique across threads and files.
static NEXT_TAG: AtomicU64 = AtomicU64::new(1);
/// Tags a memo takes from [`NEXT_TAG`] at a time. One at a time, every
/// miss of every thread wrote the same cache line, which then moved
/// between the cores.
const TAG_BLOCK: u64 = 1 << 16;

/// A key's slot, from [`Memo::probe`]: to look the key up with
/// [`Memo::get`], and to store its value with [`Memo::put`] on a miss.
#[derive(Debug, Clone, Copy)]
pub struct Probe {
    slot: usize,
    hash: u64,
}

impl<T> Default for Memo<T> {
    fn default() -> Self {
        Memo {
            slots: (0..SLOTS)
                .map(|_| Slot {
                    hash: 0,
                    len: 0,
                    tag: 0,
                    value: None,
                })
                .collect(),
            keys: vec![0; SLOTS * MAX_KEY],
            tries: 0,
            hits: 0,
            off: 0,
            next_tag: 0,
            tags_left: 0,
        }
    }
}

impl<T> Memo<T> {
    /// The slot of `key`, whose memory is asked for now (a caller with
    /// other work to do before [`Memo::get`] hides the wait); none when the
    /// key is not looked up (too long, or the memo is off).
    #[inline]
    pub fn probe(&mut self, key: &[u8]) -> Option<Probe> {
        if self.off > 0 {
            self.off -= 1;
            return None;
        }
        if key.len() > MAX_KEY {
            return None;
        }
        self.tries += 1;
        if self.tries == WINDOW {
            if self.hits < WINDOW / 4 {
                self.off = PAUSE;
            }
            self.tries = 0;
            self.hits = 0;
        }
        let hash = hash(key);
        let slot = (hash >> 32) as usize & (SLOTS - 1);
        prefetch(self.slots.get(slot));
        prefetch(self.keys.get(slot * MAX_KEY));
        prefetch(self.keys.get(slot * MAX_KEY + 64));
        Some(Probe { slot, hash })
    }

    /// The value stored for `key`, probed as `p`, with its tag: a number
    /// given to the value when it was stored, never given again in the
    /// process (so equal tags mean equal keys).
    #[inline]
    pub fn get(&mut self, p: Probe, key: &[u8]) -> Option<(&T, NonZeroU64)> {
        let s = self.slots.get(p.slot)?;
        let at = p.slot * MAX_KEY;
        let same = s.hash == p.hash && usize::from(s.len) == key.len() && self.keys.get(at..at + key.len()) == Some(key);
        if same {
            self.hits += 1;
        }
        let value = s.value.as_ref().filter(|_| same)?;
        Some((value, NonZeroU64::new(s.tag)?))
    }

    /// Stores `value` for `key`, probed as `p`; its tag, none when `key`
    /// could not be stored.
    pub fn put(&mut self, p: Probe, key: &[u8], value: T) -> Option<NonZeroU64> {
        let at = p.slot * MAX_KEY;
        let (Some(s), Some(k)) = (self.slots.get_mut(p.slot), self.keys.get_mut(at..at + key.len())) else {
            return None;
        };
        k.copy_from_slice(key);
        s.hash = p.hash;
        s.len = key.len() as u16;
        if self.tags_left == 0 {
            self.next_tag = NEXT_TAG.fetch_add(TAG_BLOCK, Ordering::Relaxed);
            self.tags_left = TAG_BLOCK;
        }
        s.tag = self.next_tag;
        self.next_tag += 1;
        self.tags_left -= 1;
        s.value = Some(value);
        NonZeroU64::new(s.tag)
    }
}

/// A hash of `key` read eight bytes at a time. Not keyed: a log crafted
/// to collide only makes the memo miss, and misses turn it off.
#[inline]
fn hash(key: &[u8]) -> u64 {
    const K: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut h = key.len() as u64;
    let mut words = key.chunks_exact(8);
    for w in &mut words {
        let w = u64::from_le_bytes(w.try_into().unwrap_or_default());
        h = (h ^ w).wrapping_mul(K).rotate_left(29);
    }
    h = (h ^ load_upto8(words.remainder())).wrapping_mul(K);
    h ^ h >> 29
}

/// What a function gives for short texts (up to sixteen bytes), for the
/// fields a log repeats on every line with few values: a few thousand
/// clients, a few dozen result codes, in millions of lines. Comparing two
/// words costs less than parsing the text again. Longer texts are parsed
/// every time. Direct-mapped, like [`Memo`], with `SLOTS` slots (a power
/// of two).
pub struct ShortMemo<T, const SLOTS: usize> {
    slots: Vec<ShortSlot<T>>,
}

#[derive(Clone, Copy)]
struct ShortSlot<T> {
    /// The text, zero-padded, and its length.
    words: [u64; 2],
    len: usize,
    /// None while the slot is empty (no value is at hand before the
    /// first text: `T` need not have a default).
    value: Option<T>,
}

impl<T: Copy, const SLOTS: usize> Default for ShortMemo<T, SLOTS> {
    fn default() -> Self {
        const { assert!(SLOTS.is_power_of_two() && SLOTS >= 2) };
        ShortMemo {
            slots: vec![
                ShortSlot {
                    words: [0; 2],
                    len: 0,
                    value: None,
                };
                SLOTS
            ],
        }
    }
}

impl<T: Copy, const SLOTS: usize> ShortMemo<T, SLOTS> {
    /// What `parse` gives for `b`: `parse` must depend on `b` alone.
    #[inline(always)]
    pub fn get(&mut self, b: &[u8], parse: impl FnOnce(&[u8]) -> T) -> T {
        let n = b.len();
        if n == 0 || n > 16 {
            return parse(b);
        }
        let words = [load_upto8(b.get(..8).unwrap_or(b)), load_upto8(b.get(8..).unwrap_or_default())];
        let h = (words[0] ^ words[1].rotate_left(29) ^ n as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15);
        let Some(slot) = self.slots.get_mut((h >> (64 - SLOTS.trailing_zeros())) as usize) else {
            return parse(b);
        };
        if let Some(v) = slot.value.filter(|_| slot.len == n && slot.words == words) {
            return v;
        }
        let value = parse(b);
        *slot = ShortSlot {
            words,
            len: n,
            value: Some(value),
        };
        value
    }
}

/// What [`super::parse_ip`] gave for the client field a proxy logs on
/// every line: 4,096 texts (every IPv4 address, short IPv6 ones).
pub type IpMemo = ShortMemo<Option<std::net::IpAddr>, 4096>;

#[cfg(test)]
mod tests {
    use super::*;

    /// A lookup as the Squid parser makes it: probe, get, put on a miss.
    fn look(m: &mut Memo<usize>, key: &[u8], value: usize) -> Option<usize> {
        let p = m.probe(key)?;
        if let Some((&v, _)) = m.get(p, key) {
            return Some(v);
        }
        m.put(p, key, value);
        None
    }

    #[test]
    fn ip_memo_gives_what_the_parse_gives() {
        let mut m = IpMemo::default();
        let mut rng = crate::synth::rng::Rng::new(3);
        let pieces: &[&str] = &[
            "10",
            "0",
            "255",
            "256",
            "01",
            "1",
            ".",
            ":",
            "::",
            "fe80",
            "a",
            "]",
            "[",
            "",
            "192.168.100.200",
        ];
        for _ in 0..50_000 {
            let n = rng.below(8) as usize;
            let text: String = (0..n).map(|_| *rng.pick(pieces)).collect();
            let b = text.as_bytes();
            assert_eq!(m.get(b, super::super::parse_ip), super::super::parse_ip(b), "{text:?}");
        }
        // Texts that differ only past their length, or in their second word.
        for t in [
            "10.0.0.1",
            "10.0.0.12",
            "10.0.0.1\0",
            "10.20.30.40",
            "10.20.30.41",
            "2001:db8::1",
            "2001:db8::2",
        ] {
            for _ in 0..2 {
                assert_eq!(
                    m.get(t.as_bytes(), super::super::parse_ip),
                    super::super::parse_ip(t.as_bytes()),
                    "{t:?}"
                );
            }
        }
    }

    #[test]
    fn a_tag_names_one_stored_value() {
        let mut m: Memo<usize> = Memo::default();
        let mut other: Memo<usize> = Memo::default();
        let p = m.probe(b"GET /a").unwrap();
        let t1 = m.put(p, b"GET /a", 1).unwrap();
        assert_eq!(m.get(p, b"GET /a").map(|(&v, t)| (v, t)), Some((1, t1)));
        assert_eq!(m.get(p, b"GET /a").map(|(_, t)| t), Some(t1), "the same tag on every hit");
        // Storing again, even the same key and value, gives a new tag; so
        // does another memo.
        let t2 = m.put(p, b"GET /a", 1).unwrap();
        assert_ne!(t1, t2);
        let q = other.probe(b"GET /a").unwrap();
        let t3 = other.put(q, b"GET /a", 1).unwrap();
        assert!(t3 != t1 && t3 != t2);
        assert_eq!(m.get(p, b"GET /b"), None);
    }

    #[test]
    fn tags_stay_unique_past_a_block_of_them() {
        let (mut a, mut b): (Memo<usize>, Memo<usize>) = (Memo::default(), Memo::default());
        let mut seen = std::collections::HashSet::new();
        for i in 0..TAG_BLOCK as usize + 10 {
            for m in [&mut a, &mut b] {
                let p = m.probe(b"k").unwrap_or(Probe { slot: 0, hash: 0 });
                let t = m.put(p, b"k", i).unwrap();
                assert!(seen.insert(t), "tag {t} given twice");
            }
        }
    }

    #[test]
    fn hits_only_the_same_bytes() {
        let mut m: Memo<usize> = Memo::default();
        let keys: Vec<Vec<u8>> = (0..600).map(|i| format!("CONNECT host{i}.example:443 - -").into_bytes()).collect();
        for (i, k) in keys.iter().enumerate() {
            assert_eq!(look(&mut m, k, i), None, "hit before any put");
        }
        // Every hit is the value stored for those very bytes; with 600
        // keys some share a slot, and the one put first misses.
        let (mut hits, mut misses) = (0, 0);
        for (i, k) in keys.iter().enumerate() {
            match look(&mut m, k, i) {
                Some(v) => {
                    assert_eq!(v, i);
                    hits += 1;
                }
                None => misses += 1,
            }
        }
        assert!(hits > 0 && misses > 0, "{hits} {misses}");
        // A key one byte different, one byte longer or shorter misses
        // (and takes the slot).
        let mut k = keys[599].clone();
        assert_eq!(look(&mut m, &k, 0), Some(599));
        k.push(b' ');
        assert_eq!(look(&mut m, &k, 1), None);
        k.truncate(k.len() - 2);
        assert_eq!(look(&mut m, &k, 2), None);
        let last = k.len() - 1;
        k[last] ^= 1;
        assert_eq!(look(&mut m, &k, 3), None);
        assert_eq!(look(&mut m, &k, 4), Some(3));
    }

    #[test]
    fn long_keys_are_not_kept() {
        let mut m: Memo<usize> = Memo::default();
        let k = vec![b'a'; MAX_KEY + 1];
        assert!(m.probe(&k).is_none());
        assert_eq!(look(&mut m, &k[..MAX_KEY], 7), None);
        assert_eq!(look(&mut m, &k[..MAX_KEY], 8), Some(7));
    }

    #[test]
    fn turns_itself_off_when_keys_do_not_repeat_and_on_again() {
        let mut m: Memo<usize> = Memo::default();
        for i in 0..WINDOW {
            assert!(m.probe(format!("k{i}").as_bytes()).is_some(), "{i}");
        }
        // No hit in a whole window: the next PAUSE lookups pass by.
        for _ in 0..PAUSE {
            assert!(m.probe(b"k1").is_none());
        }
        assert!(m.probe(b"k1").is_some(), "on again");
    }
}

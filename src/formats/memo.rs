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

/// Slots of a [`Memo`]: a power of two.
const SLOTS: usize = 2048;
/// Longest key kept: longer ones are parsed every time.
pub const MAX_KEY: usize = 256;
/// The hit rate is checked every `WINDOW` lookups ...
const WINDOW: u32 = 4096;
/// ... and below one hit in four, the memo is off for `PAUSE` lookups.
const PAUSE: u32 = 1 << 16;

/// Byte strings (at most [`MAX_KEY`] long) and their values.
pub struct Memo<T> {
    slots: Vec<Slot<T>>,
    /// Lookups and hits since the hit rate was last checked.
    tries: u32,
    hits: u32,
    /// Lookups left to pass by while the memo is off.
    off: u32,
}

struct Slot<T> {
    hash: u64,
    key: Vec<u8>,
    value: Option<T>,
}

/// Where a missed key's value goes: from [`Memo::get`] to [`Memo::put`].
#[derive(Debug, Clone, Copy)]
pub struct Ticket {
    slot: usize,
    hash: u64,
}

impl<T> Default for Memo<T> {
    fn default() -> Self {
        Memo {
            slots: (0..SLOTS)
                .map(|_| Slot {
                    hash: 0,
                    key: Vec::new(),
                    value: None,
                })
                .collect(),
            tries: 0,
            hits: 0,
            off: 0,
        }
    }
}

impl<T> Memo<T> {
    /// The value stored for `key`; otherwise a ticket to store it with
    /// [`Memo::put`], or none when the key is not to be stored (too long,
    /// or the memo is off).
    #[inline]
    pub fn get(&mut self, key: &[u8]) -> Result<&T, Option<Ticket>> {
        if self.off > 0 {
            self.off -= 1;
            return Err(None);
        }
        if key.len() > MAX_KEY {
            return Err(None);
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
        let i = (hash >> 32) as usize & (SLOTS - 1);
        match self.slots.get(i) {
            Some(Slot {
                hash: h,
                key: k,
                value: Some(v),
            }) if *h == hash && k.as_slice() == key => {
                self.hits += 1;
                Ok(v)
            }
            _ => Err(Some(Ticket { slot: i, hash })),
        }
    }

    /// Stores `value` for `key`, the key the ticket was given for.
    pub fn put(&mut self, ticket: Ticket, key: &[u8], value: T) {
        if let Some(s) = self.slots.get_mut(ticket.slot) {
            s.hash = ticket.hash;
            s.key.clear();
            s.key.extend_from_slice(key);
            s.value = Some(value);
        }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hits_only_the_same_bytes() {
        let mut m: Memo<usize> = Memo::default();
        let keys: Vec<Vec<u8>> = (0..600).map(|i| format!("CONNECT host{i}.example:443 - -").into_bytes()).collect();
        for (i, k) in keys.iter().enumerate() {
            match m.get(k) {
                Ok(_) => panic!("hit before any put"),
                Err(t) => m.put(t.expect("a ticket"), k, i),
            }
        }
        // Every hit is the value stored for those very bytes; with 600
        // keys some share a slot, and the one put first misses.
        let (mut hits, mut misses) = (0, 0);
        for (i, k) in keys.iter().enumerate() {
            match m.get(k) {
                Ok(&v) => {
                    assert_eq!(v, i);
                    hits += 1;
                }
                Err(_) => misses += 1,
            }
        }
        assert!(hits > 0 && misses > 0, "{hits} {misses}");
        // A key one byte different, or one byte longer, misses.
        let mut k = keys[599].clone();
        assert!(m.get(&k).is_ok());
        k.push(b' ');
        assert!(m.get(&k).is_err());
        let last = k.len() - 2;
        k.truncate(last + 1);
        k[last] ^= 1;
        assert!(m.get(&k).is_err());
    }

    #[test]
    fn long_keys_are_not_kept() {
        let mut m: Memo<u8> = Memo::default();
        let k = vec![b'a'; MAX_KEY + 1];
        assert!(matches!(m.get(&k), Err(None)));
        assert!(matches!(m.get(&k[..MAX_KEY]), Err(Some(_))));
    }

    #[test]
    fn turns_itself_off_when_keys_do_not_repeat_and_on_again() {
        let mut m: Memo<u8> = Memo::default();
        for i in 0..WINDOW {
            let k = format!("k{i}");
            match m.get(k.as_bytes()) {
                Err(Some(t)) => m.put(t, k.as_bytes(), 0),
                other => panic!("{i}: {:?}", other.map(|_| ())),
            }
        }
        // No hit in a whole window: the next PAUSE lookups pass by.
        for _ in 0..PAUSE {
            assert!(matches!(m.get(b"k1"), Err(None)));
        }
        assert!(!matches!(m.get(b"k1"), Err(None)), "on again");
    }
}

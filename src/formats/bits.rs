//! Where given bytes are in a short text, as one bit per byte.
//!
//! Splitting a log line means finding the next separator, quote or escape
//! again and again. A [`BitIndex`] finds all of them in one pass, sixteen
//! bytes at a time with SSE2 (part of every x86-64 target; a portable
//! eight-byte version elsewhere), after which each search is a shift and a
//! count of trailing zeros.

/// The bytes a [`BitIndex`] flags: up to four exact values, and every byte
/// below `below` (0 for none).
#[derive(Debug, Clone, Copy)]
pub struct ByteSet {
    pub any: [u8; 4],
    pub below: u8,
}

/// Longest text that gets an index.
pub const INDEX_BYTES: usize = 4096;
const WORDS: usize = INDEX_BYTES / 64;

/// Bit `i` set when byte `i` of the text is in the [`ByteSet`].
pub struct BitIndex {
    bits: [u64; WORDS],
}

impl BitIndex {
    /// `None` for texts longer than [`INDEX_BYTES`].
    pub fn build(text: &[u8], set: ByteSet) -> Option<BitIndex> {
        if text.len() > INDEX_BYTES {
            return None;
        }
        let mut bits = [0u64; WORDS];
        let mut blocks = text.chunks_exact(16);
        for (i, block) in (&mut blocks).enumerate() {
            let mut b = [0u8; 16];
            b.copy_from_slice(block);
            *bits.get_mut(i / 4)? |= u64::from(flags16(&b, set)) << ((i % 4) * 16);
        }
        let rem = blocks.remainder();
        if !rem.is_empty() {
            // Padded with 0xff, which is never flagged (sets are ASCII).
            let mut b = [0xffu8; 16];
            b.get_mut(..rem.len())?.copy_from_slice(rem);
            let i = text.len() / 16;
            *bits.get_mut(i / 4)? |= u64::from(flags16(&b, set)) << ((i % 4) * 16);
        }
        Some(BitIndex { bits })
    }

    /// First flagged position at or after `from`.
    #[inline(always)]
    pub fn next_at(&self, from: usize) -> Option<usize> {
        let mut w = from / 64;
        let mut m = self.bits.get(w)? & (u64::MAX << (from % 64));
        loop {
            if m != 0 {
                return Some(w * 64 + m.trailing_zeros() as usize);
            }
            w += 1;
            m = *self.bits.get(w)?;
        }
    }
}

/// Bit k set when byte k of `b` is in `set`.
#[cfg(target_arch = "x86_64")]
#[inline(always)]
fn flags16(b: &[u8; 16], set: ByteSet) -> u32 {
    use std::arch::x86_64::*;
    let [a0, a1, a2, a3] = set.any.map(|c| c as i8);
    // SAFETY: SSE2 is always available on x86-64, and the unaligned load
    // reads exactly the sixteen bytes of `b`.
    unsafe {
        let v = _mm_loadu_si128(b.as_ptr().cast());
        // Unsigned c < below exactly when min(c, below - 1) == c.
        let low = match set.below.checked_sub(1) {
            Some(max) => _mm_cmpeq_epi8(_mm_min_epu8(v, _mm_set1_epi8(max as i8)), v),
            None => _mm_setzero_si128(),
        };
        let e0 = _mm_cmpeq_epi8(v, _mm_set1_epi8(a0));
        let e1 = _mm_cmpeq_epi8(v, _mm_set1_epi8(a1));
        let e2 = _mm_cmpeq_epi8(v, _mm_set1_epi8(a2));
        let e3 = _mm_cmpeq_epi8(v, _mm_set1_epi8(a3));
        let any = _mm_or_si128(_mm_or_si128(e0, e1), _mm_or_si128(e2, e3));
        _mm_movemask_epi8(_mm_or_si128(low, any)) as u32 & 0xffff
    }
}

/// Portable [`flags16`]: eight bytes at a time in a `u64`.
#[cfg(not(target_arch = "x86_64"))]
#[inline(always)]
fn flags16(b: &[u8; 16], set: ByteSet) -> u32 {
    let mut out = 0u32;
    for (k, half) in b.chunks_exact(8).enumerate() {
        let mut word = [0u8; 8];
        word.copy_from_slice(half);
        let x = u64::from_le_bytes(word);
        let mut m = below(x, set.below);
        for c in set.any {
            m |= zero_bytes(x ^ LO.wrapping_mul(u64::from(c)));
        }
        // The high bit of byte j moves to bit j of the top byte (the
        // products of distinct bits land on distinct bits: no carries).
        let packed = (m >> 7).wrapping_mul(0x0102_0408_1020_4080) >> 56;
        out |= (packed as u32) << (k * 8);
    }
    out
}

/// Bit k set when byte k of `b` equals `c`.
#[inline(always)]
pub fn eq16(b: &[u8; 16], c: u8) -> u32 {
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::x86_64::*;
        // SAFETY: SSE2 is always available on x86-64, and the unaligned
        // load reads exactly the sixteen bytes of `b`.
        unsafe {
            let v = _mm_loadu_si128(b.as_ptr().cast());
            _mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8(c as i8))) as u32 & 0xffff
        }
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        flags16(b, ByteSet { any: [c; 4], below: 0 })
    }
}

/// Bit k set when byte `at + k` of `s` is `c`, for the 64 bytes from `at`
/// (bytes past the end of `s` are not set). The last, partial block is
/// read as the last sixteen bytes of `s`, shifted past the bytes already
/// seen; a text shorter than sixteen bytes is read as two padded words.
#[inline(always)]
pub fn eq64(s: &[u8], at: usize, c: u8) -> u64 {
    let n = s.len();
    if n < 16 {
        let mut b = [0u8; 16];
        b[..8].copy_from_slice(&load_upto8(s.get(..8).unwrap_or(s)).to_le_bytes());
        b[8..].copy_from_slice(&load_upto8(s.get(8..).unwrap_or_default()).to_le_bytes());
        let valid = (1u32 << n) - 1;
        return u64::from((eq16(&b, c) & valid) >> at.min(16));
    }
    let mut m = 0u64;
    for k in 0..4 {
        let from = at + 16 * k;
        if from + 16 <= n {
            m |= u64::from(eq16(&block16(s.get(from..).unwrap_or_default()), c)) << (16 * k);
        } else {
            if from < n && n >= 16 {
                let tail = eq16(&block16(s.get(n - 16..).unwrap_or_default()), c) >> (16 - (n - from));
                m |= u64::from(tail) << (16 * k);
            }
            break;
        }
    }
    m
}

/// The first sixteen bytes of `s` (which must have that many).
#[inline(always)]
pub fn block16(s: &[u8]) -> [u8; 16] {
    let mut b = [0u8; 16];
    if let Some(h) = s.get(..16) {
        b.copy_from_slice(h);
    }
    b
}

/// Up to eight bytes as a little-endian word, zero-padded, without a
/// byte loop: two overlapping four-byte loads, or three single bytes.
#[inline(always)]
pub fn load_upto8(s: &[u8]) -> u64 {
    let n = s.len().min(8);
    let byte = |i: usize| u64::from(s.get(i).copied().unwrap_or(0));
    let word4 = |i: usize| {
        let mut w = [0u8; 4];
        if let Some(b) = s.get(i..i + 4) {
            w.copy_from_slice(b);
        }
        u64::from(u32::from_le_bytes(w))
    };
    match n {
        0 => 0,
        1..=3 => byte(0) | byte(n / 2) << (n / 2 * 8) | byte(n - 1) << ((n - 1) * 8),
        _ => word4(0) | word4(n - 4) << ((n - 4) * 8),
    }
}

/// Position of the first `c` in `s`, which is at most eight bytes long.
#[inline(always)]
pub fn find_upto8(c: u8, s: &[u8]) -> Option<usize> {
    let n = s.len().min(8);
    let x = load_upto8(s) ^ LO.wrapping_mul(u64::from(c));
    let valid = if n == 8 { u64::MAX } else { (1u64 << (n * 8)) - 1 };
    let m = zero_bytes(x) & valid;
    (m != 0).then(|| (m.trailing_zeros() / 8) as usize)
}

pub(crate) const LO: u64 = 0x0101_0101_0101_0101;
const LOW7: u64 = 0x7f7f_7f7f_7f7f_7f7f;
const HI: u64 = 0x8080_8080_8080_8080;

/// High bit set in each byte of `x` that is zero, exactly (no borrow
/// crosses bytes, unlike the shorter `(x - LO) & !x & HI`).
#[inline(always)]
pub(crate) fn zero_bytes(x: u64) -> u64 {
    !(((x & LOW7) + LOW7) | x | LOW7)
}

/// High bit set in each byte of `x` below `n` (at most 0x80). An ASCII
/// byte c is below n when (c & 0x7f) + (0x80 - n) stays below 0x80; bytes
/// from 0x80 up carry their own high bit and never flag.
#[inline(always)]
pub(crate) fn below(x: u64, n: u8) -> u64 {
    let n = u64::from(n.min(0x80));
    !(((x & LOW7) + (0x80 - n) * LO) | x) & HI
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn eq64_flags_the_byte_in_the_window() {
        let text: Vec<u8> = (0..200u32)
            .map(|i| if (i * 7 + i / 3) % 5 == 0 { b'"' } else { b'a' + (i % 7) as u8 })
            .collect();
        for len in 0..text.len() {
            let s = &text[..len];
            for at in (0..len.max(1)).step_by(7).chain([0]) {
                let want = (0..64).filter(|k| s.get(at + k) == Some(&b'"')).fold(0u64, |m, k| m | 1 << k);
                assert_eq!(eq64(s, at, b'"'), want, "len {len} at {at}");
            }
        }
    }

    #[test]
    fn index_flags_exactly_the_set() {
        let set = ByteSet {
            any: [b'=', b',', b'\\', b'"'],
            below: 0x24,
        };
        let text: Vec<u8> = (0..300u32).map(|i| ((i * 37 + i / 7) % 256) as u8).collect();
        for len in [0, 1, 15, 16, 17, 63, 64, 65, 200, 300] {
            let t = &text[..len];
            let ix = BitIndex::build(t, set).unwrap();
            let want: Vec<usize> = (0..len).filter(|&i| t[i] < 0x24 || set.any.contains(&t[i])).collect();
            let mut got = Vec::new();
            let mut at = 0;
            while let Some(i) = ix.next_at(at) {
                got.push(i);
                at = i + 1;
            }
            assert_eq!(got, want, "len {len}");
        }
        assert!(BitIndex::build(&[b'a'; INDEX_BYTES + 1], set).is_none());
        for x in [0u64, u64::MAX, 0x2324_2500_8019_7f20] {
            let want = x
                .to_le_bytes()
                .iter()
                .enumerate()
                .fold(0u64, |m, (k, &c)| m | (u64::from(c < 0x24) << (8 * k + 7)));
            assert_eq!(below(x, 0x24), want);
        }
    }
}

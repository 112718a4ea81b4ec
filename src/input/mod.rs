//! Reading inputs: memory-mapped files, plain reads, stdin and compressed
//! streams (.gz, .zst, recognised by their magic bytes, not their names).
//!
//! All `unsafe` mapping lives here. A mapped file that shrinks while mapped
//! makes the process fault (SIGBUS), which is what `copytruncate` log
//! rotation does to the live log. seam therefore maps only files that have not
//! been modified for [`QUIET_SECS`] seconds and reads the others; `--no-mmap`
//! reads everything.

pub mod chunk;
pub mod framing;

use std::fs::File;
use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::time::SystemTime;

/// A file modified more recently than this is read, not mapped.
pub const QUIET_SECS: u64 = 60;

/// Size of the blocks a stream is read in.
pub const STREAM_BLOCK: usize = 8 << 20;

/// Where bytes come from.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Source {
    File(PathBuf),
    Stdin,
}

impl Source {
    pub fn display(&self) -> String {
        match self {
            Source::File(p) => p.display().to_string(),
            Source::Stdin => "-".to_string(),
        }
    }
}

/// Compression recognised from the first bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Compression {
    None,
    Gzip,
    Zstd,
}

impl Compression {
    pub fn sniff(head: &[u8]) -> Compression {
        match head {
            [0x1f, 0x8b, ..] => Compression::Gzip,
            [0x28, 0xb5, 0x2f, 0xfd, ..] => Compression::Zstd,
            _ => Compression::None,
        }
    }
}

/// The whole content of a plain file, memory-mapped. (Files that are not
/// mapped are read as a stream, in blocks.)
pub struct Whole(memmap2::Mmap);

/// Mappings at least this large are unmapped on a thread of their own.
const UNMAP_APART: usize = 64 << 20;

impl Whole {
    /// Gives the mapping back. Unmapping tears down a page table entry per
    /// 4 KiB page that was read, 73 ms for a 2 GB log on the benchmark
    /// machine, on one core while the other waited; nothing after the
    /// scan reads the file, so a large mapping is unmapped on a thread of
    /// its own while fingerprinting goes on. (If the process ends first,
    /// the kernel unmaps the rest.) Returns that thread, if any.
    pub fn release(self) -> Option<std::thread::JoinHandle<()>> {
        if self.0.len() < UNMAP_APART {
            return None;
        }
        let map = self.0;
        // Should the thread not start, the mapping is dropped with the closure here.
        std::thread::Builder::new().name("seam-unmap".into()).spawn(move || drop(map)).ok()
    }
}

impl std::ops::Deref for Whole {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        &self.0
    }
}

/// An opened input.
pub enum Opened {
    /// A plain file, all of it addressable at once.
    Whole(Whole),
    /// A stream (stdin or a decompressor), read block by block.
    Stream(Box<dyn Read + Send>, Compression),
}

/// What we know of an input besides its bytes.
#[derive(Debug, Clone, Copy, Default)]
pub struct Meta {
    /// Modification time, seconds since the epoch (used for syslog years).
    pub mtime: Option<i64>,
}

/// Opens `src`. Plain files are mapped unless `no_mmap` is set, the file is
/// still being written, or mapping fails (then they are read). Streams
/// advance `progress` by the bytes they read from the file (compressed
/// bytes, so that the total is the files' sizes); whole files are counted
/// by the scan as it parses them.
pub fn open(src: &Source, no_mmap: bool, progress: &indicatif::ProgressBar) -> io::Result<(Opened, Meta)> {
    let path = match src {
        Source::Stdin => {
            let stdin = Counted {
                inner: io::stdin(),
                progress: progress.clone(),
            };
            return Ok((Opened::Stream(Box::new(stdin), Compression::None), Meta::default()));
        }
        Source::File(p) => p,
    };
    let mut file = File::open(path)?;
    let md = file.metadata()?;
    let mtime = md.modified().ok().and_then(|t| t.duration_since(SystemTime::UNIX_EPOCH).ok());
    let meta = Meta {
        mtime: mtime.map(|d| d.as_secs() as i64),
    };
    let mut magic = [0u8; 4];
    let n = read_up_to(&mut file, &mut magic)?;
    let comp = Compression::sniff(magic.get(..n).unwrap_or_default());
    if comp != Compression::None {
        let file = Counted {
            inner: File::open(path)?,
            progress: progress.clone(),
        };
        return Ok((
            Opened::Stream(decoder(Box::new(io::BufReader::with_capacity(1 << 20, file)), comp)?, comp),
            meta,
        ));
    }
    let quiet = mtime.is_some_and(|m| {
        SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .map(|now| now.as_secs().saturating_sub(m.as_secs()) >= QUIET_SECS)
            .unwrap_or(false)
    });
    if !no_mmap && quiet && md.is_file() && md.len() > 0 {
        // SAFETY: the map is read-only and lives as long as `Whole`. The
        // file could still be truncated by another process, which would
        // fault; we only map files that have been quiet for QUIET_SECS, and
        // `--no-mmap` avoids mapping altogether.
        if let Ok(m) = unsafe { memmap2::Mmap::map(&file) } {
            return Ok((Opened::Whole(Whole(m)), meta));
        }
    }
    // Read as a stream, in blocks: memory stays bounded whatever the size.
    let file = Counted {
        inner: File::open(path)?,
        progress: progress.clone(),
    };
    Ok((Opened::Stream(Box::new(file), Compression::None), meta))
}

/// A reader that advances a progress bar by what it reads.
struct Counted<R> {
    inner: R,
    progress: indicatif::ProgressBar,
}

impl<R: Read> Read for Counted<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.progress.inc(n as u64);
        Ok(n)
    }
}

/// Wraps a reader in the decoder for `comp`.
pub fn decoder(r: Box<dyn Read + Send>, comp: Compression) -> io::Result<Box<dyn Read + Send>> {
    Ok(match comp {
        Compression::None => r,
        Compression::Gzip => Box::new(flate2::read::MultiGzDecoder::new(r)),
        Compression::Zstd => Box::new(zstd::stream::read::Decoder::new(r)?),
    })
}

fn read_up_to(r: &mut impl Read, buf: &mut [u8]) -> io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match r.read(buf.get_mut(n..).unwrap_or_default()) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(n)
}

/// Reads a stream in blocks that end at a line boundary.
pub struct Blocks {
    inner: Box<dyn Read + Send>,
    carry: Vec<u8>,
    done: bool,
    block: usize,
}

impl Blocks {
    pub fn new(inner: Box<dyn Read + Send>, block: usize) -> Blocks {
        Blocks {
            inner,
            carry: Vec::new(),
            done: false,
            block: block.max(1),
        }
    }

    /// The next block of whole lines (the last block may end without a
    /// newline); `None` at the end of the stream.
    pub fn next_block(&mut self) -> io::Result<Option<Vec<u8>>> {
        if self.done {
            return Ok(None);
        }
        let mut buf = std::mem::take(&mut self.carry);
        loop {
            let want = buf.len() + self.block;
            buf.reserve(self.block);
            let start = buf.len();
            buf.resize(want, 0);
            let n = read_up_to(&mut self.inner, buf.get_mut(start..).unwrap_or_default())?;
            buf.truncate(start + n);
            if n == 0 {
                self.done = true;
                return Ok(if buf.is_empty() { None } else { Some(buf) });
            }
            let cut = chunk::last_line_end(&buf);
            if cut > 0 {
                self.carry = buf.split_off(cut);
                return Ok(Some(buf));
            }
            // No newline yet: a very long line; keep reading.
        }
    }
}

/// Expands paths: folders are walked recursively in sorted order, hidden
/// entries (names starting with `.`) skipped; `-` is stdin.
pub fn expand(paths: &[PathBuf]) -> io::Result<Vec<Source>> {
    let mut out = Vec::new();
    for p in paths {
        if p.as_os_str() == "-" {
            out.push(Source::Stdin);
        } else if p.is_dir() {
            walk(p, &mut out).map_err(|e| io::Error::new(e.kind(), format!("{}: {e}", p.display())))?;
        } else {
            out.push(Source::File(p.clone()));
        }
    }
    Ok(out)
}

fn walk(dir: &Path, out: &mut Vec<Source>) -> io::Result<()> {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)?
        .filter_map(|e| e.ok())
        .filter(|e| !e.file_name().to_string_lossy().starts_with('.'))
        .map(|e| e.path())
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            walk(&p, out)?;
        } else if p.is_file() {
            out.push(Source::File(p));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn large_mappings_are_unmapped_on_a_thread_of_their_own() {
        let dir = tempfile::tempdir().unwrap();
        let map = |len: usize| {
            let path = dir.path().join(format!("log-{len}"));
            let file = File::create(&path).unwrap();
            // Sparse: the mapping reads as zeros, no disk is written.
            file.set_len(len as u64).unwrap();
            Whole(unsafe { memmap2::Mmap::map(&File::open(&path).unwrap()) }.unwrap())
        };
        let small = map(UNMAP_APART - 1);
        assert_eq!(small.last(), Some(&0));
        assert!(small.release().is_none());
        let large = map(UNMAP_APART);
        assert_eq!(large.first(), Some(&0));
        let thread = large.release().expect("an unmapping thread");
        assert_eq!(thread.thread().name(), Some("seam-unmap"));
        thread.join().unwrap();
    }

    #[test]
    fn blocks_end_on_line_boundaries() {
        let data = b"one\ntwo\nthree-is-long\nfour".to_vec();
        let mut b = Blocks::new(Box::new(io::Cursor::new(data.clone())), 5);
        let mut all = Vec::new();
        while let Some(block) = b.next_block().unwrap() {
            if block.len() < data.len() && !b.done {
                assert_eq!(block.last(), Some(&b'\n'));
            }
            all.extend(block);
        }
        assert_eq!(all, data);
    }

    #[test]
    fn magic_bytes() {
        assert_eq!(Compression::sniff(&[0x1f, 0x8b, 8, 0]), Compression::Gzip);
        assert_eq!(Compression::sniff(&[0x28, 0xb5, 0x2f, 0xfd]), Compression::Zstd);
        assert_eq!(Compression::sniff(b"1700"), Compression::None);
    }
}

//! String interning: users, apps, IPs and countries repeat on every row, so
//! each distinct string is stored once and rows hold 4-byte [`Sym`]s.

use std::hash::{BuildHasher, Hash};

use hashbrown::HashTable;
use rustc_hash::FxBuildHasher;

/// An interned string. `Sym::EMPTY` (0) is the empty string: absent values
/// and empty values are the same thing in the model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Sym(pub u32);

impl Sym {
    pub const EMPTY: Sym = Sym(0);

    pub fn is_empty(self) -> bool {
        self.0 == 0
    }
}

/// Stores each distinct string once, in one growing arena.
#[derive(Clone)]
pub struct Interner {
    arena: String,
    /// End offset in `arena` of each string, indexed by `Sym`; a string
    /// starts where the previous one ends.
    ends: Vec<usize>,
    table: HashTable<u32>,
    hasher: FxBuildHasher,
}

impl Default for Interner {
    fn default() -> Self {
        Interner::new()
    }
}

impl std::fmt::Debug for Interner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Interner({} strings, {} bytes)", self.ends.len(), self.arena.len())
    }
}

#[inline]
fn slice<'a>(arena: &'a str, ends: &[usize], idx: u32) -> &'a str {
    let i = idx as usize;
    let start = if i == 0 { 0 } else { ends[i - 1] };
    &arena[start..ends[i]]
}

/// Byte equality eight bytes at a time: in WebAssembly `==` on slices calls
/// a `memcmp` that compares byte by byte, and interning compares strings
/// millions of times.
#[inline]
pub(crate) fn same_bytes(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let (a8, b8) = (a.chunks_exact(8), b.chunks_exact(8));
    let (ra, rb) = (a8.remainder(), b8.remainder());
    a8.zip(b8).all(|(x, y)| {
        u64::from_ne_bytes([x[0], x[1], x[2], x[3], x[4], x[5], x[6], x[7]])
            == u64::from_ne_bytes([y[0], y[1], y[2], y[3], y[4], y[5], y[6], y[7]])
    }) && ra == rb
}

/// The bytes of a string, for comparing (no character-boundary checks:
/// every string starts and ends on one).
#[inline]
fn bytes<'a>(arena: &'a str, ends: &[usize], idx: u32) -> &'a [u8] {
    let i = idx as usize;
    let start = if i == 0 { 0 } else { ends.get(i - 1).copied().unwrap_or(0) };
    let end = ends.get(i).copied().unwrap_or(start);
    arena.as_bytes().get(start..end).unwrap_or(&[])
}

impl Interner {
    pub fn new() -> Interner {
        Interner { arena: String::new(), ends: vec![0], table: HashTable::new(), hasher: FxBuildHasher }
    }

    #[inline]
    fn hash(hasher: &FxBuildHasher, s: &str) -> u64 {
        hasher.hash_one(s)
    }

    /// Interns `s`, returning its symbol.
    pub fn intern(&mut self, s: &str) -> Sym {
        if s.is_empty() {
            return Sym::EMPTY;
        }
        let hash = Self::hash(&self.hasher, s);
        let (arena, ends) = (&self.arena, &self.ends);
        if let Some(idx) = self.table.find(hash, |i| same_bytes(bytes(arena, ends, *i), s.as_bytes())) {
            return Sym(*idx);
        }
        let idx = self.ends.len() as u32;
        self.arena.push_str(s);
        self.ends.push(self.arena.len());
        let (arena, ends, hasher) = (&self.arena, &self.ends, &self.hasher);
        self.table.insert_unique(hash, idx, |i| Self::hash(hasher, slice(arena, ends, *i)));
        Sym(idx)
    }

    /// Makes room for `additional` more strings (of about `bytes` in all),
    /// so a table about to grow by millions (unique token ids) grows once
    /// instead of rehashing at every doubling.
    pub fn reserve(&mut self, additional: usize, bytes: usize) {
        let (arena, ends, hasher) = (&self.arena, &self.ends, &self.hasher);
        self.table.reserve(additional, |i| Self::hash(hasher, slice(arena, ends, *i)));
        self.ends.reserve(additional);
        self.arena.reserve(bytes);
    }

    /// Looks a string up without interning it.
    pub fn get(&self, s: &str) -> Option<Sym> {
        if s.is_empty() {
            return Some(Sym::EMPTY);
        }
        let hash = Self::hash(&self.hasher, s);
        self.table.find(hash, |i| same_bytes(bytes(&self.arena, &self.ends, *i), s.as_bytes())).map(|i| Sym(*i))
    }

    #[inline]
    pub fn resolve(&self, sym: Sym) -> &str {
        slice(&self.arena, &self.ends, sym.0)
    }

    /// Whether `s` is (part of) a string held here: such a slice's place
    /// identifies its text for as long as nothing is interned.
    pub fn holds(&self, s: &str) -> bool {
        let (start, end) = (self.arena.as_ptr() as usize, self.arena.as_ptr() as usize + self.arena.len());
        let p = s.as_ptr() as usize;
        !s.is_empty() && p >= start && p + s.len() <= end
    }

    /// Number of distinct strings (including the empty string).
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ends.len() <= 1
    }

    /// Bytes held (arena plus tables), for memory reports.
    pub fn heap_bytes(&self) -> usize {
        self.arena.capacity() + self.ends.capacity() * std::mem::size_of::<usize>() + self.table.capacity() * 5
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_bytes_is_slice_equality() {
        let words = ["", "a", "abcdefg", "abcdefgh", "abcdefghi", "abcdefghijklmnop", "abcdefghijklmnoq", "abcdefghijklmnopq"];
        for a in words {
            for b in words {
                assert_eq!(same_bytes(a.as_bytes(), b.as_bytes()), a == b, "{a:?} {b:?}");
            }
        }
    }

    #[test]
    fn interning_is_stable_and_deduplicated() {
        let mut i = Interner::new();
        let a = i.intern("alice@contoso.com");
        let b = i.intern("bob@contoso.com");
        assert_ne!(a, b);
        assert_eq!(i.intern("alice@contoso.com"), a);
        assert_eq!(i.resolve(a), "alice@contoso.com");
        assert_eq!(i.intern(""), Sym::EMPTY);
        assert_eq!(i.get("bob@contoso.com"), Some(b));
        assert_eq!(i.get("carol"), None);
        for n in 0..10_000 {
            let s = format!("user{n}");
            let sym = i.intern(&s);
            assert_eq!(i.resolve(sym), s);
        }
        assert_eq!(i.len(), 10_003);
    }
}

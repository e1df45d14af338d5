//! Text decoding: an optional BOM, and UTF-16 (LE or BE, as PowerShell's
//! `Out-File` writes by default) transcoded to UTF-8 as chunks arrive.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    Utf8,
    Utf16Le,
    Utf16Be,
}

impl Encoding {
    pub fn name(self) -> &'static str {
        match self {
            Encoding::Utf8 => "UTF-8",
            Encoding::Utf16Le => "UTF-16 LE",
            Encoding::Utf16Be => "UTF-16 BE",
        }
    }
}

/// Detects the encoding from the first bytes; returns it and the BOM length.
pub fn detect(head: &[u8]) -> (Encoding, usize) {
    if head.starts_with(&[0xEF, 0xBB, 0xBF]) {
        return (Encoding::Utf8, 3);
    }
    if head.starts_with(&[0xFF, 0xFE]) {
        return (Encoding::Utf16Le, 2);
    }
    if head.starts_with(&[0xFE, 0xFF]) {
        return (Encoding::Utf16Be, 2);
    }
    // No BOM: ASCII text in UTF-16 has a zero in every other byte.
    if head.len() >= 4 {
        let n = head.len().min(512) & !1;
        let (mut even0, mut odd0) = (0usize, 0usize);
        for i in (0..n).step_by(2) {
            even0 += (head[i] == 0) as usize;
            odd0 += (head[i + 1] == 0) as usize;
        }
        let pairs = n / 2;
        if odd0 * 10 >= pairs * 8 && even0 * 10 <= pairs {
            return (Encoding::Utf16Le, 0);
        }
        if even0 * 10 >= pairs * 8 && odd0 * 10 <= pairs {
            return (Encoding::Utf16Be, 0);
        }
    }
    (Encoding::Utf8, 0)
}

/// Streaming UTF-16 → UTF-8. Keeps an odd byte and a pending high
/// surrogate across chunks; unpaired surrogates become U+FFFD.
#[derive(Debug)]
pub struct Utf16Decoder {
    le: bool,
    odd: Option<u8>,
    high: Option<u16>,
    pub replaced: u64,
}

impl Utf16Decoder {
    pub fn new(enc: Encoding) -> Utf16Decoder {
        Utf16Decoder { le: enc == Encoding::Utf16Le, odd: None, high: None, replaced: 0 }
    }

    fn push_char(out: &mut Vec<u8>, c: char) {
        let mut buf = [0u8; 4];
        out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
    }

    fn unit(&mut self, u: u16, out: &mut Vec<u8>) {
        if let Some(h) = self.high.take() {
            if (0xDC00..0xE000).contains(&u) {
                let c = 0x10000 + (((h as u32) - 0xD800) << 10) + (u as u32 - 0xDC00);
                Self::push_char(out, char::from_u32(c).unwrap_or('\u{FFFD}'));
                return;
            }
            self.replaced += 1;
            Self::push_char(out, '\u{FFFD}');
        }
        if (0xD800..0xDC00).contains(&u) {
            self.high = Some(u);
        } else if (0xDC00..0xE000).contains(&u) {
            self.replaced += 1;
            Self::push_char(out, '\u{FFFD}');
        } else if u < 0x80 {
            out.push(u as u8);
        } else {
            Self::push_char(out, char::from_u32(u as u32).unwrap_or('\u{FFFD}'));
        }
    }

    pub fn decode(&mut self, mut input: &[u8], out: &mut Vec<u8>) {
        if let Some(b0) = self.odd.take() {
            match input.split_first() {
                Some((&b1, rest)) => {
                    let u = if self.le { u16::from_le_bytes([b0, b1]) } else { u16::from_be_bytes([b0, b1]) };
                    self.unit(u, out);
                    input = rest;
                }
                None => {
                    self.odd = Some(b0);
                    return;
                }
            }
        }
        out.reserve(input.len() / 2 + 4);
        let mut pairs = input.chunks_exact(2);
        for p in &mut pairs {
            let u = if self.le { u16::from_le_bytes([p[0], p[1]]) } else { u16::from_be_bytes([p[0], p[1]]) };
            self.unit(u, out);
        }
        if let [b] = pairs.remainder() {
            self.odd = Some(*b);
        }
    }

    /// Flushes what is left at the end of the input.
    pub fn finish(&mut self, out: &mut Vec<u8>) {
        if self.high.take().is_some() || self.odd.take().is_some() {
            self.replaced += 1;
            Self::push_char(out, '\u{FFFD}');
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utf16(s: &str, le: bool, bom: bool) -> Vec<u8> {
        let mut v = Vec::new();
        if bom {
            v.extend_from_slice(if le { &[0xFF, 0xFE] } else { &[0xFE, 0xFF] });
        }
        for u in s.encode_utf16() {
            v.extend_from_slice(&if le { u.to_le_bytes() } else { u.to_be_bytes() });
        }
        v
    }

    #[test]
    fn utf16_any_chunking() {
        let text = "\"Date (UTC)\",\"User\"\r\n\"2025-01-01\",\"Zoë 😀 東京\"\r\n";
        for (le, bom) in [(true, true), (false, true), (true, false), (false, false)] {
            let bytes = utf16(text, le, bom);
            let (enc, skip) = detect(&bytes);
            assert_eq!(enc, if le { Encoding::Utf16Le } else { Encoding::Utf16Be });
            for chunk in [1, 3, 7, 1024] {
                let mut d = Utf16Decoder::new(enc);
                let mut out = Vec::new();
                for c in bytes[skip..].chunks(chunk) {
                    d.decode(c, &mut out);
                }
                d.finish(&mut out);
                assert_eq!(String::from_utf8(out).unwrap(), text);
                assert_eq!(d.replaced, 0);
            }
        }
        assert_eq!(detect(b"\xEF\xBB\xBF[1]"), (Encoding::Utf8, 3));
        assert_eq!(detect(b"[{\"a\":1}]"), (Encoding::Utf8, 0));
    }

    #[test]
    fn lone_surrogates_are_replaced() {
        let mut d = Utf16Decoder::new(Encoding::Utf16Le);
        let mut out = Vec::new();
        d.decode(&[0x00, 0xD8, 0x41, 0x00, 0x00, 0xDC], &mut out);
        d.finish(&mut out);
        assert_eq!(String::from_utf8(out).unwrap(), "\u{FFFD}A\u{FFFD}");
    }
}

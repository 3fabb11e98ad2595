//! Chart files as text.

use std::borrow::Cow;

/// `bytes` as UTF-8 text, invalid sequences replaced by U+FFFD (as Go's string conversion
/// would print them). Valid input (nearly always) is checked with `str::from_utf8`, which
/// reads ASCII a word at a time: several times faster than `String::from_utf8_lossy` on the
/// megabytes of CRDs and templates some charts carry.
pub fn lossy(bytes: &[u8]) -> Cow<'_, str> {
    match std::str::from_utf8(bytes) {
        Ok(s) => Cow::Borrowed(s),
        Err(_) => String::from_utf8_lossy(bytes),
    }
}

/// The same lines as [`str::lines`] (split at `\n`, a `\r` before it dropped, no empty
/// last line), found with memchr: `str::lines` costs ~100 instructions per line, which
/// adds up over the tens of thousands of lines of a big rendered chart.
pub fn lines(text: &str) -> impl Iterator<Item = &str> {
    let bytes = text.as_bytes();
    let mut start = 0;
    let mut newlines = memchr::memchr_iter(b'\n', bytes);
    std::iter::from_fn(move || {
        if start >= bytes.len() {
            return None;
        }
        let (end, newline) = match newlines.next() {
            Some(i) => (i, true),
            None => (bytes.len(), false),
        };
        // Both ends are at ASCII bytes (or the ends of the text): valid char boundaries.
        let line = &text[start..end];
        start = end + 1;
        // Only a `\r\n` ending loses its `\r`, as in `str::lines`.
        Some(match newline {
            true => line.strip_suffix('\r').unwrap_or(line),
            false => line,
        })
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn lines_like_std() {
        for text in [
            "",
            "\n",
            "a",
            "a\n",
            "a\nb",
            "a\r\nb\r\n",
            "\r\n",
            "a\n\nb\n\n",
            "\r",
            "a\r",
            "x\ry\n",
            "é\nü\r\n☺",
        ] {
            let ours: Vec<&str> = super::lines(text).collect();
            let std: Vec<&str> = text.lines().collect();
            assert_eq!(ours, std, "{text:?}");
        }
    }

    #[test]
    fn valid_borrowed_invalid_replaced() {
        assert!(matches!(
            super::lossy(b"a: 1"),
            std::borrow::Cow::Borrowed("a: 1")
        ));
        assert_eq!(super::lossy(b"a\xffb"), "a\u{fffd}b");
    }
}

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

#[cfg(test)]
mod tests {
    #[test]
    fn valid_borrowed_invalid_replaced() {
        assert!(matches!(super::lossy(b"a: 1"), std::borrow::Cow::Borrowed("a: 1")));
        assert_eq!(super::lossy(b"a\xffb"), "a\u{fffd}b");
    }
}

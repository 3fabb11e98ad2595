//! Randomness and the network: `randAlphaNum`, `randAlpha`, `randNumeric`, `randAscii`,
//! `randBytes`, `uuidv4`, `getHostByName`.
//!
//! Random values come from the operating system's generator, like Sprig's crypto-random
//! strings. Output differs on every render, as in Helm; tests check shape only.
//!
//! `getHostByName` never resolves anything: this library must not touch the network. It
//! returns an empty string, which is also what Helm returns unless run with `--enable-dns`.
//!
//! ```text
//! {{ randAlphaNum 16 | b64enc }}
//! {{ uuidv4 }}   -> e.g. 0c8f0d6e-35b4-4a5c-9f61-1d0f0ad6a2b9
//! ```
//!
//! # Functions
//! | call | result |
//! | --- | --- |
//! | `randAlphaNum 8`, `randAlpha 8`, `randNumeric 8`, `randAscii 8` | random strings of 8 characters |
//! | `randBytes 16` | 16 random bytes, base64 |
//! | `uuidv4` | a random version 4 UUID |
//! | `getHostByName "example.com"` | `""` |

use super::MAX_LEN;
use super::args::{exact, int, string};
use super::encoding::b64_encode;
use super::strings::random_below;
use crate::func::FuncMap;
use crate::value::Value;

const ALPHA: &str = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
const DIGITS: &str = "0123456789";

/// Fill `buf` from the OS generator; falls back to a time-seeded mix if the OS refuses.
pub(super) fn random_bytes(buf: &mut [u8]) {
    if getrandom::fill(buf).is_err() {
        for b in buf.iter_mut() {
            *b = random_below(256) as u8;
        }
    }
}

fn count_arg(name: &str, a: &[Value]) -> Result<usize, String> {
    exact(name, a, 1)?;
    let n = int(&a[0])?;
    if n > MAX_LEN as i64 {
        return Err(format!("{name}: {n} is more than {MAX_LEN}"));
    }
    // goutils returns an error for a negative count, which Sprig drops: the result is "".
    Ok(n.max(0) as usize)
}

fn random_string(count: usize, alphabet: &[char]) -> String {
    (0..count)
        .map(|_| alphabet[random_below(alphabet.len() as u64) as usize])
        .collect()
}

/// A random (version 4, RFC 4122 variant) UUID in lower-case hex with hyphens.
pub(super) fn uuid_v4() -> String {
    let mut b = [0u8; 16];
    random_bytes(&mut b);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h = super::encoding::hex(&b);
    format!(
        "{}-{}-{}-{}-{}",
        &h[..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..]
    )
}

pub(super) fn register(f: &mut FuncMap) {
    let sets: [(&str, String); 4] = [
        ("randAlphaNum", format!("{DIGITS}{ALPHA}")),
        ("randAlpha", ALPHA.to_string()),
        ("randNumeric", DIGITS.to_string()),
        ("randAscii", (32u8..127).map(char::from).collect()),
    ];
    for (name, set) in sets {
        let chars: Vec<char> = set.chars().collect();
        f.insert(name, move |a| {
            let n = count_arg(name, a)?;
            Ok(Value::from(random_string(n, &chars)))
        });
    }
    f.insert("randBytes", |a| {
        let n = count_arg("randBytes", a)?;
        let mut buf = vec![0u8; n];
        random_bytes(&mut buf);
        Ok(Value::from(b64_encode(&buf)))
    });
    f.insert("uuidv4", |a| {
        exact("uuidv4", a, 0)?;
        Ok(Value::from(uuid_v4()))
    });
    f.insert("getHostByName", |a| {
        exact("getHostByName", a, 1)?;
        string(&a[0])?;
        Ok(Value::str(""))
    });
}

#[cfg(test)]
mod tests {
    use super::super::testutil::*;

    fn all(name: &str, n: i64, ok: impl Fn(char) -> bool) {
        let out = render(name, &[i(n)]).unwrap();
        assert_eq!(out.chars().count(), n.max(0) as usize, "{name} {out:?}");
        assert!(out.chars().all(ok), "{name} {out:?}");
    }

    #[test]
    fn random_strings_have_the_right_shape() {
        all("randAlphaNum", 64, |c| c.is_ascii_alphanumeric());
        all("randAlpha", 64, |c| c.is_ascii_alphabetic());
        all("randNumeric", 64, |c| c.is_ascii_digit());
        all("randAscii", 64, |c| (' '..='~').contains(&c));
        all("randAlpha", 0, |_| true);
        all("randAlpha", -3, |_| true);
        assert_ne!(
            render("randAlphaNum", &[i(32)]).unwrap(),
            render("randAlphaNum", &[i(32)]).unwrap()
        );
        let b = render("randBytes", &[i(24)]).unwrap();
        assert_eq!(b.len(), 32);
        errors(&[("randAlpha", vec![f(3.0)], "expected int; got float64")]);
    }

    #[test]
    fn uuid_is_version_4() {
        let u = render("uuidv4", &[]).unwrap();
        let parts: Vec<&str> = u.split('-').collect();
        assert_eq!(
            parts.iter().map(|p| p.len()).collect::<Vec<_>>(),
            [8, 4, 4, 4, 12]
        );
        assert!(
            u.chars()
                .all(|c| c == '-' || c.is_ascii_hexdigit() && !c.is_ascii_uppercase())
        );
        assert!(parts[2].starts_with('4'));
        assert!(matches!(parts[3].as_bytes()[0], b'8' | b'9' | b'a' | b'b'));
    }

    #[test]
    fn no_network() {
        table(&[("getHostByName", vec![s("example.com")], "")]);
    }
}

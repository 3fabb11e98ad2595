//! Encodings and digests: `b64enc`, `b64dec`, `b32enc`, `b32dec`, `sha1sum`, `sha256sum`,
//! `sha512sum`, `adler32sum`.
//!
//! Like Sprig, a failed decode does not stop rendering: it returns Go's error text
//! (`illegal base64 data at input byte 4`) as the result. Decoded bytes that are not UTF-8
//! make a [`Value::BinaryString`], a Go string with those bytes: `len`, the encoders and the
//! digests see them (`randBytes 12 | b64dec | len` is 12, `b64dec | b64enc` round-trips);
//! printed, they show as U+FFFD.
//!
//! ```text
//! {{ .Values.password | b64enc }}
//! {{ include (print $.Template.BasePath "/configmap.yaml") . | sha256sum }}
//! ```
//!
//! # Functions
//! | call | result |
//! | --- | --- |
//! | `b64enc "hello"`, `b64dec "aGVsbG8="` | `aGVsbG8=`, `hello` |
//! | `b32enc "hello"`, `b32dec "NBSWY3DP"` | `NBSWY3DP`, `hello` |
//! | `sha1sum "hello"`, `sha256sum "hello"`, `sha512sum "hello"` | hex digests |
//! | `adler32sum "hello"` | `103547413` |

use sha1::Digest;

use super::args::{exact, string};

/// A Go `string` parameter as bytes (a binary string keeps its bytes).
fn string_bytes(v: &Value) -> Result<&[u8], String> {
    match v.go_bytes() {
        Some(b) => Ok(b),
        None => string(v).map(str::as_bytes),
    }
}
use crate::func::FuncMap;
use crate::value::Value;

const B64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const B32: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

pub(super) fn register(f: &mut FuncMap) {
    f.insert("b64enc", |a| {
        exact("b64enc", a, 1)?;
        Ok(Value::from(b64_encode(string_bytes(&a[0])?)))
    });
    f.insert("b64dec", |a| {
        exact("b64dec", a, 1)?;
        Ok(match b64_decode(string_bytes(&a[0])?) {
            Ok(b) => Value::from_go_bytes(b),
            Err(at) => Value::from(format!("illegal base64 data at input byte {at}")),
        })
    });
    f.insert("b32enc", |a| {
        exact("b32enc", a, 1)?;
        Ok(Value::from(b32_encode(string_bytes(&a[0])?)))
    });
    f.insert("b32dec", |a| {
        exact("b32dec", a, 1)?;
        Ok(match b32_decode(string_bytes(&a[0])?) {
            Ok(b) => Value::from_go_bytes(b),
            Err(at) => Value::from(format!("illegal base32 data at input byte {at}")),
        })
    });
    f.insert("sha1sum", |a| {
        exact("sha1sum", a, 1)?;
        Ok(Value::from(hex(&sha1::Sha1::digest(string_bytes(&a[0])?))))
    });
    f.insert("sha256sum", |a| {
        exact("sha256sum", a, 1)?;
        Ok(Value::from(hex(&sha2::Sha256::digest(string_bytes(
            &a[0],
        )?))))
    });
    f.insert("sha512sum", |a| {
        exact("sha512sum", a, 1)?;
        Ok(Value::from(hex(&sha2::Sha512::digest(string_bytes(
            &a[0],
        )?))))
    });
    f.insert("adler32sum", |a| {
        exact("adler32sum", a, 1)?;
        Ok(Value::from(adler32(string_bytes(&a[0])?).to_string()))
    });
}

pub(super) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn adler32(data: &[u8]) -> u32 {
    const MOD: u32 = 65521;
    let (mut a, mut b) = (1u32, 0u32);
    for chunk in data.chunks(5552) {
        for &x in chunk {
            a += u32::from(x);
            b += a;
        }
        a %= MOD;
        b %= MOD;
    }
    (b << 16) | a
}

/// Standard base64 with padding (Go's `base64.StdEncoding`).
pub(super) fn b64_encode(data: &[u8]) -> String {
    let mut out = String::with_capacity(data.len().div_ceil(3) * 4);
    for chunk in data.chunks(3) {
        let n = chunk.len();
        let v = (u32::from(chunk[0]) << 16)
            | (u32::from(*chunk.get(1).unwrap_or(&0)) << 8)
            | u32::from(*chunk.get(2).unwrap_or(&0));
        for k in 0..4 {
            if k <= n {
                out.push(B64[((v >> (18 - 6 * k)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// Go's `base64.StdEncoding.DecodeString`: padding required, CR and LF ignored; the error is
/// the input offset Go reports.
pub(super) fn b64_decode(src: &[u8]) -> Result<Vec<u8>, usize> {
    let val = |c: u8| B64.iter().position(|&x| x == c).map(|p| p as u32);
    let is_nl = |c: u8| c == b'\n' || c == b'\r';
    let mut out = Vec::with_capacity(src.len() / 4 * 3);
    let mut si = 0usize;
    loop {
        let mut buf = [0u32; 4];
        let mut j = 0usize;
        let mut dlen = 4usize;
        let mut done = false;
        while j < 4 {
            if si == src.len() {
                if j == 0 {
                    return Ok(out);
                }
                return Err(si - j);
            }
            let c = src[si];
            si += 1;
            if let Some(v) = val(c) {
                buf[j] = v;
                j += 1;
                continue;
            }
            if is_nl(c) {
                continue;
            }
            if c != b'=' || j < 2 {
                return Err(si - 1);
            }
            if j == 2 {
                while si < src.len() && is_nl(src[si]) {
                    si += 1;
                }
                if si == src.len() {
                    return Err(src.len());
                }
                if src[si] != b'=' {
                    return Err(si - 1);
                }
                si += 1;
            }
            while si < src.len() && is_nl(src[si]) {
                si += 1;
            }
            if si < src.len() {
                return Err(si);
            }
            dlen = j;
            done = true;
            break;
        }
        let v = (buf[0] << 18) | (buf[1] << 12) | (buf[2] << 6) | buf[3];
        let bytes = [(v >> 16) as u8, (v >> 8) as u8, v as u8];
        out.extend_from_slice(&bytes[..dlen - 1]);
        if done {
            return Ok(out);
        }
    }
}

/// Standard base32 with padding (Go's `base32.StdEncoding`).
pub(super) fn b32_encode(data: &[u8]) -> String {
    let mut out = String::with_capacity(data.len().div_ceil(5) * 8);
    for chunk in data.chunks(5) {
        let mut block = [0u8; 5];
        block[..chunk.len()].copy_from_slice(chunk);
        let v = block.iter().fold(0u64, |acc, &b| (acc << 8) | u64::from(b));
        let chars = match chunk.len() {
            1 => 2,
            2 => 4,
            3 => 5,
            4 => 7,
            _ => 8,
        };
        for k in 0..8 {
            if k < chars {
                out.push(B32[((v >> (35 - 5 * k)) & 31) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// Go's `base32.StdEncoding.DecodeString`, with CR and LF ignored.
pub(super) fn b32_decode(src: &[u8]) -> Result<Vec<u8>, usize> {
    let chars: Vec<(usize, u8)> = src
        .iter()
        .copied()
        .enumerate()
        .filter(|(_, c)| *c != b'\n' && *c != b'\r')
        .collect();
    let mut out = Vec::with_capacity(chars.len() / 8 * 5);
    for (q, quantum) in chars.chunks(8).enumerate() {
        let pad_at = quantum.iter().position(|(_, c)| *c == b'=');
        if quantum.len() < 8 {
            // Go reports a short final block at its start, or at the end when it is padded.
            return Err(if pad_at.is_some() {
                src.len()
            } else {
                quantum[0].0
            });
        }
        if let Some(p) = pad_at
            && ((q + 1) * 8 != chars.len() || quantum[p..].iter().any(|(_, c)| *c != b'='))
        {
            return Err(quantum[p].0);
        }
        let pad = 8 - pad_at.unwrap_or(8);
        let data = 8 - pad;
        let bytes = match data {
            8 => 5,
            7 => 4,
            5 => 3,
            4 => 2,
            2 => 1,
            _ => return Err(quantum[data.min(7)].0),
        };
        let mut v = 0u64;
        for (k, (at, c)) in quantum.iter().enumerate() {
            let d = if k < data {
                B32.iter().position(|x| x == c).ok_or(*at)?
            } else {
                0
            };
            v = (v << 5) | d as u64;
        }
        let block = v.to_be_bytes();
        out.extend_from_slice(&block[3..3 + bytes]);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::super::testutil::*;

    #[test]
    fn encodings() {
        table(&[
            ("b64enc", vec![s("hello")], "aGVsbG8="),
            ("b64enc", vec![s("")], ""),
            ("b64enc", vec![s("ab")], "YWI="),
            ("b64enc", vec![s("abc")], "YWJj"),
            ("b64dec", vec![s("aGVsbG8=")], "hello"),
            ("b64dec", vec![s("YWJj\nZGVm")], "abcdef"),
            (
                "b64dec",
                vec![s("aGVsbG8")],
                "illegal base64 data at input byte 4",
            ),
            (
                "b64dec",
                vec![s("a$==")],
                "illegal base64 data at input byte 1",
            ),
            (
                "b64dec",
                vec![s("YWI=YWI=")],
                "illegal base64 data at input byte 4",
            ),
            ("b32enc", vec![s("hello")], "NBSWY3DP"),
            ("b32enc", vec![s("a")], "ME======"),
            ("b32enc", vec![s("abcd")], "MFRGGZA="),
            ("b32dec", vec![s("NBSWY3DP")], "hello"),
            ("b32dec", vec![s("ME======")], "a"),
            ("b32dec", vec![s("MFRGGZA=")], "abcd"),
            (
                "b32dec",
                vec![s("ME=====")],
                "illegal base32 data at input byte 7",
            ),
            (
                "b32dec",
                vec![s("ME")],
                "illegal base32 data at input byte 0",
            ),
            (
                "b32dec",
                vec![s("M1======")],
                "illegal base32 data at input byte 1",
            ),
            ("b32dec", vec![s("MFRGG===")], "abc"),
            (
                "b32dec",
                vec![s("MFRGGZA=MFRGGZA=")],
                "illegal base32 data at input byte 7",
            ),
            (
                "b64dec",
                vec![s("a")],
                "illegal base64 data at input byte 0",
            ),
            (
                "b64dec",
                vec![s("ab=c")],
                "illegal base64 data at input byte 2",
            ),
            (
                "b64dec",
                vec![s("YQ=")],
                "illegal base64 data at input byte 3",
            ),
            (
                "b64dec",
                vec![s("Y===")],
                "illegal base64 data at input byte 1",
            ),
        ]);
    }

    #[test]
    fn digests() {
        table(&[
            (
                "sha1sum",
                vec![s("hello")],
                "aaf4c61ddcc5e8a2dabede0f3b482cd9aea9434d",
            ),
            (
                "sha256sum",
                vec![s("hello")],
                "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824",
            ),
            (
                "sha512sum",
                vec![s("")],
                "cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e",
            ),
            ("adler32sum", vec![s("hello")], "103547413"),
            ("adler32sum", vec![s("")], "1"),
        ]);
    }

    /// Decoded binary data is a Go string with its bytes; expected output from helm v4.1.4.
    #[test]
    fn binary_strings_keep_their_bytes() {
        let mut funcs = crate::FuncMap::new();
        super::super::register(&mut funcs);
        let mut set = crate::TemplateSet::new();
        set.parse(
            "t",
            r#"{{ $b := "/w==" | b64dec }}{{ typeOf $b }} {{ b64enc $b }} {{ sha256sum $b }} {{ len $b }} {{ printf "%x" $b }} {{ printf "%q" $b }} {{ eq $b "x" }} {{ toString $b | len }} {{ quote $b | len }} {{ upper $b | len }} {{ randBytes 12 | b64dec | len }} {{ b32enc $b }} {{ "/+8=" | b64dec | b64enc }}"#,
        )
        .unwrap();
        let out = set
            .execute("t", &crate::Value::Nil, &funcs, &crate::Limits::default())
            .unwrap();
        assert_eq!(
            out,
            "string /w== a8100ae6aa1940d0b663bb31cd466142ebbdbd5187131b92d93818987832eb89 1 ff \"\\xff\" false 1 6 3 12 74====== /+8="
        );
        assert_eq!(
            crate::fmt::quote_bytes(b"a\xff\xc3\xa9\n", false),
            "\"a\\xffé\\n\""
        );
    }
}

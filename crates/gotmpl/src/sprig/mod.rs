//! The Sprig function library (github.com/Masterminds/sprig v3.3, the version Helm 3 and 4
//! ship), rewritten from its documented and observed behaviour.
//!
//! One module per Sprig group, each with a table of its functions and examples. Every
//! function takes `&[Value]` and checks its arguments the way Go's `text/template` checks a
//! typed Go function (see `args.rs`), so error messages read like helm's. Where Sprig is
//! subtle the expected values in the tests were observed with helm v4.1.4; `helm_golden.rs`
//! renders 150 template lines through the engine and compares them with helm's output.
//! `COMPATIBILITY.md` beside this file lists where we differ.
//!
//! This module must never touch the network, the environment or the file system: `env` and
//! `expandenv` are not registered (Helm removes them too), and `getHostByName` returns `""`
//! (what Helm returns unless run with `--enable-dns`).
//!
//! Not here, because Helm replaces or adds them in its own layer (`crates/helm`): `toJson`,
//! `fromJson`, Sprig's other JSON helpers (`toPrettyJson`, `toRawJson`, `mustToJson`...),
//! `toYaml`, `fromYaml`, `toToml`, `include`, `tpl`, `required`, `lookup`.
//!
//! Number model: Go's Sprig integer math (`add`, `sub`, `max`...) converts each argument with
//! `cast.ToInt64` (floats truncate, strings parse, anything else is 0) and returns `int64`,
//! which is [`Value::Int64`](crate::Value::Int64); float math returns
//! [`Value::Float`](crate::Value::Float). Parameters that Go declares as `int` (`trunc`,
//! `indent`, `repeat`...) accept only [`Value::Int`](crate::Value::Int) (Go's `int`: template
//! literals, `len`, `int`): a value read from a values file is a `float64` and helm refuses it
//! there ("wrong type for value; expected int; got float64"), and an `int64` (`add`, `--set`)
//! is refused the same way ("expected int; got int64"), so we refuse both too.
//!
//! Safety limits: functions that build strings or lists from a count (`repeat`, `until`,
//! `seq`, `randAlpha`...) refuse results larger than [`MAX_LEN`] elements or bytes, and
//! functions that walk nested values stop at 200 levels (a map that contains itself), so a
//! hostile chart can neither exhaust memory nor overflow the stack through them. No function
//! panics on any input (`robustness.rs`).
//!
//! Example (through the engine): `{{ .Values.name | default "app" | trunc 63 | trimSuffix "-" }}`.

mod args;
mod conversion;
#[cfg(feature = "sprig-crypto")]
mod crypto;
mod dates;
mod defaults;
mod dicts;
mod encoding;
#[cfg(test)]
mod helm_golden;
mod lists;
mod math;
mod paths;
mod random;
mod reflection;
mod regexp;
#[cfg(test)]
mod robustness;
mod semver;
mod strings;
mod url;

use crate::func::FuncMap;

/// Largest string (bytes) or list (elements) a Sprig function builds from a count.
pub const MAX_LEN: usize = 1 << 24;

/// Where `genPrivateKey "rsa"`, `genCA`, `genSelfSignedCert` and `genSignedCert` get their
/// RSA keys.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum RsaKeys {
    /// A fresh random key per call, as Sprig does (tens to hundreds of milliseconds each).
    #[default]
    Generate,
    /// One fixed key of each size, built into the library and therefore public, and
    /// all-zero signatures on the certificates made with it (they still parse as X.509).
    /// Only for callers that never show or deploy the rendered text (e.g. an analysis that
    /// reads RBAC objects and drops the rest).
    Throwaway,
}

/// Choices for [`register_with`].
#[derive(Clone, Copy, Debug, Default)]
pub struct Options {
    pub rsa_keys: RsaKeys,
}

/// Register every Sprig function into `funcs`.
pub fn register(funcs: &mut FuncMap) {
    register_with(funcs, &Options::default());
}

/// [`register`] with non-default [`Options`].
pub fn register_with(funcs: &mut FuncMap, options: &Options) {
    strings::register(funcs);
    conversion::register(funcs);
    defaults::register(funcs);
    lists::register(funcs);
    dicts::register(funcs);
    math::register(funcs);
    regexp::register(funcs);
    encoding::register(funcs);
    paths::register(funcs);
    reflection::register(funcs);
    semver::register(funcs);
    dates::register(funcs);
    random::register(funcs);
    url::register(funcs);
    #[cfg(feature = "sprig-crypto")]
    crypto::register(funcs, options.rsa_keys);
    #[cfg(not(feature = "sprig-crypto"))]
    {
        let _ = options;
        crypto_disabled(funcs);
    }
}

/// Without the `sprig-crypto` feature the crypto functions still exist, so a chart that uses
/// them fails with a clear message instead of "function not defined".
#[cfg(not(feature = "sprig-crypto"))]
fn crypto_disabled(funcs: &mut FuncMap) {
    for name in [
        "genPrivateKey",
        "genCA",
        "genCAWithKey",
        "genSelfSignedCert",
        "genSelfSignedCertWithKey",
        "genSignedCert",
        "genSignedCertWithKey",
        "buildCustomCert",
        "derivePassword",
        "bcrypt",
        "htpasswd",
        "encryptAES",
        "decryptAES",
    ] {
        funcs.insert(name, move |_| {
            Err(format!(
                "{name} needs the sprig-crypto feature of gotmpl, which this build leaves out"
            ))
        });
    }
}

#[cfg(test)]
mod registry_tests {
    use crate::func::FuncMap;

    /// Every name in Sprig v3.3's function map, less what Helm removes (`env`, `expandenv`) or
    /// replaces/owns in its own layer (the JSON helpers).
    const SPRIG: &[&str] = &[
        "hello",
        "ago",
        "date",
        "date_in_zone",
        "date_modify",
        "dateInZone",
        "dateModify",
        "duration",
        "durationRound",
        "htmlDate",
        "htmlDateInZone",
        "must_date_modify",
        "mustDateModify",
        "mustToDate",
        "now",
        "toDate",
        "unixEpoch",
        "abbrev",
        "abbrevboth",
        "trunc",
        "trim",
        "upper",
        "lower",
        "title",
        "untitle",
        "substr",
        "repeat",
        "trimall",
        "trimAll",
        "trimSuffix",
        "trimPrefix",
        "nospace",
        "initials",
        "randAlphaNum",
        "randAlpha",
        "randAscii",
        "randNumeric",
        "swapcase",
        "shuffle",
        "snakecase",
        "camelcase",
        "kebabcase",
        "wrap",
        "wrapWith",
        "contains",
        "hasPrefix",
        "hasSuffix",
        "quote",
        "squote",
        "cat",
        "indent",
        "nindent",
        "replace",
        "plural",
        "sha1sum",
        "sha256sum",
        "sha512sum",
        "adler32sum",
        "toString",
        "atoi",
        "int64",
        "int",
        "float64",
        "seq",
        "toDecimal",
        "split",
        "splitList",
        "splitn",
        "toStrings",
        "until",
        "untilStep",
        "add1",
        "add",
        "sub",
        "div",
        "mod",
        "mul",
        "randInt",
        "add1f",
        "addf",
        "subf",
        "divf",
        "mulf",
        "biggest",
        "max",
        "min",
        "maxf",
        "minf",
        "ceil",
        "floor",
        "round",
        "join",
        "sortAlpha",
        "default",
        "empty",
        "coalesce",
        "all",
        "any",
        "compact",
        "mustCompact",
        "ternary",
        "deepCopy",
        "mustDeepCopy",
        "typeOf",
        "typeIs",
        "typeIsLike",
        "kindOf",
        "kindIs",
        "deepEqual",
        "getHostByName",
        "base",
        "dir",
        "clean",
        "ext",
        "isAbs",
        "osBase",
        "osClean",
        "osDir",
        "osExt",
        "osIsAbs",
        "b64enc",
        "b64dec",
        "b32enc",
        "b32dec",
        "tuple",
        "list",
        "dict",
        "get",
        "set",
        "unset",
        "hasKey",
        "pluck",
        "keys",
        "pick",
        "omit",
        "merge",
        "mergeOverwrite",
        "mustMerge",
        "mustMergeOverwrite",
        "values",
        "append",
        "push",
        "mustAppend",
        "mustPush",
        "prepend",
        "mustPrepend",
        "first",
        "mustFirst",
        "rest",
        "mustRest",
        "last",
        "mustLast",
        "initial",
        "mustInitial",
        "reverse",
        "mustReverse",
        "uniq",
        "mustUniq",
        "without",
        "mustWithout",
        "has",
        "mustHas",
        "slice",
        "mustSlice",
        "concat",
        "dig",
        "chunk",
        "mustChunk",
        "bcrypt",
        "htpasswd",
        "genPrivateKey",
        "derivePassword",
        "buildCustomCert",
        "genCA",
        "genCAWithKey",
        "genSelfSignedCert",
        "genSelfSignedCertWithKey",
        "genSignedCert",
        "genSignedCertWithKey",
        "encryptAES",
        "decryptAES",
        "randBytes",
        "uuidv4",
        "semver",
        "semverCompare",
        "fail",
        "regexMatch",
        "mustRegexMatch",
        "regexFindAll",
        "mustRegexFindAll",
        "regexFind",
        "mustRegexFind",
        "regexReplaceAll",
        "mustRegexReplaceAll",
        "regexReplaceAllLiteral",
        "mustRegexReplaceAllLiteral",
        "regexSplit",
        "mustRegexSplit",
        "regexQuoteMeta",
        "urlParse",
        "urlJoin",
    ];

    #[test]
    fn every_sprig_function_is_registered() {
        let mut funcs = FuncMap::new();
        super::register(&mut funcs);
        let missing: Vec<&&str> = SPRIG.iter().filter(|n| !funcs.contains(n)).collect();
        assert!(missing.is_empty(), "missing: {missing:?}");
        for absent in [
            "env",
            "expandenv",
            "toJson",
            "fromJson",
            "toYaml",
            "include",
            "required",
        ] {
            assert!(
                !funcs.contains(absent),
                "{absent} must not be registered here"
            );
        }
        let extra: Vec<&str> = funcs.names().filter(|n| !SPRIG.contains(n)).collect();
        assert!(extra.is_empty(), "not in Sprig: {extra:?}");
    }

    #[cfg(not(feature = "sprig-crypto"))]
    #[test]
    fn crypto_functions_explain_the_missing_feature() {
        let err = super::testutil::call("genCA", &[]).unwrap_err();
        assert!(err.contains("sprig-crypto feature"), "{err}");
    }
}

#[cfg(test)]
pub(crate) mod testutil {
    use crate::func::FuncMap;
    use crate::value::Value;

    /// Call a registered Sprig function by name.
    pub fn call(name: &str, args: &[Value]) -> Result<Value, String> {
        let mut funcs = FuncMap::new();
        super::register(&mut funcs);
        let f = funcs
            .get(name)
            .unwrap_or_else(|| panic!("{name} not registered"));
        f(args)
    }

    /// Call and render the result as `{{ . }}` would (Go `%v`).
    pub fn render(name: &str, args: &[Value]) -> Result<String, String> {
        call(name, args).map(|v| crate::fmt::format_value(&v))
    }

    pub fn s(x: &str) -> Value {
        Value::str(x)
    }
    pub fn i(x: i64) -> Value {
        Value::Int(x)
    }
    pub fn f(x: f64) -> Value {
        Value::Float(x)
    }
    pub fn l(items: Vec<Value>) -> Value {
        Value::list(items)
    }
    pub fn m(entries: &[(&str, Value)]) -> Value {
        Value::map(
            entries
                .iter()
                .map(|(k, v)| (k.to_string(), v.clone()))
                .collect(),
        )
    }

    /// Run a table of `(function, args, expected %v output)` cases.
    pub fn table(cases: &[(&str, Vec<Value>, &str)]) {
        let mut failures = Vec::new();
        for (name, args, want) in cases {
            match render(name, args) {
                Ok(got) if got == *want => {}
                Ok(got) => failures.push(format!("{name} {args:?}: got {got:?}, want {want:?}")),
                Err(e) => failures.push(format!("{name} {args:?}: error {e:?}, want {want:?}")),
            }
        }
        assert!(failures.is_empty(), "{}", failures.join("\n"));
    }

    /// Run a table of `(function, args, substring of the expected error)` cases.
    pub fn errors(cases: &[(&str, Vec<Value>, &str)]) {
        let mut failures = Vec::new();
        for (name, args, want) in cases {
            match call(name, args) {
                Err(e) if e.contains(want) => {}
                Err(e) => failures.push(format!("{name} {args:?}: error {e:?}, want {want:?}")),
                Ok(v) => failures.push(format!("{name} {args:?}: got {v:?}, want error {want:?}")),
            }
        }
        assert!(failures.is_empty(), "{}", failures.join("\n"));
    }
}

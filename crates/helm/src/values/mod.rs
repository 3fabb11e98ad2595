//! Values: reading YAML like Helm, the `--set` family, and coalescing with chart defaults.
//!
//! Precedence (lowest first), as `helm template`: the chart's `values.yaml` (and its
//! subcharts'), then each `-f` file in order, then `--set-json`, `--set`, `--set-string`,
//! `--set-file`.

pub mod coalesce;
pub mod schema;
pub mod strvals;
pub mod yaml;

use gotmpl::{Map, Value};

use crate::RenderOptions;
use crate::error::Error;
use strvals::Mode;

/// The user-supplied values of `opts`, merged in Helm's order (chart defaults not included).
pub fn user_values(opts: &RenderOptions) -> Result<Map, Error> {
    let mut base = std::collections::BTreeMap::new();
    for f in &opts.values_files {
        let text = std::fs::read_to_string(f).map_err(|e| Error::Io {
            path: f.clone(),
            source: e,
        })?;
        let v = yaml::parse_map(&text)
            .map_err(|e| Error::Values(format!("failed to parse {}: {e}", f.display())))?;
        if let Value::Map(m) = v {
            base = strvals::merge_maps(&base, &m.borrow());
        }
    }
    let dest = match Value::map(base) {
        Value::Map(m) => m,
        _ => unreachable!(),
    };
    for s in &opts.set_json {
        let t = s.trim();
        if t.starts_with('{') {
            let v = crate::funcs::json::parse(t)
                .map_err(|e| Error::Values(format!("failed parsing --set-json data {s:?}: {e}")))?;
            if let Value::Map(m) = v {
                let merged = strvals::merge_maps(&dest.borrow(), &m.borrow());
                *dest.borrow_mut() = merged;
            }
        } else {
            strvals::parse_into(s, &dest, Mode::Json).map_err(Error::Values)?;
        }
    }
    for (list, mode) in [
        (&opts.set, Mode::Typed),
        (&opts.set_string, Mode::String),
        (&opts.set_file, Mode::File),
    ] {
        for s in list {
            strvals::parse_into(s, &dest, mode).map_err(Error::Values)?;
        }
    }
    Ok(dest)
}

/// Look up a dotted path (`a.b.c`) in a values map; `None` when any step is missing or not a map.
pub fn path_value(m: &Map, path: &str) -> Option<Value> {
    let mut cur = Value::Map(m.clone());
    for part in path.split('.') {
        let next = match &cur {
            Value::Map(mm) => mm.borrow().get(part).cloned(),
            _ => None,
        }?;
        cur = next;
    }
    Some(cur)
}

/// Look up a dotted path that must be a table (Helm's `Values.Table`).
pub fn table(m: &Map, path: &str) -> Option<Map> {
    if path.is_empty() || path == "." {
        return Some(m.clone());
    }
    match path_value(m, path)? {
        Value::Map(t) => Some(t),
        _ => None,
    }
}

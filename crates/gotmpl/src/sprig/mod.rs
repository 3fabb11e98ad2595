//! The Sprig function library (github.com/Masterminds/sprig v3), as Helm ships it.

use crate::func::FuncMap;

/// Register every Sprig function into `funcs`.
pub fn register(funcs: &mut FuncMap) {
    let _ = funcs;
}

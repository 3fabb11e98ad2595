//! rbac-lens analysis core: sources, inventory, the RBAC authorizer, the rule catalog and
//! findings. It never prints and never exits: the CLI and report crates do that.

pub mod analysis;
pub mod catalog;
pub mod diagnostics;
pub mod document;
pub mod escalation;
pub mod findings;
pub mod inventory;
pub mod limits;
pub mod rbac;
pub mod source;

//! rbac-lens analysis core: sources, inventory, the RBAC authorizer, the rule catalog and
//! findings. It never prints and never exits: the CLI and report crates do that.

pub mod inventory;
pub mod rbac;

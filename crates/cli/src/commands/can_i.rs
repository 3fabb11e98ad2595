//! `rbac-lens can-i`: kubectl's `auth can-i`, answered from the input instead of a cluster.
//!
//! Groups: `--as system:serviceaccount:NS:NAME` gets `system:serviceaccounts`,
//! `system:serviceaccounts:NS` and `system:authenticated`; any other user gets
//! `system:authenticated`; when `--as-group` is given, the listed groups are the user's only
//! groups (as the API server's impersonation does).

use anyhow::Result;
use rbac_lens_core::rbac::UserInfo;

use super::{print, who_can};
use crate::args::CanIArgs;
use crate::exit::ExitStatus;
use crate::question::request;

pub fn user(name: &str, groups: &[String]) -> UserInfo {
    if !groups.is_empty() {
        return UserInfo::new(name, groups.iter().cloned());
    }
    match name
        .strip_prefix("system:serviceaccount:")
        .and_then(|r| r.split_once(':'))
    {
        Some((ns, sa)) if !ns.is_empty() && !sa.is_empty() => UserInfo::service_account(ns, sa),
        _ if name == "system:anonymous" => UserInfo::anonymous(),
        _ => UserInfo::authenticated(name, Vec::<String>::new()),
    }
}

pub fn run(args: CanIArgs) -> Result<ExitStatus> {
    let req = request(&args.question)?;
    let analysis = who_can::load(&args.question)?;
    let user = user(&args.as_user, &args.as_groups);
    let decision = analysis.authorizer.authorize(&user, &req);
    let mut out = String::from(if decision.allowed { "yes\n" } else { "no\n" });
    if args.verbose {
        for &i in &decision.because {
            let g = &analysis.authorizer.grants()[i];
            out.push_str(&format!("  allowed by {}\n", who_can::describe(g)));
        }
    }
    print(&out)?;
    Ok(if decision.allowed {
        ExitStatus::Success
    } else {
        ExitStatus::No
    })
}

//! Workloads: where each pod spec lives, which ServiceAccount it runs as, and what host
//! access it asks for.

use serde_json::Value;

use super::fields::{metadata, opt_bool, opt_list, opt_map, opt_str};
use super::{Container, FieldError, Origin, Workload};

/// Kinds that run pods, and the path to their pod spec.
pub const WORKLOAD_KINDS: &[(&str, &[&str])] = &[
    ("Pod", &["spec"]),
    ("Deployment", &["spec", "template", "spec"]),
    ("StatefulSet", &["spec", "template", "spec"]),
    ("DaemonSet", &["spec", "template", "spec"]),
    ("ReplicaSet", &["spec", "template", "spec"]),
    ("ReplicationController", &["spec", "template", "spec"]),
    ("Job", &["spec", "template", "spec"]),
    (
        "CronJob",
        &["spec", "jobTemplate", "spec", "template", "spec"],
    ),
];

pub fn is_workload_kind(kind: &str) -> bool {
    WORKLOAD_KINDS.iter().any(|(k, _)| *k == kind)
}

pub fn extract_workload(
    kind: &str,
    doc: &Value,
    origin: Origin,
    default_ns: &str,
) -> Result<Workload, FieldError> {
    let meta = metadata(doc)?;
    let path = WORKLOAD_KINDS
        .iter()
        .find(|(k, _)| *k == kind)
        .map(|(_, p)| *p)
        .unwrap_or(&["spec"]);
    let mut spec = doc;
    let mut dotted = String::new();
    for (i, key) in path.iter().enumerate() {
        if i > 0 {
            dotted.push('.');
        }
        dotted.push_str(key);
        spec = opt_map(spec, key, &dotted)?
            .ok_or_else(|| FieldError::new(dotted.clone(), "required field is missing"))?;
    }
    let field = |f: &str| format!("{dotted}.{f}");
    let service_account = opt_str(spec, "serviceAccountName", &field("serviceAccountName"))?
        .filter(|s| !s.is_empty())
        .or(opt_str(spec, "serviceAccount", &field("serviceAccount"))?.filter(|s| !s.is_empty()))
        .unwrap_or("default");
    let mut containers = Vec::new();
    for (key, init) in [("initContainers", true), ("containers", false)] {
        for (i, c) in opt_list(spec, key, &field(key))?.iter().enumerate() {
            containers.push(extract_container(c, init, &format!("{dotted}.{key}[{i}]"))?);
        }
    }
    let mut host_paths = Vec::new();
    for (i, vol) in opt_list(spec, "volumes", &field("volumes"))?
        .iter()
        .enumerate()
    {
        let vpath = format!("{dotted}.volumes[{i}]");
        if let Some(hp) = opt_map(vol, "hostPath", &format!("{vpath}.hostPath"))? {
            host_paths.push(
                opt_str(hp, "path", &format!("{vpath}.hostPath.path"))?
                    .unwrap_or("")
                    .to_string(),
            );
        }
    }
    Ok(Workload {
        kind: kind.to_string(),
        namespace: meta.namespace.unwrap_or(default_ns).to_string(),
        name: meta.name.to_string(),
        service_account: service_account.to_string(),
        automount: opt_bool(
            spec,
            "automountServiceAccountToken",
            &field("automountServiceAccountToken"),
        )?,
        containers,
        host_pid: opt_bool(spec, "hostPID", &field("hostPID"))?.unwrap_or(false),
        host_network: opt_bool(spec, "hostNetwork", &field("hostNetwork"))?.unwrap_or(false),
        host_ipc: opt_bool(spec, "hostIPC", &field("hostIPC"))?.unwrap_or(false),
        host_paths,
        origin,
    })
}

fn extract_container(c: &Value, init: bool, path: &str) -> Result<Container, FieldError> {
    let mut out = Container {
        name: opt_str(c, "name", &format!("{path}.name"))?
            .unwrap_or("")
            .to_string(),
        image: opt_str(c, "image", &format!("{path}.image"))?
            .unwrap_or("")
            .to_string(),
        init,
        ..Container::default()
    };
    let sc_path = format!("{path}.securityContext");
    if let Some(sc) = opt_map(c, "securityContext", &sc_path)? {
        out.privileged =
            opt_bool(sc, "privileged", &format!("{sc_path}.privileged"))?.unwrap_or(false);
        out.allow_privilege_escalation = opt_bool(
            sc,
            "allowPrivilegeEscalation",
            &format!("{sc_path}.allowPrivilegeEscalation"),
        )?;
        if let Some(caps) = opt_map(sc, "capabilities", &format!("{sc_path}.capabilities"))? {
            for (i, cap) in opt_list(caps, "add", &format!("{sc_path}.capabilities.add"))?
                .iter()
                .enumerate()
            {
                match cap.as_str() {
                    Some(s) => out.capabilities_add.push(s.to_string()),
                    None => {
                        return Err(FieldError::new(
                            format!("{sc_path}.capabilities.add[{i}]"),
                            "expected a string",
                        ));
                    }
                }
            }
        }
    }
    Ok(out)
}

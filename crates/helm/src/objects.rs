//! The built-in objects templates see: `.Files`, `.Capabilities` (with `KubeVersion`,
//! `APIVersions.Has` and `HelmVersion`), and the plain maps `.Release`, `.Chart`, `.Template`.

use std::collections::BTreeMap;
use std::rc::Rc;

use globset::GlobBuilder;
use gotmpl::{Object, Value};

use crate::chart::Metadata;
use crate::funcs::json::base64_encode;

/// The Kubernetes version `helm template` v4.1.4 assumes without `--kube-version`.
pub const DEFAULT_KUBE_VERSION: &str = "v1.35.0";
/// The Helm version we claim to be (`.Capabilities.HelmVersion`).
pub const HELM_VERSION: &str = "v4.1.4";

/// The API versions helm v4.1.4 knows without a cluster (`.Capabilities.APIVersions`).
pub const DEFAULT_API_VERSIONS: &[&str] = &[
    "v1",
    "admissionregistration.k8s.io/v1",
    "admissionregistration.k8s.io/v1alpha1",
    "admissionregistration.k8s.io/v1beta1",
    "internal.apiserver.k8s.io/v1alpha1",
    "apps/v1",
    "apps/v1beta1",
    "apps/v1beta2",
    "authentication.k8s.io/v1",
    "authentication.k8s.io/v1alpha1",
    "authentication.k8s.io/v1beta1",
    "authorization.k8s.io/v1",
    "authorization.k8s.io/v1beta1",
    "autoscaling/v1",
    "autoscaling/v2",
    "autoscaling/v2beta1",
    "autoscaling/v2beta2",
    "batch/v1",
    "batch/v1beta1",
    "certificates.k8s.io/v1",
    "certificates.k8s.io/v1beta1",
    "certificates.k8s.io/v1alpha1",
    "coordination.k8s.io/v1alpha2",
    "coordination.k8s.io/v1beta1",
    "coordination.k8s.io/v1",
    "discovery.k8s.io/v1",
    "discovery.k8s.io/v1beta1",
    "events.k8s.io/v1",
    "events.k8s.io/v1beta1",
    "extensions/v1beta1",
    "flowcontrol.apiserver.k8s.io/v1",
    "flowcontrol.apiserver.k8s.io/v1beta1",
    "flowcontrol.apiserver.k8s.io/v1beta2",
    "flowcontrol.apiserver.k8s.io/v1beta3",
    "networking.k8s.io/v1",
    "networking.k8s.io/v1beta1",
    "node.k8s.io/v1",
    "node.k8s.io/v1alpha1",
    "node.k8s.io/v1beta1",
    "policy/v1",
    "policy/v1beta1",
    "rbac.authorization.k8s.io/v1",
    "rbac.authorization.k8s.io/v1beta1",
    "rbac.authorization.k8s.io/v1alpha1",
    "resource.k8s.io/v1",
    "resource.k8s.io/v1beta2",
    "resource.k8s.io/v1beta1",
    "resource.k8s.io/v1alpha3",
    "scheduling.k8s.io/v1alpha1",
    "scheduling.k8s.io/v1beta1",
    "scheduling.k8s.io/v1",
    "storage.k8s.io/v1beta1",
    "storage.k8s.io/v1",
    "storage.k8s.io/v1alpha1",
    "storagemigration.k8s.io/v1beta1",
    "apiextensions.k8s.io/v1beta1",
    "apiextensions.k8s.io/v1",
];

/// An object as plain data, for `toJson`/`toYaml`: `APIVersions` is a list, the others maps.
pub fn object_data(o: &dyn Object) -> Value {
    if o.type_name() == "common.VersionSet"
        && let Some(Value::List(l)) = o.field("List")
    {
        return Value::List(l);
    }
    Value::map(object_fields(o))
}

/// Fields of an object, for `toJson`/`toYaml` of `.Capabilities` and friends.
pub fn object_fields(o: &dyn Object) -> BTreeMap<String, Value> {
    let names: &[&str] = match o.type_name() {
        "chartutil.Capabilities" | "common.Capabilities" => {
            &["APIVersions", "HelmVersion", "KubeVersion"]
        }
        "chartutil.KubeVersion" | "common.KubeVersion" => &["Major", "Minor", "Version"],
        "chartutil.VersionSet" => &[],
        "version.BuildInfo" => &["GitCommit", "GitTreeState", "GoVersion", "Version"],
        _ => &[],
    };
    names
        .iter()
        .filter_map(|n| o.field(n).map(|v| (n.to_string(), v)))
        .collect()
}

/// `.Files`: the chart's non-template files.
pub struct Files {
    files: Rc<BTreeMap<String, Rc<[u8]>>>,
}

impl Files {
    pub fn new(files: BTreeMap<String, Rc<[u8]>>) -> Self {
        Files {
            files: Rc::new(files),
        }
    }

    /// Names and contents, sorted by name (what ranging over `.Files` yields).
    pub fn entries(&self) -> Vec<(String, Value)> {
        self.files
            .iter()
            .map(|(k, v)| (k.clone(), Value::Bytes(v.clone())))
            .collect()
    }

    fn get(&self, name: &str) -> Option<&Rc<[u8]>> {
        self.files.get(name)
    }

    fn glob(&self, pattern: &str) -> Files {
        let matcher = GlobBuilder::new(pattern)
            .literal_separator(true)
            .backslash_escape(true)
            .build()
            .or_else(|_| GlobBuilder::new("**").build())
            .map(|g| g.compile_matcher());
        let mut out = BTreeMap::new();
        if let Ok(m) = matcher {
            for (k, v) in self.files.iter() {
                if m.is_match(k) {
                    out.insert(k.clone(), v.clone());
                }
            }
        }
        Files::new(out)
    }

    fn base_map(&self, f: impl Fn(&[u8]) -> String) -> Value {
        let mut m = BTreeMap::new();
        for (k, v) in self.files.iter() {
            let base = k.rsplit('/').next().unwrap_or(k);
            m.insert(base.to_string(), Value::from(f(v)));
        }
        Value::map(m)
    }

    fn as_config(&self) -> String {
        if self.files.is_empty() {
            return String::new();
        }
        let v = self.base_map(|d| String::from_utf8_lossy(d).into_owned());
        crate::funcs::to_yaml_trimmed(&v).unwrap_or_default()
    }

    fn as_secrets(&self) -> String {
        if self.files.is_empty() {
            return String::new();
        }
        let v = self.base_map(base64_encode);
        crate::funcs::to_yaml_trimmed(&v).unwrap_or_default()
    }
}

fn arg_str(args: &[Value], i: usize) -> String {
    match args.get(i) {
        Some(Value::String(s)) => s.to_string(),
        Some(other) => gotmpl::fmt::format_value(other),
        None => String::new(),
    }
}

impl Object for Files {
    fn type_name(&self) -> &str {
        "engine.files"
    }
    fn field(&self, name: &str) -> Option<Value> {
        match name {
            "AsConfig" => Some(Value::from(self.as_config())),
            "AsSecrets" => Some(Value::from(self.as_secrets())),
            _ => None,
        }
    }
    fn call_method(&self, name: &str, args: &[Value]) -> Option<Result<Value, String>> {
        let want = |n: usize| -> Result<(), String> {
            if args.len() == n {
                Ok(())
            } else {
                Err(format!(
                    "wrong number of args for {name}: want {n} got {}",
                    args.len()
                ))
            }
        };
        Some(match name {
            "Get" => want(1).map(|_| {
                let p = arg_str(args, 0);
                Value::from(
                    self.get(&p)
                        .map(|d| String::from_utf8_lossy(d).into_owned())
                        .unwrap_or_default(),
                )
            }),
            "GetBytes" => want(1).map(|_| {
                let p = arg_str(args, 0);
                Value::Bytes(self.get(&p).cloned().unwrap_or_else(|| Rc::from(&b""[..])))
            }),
            "Glob" => want(1).map(|_| Value::Object(Rc::new(self.glob(&arg_str(args, 0))))),
            "GlobMap" => want(1)
                .map(|_| Value::map(self.glob(&arg_str(args, 0)).entries().into_iter().collect())),
            "Lines" => want(1).map(|_| {
                let p = arg_str(args, 0);
                match self.get(&p) {
                    None => Value::list(Vec::new()),
                    Some(d) => {
                        let mut s = String::from_utf8_lossy(d).into_owned();
                        if s.ends_with('\n') {
                            s.pop();
                        }
                        Value::list(s.split('\n').map(Value::str).collect())
                    }
                }
            }),
            "AsConfig" => want(0).map(|_| Value::from(self.as_config())),
            "AsSecrets" => want(0).map(|_| Value::from(self.as_secrets())),
            _ => return None,
        })
    }
    fn display(&self) -> String {
        let items: Vec<String> = self
            .files
            .iter()
            .map(|(k, v)| format!("{k}:{:?}", &v[..]))
            .collect();
        format!("map[{}]", items.join(" "))
    }
}

/// `.Capabilities.KubeVersion`.
pub struct KubeVersion {
    pub version: String,
    pub major: String,
    pub minor: String,
}

impl KubeVersion {
    /// Parse `1.28`, `v1.28.3`, ... as `--kube-version` does.
    pub fn parse(s: &str) -> Result<KubeVersion, String> {
        let t = s.trim().trim_start_matches('v');
        let core = t.split(['-', '+']).next().unwrap_or("");
        let parts: Vec<&str> = core.split('.').collect();
        if parts.is_empty()
            || parts.len() > 3
            || parts
                .iter()
                .any(|p| p.is_empty() || !p.chars().all(|c| c.is_ascii_digit()))
        {
            return Err(format!("invalid kube version {s:?}"));
        }
        Ok(KubeVersion {
            version: format!("v{t}"),
            major: parts[0]
                .parse::<u64>()
                .map(|n| n.to_string())
                .unwrap_or_else(|_| "0".into()),
            minor: parts
                .get(1)
                .and_then(|m| m.parse::<u64>().ok())
                .map(|n| n.to_string())
                .unwrap_or_else(|| "0".into()),
        })
    }
}

impl Object for KubeVersion {
    fn type_name(&self) -> &str {
        "common.KubeVersion"
    }
    fn field(&self, name: &str) -> Option<Value> {
        match name {
            "Version" | "GitVersion" | "String" => Some(Value::str(&self.version)),
            "Major" => Some(Value::str(&self.major)),
            "Minor" => Some(Value::str(&self.minor)),
            _ => None,
        }
    }
    fn display(&self) -> String {
        self.version.clone()
    }
}

/// `.Capabilities.APIVersions`.
pub struct ApiVersions {
    pub list: Vec<String>,
}

impl Object for ApiVersions {
    fn type_name(&self) -> &str {
        "common.VersionSet"
    }
    fn field(&self, name: &str) -> Option<Value> {
        match name {
            "List" => Some(Value::list(self.list.iter().map(Value::str).collect())),
            _ => None,
        }
    }
    fn call_method(&self, name: &str, args: &[Value]) -> Option<Result<Value, String>> {
        match name {
            "Has" => Some(if args.len() == 1 {
                let want = arg_str(args, 0);
                Ok(Value::Bool(self.list.contains(&want)))
            } else {
                Err(format!(
                    "wrong number of args for Has: want 1 got {}",
                    args.len()
                ))
            }),
            _ => None,
        }
    }
    fn display(&self) -> String {
        format!("[{}]", self.list.join(" "))
    }
}

/// `.Capabilities.HelmVersion`.
pub struct HelmVersion;

impl Object for HelmVersion {
    fn type_name(&self) -> &str {
        "version.BuildInfo"
    }
    fn field(&self, name: &str) -> Option<Value> {
        match name {
            "Version" => Some(Value::str(HELM_VERSION)),
            "GitCommit" => Some(Value::str("05fa37973dc9e42b76e1d2883494c87174b6074f")),
            "GitTreeState" => Some(Value::str("clean")),
            "GoVersion" => Some(Value::str("go1.25.9")),
            "KubeClientVersion" => Some(Value::str("v1.35")),
            _ => None,
        }
    }
    fn display(&self) -> String {
        format!("{{{HELM_VERSION} 05fa37973dc9e42b76e1d2883494c87174b6074f clean go1.25.9 v1.35}}")
    }
}

/// `.Capabilities`.
pub struct Capabilities {
    pub kube: Rc<KubeVersion>,
    pub apis: Rc<ApiVersions>,
}

impl Object for Capabilities {
    fn type_name(&self) -> &str {
        "common.Capabilities"
    }
    fn field(&self, name: &str) -> Option<Value> {
        match name {
            "KubeVersion" => Some(Value::Object(self.kube.clone())),
            "APIVersions" => Some(Value::Object(self.apis.clone())),
            "HelmVersion" => Some(Value::Object(Rc::new(HelmVersion))),
            _ => None,
        }
    }
}

fn strings(v: &[String]) -> Value {
    Value::list(v.iter().map(Value::str).collect())
}

/// `.Chart`: Chart.yaml with Helm's capitalised field names (and `IsRoot`).
pub fn chart_value(m: &Metadata, is_root: bool) -> Value {
    let mut c = BTreeMap::new();
    let s = |x: &str| Value::str(x);
    c.insert("APIVersion".into(), s(&m.api_version));
    c.insert(
        "Annotations".into(),
        if m.annotations.is_empty() {
            Value::Nil
        } else {
            Value::map(
                m.annotations
                    .iter()
                    .map(|(k, v)| (k.clone(), Value::str(v)))
                    .collect(),
            )
        },
    );
    c.insert("AppVersion".into(), s(&m.app_version));
    c.insert("Condition".into(), s(&m.condition));
    let deps: Vec<Value> = m
        .dependencies
        .iter()
        .map(|d| {
            let mut dm = BTreeMap::new();
            dm.insert("Name".into(), s(&d.name));
            dm.insert("Version".into(), s(&d.version));
            dm.insert("Repository".into(), s(&d.repository));
            dm.insert("Condition".into(), s(&d.condition));
            dm.insert("Tags".into(), strings(&d.tags));
            dm.insert("Enabled".into(), Value::Bool(d.enabled));
            dm.insert("ImportValues".into(), Value::list(d.import_values.clone()));
            dm.insert("Alias".into(), s(&d.alias));
            Value::map(dm)
        })
        .collect();
    c.insert("Dependencies".into(), Value::list(deps));
    c.insert("Deprecated".into(), Value::Bool(m.deprecated));
    c.insert("Description".into(), s(&m.description));
    c.insert("Home".into(), s(&m.home));
    c.insert("Icon".into(), s(&m.icon));
    c.insert("IsRoot".into(), Value::Bool(is_root));
    c.insert("Keywords".into(), strings(&m.keywords));
    c.insert("KubeVersion".into(), s(&m.kube_version));
    let maint: Vec<Value> = m
        .maintainers
        .iter()
        .map(|x| {
            let mut mm = BTreeMap::new();
            mm.insert("Name".into(), s(&x.name));
            mm.insert("Email".into(), s(&x.email));
            mm.insert("URL".into(), s(&x.url));
            Value::map(mm)
        })
        .collect();
    c.insert("Maintainers".into(), Value::list(maint));
    c.insert("Name".into(), s(&m.name));
    c.insert("Sources".into(), strings(&m.sources));
    c.insert("Tags".into(), s(&m.tags));
    c.insert("Type".into(), s(&m.chart_type));
    c.insert("Version".into(), s(&m.version));
    Value::map(c)
}

/// `.Release`.
pub fn release_value(name: &str, namespace: &str, is_upgrade: bool) -> Value {
    let mut r = BTreeMap::new();
    r.insert("Name".into(), Value::str(name));
    r.insert("Namespace".into(), Value::str(namespace));
    r.insert("IsInstall".into(), Value::Bool(!is_upgrade));
    r.insert("IsUpgrade".into(), Value::Bool(is_upgrade));
    r.insert("Revision".into(), Value::Int(1));
    r.insert("Service".into(), Value::str("Helm"));
    Value::map(r)
}

/// `.Template`.
pub fn template_value(name: &str, base_path: &str) -> Value {
    let mut t = BTreeMap::new();
    t.insert("Name".into(), Value::str(name));
    t.insert("BasePath".into(), Value::str(base_path));
    Value::map(t)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn files() -> Files {
        let mut m: BTreeMap<String, Rc<[u8]>> = BTreeMap::new();
        m.insert("files/a.txt".into(), Rc::from(&b"x: 1\nline2\n"[..]));
        m.insert("files/sub/b.conf".into(), Rc::from(&b"b"[..]));
        m.insert("README.md".into(), Rc::from(&b"readme"[..]));
        Files::new(m)
    }

    #[test]
    fn files_methods() {
        let f = files();
        let get = f
            .call_method("Get", &[Value::str("files/a.txt")])
            .unwrap()
            .unwrap();
        assert_eq!(get.as_str(), Some("x: 1\nline2\n"));
        let missing = f
            .call_method("Get", &[Value::str("nope")])
            .unwrap()
            .unwrap();
        assert_eq!(missing.as_str(), Some(""));
        let lines = f
            .call_method("Lines", &[Value::str("files/a.txt")])
            .unwrap()
            .unwrap();
        assert!(matches!(&lines, Value::List(l) if l.len() == 2));
        let Value::Object(g) = f
            .call_method("Glob", &[Value::str("files/*")])
            .unwrap()
            .unwrap()
        else {
            panic!()
        };
        let cfg = g.field("AsConfig").unwrap();
        assert_eq!(cfg.as_str(), Some("a.txt: |\n  x: 1\n  line2"));
        let Value::Object(g2) = f
            .call_method("Glob", &[Value::str("files/**")])
            .unwrap()
            .unwrap()
        else {
            panic!()
        };
        assert_eq!(
            g2.field("AsSecrets").unwrap().as_str(),
            Some("a.txt: eDogMQpsaW5lMgo=\nb.conf: Yg==")
        );
    }

    #[test]
    fn capabilities() {
        let k = KubeVersion::parse("1.28").unwrap();
        assert_eq!(k.version, "v1.28");
        assert_eq!(k.major, "1");
        assert_eq!(k.minor, "28");
        assert!(KubeVersion::parse("x.y").is_err());
        let a = ApiVersions {
            list: DEFAULT_API_VERSIONS.iter().map(|s| s.to_string()).collect(),
        };
        let has = a.call_method("Has", &[Value::str("rbac.authorization.k8s.io/v1")]);
        assert!(matches!(has, Some(Ok(Value::Bool(true)))));
    }
}

//! Command-line definition (clap). Parsing only: validation happens in the commands.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

#[derive(Parser, Debug)]
#[command(
    name = "rbac-lens",
    version,
    about = "What can this chart, operator or cluster identity really do, and how could it be abused?",
    long_about = "rbac-lens works out which permissions every identity (ServiceAccount, User, Group) \
effectively holds, exactly as the Kubernetes RBAC authorizer would grant them, and matches them \
against a catalog of risk rules.\n\nExit status: 0 success; 1 `can-i` answered no; 2 usage or fatal \
error; 3 some input could not be read, parsed or rendered (the report is partial); 4 a finding at or \
above --fail-on."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Analyze manifests, directories or Helm charts and report permissions and risks.
    Analyze(AnalyzeArgs),
    /// Answer whether an identity may perform an action (like `kubectl auth can-i`).
    #[command(name = "can-i")]
    CanI(CanIArgs),
    /// List every subject allowed to perform an action, with the binding and role.
    #[command(name = "who-can")]
    WhoCan(WhoCanArgs),
    /// Browse and export the risk rule catalog.
    Rules(RulesArgs),
    /// Render a Helm chart the way `helm template` does.
    Template(TemplateArgs),
    /// Show escalation paths: which identities an identity can become, up to cluster-admin or a node.
    Paths(PathsArgs),
    /// Build an atlas: scan many charts and versions into a store, publish a static site.
    #[command(subcommand)]
    Atlas(AtlasCommand),
    /// Serve an atlas store: the site and a JSON API.
    Serve(crate::commands::serve::ServeArgs),
}

#[derive(Subcommand, Debug)]
pub enum AtlasCommand {
    /// Render and analyze every chart version a projects file lists, into a store.
    Scan(crate::commands::atlas_scan::ScanArgs),
    /// Generate the static site from a store.
    Site(crate::commands::atlas_site::SiteArgs),
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    Table,
    Json,
    Yaml,
    Markdown,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, ValueEnum)]
pub enum Level {
    Low,
    Medium,
    High,
    Critical,
}

/// Helm flags shared by `analyze` and `template`.
#[derive(Args, Debug, Clone, Default)]
pub struct HelmArgs {
    /// Release name for charts (default: the chart name).
    #[arg(long, value_name = "NAME")]
    pub release_name: Option<String>,
    /// Values files for charts (repeatable; later files win).
    #[arg(short = 'f', long = "values", value_name = "FILE")]
    pub values: Vec<PathBuf>,
    /// Set chart values on the command line (a.b=c,x={1,2}).
    #[arg(long, value_name = "KEY=VAL")]
    pub set: Vec<String>,
    /// Set chart values as strings.
    #[arg(long, value_name = "KEY=VAL")]
    pub set_string: Vec<String>,
    /// Set chart values from JSON.
    #[arg(long, value_name = "KEY=JSON")]
    pub set_json: Vec<String>,
    /// Set chart values from files.
    #[arg(long, value_name = "KEY=PATH")]
    pub set_file: Vec<String>,
    /// Kubernetes version for .Capabilities (e.g. 1.31.0).
    #[arg(long, value_name = "VERSION")]
    pub kube_version: Option<String>,
    /// Extra API versions for .Capabilities.APIVersions (repeatable).
    #[arg(short = 'a', long = "api-versions", value_name = "GROUP/VERSION")]
    pub api_versions: Vec<String>,
    /// Fail a chart on values.schema.json violations and template errors (helm's behaviour).
    #[arg(long)]
    pub strict: bool,
}

#[derive(Args, Debug)]
pub struct AnalyzeArgs {
    /// Files (YAML, JSON, `kind: List`), directories, Helm charts (directory or .tgz), or `-` for stdin.
    #[arg(required = true, value_name = "INPUT")]
    pub inputs: Vec<String>,
    #[arg(short, long, value_enum, default_value = "table")]
    pub output: OutputFormat,
    /// Namespace for namespaced objects that have none.
    #[arg(short = 'n', long, default_value = "default")]
    pub namespace: String,
    /// Hide permission rows and findings below this level.
    #[arg(long, value_enum, default_value = "low")]
    pub min_level: Level,
    /// Exit with status 4 when a finding at or above this level exists.
    #[arg(long, value_enum)]
    pub fail_on: Option<Level>,
    /// Add custom rules (same YAML schema as the embedded catalog).
    #[arg(long, value_name = "FILE")]
    pub rules: Vec<PathBuf>,
    /// Also apply the cluster's default bindings (e.g. system:masters → cluster-admin).
    #[arg(long)]
    pub with_default_bindings: bool,
    /// Do not resolve role references to the built-in default cluster roles.
    #[arg(long)]
    pub no_builtin_roles: bool,
    #[command(flatten)]
    pub helm: HelmArgs,
}

/// What to ask about: `VERB TYPE[/NAME]` or `VERB /PATH`.
#[derive(Args, Debug)]
pub struct Question {
    /// The verb: get, list, watch, create, update, patch, delete, deletecollection, impersonate, bind, escalate, use, approve, ...
    pub verb: String,
    /// TYPE[/NAME] (TYPE is `resource` for the core group or `resource.group`, e.g. `deployments.apps`), or a URL path like `/healthz`.
    pub target: String,
    /// Subresource, e.g. `exec` or `token`.
    #[arg(long)]
    pub subresource: Option<String>,
    /// Namespace of the request (default: `default`; ignored for cluster-scoped resources and URL paths).
    #[arg(short = 'n', long)]
    pub namespace: Option<String>,
    /// Ask about every namespace (a cluster-wide request).
    #[arg(short = 'A', long)]
    pub all_namespaces: bool,
    /// Input files, directories or charts.
    #[arg(short = 'f', long = "filename", required = true, value_name = "INPUT")]
    pub inputs: Vec<String>,
    /// Also apply the cluster's default bindings (e.g. system:masters → cluster-admin).
    #[arg(long)]
    pub with_default_bindings: bool,
}

#[derive(Args, Debug)]
pub struct CanIArgs {
    #[command(flatten)]
    pub question: Question,
    /// The user: a name, or `system:serviceaccount:NS:NAME` for a ServiceAccount.
    #[arg(long = "as", value_name = "USER")]
    pub as_user: String,
    /// Groups of the user (repeatable). When given, they are the user's only groups.
    #[arg(long = "as-group", value_name = "GROUP")]
    pub as_groups: Vec<String>,
    /// Explain which binding and role allow the request.
    #[arg(short, long)]
    pub verbose: bool,
}

#[derive(Args, Debug)]
pub struct WhoCanArgs {
    #[command(flatten)]
    pub question: Question,
    #[arg(short, long, value_enum, default_value = "table")]
    pub output: OutputFormat,
}

#[derive(Args, Debug)]
pub struct RulesArgs {
    #[command(subcommand)]
    pub command: RulesCommand,
    /// Extra rule file to include (same schema as the embedded catalog).
    #[arg(long, global = true, value_name = "FILE")]
    pub rules: Vec<PathBuf>,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum ExportFormat {
    Hugo,
    Markdown,
    Json,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum ShowFormat {
    Markdown,
    Json,
    Yaml,
}

#[derive(Subcommand, Debug)]
pub enum RulesCommand {
    /// List rules, optionally filtered.
    List {
        #[arg(long, value_enum)]
        level: Option<Level>,
        /// Category, e.g. "Elevation of Privilege" (case-insensitive).
        #[arg(long)]
        category: Option<String>,
        /// Tag, e.g. TokenCreation (case-insensitive).
        #[arg(long)]
        tag: Option<String>,
        #[arg(short, long, value_enum, default_value = "table")]
        output: OutputFormat,
    },
    /// Show one rule: overview, description, abuse scenarios, remediation.
    Show {
        id: u32,
        #[arg(short, long, value_enum, default_value = "markdown")]
        format: ShowFormat,
    },
    /// Write one page per rule into a directory.
    Export {
        #[arg(long, value_enum, default_value = "markdown")]
        format: ExportFormat,
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
    },
}

#[derive(Args, Debug)]
pub struct TemplateArgs {
    /// A chart directory or .tgz.
    pub chart: PathBuf,
    /// Namespace of the release.
    #[arg(short = 'n', long, default_value = "default")]
    pub namespace: String,
    #[command(flatten)]
    pub helm: HelmArgs,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum PathsFormat {
    Text,
    Json,
    Dot,
    Mermaid,
}

/// `rbac-lens paths`: exit status 0 when at least one path is printed, 1 when none.
#[derive(Args, Debug)]
pub struct PathsArgs {
    /// Files (YAML, JSON, `kind: List`), directories, Helm charts (directory or .tgz), or `-` for stdin.
    #[arg(required = true, value_name = "INPUT")]
    pub inputs: Vec<String>,
    /// Start from this identity: a user name, `system:serviceaccount:NS:NAME`, or `group:NAME`
    /// (default: every identity, with its most notable path).
    #[arg(long, value_name = "SUBJECT")]
    pub from: Option<String>,
    /// Only paths to this target: `cluster-admin`, `node`, or a SUBJECT.
    #[arg(long, value_name = "TARGET")]
    pub to: Option<String>,
    #[arg(short, long, value_enum, default_value = "text")]
    pub output: PathsFormat,
    /// With `-o dot` or `-o mermaid`: draw the whole graph, not only the part on the paths.
    #[arg(long)]
    pub all: bool,
    /// Namespace for namespaced objects that have none.
    #[arg(short = 'n', long, default_value = "default")]
    pub namespace: String,
    /// Also apply the cluster's default bindings (e.g. system:masters → cluster-admin).
    #[arg(long)]
    pub with_default_bindings: bool,
    #[command(flatten)]
    pub helm: HelmArgs,
}

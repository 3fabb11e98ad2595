//! Terminal output: one titled section per topic, each a comfy-table table.
//!
//! Sections, in this order: SUMMARY, IDENTITIES, PERMISSIONS, POTENTIAL ABUSE, WORKLOADS,
//! WARNINGS. A section with nothing to show prints `none` instead of an empty table.
//! Rows are sorted here (permissions and abuse by risk, highest first, with full tie-breaks),
//! so the output is the same on every run for the same report.
//!
//! Colour is a parameter, never detected here: the CLI decides (a terminal, and `NO_COLOR`
//! unset) and passes it in. Without colour the output is plain text with no escape codes.
//! The table never looks at the terminal's width either; long cells are not wrapped unless
//! [`TableOptions::width`] is given.
//!
//! Helpers shared with the Markdown renderer (labels, sort orders, lookups) live at the end
//! of this module as `pub(crate)` functions, so both formats say the same things the same way.

use std::cmp::Reverse;
use std::collections::HashMap;
use std::fmt::Write as _;

use comfy_table::{
    Attribute, Cell, Color, ColumnConstraint, ContentArrangement, Table, TableStyle, Width,
};

use rbac_lens_core::catalog::RiskLevel;
use rbac_lens_core::diagnostics::Warning;
use rbac_lens_core::inventory::SubjectKind;

use crate::model::{IdentitySummary, Permission, Report, RuleRef, ServiceAccountData, Workload};

/// How to draw the tables.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TableOptions {
    /// Emit ANSI colours and bold text.
    pub color: bool,
    /// Wrap cells to fit this many columns (e.g. the terminal's width). Cells break between
    /// words, and a word is only cut when longer than 32 characters, so a table whose words
    /// cannot fit stays wider than this. `None`: never wrap.
    pub width: Option<u16>,
}

/// Render the report as terminal tables (see the module docs). Ends with a newline.
pub fn render(report: &Report, color: bool) -> String {
    render_with(report, TableOptions { color, width: None })
}

/// [`render`] with every option.
pub fn render_with(report: &Report, opts: TableOptions) -> String {
    let r = Renderer { opts };
    let sections = [
        r.summary(report),
        r.identities(report),
        r.permissions(report),
        r.abuse(report),
        r.workloads(report),
        r.warnings(report),
    ];
    let mut out = sections.join("\n");
    if !out.ends_with('\n') {
        out.push('\n');
    }
    out
}

/// Light box drawing, one rule under the header, no rules between rows.
const STYLE: TableStyle = TableStyle::new()
    .top_border(comfy_table::LineStyle::new('┌', '─', '┬', '┐'))
    .header_lines(comfy_table::ContentLineStyle::new('│', '│', '│'))
    .header_separator(comfy_table::LineStyle::new('├', '─', '┼', '┤'))
    .content_lines(comfy_table::ContentLineStyle::new('│', '│', '│'))
    .bottom_border(comfy_table::LineStyle::new('└', '─', '┴', '┘'));

struct Renderer {
    opts: TableOptions,
}

impl Renderer {
    fn table(&self, header: &[&str]) -> Table {
        let mut t = Table::new();
        t.load_style(STYLE).force_no_tty();
        if self.opts.color {
            t.enforce_styling();
        }
        match self.opts.width {
            Some(w) => {
                t.set_content_arrangement(ContentArrangement::Dynamic)
                    .set_width(w);
            }
            None => {
                t.set_content_arrangement(ContentArrangement::Disabled);
            }
        }
        let header: Vec<Cell> = header
            .iter()
            .map(|h| {
                if self.opts.color {
                    Cell::new(h).add_attribute(Attribute::Bold)
                } else {
                    Cell::new(h)
                }
            })
            .collect();
        t.set_header(header);
        t
    }

    /// `TITLE (n)` on its own line, then the body (a table or `none`).
    fn section(&self, title: &str, count: Option<String>, body: Option<Table>) -> String {
        let mut heading = match count {
            Some(n) => format!("{title} ({n})"),
            None => title.to_string(),
        };
        if self.opts.color {
            heading = format!("\x1b[1m{heading}\x1b[0m");
        }
        match body {
            Some(mut t) => {
                if self.opts.width.is_some() {
                    keep_words_whole(&mut t);
                }
                format!("{heading}\n{t}\n")
            }
            None => format!("{heading}\nnone\n"),
        }
    }

    fn level_cell(&self, level: Option<RiskLevel>) -> Cell {
        match level {
            Some(level) => self.colored(level, level.as_str()),
            None => Cell::new("-"),
        }
    }

    /// A cell coloured for a risk level (colour is a cell style, so widths stay right).
    fn colored(&self, level: RiskLevel, text: &str) -> Cell {
        let cell = Cell::new(text);
        if !self.opts.color {
            return cell;
        }
        match level {
            RiskLevel::Critical => cell.fg(Color::Red).add_attribute(Attribute::Bold),
            RiskLevel::High => cell.fg(Color::Red),
            RiskLevel::Medium => cell.fg(Color::Yellow),
            RiskLevel::Low => cell.fg(Color::Green),
        }
    }

    fn summary(&self, report: &Report) -> String {
        let m = &report.metadata;
        let mut t = self.table(&["KEY", "VALUE"]);
        t.add_row(vec!["Source".to_string(), m.source.clone()]);
        t.add_row(vec!["Name".to_string(), m.name.clone()]);
        t.add_row(vec!["Version".to_string(), m.version.clone()]);
        t.add_row(vec!["Analysed".to_string(), utc_timestamp(m.timestamp)]);
        t.add_row(vec![
            "Tool".to_string(),
            format!(
                "{} {} (catalog {})",
                m.tool, m.tool_version, m.catalog_version
            ),
        ]);
        if !m.complete {
            t.add_row(vec![
                "Complete".to_string(),
                "no: some input could not be read or rendered (see WARNINGS)".to_string(),
            ]);
        }
        t.add_row(vec!["Identities".to_string(), identity_counts(report)]);
        t.add_row(vec![
            "Permission rows".to_string(),
            permission_counts(report),
        ]);
        t.add_row(vec![
            "Workloads".to_string(),
            workload_counts(&report.service_account_workloads),
        ]);
        let counts = level_counts(report);
        for level in RiskLevel::ALL.into_iter().rev() {
            t.add_row(vec![
                self.colored(level, &format!("{level} rows")),
                Cell::new(counts[level as usize]),
            ]);
        }
        t.add_row(vec![
            "Warnings".to_string(),
            report.warnings.len().to_string(),
        ]);
        self.section("SUMMARY", None, Some(t))
    }

    fn identities(&self, report: &Report) -> String {
        if report.identities.is_empty() {
            return self.section("IDENTITIES", Some("0".into()), None);
        }
        let mut t = self.table(&[
            "KIND",
            "IDENTITY",
            "NAMESPACE",
            "AUTOMOUNT",
            "SECRETS",
            "TOKEN SECRETS",
            "PERMISSIONS",
            "WORKLOADS",
            "HIGHEST RISK",
        ]);
        let index = Index::new(report);
        let mut ids: Vec<&IdentitySummary> = report.identities.iter().collect();
        ids.sort_by_key(|id| identity_key(id));
        for id in ids {
            let sa = index.account(id);
            t.add_row(vec![
                Cell::new(id.kind.as_str()),
                Cell::new(&id.name),
                Cell::new(id.namespace.as_deref().unwrap_or("-")),
                Cell::new(sa.map_or("-", |s| yes_no(s.automount_token))),
                Cell::new(sa.map_or_else(dash, |s| {
                    list_or_dash(s.secrets.as_deref().unwrap_or_default())
                })),
                Cell::new(sa.map_or_else(dash, |s| list_or_dash(&s.token_secrets))),
                Cell::new(id.permissions),
                Cell::new(distinct_workloads(index.workloads(id).iter().copied())),
                self.level_cell(id.risk_level),
            ]);
        }
        self.section(
            "IDENTITIES",
            Some(report.identities.len().to_string()),
            Some(t),
        )
    }

    fn permissions(&self, report: &Report) -> String {
        let rows = sorted_permissions(report);
        if rows.is_empty() {
            return self.section("PERMISSIONS", Some("0".into()), None);
        }
        let mut t = self.table(&[
            "IDENTITY",
            "NAMESPACE",
            "SCOPE",
            "ROLE",
            "BINDING",
            "API GROUP",
            "RESOURCE",
            "VERBS",
            "RISK",
            "TAGS",
        ]);
        for p in &rows {
            t.add_row(vec![
                Cell::new(permission_subject(p)),
                Cell::new(if p.service_account_name.is_some() {
                    p.namespace.as_str()
                } else {
                    "-"
                }),
                Cell::new(scope_label(&p.scope)),
                Cell::new(role_label(p)),
                Cell::new(binding_label(p)),
                Cell::new(if p.non_resource_url {
                    "-".to_string()
                } else {
                    api_group_label(&p.api_group).to_string()
                }),
                Cell::new(resource_label(p)),
                Cell::new(verbs_label(p)),
                self.level_cell(Some(p.risk_level)),
                Cell::new(tags_label(&p.tags, 3, |n| format!("({n} more)"))),
            ]);
        }
        self.section("PERMISSIONS", Some(rows.len().to_string()), Some(t))
    }

    fn abuse(&self, report: &Report) -> String {
        let rows = sorted_abuse(report);
        if rows.is_empty() {
            return self.section("POTENTIAL ABUSE", Some("0".into()), None);
        }
        let mut t = self.table(&["IDENTITY", "RULE", "NAME", "LEVEL"]);
        for (id, rule) in &rows {
            t.add_row(vec![
                Cell::new(identity_label(id)),
                Cell::new(rule.id),
                Cell::new(&rule.name),
                self.level_cell(Some(rule.risk_level)),
            ]);
        }
        self.section("POTENTIAL ABUSE", Some(rows.len().to_string()), Some(t))
    }

    fn workloads(&self, report: &Report) -> String {
        let rows = sorted_workloads(report);
        if rows.is_empty() {
            return self.section("WORKLOADS", Some("0".into()), None);
        }
        let mut t = self.table(&[
            "IDENTITY",
            "NAMESPACE",
            "KIND",
            "NAME",
            "CONTAINER",
            "IMAGE",
            "HOST ACCESS",
        ]);
        for w in &rows {
            t.add_row(vec![
                w.service_account_name.clone(),
                w.namespace.clone(),
                w.workload_type.clone(),
                w.workload_name.clone(),
                container_label(w),
                w.image.clone(),
                host_access(w).unwrap_or_else(dash),
            ]);
        }
        self.section(
            "WORKLOADS",
            Some(workload_counts(&report.service_account_workloads)),
            Some(t),
        )
    }

    fn warnings(&self, report: &Report) -> String {
        if report.warnings.is_empty() {
            return self.section("WARNINGS", Some("0".into()), None);
        }
        let mut t = self.table(&["CODE", "LOCATION", "OBJECT", "FIELD", "MESSAGE"]);
        for w in &report.warnings {
            t.add_row(vec![
                w.code.id().to_string(),
                warning_location(w),
                w.object.clone().unwrap_or_else(dash),
                w.field.clone().unwrap_or_else(dash),
                w.message.clone(),
            ]);
        }
        self.section("WARNINGS", Some(report.warnings.len().to_string()), Some(t))
    }
}

/// When wrapping, break cells between words: every column is at least as wide as its longest
/// word (up to [`MAX_WORD`]), so names are not cut in the middle.
fn keep_words_whole(t: &mut Table) {
    let header: Vec<usize> = t
        .header()
        .map(|h| h.cell_iter().map(|c| longest_word(&c.content())).collect())
        .unwrap_or_default();
    let widths: Vec<u16> = (0..header.len())
        .map(|i| {
            let cells = t
                .column_cells_iter(i)
                .map(|c| c.map_or(0, |c| longest_word(&c.content())));
            let w = cells.chain([header[i]]).max().unwrap_or(0).min(MAX_WORD);
            // Constraints count the cell's padding (one space each side).
            u16::try_from(w + 2).unwrap_or(u16::MAX)
        })
        .collect();
    t.set_constraints(
        widths
            .into_iter()
            .map(|w| ColumnConstraint::LowerBoundary(Width::Fixed(w))),
    );
}

/// Words longer than this may still be cut when wrapping.
const MAX_WORD: usize = 32;

fn longest_word(s: &str) -> usize {
    s.split_whitespace()
        .map(|w| w.chars().count())
        .max()
        .unwrap_or(0)
}

// ---------------------------------------------------------------------------------------
// Shared with the Markdown renderer.
// ---------------------------------------------------------------------------------------

pub(crate) fn dash() -> String {
    "-".to_string()
}

pub(crate) fn yes_no(b: bool) -> &'static str {
    if b { "yes" } else { "no" }
}

pub(crate) fn list_or_dash(items: &[String]) -> String {
    if items.is_empty() {
        dash()
    } else {
        items.join(", ")
    }
}

/// Per-account lookups, built once per rendering: a report can hold many thousands of
/// identities and rows, so nothing scans the whole report once per identity.
pub(crate) struct Index<'a> {
    accounts: HashMap<(&'a str, &'a str), &'a ServiceAccountData>,
    permissions: HashMap<(&'a str, &'a str), Vec<&'a Permission>>,
    workloads: HashMap<(&'a str, &'a str), Vec<&'a Workload>>,
}

impl<'a> Index<'a> {
    pub(crate) fn new(report: &'a Report) -> Self {
        let accounts = report
            .service_account_data
            .iter()
            .map(|s| ((s.namespace.as_str(), s.service_account_name.as_str()), s))
            .collect();
        let mut permissions: HashMap<_, Vec<_>> = HashMap::new();
        for p in &report.service_account_permissions {
            if let Some(sa) = &p.service_account_name {
                permissions
                    .entry((p.namespace.as_str(), sa.as_str()))
                    .or_default()
                    .push(p);
            }
        }
        for rows in permissions.values_mut() {
            rows.sort_by_cached_key(|p| permission_key(p));
        }
        let mut workloads: HashMap<_, Vec<_>> = HashMap::new();
        for w in sorted_workloads(report) {
            workloads
                .entry((w.namespace.as_str(), w.service_account_name.as_str()))
                .or_default()
                .push(w);
        }
        Index {
            accounts,
            permissions,
            workloads,
        }
    }

    /// `(namespace, name)` of a ServiceAccount identity.
    fn key(id: &'a IdentitySummary) -> Option<(&'a str, &'a str)> {
        (id.kind == SubjectKind::ServiceAccount).then(|| {
            (
                id.namespace.as_deref().unwrap_or_default(),
                id.name.as_str(),
            )
        })
    }

    /// The ServiceAccount data of an identity (None for users and groups).
    pub(crate) fn account(&self, id: &'a IdentitySummary) -> Option<&'a ServiceAccountData> {
        Self::key(id).and_then(|k| self.accounts.get(&k).copied())
    }

    /// A ServiceAccount's permission rows, highest risk first (none for users and groups).
    pub(crate) fn permissions(&self, id: &'a IdentitySummary) -> &[&'a Permission] {
        Self::key(id)
            .and_then(|k| self.permissions.get(&k))
            .map_or(&[], Vec::as_slice)
    }

    /// The workload containers running as an identity, in display order.
    pub(crate) fn workloads(&self, id: &'a IdentitySummary) -> &[&'a Workload] {
        Self::key(id)
            .and_then(|k| self.workloads.get(&k))
            .map_or(&[], Vec::as_slice)
    }
}

/// `ns/name` for a ServiceAccount, `User alice` / `Group devs` otherwise.
pub(crate) fn identity_label(id: &IdentitySummary) -> String {
    match (id.kind, &id.namespace) {
        (SubjectKind::ServiceAccount, Some(ns)) => format!("{ns}/{}", id.name),
        (SubjectKind::ServiceAccount, None) => id.name.clone(),
        (kind, _) => format!("{} {}", kind.as_str(), id.name),
    }
}

/// The subject of a row: the account's name, or `User alice` / `Group devs`.
pub(crate) fn permission_subject(p: &Permission) -> String {
    match (&p.service_account_name, p.subject_kind, &p.subject_name) {
        (Some(sa), _, _) => sa.clone(),
        (None, Some(kind), Some(name)) => format!("{} {name}", kind.as_str()),
        (None, _, name) => name.clone().unwrap_or_default(),
    }
}

pub(crate) fn scope_label(scope: &str) -> String {
    if scope == "*" {
        "cluster-wide".to_string()
    } else {
        scope.to_string()
    }
}

pub(crate) fn api_group_label(group: &str) -> &str {
    if group.is_empty() { "core" } else { group }
}

/// `ClusterRole cluster-admin (built-in)`, `Role reader`.
pub(crate) fn role_label(p: &Permission) -> String {
    let builtin = if p.builtin_role { " (built-in)" } else { "" };
    format!("{} {}{builtin}", p.role_type, p.role_name)
}

/// `ClusterRoleBinding name`, `RoleBinding ns/name`.
pub(crate) fn binding_label(p: &Permission) -> String {
    match &p.binding_namespace {
        Some(ns) => format!("{} {ns}/{}", p.binding_type, p.binding_name),
        None => format!("{} {}", p.binding_type, p.binding_name),
    }
}

/// The name restriction, when there is one (`""` and `*` mean any name).
pub(crate) fn restriction(p: &Permission) -> Option<&str> {
    (!p.resource_name.is_empty() && p.resource_name != "*").then_some(p.resource_name.as_str())
}

/// `pods (restricted to: web)`; `/metrics (non-resource URL)` for non-resource rows.
pub(crate) fn resource_label(p: &Permission) -> String {
    if p.non_resource_url {
        return format!("{} (non-resource URL)", p.resource);
    }
    match restriction(p) {
        Some(name) => format!("{} (restricted to: {name})", p.resource),
        None => p.resource.clone(),
    }
}

/// Verbs, comma-joined; verbs Kubernetes never honours on this row are set apart.
pub(crate) fn verbs_label(p: &Permission) -> String {
    let effective: Vec<&str> = p
        .verbs
        .iter()
        .filter(|v| !p.ineffective_verbs.contains(v))
        .map(String::as_str)
        .collect();
    let mut out = effective.join(", ");
    if !p.ineffective_verbs.is_empty() {
        if !out.is_empty() {
            out.push(' ');
        }
        let _ = write!(out, "(ineffective: {})", p.ineffective_verbs.join(", "));
    }
    out
}

/// The first `shown` tags, then `more(n)` for the rest; `-` when there are none.
pub(crate) fn tags_label(tags: &[String], shown: usize, more: impl Fn(usize) -> String) -> String {
    if tags.is_empty() {
        return dash();
    }
    let mut out = tags
        .iter()
        .take(shown)
        .cloned()
        .collect::<Vec<_>>()
        .join(", ");
    if tags.len() > shown {
        out.push(' ');
        out.push_str(&more(tags.len() - shown));
    }
    out
}

/// `api (init)` for an init container.
pub(crate) fn container_label(w: &Workload) -> String {
    if w.init_container {
        format!("{} (init)", w.container_name)
    } else {
        w.container_name.clone()
    }
}

/// `privileged, hostPID, hostNetwork, hostIPC, hostPath: /a, /b`, or None.
pub(crate) fn host_access(w: &Workload) -> Option<String> {
    let mut flags = Vec::new();
    for (on, name) in [
        (w.privileged, "privileged"),
        (w.host_pid, "hostPID"),
        (w.host_network, "hostNetwork"),
        (w.host_ipc, "hostIPC"),
    ] {
        if on {
            flags.push(name.to_string());
        }
    }
    if !w.host_paths.is_empty() {
        flags.push(format!("hostPath: {}", w.host_paths.join(", ")));
    }
    (!flags.is_empty()).then(|| flags.join(", "))
}

/// `file:line (document n)`, 1-based like editors; parts that are unknown are left out.
pub(crate) fn warning_location(w: &Warning) -> String {
    let mut out = w.file.clone();
    if w.line > 0 {
        let _ = write!(out, ":{}", w.line);
    }
    if let Some(d) = w.document {
        let _ = write!(out, " (document {})", d + 1);
    }
    out
}

fn kind_rank(kind: SubjectKind) -> u8 {
    match kind {
        SubjectKind::ServiceAccount => 0,
        SubjectKind::User => 1,
        SubjectKind::Group => 2,
    }
}

/// All permission rows (service accounts, then users and groups), highest risk first, then
/// by identity, role, resource and binding.
pub(crate) fn sorted_permissions(report: &Report) -> Vec<&Permission> {
    let mut rows: Vec<&Permission> = report
        .service_account_permissions
        .iter()
        .chain(&report.subject_permissions)
        .collect();
    rows.sort_by_cached_key(|p| permission_key(p));
    rows
}

type PermissionKey<'a> = (
    Reverse<RiskLevel>,
    (u8, Option<&'a str>, &'a str),
    (&'a str, &'a str),
    (bool, &'a str, &'a str, &'a str),
    (&'a str, &'a str, &'a str, Option<&'a str>),
);

pub(crate) fn permission_key(p: &Permission) -> PermissionKey<'_> {
    let (rank, ns, name) = match (&p.service_account_name, p.subject_kind, &p.subject_name) {
        (Some(sa), _, _) => (0, Some(p.namespace.as_str()), sa.as_str()),
        (None, kind, name) => (
            kind.map_or(3, kind_rank),
            None,
            name.as_deref().unwrap_or_default(),
        ),
    };
    (
        Reverse(p.risk_level),
        (rank, ns, name),
        (p.role_type.as_str(), p.role_name.as_str()),
        (
            p.non_resource_url,
            p.api_group.as_str(),
            p.resource.as_str(),
            p.resource_name.as_str(),
        ),
        (
            p.scope.as_str(),
            p.binding_type.as_str(),
            p.binding_name.as_str(),
            p.binding_namespace.as_deref(),
        ),
    )
}

/// Identity order: service accounts, users, groups; then namespace and name.
pub(crate) fn identity_key(id: &IdentitySummary) -> (u8, Option<&str>, &str) {
    (
        kind_rank(id.kind),
        id.namespace.as_deref(),
        id.name.as_str(),
    )
}

/// Every (identity, rule) of potential abuse, highest level first, then identity and rule id.
pub(crate) fn sorted_abuse(report: &Report) -> Vec<(&IdentitySummary, &RuleRef)> {
    let mut rows: Vec<(&IdentitySummary, &RuleRef)> = report
        .identities
        .iter()
        .flat_map(|id| id.potential_abuse.iter().map(move |r| (id, r)))
        .collect();
    rows.sort_by(|(ia, ra), (ib, rb)| {
        (Reverse(ra.risk_level), identity_key(ia), ra.id).cmp(&(
            Reverse(rb.risk_level),
            identity_key(ib),
            rb.id,
        ))
    });
    rows
}

/// Workload containers by namespace, account, kind and name; init containers first.
pub(crate) fn sorted_workloads(report: &Report) -> Vec<&Workload> {
    let mut rows: Vec<&Workload> = report.service_account_workloads.iter().collect();
    rows.sort_by_key(|w| workload_key(w));
    rows
}

pub(crate) fn workload_key(w: &Workload) -> (&str, &str, &str, &str, bool, &str) {
    (
        w.namespace.as_str(),
        w.service_account_name.as_str(),
        w.workload_type.as_str(),
        w.workload_name.as_str(),
        !w.init_container,
        w.container_name.as_str(),
    )
}

/// Row counts per level, indexed like [`RiskLevel::ALL`] (Low first).
pub(crate) fn level_counts(report: &Report) -> [usize; 4] {
    let mut counts = [0; 4];
    for p in report
        .service_account_permissions
        .iter()
        .chain(&report.subject_permissions)
    {
        counts[p.risk_level as usize] += 1;
    }
    counts
}

/// `3 (1 service account, 1 user, 1 group)`.
pub(crate) fn identity_counts(report: &Report) -> String {
    let n = |k| report.identities.iter().filter(|i| i.kind == k).count();
    let parts: Vec<String> = [
        (
            n(SubjectKind::ServiceAccount),
            "service account",
            "service accounts",
        ),
        (n(SubjectKind::User), "user", "users"),
        (n(SubjectKind::Group), "group", "groups"),
    ]
    .into_iter()
    .filter(|(c, _, _)| *c > 0)
    .map(|(c, one, many)| format!("{c} {}", if c == 1 { one } else { many }))
    .collect();
    if parts.is_empty() {
        "0".to_string()
    } else {
        format!("{} ({})", report.identities.len(), parts.join(", "))
    }
}

/// `7 (5 service account rows, 2 user/group rows)`.
pub(crate) fn permission_counts(report: &Report) -> String {
    let sa = report.service_account_permissions.len();
    let other = report.subject_permissions.len();
    format!(
        "{} ({sa} for service accounts, {other} for users and groups)",
        sa + other
    )
}

/// Distinct workloads (namespace, kind, name) among container rows.
pub(crate) fn distinct_workloads<'a>(rows: impl IntoIterator<Item = &'a Workload>) -> usize {
    let mut names: Vec<(&str, &str, &str)> = rows
        .into_iter()
        .map(|w| {
            (
                w.namespace.as_str(),
                w.workload_type.as_str(),
                w.workload_name.as_str(),
            )
        })
        .collect();
    names.sort_unstable();
    names.dedup();
    names.len()
}

/// `1 workload, 2 containers`.
pub(crate) fn workload_counts(rows: &[Workload]) -> String {
    let (w, c) = (distinct_workloads(rows), rows.len());
    format!("{w} workload{}, {c} container{}", plural(w), plural(c))
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// Unix seconds as `YYYY-MM-DD HH:MM:SS UTC` (no clock, no time-zone database).
pub(crate) fn utc_timestamp(secs: i64) -> String {
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    // Howard Hinnant's days-to-civil.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02}:{:02} UTC",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps() {
        assert_eq!(utc_timestamp(0), "1970-01-01 00:00:00 UTC");
        assert_eq!(utc_timestamp(1_700_000_000), "2023-11-14 22:13:20 UTC");
        assert_eq!(utc_timestamp(951_825_600), "2000-02-29 12:00:00 UTC");
        assert_eq!(utc_timestamp(-1), "1969-12-31 23:59:59 UTC");
    }

    #[test]
    fn tags_are_cut_after_the_limit() {
        let tags: Vec<String> = ["a", "b", "c", "d", "e"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        assert_eq!(
            tags_label(&tags, 3, |n| format!("({n} more)")),
            "a, b, c (2 more)"
        );
        assert_eq!(tags_label(&tags[..2], 3, |n| format!("({n} more)")), "a, b");
        assert_eq!(tags_label(&[], 3, |n| format!("({n} more)")), "-");
    }
}

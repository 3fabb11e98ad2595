//! The chart version page: identities, their permissions with risk and tags, potential
//! abuse linked to rule pages, workloads, escalation paths, and a version picker.

use std::collections::BTreeMap;
use std::fmt::Write;

use rbac_lens_atlas::ScanStatus;
use rbac_lens_core::catalog::{BASE_RULE_IDS, RiskLevel};
use rbac_lens_core::escalation::Node;
use rbac_lens_report::Report;
use rbac_lens_report::model::{Permission, Workload};

use super::charts::delta;
use super::{category_links, chart_name, rule_link, status_badge, tag_links};
use crate::data::subject;
use crate::html::{
    Page, date, esc, external_link, level_counts, resource_display, risk_badge, thead,
};
use crate::{Site, paths};

/// One identity of the report, with its rows and workloads.
struct Ident<'r> {
    kind: String,
    name: String,
    namespace: String,
    automount: Option<bool>,
    secrets: Vec<String>,
    declared: bool,
    perms: Vec<&'r Permission>,
    workloads: Vec<&'r Workload>,
    highest: Option<RiskLevel>,
    effective: Option<RiskLevel>,
    reaches: Vec<&'static str>,
}

impl Ident<'_> {
    fn anchor(&self) -> String {
        // Anchors only need to be unique within the page; keep them plain ASCII.
        let raw = format!("{}-{}-{}", self.kind, self.namespace, self.name);
        let mut a = String::from("id-");
        for ch in raw.chars() {
            a.push(if ch.is_ascii_alphanumeric() { ch } else { '-' });
        }
        a
    }

    fn label(&self) -> String {
        if self.kind == "ServiceAccount" {
            self.name.clone()
        } else {
            format!("{} {}", self.kind, self.name)
        }
    }
}

fn identities(r: &Report) -> Vec<Ident<'_>> {
    let mut map: BTreeMap<(String, String, String), Ident> = BTreeMap::new();
    let mut get = |kind: &str, ns: &str, name: &str| -> (String, String, String) {
        let key = (kind.to_string(), ns.to_string(), name.to_string());
        map.entry(key.clone()).or_insert_with(|| Ident {
            kind: kind.to_string(),
            name: name.to_string(),
            namespace: ns.to_string(),
            automount: None,
            secrets: Vec::new(),
            declared: kind != "ServiceAccount",
            perms: Vec::new(),
            workloads: Vec::new(),
            highest: None,
            effective: None,
            reaches: Vec::new(),
        });
        key
    };
    let mut keys = Vec::new();
    for sa in &r.service_account_data {
        keys.push((
            get("ServiceAccount", &sa.namespace, &sa.service_account_name),
            Some(sa),
        ));
    }
    let mut perm_keys = Vec::new();
    for p in r
        .service_account_permissions
        .iter()
        .chain(&r.subject_permissions)
    {
        let (kind, name) = subject(p);
        let ns = if kind == "ServiceAccount" {
            p.namespace.as_str()
        } else {
            ""
        };
        perm_keys.push((get(&kind, ns, &name), p));
    }
    let mut wl_keys = Vec::new();
    for w in &r.service_account_workloads {
        let name = if w.service_account_name.is_empty() {
            "default"
        } else {
            &w.service_account_name
        };
        wl_keys.push((get("ServiceAccount", &w.namespace, name), w));
    }
    for (k, sa) in keys {
        if let (Some(i), Some(sa)) = (map.get_mut(&k), sa) {
            i.automount = Some(sa.automount_token);
            i.secrets = sa.secrets.clone().unwrap_or_default();
            i.secrets.extend(sa.token_secrets.iter().cloned());
            i.declared = sa.declared;
        }
    }
    for (k, p) in perm_keys {
        if let Some(i) = map.get_mut(&k) {
            i.perms.push(p);
            i.highest = i.highest.max(Some(p.risk_level));
        }
    }
    for (k, w) in wl_keys {
        if let Some(i) = map.get_mut(&k) {
            i.workloads.push(w);
        }
    }
    for e in &r.escalation {
        let key = match &e.identity {
            Node::ServiceAccount { namespace, name } => (
                "ServiceAccount".to_string(),
                namespace.clone(),
                name.clone(),
            ),
            Node::User { name } => ("User".into(), String::new(), name.clone()),
            Node::Group { name } => ("Group".into(), String::new(), name.clone()),
            _ => continue,
        };
        if let Some(i) = map.get_mut(&key) {
            i.effective = e.effective_risk;
            if e.cluster_admin_hops.is_some() {
                i.reaches.push("cluster-admin");
            }
            if e.node_hops.is_some() {
                i.reaches.push("node");
            }
        }
    }
    let mut list: Vec<Ident> = map.into_values().collect();
    // Highest risk first, then by kind, namespace, name (the map's order).
    list.sort_by_key(|i| std::cmp::Reverse(i.highest));
    list
}

fn picker(p: &Page, site: &Site, c: usize, v: usize) -> String {
    let entry = &site.index.charts[c];
    let mut s = String::from("<nav class=\"picker\">");
    // Newer and older neighbours work without script; the select lists every version.
    if v > 0 {
        let n = &entry.versions[v - 1];
        let _ = write!(
            s,
            "{} · ",
            p.a(
                &paths::version_page(&entry.id, &n.version),
                &format!("← newer {}", n.version)
            )
        );
    }
    if let Some(o) = entry.versions.get(v + 1) {
        let _ = write!(
            s,
            "{} · ",
            p.a(
                &paths::version_page(&entry.id, &o.version),
                &format!("older {} →", o.version)
            )
        );
    }
    let _ = write!(
        s,
        "{} <label>Version <select class=\"version-picker\" data-current=\"{}\"><option>{}</option></select></label></nav>",
        p.a(
            &paths::chart_page(&entry.id),
            &format!("all {} versions", entry.versions.len())
        ),
        esc(&paths::segment(&entry.versions[v].version)),
        esc(&entry.versions[v].version),
    );
    s
}

fn tags_cell(p: &Page, tags: &[String]) -> String {
    if tags.len() <= 5 {
        return tag_links(p, tags);
    }
    format!(
        "{}<details><summary>+{} more</summary>{}</details>",
        tag_links(p, &tags[..5]),
        tags.len() - 5,
        tag_links(p, &tags[5..])
    )
}

fn permission_rows(site: &Site, p: &Page, perms: &[&Permission]) -> String {
    let mut s = String::from("<table class=\"perms\">");
    s.push_str(&thead(&[
        "Role", "Scope", "Resource", "Verbs", "Risk", "Tags", "Rules",
    ]));
    let mut sorted: Vec<&&Permission> = perms.iter().collect();
    sorted.sort_by_key(|p| std::cmp::Reverse(p.risk_level));
    for perm in sorted {
        let mut resource = if perm.non_resource_url {
            format!("URL {}", perm.resource)
        } else {
            resource_display(&perm.api_group, &perm.resource)
        };
        if !perm.resource_name.is_empty() {
            let _ = write!(resource, " (restricted to: {})", perm.resource_name);
        }
        let mut verbs = esc(&perm.verbs.join(", "));
        if !perm.ineffective_verbs.is_empty() {
            let _ = write!(
                verbs,
                " <span class=\"note\" title=\"these verbs grant nothing on this resource\">(no effect: {})</span>",
                esc(&perm.ineffective_verbs.join(", "))
            );
        }
        let mut role = format!("{} {}", esc(&perm.role_type), esc(&perm.role_name));
        if perm.builtin_role {
            role.push_str(" <span class=\"note\">built-in</span>");
        }
        let _ = write!(
            role,
            "<br><span class=\"note\">via {} {}</span>",
            esc(&perm.binding_type),
            esc(&perm.binding_name)
        );
        let rules: Vec<String> = perm
            .matched_risk_rules
            .iter()
            .filter(|m| !BASE_RULE_IDS.contains(&m.id))
            .map(|m| {
                format!(
                    "<a href=\"{}\" title=\"{}\">{}</a>",
                    esc(&p.link(&paths::rule_page(m.id))),
                    esc(&m.name),
                    m.id
                )
            })
            .collect();
        let scope = if perm.scope == "*" {
            "cluster-wide".to_string()
        } else {
            esc(&perm.scope)
        };
        let _ = write!(
            s,
            "<tr><td>{role}</td><td>{scope}</td><td>{}</td><td>{verbs}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(&resource),
            risk_badge(Some(perm.risk_level)),
            tags_cell(p, &perm.tags),
            rules.join(" "),
        );
    }
    let _ = site;
    s.push_str("</table>");
    s
}

fn yes_no(b: Option<bool>) -> &'static str {
    match b {
        Some(true) => "<span title=\"token mounted\">yes</span>",
        Some(false) => "<span title=\"token not mounted\">no</span>",
        None => "–",
    }
}

fn workload_flags(w: &Workload) -> String {
    let mut f = Vec::new();
    if w.privileged {
        f.push("privileged".to_string());
    }
    if w.host_pid {
        f.push("hostPID".into());
    }
    if w.host_network {
        f.push("hostNetwork".into());
    }
    if w.host_ipc {
        f.push("hostIPC".into());
    }
    for h in &w.host_paths {
        f.push(format!("hostPath {h}"));
    }
    if w.init_container {
        f.push("init container".into());
    }
    if !w.automount_token {
        f.push("no token".into());
    }
    esc(&f.join(", "))
}

fn escalation_section(site: &Site, p: &Page, r: &Report) -> String {
    let mut s = format!(
        "<section id=\"escalation\"><h2>Escalation paths ({})</h2>",
        r.escalation_paths.len()
    );
    if r.escalation_paths.is_empty() {
        s.push_str(
            "<p>No identity can become another, reach cluster-admin or a node.</p></section>",
        );
        return s;
    }
    s.push_str("<p>Who each identity can become, by the shortest path, with the permission behind each step.</p>");
    for path in &r.escalation_paths {
        let _ = write!(
            s,
            "<details class=\"path\"><summary>{} → <b>{}</b> {} <span class=\"note\">{} step{}</span></summary><ol>",
            esc(&path.from.to_string()),
            esc(&path.to.to_string()),
            risk_badge(path.risk),
            path.steps.len(),
            if path.steps.len() == 1 { "" } else { "s" }
        );
        for st in &path.steps {
            let _ = write!(
                s,
                "<li><b>{}</b> → <b>{}</b> <span class=\"edge\">{}</span><br>{}",
                esc(&st.from.to_string()),
                esc(&st.to.to_string()),
                esc(&st.edge.name()),
                esc(&st.explanation)
            );
            if !st.evidence.is_empty() {
                s.push_str("<ul class=\"evidence\">");
                for e in &st.evidence {
                    let _ = write!(s, "<li><code>{}</code>: ", esc(&e.request));
                    match &e.binding {
                        Some(b) => {
                            let _ = write!(s, "{} → {}", esc(b), esc(&e.role));
                        }
                        None => {
                            let _ = write!(s, "{} (bound by the attacker)", esc(&e.role));
                        }
                    }
                    if let Some(id) = e.rule_id {
                        let _ = write!(s, " · {}", rule_link(site, p, id));
                    }
                    if let Some(sub) = &e.subject {
                        let _ = write!(s, " · subject {}", esc(sub));
                    }
                    if let Some(o) = &e.origin
                        && !o.file.is_empty()
                        && !o.builtin
                    {
                        let loc = if o.line > 0 {
                            format!("{}:{}", o.file, o.line)
                        } else {
                            o.file.clone()
                        };
                        let _ = write!(s, " <span class=\"note\">[{}]</span>", esc(&loc));
                    }
                    s.push_str("</li>");
                }
                s.push_str("</ul>");
            }
            s.push_str("</li>");
        }
        s.push_str("</ol></details>");
    }
    s.push_str("</section>");
    s
}

pub fn render(site: &Site, c: usize, v: usize, report: Option<&Report>) -> String {
    let entry = &site.index.charts[c];
    let sum = &entry.versions[v];
    let mut p = Page::new(paths::version_page(&entry.id, &sum.version));
    let title = format!("{} {}", chart_name(&entry.id), sum.version);
    let _ = write!(
        p.body,
        "<p class=\"crumbs\">{} › {} › {}</p><h1>{} <span class=\"version\">{}</span>{}</h1>",
        p.a(paths::CHART_INDEX, "Charts"),
        esc(&entry.id.repo),
        p.a(&paths::chart_page(&entry.id), &entry.id.chart),
        esc(&entry.id.chart),
        esc(&sum.version),
        status_badge(sum)
    );
    p.body.push_str(&picker(&p, site, c, v));

    // Stats bar with trend badges against the previous analysed version.
    let prev = entry.previous(&sum.version);
    let mut bar = String::from("<section class=\"statsbar\">");
    let trend = |now: u32, f: &dyn Fn(&rbac_lens_atlas::ScanSummary) -> u32| {
        prev.map(|pv| delta(i64::from(now), i64::from(f(pv))))
            .unwrap_or_default()
    };
    let _ = write!(
        bar,
        "<div><b>{}</b> service accounts</div><div><b>{}</b> workloads</div><div><b>{}</b> permission rows {}</div>",
        sum.service_accounts,
        sum.workloads,
        sum.permissions,
        trend(sum.permissions, &|s| s.permissions)
    );
    for l in RiskLevel::ALL.iter().rev() {
        let i = crate::model_level(*l);
        let _ = write!(
            bar,
            "<div class=\"risk {}\"><b>{}</b> {l} {}</div>",
            crate::html::level_class(*l),
            sum.level_counts[i],
            trend(sum.level_counts[i], &|s| s.level_counts[i])
        );
    }
    bar.push_str("</section>");
    p.body.push_str(&bar);
    if let Some(pv) = prev {
        let _ = write!(
            p.body,
            "<p>{}</p>",
            p.a(
                &paths::diff_page(&entry.id, &sum.version),
                &format!("What changed since {}", pv.version)
            )
        );
    }

    if sum.status == ScanStatus::Failed {
        let _ = write!(
            p.body,
            "<section class=\"error\"><h2>Scan failed</h2><pre>{}</pre><p>Source: {}</p></section>",
            esc(&sum.error),
            esc(&sum.source)
        );
    }
    if !sum.tags.is_empty() {
        let _ = write!(p.body, "<p>Tags: {}</p>", tags_cell(&p, &sum.tags));
    }

    let Some(r) = report else {
        p.body.push_str(&scan_info(&p, sum, false));
        return p.finish(
            &site.opts.title,
            &title,
            &[paths::chart_versions_js(&entry.id).as_str()],
        );
    };

    // Description.
    p.body.push_str("<section><h2>Description</h2>");
    if !sum.description.is_empty() {
        let _ = write!(p.body, "<p>{}</p>", esc(&sum.description));
    }
    if let Some(h) = &r.metadata.extra.helm {
        if !h.home.is_empty() {
            let _ = write!(p.body, "<p>Home: {}</p>", external_link(&h.home));
        }
        if let Some(src) = &h.sources
            && !src.is_empty()
        {
            p.body.push_str("<p>Sources: ");
            for u in src {
                let _ = write!(p.body, "{} ", external_link(u));
            }
            p.body.push_str("</p>");
        }
    }
    if !sum.keywords.is_empty() {
        let _ = write!(
            p.body,
            "<p>Categories: {}</p>",
            category_links(&p, &sum.keywords)
        );
    }
    p.body.push_str("</section>");

    if sum.status == ScanStatus::Partial || !r.warnings.is_empty() {
        let _ = write!(
            p.body,
            "<section class=\"warning\"><h2>Warnings ({})</h2><p>{}</p><ul>",
            r.warnings.len(),
            if r.metadata.complete {
                "The analysis is complete; these inputs were skipped or noted."
            } else {
                "Part of the chart could not be rendered or analysed: the results below are partial."
            }
        );
        for w in r.warnings.iter().take(50) {
            let _ = write!(p.body, "<li>{}</li>", esc(&w.to_string()));
        }
        if r.warnings.len() > 50 {
            let _ = write!(
                p.body,
                "<li>… {} more in the report</li>",
                r.warnings.len() - 50
            );
        }
        p.body.push_str("</ul></section>");
    }

    let ids = identities(r);
    // Overview.
    let _ = write!(
        p.body,
        "<section id=\"overview\"><h2>Overview ({} identities)</h2><table>",
        ids.len()
    );
    p.body.push_str(&thead(&[
        "Identity",
        "Namespace",
        "Automount",
        "Secrets",
        "Permissions",
        "Workloads",
        "Highest risk",
        "Reaches",
    ]));
    for i in &ids {
        let reaches = if i.reaches.is_empty() {
            match i.effective {
                Some(e) if Some(e) > i.highest => {
                    format!("{} (via escalation)", risk_badge(Some(e)))
                }
                _ => String::new(),
            }
        } else {
            format!("<a href=\"#escalation\">{}</a>", i.reaches.join(", "))
        };
        let _ = write!(
            p.body,
            "<tr><td><a href=\"#{}\">{}</a>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{reaches}</td></tr>",
            i.anchor(),
            esc(&i.label()),
            if i.declared {
                ""
            } else {
                " <span class=\"note\" title=\"bound or used, but not defined by the chart\">(not defined by the chart)</span>"
            },
            esc(&i.namespace),
            if i.kind == "ServiceAccount" {
                yes_no(i.automount)
            } else {
                "–"
            },
            i.secrets.len(),
            i.perms.len(),
            i.workloads.len(),
            risk_badge(i.highest),
        );
    }
    p.body.push_str("</table></section>");

    // Identities.
    p.body.push_str("<section><h2>Identities</h2>");
    for i in &ids {
        let _ = write!(
            p.body,
            "<article class=\"identity\" id=\"{}\"><h3>{} {}</h3><p class=\"note\">{}",
            i.anchor(),
            esc(&i.label()),
            risk_badge(i.highest),
            esc(&i.kind),
        );
        if !i.namespace.is_empty() {
            let _ = write!(p.body, " · namespace {}", esc(&i.namespace));
        }
        if i.kind == "ServiceAccount" {
            let _ = write!(p.body, " · automount {}", yes_no(i.automount));
        }
        if !i.secrets.is_empty() {
            let _ = write!(p.body, " · secrets {}", esc(&i.secrets.join(", ")));
        }
        p.body.push_str("</p>");
        let _ = write!(p.body, "<h4>Permissions ({})</h4>", i.perms.len());
        if i.perms.is_empty() {
            p.body.push_str("<p>None.</p>");
        } else {
            p.body.push_str(&permission_rows(site, &p, &i.perms));
        }
        // Potential abuse: distinct rules, base levels left out (they have no abuse story).
        let mut rules: BTreeMap<u32, RiskLevel> = BTreeMap::new();
        for perm in &i.perms {
            for m in &perm.matched_risk_rules {
                if !BASE_RULE_IDS.contains(&m.id) {
                    let e = rules.entry(m.id).or_insert(m.risk_level);
                    *e = (*e).max(m.risk_level);
                }
            }
        }
        let _ = write!(p.body, "<h4>Potential abuse ({})</h4>", rules.len());
        if !rules.is_empty() {
            let mut ordered: Vec<(u32, RiskLevel)> = rules.into_iter().collect();
            ordered.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
            p.body.push_str("<ul class=\"abuse\">");
            for (id, level) in ordered {
                let _ = write!(
                    p.body,
                    "<li>{} {}</li>",
                    risk_badge(Some(level)),
                    rule_link(site, &p, id)
                );
            }
            p.body.push_str("</ul>");
        }
        if i.kind == "ServiceAccount" {
            let _ = write!(p.body, "<h4>Workloads ({})</h4>", i.workloads.len());
            if !i.workloads.is_empty() {
                p.body.push_str(&workload_table(&i.workloads));
            }
        }
        p.body.push_str("</article>");
    }
    p.body.push_str("</section>");

    p.body.push_str(&escalation_section(site, &p, r));
    p.body.push_str(&scan_info(&p, sum, true));
    p.finish(
        &site.opts.title,
        &title,
        &[paths::chart_versions_js(&entry.id).as_str()],
    )
}

fn workload_table(ws: &[&Workload]) -> String {
    let mut s = String::from("<table class=\"workloads\">");
    s.push_str(&thead(&["Kind", "Name", "Container", "Image", "Notes"]));
    for w in ws {
        let _ = write!(
            s,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td><code>{}</code></td><td>{}</td></tr>",
            esc(&w.workload_type),
            esc(&w.workload_name),
            esc(&w.container_name),
            esc(&w.image),
            workload_flags(w)
        );
    }
    s.push_str("</table>");
    s
}

fn scan_info(p: &Page, s: &rbac_lens_atlas::ScanSummary, has_report: bool) -> String {
    let mut out = format!(
        "<section class=\"scan\"><h2>Scan</h2><table><tr><th>Status</th><td>{}</td></tr>\
         <tr><th>Source</th><td>{}</td></tr><tr><th>Scanned</th><td>{}</td></tr>\
         <tr><th>Tool version</th><td>{}</td></tr><tr><th>Catalog version</th><td>{}</td></tr>",
        s.status.as_str(),
        esc(&s.source),
        date(s.scanned_at),
        esc(&s.tool_version),
        esc(&s.catalog_version),
    );
    if !s.error.is_empty() {
        let _ = write!(out, "<tr><th>Error</th><td>{}</td></tr>", esc(&s.error));
    }
    out.push_str("</table>");
    if has_report {
        let _ = write!(
            out,
            "<p>{} (the full analysis as JSON)</p>",
            p.a(
                &paths::report_json(&s.chart, &s.version),
                "Download report.json"
            )
        );
    }
    let _ = write!(
        out,
        "<p class=\"counts-line\">{}</p>",
        level_counts(&s.level_counts)
    );
    out.push_str("</section>");
    out
}

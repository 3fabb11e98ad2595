//! Base risk levels (rules 9996-9999): the level a row has from its breadth alone.
//!
//! Unlike the public tool, "cluster-wide" is the grant's real scope (a ClusterRoleBinding),
//! not the role's kind: a RoleBinding to a wildcard ClusterRole is namespace admin (9997).

use crate::catalog::RiskLevel;

fn wild(s: &str) -> bool {
    s.contains('*')
}

/// The base rule id and its level for one row.
pub fn base_rule(
    cluster_wide: bool,
    api_group: &str,
    resource: &str,
    verbs: &[String],
) -> (u32, RiskLevel) {
    let (g, r, v) = (
        wild(api_group),
        wild(resource),
        verbs.iter().any(|v| wild(v)),
    );
    match (cluster_wide, g && r && v, g || r || v) {
        (true, true, _) => (9999, RiskLevel::Critical),
        (true, false, true) => (9998, RiskLevel::High),
        (false, _, true) => (9997, RiskLevel::Medium),
        _ => (9996, RiskLevel::Low),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels() {
        let star = vec!["*".to_string()];
        let get = vec!["get".to_string()];
        assert_eq!(base_rule(true, "*", "*", &star).0, 9999);
        assert_eq!(base_rule(true, "", "*", &get).0, 9998);
        assert_eq!(base_rule(false, "*", "*", &star).0, 9997);
        assert_eq!(base_rule(true, "", "pods", &get).0, 9996);
        assert_eq!(base_rule(false, "", "pods", &get).0, 9996);
    }
}

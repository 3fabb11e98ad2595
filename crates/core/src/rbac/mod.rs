//! The Kubernetes RBAC authorizer, exactly.
//!
//! Given an [`Inventory`](crate::inventory::Inventory), [`Authorizer`] resolves every
//! binding to its role (input first, then the embedded default cluster policy), computes
//! aggregated ClusterRoles to their fixpoint, and answers "may this identity do this?"
//! ([`Authorizer::authorize`]) and "who may do this?" ([`Authorizer::who_can`]) the way the
//! API server's RBAC authorizer does. The behaviour follows
//! `../shared/notes/kubernetes-rbac-semantics.md`, which cites the upstream sources.
//!
//! Modules:
//! - [`matching`]: one rule against one request (`rule_allows`).
//! - [`subjects`]: binding subjects against identities ([`UserInfo`]).
//! - [`aggregation`]: label selectors and the aggregation fixpoint.
//! - [`bootstrap`]: the embedded default cluster policy.
//! - [`authorizer`]: bindings, scope, grants and decisions.
//! - [`scope`]: which built-in resources are cluster-scoped.
//!
//! This module never reads YAML text from the user (inventory does that) and never knows
//! about risk: findings consume its [`Grant`]s. It answers for RBAC alone: the
//! `system:masters` superuser authorizer, the Node authorizer and webhooks are not modelled
//! (see [`subjects::MASTERS_GROUP`]).

pub mod aggregation;
pub mod authorizer;
pub mod bootstrap;
pub mod matching;
pub mod scope;
pub mod subjects;

pub use authorizer::{
    Authorizer, AuthorizerOptions, Decision, Grant, ResolvedRole, Scope, UnresolvedRef,
};
pub use matching::rule_allows;
pub use scope::is_cluster_scoped;
pub use subjects::UserInfo;

/// The attributes RBAC compares, as the API server derives them from an HTTP request.
///
/// For a resource request: `verb` (`get`, `list`, `create`, ... or a special verb such as
/// `bind`), `api_group` (`""` for the core group), `resource`, `subresource` (empty for the
/// object itself), `name` (empty for a create on a collection, a `deletecollection`, and a
/// list or watch without a `metadata.name` field selector) and `namespace` (empty for a
/// cluster-scoped resource or an all-namespaces list). For a non-resource request: `verb`
/// (the lower-cased HTTP method) and `path`; its namespace is always empty.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Request {
    pub verb: String,
    pub api_group: String,
    pub resource: String,
    pub subresource: String,
    pub name: String,
    /// `""` = a cluster-scoped request (or all namespaces).
    pub namespace: String,
    pub path: String,
    pub is_resource_request: bool,
}

impl Request {
    /// A resource request; refine it with [`Request::subresource`], [`Request::name`] and
    /// [`Request::namespace`].
    pub fn resource(
        verb: impl Into<String>,
        api_group: impl Into<String>,
        resource: impl Into<String>,
    ) -> Self {
        Request {
            verb: verb.into(),
            api_group: api_group.into(),
            resource: resource.into(),
            is_resource_request: true,
            ..Default::default()
        }
    }

    /// A non-resource request (`/healthz`, `/metrics`, ...).
    pub fn non_resource(verb: impl Into<String>, path: impl Into<String>) -> Self {
        Request {
            verb: verb.into(),
            path: path.into(),
            is_resource_request: false,
            ..Default::default()
        }
    }

    pub fn subresource(mut self, subresource: impl Into<String>) -> Self {
        self.subresource = subresource.into();
        self
    }

    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = name.into();
        self
    }

    pub fn namespace(mut self, namespace: impl Into<String>) -> Self {
        self.namespace = namespace.into();
        self
    }

    /// The namespace RBAC scopes the request by: the request's namespace for a resource
    /// request, always `""` for a non-resource request.
    pub fn scope_namespace(&self) -> &str {
        if self.is_resource_request {
            &self.namespace
        } else {
            ""
        }
    }
}

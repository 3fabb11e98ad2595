//! The Kubernetes RBAC authorizer, exactly.

//! rbac-lens-report

//! rbac-lens-helm

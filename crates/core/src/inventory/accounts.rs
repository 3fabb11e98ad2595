//! ServiceAccounts and legacy token Secrets (metadata only: secret data is never read).

use serde_json::Value;

use super::fields::{annotation, metadata, name_list, opt_bool, opt_str};
use super::{FieldError, Origin, ServiceAccount, TokenSecret};

pub fn extract_service_account(
    doc: &Value,
    origin: Origin,
    default_ns: &str,
) -> Result<ServiceAccount, FieldError> {
    let meta = metadata(doc)?;
    Ok(ServiceAccount {
        namespace: meta.namespace.unwrap_or(default_ns).to_string(),
        name: meta.name.to_string(),
        automount: opt_bool(
            doc,
            "automountServiceAccountToken",
            "automountServiceAccountToken",
        )?
        .unwrap_or(true),
        secrets: name_list(doc, "secrets")?,
        image_pull_secrets: name_list(doc, "imagePullSecrets")?,
        declared: true,
        origin,
    })
}

pub const TOKEN_SECRET_TYPE: &str = "kubernetes.io/service-account-token";
const SA_NAME_ANNOTATION: &str = "kubernetes.io/service-account.name";

/// `Some` for a Secret of type service-account-token, `None` for any other Secret.
pub fn extract_token_secret(
    doc: &Value,
    origin: Origin,
    default_ns: &str,
) -> Result<Option<TokenSecret>, FieldError> {
    if opt_str(doc, "type", "type")? != Some(TOKEN_SECRET_TYPE) {
        return Ok(None);
    }
    let meta = metadata(doc)?;
    let account = annotation(&meta, SA_NAME_ANNOTATION).ok_or_else(|| {
        FieldError::new(
            format!("metadata.annotations.{SA_NAME_ANNOTATION}"),
            "a service-account-token Secret must name its ServiceAccount",
        )
    })?;
    Ok(Some(TokenSecret {
        namespace: meta.namespace.unwrap_or(default_ns).to_string(),
        name: meta.name.to_string(),
        service_account: account.to_string(),
        origin,
    }))
}

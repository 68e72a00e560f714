//! Webhook shapes (§7). The desktop app polls instead of receiving webhooks; these exist so the
//! spec's examples decode and a future settings page can show registered endpoints.

use serde::{Deserialize, Serialize};

use super::lenient;

/// A registered webhook endpoint. `secret` appears only on create/rotate.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct WebhookEndpoint {
    pub endpoint_id: String,
    #[serde(default, deserialize_with = "lenient::string")]
    pub url: String,
    #[serde(default, deserialize_with = "lenient::string_list")]
    pub events: Vec<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub status: Option<String>,
    /// ISO-8601 (unlike the rest of the API).
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub created_at: Option<String>,
    #[serde(default)]
    pub secret: Option<crate::secret::Secret>,
}

/// An event type that endpoints can subscribe to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WebhookEventType {
    pub event_type: String,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub description: Option<String>,
}

//! The list envelope and page requests.

use serde::de::{DeserializeOwned, Deserializer};
use serde::{Deserialize, Serialize};

use super::lenient;

/// One page of a list endpoint: `{"data": [...], "has_more": bool, "next_token": string|null}`.
///
/// Decoding is per item: an element that does not decode (e.g. missing a required id) is skipped
/// with a warning instead of failing the whole page, so one odd catalogue entry cannot empty a
/// gallery.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Page<T> {
    pub data: Vec<T>,
    pub has_more: bool,
    pub next_token: Option<String>,
}

impl<T> Page<T> {
    /// The token for the next page, if there is one. A page that says `has_more` but gives no
    /// token is treated as the last page (there is no way to ask for the next one).
    pub fn next(&self) -> Option<&str> {
        match self.next_token.as_deref() {
            Some(token) if self.has_more && !token.is_empty() => Some(token),
            _ => None,
        }
    }
}

impl<T> Default for Page<T> {
    fn default() -> Self {
        Page {
            data: Vec::new(),
            has_more: false,
            next_token: None,
        }
    }
}

#[derive(Deserialize)]
struct RawPage {
    #[serde(default, deserialize_with = "lenient::null_as_default")]
    data: Vec<serde_json::Value>,
    #[serde(default, deserialize_with = "lenient::flag")]
    has_more: bool,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    next_token: Option<String>,
}

impl<'de, T: DeserializeOwned> Deserialize<'de> for Page<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = RawPage::deserialize(deserializer)?;
        let total = raw.data.len();
        let mut data = Vec::with_capacity(total);
        for (index, item) in raw.data.into_iter().enumerate() {
            match serde_json::from_value::<T>(item) {
                Ok(value) => data.push(value),
                Err(err) => {
                    tracing::warn!(index, error = %err, "skipping list item that does not decode")
                }
            }
        }
        // When has_more is absent but a token is given, trust the token.
        let has_more = raw.has_more || (raw.next_token.as_deref().is_some_and(|t| !t.is_empty()));
        Ok(Page {
            data,
            has_more,
            next_token: raw.next_token,
        })
    }
}

/// Query for one page: `limit` (the server's default when `None`) and the `token` from the
/// previous page's `next_token` (`None` for the first page).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PageRequest {
    pub limit: Option<u32>,
    pub token: Option<String>,
}

impl PageRequest {
    /// The first page with the server's default size.
    pub fn first() -> Self {
        PageRequest::default()
    }

    /// The first page with the given size.
    pub fn with_limit(limit: u32) -> Self {
        PageRequest {
            limit: Some(limit),
            token: None,
        }
    }

    /// The page after `token`, keeping this request's limit.
    pub fn after(&self, token: impl Into<String>) -> Self {
        PageRequest {
            limit: self.limit,
            token: Some(token.into()),
        }
    }

    pub(crate) fn query_pairs(&self) -> Vec<(&'static str, String)> {
        let mut pairs = Vec::new();
        if let Some(limit) = self.limit {
            pairs.push(("limit", limit.to_string()));
        }
        if let Some(token) = &self.token {
            pairs.push(("token", token.clone()));
        }
        pairs
    }
}

//! Opaque cursor pagination: `token` is base64 JSON `{"offset": n, "list": "<name>"}`.

use base64::Engine;
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::error::ApiError;

#[derive(Debug, Clone, Copy)]
pub struct Page {
    pub limit: usize,
    pub offset: usize,
}

#[derive(Serialize, Deserialize)]
struct Cursor {
    offset: usize,
    list: String,
}

/// Parses `limit` (within `1..=max`, default `default`) and `token` for the list `list`.
pub fn parse(
    limit: Option<&str>,
    token: Option<&str>,
    default: usize,
    max: usize,
    list: &str,
) -> Result<Page, ApiError> {
    let limit = match limit {
        None => default,
        // `limit=` (empty) is not an integer either.
        Some(raw) => match raw.parse::<usize>() {
            Ok(n) if (1..=max).contains(&n) => n,
            _ => {
                return Err(ApiError::invalid(
                    "limit",
                    format!("limit must be an integer between 1 and {max}"),
                ))
            }
        },
    };
    let offset = match token {
        None | Some("") => 0,
        Some(t) => decode(t, list).ok_or_else(|| {
            ApiError::invalid(
                "token",
                "token is not a valid pagination token for this list",
            )
        })?,
    };
    Ok(Page { limit, offset })
}

fn decode(token: &str, list: &str) -> Option<usize> {
    let raw = base64::engine::general_purpose::STANDARD
        .decode(token)
        .or_else(|_| base64::engine::general_purpose::URL_SAFE.decode(token))
        .ok()?;
    let c: Cursor = serde_json::from_slice(&raw).ok()?;
    (c.list == list).then_some(c.offset)
}

fn encode(offset: usize, list: &str) -> String {
    let c = Cursor {
        offset,
        list: list.to_string(),
    };
    base64::engine::general_purpose::STANDARD.encode(serde_json::to_vec(&c).unwrap_or_default())
}

/// `{"data": [...], "has_more", "next_token"}` for one page of `items`.
pub fn envelope(items: Vec<serde_json::Value>, page: Page, list: &str) -> serde_json::Value {
    let total = items.len();
    let end = (page.offset + page.limit).min(total);
    let slice: Vec<_> = items
        .into_iter()
        .skip(page.offset)
        .take(end.saturating_sub(page.offset))
        .collect();
    let has_more = end < total;
    json!({
        "data": slice,
        "has_more": has_more,
        "next_token": if has_more { json!(encode(end, list)) } else { serde_json::Value::Null },
    })
}

/// Query parameters every list endpoint takes; extra filters are read separately.
#[derive(Debug, Default, Deserialize)]
pub struct ListQuery {
    pub limit: Option<String>,
    pub token: Option<String>,
}

impl ListQuery {
    pub fn page(&self, default: usize, max: usize, list: &str) -> Result<Page, ApiError> {
        parse(
            self.limit.as_deref(),
            self.token.as_deref(),
            default,
            max,
            list,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_walk_to_the_end() {
        let items: Vec<_> = (0..5).map(|i| json!(i)).collect();
        let p = parse(Some("2"), None, 20, 100, "x").unwrap();
        let e = envelope(items.clone(), p, "x");
        assert_eq!(e["data"], json!([0, 1]));
        let t = e["next_token"].as_str().unwrap().to_string();
        let p = parse(Some("2"), Some(&t), 20, 100, "x").unwrap();
        assert_eq!(envelope(items.clone(), p, "x")["data"], json!([2, 3]));
        let p = parse(Some("10"), Some(&t), 20, 100, "x").unwrap();
        let last = envelope(items, p, "x");
        assert_eq!(last["has_more"], json!(false));
        assert!(last["next_token"].is_null());
    }

    #[test]
    fn bad_limits_and_tokens_are_invalid_parameters() {
        assert_eq!(
            parse(Some("0"), None, 20, 100, "x")
                .unwrap_err()
                .param
                .as_deref(),
            Some("limit")
        );
        assert_eq!(
            parse(Some("51"), None, 20, 50, "x")
                .unwrap_err()
                .param
                .as_deref(),
            Some("limit")
        );
        assert_eq!(
            parse(Some("abc"), None, 20, 50, "x")
                .unwrap_err()
                .param
                .as_deref(),
            Some("limit")
        );
        assert_eq!(
            parse(None, Some("zzz"), 20, 50, "x")
                .unwrap_err()
                .param
                .as_deref(),
            Some("token")
        );
        assert_eq!(parse(None, None, 20, 50, "x").unwrap().limit, 20);
        assert_eq!(
            parse(Some(""), None, 20, 50, "x")
                .unwrap_err()
                .param
                .as_deref(),
            Some("limit")
        );
    }
}

//! Request bodies: parsed as JSON objects and validated field by field, so every problem is a
//! 400 `invalid_parameter` naming the offending `param`.

use axum::body::Bytes;
use serde_json::{Map, Value};

use crate::error::ApiError;

pub struct Body(pub Map<String, Value>);

impl Body {
    /// An empty body counts as `{}` (e.g. `POST …/stop`).
    pub fn parse(bytes: &Bytes) -> Result<Self, ApiError> {
        if bytes.iter().all(|b| b.is_ascii_whitespace()) {
            return Ok(Body(Map::new()));
        }
        match serde_json::from_slice::<Value>(bytes) {
            Ok(Value::Object(m)) => Ok(Body(m)),
            Ok(_) => Err(ApiError::invalid(
                "body",
                "request body must be a JSON object",
            )),
            Err(e) => Err(ApiError::invalid(
                "body",
                format!("request body is not valid JSON: {e}"),
            )),
        }
    }

    fn present(&self, name: &str) -> Option<&Value> {
        self.0.get(name).filter(|v| !v.is_null())
    }

    pub fn opt_str(&self, name: &str, max: usize) -> Result<Option<String>, ApiError> {
        match self.present(name) {
            None => Ok(None),
            Some(Value::String(s)) if s.chars().count() <= max => Ok(Some(s.clone())),
            Some(Value::String(_)) => Err(ApiError::invalid(
                name,
                format!("{name} must be at most {max} characters"),
            )),
            Some(_) => Err(ApiError::invalid(name, format!("{name} must be a string"))),
        }
    }

    pub fn req_str(&self, name: &str, min: usize, max: usize) -> Result<String, ApiError> {
        let Some(s) = self.opt_str(name, max)? else {
            return Err(ApiError::invalid(name, format!("{name} is required")));
        };
        if s.trim().chars().count() < min {
            return Err(ApiError::invalid(
                name,
                format!("{name} must be between {min} and {max} characters"),
            ));
        }
        Ok(s)
    }

    pub fn opt_enum(&self, name: &str, allowed: &[&str]) -> Result<Option<String>, ApiError> {
        match self.opt_str(name, 100)? {
            None => Ok(None),
            Some(s) if allowed.contains(&s.as_str()) => Ok(Some(s)),
            Some(s) => Err(ApiError::invalid(
                name,
                format!("{name} must be one of {} (got {s:?})", allowed.join(", ")),
            )),
        }
    }

    pub fn opt_bool(&self, name: &str) -> Result<Option<bool>, ApiError> {
        match self.present(name) {
            None => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(*b)),
            Some(_) => Err(ApiError::invalid(name, format!("{name} must be a boolean"))),
        }
    }

    pub fn opt_u64(&self, name: &str) -> Result<Option<u64>, ApiError> {
        match self.present(name) {
            None => Ok(None),
            Some(v) => v.as_u64().map(Some).ok_or_else(|| {
                ApiError::invalid(name, format!("{name} must be a non-negative integer"))
            }),
        }
    }

    pub fn opt_array(&self, name: &str, max: usize) -> Result<Option<Vec<Value>>, ApiError> {
        match self.present(name) {
            None => Ok(None),
            Some(Value::Array(a)) if a.len() <= max => Ok(Some(a.clone())),
            Some(Value::Array(_)) => Err(ApiError::invalid(
                name,
                format!("{name} may have at most {max} items"),
            )),
            Some(_) => Err(ApiError::invalid(name, format!("{name} must be an array"))),
        }
    }

    pub fn opt_str_array(&self, name: &str, max: usize) -> Result<Option<Vec<String>>, ApiError> {
        let Some(items) = self.opt_array(name, max)? else {
            return Ok(None);
        };
        items
            .into_iter()
            .map(|v| match v {
                Value::String(s) => Ok(s),
                _ => Err(ApiError::invalid(
                    name,
                    format!("{name} must be an array of strings"),
                )),
            })
            .collect::<Result<Vec<_>, _>>()
            .map(Some)
    }
}

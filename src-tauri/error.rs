//! The one error shape every command returns to the UI.
//!
//! It is the studio's own [`studio_core::ErrorView`] (what `vas` prints too), under the name
//! the commands read best with: `{code, message, param?, request_id?, retry_after?}` with a code
//! from the closed [`ErrorCode`] list, which the bindings export to TypeScript.

pub use studio_core::{ErrorCode, ErrorView as CommandError};

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[test]
    fn keeps_every_field_of_the_engine_error() {
        let failure = studio_core::heygen_api::ApiFailure {
            status: 429,
            code: "rate_limit_exceeded".into(),
            message: "Too many requests.".into(),
            param: Some("prompt".into()),
            doc_url: None,
            request_id: Some("req_123".into()),
            retry_after: Some(Duration::from_secs(u64::MAX)),
        };
        let error = CommandError::from(studio_core::CoreError::Api(
            studio_core::heygen_api::ApiError::Api(Box::new(failure)),
        ));
        assert_eq!(error.code, "rate_limit_exceeded");
        assert_eq!(error.message, "Too many requests. (parameter `prompt`)");
        assert_eq!(error.param.as_deref(), Some("prompt"));
        assert_eq!(error.request_id.as_deref(), Some("req_123"));
        // Retry-After values beyond u32 seconds (136 years) are not meaningful.
        assert_eq!(error.retry_after, Some(u32::MAX));
    }

    #[test]
    fn serializes_to_the_ui_shape_without_empty_fields() {
        let json =
            serde_json::to_value(CommandError::new(ErrorCode::NotFound, "No such job.")).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"code": "not_found", "message": "No such job."})
        );
    }
}

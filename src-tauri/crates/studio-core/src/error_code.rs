//! Every error code the app, the `vas` CLI and the UI know, as one closed enum.
//!
//! The UI branches on these (ways out, banner headlines) and TypeScript sees the same list
//! through the generated bindings, so a misspelt code fails the type check instead of silently
//! never matching. The HeyGen API's own codes are open-ended: documented ones have a variant,
//! any other is reported by its HTTP status (`bad_request`, `http_error`, …).

use serde::{Deserialize, Serialize};

/// Declares the enum and its `snake_case` names once; serde's `rename_all` spells the same
/// names (a test checks every variant round-trips).
macro_rules! error_codes {
    ($($(#[$doc:meta])* $variant:ident = $name:literal,)+) => {
        /// A stable, machine-readable error code (the wire form is the `snake_case` name).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[cfg_attr(feature = "specta", derive(specta::Type))]
        #[serde(rename_all = "snake_case")]
        pub enum ErrorCode {
            $($(#[$doc])* $variant,)+
        }

        impl ErrorCode {
            /// Every code, in declaration order.
            pub const ALL: &'static [ErrorCode] = &[$(ErrorCode::$variant,)+];

            /// The wire name, e.g. `prompt_too_long`.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $(ErrorCode::$variant => $name,)+
                }
            }

            /// The code with this wire name, if there is one.
            pub fn parse(name: &str) -> Option<ErrorCode> {
                match name {
                    $($name => Some(ErrorCode::$variant),)+
                    _ => None,
                }
            }
        }
    };
}

error_codes! {
    // --- Input the user can fix (prompt, files, ids) ---
    PromptEmpty = "prompt_empty",
    PromptTooLong = "prompt_too_long",
    TooManyFiles = "too_many_files",
    FileEmpty = "file_empty",
    FileUnreadable = "file_unreadable",
    UnsupportedFileType = "unsupported_file_type",
    AmbiguousId = "ambiguous_id",
    InvalidAddress = "invalid_address",
    /// An argument the engine or the shell refuses (also the API's validation code).
    InvalidParameter = "invalid_parameter",
    KeyEmpty = "key_empty",
    InvalidApiKey = "invalid_api_key",
    LibraryDirRefused = "library_dir_refused",

    // --- Jobs, attachments and outputs ---
    AssetFailed = "asset_failed",
    /// An uploaded file is still being processed by the server (the create is retried).
    AssetNotAvailable = "asset_not_available",
    NotReady = "not_ready",
    VideoNotReady = "video_not_ready",
    IllegalTransition = "illegal_transition",
    /// Someone else is working on this job right now; try again in a moment.
    Busy = "busy",
    Cancelled = "cancelled",
    NoSession = "no_session",
    NoCaptions = "no_captions",
    CaptionsTooLarge = "captions_too_large",
    PlaybackUnavailable = "playback_unavailable",
    UnknownMedia = "unknown_media",
    MediaRefused = "media_refused",

    // --- Batches ---
    CsvNotUtf8 = "csv_not_utf8",
    CsvEmpty = "csv_empty",
    CsvMalformed = "csv_malformed",
    NoSuchRow = "no_such_row",
    UnknownColumn = "unknown_column",
    FileOutsideFolder = "file_outside_folder",
    BatchHasProblems = "batch_has_problems",
    BatchEmpty = "batch_empty",
    BatchFinished = "batch_finished",
    RowAlreadyAdmitted = "row_already_admitted",

    // --- Credentials and sign-in ---
    NoApiKey = "no_api_key",
    /// No Secret Service answers (no keyring daemon).
    KeyringUnavailable = "keyring_unavailable",
    /// The keyring is locked or refused access.
    KeyringLocked = "keyring_locked",
    /// Any other keyring failure.
    KeyringError = "keyring_error",
    OauthClientIdMissing = "oauth_client_id_missing",
    SignInCancelled = "sign_in_cancelled",
    SignInTimeout = "sign_in_timeout",
    SignInFailed = "sign_in_failed",
    StateMismatch = "state_mismatch",
    /// The user (or the server) refused the sign-in (OAuth `access_denied`).
    AccessDenied = "access_denied",
    OauthSignedOut = "oauth_signed_out",
    InvalidGrant = "invalid_grant",
    InvalidClient = "invalid_client",
    UnauthorizedClient = "unauthorized_client",
    UnsupportedGrantType = "unsupported_grant_type",
    InvalidScope = "invalid_scope",

    // --- The desktop (shell) ---
    /// A path the UI named that Rust did not hand out (picker, drop).
    FileNotReceived = "file_not_received",
    PathNotReceived = "path_not_received",
    NotInLibrary = "not_in_library",
    DialogFailed = "dialog_failed",
    OpenFailed = "open_failed",
    LinkRefused = "link_refused",
    BrowserUnavailable = "browser_unavailable",
    /// The UI's own, never sent by Rust: Tauri refused the call itself (an unknown command, a
    /// permission the capabilities do not grant) and rejected with a bare string.
    IpcError = "ipc_error",

    // --- The engine's own failures ---
    NotFound = "not_found",
    DataDirUnavailable = "data_dir_unavailable",
    StoreError = "store_error",
    IoError = "io_error",
    DownloadFailed = "download_failed",
    LocalAgentFailed = "local_agent_failed",
    /// Something could not be written as JSON or CSV.
    SerializationFailed = "serialization_failed",
    /// A bug or a broken invariant (a background task died, stored data is inconsistent).
    Internal = "internal",

    // --- The HeyGen API: documented codes ---
    Unauthorized = "unauthorized",
    InsufficientCredit = "insufficient_credit",
    Forbidden = "forbidden",
    ResourceAccessDenied = "resource_access_denied",
    VideoNotFound = "video_not_found",
    AvatarNotFound = "avatar_not_found",
    VoiceNotFound = "voice_not_found",
    Conflict = "conflict",
    RequestInProgress = "request_in_progress",
    PayloadTooLarge = "payload_too_large",
    RateLimitExceeded = "rate_limit_exceeded",
    QuotaExceeded = "quota_exceeded",
    InternalError = "internal_error",

    // --- The HeyGen API: a status without a known code ---
    BadRequest = "bad_request",
    RangeNotSatisfiable = "range_not_satisfiable",
    BadGateway = "bad_gateway",
    ServiceUnavailable = "service_unavailable",
    GatewayTimeout = "gateway_timeout",
    HttpError = "http_error",

    // --- Talking to the API: transport and client ---
    NetworkError = "network_error",
    Timeout = "timeout",
    DecodeError = "decode_error",
    LinkExpired = "link_expired",
    InvalidUrl = "invalid_url",
    InvalidRequest = "invalid_request",
    InvalidConfig = "invalid_config",
}

impl ErrorCode {
    /// The code for a client error: the API's own code when it is one we know, else the name
    /// of its HTTP status (an undocumented code is still shown in the message).
    pub fn of_api(error: &heygen_api::ApiError) -> ErrorCode {
        ErrorCode::parse(error.code())
            .or_else(|| error.http_status().map(ErrorCode::of_status))
            .unwrap_or(ErrorCode::HttpError)
    }

    /// The code named after an HTTP status (what a gateway page without an envelope gets).
    pub fn of_status(status: u16) -> ErrorCode {
        ErrorCode::parse(heygen_api::status_code_name(status)).unwrap_or(ErrorCode::HttpError)
    }
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Lets tests and callers compare with the wire name: `assert_eq!(e.code(), "not_found")`.
impl PartialEq<&str> for ErrorCode {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl PartialEq<str> for ErrorCode {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<ErrorCode> for &str {
    fn eq(&self, other: &ErrorCode) -> bool {
        *self == other.as_str()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serde_names_are_the_declared_names() {
        for code in ErrorCode::ALL {
            let json = serde_json::to_value(code).unwrap();
            assert_eq!(json, serde_json::json!(code.as_str()), "{code:?}");
            let back: ErrorCode = serde_json::from_value(json).unwrap();
            assert_eq!(back, *code);
            assert_eq!(ErrorCode::parse(code.as_str()), Some(*code));
        }
    }

    #[test]
    fn every_status_name_the_client_makes_is_a_code() {
        for status in [
            400, 401, 402, 403, 404, 409, 413, 416, 429, 500, 502, 503, 504, 418,
        ] {
            let name = heygen_api::status_code_name(status);
            assert_eq!(ErrorCode::of_status(status), name, "{status}");
        }
    }

    #[test]
    fn an_undocumented_api_code_falls_back_to_its_status() {
        let failure = heygen_api::ApiFailure {
            status: 400,
            code: "brand_new_code".into(),
            message: "something new".into(),
            param: None,
            doc_url: None,
            request_id: None,
            retry_after: None,
        };
        let error = heygen_api::ApiError::Api(Box::new(failure));
        assert_eq!(ErrorCode::of_api(&error), ErrorCode::BadRequest);
    }
}

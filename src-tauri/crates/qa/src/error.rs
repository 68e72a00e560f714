//! Errors of the QA drivers.

#[derive(Debug, thiserror::Error)]
pub enum QaError {
    #[error("http: {0}")]
    Http(#[from] reqwest::Error),
    #[error("io: {context}: {source}")]
    Io {
        context: String,
        source: std::io::Error,
    },
    #[error("engine: {0}")]
    Core(#[from] studio_core::CoreError),
    #[error("api: {0}")]
    Api(#[from] heygen_api::ApiError),
    #[error("{0}")]
    Protocol(String),
}

impl QaError {
    pub fn io(context: impl Into<String>, source: std::io::Error) -> Self {
        QaError::Io {
            context: context.into(),
            source,
        }
    }
}

pub type QaResult<T> = std::result::Result<T, QaError>;

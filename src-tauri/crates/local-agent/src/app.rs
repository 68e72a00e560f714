//! Starting the server: data dir, persisted state, listener, background tasks.

use crate::error::StartError;
use crate::state::AppState;
use crate::{Config, RunningAgent};

pub async fn start(config: Config) -> Result<RunningAgent, StartError> {
    if config.time_scale.is_nan() || config.time_scale <= 0.0 {
        return Err(StartError::Config("time_scale must be > 0".into()));
    }
    if config.admin && config.api_keys.is_empty() {
        return Err(StartError::Config(
            "the admin routes need the agent's key: configure at least one API key".into(),
        ));
    }
    let dir = &config.data_dir;
    std::fs::create_dir_all(dir).map_err(|source| StartError::DataDir {
        path: dir.clone(),
        source,
    })?;
    // Renders run ffmpeg inside the output dir, so every path must be absolute.
    let data_dir = std::fs::canonicalize(dir).map_err(|source| StartError::DataDir {
        path: dir.clone(),
        source,
    })?;
    let mut db = crate::persistence::load(&data_dir)?;
    if db.signing_key.is_empty() {
        db.signing_key = crate::util::random_secret(32);
    }
    // In-flight idempotent requests and drivers do not survive a restart; everything else does.
    let listener = tokio::net::TcpListener::bind(config.addr)
        .await
        .map_err(|source| StartError::Bind {
            addr: config.addr,
            source,
        })?;
    let addr = listener.local_addr().map_err(|source| StartError::Bind {
        addr: config.addr,
        source,
    })?;
    let state = AppState::new(
        data_dir,
        config.api_keys.clone(),
        config.time_scale,
        db,
        config.faults.clone(),
    );
    state.set_base_url(format!("http://{addr}"));
    state.set_behaviour(config.behaviour());
    state.oauth.configure(config.oauth.clone());
    state.extra_styles.store(
        config.extra_styles.min(crate::synthetic_styles::MAX),
        std::sync::atomic::Ordering::Relaxed,
    );
    state.persist_now().await;
    tokio::spawn(state.clone().run_persister());
    crate::jobs::resume_all(&state);

    if !addr.ip().is_loopback() {
        tracing::warn!(
            "listening on {addr}, beyond loopback: other machines can reach this agent{}",
            if config.api_keys.is_empty() {
                " and any key is accepted"
            } else {
                ""
            }
        );
    }
    let router = crate::routes::router(state.clone(), config.admin);
    let shutdown = state.shutdown.clone();
    let server = tokio::spawn(async move {
        let listener = crate::conn::KillableListener(listener);
        let service = router.into_make_service_with_connect_info::<crate::conn::ConnHandle>();
        let r = axum::serve(listener, service)
            .with_graceful_shutdown(async move { shutdown.cancelled().await })
            .await;
        if let Err(e) = r {
            tracing::error!("server error: {e}");
        }
    });
    tracing::info!("local agent listening on http://{addr}");
    Ok(RunningAgent {
        addr,
        state,
        server: Some(server),
    })
}

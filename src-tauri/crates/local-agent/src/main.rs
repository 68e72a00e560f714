//! `local-agent`: run the local Video Agent server.

use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;

use clap::Parser;
use local_agent::{Config, FaultConfig, FaultKind, FaultRule, RetryAfterFormat};

/// A local stand-in for HeyGen's Video Agent v3 API that renders real MP4s (ffmpeg, espeak-ng).
///
/// Prints `listening on http://HOST:PORT` as its first stdout line. State persists in --data-dir.
/// With --admin (and an --api-key), faults can also be changed at run time with
/// `POST /__admin/faults` (see the crate README).
#[derive(Debug, Parser)]
#[command(name = "local-agent", version)]
struct Args {
    /// Address to listen on (port 0 picks a free port).
    #[arg(long, default_value = "127.0.0.1:0")]
    addr: SocketAddr,

    /// Directory for state (state.json), uploads and rendered videos; reused across restarts.
    #[arg(long, default_value = "local-agent-data")]
    data_dir: PathBuf,

    /// Accepted API key (repeatable); sent as X-Api-Key or Authorization: Bearer. With no keys
    /// (here or in LOCAL_AGENT_API_KEYS), any non-empty key is accepted.
    #[arg(long = "api-key")]
    api_keys: Vec<String>,

    /// Mount the /__admin/* routes (faults, stats, blobs, behaviour) for tests and benchmarks.
    /// They need one of the --api-key keys (as X-Api-Key or Bearer), so --api-key is required.
    #[arg(long)]
    admin: bool,

    /// Serve hostile session/video ids and titles (`../`, absolute paths, NUL, reserved names,
    /// 300 characters, right-to-left marks) to test a client's file naming.
    #[arg(long)]
    hostile_names: bool,

    /// Divides simulated waiting (queueing, thinking, storyboard preparation), which lasts
    /// minutes at 1 as on HeyGen; 60 turns each simulated minute into one second.
    #[arg(long, default_value_t = 60.0)]
    time_scale: f64,

    /// How many jobs may be thinking or generating at once before creates get 429.
    #[arg(long, default_value_t = 10)]
    max_active_jobs: usize,

    /// Fault: add this many milliseconds to every API/CDN request.
    #[arg(long, default_value_t = 0)]
    latency_ms: u64,

    /// Fault: answer ROUTE with STATUS at RATE (0-1), e.g. "GET /v3/videos/*=503:0.2". 429s carry
    /// Retry-After (see --retry-after-http-date). Repeatable.
    #[arg(long = "error-rate", value_name = "ROUTE=STATUS:RATE")]
    error_rates: Vec<String>,

    /// Fault: answer the next N requests to ROUTE with STATUS, e.g. "POST /v3/video-agents=429:3".
    #[arg(long = "error-next", value_name = "ROUTE=STATUS:N")]
    error_next: Vec<String>,

    /// Send 429 Retry-After as an HTTP-date instead of integer seconds.
    #[arg(long)]
    retry_after_http_date: bool,

    /// Fault: drop 5xx error envelopes (empty bodies) for --error-rate/--error-next.
    #[arg(long)]
    no_envelope: bool,

    /// Fault: answer ROUTE with an HTML 502 gateway page at RATE, e.g. "GET /v3/*=0.1".
    #[arg(long = "html-gateway", value_name = "ROUTE=RATE")]
    html_gateway: Vec<String>,

    /// Fault: reset the connection mid-body on ROUTE at RATE, e.g. "GET /cdn/*=0.5".
    #[arg(long = "reset", value_name = "ROUTE=RATE")]
    resets: Vec<String>,

    /// Fault: run the request on ROUTE to the end (a create makes its session), then drop the
    /// connection without any answer, at RATE, e.g. "POST /v3/video-agents=0.3".
    #[arg(long = "process-then-drop", value_name = "ROUTE=RATE")]
    process_then_drop: Vec<String>,

    /// Fault: send truncated JSON on ROUTE at RATE, e.g. "GET /v3/videos/*=0.1".
    #[arg(long = "truncate-json", value_name = "ROUTE=RATE")]
    truncated: Vec<String>,

    /// Fault: every signed download URL answers 403 as if expired.
    #[arg(long)]
    expire_urls: bool,

    /// Fault: newly signed download URLs expire after this many seconds.
    #[arg(long)]
    url_ttl_seconds: Option<u64>,

    /// Fault: sessions stay in `thinking`.
    #[arg(long)]
    stuck_thinking: bool,

    /// Full fault set as JSON (same shape as POST /__admin/faults); merged with the flags above.
    #[arg(long, env = "LOCAL_AGENT_FAULTS")]
    faults_json: Option<String>,

    /// Replay Idempotency-Key on session creates too (HeyGen does not document it there; by
    /// default a repeated create makes a second session).
    #[arg(long)]
    honour_create_idempotency: bool,

    /// One-shot creates answer the older way: status `thinking`, `video_id: null` (default:
    /// HeyGen's `generating` with a `video_id`).
    #[arg(long)]
    create_thinking: bool,

    /// Simulated seconds (divided by --time-scale) a completed direct upload stays
    /// `processing`; 0 = usable at once. Default 120.
    #[arg(long)]
    asset_processing_secs: Option<f64>,

    /// GET /v3/video-agents items also carry status, progress, video_id and mode (HeyGen's
    /// carry only session_id, created_at and title).
    #[arg(long)]
    full_list_items: bool,

    /// Billing shape of GET /v3/users/me: wallet, subscription or usage_based.
    #[arg(long, default_value = "wallet")]
    billing_type: local_agent::BillingType,

    /// The older, convenient behaviour at once: create key honoured, creates answer
    /// thinking/null, uploads usable at once, full list items.
    #[arg(long)]
    convenient: bool,

    /// Seed for random fault draws.
    #[arg(long, default_value_t = 0)]
    fault_seed: u64,

    /// List this many synthetic styles after the built-in ones (distinct names, palettes and
    /// PNG thumbnails; at most 10000), e.g. 972 for a 1,000-style gallery.
    #[arg(long, env = "LOCAL_AGENT_EXTRA_STYLES", default_value_t = 0)]
    extra_styles: usize,

    /// OAuth: only this client id may sign in (default: any client id).
    #[arg(long, env = "LOCAL_AGENT_OAUTH_CLIENT_ID")]
    oauth_client_id: Option<String>,

    /// OAuth: lifetime of an access token in seconds (HeyGen: about 10 days).
    #[arg(long, default_value_t = 864_000)]
    oauth_token_ttl: u64,

    /// OAuth: each refresh answers with a new refresh token and retires the old one (default:
    /// the old refresh token stays valid and the answer carries none).
    #[arg(long)]
    oauth_rotate_refresh: bool,
}

fn split_rule(spec: &str) -> Result<(String, String), String> {
    let (route, rest) = spec
        .rsplit_once('=')
        .ok_or_else(|| format!("expected ROUTE=..., got {spec:?}"))?;
    Ok((route.trim().to_string(), rest.trim().to_string()))
}

fn build_faults(a: &Args) -> Result<FaultConfig, String> {
    let mut f: FaultConfig = match &a.faults_json {
        Some(j) => serde_json::from_str(j).map_err(|e| format!("--faults-json: {e}"))?,
        None => FaultConfig::default(),
    };
    f.latency_ms = f.latency_ms.max(a.latency_ms);
    f.expire_urls |= a.expire_urls;
    f.stuck_thinking |= a.stuck_thinking;
    if a.url_ttl_seconds.is_some() {
        f.url_ttl_seconds = a.url_ttl_seconds;
    }
    if a.fault_seed != 0 {
        f.seed = a.fault_seed;
    }
    let fmt = if a.retry_after_http_date {
        RetryAfterFormat::HttpDate
    } else {
        RetryAfterFormat::Seconds
    };
    let status_kind = |status: u16| FaultKind::Status {
        status,
        envelope: !a.no_envelope,
        retry_after_seconds: (status == 429).then_some(1),
        retry_after_format: fmt,
    };
    for spec in &a.error_rates {
        let (route, rest) = split_rule(spec)?;
        let (status, rate) = rest.split_once(':').ok_or("expected STATUS:RATE")?;
        f.rules.push(FaultRule {
            route,
            kind: status_kind(status.parse().map_err(|_| "bad status")?),
            count: None,
            rate: Some(rate.parse().map_err(|_| "bad rate")?),
        });
    }
    for spec in &a.error_next {
        let (route, rest) = split_rule(spec)?;
        let (status, n) = rest.split_once(':').ok_or("expected STATUS:N")?;
        f.rules.push(FaultRule {
            route,
            kind: status_kind(status.parse().map_err(|_| "bad status")?),
            count: Some(n.parse().map_err(|_| "bad count")?),
            rate: None,
        });
    }
    for (specs, kind) in [
        (&a.html_gateway, FaultKind::HtmlGateway),
        (&a.resets, FaultKind::Reset { after_bytes: None }),
        (&a.truncated, FaultKind::TruncatedJson),
        (&a.process_then_drop, FaultKind::ProcessThenDrop),
    ] {
        for spec in specs {
            let (route, rate) = split_rule(spec)?;
            f.rules.push(FaultRule {
                route,
                kind: kind.clone(),
                count: None,
                rate: Some(rate.parse().map_err(|_| "bad rate")?),
            });
        }
    }
    Ok(f)
}

fn behaviour(a: &Args) -> local_agent::Behaviour {
    let mut b = if a.convenient {
        local_agent::Behaviour::convenient()
    } else {
        local_agent::Behaviour::default()
    };
    b.honour_create_idempotency |= a.honour_create_idempotency;
    if a.create_thinking {
        b.create_answer = local_agent::CreateAnswer::ThinkingNoVideo;
    }
    if let Some(secs) = a.asset_processing_secs {
        b.asset_processing_secs = secs.max(0.0);
    }
    b.full_list_items |= a.full_list_items;
    b.billing_type = a.billing_type;
    b.hostile_names |= a.hostile_names;
    b
}

#[tokio::main]
async fn main() {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "local_agent=info".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let args = Args::parse();
    let faults = match build_faults(&args) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("local-agent: {e}");
            std::process::exit(2);
        }
    };
    let mut keys = args.api_keys.clone();
    if let Ok(env) = std::env::var("LOCAL_AGENT_API_KEYS") {
        keys.extend(
            env.split(',')
                .map(str::trim)
                .filter(|k| !k.is_empty())
                .map(String::from),
        );
    }
    let mut config = Config::new(&args.data_dir);
    config.addr = args.addr;
    config.api_keys = keys;
    config.time_scale = args.time_scale;
    config.faults = faults;
    config.extra_styles = args.extra_styles;
    config.oauth = local_agent::OAuthSettings {
        client_id: args
            .oauth_client_id
            .clone()
            .filter(|c| !c.trim().is_empty()),
        access_ttl_secs: args.oauth_token_ttl,
        rotate_refresh_tokens: args.oauth_rotate_refresh,
    };
    config.admin = args.admin;
    config = config.with_behaviour(behaviour(&args));
    let agent = match local_agent::start(config).await {
        Ok(a) => a,
        Err(e) => {
            eprintln!("local-agent: {e}");
            std::process::exit(1);
        }
    };
    agent.set_max_active_jobs(args.max_active_jobs);
    println!("listening on {}", agent.base_url());
    let _ = std::io::stdout().flush();
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
            .expect("SIGTERM handler");
        tokio::select! {
            _ = ctrl_c => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    let _ = ctrl_c.await;
    agent.shutdown().await;
}

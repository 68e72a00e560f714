//! `vas`: Video Agent Studio on the command line — the same engine, keyring and database as the
//! desktop app.

mod batch;
mod chat;
mod cli;
mod json;
mod progress;
mod run;

use clap::Parser;

fn main() -> std::process::ExitCode {
    let cli = cli::Cli::parse();
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("VAS_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .init();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return std::process::ExitCode::from(1);
        }
    };
    match runtime.block_on(run::run(cli)) {
        Ok(code) => std::process::ExitCode::from(code),
        Err(e) => {
            let view = e.view();
            eprintln!("error: {}", view.message);
            let mut details = vec![format!("code: {}", view.code)];
            if let Some(p) = &view.param {
                details.push(format!("parameter: {p}"));
            }
            if let Some(r) = &view.request_id {
                details.push(format!("request id: {r}"));
            }
            if let Some(s) = view.retry_after {
                details.push(format!("retry after: {s} s"));
            }
            eprintln!("       ({})", details.join(", "));
            std::process::ExitCode::from(run::exit_code_for(&e))
        }
    }
}

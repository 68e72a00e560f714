//! `--json`: what a command that lists or shows something prints for programs. Always the serde
//! form of the engine's own types (so the shape is the one the app's screens get, and the README
//! names the type per command), pretty-printed, one document on stdout, nothing else on stdout.

use serde::Serialize;

/// `vas batch status --json`: the batch's status and every row, in row order.
#[derive(Debug, Serialize)]
pub struct BatchReport<'a> {
    pub status: &'a studio_core::batch::BatchStatus,
    pub rows: &'a [studio_core::batch::BatchRowView],
}

/// Print `value` as JSON on stdout; a closed pipe ends the program quietly.
pub fn print<T: Serialize + ?Sized>(value: &T) {
    use std::io::Write as _;
    let text = serde_json::to_string_pretty(value).expect("the engine's types serialize");
    let mut out = std::io::stdout().lock();
    if let Err(e) = writeln!(out, "{text}") {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            std::process::exit(0);
        }
    }
}

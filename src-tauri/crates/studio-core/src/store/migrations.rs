//! Versioned schema migrations, tracked in `PRAGMA user_version`. Append only: never edit a
//! migration that has shipped.

use rusqlite::Connection;

use crate::error::Result;

const MIGRATIONS: &[&str] = &[
    // 1: jobs, their history and messages, uploads by content hash, settings, catalogues.
    r#"
    CREATE TABLE jobs (
        id TEXT PRIMARY KEY,
        state TEXT NOT NULL,
        prompt TEXT NOT NULL,
        request_json TEXT NOT NULL,
        idempotency_key TEXT NOT NULL UNIQUE,
        session_id TEXT,
        video_id TEXT,
        title TEXT,
        progress INTEGER,
        failure_code TEXT,
        failure_message TEXT,
        video_page_url TEXT,
        outputs_json TEXT NOT NULL DEFAULT '{}',
        retry_of TEXT,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        submitted_at INTEGER
    );
    CREATE INDEX jobs_state ON jobs(state);
    CREATE TABLE job_events (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        job_id TEXT NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
        at INTEGER NOT NULL,
        from_state TEXT,
        to_state TEXT NOT NULL,
        detail TEXT
    );
    CREATE INDEX job_events_job ON job_events(job_id);
    CREATE TABLE job_messages (
        job_id TEXT NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
        position INTEGER NOT NULL,
        role TEXT NOT NULL,
        content TEXT NOT NULL,
        kind TEXT NOT NULL,
        created_at INTEGER,
        resource_ids_json TEXT NOT NULL DEFAULT '[]',
        PRIMARY KEY (job_id, position)
    );
    CREATE TABLE uploads (
        sha256 TEXT NOT NULL,
        size_bytes INTEGER NOT NULL,
        scope TEXT NOT NULL,
        asset_id TEXT NOT NULL,
        url TEXT,
        mime_type TEXT,
        uploaded_at INTEGER NOT NULL,
        PRIMARY KEY (sha256, size_bytes, scope)
    );
    CREATE TABLE job_attachments (
        job_id TEXT NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
        position INTEGER NOT NULL,
        path TEXT NOT NULL,
        sha256 TEXT NOT NULL,
        size_bytes INTEGER NOT NULL,
        mime_type TEXT NOT NULL,
        asset_id TEXT,
        PRIMARY KEY (job_id, position)
    );
    CREATE TABLE settings (
        key TEXT PRIMARY KEY,
        value_json TEXT NOT NULL
    );
    CREATE TABLE catalogue (
        kind TEXT NOT NULL,
        scope TEXT NOT NULL,
        item_id TEXT NOT NULL,
        position INTEGER NOT NULL,
        item_json TEXT NOT NULL,
        fetched_at INTEGER NOT NULL,
        PRIMARY KEY (kind, scope, item_id)
    );
    "#,
    // 2: chat sessions (also those started elsewhere), their merged threads, cached resources;
    // jobs looked up by session and video (a session's videos are separate library entries).
    r#"
    CREATE TABLE chat_sessions (
        session_id TEXT PRIMARY KEY,
        job_id TEXT,
        mode TEXT,
        status TEXT NOT NULL,
        title TEXT,
        progress INTEGER NOT NULL DEFAULT 0,
        created_at INTEGER,
        status_since INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        followed INTEGER NOT NULL DEFAULT 0,
        stuck_notified INTEGER NOT NULL DEFAULT 0
    );
    CREATE INDEX chat_sessions_followed ON chat_sessions(followed, status);
    CREATE TABLE chat_messages (
        session_id TEXT NOT NULL,
        seq INTEGER NOT NULL,
        dedupe_key TEXT NOT NULL,
        role TEXT NOT NULL,
        content TEXT NOT NULL,
        kind TEXT NOT NULL,
        created_at INTEGER,
        resource_ids_json TEXT NOT NULL DEFAULT '[]',
        PRIMARY KEY (session_id, seq),
        UNIQUE (session_id, dedupe_key)
    );
    CREATE TABLE chat_resources (
        session_id TEXT NOT NULL,
        resource_id TEXT NOT NULL,
        resource_json TEXT NOT NULL,
        fetched_at INTEGER NOT NULL,
        PRIMARY KEY (session_id, resource_id)
    );
    CREATE INDEX jobs_session ON jobs(session_id);
    CREATE INDEX jobs_video ON jobs(video_id);
    "#,
    // 3: each job's create attempts. `outcome_unknown` = the last create may have reached the
    // server without its answer reaching us (timeout, reset, 5xx, a crash while sending): the
    // job must be reconciled with the server's session list before any re-send.
    r#"
    CREATE TABLE create_attempts (
        job_id TEXT PRIMARY KEY REFERENCES jobs(id) ON DELETE CASCADE,
        attempts INTEGER NOT NULL DEFAULT 0,
        last_sent_at_ms INTEGER NOT NULL,
        outcome_unknown INTEGER NOT NULL DEFAULT 0
    );
    "#,
    // 4: batches (one CSV → many jobs) and their rows. A row's `job_id` is set in the same
    // transaction that inserts the job (`Store::insert_job_linked`), so a row that became a job
    // is never admitted again, whatever the process dies of; the unique index makes a second
    // link of one job impossible. `retry_of` keeps the failed job a retried row replaces.
    r#"
    CREATE TABLE batches (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        source TEXT NOT NULL,
        headers_json TEXT NOT NULL,
        state TEXT NOT NULL,
        pause_reason TEXT,
        concurrency INTEGER NOT NULL,
        max_videos INTEGER,
        min_balance REAL,
        output_dir TEXT,
        created_at INTEGER NOT NULL,
        started_at INTEGER,
        finished_at INTEGER,
        updated_at INTEGER NOT NULL
    );
    CREATE TABLE batch_rows (
        batch_id TEXT NOT NULL REFERENCES batches(id) ON DELETE CASCADE,
        row_number INTEGER NOT NULL,
        cells_json TEXT NOT NULL,
        request_json TEXT NOT NULL,
        title TEXT,
        output_name TEXT,
        skipped INTEGER NOT NULL DEFAULT 0,
        job_id TEXT,
        retry_of TEXT,
        attempts INTEGER NOT NULL DEFAULT 0,
        error_code TEXT,
        error_message TEXT,
        PRIMARY KEY (batch_id, row_number)
    );
    CREATE UNIQUE INDEX batch_rows_job ON batch_rows(job_id);
    "#,
    // 5: the per-job copy of a session's thread (superseded by chat_messages, which every
    // recorded session, one-shot or chat, already writes).
    r#"
    DROP TABLE IF EXISTS job_messages;
    "#,
];

/// The schema version this build writes.
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

/// Bring the database up to [`SCHEMA_VERSION`], one transaction per migration.
///
/// The app and `vas` may open the same database at the same moment, so each step takes the
/// write lock first (`BEGIN IMMEDIATE`, waiting out the busy timeout) and reads the version
/// inside that transaction: a migration another process has just applied is not run again.
pub fn migrate(conn: &mut Connection) -> Result<i64> {
    loop {
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let current: i64 = tx.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        let Some(sql) = MIGRATIONS.get(current.max(0) as usize) else {
            return Ok(SCHEMA_VERSION);
        };
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", current.max(0) + 1)?;
        tx.commit()?;
    }
}

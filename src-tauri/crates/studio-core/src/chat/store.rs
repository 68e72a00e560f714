//! Chat tables (migration 2): sessions, their merged threads and cached resources.

use heygen_api::models::{MessageRole, MessageType, Resource, SessionListItem};
use rusqlite::{OptionalExtension, Row};

use super::model::{ChatMessage, SessionRecord};
use super::thread::dedupe_key;
use crate::error::Result;
use crate::jobs::Job;
use crate::store::{now_unix, Store};

const SESSION_COLUMNS: &str = "session_id, job_id, mode, status, title, progress, created_at, \
    status_since, updated_at, followed, stuck_notified";

/// Statuses after which the server does nothing more without a new message.
pub(crate) const FINISHED: &[&str] = &["completed", "failed"];

fn session_from_row(r: &Row<'_>) -> rusqlite::Result<SessionRecord> {
    Ok(SessionRecord {
        session_id: r.get(0)?,
        job_id: r.get(1)?,
        mode: r.get(2)?,
        status: r.get(3)?,
        title: r.get(4)?,
        progress: r.get::<_, i64>(5)?.clamp(0, 100) as u8,
        created_at: r.get(6)?,
        status_since: r.get(7)?,
        updated_at: r.get(8)?,
        followed: r.get(9)?,
        stuck_notified: r.get(10)?,
    })
}

/// What we learned about a session; `None` keeps the stored value.
#[derive(Debug, Clone, Default)]
pub(crate) struct SessionUpsert {
    pub session_id: String,
    pub job_id: Option<String>,
    pub mode: Option<String>,
    pub status: String,
    pub title: Option<String>,
    pub progress: Option<u8>,
    pub created_at: Option<i64>,
    /// Turn following on (never turns it off).
    pub follow: bool,
}

impl Store {
    /// Insert or update a session; a status change restarts `status_since` and the stuck flag.
    /// Returns the record before (if any) and after.
    pub(crate) fn upsert_session(
        &self,
        u: &SessionUpsert,
    ) -> Result<(Option<SessionRecord>, SessionRecord)> {
        let now = now_unix();
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let before = tx
            .query_row(
                &format!("SELECT {SESSION_COLUMNS} FROM chat_sessions WHERE session_id = ?1"),
                [&u.session_id],
                session_from_row,
            )
            .optional()?;
        tx.execute(
            "INSERT INTO chat_sessions(session_id, job_id, mode, status, title, progress, created_at,
                 status_since, updated_at, followed, stuck_notified)
             VALUES (?1, ?2, ?3, ?4, ?5, COALESCE(?6, 0), ?7, ?8, ?8, ?9, 0)
             ON CONFLICT(session_id) DO UPDATE SET
                 job_id = COALESCE(chat_sessions.job_id, excluded.job_id),
                 mode = COALESCE(excluded.mode, chat_sessions.mode),
                 status_since = CASE WHEN chat_sessions.status = excluded.status
                     THEN chat_sessions.status_since ELSE excluded.status_since END,
                 stuck_notified = CASE WHEN chat_sessions.status = excluded.status
                     THEN chat_sessions.stuck_notified ELSE 0 END,
                 status = excluded.status,
                 title = COALESCE(excluded.title, chat_sessions.title),
                 progress = COALESCE(?6, chat_sessions.progress),
                 created_at = COALESCE(chat_sessions.created_at, excluded.created_at),
                 updated_at = excluded.updated_at,
                 followed = MAX(chat_sessions.followed, excluded.followed)",
            rusqlite::params![
                u.session_id,
                u.job_id,
                u.mode,
                u.status,
                u.title,
                u.progress.map(i64::from),
                u.created_at,
                now,
                u.follow,
            ],
        )?;
        let after = tx.query_row(
            &format!("SELECT {SESSION_COLUMNS} FROM chat_sessions WHERE session_id = ?1"),
            [&u.session_id],
            session_from_row,
        )?;
        tx.commit()?;
        Ok((before, after))
    }

    /// Note a session from the server's list. A list item carries only id, time and title, so
    /// a new row's status is [`UNKNOWN_STATUS`](super::UNKNOWN_STATUS) and a known row keeps
    /// its status, progress and stuck clock: a list never writes what it does not say.
    pub(crate) fn note_listed_session(&self, item: &SessionListItem) -> Result<()> {
        let now = now_unix();
        self.conn().execute(
            "INSERT INTO chat_sessions(session_id, job_id, mode, status, title, progress, created_at,
                 status_since, updated_at, followed, stuck_notified)
             VALUES (?1, NULL, NULL, ?2, ?3, 0, ?4, ?5, ?5, 0, 0)
             ON CONFLICT(session_id) DO UPDATE SET
                 title = COALESCE(excluded.title, chat_sessions.title),
                 created_at = COALESCE(chat_sessions.created_at, excluded.created_at)",
            rusqlite::params![
                item.session_id,
                super::UNKNOWN_STATUS,
                item.title,
                item.created_at,
                now
            ],
        )?;
        Ok(())
    }

    pub fn chat_session(&self, session_id: &str) -> Result<Option<SessionRecord>> {
        Ok(self
            .conn()
            .query_row(
                &format!("SELECT {SESSION_COLUMNS} FROM chat_sessions WHERE session_id = ?1"),
                [session_id],
                session_from_row,
            )
            .optional()?)
    }

    /// Every known session, newest first.
    pub fn chat_sessions(&self) -> Result<Vec<SessionRecord>> {
        let conn = self.conn();
        let mut stmt = conn.prepare(&format!(
            "SELECT {SESSION_COLUMNS} FROM chat_sessions
             ORDER BY COALESCE(created_at, updated_at) DESC, rowid DESC"
        ))?;
        let rows = stmt.query_map([], session_from_row)?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }

    /// Sessions to keep polling: followed and not finished on the server.
    pub(crate) fn followed_sessions(&self) -> Result<Vec<SessionRecord>> {
        let conn = self.conn();
        let mut stmt = conn.prepare_cached(&format!(
            "SELECT {SESSION_COLUMNS} FROM chat_sessions
             WHERE followed = 1 AND status NOT IN ('completed', 'failed')"
        ))?;
        let rows = stmt.query_map([], session_from_row)?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }

    /// After a reply: the agent is working again (until the next poll says otherwise).
    pub(crate) fn session_replied(&self, session_id: &str) -> Result<()> {
        let now = now_unix();
        self.conn().execute(
            "UPDATE chat_sessions SET status = 'thinking', status_since = ?2, updated_at = ?2,
                 followed = 1, stuck_notified = 0
             WHERE session_id = ?1",
            (session_id, now),
        )?;
        Ok(())
    }

    pub(crate) fn set_stuck_notified(&self, session_id: &str) -> Result<()> {
        self.conn().execute(
            "UPDATE chat_sessions SET stuck_notified = 1 WHERE session_id = ?1",
            [session_id],
        )?;
        Ok(())
    }

    /// Append the messages not seen before, in the given (chronological) order. Returns how
    /// many were new. Nothing already stored is ever removed.
    pub(crate) fn merge_chat_messages(
        &self,
        session_id: &str,
        messages: &[ChatMessage],
    ) -> Result<usize> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let mut next: i64 = tx.query_row(
            "SELECT COALESCE(MAX(seq), 0) + 1 FROM chat_messages WHERE session_id = ?1",
            [session_id],
            |r| r.get(0),
        )?;
        let mut added = 0;
        for m in messages {
            let n = tx.execute(
                "INSERT OR IGNORE INTO chat_messages(session_id, seq, dedupe_key, role, content,
                     kind, created_at, resource_ids_json)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                rusqlite::params![
                    session_id,
                    next,
                    dedupe_key(m),
                    m.role.as_str(),
                    m.content,
                    m.kind.as_str(),
                    m.created_at,
                    serde_json::to_string(&m.resource_ids).expect("ids serialize"),
                ],
            )?;
            if n > 0 {
                next += 1;
                added += 1;
            }
        }
        tx.commit()?;
        Ok(added)
    }

    /// The merged thread, oldest first.
    pub fn chat_messages(&self, session_id: &str) -> Result<Vec<ChatMessage>> {
        let conn = self.conn();
        let mut stmt = conn.prepare_cached(
            "SELECT seq, role, content, kind, created_at, resource_ids_json FROM chat_messages
             WHERE session_id = ?1 ORDER BY seq",
        )?;
        let rows = stmt.query_map([session_id], |r| {
            let ids: String = r.get(5)?;
            Ok(ChatMessage {
                seq: r.get(0)?,
                role: MessageRole::from_wire(&r.get::<_, String>(1)?),
                content: r.get(2)?,
                kind: MessageType::from_wire(&r.get::<_, String>(3)?),
                created_at: r.get(4)?,
                resource_ids: serde_json::from_str(&ids).unwrap_or_default(),
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }

    /// What the user first asked in a session, in one query: the prompt of the job that
    /// started it here (`job_id`), else the first non-blank user message of its stored thread.
    pub fn session_first_prompt(
        &self,
        session_id: &str,
        job_id: Option<&str>,
    ) -> Result<Option<String>> {
        let conn = self.conn();
        let mut stmt = conn.prepare_cached(
            "SELECT COALESCE(
                (SELECT prompt FROM jobs WHERE id = ?2),
                (SELECT content FROM chat_messages
                  WHERE session_id = ?1 AND role = 'user'
                    AND trim(content, ' ' || char(9) || char(10) || char(13)) <> ''
                  ORDER BY seq LIMIT 1))",
        )?;
        Ok(stmt.query_row(rusqlite::params![session_id, job_id], |r| r.get(0))?)
    }

    pub(crate) fn cache_resource(&self, session_id: &str, resource: &Resource) -> Result<()> {
        let json = serde_json::to_string(resource).expect("resource serializes");
        self.conn().execute(
            "INSERT INTO chat_resources(session_id, resource_id, resource_json, fetched_at)
             VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT(session_id, resource_id) DO UPDATE SET
                 resource_json = excluded.resource_json, fetched_at = excluded.fetched_at",
            (session_id, &resource.resource_id, json, now_unix()),
        )?;
        Ok(())
    }

    pub(crate) fn cached_resource(
        &self,
        session_id: &str,
        resource_id: &str,
    ) -> Result<Option<Resource>> {
        let json: Option<String> = self
            .conn()
            .query_row(
                "SELECT resource_json FROM chat_resources WHERE session_id = ?1 AND resource_id = ?2",
                (session_id, resource_id),
                |r| r.get(0),
            )
            .optional()?;
        // A row an older build wrote differently is simply fetched again.
        Ok(json.and_then(|j| serde_json::from_str(&j).ok()))
    }

    /// The jobs (library entries) of a session, oldest first.
    pub fn session_jobs(&self, session_id: &str) -> Result<Vec<Job>> {
        let ids: Vec<String> = {
            let conn = self.conn();
            let mut stmt = conn.prepare_cached(
                "SELECT id FROM jobs WHERE session_id = ?1 ORDER BY created_at, rowid",
            )?;
            let rows = stmt.query_map([session_id], |r| r.get(0))?;
            rows.collect::<rusqlite::Result<Vec<_>>>()?
        };
        ids.iter()
            .filter_map(|id| self.get_job(id).transpose())
            .collect()
    }

    /// Whether some job already holds this video.
    pub(crate) fn video_claimed(&self, video_id: &str) -> Result<bool> {
        Ok(self
            .conn()
            .query_row(
                "SELECT 1 FROM jobs WHERE video_id = ?1 LIMIT 1",
                [video_id],
                |_| Ok(()),
            )
            .optional()?
            .is_some())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn msg(content: &str, at: Option<i64>) -> ChatMessage {
        ChatMessage {
            seq: 0,
            role: MessageRole::Model,
            content: content.into(),
            kind: MessageType::Text,
            created_at: at,
            resource_ids: vec![],
        }
    }

    #[test]
    fn the_first_prompt_is_the_jobs_else_the_first_user_message() {
        let tmp = tempfile::tempdir().unwrap();
        let store = Store::open(&tmp.path().join("s.db")).unwrap();
        assert_eq!(store.session_first_prompt("s", None).unwrap(), None);
        let user = |content: &str, at| ChatMessage {
            role: MessageRole::User,
            ..msg(content, Some(at))
        };
        store
            .merge_chat_messages(
                "s",
                &[
                    msg("Hello", Some(1)),
                    user(" \n ", 2),
                    user("A bakery teaser", 3),
                    user("Later", 4),
                ],
            )
            .unwrap();
        assert_eq!(
            store
                .session_first_prompt("s", Some("gone"))
                .unwrap()
                .as_deref(),
            Some("A bakery teaser"),
            "a job that is not stored: the thread says"
        );
        let request = crate::jobs::JobRequest {
            prompt: "From Create".into(),
            ..Default::default()
        };
        store
            .insert_job(&Job::draft("job_1", request, "key_1", 10))
            .unwrap();
        assert_eq!(
            store
                .session_first_prompt("s", Some("job_1"))
                .unwrap()
                .as_deref(),
            Some("From Create")
        );
    }

    #[test]
    fn merging_keeps_everything_seen_and_appends_only_new_messages() {
        let tmp = tempfile::tempdir().unwrap();
        let store = Store::open(&tmp.path().join("s.db")).unwrap();
        // First poll: messages 1..40 (the window).
        let first: Vec<_> = (1..=40).map(|i| msg(&format!("m{i}"), Some(i))).collect();
        assert_eq!(store.merge_chat_messages("s", &first).unwrap(), 40);
        // Later poll: the window moved to 3..42; 1 and 2 fell out but must stay.
        let second: Vec<_> = (3..=42).map(|i| msg(&format!("m{i}"), Some(i))).collect();
        assert_eq!(store.merge_chat_messages("s", &second).unwrap(), 2);
        let thread = store.chat_messages("s").unwrap();
        assert_eq!(thread.len(), 42);
        assert_eq!(thread[0].content, "m1");
        assert_eq!(thread[41].content, "m42");
        assert!(thread.windows(2).all(|w| w[0].seq < w[1].seq));
        // Same text at another time is another message; no timestamp dedupes on the rest.
        assert_eq!(
            store
                .merge_chat_messages("s", &[msg("m1", Some(100)), msg("x", None), msg("x", None)])
                .unwrap(),
            2
        );
        assert!(store.chat_messages("other").unwrap().is_empty());
    }

    #[test]
    fn a_listed_session_never_gets_a_status_from_the_list() {
        let tmp = tempfile::tempdir().unwrap();
        let store = Store::open(&tmp.path().join("s.db")).unwrap();
        let item = |title: &str| SessionListItem {
            session_id: "s".into(),
            created_at: Some(5),
            title: Some(title.into()),
        };
        store.note_listed_session(&item("First")).unwrap();
        let new = store.chat_session("s").unwrap().unwrap();
        assert_eq!(new.status, crate::chat::UNKNOWN_STATUS);
        assert_eq!((new.progress, new.created_at), (0, Some(5)));
        // Read as completed; listing it again keeps that (and takes the newer title).
        store
            .upsert_session(&SessionUpsert {
                session_id: "s".into(),
                status: "completed".into(),
                progress: Some(100),
                ..Default::default()
            })
            .unwrap();
        store.note_listed_session(&item("Bees")).unwrap();
        let after = store.chat_session("s").unwrap().unwrap();
        assert_eq!(
            (
                after.status.as_str(),
                after.progress,
                after.title.as_deref()
            ),
            ("completed", 100, Some("Bees"))
        );
    }

    #[test]
    fn upsert_tracks_status_changes_and_following() {
        let tmp = tempfile::tempdir().unwrap();
        let store = Store::open(&tmp.path().join("s.db")).unwrap();
        let up = |status: &str, follow: bool, job: Option<&str>| SessionUpsert {
            session_id: "s".into(),
            job_id: job.map(str::to_string),
            status: status.into(),
            follow,
            ..Default::default()
        };
        let (before, a) = store
            .upsert_session(&up("thinking", true, Some("j1")))
            .unwrap();
        assert!(before.is_none() && a.followed && a.job_id.as_deref() == Some("j1"));
        store.set_stuck_notified("s").unwrap();
        let (_, b) = store
            .upsert_session(&up("thinking", false, Some("j2")))
            .unwrap();
        assert!(
            b.followed && b.stuck_notified,
            "following never turns off by itself"
        );
        assert_eq!(b.job_id.as_deref(), Some("j1"), "the anchor job is kept");
        let (_, c) = store.upsert_session(&up("reviewing", false, None)).unwrap();
        assert!(!c.stuck_notified);
        assert_eq!(store.followed_sessions().unwrap().len(), 1);
        store.upsert_session(&up("completed", false, None)).unwrap();
        assert!(store.followed_sessions().unwrap().is_empty());
        store.session_replied("s").unwrap();
        assert_eq!(store.followed_sessions().unwrap()[0].status, "thinking");
    }
}

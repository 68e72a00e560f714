//! Session drivers: move each session through `thinking → waiting_for_input | reviewing →
//! generating → completed | failed`, render its videos, and resume after a restart.

use std::collections::HashMap;
use std::time::Duration;

use tokio_util::sync::CancellationToken;

use crate::catalog;
use crate::narrative;
use crate::planner::{self, Attachment, AttachmentKind, PlanInput, Storyboard};
use crate::render::{self, RenderError, RenderJob};
use crate::state::AppState;
use crate::store::{Resource, SessionStatus, Step, Video, VideoStatus};
use crate::util::{new_id, now_unix};

/// Simulated HeyGen minutes for each kind of waiting.
const THINK_QUESTION_MIN: f64 = 0.5;
const THINK_DRAFT_MIN: f64 = 1.0;
const THINK_GENERATE_MIN: f64 = 1.0;
const QUEUE_MIN: f64 = 0.25;

/// Starts (or restarts) the driver of a session.
pub fn spawn_driver(state: &AppState, session_id: &str) {
    let token = state.shutdown.child_token();
    let gen = state
        .driver_gen
        .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    {
        let mut d = state.drivers.lock().unwrap_or_else(|p| p.into_inner());
        if let Some((_, old)) = d.insert(session_id.to_string(), (gen, token.clone())) {
            old.cancel();
        }
    }
    let st = state.clone();
    let id = session_id.to_string();
    tokio::spawn(async move {
        drive(&st, &id, &token).await;
        let mut d = st.drivers.lock().unwrap_or_else(|p| p.into_inner());
        if d.get(&id).map(|(g, _)| *g == gen).unwrap_or(false) {
            d.remove(&id);
        }
    });
}

/// Asks a session's driver to stop (used by `POST …/stop`).
pub fn cancel_driver(state: &AppState, session_id: &str) {
    let d = state.drivers.lock().unwrap_or_else(|p| p.into_inner());
    if let Some((_, t)) = d.get(session_id) {
        t.cancel();
    }
}

/// On start: resume every session that was working when the server stopped.
pub fn resume_all(state: &AppState) {
    let ids: Vec<String> = state
        .db()
        .sessions
        .values()
        .filter(|s| s.status.is_active())
        .map(|s| s.id.clone())
        .collect();
    for id in ids {
        spawn_driver(state, &id);
    }
}

/// Sleeps `total` while moving progress from `from` to `to`; holds while the stuck fault is on.
async fn think(
    state: &AppState,
    id: &str,
    total: Duration,
    from: u8,
    to: u8,
    cancel: &CancellationToken,
) -> bool {
    let started = tokio::time::Instant::now();
    loop {
        let stuck = state.faults.stuck_thinking(id);
        let elapsed = started.elapsed();
        if !stuck && elapsed >= total {
            return true;
        }
        let frac = if total.is_zero() {
            1.0
        } else {
            (elapsed.as_secs_f64() / total.as_secs_f64()).min(1.0)
        };
        let p = from + ((to - from) as f64 * frac) as u8;
        state.update(|db| {
            if let Some(s) = db.sessions.get_mut(id) {
                s.progress = s.progress.max(p);
            }
        });
        let step = if stuck {
            Duration::from_millis(100)
        } else {
            (total - elapsed).min(Duration::from_millis(250))
        };
        tokio::select! {
            _ = tokio::time::sleep(step) => {}
            _ = cancel.cancelled() => return false,
        }
    }
}

fn attachment_kind(mime: &str) -> AttachmentKind {
    match mime {
        m if m.starts_with("image/") => AttachmentKind::Image,
        "application/pdf" => AttachmentKind::Pdf,
        m if m.starts_with("video/") => AttachmentKind::Video,
        m if m.starts_with("audio/") => AttachmentKind::Audio,
        _ => AttachmentKind::Other,
    }
}

async fn attachments(state: &AppState, ids: &[String]) -> Vec<Attachment> {
    let assets: Vec<_> = {
        let db = state.db();
        ids.iter()
            .filter_map(|id| db.assets.get(id).cloned())
            .collect()
    };
    let mut out = Vec::new();
    for a in assets {
        let kind = attachment_kind(&a.mime_type);
        let text = if kind == AttachmentKind::Pdf {
            let path = crate::cdn::asset_path(state, &a.id);
            tokio::task::spawn_blocking(move || {
                std::fs::read(path)
                    .ok()
                    .and_then(|b| crate::pdf_text::extract(&b))
            })
            .await
            .ok()
            .flatten()
        } else {
            None
        };
        out.push(Attachment {
            asset_id: a.id,
            name: a.filename,
            kind,
            text,
        });
    }
    out
}

async fn make_storyboard(state: &AppState, id: &str) -> Option<Storyboard> {
    let (params, revisions) = {
        let db = state.db();
        let s = db.sessions.get(id)?;
        (s.params.clone(), s.revisions.clone())
    };
    Some(plan_for(state, &params, &revisions).await)
}

/// The storyboard for these parameters and change requests.
pub async fn plan_for(
    state: &AppState,
    params: &crate::store::SessionParams,
    revisions: &[String],
) -> Storyboard {
    let atts = attachments(state, &params.attachments).await;
    let brand_colors = params
        .brand_kit_id
        .as_deref()
        .and_then(catalog::brand_kit)
        .map(|b| b.colors.iter().map(|c| c.to_string()).collect());
    planner::plan(&PlanInput {
        prompt: &params.prompt,
        revisions,
        orientation: params.orientation.as_deref(),
        style_id: params.style_id.as_deref(),
        voice_id: params.voice_id.as_deref(),
        avatar_id: params.avatar_id.as_deref(),
        brand_colors,
        attachments: &atts,
    })
}

pub fn storyboard_metadata(state: &AppState, sb: &Storyboard) -> serde_json::Value {
    let mut v = serde_json::to_value(sb).unwrap_or_default();
    if let Some(scenes) = v.get_mut("scenes").and_then(|s| s.as_array_mut()) {
        for scene in scenes {
            let url = scene
                .get("image_asset_id")
                .and_then(|a| a.as_str())
                .and_then(|a| state.asset_url(a));
            scene["image_url"] = serde_json::json!(url);
        }
    }
    v
}

async fn drive(state: &AppState, id: &str, cancel: &CancellationToken) {
    loop {
        let Some((status, step, stop)) = state
            .db()
            .sessions
            .get(id)
            .map(|s| (s.status, s.step, s.stop_requested))
        else {
            return;
        };
        if stop {
            finish_stopped(state, id);
            return;
        }
        match (status, step) {
            (SessionStatus::Thinking, Step::AskQuestion) => {
                if !think(state, id, state.sim(THINK_QUESTION_MIN), 0, 10, cancel).await {
                    return on_cancel(state, id);
                }
                let names: Vec<&str> = catalog::VOICES
                    .iter()
                    .filter(|v| v.language == "English")
                    .map(|v| v.name)
                    .collect();
                state.update(|db| {
                    if let Some(s) = db.sessions.get_mut(id) {
                        s.status = SessionStatus::WaitingForInput;
                        s.step = Step::Idle;
                        s.title = Some(planner::title_from_prompt(&s.params.prompt));
                        s.push_message(
                            "model",
                            "text",
                            format!(
                                "Before I write the storyboard: which voice should narrate this video? Options: {}. Reply with a name, or say \"you choose\".",
                                names.join(", ")
                            ),
                        );
                    }
                });
                return;
            }
            (SessionStatus::Thinking, Step::Draft) => {
                if !think(state, id, state.sim(THINK_DRAFT_MIN), 10, 20, cancel).await {
                    return on_cancel(state, id);
                }
                let Some(sb) = make_storyboard(state, id).await else {
                    return;
                };
                let meta = storyboard_metadata(state, &sb);
                state.update(|db| {
                    let rid = new_id("res_");
                    db.next_seq(&rid);
                    db.resources.insert(
                        rid.clone(),
                        Resource {
                            id: rid.clone(),
                            session_id: id.to_string(),
                            resource_type: "draft".into(),
                            source_type: Some("generated".into()),
                            metadata: Some(meta),
                            asset_id: None,
                            video_id: None,
                            created_at: now_unix(),
                        },
                    );
                    if let Some(s) = db.sessions.get_mut(id) {
                        // A draft after a change request says what the request changed.
                        let revision_of = s
                            .storyboard
                            .as_ref()
                            .filter(|prev| sb.revision > prev.revision)
                            .zip(s.revisions.last())
                            .map(|(prev, r)| (prev, r.as_str()));
                        let message = narrative::draft_message(&sb, revision_of);
                        s.title = Some(sb.title.clone());
                        s.storyboard = Some(sb);
                        s.status = SessionStatus::Reviewing;
                        s.step = Step::Idle;
                        s.resource_ids.push(rid.clone());
                        s.push_resource_message(message, vec![rid]);
                    }
                });
                return;
            }
            (SessionStatus::Thinking, Step::Generate) => {
                let mins = if state
                    .db()
                    .sessions
                    .get(id)
                    .map(|s| s.storyboard.is_some())
                    .unwrap_or(false)
                {
                    THINK_GENERATE_MIN / 4.0
                } else {
                    THINK_GENERATE_MIN
                };
                if !think(state, id, state.sim(mins), 0, 20, cancel).await {
                    return on_cancel(state, id);
                }
                let Some(sb) = make_storyboard(state, id).await else {
                    return;
                };
                state.update(|db| {
                    let vid = crate::hostile::new_id("", state.behaviour().hostile_names);
                    db.next_seq(&vid);
                    db.videos.insert(
                        vid.clone(),
                        Video {
                            id: vid.clone(),
                            session_id: id.to_string(),
                            title: Some(sb.title.clone()),
                            status: VideoStatus::Pending,
                            created_at: now_unix(),
                            completed_at: None,
                            duration: None,
                            failure_code: None,
                            failure_message: None,
                            storyboard: sb.clone(),
                            deleted: false,
                        },
                    );
                    if let Some(s) = db.sessions.get_mut(id) {
                        // No storyboard yet: a fresh script. The same revision: the approved
                        // draft. A later one: a new version of a finished video.
                        let before = s.storyboard.as_ref().map(|prev| {
                            let request = s
                                .revisions
                                .last()
                                .filter(|_| sb.revision > prev.revision)
                                .map(String::as_str);
                            (prev, request)
                        });
                        let message = narrative::render_message(&sb, before);
                        s.push_message("model", "text", message);
                        s.title = Some(sb.title.clone());
                        s.storyboard = Some(sb);
                        s.status = SessionStatus::Generating;
                        s.step = Step::Generate;
                        s.progress = 20;
                        s.video_id = Some(vid.clone());
                        s.video_ids.push(vid);
                    }
                });
            }
            (SessionStatus::Generating, Step::Prepare) => {
                // The video was created with the session (`pending`); the agent still thinks
                // (title, script) before it renders.
                if !think(state, id, state.sim(THINK_GENERATE_MIN), 0, 20, cancel).await {
                    return on_cancel(state, id);
                }
                state.update(|db| {
                    let s = db.sessions.get_mut(id)?;
                    let vid = s.video_id.clone()?;
                    let v = db.videos.get_mut(&vid)?;
                    v.title = Some(v.storyboard.title.clone());
                    s.push_message(
                        "model",
                        "text",
                        narrative::render_message(&v.storyboard, None),
                    );
                    s.title = Some(v.storyboard.title.clone());
                    s.storyboard = Some(v.storyboard.clone());
                    s.step = Step::Generate;
                    s.progress = s.progress.max(20);
                    Some(())
                });
            }
            (SessionStatus::Generating, _) => {
                render_current(state, id, cancel).await;
                return;
            }
            _ => return,
        }
    }
}

/// Cancellation is either a stop request or server shutdown (then the job resumes on restart).
fn on_cancel(state: &AppState, id: &str) {
    let stop = state
        .db()
        .sessions
        .get(id)
        .map(|s| s.stop_requested)
        .unwrap_or(false);
    if stop {
        finish_stopped(state, id);
    }
}

pub fn finish_stopped(state: &AppState, id: &str) {
    let event = state.update(|db| {
        let s = db.sessions.get_mut(id)?;
        if s.status.is_terminal() {
            return None;
        }
        s.status = SessionStatus::Failed;
        s.step = Step::Idle;
        s.push_message("model", "error", "Stopped at your request.");
        let vid = s.video_id.clone();
        if let Some(v) = vid.as_ref().and_then(|v| db.videos.get_mut(v)) {
            if !matches!(v.status, VideoStatus::Completed | VideoStatus::Failed) {
                v.status = VideoStatus::Failed;
                v.failure_code = Some("stopped".into());
                v.failure_message =
                    Some("The session was stopped before the video finished.".into());
                return vid;
            }
        }
        None
    });
    if let Some(vid) = event {
        crate::webhooks::emit_for_video(state, &vid, false);
    }
}

async fn render_current(state: &AppState, id: &str, cancel: &CancellationToken) {
    let Some((vid, sb, avatar)) = ({
        let db = state.db();
        db.sessions.get(id).and_then(|s| {
            let vid = s.video_id.clone()?;
            let v = db.videos.get(&vid)?;
            let look = v
                .storyboard
                .avatar_id
                .clone()
                .or_else(|| s.params.avatar_id.clone());
            Some((vid, v.storyboard.clone(), look))
        })
    }) else {
        return;
    };
    // Queue: simulated wait, then one of the render slots.
    tokio::select! {
        _ = tokio::time::sleep(state.sim(QUEUE_MIN)) => {}
        _ = cancel.cancelled() => return on_cancel(state, id),
    }
    let permit = tokio::select! {
        p = state.render_slots.acquire() => p,
        _ = cancel.cancelled() => return on_cancel(state, id),
    };
    let _permit = match permit {
        Ok(p) => p,
        Err(_) => return,
    };
    state.update(|db| {
        if let Some(v) = db.videos.get_mut(&vid) {
            v.status = VideoStatus::Processing;
        }
    });
    let mut images: HashMap<String, std::path::PathBuf> = HashMap::new();
    for a in sb.scenes.iter().filter_map(|s| s.image_asset_id.clone()) {
        let is_video = state
            .db()
            .assets
            .get(&a)
            .map(|x| x.mime_type.starts_with("video/"))
            .unwrap_or(false);
        let path = if is_video {
            crate::media::video_still(state, &a).await.ok()
        } else {
            Some(crate::cdn::asset_path(state, &a))
        };
        if let Some(p) = path {
            images.insert(a, p);
        }
    }
    let look = avatar.unwrap_or_else(|| catalog::LOOKS[0].id.to_string());
    let presenter = crate::media::presenter(state, &look).await.ok();
    let out_dir = state.videos_dir().join(crate::hostile::disk_name(&vid));
    if let Err(e) = tokio::fs::create_dir_all(&out_dir).await {
        return fail(
            state,
            id,
            &vid,
            "render_failed",
            &format!("cannot create output dir: {e}"),
        );
    }
    let job = RenderJob {
        storyboard: &sb,
        out_dir,
        images,
        presenter,
        espeak: state.espeak_available,
    };
    let st = state.clone();
    let sid = id.to_string();
    let progress = move |p: f64| {
        let pct = (20.0 + 79.0 * p).round() as u8;
        st.update(|db| {
            if let Some(s) = db.sessions.get_mut(&sid) {
                s.progress = s.progress.max(pct.min(99));
            }
        });
    };
    match render::render(&job, progress, cancel).await {
        Ok(out) => complete(state, id, &vid, out),
        Err(RenderError::Cancelled) => on_cancel(state, id),
        Err(e) => fail(state, id, &vid, "render_failed", &e.to_string()),
    }
}

fn complete(state: &AppState, id: &str, vid: &str, out: render::RenderOutput) {
    state.update(|db| {
        let rid = new_id("res_");
        db.next_seq(&rid);
        db.resources.insert(
            rid.clone(),
            Resource {
                id: rid.clone(),
                session_id: id.to_string(),
                resource_type: "video".into(),
                source_type: Some("generated".into()),
                metadata: None,
                asset_id: None,
                video_id: Some(vid.to_string()),
                created_at: now_unix(),
            },
        );
        db.account.remaining_balance = (db.account.remaining_balance - out.duration).max(0.0);
        // The video reports the rendered file's own length (ffprobe), and the chat says the same.
        let ready = db.videos.get_mut(vid).map(|v| {
            v.status = VideoStatus::Completed;
            v.completed_at = Some(now_unix());
            let duration = (out.duration * 1000.0).round() / 1000.0;
            v.duration = Some(duration);
            narrative::ready_message(
                v.title.as_deref().unwrap_or_default(),
                duration,
                &v.storyboard,
            )
        });
        if let Some(s) = db.sessions.get_mut(id) {
            let notes = s
                .storyboard
                .as_ref()
                .map(|sb| sb.notes.clone())
                .unwrap_or_default();
            for n in notes.iter().chain(out.notes.iter()) {
                s.push_message("model", "text", n.clone());
            }
            s.status = SessionStatus::Completed;
            s.step = Step::Idle;
            s.progress = 100;
            s.resource_ids.push(rid.clone());
            s.push_resource_message(
                ready.unwrap_or_else(|| "Your video is ready.".into()),
                vec![rid],
            );
        }
    });
    crate::webhooks::emit_for_video(state, vid, true);
}

fn fail(state: &AppState, id: &str, vid: &str, code: &str, message: &str) {
    tracing::warn!(session = id, video = vid, "render failed: {message}");
    state.update(|db| {
        if let Some(v) = db.videos.get_mut(vid) {
            v.status = VideoStatus::Failed;
            v.failure_code = Some(code.to_string());
            v.failure_message = Some(message.to_string());
        }
        if let Some(s) = db.sessions.get_mut(id) {
            s.status = SessionStatus::Failed;
            s.step = Step::Idle;
            s.push_message("model", "error", format!("Rendering failed: {message}"));
        }
    });
    crate::webhooks::emit_for_video(state, vid, false);
}

/// Is this chat message an approval of the storyboard (rather than a change request)?
pub fn is_approval(message: &str) -> bool {
    let m = message.to_lowercase();
    let approve = [
        "looks good",
        "look good",
        "approve",
        "go ahead",
        "generate",
        "lgtm",
        "ship it",
        "proceed",
        "yes",
        "perfect",
        "great",
        "sounds good",
        "let's go",
        "do it",
        "render",
    ];
    let change = [
        " but ",
        "change",
        "instead",
        "shorter",
        "longer",
        "replace",
        "add ",
        "remove",
        "make it",
        "could you",
        "don't",
        "do not",
        "less",
        "more ",
    ];
    approve.iter().any(|a| m.contains(a)) && !change.iter().any(|c| m.contains(c))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn approvals_and_change_requests() {
        assert!(is_approval("Looks good — generate it"));
        assert!(is_approval("yes please"));
        assert!(!is_approval("Looks good but make it shorter"));
        assert!(!is_approval("Use a calmer tone"));
    }
}

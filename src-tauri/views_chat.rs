//! The chat shapes the UI sees (camelCase, times as u32 seconds, paths as strings), mirrored from
//! `studio_core::chat` like `views.rs` does for jobs.

use serde::{Deserialize, Serialize};
use studio_core::chat::{
    ChatMessage, ChatReply, ChatSession, ChatThread, ResourceView, Scene, SessionList,
    SessionVideo, Storyboard,
};

use crate::error::CommandError;
use crate::views::JobStateView;

/// A non-negative count or Unix time as u32 (clamped).
fn secs(v: i64) -> u32 {
    u32::try_from(v.max(0)).unwrap_or(u32::MAX)
}

fn path_string(path: &Option<std::path::PathBuf>) -> Option<String> {
    path.as_deref().map(|p| p.display().to_string())
}

/// A session's status and what it means for the UI right now.
#[derive(Debug, Clone, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct SessionView {
    pub session_id: String,
    pub job_id: Option<String>,
    pub mode: Option<String>,
    /// The server's status verbatim: `thinking`, `waiting_for_input`, `reviewing`, `generating`,
    /// `completed`, `failed`, or one this app does not know yet (treat as working).
    pub status: String,
    pub title: Option<String>,
    pub progress: u8,
    /// Unix seconds (u32: TypeScript has no 64-bit integers; good until 2106).
    pub created_at: Option<u32>,
    pub status_since: u32,
    pub elapsed_secs: u32,
    pub needs_input: bool,
    pub active: bool,
    pub stuck: bool,
    pub stuck_explanation: Option<String>,
    pub followed: bool,
    pub video_count: u32,
}

impl From<&ChatSession> for SessionView {
    fn from(s: &ChatSession) -> Self {
        Self {
            session_id: s.session_id.clone(),
            job_id: s.job_id.clone(),
            mode: s.mode.clone(),
            status: s.status.clone(),
            title: s.title.clone(),
            progress: s.progress,
            created_at: s.created_at.map(secs),
            status_since: secs(s.status_since),
            elapsed_secs: secs(s.elapsed_secs),
            needs_input: s.needs_input,
            active: s.active,
            stuck: s.stuck,
            stuck_explanation: s.stuck_explanation.clone(),
            followed: s.followed,
            video_count: u32::try_from(s.video_count).unwrap_or(u32::MAX),
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct MessageView {
    pub seq: u32,
    /// `user` or `model`.
    pub role: String,
    pub content: String,
    /// `text`, `resource`, `error`, …
    pub kind: String,
    pub created_at: Option<u32>,
    pub resource_ids: Vec<String>,
}

impl From<&ChatMessage> for MessageView {
    fn from(m: &ChatMessage) -> Self {
        Self {
            seq: secs(m.seq),
            role: m.role.clone(),
            content: m.content.clone(),
            kind: m.kind.clone(),
            created_at: m.created_at.map(secs),
            resource_ids: m.resource_ids.clone(),
        }
    }
}

/// One `key → readable text` pair of metadata the app does not recognise.
#[derive(Debug, Clone, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct FieldView {
    pub key: String,
    pub value: String,
}

fn field_views(fields: &[(String, String)]) -> Vec<FieldView> {
    fields
        .iter()
        .map(|(key, value)| FieldView {
            key: key.clone(),
            value: value.clone(),
        })
        .collect()
}

#[derive(Debug, Clone, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct SceneView {
    pub heading: Option<String>,
    pub text: Option<String>,
    pub narration: Option<String>,
    pub duration_secs: Option<f64>,
    pub image_url: Option<String>,
    pub fields: Vec<FieldView>,
}

impl From<&Scene> for SceneView {
    fn from(s: &Scene) -> Self {
        Self {
            heading: s.heading.clone(),
            text: s.text.clone(),
            narration: s.narration.clone(),
            duration_secs: s.duration_secs,
            image_url: s.image_url.clone(),
            fields: field_views(&s.fields),
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct StoryboardView {
    pub title: Option<String>,
    pub duration_secs: Option<f64>,
    pub scenes: Vec<SceneView>,
    pub fields: Vec<FieldView>,
}

impl From<&Storyboard> for StoryboardView {
    fn from(s: &Storyboard) -> Self {
        Self {
            title: s.title.clone(),
            duration_secs: s.duration_secs,
            scenes: s.scenes.iter().map(SceneView::from).collect(),
            fields: field_views(&s.fields),
        }
    }
}

/// A resource a message refers to: an image, video, avatar, voice, a storyboard draft, or any
/// other type (shown as its fields).
#[derive(Debug, Clone, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct ResourceCardView {
    pub resource_id: String,
    pub resource_type: Option<String>,
    pub source_type: Option<String>,
    pub url: Option<String>,
    pub preview_url: Option<String>,
    pub thumbnail_url: Option<String>,
    pub storyboard: Option<StoryboardView>,
    /// Metadata of non-draft resources, readable.
    pub fields: Vec<FieldView>,
    pub error: Option<CommandError>,
    /// For a video resource: the job id of the session video (library entry) it is, so the
    /// card can show the local thumbnail and play the downloaded file. Set by `ThreadView`.
    pub video_job_id: Option<String>,
}

impl From<&ResourceView> for ResourceCardView {
    fn from(r: &ResourceView) -> Self {
        let res = r.resource.as_ref();
        let fields = match (res.and_then(|x| x.metadata.as_ref()), &r.storyboard) {
            (Some(serde_json::Value::Object(map)), None) => map
                .iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| FieldView {
                    key: k.replace('_', " "),
                    value: studio_core::chat::storyboard::readable(v),
                })
                .collect(),
            (Some(other), None) => vec![FieldView {
                key: "metadata".into(),
                value: studio_core::chat::storyboard::readable(other),
            }],
            _ => Vec::new(),
        };
        Self {
            resource_id: r.resource_id.clone(),
            resource_type: res.and_then(|x| x.resource_type.clone()),
            source_type: res.and_then(|x| x.source_type.as_ref().map(|s| s.as_str().to_string())),
            url: res.and_then(|x| x.url.clone()),
            preview_url: res.and_then(|x| x.preview_url.clone()),
            thumbnail_url: res.and_then(|x| x.thumbnail_url.clone()),
            storyboard: r.storyboard.as_ref().map(StoryboardView::from),
            fields,
            error: r.error.clone().map(CommandError::from),
            video_job_id: None,
        }
    }
}

fn is_video(r: &ResourceView) -> bool {
    r.resource
        .as_ref()
        .and_then(|x| x.resource_type.as_deref())
        .is_some_and(|t| t.eq_ignore_ascii_case("video"))
}

fn is_user_uploaded(r: &ResourceView) -> bool {
    r.resource
        .as_ref()
        .and_then(|x| x.source_type.as_ref())
        .is_some_and(|s| s.as_str() == "user_uploaded")
}

/// The session video a video resource is. The API links them by nothing published (spec §2.4),
/// so: a `video_id` in the resource's metadata, else a URL with the video id as a path segment
/// or file stem, else order — the n-th generated video resource of the thread is the session's
/// n-th video (each render posts one). Returns a job id per resource (None for non-videos).
fn link_videos(resources: &[ResourceView], videos: &[SessionVideo]) -> Vec<Option<String>> {
    let by_video_id = |id: &str| {
        videos
            .iter()
            .find(|v| v.video_id.as_deref() == Some(id))
            .map(|v| v.job_id.clone())
    };
    let mut linked: Vec<Option<String>> = resources
        .iter()
        .map(|r| {
            let res = r.resource.as_ref().filter(|_| is_video(r))?;
            if let Some(id) = res
                .metadata
                .as_ref()
                .and_then(|m| m.get("video_id"))
                .and_then(|v| v.as_str())
            {
                if let Some(job) = by_video_id(id) {
                    return Some(job);
                }
            }
            [&res.url, &res.preview_url, &res.thumbnail_url]
                .into_iter()
                .flatten()
                .find_map(|url| url_names_video(url, videos))
        })
        .collect();
    // By order, over the generated video resources and the videos not linked above.
    let mut free = videos
        .iter()
        .filter(|v| !linked.iter().flatten().any(|j| *j == v.job_id))
        .map(|v| v.job_id.clone())
        .collect::<Vec<_>>()
        .into_iter();
    for (i, r) in resources.iter().enumerate() {
        if linked[i].is_none() && is_video(r) && !is_user_uploaded(r) && r.resource.is_some() {
            linked[i] = free.next();
        }
    }
    linked
}

/// The job id of the video whose id is a path segment (or a file name's stem) of `url`.
fn url_names_video(url: &str, videos: &[SessionVideo]) -> Option<String> {
    let path = url.split(['?', '#']).next().unwrap_or(url);
    let segments: Vec<&str> = path
        .split('/')
        .flat_map(|seg| [seg, seg.split('.').next().unwrap_or(seg)])
        .filter(|seg| !seg.is_empty())
        .collect();
    videos
        .iter()
        .find(|v| {
            v.video_id
                .as_deref()
                .is_some_and(|id| segments.contains(&id))
        })
        .map(|v| v.job_id.clone())
}

#[derive(Debug, Clone, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct SessionVideoView {
    pub job_id: String,
    pub video_id: Option<String>,
    pub revision: u32,
    pub state: JobStateView,
    pub title: Option<String>,
    pub progress: Option<u8>,
    pub video_path: Option<String>,
    pub thumbnail_path: Option<String>,
    pub failure_message: Option<String>,
    pub created_at: u32,
}

impl From<&SessionVideo> for SessionVideoView {
    fn from(v: &SessionVideo) -> Self {
        Self {
            job_id: v.job_id.clone(),
            video_id: v.video_id.clone(),
            revision: v.revision,
            state: v.state.into(),
            title: v.title.clone(),
            progress: v.progress,
            video_path: path_string(&v.outputs.video),
            thumbnail_path: path_string(&v.outputs.thumbnail),
            failure_message: v.failure_message.clone(),
            created_at: secs(v.created_at),
        }
    }
}

/// Everything the Session screen shows.
#[derive(Debug, Clone, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct ThreadView {
    pub session: SessionView,
    /// Oldest first.
    pub messages: Vec<MessageView>,
    pub resources: Vec<ResourceCardView>,
    /// Oldest first; each revision is its own library entry.
    pub videos: Vec<SessionVideoView>,
}

impl From<&ChatThread> for ThreadView {
    fn from(t: &ChatThread) -> Self {
        Self {
            session: SessionView::from(&t.session),
            messages: t.messages.iter().map(MessageView::from).collect(),
            resources: t
                .resources
                .iter()
                .zip(link_videos(&t.resources, &t.videos))
                .map(|(r, video_job_id)| ResourceCardView {
                    video_job_id,
                    ..ResourceCardView::from(r)
                })
                .collect(),
            videos: t.videos.iter().map(SessionVideoView::from).collect(),
        }
    }
}

/// A row of the sessions list: the session and the first line of what the user asked.
#[derive(Debug, Clone, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct SessionRowView {
    pub session: SessionView,
    /// The first line of the first user message (or of the job's prompt), when known here.
    pub first_prompt: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct SessionListView {
    pub sessions: Vec<SessionRowView>,
    /// Pass to `list_sessions` for more of the server's sessions.
    pub next_token: Option<String>,
    pub remote_error: Option<CommandError>,
}

impl SessionListView {
    /// `first_prompt` says what the user first asked in a session, if anything is known.
    pub fn new(l: &SessionList, first_prompt: impl Fn(&ChatSession) -> Option<String>) -> Self {
        Self {
            sessions: l
                .sessions
                .iter()
                .map(|s| SessionRowView {
                    session: SessionView::from(s),
                    first_prompt: first_prompt(s).as_deref().and_then(first_line),
                })
                .collect(),
            next_token: l.next_token.clone(),
            remote_error: l.remote_error.clone().map(CommandError::from),
        }
    }
}

/// The first non-blank line, cut to a list row's length.
fn first_line(text: &str) -> Option<String> {
    const MAX: usize = 160;
    let line = text.lines().map(str::trim).find(|l| !l.is_empty())?;
    Some(if line.chars().count() > MAX {
        format!("{}…", line.chars().take(MAX).collect::<String>())
    } else {
        line.to_string()
    })
}

/// A reply from the Session screen's reply box.
#[derive(Debug, Clone, Default, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase", default)]
pub struct ReplyInput {
    pub message: String,
    /// Absolute paths (same drop zone and picker as Create).
    pub files: Vec<String>,
    pub avatar_id: Option<String>,
    pub voice_id: Option<String>,
    pub brand_kit_id: Option<String>,
}

impl ReplyInput {
    pub fn to_reply(&self) -> ChatReply {
        ChatReply {
            message: self.message.clone(),
            files: self.files.iter().map(std::path::PathBuf::from).collect(),
            avatar_id: self.avatar_id.clone(),
            voice_id: self.voice_id.clone(),
            brand_kit_id: self.brand_kit_id.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use studio_core::{JobOutputs, JobState};

    fn resource(id: &str, kind: &str, source: &str, extra: serde_json::Value) -> ResourceView {
        let mut json = serde_json::json!({
            "resource_id": id, "resource_type": kind, "source_type": source,
        });
        json.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        ResourceView {
            resource_id: id.into(),
            resource: Some(serde_json::from_value(json).unwrap()),
            storyboard: None,
            error: None,
        }
    }

    fn video(job: &str, video_id: &str, revision: u32) -> SessionVideo {
        SessionVideo {
            job_id: job.into(),
            video_id: Some(video_id.into()),
            revision,
            state: JobState::Downloaded,
            title: None,
            progress: None,
            outputs: JobOutputs::default(),
            failure_message: None,
            created_at: 0,
        }
    }

    #[test]
    fn video_resources_link_to_session_videos() {
        let none = serde_json::json!({});
        let videos = [video("job_a", "vid_a", 1), video("job_b", "vid_b", 2)];
        let resources = [
            resource("r0", "draft", "generated", none.clone()),
            // By metadata: this one names the second video although it comes first.
            resource(
                "r1",
                "video",
                "generated",
                serde_json::json!({"metadata": {"video_id": "vid_b"}}),
            ),
            // By URL: the id as a file stem.
            resource(
                "r2",
                "video",
                "generated",
                serde_json::json!({"url": "https://cdn.example/x/vid_a.mp4?sig=1"}),
            ),
            // An upload is never a session video.
            resource("r3", "video", "user_uploaded", none.clone()),
        ];
        assert_eq!(
            link_videos(&resources, &videos),
            [None, Some("job_b".into()), Some("job_a".into()), None]
        );
        // Nothing in the data: by order of appearance.
        let plain = [
            resource("r1", "Video", "generated", none.clone()),
            resource("r2", "video", "generated", none.clone()),
            resource("r3", "video", "generated", none),
        ];
        assert_eq!(
            link_videos(&plain, &videos),
            [Some("job_a".into()), Some("job_b".into()), None]
        );
        // A URL segment that merely contains an id is no match.
        let near = [resource(
            "r1",
            "video",
            "generated",
            serde_json::json!({"url": "https://cdn.example/vid_ab/file.mp4"}),
        )];
        assert_eq!(link_videos(&near, &videos[..0]), [None]);
        assert_eq!(
            url_names_video("https://cdn.example/vid_ab/file.mp4", &videos),
            None
        );
        assert_eq!(
            url_names_video("https://cdn.example/v/vid_b/video.mp4", &videos),
            Some("job_b".into())
        );
    }

    #[test]
    fn first_line_skips_blank_lines_and_cuts_long_ones() {
        assert_eq!(
            first_line("\n  \n Hello there \nmore").as_deref(),
            Some("Hello there")
        );
        assert_eq!(first_line(" \n "), None);
        let long = first_line(&"é".repeat(200)).unwrap();
        assert_eq!(long.chars().count(), 161);
        assert!(long.ends_with('…'));
    }
}

//! Videos (§4).

use serde::{Deserialize, Serialize};

use super::lenient;
use super::open_enum::open_enum;

open_enum! {
    /// Status of a rendered video. Unknown values are treated as in progress.
    pub enum VideoStatus {
        Pending = "pending",
        Waiting = "waiting",
        Processing = "processing",
        Completed = "completed",
        Failed = "failed",
    }
}

impl VideoStatus {
    /// `completed` or `failed`.
    pub fn is_terminal(&self) -> bool {
        matches!(self, VideoStatus::Completed | VideoStatus::Failed)
    }
}

/// A video (`GET /v3/videos/{id}`, list items, and a session's videos). The id is read from
/// `id`, or from `video_id` when `id` is absent (some listings name it so).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
// Decoding goes through `RawVideo` (where the lenient field rules live).
#[serde(try_from = "RawVideo")]
pub struct Video {
    pub id: String,
    pub status: VideoStatus,
    pub title: Option<String>,
    pub created_at: Option<i64>,
    pub completed_at: Option<i64>,
    /// Seconds.
    pub duration: Option<f64>,
    /// Presigned; expires. Each GET of the video returns a fresh one.
    pub video_url: Option<String>,
    pub captioned_video_url: Option<String>,
    /// SRT.
    pub subtitle_url: Option<String>,
    pub thumbnail_url: Option<String>,
    pub gif_url: Option<String>,
    /// Share page in the HeyGen app.
    pub video_page_url: Option<String>,
    pub folder_id: Option<String>,
    pub output_language: Option<String>,
    pub failure_code: Option<String>,
    pub failure_message: Option<String>,
}

/// The wire form of [`Video`], before the id is settled.
#[derive(Deserialize)]
struct RawVideo {
    #[serde(default, deserialize_with = "lenient::opt_string")]
    id: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    video_id: Option<String>,
    #[serde(default = "default_status")]
    status: VideoStatus,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    title: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_i64")]
    created_at: Option<i64>,
    #[serde(default, deserialize_with = "lenient::opt_i64")]
    completed_at: Option<i64>,
    /// Seconds.
    #[serde(default, deserialize_with = "lenient::opt_f64")]
    duration: Option<f64>,
    /// Presigned; expires. Each GET of the video returns a fresh one.
    #[serde(default, deserialize_with = "lenient::opt_string")]
    video_url: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    captioned_video_url: Option<String>,
    /// SRT.
    #[serde(default, deserialize_with = "lenient::opt_string")]
    subtitle_url: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    thumbnail_url: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    gif_url: Option<String>,
    /// Share page in the HeyGen app.
    #[serde(default, deserialize_with = "lenient::opt_string")]
    video_page_url: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    folder_id: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    output_language: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    failure_code: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    failure_message: Option<String>,
}

impl TryFrom<RawVideo> for Video {
    type Error = String;

    fn try_from(raw: RawVideo) -> Result<Self, Self::Error> {
        let id = raw
            .id
            .filter(|id| !id.is_empty())
            .or(raw.video_id)
            .ok_or_else(|| "missing field `id`".to_owned())?;
        Ok(Video {
            id,
            status: raw.status,
            title: raw.title,
            created_at: raw.created_at,
            completed_at: raw.completed_at,
            duration: raw.duration,
            video_url: raw.video_url,
            captioned_video_url: raw.captioned_video_url,
            subtitle_url: raw.subtitle_url,
            thumbnail_url: raw.thumbnail_url,
            gif_url: raw.gif_url,
            video_page_url: raw.video_page_url,
            folder_id: raw.folder_id,
            output_language: raw.output_language,
            failure_code: raw.failure_code,
            failure_message: raw.failure_message,
        })
    }
}

fn default_status() -> VideoStatus {
    VideoStatus::Pending
}

/// One item of `GET /v3/videos`, read for what a tracker can rely on. The spec does not publish
/// the item's shape, so only an id is required; a missing, null or non-string `status` is `None`
/// ("the list did not say"), never a guess such as `pending`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "RawVideoListItem")]
pub struct VideoListItem {
    pub id: String,
    pub status: Option<VideoStatus>,
    pub created_at: Option<i64>,
}

#[derive(Deserialize)]
struct RawVideoListItem {
    #[serde(default, deserialize_with = "lenient::opt_string")]
    id: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    video_id: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    status: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_i64")]
    created_at: Option<i64>,
}

impl TryFrom<RawVideoListItem> for VideoListItem {
    type Error = String;

    fn try_from(raw: RawVideoListItem) -> Result<Self, Self::Error> {
        let id = raw
            .id
            .filter(|id| !id.is_empty())
            .or(raw.video_id)
            .ok_or_else(|| "missing field `id`".to_owned())?;
        Ok(VideoListItem {
            id,
            status: raw
                .status
                .filter(|s| !s.is_empty())
                .map(|s| VideoStatus::from_wire(&s)),
            created_at: raw.created_at,
        })
    }
}

/// Filters for `GET /v3/videos`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct VideoQuery {
    pub title: Option<String>,
}

/// `data` of `DELETE /v3/videos/{id}` (id read from `id`, else `video_id`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "RawDeletedVideo")]
pub struct DeletedVideo {
    pub id: String,
    pub deleted: bool,
}

#[derive(Deserialize)]
struct RawDeletedVideo {
    #[serde(default, deserialize_with = "lenient::opt_string")]
    id: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    video_id: Option<String>,
    #[serde(default, deserialize_with = "lenient::flag")]
    deleted: bool,
}

impl TryFrom<RawDeletedVideo> for DeletedVideo {
    type Error = String;

    fn try_from(raw: RawDeletedVideo) -> Result<Self, Self::Error> {
        let id = raw
            .id
            .filter(|id| !id.is_empty())
            .or(raw.video_id)
            .ok_or_else(|| "missing field `id`".to_owned())?;
        Ok(DeletedVideo {
            id,
            deleted: raw.deleted,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(json: &str) -> super::super::Page<VideoListItem> {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn a_list_item_without_status_says_nothing() {
        let p = page(
            r#"{"data":[{"id":"v1"},{"video_id":"v2","status":null},{"id":"v3","status":{"code":1}},
                {"id":"v4","status":"completed","video_url":"x"},{"id":"v5","status":"rendering"},
                {"title":"no id"}],"has_more":true,"next_token":"t"}"#,
        );
        let got: Vec<_> = p
            .data
            .iter()
            .map(|i| (i.id.as_str(), i.status.clone()))
            .collect();
        assert_eq!(
            got,
            vec![
                ("v1", None),
                ("v2", None),
                ("v3", None),
                ("v4", Some(VideoStatus::Completed)),
                ("v5", Some(VideoStatus::Other("rendering".into()))),
            ]
        );
        assert_eq!(p.next(), Some("t"));
    }
}

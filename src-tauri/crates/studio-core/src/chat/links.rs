//! What the thread's parts say about each other: a resource as shown (its fields readable, a
//! storyboard read from a draft), which session video a video resource is, and the first line
//! of what the user asked.

use heygen_api::models::Resource;

use super::model::{ResourceView, SessionVideo};
use super::storyboard::{readable, Storyboard};
use crate::error::ErrorView;

impl ResourceView {
    /// A resource read from the server (or the cache), as shown. `video_job_id` is set by
    /// [`link_videos`] once the thread's videos are known.
    pub(crate) fn resolved(resource: Resource) -> ResourceView {
        let storyboard = resource
            .is_draft()
            .then(|| resource.metadata.as_ref().map(Storyboard::from_metadata))
            .flatten();
        let fields = match (&resource.metadata, &storyboard) {
            (Some(serde_json::Value::Object(map)), None) => map
                .iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| (k.replace('_', " "), readable(v)))
                .collect(),
            (Some(other), None) => vec![("metadata".into(), readable(other))],
            _ => Vec::new(),
        };
        ResourceView {
            resource_id: resource.resource_id.clone(),
            resource_type: resource.resource_type.clone(),
            source_type: resource.source_type.clone(),
            url: resource.url.clone(),
            preview_url: resource.preview_url.clone(),
            thumbnail_url: resource.thumbnail_url.clone(),
            storyboard,
            fields,
            error: None,
            video_job_id: None,
            resource: Some(resource),
        }
    }

    /// A resource that could not be read, with the reason.
    pub(crate) fn failed(resource_id: String, error: ErrorView) -> ResourceView {
        ResourceView {
            resource_id,
            resource: None,
            resource_type: None,
            source_type: None,
            url: None,
            preview_url: None,
            thumbnail_url: None,
            storyboard: None,
            fields: Vec::new(),
            error: Some(error),
            video_job_id: None,
        }
    }

    fn is_video(&self) -> bool {
        self.resource_type
            .as_deref()
            .is_some_and(|t| t.eq_ignore_ascii_case("video"))
    }

    fn is_user_uploaded(&self) -> bool {
        self.source_type
            .as_ref()
            .is_some_and(|s| s.as_str() == "user_uploaded")
    }
}

/// The session video a video resource is. The API links them by nothing published (spec §2.4),
/// so: a `video_id` in the resource's metadata, else a URL with the video id as a path segment
/// or file stem, else order — the n-th generated video resource of the thread is the session's
/// n-th video (each render posts one). Returns a job id per resource (None for non-videos).
pub(crate) fn link_videos(
    resources: &[ResourceView],
    videos: &[SessionVideo],
) -> Vec<Option<String>> {
    let by_video_id = |id: &str| {
        videos
            .iter()
            .find(|v| v.video_id.as_deref() == Some(id))
            .map(|v| v.job_id.clone())
    };
    let mut linked: Vec<Option<String>> = resources
        .iter()
        .map(|r| {
            let res = r.resource.as_ref().filter(|_| r.is_video())?;
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
        if linked[i].is_none() && r.is_video() && !r.is_user_uploaded() && r.resource.is_some() {
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

/// The first non-blank line, cut to a list row's length.
pub(crate) fn first_line(text: &str) -> Option<String> {
    const MAX: usize = 160;
    let line = text.lines().map(str::trim).find(|l| !l.is_empty())?;
    Some(if line.chars().count() > MAX {
        format!("{}…", line.chars().take(MAX).collect::<String>())
    } else {
        line.to_string()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::jobs::JobState;

    fn resource(id: &str, kind: &str, source: &str, extra: serde_json::Value) -> ResourceView {
        let mut json = serde_json::json!({
            "resource_id": id, "resource_type": kind, "source_type": source,
        });
        json.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        ResourceView::resolved(serde_json::from_value(json).unwrap())
    }

    fn video(job: &str, video_id: &str, revision: u32) -> SessionVideo {
        SessionVideo {
            job_id: job.into(),
            video_id: Some(video_id.into()),
            revision,
            state: JobState::Downloaded,
            title: None,
            progress: None,
            video_path: None,
            thumbnail_path: None,
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

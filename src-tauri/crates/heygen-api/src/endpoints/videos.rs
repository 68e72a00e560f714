//! `/v3/videos` (spec §4).

use reqwest::Method;

use crate::client::Client;
use crate::endpoints::catalog::push;
use crate::error::ApiError;
use crate::models::{DeletedVideo, Page, PageRequest, Video, VideoListItem, VideoQuery};

impl Client {
    /// `GET /v3/videos/{video_id}` — status and freshly signed URLs.
    pub async fn get_video(&self, video_id: &str) -> Result<Video, ApiError> {
        let id = Client::id(video_id, "video_id")?;
        self.get_data(&["v3", "videos", id], &[]).await
    }

    /// `GET /v3/videos`.
    pub async fn list_videos(
        &self,
        query: &VideoQuery,
        page: &PageRequest,
    ) -> Result<Page<Video>, ApiError> {
        let mut pairs = page.query_pairs();
        push(&mut pairs, "title", query.title.as_deref());
        self.get_page(&["v3", "videos"], &pairs).await
    }

    /// `GET /v3/videos` read as [`VideoListItem`]s: id and, when the server gives one, status.
    /// For trackers that must not mistake an item without a status for a pending video.
    pub async fn list_video_items(
        &self,
        page: &PageRequest,
    ) -> Result<Page<VideoListItem>, ApiError> {
        self.get_page(&["v3", "videos"], &page.query_pairs()).await
    }

    /// `DELETE /v3/videos/{video_id}`.
    pub async fn delete_video(&self, video_id: &str) -> Result<DeletedVideo, ApiError> {
        let id = Client::id(video_id, "video_id")?;
        self.send_data::<(), _>(Method::DELETE, &["v3", "videos", id], None, None)
            .await
    }
}

//! Streams over every page of a list endpoint.

use std::collections::HashSet;
use std::future::Future;

use futures::stream::{self, Stream, TryStreamExt};

use crate::client::Client;
use crate::error::ApiError;
use crate::models::{
    AvatarGroup, AvatarLook, AvatarQuery, BrandKit, LookQuery, Page, PageRequest, Session, Style,
    StyleQuery, Video, VideoQuery, Voice, VoiceQuery,
};

/// Every item of every page, fetching lazily: `fetch` is called with `first`, then with the
/// previous page's `next_token`, until a page has no next token. A token the server already gave
/// (a pagination loop) ends the stream with a `decode_error` rather than looping forever.
/// The first error ends the stream.
pub fn paginate<'a, T, F, Fut>(
    first: PageRequest,
    fetch: F,
) -> impl Stream<Item = Result<T, ApiError>> + 'a
where
    T: 'a,
    F: FnMut(PageRequest) -> Fut + 'a,
    Fut: Future<Output = Result<Page<T>, ApiError>> + 'a,
{
    struct State<F> {
        next: Option<PageRequest>,
        fetch: F,
        seen: HashSet<String>,
    }
    let state = State {
        next: Some(first),
        fetch,
        seen: HashSet::new(),
    };
    stream::try_unfold(state, |mut state| async move {
        let Some(request) = state.next.take() else {
            return Ok(None);
        };
        let page = (state.fetch)(request.clone()).await?;
        if let Some(token) = page.next() {
            if !state.seen.insert(token.to_owned()) {
                return Err(ApiError::Decode {
                    status: 200,
                    reason: "the server returned the same page token twice (pagination loop)"
                        .into(),
                    truncated: false,
                    request_id: None,
                });
            }
            state.next = Some(request.after(token));
        }
        Ok(Some((page.data, state)))
    })
    .map_ok(|items| stream::iter(items.into_iter().map(Ok)))
    .try_flatten()
}

impl Client {
    /// All styles (optionally one tag), page by page.
    pub fn stream_styles(
        &self,
        query: StyleQuery,
        page_size: Option<u32>,
    ) -> impl Stream<Item = Result<Style, ApiError>> + Send + '_ {
        paginate(
            PageRequest {
                limit: page_size,
                token: None,
            },
            move |page| {
                let query = query.clone();
                async move { self.list_styles(&query, &page).await }
            },
        )
    }

    /// All brand kits.
    pub fn stream_brand_kits(
        &self,
        page_size: Option<u32>,
    ) -> impl Stream<Item = Result<BrandKit, ApiError>> + Send + '_ {
        paginate(
            PageRequest {
                limit: page_size,
                token: None,
            },
            move |page| async move { self.list_brand_kits(&page).await },
        )
    }

    /// All avatar groups.
    pub fn stream_avatars(
        &self,
        query: AvatarQuery,
        page_size: Option<u32>,
    ) -> impl Stream<Item = Result<AvatarGroup, ApiError>> + Send + '_ {
        paginate(
            PageRequest {
                limit: page_size,
                token: None,
            },
            move |page| {
                let query = query.clone();
                async move { self.list_avatars(&query, &page).await }
            },
        )
    }

    /// All avatar looks.
    pub fn stream_avatar_looks(
        &self,
        query: LookQuery,
        page_size: Option<u32>,
    ) -> impl Stream<Item = Result<AvatarLook, ApiError>> + Send + '_ {
        paginate(
            PageRequest {
                limit: page_size,
                token: None,
            },
            move |page| {
                let query = query.clone();
                async move { self.list_avatar_looks(&query, &page).await }
            },
        )
    }

    /// All voices.
    pub fn stream_voices(
        &self,
        query: VoiceQuery,
        page_size: Option<u32>,
    ) -> impl Stream<Item = Result<Voice, ApiError>> + Send + '_ {
        paginate(
            PageRequest {
                limit: page_size,
                token: None,
            },
            move |page| {
                let query = query.clone();
                async move { self.list_voices(&query, &page).await }
            },
        )
    }

    /// All Video Agent sessions, newest first.
    pub fn stream_video_agent_sessions(
        &self,
        page_size: Option<u32>,
    ) -> impl Stream<Item = Result<Session, ApiError>> + Send + '_ {
        paginate(
            PageRequest {
                limit: page_size,
                token: None,
            },
            move |page| async move { self.list_video_agent_sessions(&page).await },
        )
    }

    /// All videos.
    pub fn stream_videos(
        &self,
        query: VideoQuery,
        page_size: Option<u32>,
    ) -> impl Stream<Item = Result<Video, ApiError>> + Send + '_ {
        paginate(
            PageRequest {
                limit: page_size,
                token: None,
            },
            move |page| {
                let query = query.clone();
                async move { self.list_videos(&query, &page).await }
            },
        )
    }
}

//! Streams over every page of a list endpoint.

use std::collections::HashSet;
use std::future::Future;

use futures::stream::{self, Stream, TryStreamExt};

use crate::client::Client;
use crate::error::ApiError;
use crate::models::{
    AvatarGroup, AvatarLook, AvatarQuery, BrandKit, LookQuery, Page, PageRequest, SessionListItem,
    Style, StyleQuery, Video, VideoQuery, Voice, VoiceQuery,
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

/// The first page of a stream: the caller's page size (or the server's default), no token.
fn first_page(page_size: Option<u32>) -> PageRequest {
    PageRequest {
        limit: page_size,
        token: None,
    }
}

impl Client {
    /// All styles (optionally one tag), page by page.
    pub fn stream_styles(
        &self,
        query: StyleQuery,
        page_size: Option<u32>,
    ) -> impl Stream<Item = Result<Style, ApiError>> + Send + '_ {
        paginate(first_page(page_size), move |page| {
            let query = query.clone();
            async move { self.list_styles(&query, &page).await }
        })
    }

    /// All brand kits.
    pub fn stream_brand_kits(
        &self,
        page_size: Option<u32>,
    ) -> impl Stream<Item = Result<BrandKit, ApiError>> + Send + '_ {
        paginate(first_page(page_size), move |page| async move {
            self.list_brand_kits(&page).await
        })
    }

    /// All avatar groups.
    pub fn stream_avatars(
        &self,
        query: AvatarQuery,
        page_size: Option<u32>,
    ) -> impl Stream<Item = Result<AvatarGroup, ApiError>> + Send + '_ {
        paginate(first_page(page_size), move |page| {
            let query = query.clone();
            async move { self.list_avatars(&query, &page).await }
        })
    }

    /// All avatar looks.
    pub fn stream_avatar_looks(
        &self,
        query: LookQuery,
        page_size: Option<u32>,
    ) -> impl Stream<Item = Result<AvatarLook, ApiError>> + Send + '_ {
        paginate(first_page(page_size), move |page| {
            let query = query.clone();
            async move { self.list_avatar_looks(&query, &page).await }
        })
    }

    /// All voices.
    pub fn stream_voices(
        &self,
        query: VoiceQuery,
        page_size: Option<u32>,
    ) -> impl Stream<Item = Result<Voice, ApiError>> + Send + '_ {
        paginate(first_page(page_size), move |page| {
            let query = query.clone();
            async move { self.list_voices(&query, &page).await }
        })
    }

    /// All Video Agent sessions, newest first.
    pub fn stream_video_agent_sessions(
        &self,
        page_size: Option<u32>,
    ) -> impl Stream<Item = Result<SessionListItem, ApiError>> + Send + '_ {
        paginate(first_page(page_size), move |page| async move {
            self.list_video_agent_sessions(&page).await
        })
    }

    /// All videos.
    pub fn stream_videos(
        &self,
        query: VideoQuery,
        page_size: Option<u32>,
    ) -> impl Stream<Item = Result<Video, ApiError>> + Send + '_ {
        paginate(first_page(page_size), move |page| {
            let query = query.clone();
            async move { self.list_videos(&query, &page).await }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures::TryStreamExt;

    fn page(items: &[u32], next: Option<&str>) -> Page<u32> {
        Page {
            data: items.to_vec(),
            has_more: next.is_some(),
            next_token: next.map(str::to_owned),
        }
    }

    #[tokio::test]
    async fn follows_tokens_until_the_last_page() {
        let requests = std::cell::RefCell::new(Vec::new());
        let items: Vec<u32> = paginate(PageRequest::with_limit(2), |request| {
            requests.borrow_mut().push(request.clone());
            async move {
                Ok(match request.token.as_deref() {
                    None => page(&[1, 2], Some("t2")),
                    Some("t2") => page(&[3, 4], Some("t3")),
                    Some("t3") => page(&[5], None),
                    other => panic!("unexpected token {other:?}"),
                })
            }
        })
        .try_collect()
        .await
        .unwrap();
        assert_eq!(items, [1, 2, 3, 4, 5]);
        let requests = requests.into_inner();
        assert_eq!(requests.len(), 3);
        assert!(requests.iter().all(|r| r.limit == Some(2)));
    }

    #[tokio::test]
    async fn a_repeated_token_ends_with_an_error_instead_of_looping() {
        let result: Result<Vec<u32>, ApiError> = paginate(PageRequest::first(), |_| async {
            Ok(page(&[1], Some("same")))
        })
        .try_collect()
        .await;
        assert_eq!(result.unwrap_err().code(), "decode_error");
    }

    #[tokio::test]
    async fn an_error_ends_the_stream_after_the_items_so_far() {
        let mut stream = std::pin::pin!(paginate(PageRequest::first(), |request| async move {
            match request.token {
                None => Ok(page(&[7], Some("t2"))),
                Some(_) => Err(ApiError::Network {
                    message: "down".into(),
                }),
            }
        }));
        use futures::StreamExt;
        assert_eq!(stream.next().await.unwrap().unwrap(), 7);
        assert_eq!(
            stream.next().await.unwrap().unwrap_err().code(),
            "network_error"
        );
        assert!(stream.next().await.is_none());
    }
}

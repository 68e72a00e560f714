//! Catalogues for the pickers (styles by tag, avatars and looks, voices, brand kits): each page
//! is fetched from the server and cached in the store; when the server cannot be reached, the
//! cached first page is served instead. Thumbnails are cached on disk.

use std::future::Future;
use std::path::PathBuf;

use heygen_api::models::{
    AvatarGroup, AvatarLook, AvatarQuery, BrandKit, LookQuery, Page, PageRequest, Style,
    StyleQuery, Voice, VoiceQuery,
};
use heygen_api::{ApiError, Client};
use serde::{de::DeserializeOwned, Serialize};

use crate::error::{CoreError, ErrorCode, Result};
use crate::media_urls::{cache_file_name, is_media_type, MAX_MEDIA_BYTES};
use crate::studio::{CataloguePage, Studio};

impl Studio {
    async fn cached_page<T, F, Fut>(
        &self,
        kind: &str,
        filter: &str,
        token: Option<String>,
        id_of: fn(&T) -> String,
        fetch: F,
    ) -> Result<CataloguePage<T>>
    where
        T: Serialize + DeserializeOwned,
        F: FnOnce(std::sync::Arc<Client>, PageRequest) -> Fut,
        Fut: Future<Output = std::result::Result<Page<T>, ApiError>>,
    {
        let scope = format!("{}|{filter}", self.base_url());
        // The position of the page's first item: how many cached items came before the token.
        let first_position = match &token {
            None => 0,
            Some(_) => self.store().catalogue(kind, &scope)?.len(),
        };
        let conn = match self.engine().connected().await {
            Ok(c) => c,
            Err(e) => {
                // No key (or no keyring): still show what was cached.
                let cached = self.store().catalogue(kind, &scope)?;
                if token.is_some() || cached.is_empty() {
                    return Err(e);
                }
                cached
                    .iter()
                    .for_each(|c| self.media_urls().record_json(&c.item));
                return Ok(CataloguePage {
                    items: cached
                        .into_iter()
                        .filter_map(|c| serde_json::from_value(c.item).ok())
                        .collect(),
                    next_token: None,
                    from_cache: true,
                });
            }
        };
        let request = PageRequest {
            limit: None,
            token: token.clone(),
        };
        match fetch(conn.client.clone(), request).await {
            Ok(page) => {
                let items: Vec<(String, serde_json::Value)> = page
                    .data
                    .iter()
                    .map(|item| {
                        (
                            id_of(item),
                            serde_json::to_value(item).unwrap_or(serde_json::Value::Null),
                        )
                    })
                    .collect();
                items
                    .iter()
                    .for_each(|(_, v)| self.media_urls().record_json(v));
                self.store().put_catalogue(
                    kind,
                    &scope,
                    first_position,
                    token.is_none(),
                    &items,
                )?;
                Ok(CataloguePage {
                    next_token: page.next().map(str::to_string),
                    items: page.data,
                    from_cache: false,
                })
            }
            Err(e) if token.is_none() && (e.is_retryable() || e.code() == "network_error") => {
                let cached = self.store().catalogue(kind, &scope)?;
                if cached.is_empty() {
                    return Err(e.into());
                }
                cached
                    .iter()
                    .for_each(|c| self.media_urls().record_json(&c.item));
                tracing::warn!(kind, error = %e, "catalogue unreachable; serving the cache");
                Ok(CataloguePage {
                    items: cached
                        .into_iter()
                        .filter_map(|c| serde_json::from_value(c.item).ok())
                        .collect(),
                    next_token: None,
                    from_cache: true,
                })
            }
            Err(e) => Err(e.into()),
        }
    }

    /// Styles, optionally by tag (`cinematic`, `retro-tech`, ...). Pass the previous page's
    /// `next_token` for more.
    pub async fn styles(
        &self,
        tag: Option<String>,
        token: Option<String>,
    ) -> Result<CataloguePage<Style>> {
        let filter = format!("tag={}", tag.as_deref().unwrap_or(""));
        self.cached_page(
            "styles",
            &filter,
            token,
            |s: &Style| s.style_id.clone(),
            |c, p| async move { c.list_styles(&StyleQuery { tag }, &p).await },
        )
        .await
    }

    pub async fn avatars(&self, token: Option<String>) -> Result<CataloguePage<AvatarGroup>> {
        self.cached_page(
            "avatars",
            "",
            token,
            |a: &AvatarGroup| a.id.clone(),
            |c, p| async move { c.list_avatars(&AvatarQuery::default(), &p).await },
        )
        .await
    }

    /// Looks (what `avatar_id` takes), optionally of one avatar group.
    pub async fn avatar_looks(
        &self,
        group_id: Option<String>,
        token: Option<String>,
    ) -> Result<CataloguePage<AvatarLook>> {
        let filter = format!("group={}", group_id.as_deref().unwrap_or(""));
        self.cached_page(
            "looks",
            &filter,
            token,
            |l: &AvatarLook| l.id.clone(),
            |c, p| async move {
                c.list_avatar_looks(
                    &LookQuery {
                        group_id,
                        ..Default::default()
                    },
                    &p,
                )
                .await
            },
        )
        .await
    }

    pub async fn voices(&self, token: Option<String>) -> Result<CataloguePage<Voice>> {
        self.cached_page(
            "voices",
            "",
            token,
            |v: &Voice| v.voice_id.clone(),
            |c, p| async move { c.list_voices(&VoiceQuery::default(), &p).await },
        )
        .await
    }

    pub async fn brand_kits(&self, token: Option<String>) -> Result<CataloguePage<BrandKit>> {
        self.cached_page(
            "brand_kits",
            "",
            token,
            |b: &BrandKit| b.brand_kit_id.clone(),
            |c, p| async move { c.list_brand_kits(&p).await },
        )
        .await
    }

    /// A catalogue image, preview video or voice sample cached on disk; returns its path.
    /// Only URLs the engine itself received from the API (`media_urls`) are fetched, at most
    /// [`MAX_MEDIA_BYTES`], and only image/video/audio answers are kept. The file name hashes
    /// the whole URL (query included), never the server's path.
    pub async fn cached_thumbnail(&self, url: &str) -> Result<PathBuf> {
        if !self.media_urls().contains(url) {
            return Err(CoreError::invalid(
                ErrorCode::UnknownMedia,
                Some("url"),
                "This media did not come from the server's catalogue or a video.",
            ));
        }
        let dir = self.data_dir().join("thumbnails");
        tokio::fs::create_dir_all(&dir)
            .await
            .map_err(|e| CoreError::io(&dir, e))?;
        let path = dir.join(cache_file_name(url));
        if tokio::fs::metadata(&path).await.is_ok() {
            return Ok(path);
        }
        let conn = self.engine().connected().await?;
        let mut stream = conn.client.download(url, 0).await?;
        let refuse = |why: String| CoreError::invalid(ErrorCode::MediaRefused, Some("url"), why);
        if !is_media_type(stream.content_type.as_deref()) {
            return Err(refuse(
                "The server did not answer with an image, video or audio.".into(),
            ));
        }
        if stream.total_size.is_some_and(|n| n > MAX_MEDIA_BYTES) {
            return Err(refuse(format!(
                "The media is larger than {} MB.",
                MAX_MEDIA_BYTES / 1_000_000
            )));
        }
        let mut bytes = Vec::new();
        while let Some(chunk) = stream.next_chunk().await {
            bytes.extend_from_slice(&chunk?);
            if bytes.len() as u64 > MAX_MEDIA_BYTES {
                return Err(refuse(format!(
                    "The media is larger than {} MB.",
                    MAX_MEDIA_BYTES / 1_000_000
                )));
            }
        }
        let tmp = path.with_extension("part");
        tokio::fs::write(&tmp, &bytes)
            .await
            .map_err(|e| CoreError::io(&tmp, e))?;
        tokio::fs::rename(&tmp, &path)
            .await
            .map_err(|e| CoreError::io(&path, e))?;
        Ok(path)
    }
}

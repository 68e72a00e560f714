//! Styles, brand kits, avatars, looks and voices (spec §2.5, §2.6, §5).

use crate::client::Client;
use crate::error::ApiError;
use crate::models::{
    AvatarGroup, AvatarLook, AvatarQuery, BrandKit, LookQuery, Page, PageRequest, Style,
    StyleQuery, Voice, VoiceQuery,
};

impl Client {
    /// `GET /v3/video-agents/styles`.
    pub async fn list_styles(
        &self,
        query: &StyleQuery,
        page: &PageRequest,
    ) -> Result<Page<Style>, ApiError> {
        let mut pairs = page.query_pairs();
        push(&mut pairs, "tag", query.tag.as_deref());
        self.get_page(&["v3", "video-agents", "styles"], &pairs)
            .await
    }

    /// `GET /v3/brand-kits`.
    pub async fn list_brand_kits(&self, page: &PageRequest) -> Result<Page<BrandKit>, ApiError> {
        self.get_page(&["v3", "brand-kits"], &page.query_pairs())
            .await
    }

    /// `GET /v3/avatars` — avatar groups (page size ≤ 50).
    pub async fn list_avatars(
        &self,
        query: &AvatarQuery,
        page: &PageRequest,
    ) -> Result<Page<AvatarGroup>, ApiError> {
        let mut pairs = page.query_pairs();
        push(
            &mut pairs,
            "ownership",
            query.ownership.as_ref().map(|o| o.as_str()),
        );
        self.get_page(&["v3", "avatars"], &pairs).await
    }

    /// `GET /v3/avatars/looks` — looks; a look's `id` is what `avatar_id` takes (page size ≤ 50).
    pub async fn list_avatar_looks(
        &self,
        query: &LookQuery,
        page: &PageRequest,
    ) -> Result<Page<AvatarLook>, ApiError> {
        let mut pairs = page.query_pairs();
        push(&mut pairs, "group_id", query.group_id.as_deref());
        push(
            &mut pairs,
            "avatar_type",
            query.avatar_type.as_ref().map(|t| t.as_str()),
        );
        push(
            &mut pairs,
            "ownership",
            query.ownership.as_ref().map(|o| o.as_str()),
        );
        self.get_page(&["v3", "avatars", "looks"], &pairs).await
    }

    /// `GET /v3/voices`.
    pub async fn list_voices(
        &self,
        query: &VoiceQuery,
        page: &PageRequest,
    ) -> Result<Page<Voice>, ApiError> {
        let mut pairs = page.query_pairs();
        push(
            &mut pairs,
            "type",
            query.voice_type.as_ref().map(|t| t.as_str()),
        );
        push(&mut pairs, "engine", query.engine.as_deref());
        push(&mut pairs, "language", query.language.as_deref());
        push(&mut pairs, "gender", query.gender.as_deref());
        self.get_page(&["v3", "voices"], &pairs).await
    }
}

pub(crate) fn push(
    pairs: &mut Vec<(&'static str, String)>,
    name: &'static str,
    value: Option<&str>,
) {
    if let Some(value) = value.map(str::trim).filter(|v| !v.is_empty()) {
        pairs.push((name, value.to_owned()));
    }
}

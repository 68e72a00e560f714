//! Catalogue commands for the Styles gallery and Create's pickers, and the on-disk media cache.

use tauri::State;

use crate::engine::Engine;
use crate::error::CommandError;
use crate::views::CataloguePageView;

/// One page of styles, optionally of one tag; pass the previous page's `next_token` for more.
#[tauri::command]
#[specta::specta]
pub async fn list_styles(
    engine: State<'_, Engine>,
    tag: Option<String>,
    token: Option<String>,
) -> Result<CataloguePageView, CommandError> {
    Ok(engine.studio()?.styles(tag, token).await?.into())
}

/// One page of avatar looks (what `avatar_id` takes).
#[tauri::command]
#[specta::specta]
pub async fn list_avatar_looks(
    engine: State<'_, Engine>,
    token: Option<String>,
) -> Result<CataloguePageView, CommandError> {
    Ok(engine.studio()?.avatar_looks(None, token).await?.into())
}

#[tauri::command]
#[specta::specta]
pub async fn list_voices(
    engine: State<'_, Engine>,
    token: Option<String>,
) -> Result<CataloguePageView, CommandError> {
    Ok(engine.studio()?.voices(token).await?.into())
}

#[tauri::command]
#[specta::specta]
pub async fn list_brand_kits(
    engine: State<'_, Engine>,
    token: Option<String>,
) -> Result<CataloguePageView, CommandError> {
    Ok(engine.studio()?.brand_kits(token).await?.into())
}

/// A catalogue image, preview video or voice sample, fetched once into the thumbnail cache;
/// returns the local path, which the UI shows through the asset protocol (scoped to that cache).
/// A second call for the same URL makes no request.
#[tauri::command]
#[specta::specta]
pub async fn cached_media(engine: State<'_, Engine>, url: String) -> Result<String, CommandError> {
    let path = engine.studio()?.cached_thumbnail(&url).await?;
    Ok(path.display().to_string())
}

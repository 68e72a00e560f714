//! Catalogue commands for the Styles gallery and Create's pickers, and the on-disk media cache.

use tauri::State;

use crate::error::CommandError;
use crate::studio_handle::StudioHandle;
use crate::views::CataloguePageView;

/// One page of styles, optionally of one tag; pass the previous page's `next_token` for more.
#[tauri::command]
#[specta::specta]
pub async fn list_styles(
    handle: State<'_, StudioHandle>,
    tag: Option<String>,
    token: Option<String>,
) -> Result<CataloguePageView, CommandError> {
    Ok(handle.studio()?.styles(tag, token).await?.into())
}

/// One page of avatar looks (what `avatar_id` takes).
#[tauri::command]
#[specta::specta]
pub async fn list_avatar_looks(
    handle: State<'_, StudioHandle>,
    token: Option<String>,
) -> Result<CataloguePageView, CommandError> {
    Ok(handle.studio()?.avatar_looks(None, token).await?.into())
}

#[tauri::command]
#[specta::specta]
pub async fn list_voices(
    handle: State<'_, StudioHandle>,
    token: Option<String>,
) -> Result<CataloguePageView, CommandError> {
    Ok(handle.studio()?.voices(token).await?.into())
}

#[tauri::command]
#[specta::specta]
pub async fn list_brand_kits(
    handle: State<'_, StudioHandle>,
    token: Option<String>,
) -> Result<CataloguePageView, CommandError> {
    Ok(handle.studio()?.brand_kits(token).await?.into())
}

/// A catalogue image, preview video or voice sample, fetched once into the thumbnail cache;
/// returns the local path, which the UI shows through the asset protocol (scoped to that cache).
/// A second call for the same URL makes no request.
#[tauri::command]
#[specta::specta]
pub async fn cached_media(
    handle: State<'_, StudioHandle>,
    url: String,
) -> Result<String, CommandError> {
    let path = handle.studio()?.cached_thumbnail(&url).await?;
    Ok(path.display().to_string())
}

//! The shapes the UI sees where they truly differ from studio-core's own types (which the
//! bindings export directly where they fit, e.g. the chat types). Each says why it is separate.

use std::path::Path;

use serde::{Deserialize, Serialize};
use studio_core::heygen_api::models::{AvatarLook, BrandKit, Style, Voice, VoiceType};
use studio_core::{Job, JobRequest, JobState, Mode, Orientation, Settings, Theme};

fn path_string(path: &Option<std::path::PathBuf>) -> Option<String> {
    path.as_deref().map(|p: &Path| p.display().to_string())
}

/// What the user composes on Create; also what the draft store keeps across restarts.
/// Separate from `JobRequest`: that one is stored as snake_case JSON in the jobs table and
/// carries `output_dir`, which the UI does not set.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase", default)]
pub struct JobInput {
    pub prompt: String,
    pub mode: Mode,
    /// None: the agent chooses.
    pub orientation: Option<Orientation>,
    pub style_id: Option<String>,
    pub avatar_id: Option<String>,
    pub voice_id: Option<String>,
    pub brand_kit_id: Option<String>,
    /// Absolute paths of attached files.
    pub files: Vec<String>,
    /// Ask the agent not to use or record memory for this session (sent as `incognito_mode`).
    pub incognito: bool,
}

impl JobInput {
    pub fn to_request(&self) -> JobRequest {
        JobRequest {
            prompt: self.prompt.clone(),
            mode: self.mode,
            orientation: self.orientation,
            style_id: self.style_id.clone(),
            avatar_id: self.avatar_id.clone(),
            voice_id: self.voice_id.clone(),
            brand_kit_id: self.brand_kit_id.clone(),
            files: self.files.iter().map(Into::into).collect(),
            output_dir: None,
            incognito: self.incognito,
        }
    }

    fn from_request(request: &JobRequest) -> Self {
        Self {
            prompt: request.prompt.clone(),
            mode: request.mode,
            orientation: request.orientation,
            style_id: request.style_id.clone(),
            avatar_id: request.avatar_id.clone(),
            voice_id: request.voice_id.clone(),
            brand_kit_id: request.brand_kit_id.clone(),
            files: request
                .files
                .iter()
                .map(|p| p.display().to_string())
                .collect(),
            incognito: request.incognito,
        }
    }
}

/// One job as the Library shows it.
/// Separate from `Job`: it joins the job with its request and outputs (both stored as
/// snake_case JSON), derives `active`, and leaves out the idempotency key and the server's ids.
#[derive(Debug, Clone, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct JobView {
    pub id: String,
    pub state: JobState,
    /// Work is under way (past draft, not finished): the Library's "active" filter and clock.
    pub active: bool,
    pub title: Option<String>,
    /// What was asked, so "Re-use prompt" can fill Create again.
    pub input: JobInput,
    pub progress: Option<u8>,
    pub failure_code: Option<String>,
    pub failure_message: Option<String>,
    /// HeyGen's share page, when known.
    pub share_url: Option<String>,
    pub video_path: Option<String>,
    pub thumbnail_path: Option<String>,
    pub subtitles_path: Option<String>,
    /// The video with its captions burnt in, when it was downloaded.
    pub captioned_video_path: Option<String>,
    /// How long the video is (the API's `duration`), once its files were fetched.
    pub video_duration_secs: Option<f64>,
    pub retry_of: Option<String>,
    /// The Video Agent session; a chat session's videos (each revision) share it.
    pub session_id: Option<String>,
    /// Unix seconds (as numbers: TypeScript has no 64-bit integers).
    pub created_at: f64,
    pub updated_at: f64,
    pub submitted_at: Option<f64>,
}

impl From<&Job> for JobView {
    fn from(job: &Job) -> Self {
        Self {
            id: job.id.clone(),
            state: job.state,
            active: job.state.is_live(),
            title: job.title.clone(),
            input: JobInput::from_request(&job.request),
            progress: job.progress,
            failure_code: job.failure_code.clone(),
            failure_message: job.failure_message.clone(),
            share_url: job.video_page_url.clone(),
            video_path: path_string(&job.outputs.video),
            thumbnail_path: path_string(&job.outputs.thumbnail),
            subtitles_path: path_string(&job.outputs.subtitles),
            captioned_video_path: path_string(&job.outputs.captioned_video),
            video_duration_secs: job.outputs.video_duration_ms.map(|ms| ms as f64 / 1000.0),
            retry_of: job.retry_of.clone(),
            session_id: job.session_id.clone(),
            created_at: job.created_at as f64,
            updated_at: job.updated_at as f64,
            submitted_at: job.submitted_at.map(|t| t as f64),
        }
    }
}

/// A window onto the job list (newest first) for the virtualised Library (of `JobView`s).
#[derive(Debug, Clone, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct JobPage {
    pub jobs: Vec<JobView>,
    pub total: u32,
}

/// The user's settings as Settings edits them.
/// Separate from `Settings` (stored as snake_case JSON): it adds the folder in effect and only
/// its editable fields are applied back (`apply_to`).
#[derive(Debug, Clone, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct SettingsView {
    /// None = the default library folder. Read-only: ignored on save (`pick_folder` sets it).
    pub library_dir: Option<String>,
    /// The folder in effect (read-only; ignored on save).
    pub effective_library_dir: String,
    pub offline_mode: bool,
    pub proxy: Option<String>,
    pub notifications: bool,
    pub theme: Theme,
    /// The OAuth client id for "Sign in with HeyGen" (`HEYGEN_OAUTH_CLIENT_ID` overrides it).
    pub oauth_client_id: Option<String>,
}

impl From<&Settings> for SettingsView {
    fn from(settings: &Settings) -> Self {
        Self {
            library_dir: path_string(&settings.library_dir),
            effective_library_dir: settings.effective_library_dir().display().to_string(),
            offline_mode: settings.offline_mode,
            proxy: settings.proxy.clone(),
            notifications: settings.notifications,
            theme: settings.theme,
            oauth_client_id: settings.oauth_client_id.clone(),
        }
    }
}

impl SettingsView {
    /// Applies the editable fields onto `base` (fields the UI does not show stay as they are).
    /// The library folder is not one of them: only the folder picker (Rust) sets it, because
    /// the web view may read everything in it.
    pub fn apply_to(&self, mut base: Settings) -> Settings {
        base.offline_mode = self.offline_mode;
        base.proxy = self
            .proxy
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(Into::into);
        base.notifications = self.notifications;
        base.oauth_client_id = self
            .oauth_client_id
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(Into::into);
        base.theme = self.theme;
        base
    }
}

/// Where requests go and whether a key is stored (never the key itself).
/// A join of `KeyStatus`, `AuthStatus` and the offline agent's error.
#[derive(Debug, Clone, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct Connection {
    /// A credential is available: an API key (keyring or `HEYGEN_API_KEY`) or a HeyGen sign-in.
    pub has_key: bool,
    /// The credential requests use: `api_key`, `oauth`, or none.
    pub credential: Option<String>,
    /// A HeyGen sign-in is stored, and whose (shown as "Signed in as … via HeyGen").
    pub oauth_signed_in: bool,
    pub oauth_account: Option<String>,
    /// The API key's last four characters ("API key …1234"); never the key.
    pub api_key_last4: Option<String>,
    /// Why "Sign in with HeyGen" is unavailable (no client id), if it is.
    pub sign_in_unavailable: Option<String>,
    /// `keyring` or `environment` when there is a key.
    pub key_source: Option<String>,
    /// Requests go to the embedded local agent.
    pub offline: bool,
    pub base_url: String,
    /// Why offline mode could not start, if it failed.
    pub offline_error: Option<crate::error::CommandError>,
}

/// The account behind the key, for Settings.
/// Separate from `AccountSummary`: a few figures out of the whole `users/me` answer it carries.
#[derive(Debug, Clone, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct Account {
    pub name: String,
    pub username: String,
    pub email: Option<String>,
    pub billing_type: Option<String>,
    /// Remaining balance and its unit (`credits` or `usd`).
    pub balance: Option<f64>,
    pub balance_unit: Option<String>,
    pub offline: bool,
    /// Subscription: the plan's name and when its premium credits reset (Unix seconds).
    pub plan: Option<String>,
    pub credits_reset_at: Option<f64>,
    /// Usage-based: credits included, spent so far (USD) and the spending cap (USD).
    pub included_credits: Option<f64>,
    pub spending_current_usd: Option<f64>,
    pub spending_cap_usd: Option<f64>,
    /// Wallet: auto-reload as one line ("Adds $50 below $10"), or `None` when off/unknown.
    pub auto_reload: Option<String>,
}

/// Auto-reload of a wallet in words, when it is on.
fn auto_reload_text(user: &studio_core::heygen_api::models::User) -> Option<String> {
    let reload = user.wallet.as_ref()?.auto_reload.as_ref()?;
    if !reload.enabled {
        return None;
    }
    Some(match (reload.amount_usd, reload.threshold_usd) {
        (Some(a), Some(t)) => format!("Adds ${a:.2} when below ${t:.2}"),
        (Some(a), None) => format!("Adds ${a:.2} when low"),
        _ => "On".to_string(),
    })
}

impl From<studio_core::AccountSummary> for Account {
    fn from(summary: studio_core::AccountSummary) -> Self {
        let user = &summary.user;
        let subscription = user.subscription.as_ref();
        let usage = user.usage_based.as_ref();
        let plan = subscription.and_then(|s| s.plan.clone());
        let credits_reset_at = subscription
            .and_then(|s| s.credits.as_ref())
            .and_then(|c| c.premium_credits.as_ref())
            .and_then(|p| p.resets_at)
            .map(|t| t as f64);
        let auto_reload = auto_reload_text(user);
        let unit = summary.balance.as_ref().map(|b| {
            serde_json::to_value(b.unit)
                .ok()
                .and_then(|v| v.as_str().map(String::from))
                .unwrap_or_default()
        });
        Self {
            name: summary.name,
            username: summary.username,
            email: summary.email,
            billing_type: summary.billing_type,
            balance: summary.balance.map(|b| b.amount),
            balance_unit: unit,
            offline: summary.offline,
            plan,
            credits_reset_at,
            included_credits: usage.and_then(|u| u.included_credits),
            spending_current_usd: usage.and_then(|u| u.spending_current_usd),
            spending_cap_usd: usage.and_then(|u| u.spending_cap_usd),
            auto_reload,
        }
    }
}

/// A catalogue item reduced to what pickers and the gallery show: one shape for four API models. `image`/`preview` are the
/// server's URLs; the UI asks `cached_media` for a local file to display.
#[derive(Debug, Clone, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct CatalogueItem {
    pub id: String,
    pub name: String,
    pub image: Option<String>,
    /// Preview video (styles, looks) or audio (voices).
    pub preview: Option<String>,
    pub tags: Vec<String>,
    /// Styles: `16:9`, `9:16`, `1:1`.
    pub aspect_ratio: Option<String>,
    /// Voices: language and gender; looks: gender; brand kits: colours.
    pub detail: Option<String>,
    /// Voices and looks: for the pickers' filters.
    pub language: Option<String>,
    pub gender: Option<String>,
    /// The account's own (a cloned voice, a private look) rather than the public catalogue.
    pub private: bool,
    /// Why it cannot be chosen yet (a look still training or waiting for consent), if so.
    pub unavailable: Option<String>,
}

impl From<Style> for CatalogueItem {
    fn from(style: Style) -> Self {
        Self {
            id: style.style_id,
            name: style.name,
            image: style.thumbnail_url,
            preview: style.preview_video_url,
            tags: style.tags,
            aspect_ratio: style.aspect_ratio.map(|a| a.as_str().to_string()),
            detail: None,
            language: None,
            gender: None,
            private: false,
            unavailable: None,
        }
    }
}

impl From<AvatarLook> for CatalogueItem {
    fn from(look: AvatarLook) -> Self {
        let unavailable = look.unavailable_reason();
        Self {
            id: look.id,
            name: look.name,
            image: look.preview_image_url,
            preview: look.preview_video_url,
            tags: look.tags,
            aspect_ratio: None,
            detail: look.gender.clone(),
            language: None,
            gender: look.gender,
            // A look does not say whose it is; the ownership filter would.
            private: false,
            unavailable,
        }
    }
}

impl From<Voice> for CatalogueItem {
    fn from(voice: Voice) -> Self {
        let detail = [voice.language.clone(), voice.gender.clone()]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" · ");
        Self {
            id: voice.voice_id,
            name: voice.name,
            image: None,
            preview: voice.preview_audio_url,
            tags: Vec::new(),
            aspect_ratio: None,
            detail: (!detail.is_empty()).then_some(detail),
            language: voice.language,
            gender: voice.gender,
            private: matches!(voice.voice_type, Some(VoiceType::Private)),
            unavailable: None,
        }
    }
}

impl From<BrandKit> for CatalogueItem {
    fn from(kit: BrandKit) -> Self {
        Self {
            id: kit.brand_kit_id,
            name: kit.name,
            image: kit.logo_url,
            preview: None,
            tags: Vec::new(),
            aspect_ratio: None,
            detail: (!kit.colors.is_empty()).then(|| kit.colors.join(" ")),
            language: None,
            gender: None,
            private: false,
            unavailable: None,
        }
    }
}

/// One page of a catalogue; pass `next_token` back for the next.
/// `CataloguePage` of `CatalogueItem`s: the items are the joined shape above.
#[derive(Debug, Clone, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct CataloguePageView {
    pub items: Vec<CatalogueItem>,
    pub next_token: Option<String>,
    /// The server could not be reached; these come from the on-disk cache.
    pub from_cache: bool,
}

impl<T: Into<CatalogueItem>> From<studio_core::CataloguePage<T>> for CataloguePageView {
    fn from(page: studio_core::CataloguePage<T>) -> Self {
        Self {
            items: page.items.into_iter().map(Into::into).collect(),
            next_token: page.next_token,
            from_cache: page.from_cache,
        }
    }
}

/// A file the user picked or dropped, checked before it becomes a chip (the shell's own check:
/// no studio-core twin).
#[derive(Debug, Clone, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct FileInfo {
    pub path: String,
    pub name: String,
    pub size: f64,
    /// `image/png`, … when the bytes are a supported type.
    pub mime: Option<String>,
    /// Why it cannot be attached (unsupported type, unreadable, empty), if so.
    pub problem: Option<String>,
}

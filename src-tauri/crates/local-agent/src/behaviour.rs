//! How closely the agent imitates HeyGen where HeyGen is inconvenient. The defaults are HeyGen's
//! own behaviour (or, where undocumented, the less convenient reading); the older, convenient
//! behaviour is kept as options for tests that need it. Settable at start (`Config`, CLI flags)
//! and at run time (`GET/POST /__admin/behaviour`).

use serde::{Deserialize, Serialize};

/// What `POST /v3/video-agents` answers for a one-shot (`generate`) session.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CreateAnswer {
    /// HeyGen's example answer: `status: "generating"` with a `video_id`. The video exists at
    /// once and answers `pending` until rendering starts.
    #[default]
    Generating,
    /// The older answer: `status: "thinking"`, `video_id: null` (poll the session for it).
    ThinkingNoVideo,
}

/// Which billing block `GET /v3/users/me` fills.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BillingType {
    #[default]
    Wallet,
    Subscription,
    UsageBased,
}

impl BillingType {
    pub fn as_str(self) -> &'static str {
        match self {
            BillingType::Wallet => "wallet",
            BillingType::Subscription => "subscription",
            BillingType::UsageBased => "usage_based",
        }
    }
}

impl std::str::FromStr for BillingType {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "wallet" => Ok(BillingType::Wallet),
            "subscription" => Ok(BillingType::Subscription),
            "usage_based" | "usage-based" => Ok(BillingType::UsageBased),
            other => Err(format!(
                "billing type must be wallet, subscription or usage_based (got {other:?})"
            )),
        }
    }
}

/// The HeyGen-fidelity switches. `Default` is HeyGen mode.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Behaviour {
    /// Replay `Idempotency-Key` on session creates too. HeyGen does not document it there, so
    /// by default a repeated create makes a second session.
    pub honour_create_idempotency: bool,
    pub create_answer: CreateAnswer,
    /// Simulated seconds (divided by the time scale) a completed direct upload stays
    /// `processing`; a create naming it meanwhile gets 400 `asset_not_available`. 0 = usable at once.
    pub asset_processing_secs: f64,
    /// List items of `GET /v3/video-agents` carry status, progress, video id and mode too
    /// (HeyGen's carry only `session_id`, `created_at`, `title`).
    pub full_list_items: bool,
    pub billing_type: BillingType,
    /// Hostile session/video ids and titles (see `hostile.rs`); off by default.
    pub hostile_names: bool,
    /// Items of `GET /v3/videos` carry only `id`, `title`, `created_at` (the spec does not
    /// publish the item; by default they are full Video objects, as a session's videos are).
    /// Run-time only (`/__admin/behaviour`), for tests of a client that must survive it.
    pub video_list_bare: bool,
    /// `GET /v3/videos` reaches only the newest this-many videos (0 = all), as a listing that
    /// does not go back forever would. Run-time only, like `video_list_bare`.
    pub video_list_reach: usize,
}

impl Default for Behaviour {
    fn default() -> Self {
        Behaviour {
            honour_create_idempotency: false,
            create_answer: CreateAnswer::Generating,
            asset_processing_secs: 120.0,
            full_list_items: false,
            billing_type: BillingType::Wallet,
            hostile_names: false,
            video_list_bare: false,
            video_list_reach: 0,
        }
    }
}

impl Behaviour {
    /// The older, convenient behaviour in every respect (billing shape unchanged).
    pub fn convenient() -> Self {
        Behaviour {
            honour_create_idempotency: true,
            create_answer: CreateAnswer::ThinkingNoVideo,
            asset_processing_secs: 0.0,
            full_list_items: true,
            billing_type: BillingType::Wallet,
            hostile_names: false,
            video_list_bare: false,
            video_list_reach: 0,
        }
    }

    /// Applies the fields present in `patch` (a partial JSON object, as `POST /__admin/behaviour`).
    pub fn patched(&self, patch: &serde_json::Value) -> Result<Behaviour, String> {
        let serde_json::Value::Object(p) = patch else {
            return Err("expected a JSON object".into());
        };
        let mut merged = serde_json::to_value(self).map_err(|e| e.to_string())?;
        for (k, v) in p {
            if merged.get(k).is_none() {
                return Err(format!("unknown behaviour option {k:?}"));
            }
            merged[k] = v.clone();
        }
        let b: Behaviour = serde_json::from_value(merged).map_err(|e| e.to_string())?;
        if !b.asset_processing_secs.is_finite() || b.asset_processing_secs < 0.0 {
            return Err("asset_processing_secs must be a number >= 0".into());
        }
        Ok(b)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn patches_only_named_fields_and_rejects_unknown_ones() {
        let b = Behaviour::default()
            .patched(&json!({"create_answer": "thinking_no_video", "asset_processing_secs": 0}))
            .unwrap();
        assert_eq!(b.create_answer, CreateAnswer::ThinkingNoVideo);
        assert_eq!(b.asset_processing_secs, 0.0);
        assert!(!b.honour_create_idempotency);
        assert!(Behaviour::default().patched(&json!({"nope": 1})).is_err());
        assert!(Behaviour::default()
            .patched(&json!({"asset_processing_secs": -1}))
            .is_err());
        assert!(Behaviour::default()
            .patched(&json!({"billing_type": "barter"}))
            .is_err());
    }
}

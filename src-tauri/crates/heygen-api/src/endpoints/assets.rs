//! `/v3/assets/statuses` (spec §3.3 step 4): whether uploaded assets may be used yet.

use crate::client::Client;
use crate::error::ApiError;
use crate::models::AssetStatuses;

/// Most ids one statuses request may carry.
pub const MAX_STATUS_IDS: usize = 100;

impl Client {
    /// `GET /v3/assets/statuses?asset_ids=a,b` — `queued | processing | completed | failed |
    /// not_found` per asset. A completed direct upload may still be `processing`; a create that
    /// names it is refused with `asset_not_available` until it is `completed`.
    pub async fn asset_statuses(&self, asset_ids: &[String]) -> Result<AssetStatuses, ApiError> {
        if asset_ids.is_empty() || asset_ids.len() > MAX_STATUS_IDS {
            return Err(ApiError::invalid_request(
                format!("ask for 1 to {MAX_STATUS_IDS} asset ids at a time"),
                Some("asset_ids"),
            ));
        }
        for id in asset_ids {
            Client::id(id, "asset_ids")?;
        }
        let ids = asset_ids.join(",");
        self.get_data(&["v3", "assets", "statuses"], &[("asset_ids", ids)])
            .await
    }
}

//! `GET /v3/users/me` (spec §6).

use crate::client::Client;
use crate::error::ApiError;
use crate::models::User;

impl Client {
    /// The account behind the credentials: the cheapest call to test a key.
    pub async fn get_current_user(&self) -> Result<User, ApiError> {
        self.get_data(&["v3", "users", "me"], &[]).await
    }
}

//! The account (`GET /v3/users/me`, §6) and the OAuth token response (§8).

use serde::{Deserialize, Serialize};

use super::lenient;
use super::open_enum::open_enum;
use crate::secret::Secret;

open_enum! {
    /// Which billing block of [`User`] is filled.
    pub enum BillingType {
        Wallet = "wallet",
        Subscription = "subscription",
        UsageBased = "usage_based",
    }
}

/// The account behind the credentials.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct User {
    #[serde(default, deserialize_with = "lenient::string")]
    pub username: String,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub email: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub first_name: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub last_name: Option<String>,
    #[serde(default)]
    pub billing_type: Option<BillingType>,
    #[serde(default)]
    pub wallet: Option<Wallet>,
    #[serde(default)]
    pub subscription: Option<Subscription>,
    #[serde(default)]
    pub usage_based: Option<UsageBased>,
}

impl User {
    /// "First Last" when known, else the username.
    pub fn display_name(&self) -> String {
        let full = [self.first_name.as_deref(), self.last_name.as_deref()]
            .into_iter()
            .flatten()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
            .join(" ");
        if full.is_empty() {
            self.username.clone()
        } else {
            full
        }
    }

    /// What the account has left to spend, read from whichever billing block applies.
    pub fn balance(&self) -> Option<Balance> {
        let by_type = match self.billing_type {
            Some(BillingType::Wallet) => self.wallet_balance(),
            Some(BillingType::Subscription) => self.subscription_balance(),
            Some(BillingType::UsageBased) => self.usage_balance(),
            _ => None,
        };
        by_type
            .or_else(|| self.wallet_balance())
            .or_else(|| self.subscription_balance())
            .or_else(|| self.usage_balance())
    }

    fn wallet_balance(&self) -> Option<Balance> {
        let wallet = self.wallet.as_ref()?;
        let amount = wallet.remaining_balance?;
        let unit = match wallet.currency.as_deref() {
            Some(c) if c.eq_ignore_ascii_case("usd") => BalanceUnit::Usd,
            _ => BalanceUnit::Credits,
        };
        Some(Balance { amount, unit })
    }

    fn subscription_balance(&self) -> Option<Balance> {
        let credits = self.subscription.as_ref()?.credits.as_ref()?;
        let premium = credits.premium_credits.as_ref().and_then(|c| c.remaining);
        let add_on = credits.add_on_credits.as_ref().and_then(|c| c.remaining);
        if premium.is_none() && add_on.is_none() {
            return None;
        }
        Some(Balance {
            amount: premium.unwrap_or(0.0) + add_on.unwrap_or(0.0),
            unit: BalanceUnit::Credits,
        })
    }

    fn usage_balance(&self) -> Option<Balance> {
        let amount = self.usage_based.as_ref()?.remaining_credits?;
        Some(Balance {
            amount,
            unit: BalanceUnit::Credits,
        })
    }
}

/// An amount left to spend.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Balance {
    pub amount: f64,
    pub unit: BalanceUnit,
}

/// Unit of a [`Balance`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum BalanceUnit {
    Credits,
    Usd,
}

/// Pay-as-you-go wallet.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Wallet {
    /// `usd` or `credits`.
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub currency: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_f64")]
    pub remaining_balance: Option<f64>,
    #[serde(default)]
    pub auto_reload: Option<AutoReload>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AutoReload {
    #[serde(default, deserialize_with = "lenient::flag")]
    pub enabled: bool,
    #[serde(default, deserialize_with = "lenient::opt_f64")]
    pub amount_usd: Option<f64>,
    #[serde(default, deserialize_with = "lenient::opt_f64")]
    pub threshold_usd: Option<f64>,
}

/// Subscription plan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Subscription {
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub plan: Option<String>,
    #[serde(default)]
    pub credits: Option<SubscriptionCredits>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SubscriptionCredits {
    #[serde(default)]
    pub premium_credits: Option<CreditBucket>,
    #[serde(default)]
    pub add_on_credits: Option<CreditBucket>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CreditBucket {
    #[serde(default, deserialize_with = "lenient::opt_f64")]
    pub remaining: Option<f64>,
    /// Unix seconds (`None` if absent or not a number).
    #[serde(default, deserialize_with = "lenient::opt_i64")]
    pub resets_at: Option<i64>,
}

/// Usage-based billing.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UsageBased {
    #[serde(default, deserialize_with = "lenient::opt_f64")]
    pub included_credits: Option<f64>,
    #[serde(default, deserialize_with = "lenient::opt_f64")]
    pub remaining_credits: Option<f64>,
    #[serde(default, deserialize_with = "lenient::opt_f64")]
    pub spending_cap_usd: Option<f64>,
    #[serde(default, deserialize_with = "lenient::opt_f64")]
    pub spending_current_usd: Option<f64>,
}

/// Response of the OAuth token endpoint (not enveloped). Tokens are [`Secret`]s.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct OAuthTokenResponse {
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub token_type: Option<String>,
    pub access_token: Secret,
    /// Seconds.
    #[serde(default, deserialize_with = "lenient::opt_u64")]
    pub expires_in: Option<u64>,
    /// May be omitted on refresh: keep the old one.
    #[serde(default)]
    pub refresh_token: Option<Secret>,
}

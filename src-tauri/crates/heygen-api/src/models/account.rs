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
    /// When the bucket refills, as Unix seconds. Timestamps are integer seconds in the API
    /// (spec §1), but this one is also accepted as an ISO-8601 / RFC 3339 string; anything
    /// else is `None`.
    #[serde(default, deserialize_with = "unix_or_iso")]
    pub resets_at: Option<i64>,
}

/// Integer (or numeric-string) Unix seconds, or an RFC 3339 date-time string.
fn unix_or_iso<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    Ok(match serde_json::Value::deserialize(d)? {
        serde_json::Value::Number(n) => n.as_i64().or_else(|| n.as_f64().map(|f| f as i64)),
        serde_json::Value::String(s) => s.trim().parse::<i64>().ok().or_else(|| rfc3339(&s)),
        _ => None,
    })
}

/// `YYYY-MM-DD[T ]HH:MM:SS[.frac](Z|±HH:MM)` (or a bare date) → Unix seconds.
fn rfc3339(s: &str) -> Option<i64> {
    let s = s.trim();
    let num = |a: usize, b: usize| s.get(a..b)?.parse::<i64>().ok();
    let (year, month, day) = (num(0, 4)?, num(5, 7)?, num(8, 10)?);
    if s.get(4..5)? != "-"
        || s.get(7..8)? != "-"
        || !(1..=12).contains(&month)
        || !(1..=31).contains(&day)
    {
        return None;
    }
    let (mut secs, rest) = if s.len() == 10 {
        (0, "Z")
    } else {
        if !matches!(s.get(10..11)?, "T" | "t" | " ") {
            return None;
        }
        let (h, m, sec) = (num(11, 13)?, num(14, 16)?, num(17, 19)?);
        let mut rest = s.get(19..)?;
        if let Some(frac) = rest.strip_prefix('.') {
            rest = frac.trim_start_matches(|c: char| c.is_ascii_digit());
        }
        (h * 3600 + m * 60 + sec, rest)
    };
    secs -= match rest {
        "Z" | "z" => 0,
        tz if tz.len() == 6 && (tz.starts_with('+') || tz.starts_with('-')) => {
            let sign = if tz.starts_with('-') { -1 } else { 1 };
            let h: i64 = tz.get(1..3)?.parse().ok()?;
            let m: i64 = tz.get(4..6)?.parse().ok()?;
            sign * (h * 3600 + m * 60)
        }
        _ => return None,
    };
    // Days from the civil date (Howard Hinnant's algorithm).
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    Some(days * 86_400 + secs)
}

#[cfg(test)]
mod resets_at_tests {
    use super::CreditBucket;

    fn resets(v: serde_json::Value) -> Option<i64> {
        serde_json::from_value::<CreditBucket>(serde_json::json!({ "resets_at": v }))
            .expect("decodes")
            .resets_at
    }

    #[test]
    fn seconds_and_iso_strings_both_decode() {
        assert_eq!(
            resets(serde_json::json!(1_798_761_600)),
            Some(1_798_761_600)
        );
        assert_eq!(resets(serde_json::json!("1798761600")), Some(1_798_761_600));
        assert_eq!(
            resets(serde_json::json!("2027-01-01T00:00:00Z")),
            Some(1_798_761_600)
        );
        assert_eq!(
            resets(serde_json::json!("2027-01-01T01:30:00.250+01:30")),
            Some(1_798_761_600)
        );
        assert_eq!(resets(serde_json::json!("2027-01-01")), Some(1_798_761_600));
        assert_eq!(resets(serde_json::json!("1970-01-01T00:00:00Z")), Some(0));
        assert_eq!(
            resets(serde_json::json!("2024-02-29T12:00:00Z")),
            Some(1_709_208_000)
        );
    }

    #[test]
    fn nonsense_is_none_not_an_error() {
        assert_eq!(resets(serde_json::json!("next month")), None);
        assert_eq!(resets(serde_json::json!({"at": 1})), None);
        assert_eq!(resets(serde_json::json!(null)), None);
    }
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

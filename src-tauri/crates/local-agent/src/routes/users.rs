//! `GET /v3/users/me` — one of HeyGen's three billing shapes (`Behaviour::billing_type`), its
//! balance dropping by one credit per completed video second.

use axum::extract::State;
use axum::Json;
use serde_json::{json, Value};

use crate::behaviour::BillingType;
use crate::state::AppState;

/// Subscription credits reset on the first of a month; a fixed date keeps answers stable.
/// The one account this agent has (also shown on the OAuth consent page).
pub const USERNAME: &str = "local-agent";
pub const EMAIL: &str = "offline@localhost";

const RESETS_AT: i64 = 1_798_761_600; // 2027-01-01T00:00:00Z

pub async fn me(State(state): State<AppState>) -> Json<Value> {
    let balance = (state.db().account.remaining_balance * 1000.0).round() / 1000.0;
    let kind = state.behaviour().billing_type;
    let block = |k: BillingType, v: Value| if k == kind { v } else { Value::Null };
    Json(json!({"data": {
        "username": USERNAME,
        "email": EMAIL,
        "first_name": "Offline",
        "last_name": "Mode",
        "billing_type": kind.as_str(),
        "wallet": block(BillingType::Wallet, json!({
            "currency": "credits",
            "remaining_balance": balance,
            "auto_reload": {"enabled": false, "amount_usd": Value::Null, "threshold_usd": Value::Null}
        })),
        "subscription": block(BillingType::Subscription, json!({
            "plan": "Creator",
            "credits": {
                "premium_credits": {"remaining": balance, "resets_at": RESETS_AT},
                "add_on_credits": {"remaining": 0, "resets_at": Value::Null}
            }
        })),
        "usage_based": block(BillingType::UsageBased, json!({
            "included_credits": 3600,
            "remaining_credits": balance,
            "spending_cap_usd": 500.0,
            "spending_current_usd": ((3600.0 - balance).max(0.0) * 0.05 * 100.0).round() / 100.0,
        })),
    }}))
}

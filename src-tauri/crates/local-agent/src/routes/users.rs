//! `GET /v3/users/me` — a wallet account whose balance (credits) drops by each completed second.

use axum::extract::State;
use axum::Json;
use serde_json::{json, Value};

use crate::state::AppState;

pub async fn me(State(state): State<AppState>) -> Json<Value> {
    let balance = state.db().account.remaining_balance;
    Json(json!({"data": {
        "username": "local-agent",
        "email": "offline@localhost",
        "first_name": "Offline",
        "last_name": "Mode",
        "billing_type": "wallet",
        "wallet": {
            "currency": "credits",
            "remaining_balance": (balance * 1000.0).round() / 1000.0,
            "auto_reload": {"enabled": false, "amount_usd": Value::Null, "threshold_usd": Value::Null}
        },
        "subscription": Value::Null,
        "usage_based": Value::Null,
    }}))
}

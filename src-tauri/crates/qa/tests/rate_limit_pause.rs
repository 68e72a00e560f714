//! A server's `Retry-After` must not be able to freeze the engine (issue 7, found by the
//! Retry-After property test): the request budget's global pause should be capped.

use std::time::Duration;

use studio_core::jobs::budget::RequestBudget;

/// A 429 with `Retry-After: 1000000000` (or `u64::MAX`, which would overflow `Instant`) that
/// outlasts the client's retries must not hold every request of the engine for decades.
#[tokio::test(start_paused = true)]
async fn a_huge_retry_after_does_not_freeze_requests() {
    let budget = RequestBudget::new(5, 10.0);
    budget.pause_for(Duration::from_secs(u64::MAX));
    budget.pause_for(Duration::from_secs(1_000_000_000));
    let waited = tokio::time::timeout(Duration::from_secs(3600), budget.acquire()).await;
    assert!(
        waited.is_ok(),
        "a request was held for more than an hour by one Retry-After"
    );
}

#[tokio::test(start_paused = true)]
async fn an_ordinary_retry_after_is_honoured() {
    let budget = RequestBudget::new(5, 10.0);
    budget.pause_for(Duration::from_secs(30));
    let start = tokio::time::Instant::now();
    budget.acquire().await;
    assert!(start.elapsed() >= Duration::from_secs(30));
}

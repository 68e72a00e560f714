//! One request budget shared by everything that polls: a token bucket, plus a global pause when
//! the server answers 429 with `Retry-After`.

use std::sync::Mutex;
use std::time::Duration;

use tokio::time::Instant;

/// The longest a server's `Retry-After` may hold every request (a hostile or buggy value must
/// not freeze the engine).
pub const MAX_PAUSE: Duration = Duration::from_secs(600);

#[derive(Debug)]
pub struct RequestBudget {
    capacity: f64,
    per_second: f64,
    state: Mutex<Bucket>,
    /// Waiters queue here one at a time (first come, first served; no thundering herd when
    /// hundreds of jobs wait for tokens).
    turn: tokio::sync::Mutex<()>,
}

#[derive(Debug)]
struct Bucket {
    tokens: f64,
    last: Instant,
    paused_until: Option<Instant>,
}

impl RequestBudget {
    /// `capacity` requests may burst; `per_second` refill thereafter.
    pub fn new(capacity: u32, per_second: f64) -> Self {
        let capacity = f64::from(capacity.max(1));
        Self {
            capacity,
            per_second: per_second.max(0.001),
            state: Mutex::new(Bucket {
                tokens: capacity,
                last: Instant::now(),
                paused_until: None,
            }),
            turn: tokio::sync::Mutex::new(()),
        }
    }

    /// Wait until a request may go out, and take its token.
    pub async fn acquire(&self) {
        let _turn = self.turn.lock().await;
        loop {
            let wait = {
                let mut b = self.state.lock().unwrap_or_else(|p| p.into_inner());
                let now = Instant::now();
                let refill = now.duration_since(b.last).as_secs_f64() * self.per_second;
                b.tokens = (b.tokens + refill).min(self.capacity);
                b.last = now;
                match b.paused_until {
                    Some(until) if until > now => until - now,
                    _ if b.tokens >= 1.0 => {
                        b.tokens -= 1.0;
                        return;
                    }
                    _ => Duration::from_secs_f64((1.0 - b.tokens) / self.per_second),
                }
            };
            tokio::time::sleep(wait).await;
        }
    }

    /// Hold every request for `wait` (a 429's `Retry-After`), at most [`MAX_PAUSE`]. A longer
    /// pause already in force is kept.
    pub fn pause_for(&self, wait: Duration) {
        let mut b = self.state.lock().unwrap_or_else(|p| p.into_inner());
        let until = Instant::now() + wait.min(MAX_PAUSE);
        if b.paused_until.is_none_or(|p| p < until) {
            b.paused_until = Some(until);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn bursts_then_refills_at_rate() {
        let budget = RequestBudget::new(2, 4.0);
        let start = Instant::now();
        budget.acquire().await;
        budget.acquire().await;
        assert_eq!(start.elapsed(), Duration::ZERO);
        budget.acquire().await;
        let e = start.elapsed();
        assert!(
            e >= Duration::from_millis(240) && e <= Duration::from_millis(260),
            "{e:?}"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn a_huge_retry_after_is_capped() {
        let budget = RequestBudget::new(5, 10.0);
        budget.pause_for(Duration::from_secs(u64::MAX));
        let start = Instant::now();
        budget.acquire().await;
        assert_eq!(start.elapsed(), MAX_PAUSE);
    }

    #[tokio::test(start_paused = true)]
    async fn waiters_are_served_in_order_at_the_rate() {
        let budget = std::sync::Arc::new(RequestBudget::new(1, 10.0));
        let order = std::sync::Arc::new(Mutex::new(Vec::new()));
        let mut tasks = Vec::new();
        for i in 0..5 {
            let (b, o) = (budget.clone(), order.clone());
            tasks.push(tokio::spawn(async move {
                b.acquire().await;
                o.lock().unwrap().push(i);
            }));
            tokio::task::yield_now().await;
        }
        let start = Instant::now();
        for t in tasks {
            t.await.unwrap();
        }
        assert_eq!(*order.lock().unwrap(), vec![0, 1, 2, 3, 4]);
        let e = start.elapsed();
        assert!(
            e >= Duration::from_millis(390) && e <= Duration::from_millis(420),
            "{e:?}"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn pause_holds_everyone() {
        let budget = RequestBudget::new(5, 100.0);
        budget.pause_for(Duration::from_secs(3));
        budget.pause_for(Duration::from_secs(1));
        let start = Instant::now();
        budget.acquire().await;
        assert!(start.elapsed() >= Duration::from_secs(3));
    }
}

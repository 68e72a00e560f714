//! One request budget shared by everything that polls: a token bucket, plus a global pause when
//! the server answers 429 with `Retry-After`.

use std::sync::Mutex;
use std::time::Duration;

use tokio::time::Instant;

#[derive(Debug)]
pub struct RequestBudget {
    capacity: f64,
    per_second: f64,
    state: Mutex<Bucket>,
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
        }
    }

    /// Wait until a request may go out, and take its token.
    pub async fn acquire(&self) {
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

    /// Hold every request for `wait` (a 429's `Retry-After`). A longer pause already in force
    /// is kept.
    pub fn pause_for(&self, wait: Duration) {
        let mut b = self.state.lock().unwrap_or_else(|p| p.into_inner());
        let until = Instant::now() + wait;
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
    async fn pause_holds_everyone() {
        let budget = RequestBudget::new(5, 100.0);
        budget.pause_for(Duration::from_secs(3));
        budget.pause_for(Duration::from_secs(1));
        let start = Instant::now();
        budget.acquire().await;
        assert!(start.elapsed() >= Duration::from_secs(3));
    }
}

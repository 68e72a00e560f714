//! HeyGen's recommended poll cadence: about every 10 s for the first 2 minutes, 30 s until 5
//! minutes, 60 s after. `scale` shrinks the whole clock (tests, the fast local agent).

use std::time::Duration;

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Cadence {
    scale: f64,
}

impl Default for Cadence {
    fn default() -> Self {
        Self { scale: 1.0 }
    }
}

impl Cadence {
    /// `scale` 1.0 = HeyGen's real cadence; 0.01 polls a hundred times as often.
    pub fn scaled(scale: f64) -> Self {
        Self {
            scale: if scale.is_finite() && scale > 0.0 {
                scale
            } else {
                1.0
            },
        }
    }

    pub fn scale(&self) -> f64 {
        self.scale
    }

    /// How long to wait before the next poll of a job submitted `since_submit` ago.
    pub fn interval(&self, since_submit: Duration) -> Duration {
        let nominal = since_submit.as_secs_f64() / self.scale;
        let base = if nominal < 120.0 {
            10.0
        } else if nominal < 300.0 {
            30.0
        } else {
            60.0
        };
        Duration::from_secs_f64((base * self.scale).max(0.02))
    }

    /// Scale a nominal duration (backoffs and ticks follow the same clock).
    pub fn apply(&self, nominal: Duration) -> Duration {
        Duration::from_secs_f64((nominal.as_secs_f64() * self.scale).max(0.01))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn follows_heygen_steps() {
        let c = Cadence::default();
        assert_eq!(c.interval(Duration::from_secs(0)), Duration::from_secs(10));
        assert_eq!(
            c.interval(Duration::from_secs(119)),
            Duration::from_secs(10)
        );
        assert_eq!(
            c.interval(Duration::from_secs(120)),
            Duration::from_secs(30)
        );
        assert_eq!(
            c.interval(Duration::from_secs(299)),
            Duration::from_secs(30)
        );
        assert_eq!(
            c.interval(Duration::from_secs(3000)),
            Duration::from_secs(60)
        );
    }

    #[test]
    fn scales_both_the_clock_and_the_steps() {
        let c = Cadence::scaled(0.01);
        assert_eq!(
            c.interval(Duration::from_millis(500)),
            Duration::from_millis(100)
        );
        assert_eq!(
            c.interval(Duration::from_secs(2)),
            Duration::from_millis(300)
        );
        assert_eq!(
            c.interval(Duration::from_secs(4)),
            Duration::from_millis(600)
        );
        assert_eq!(Cadence::scaled(-1.0), Cadence::default());
    }
}

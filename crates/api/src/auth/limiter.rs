//! Login throttling: failures per account and attempts per client address
//! within a sliding window; past the limit, a 429 says when to retry. Kept
//! in memory: each replica limits on its own, which still bounds a guesser
//! to (replicas x limit) tries per window.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::{Duration, Instant};

pub struct Limiter {
    max: usize,
    window: Duration,
    hits: Mutex<HashMap<String, VecDeque<Instant>>>,
}

impl Limiter {
    pub fn new(max: usize, window: Duration) -> Self {
        Self { max, window, hits: Mutex::new(HashMap::new()) }
    }

    /// `Err(retry_after)` when `key` has used up its window.
    pub fn check(&self, key: &str) -> Result<(), Duration> {
        self.check_at(key, Instant::now())
    }

    /// [`Limiter::check`] as of `now`.
    fn check_at(&self, key: &str, now: Instant) -> Result<(), Duration> {
        let Ok(mut hits) = self.hits.lock() else { return Ok(()) };
        let Some(times) = hits.get_mut(key) else { return Ok(()) };
        while times.front().is_some_and(|t| now.duration_since(*t) >= self.window) {
            times.pop_front();
        }
        match times.front() {
            Some(oldest) if times.len() >= self.max => Err(self.window.saturating_sub(now.duration_since(*oldest))),
            _ => Ok(()),
        }
    }

    pub fn record(&self, key: &str) {
        self.record_at(key, Instant::now());
    }

    /// [`Limiter::record`] as of `now`.
    fn record_at(&self, key: &str, now: Instant) {
        if let Ok(mut hits) = self.hits.lock() {
            if hits.len() > 100_000 {
                // Bound memory under a spray of keys: forget everything old.
                let window = self.window;
                hits.retain(|_, times| times.back().is_some_and(|t| now.duration_since(*t) < window));
            }
            hits.entry(key.to_owned()).or_default().push_back(now);
        }
    }

    pub fn clear(&self, key: &str) {
        if let Ok(mut hits) = self.hits.lock() {
            hits.remove(key);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const WINDOW: Duration = Duration::from_secs(60);

    #[test]
    fn the_window_fills_and_says_when_to_retry() {
        let limiter = Limiter::new(3, WINDOW);
        let start = Instant::now();
        for i in 0..3 {
            let at = start + Duration::from_secs(i);
            assert!(limiter.check_at("a", at).is_ok());
            limiter.record_at("a", at);
        }
        let later = start + Duration::from_secs(10);
        assert_eq!(limiter.check_at("a", later), Err(Duration::from_secs(50)), "until the oldest hit leaves");
        assert!(limiter.check_at("b", later).is_ok(), "keys are separate");
        limiter.clear("a");
        assert!(limiter.check_at("a", later).is_ok());
    }

    #[test]
    fn old_hits_leave_the_window() {
        let limiter = Limiter::new(1, WINDOW);
        let start = Instant::now();
        limiter.record_at("a", start);
        assert_eq!(limiter.check_at("a", start + WINDOW - Duration::from_millis(1)), Err(Duration::from_millis(1)));
        assert!(limiter.check_at("a", start + WINDOW).is_ok());
    }
}

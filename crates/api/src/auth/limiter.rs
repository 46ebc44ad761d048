//! Login throttling, as OWASP's authentication guidance has it: attempts
//! per client address within a sliding window ([`Limiter`]), and failures
//! per account *and* address with growing delays ([`Backoff`]). Nothing is
//! keyed by the account alone, so a guesser slows themself down and never
//! locks the owner out. Past a limit, a 429 says when to retry; the
//! connection is never held. Kept in memory: each replica limits on its
//! own, which still bounds a guesser to (replicas x limit) tries.

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

/// Failures per key: the first `free` cost nothing; from then on each one
/// makes the next attempt wait `base`, doubled per failure up to `cap`.
/// A key forgets its failures on a success, or [`FORGET_AFTER_CAPS`] caps
/// after the last one (so a guesser at the cap stays there).
pub struct Backoff {
    free: u32,
    base: Duration,
    cap: Duration,
    failures: Mutex<HashMap<String, (u32, Instant)>>,
}

/// Keys kept at most; past it, the ones already forgotten go.
const MAX_KEYS: usize = 100_000;

pub const FORGET_AFTER_CAPS: u32 = 4;

impl Backoff {
    pub fn new(free: u32, base: Duration, cap: Duration) -> Self {
        Self { free, base, cap, failures: Mutex::new(HashMap::new()) }
    }

    /// `Err(retry_after)` while `key` must wait.
    pub fn check(&self, key: &str) -> Result<(), Duration> {
        self.check_at(key, Instant::now())
    }

    fn check_at(&self, key: &str, now: Instant) -> Result<(), Duration> {
        let Ok(failures) = self.failures.lock() else { return Ok(()) };
        let Some(&(count, last)) = failures.get(key) else { return Ok(()) };
        let wait = self.delay(count).saturating_sub(now.duration_since(last));
        if wait.is_zero() { Ok(()) } else { Err(wait) }
    }

    /// The wait after `count` failures.
    fn delay(&self, count: u32) -> Duration {
        match count.checked_sub(self.free.saturating_add(1)) {
            None => Duration::ZERO,
            Some(over) => self.base.saturating_mul(2u32.saturating_pow(over.min(31))).min(self.cap),
        }
    }

    pub fn fail(&self, key: &str) {
        self.fail_at(key, Instant::now());
    }

    fn fail_at(&self, key: &str, now: Instant) {
        let Ok(mut failures) = self.failures.lock() else { return };
        let forget = self.cap.saturating_mul(FORGET_AFTER_CAPS);
        if failures.len() >= MAX_KEYS {
            failures.retain(|_, (_, last)| now.duration_since(*last) < forget);
        }
        let entry = failures.entry(key.to_owned()).or_insert((0, now));
        let forgotten = now.duration_since(entry.1) >= forget;
        *entry = (if forgotten { 1 } else { entry.0.saturating_add(1) }, now);
    }

    pub fn clear(&self, key: &str) {
        if let Ok(mut failures) = self.failures.lock() {
            failures.remove(key);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_grow_after_the_free_failures_and_stop_at_the_cap() {
        let backoff = Backoff::new(2, Duration::from_secs(1), Duration::from_secs(60));
        let start = Instant::now();
        let mut at = start;
        let mut waits = Vec::new();
        for _ in 0..10 {
            backoff.fail_at("k", at);
            waits.push(backoff.check_at("k", at).err().unwrap_or_default().as_secs());
            at += Duration::from_secs(waits.last().copied().unwrap_or(0));
        }
        assert_eq!(waits, [0, 0, 1, 2, 4, 8, 16, 32, 60, 60]);
        assert!(backoff.check_at("other", at).is_ok(), "keys are separate");
        backoff.clear("k");
        assert!(backoff.check_at("k", at).is_ok(), "a success forgets");
    }

    #[test]
    fn failures_are_forgotten_long_after_the_last() {
        let backoff = Backoff::new(0, Duration::from_secs(1), Duration::from_secs(60));
        let start = Instant::now();
        for _ in 0..5 {
            backoff.fail_at("k", start);
        }
        assert_eq!(backoff.check_at("k", start), Err(Duration::from_secs(16)));
        let later = start + Duration::from_secs(60) * FORGET_AFTER_CAPS;
        backoff.fail_at("k", later);
        assert_eq!(backoff.check_at("k", later), Err(Duration::from_secs(1)), "counting starts again");
    }

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

//! Webhook delivery: a loop in every server process (unless turned off)
//! that claims due deliveries from the outbox and sends each one on a task
//! of its own (at most [`IN_FLIGHT`] at once, each within its own time
//! budget, so a slow receiver holds up nobody else), signed (Standard
//! Webhooks headers, no redirects, public targets only), and logs the
//! attempt with its outcome: delivered, retried later with exponential
//! backoff, or given up after a day. A receiver answering 410 Gone has its
//! endpoint turned off at once, with the reason recorded. Finished
//! deliveries are kept in the log for 30 days.

mod guard;

use std::sync::Arc;
use std::time::{Duration, Instant};

use longform_domain::webhook::retry_after;
use longform_persistence::facades::{AttemptLog, Outbox};
use longform_persistence::{AttemptReport, DeliveryOutcome as Outcome, Due, Store, StoreError, now};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

pub use guard::{AllowList, REFUSED};

/// How often the outbox is looked at.
const SWEEP: Duration = Duration::from_secs(1);
/// Deliveries being sent at once, at most: a sweep claims no more than
/// there is room for.
pub const IN_FLIGHT: usize = 16;
/// A claimed delivery is not claimed again before its attempt's budget and
/// this much more have passed: only a deliverer that died mid-attempt loses it.
const LEASE_MARGIN: Duration = Duration::from_secs(20);
/// Finished deliveries stay in the log this long.
const KEEP: chrono::Duration = chrono::Duration::days(30);
/// Sweeps between two prunings of the log (about an hour).
const PRUNE_EVERY: u32 = 3600;
/// The status by which a receiver says it will never take deliveries again.
const GONE: u16 = 410;

pub struct Deliverer {
    outbox: Outbox,
    agent: ureq::Agent,
    timeout: Duration,
    slots: Arc<Semaphore>,
}

impl Deliverer {
    /// A deliverer giving each attempt `timeout` (resolving, connecting,
    /// sending, the answer's head).
    pub fn new(store: Store, allow: AllowList, timeout: Duration) -> Self {
        let config = ureq::Agent::config_builder()
            .max_redirects(0)
            .max_redirects_will_error(false)
            .http_status_as_error(false)
            .timeout_global(Some(timeout))
            .proxy(None)
            .user_agent(concat!("Longform-Webhooks/", env!("CARGO_PKG_VERSION")))
            .build();
        let connector = ureq::unversioned::transport::DefaultConnector::new();
        let agent = ureq::Agent::with_parts(config, connector, guard::GuardedResolver::new(allow));
        Self { outbox: Outbox::new(store), agent, timeout, slots: Arc::new(Semaphore::new(IN_FLIGHT)) }
    }

    /// Sweep the outbox every second, for as long as the server runs.
    pub async fn run(mut self) {
        let mut ticks = tokio::time::interval(SWEEP);
        for sweep in 0u32.. {
            ticks.tick().await;
            if let Err(error) = self.sweep().await {
                tracing::warn!(%error, "could not deliver webhooks");
            }
            if sweep % PRUNE_EVERY == 0 {
                match self.prune().await {
                    Ok(0) => {}
                    Ok(pruned) => tracing::info!(deliveries = pruned, "pruned the webhook delivery log"),
                    Err(error) => tracing::warn!(%error, "could not prune the webhook delivery log"),
                }
            }
        }
    }

    /// Forget deliveries finished more than [`KEEP`] ago; how many.
    async fn prune(&mut self) -> Result<usize, StoreError> {
        let before = now() - KEEP;
        if !self.outbox.anything_to_prune(before).await? {
            return Ok(0);
        }
        self.outbox.prune(before).await
    }

    /// Claim what is due now, as much as there is room for, and start
    /// sending it; returns how many deliveries were started.
    pub async fn sweep(&mut self) -> Result<usize, StoreError> {
        let room = self.slots.available_permits();
        if room == 0 || !self.outbox.anything_due().await? {
            return Ok(0);
        }
        let due = self.outbox.claim(i64::try_from(room).unwrap_or(i64::MAX), self.timeout + LEASE_MARGIN).await?;
        let count = due.len();
        for due in due {
            // This loop is the only one taking slots, and it found `room` free.
            let Ok(slot) = Arc::clone(&self.slots).try_acquire_owned() else { break };
            tokio::spawn(deliver(self.agent.clone(), self.outbox.attempt_log(), self.timeout, due, slot));
        }
        Ok(count)
    }
}

/// Send one delivery and record the attempt; the slot is free once it is.
async fn deliver(agent: ureq::Agent, log: AttemptLog, timeout: Duration, due: Due, _slot: OwnedSemaphorePermit) {
    let (id, webhook, tries) = (due.id, due.webhook_id, due.attempts);
    let report = match tokio::task::spawn_blocking(move || attempt(&agent, &due, timeout)).await {
        Ok(report) => report,
        Err(error) => {
            // The lease runs out and the delivery falls due again.
            tracing::warn!(%error, delivery.id = %id, "a webhook delivery task failed");
            return;
        }
    };
    tracing::info!(
        webhook.id = %webhook,
        delivery.id = %id,
        delivery.attempt = tries,
        http.status = report.response_status,
        duration_ms = report.duration_ms,
        outcome = ?report.outcome,
        disabled = report.disable.is_some(),
        "webhook attempt"
    );
    if let Err(error) = log.record(id, report).await {
        tracing::warn!(%error, delivery.id = %id, "could not record a webhook attempt");
    }
}

/// Send one delivery once; never fails, reports instead.
fn attempt(agent: &ureq::Agent, due: &Due, timeout: Duration) -> AttemptReport {
    let at = now();
    let started = Instant::now();
    let id = due.id.to_string();
    let signature = due.secret.sign(&id, at.timestamp(), due.payload.as_bytes());
    let result = agent
        .post(due.url.as_str())
        .header("content-type", "application/json")
        .header("webhook-id", &id)
        .header("webhook-timestamp", at.timestamp().to_string())
        .header("webhook-signature", signature)
        .send(due.payload.as_bytes());
    let duration_ms = u32::try_from(started.elapsed().as_millis()).unwrap_or(u32::MAX);
    let (response_status, error, refused) = match result {
        Ok(response) => {
            let status = response.status().as_u16();
            let error = match status {
                200..=299 => None,
                300..=399 => Some(format!("answered {status}; redirects are not followed")),
                GONE => Some(format!("answered {status}; the endpoint is gone and was turned off")),
                _ => Some(format!("answered {status}")),
            };
            (Some(status), error, false)
        }
        Err(ureq::Error::Io(e)) if e.kind() == std::io::ErrorKind::PermissionDenied => {
            (None, Some(e.to_string()), true)
        }
        Err(ureq::Error::Timeout(_)) => (None, Some(format!("timed out after {} s", timeout.as_secs())), false),
        Err(e) => (None, Some(e.to_string()), false),
    };
    let gone = response_status == Some(GONE);
    let outcome = if error.is_none() {
        Outcome::Delivered
    } else if refused || gone {
        // Retrying cannot make a forbidden target allowed, nor bring back
        // a receiver that said it is gone.
        Outcome::GaveUp
    } else {
        let elapsed = (at - due.created_at).to_std().unwrap_or_default();
        match retry_after(due.attempts, elapsed) {
            Some(delay) => Outcome::RetryAt(at + chrono::Duration::from_std(delay).unwrap_or(chrono::Duration::MAX)),
            None => Outcome::GaveUp,
        }
    };
    let disable = gone.then(|| format!("the receiver answered 410 Gone to delivery {id} at {}", at.to_rfc3339()));
    AttemptReport { at, duration_ms, response_status, error, outcome, disable }
}

//! Scheduled publishing for a server: posts whose time has come go live
//! without any request arriving. Every server sweeps; each due post is
//! published in a transaction of its own.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use longform_domain::PostId;

use crate::commands::schedule::{Step, publish_next};
use crate::effects::public::Reach;
use crate::error::StoreError;
use crate::read;
use crate::store::{Probe, Store};

/// Posts published per sweep at most; the next sweep takes the rest.
const BATCH: usize = 100;
/// How long a post that failed to publish waits before the next try.
const RETRY_FAILED_AFTER: Duration = Duration::from_secs(60);

/// What a sweep did.
#[derive(Debug, Default)]
pub struct Sweep {
    pub published: Vec<PostId>,
    /// Posts that could not be published, and why; each is tried again later.
    pub failed: Vec<(PostId, StoreError)>,
}

/// Looks for due posts on a connection of its own (outside the pools, so
/// an idle server's statement count stays still) and publishes through
/// the store only when something is due.
pub struct Scheduler {
    store: Store,
    probe: Probe,
    /// Posts that failed, and when.
    failed: HashMap<PostId, Instant>,
}

impl Scheduler {
    pub fn new(store: Store) -> Self {
        Self { probe: Probe::new(&store), store, failed: HashMap::new() }
    }

    /// Publish what is due now, each post in its own transaction. A post
    /// that fails is reported and left out for a while; the others go on.
    pub async fn sweep(&mut self) -> Result<Sweep, StoreError> {
        let mut sweep = Sweep::default();
        if !self.probe.check(read::schedule::anything_due).await? {
            return Ok(sweep);
        }
        self.failed.retain(|_, at| at.elapsed() < RETRY_FAILED_AFTER);
        let mut skip: Vec<PostId> = self.failed.keys().copied().collect();
        while sweep.published.len() + sweep.failed.len() < BATCH {
            let left_out = skip.clone();
            let step = self.store.write_reaching(move |c| {
                let step = publish_next(c, &left_out)?;
                let reach = if matches!(step, Step::Published(_)) { Reach::Public } else { Reach::Private };
                Ok((step, reach))
            });
            match step.await? {
                Step::Published(id) => sweep.published.push(id),
                Step::Failed(id, error) => {
                    self.failed.insert(id, Instant::now());
                    skip.push(id);
                    sweep.failed.push((id, error));
                }
                Step::Idle => break,
            }
        }
        Ok(sweep)
    }
}

//! Password hashing on threads of its own. Argon2 takes tens of
//! milliseconds of CPU and 19 MiB per hash; run on tokio's blocking pool,
//! each hash could land on a different thread, and glibc keeps the freed
//! 19 MiB in that thread's arena: 166 hashes one at a time left a process
//! at 505 MB. A fixed set of threads, one per slot, bounds both the cores
//! and the memory hashing can take.

use std::sync::mpsc::{self, Sender};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

use tokio::sync::{Semaphore, oneshot};

use crate::error::ApiError;

type Job = Box<dyn FnOnce() + Send>;

pub struct Hashers {
    /// One per thread: a request holds one while its hash runs.
    slots: Semaphore,
    jobs: Sender<Job>,
}

impl Hashers {
    pub fn start(threads: usize) -> Result<Self, ApiError> {
        let (jobs, queue) = mpsc::channel::<Job>();
        let queue = Arc::new(Mutex::new(queue));
        for _ in 0..threads {
            let queue = Arc::clone(&queue);
            thread::Builder::new()
                .name("password-hash".to_owned())
                .spawn(move || {
                    loop {
                        // Ends when the sender goes (the server stops).
                        let Ok(job) = queue.lock().map_err(drop).and_then(|q| q.recv().map_err(drop)) else { return };
                        job();
                    }
                })
                .map_err(|_| ApiError::Internal)?;
        }
        Ok(Self { slots: Semaphore::new(threads), jobs })
    }

    /// Run `work` on a hashing thread, waiting at most `wait` for one to be
    /// free: `Unavailable` after that.
    pub async fn run<T: Send + 'static>(
        &self,
        wait: Duration,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, ApiError> {
        let _slot = match tokio::time::timeout(wait, self.slots.acquire()).await {
            Ok(Ok(slot)) => slot,
            Ok(Err(_)) => return Err(ApiError::Internal),
            Err(_) => {
                tracing::warn!("password hashing is saturated; a request was turned away");
                return Err(ApiError::Unavailable);
            }
        };
        let (answer, answered) = oneshot::channel();
        let job: Job = Box::new(move || {
            let _ = answer.send(work());
        });
        self.jobs.send(job).map_err(|_| ApiError::Internal)?;
        answered.await.map_err(|_| ApiError::Internal)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn jobs_run_on_the_hashing_threads_and_wait_no_longer_than_asked() {
        let hashers = Hashers::start(1).unwrap();
        let name = hashers.run(Duration::from_secs(1), || thread::current().name().map(str::to_owned)).await;
        assert_eq!(name.unwrap().as_deref(), Some("password-hash"));
        let busy = hashers.run(Duration::from_secs(5), || thread::sleep(Duration::from_millis(300)));
        let turned_away = async {
            tokio::time::sleep(Duration::from_millis(50)).await;
            hashers.run(Duration::from_millis(10), || ()).await
        };
        let (first, second) = tokio::join!(busy, turned_away);
        assert!(first.is_ok());
        assert!(matches!(second, Err(ApiError::Unavailable)), "{second:?}");
    }
}

//! A fixed set of threads for CPU-heavy work (password hashing, rendering
//! Markdown), with a bound on how long a caller waits for one.
//!
//! Run on tokio's blocking pool, each job can land on a different thread,
//! and glibc keeps what a job freed in that thread's arena: 166 password
//! hashes one at a time left a process at 505 MB, and twelve 1 MiB renders
//! at once left 166 MB. Threads of their own bound both the cores and the
//! memory the work can take.

use std::sync::mpsc::{self, Sender};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

use tokio::sync::{Semaphore, oneshot};

type Job = Box<dyn FnOnce() + Send>;

pub struct Workers {
    /// One per thread: a caller holds one while its job runs.
    slots: Semaphore,
    jobs: Sender<Job>,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum WorkError {
    /// Every thread stayed busy for as long as the caller would wait.
    #[error("every worker stayed busy for {0:?}")]
    Saturated(Duration),
    /// The threads are gone (they could not start, or a job panicked).
    #[error("the workers are gone")]
    Gone,
}

impl Workers {
    /// `threads` threads named `name`, at least one.
    pub fn start(name: &str, threads: usize) -> std::io::Result<Self> {
        let threads = threads.max(1);
        let (jobs, queue) = mpsc::channel::<Job>();
        let queue = Arc::new(Mutex::new(queue));
        for _ in 0..threads {
            let queue = Arc::clone(&queue);
            thread::Builder::new().name(name.to_owned()).spawn(move || {
                loop {
                    // Ends when the sender goes (the server stops).
                    let Ok(job) = queue.lock().map_err(drop).and_then(|q| q.recv().map_err(drop)) else { return };
                    job();
                }
            })?;
        }
        Ok(Self { slots: Semaphore::new(threads), jobs })
    }

    /// Run `work` on one of the threads, waiting at most `wait` for one to be free.
    pub async fn run<T: Send + 'static>(
        &self,
        wait: Duration,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, WorkError> {
        let _slot = match tokio::time::timeout(wait, self.slots.acquire()).await {
            Ok(Ok(slot)) => slot,
            Ok(Err(_)) => return Err(WorkError::Gone),
            Err(_) => return Err(WorkError::Saturated(wait)),
        };
        let (answer, answered) = oneshot::channel();
        let job: Job = Box::new(move || {
            let _ = answer.send(work());
        });
        self.jobs.send(job).map_err(|_| WorkError::Gone)?;
        answered.await.map_err(|_| WorkError::Gone)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn jobs_run_on_the_named_threads_and_wait_no_longer_than_asked() {
        let workers = Workers::start("test-worker", 1).unwrap();
        let name = workers.run(Duration::from_secs(1), || thread::current().name().map(str::to_owned)).await;
        assert_eq!(name.unwrap().as_deref(), Some("test-worker"));
        let busy = workers.run(Duration::from_secs(5), || thread::sleep(Duration::from_millis(300)));
        let turned_away = async {
            tokio::time::sleep(Duration::from_millis(50)).await;
            workers.run(Duration::from_millis(10), || ()).await
        };
        let (first, second) = tokio::join!(busy, turned_away);
        assert!(first.is_ok());
        assert_eq!(second, Err(WorkError::Saturated(Duration::from_millis(10))));
    }
}

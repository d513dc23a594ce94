//! SQLite's one writer, as a task that owns the write connection.
//!
//! SQLite lets one connection write at a time, whatever the pool size. So
//! every write is a job sent to this task, which runs jobs in the order they
//! came, several to a transaction: it takes whatever jobs are waiting (up to
//! [`MAX_BATCH`]), runs them one after another inside one `begin immediate …
//! commit`, and only after the commit tells each caller its result. Queued
//! writers wait in a channel instead of sleeping in SQLite's busy handler, a
//! commit is paid once per batch rather than once per job, and exactly one of
//! two claims of the same code still wins (they run in sequence on one
//! connection, the second seeing the first's update). A caller that goes away
//! (a client hanging up) cannot cut a transaction in half: the job runs to the
//! end either way.
//!
//! If anything in a batch fails, the batch is rolled back and each of its jobs
//! runs again alone, so one bad job never costs the others their write.

use super::{StoreError, StoreResult};
use sqlx::any::AnyConnectOptions;
use sqlx::{AnyConnection, ConnectOptions, Connection, Executor};
use std::future::Future;
use std::pin::Pin;
use std::time::Duration;
use tokio::sync::{mpsc, oneshot};

/// Jobs per transaction at most.
pub const MAX_BATCH: usize = 64;
/// Jobs waiting at most; further writers wait to send.
const QUEUE: usize = 1024;

/// A future borrowing the job and the connection.
pub type WriteFuture<'c, T> = Pin<Box<dyn Future<Output = StoreResult<T>> + Send + 'c>>;

/// One write: its data, and the statements that persist it. `run` may be
/// called more than once (a failed batch reruns each job alone), so it reads
/// its data without consuming it.
pub trait Write: Send + Sync + 'static {
    type Output: Send + 'static;
    fn run<'c>(&'c self, conn: &'c mut AnyConnection) -> WriteFuture<'c, Self::Output>;
}

/// A job with its result kept until the transaction it ran in has committed.
trait Job: Send {
    fn run<'c>(&'c mut self, conn: &'c mut AnyConnection) -> WriteFuture<'c, ()>;
    /// Delivers the kept result, or `failed` if the transaction did not commit.
    fn finish(self: Box<Self>, failed: Option<StoreError>);
}

struct Typed<W: Write> {
    write: W,
    result: Option<W::Output>,
    reply: oneshot::Sender<StoreResult<W::Output>>,
}

impl<W: Write> Job for Typed<W> {
    fn run<'c>(&'c mut self, conn: &'c mut AnyConnection) -> WriteFuture<'c, ()> {
        let Typed { write, result, .. } = self;
        Box::pin(async move {
            *result = None;
            *result = Some(write.run(conn).await?);
            Ok(())
        })
    }

    fn finish(self: Box<Self>, failed: Option<StoreError>) {
        let outcome = match (failed, self.result) {
            (Some(e), _) => Err(e),
            (None, Some(v)) => Ok(v),
            (None, None) => Err(StoreError::Corrupt(
                "a write job finished without running".into(),
            )),
        };
        // The caller may have gone away; the write stands either way.
        let _ = self.reply.send(outcome);
    }
}

/// The handle requests use to send writes.
#[derive(Debug, Clone)]
pub struct Writer {
    jobs: mpsc::Sender<Box<dyn Job>>,
}

impl std::fmt::Debug for dyn Job {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Job")
    }
}

impl Writer {
    /// Opens the write connection and starts the task.
    pub async fn start(
        options: AnyConnectOptions,
        timeout: Duration,
    ) -> Result<Writer, sqlx::Error> {
        let conn = open(&options, timeout).await?;
        let (jobs, queue) = mpsc::channel(QUEUE);
        tokio::spawn(serve(conn, options, timeout, queue));
        Ok(Writer { jobs })
    }

    /// Runs `write` in a write transaction; returns once it committed.
    pub async fn run<W: Write>(&self, write: W) -> StoreResult<W::Output> {
        let (reply, answer) = oneshot::channel();
        let job: Box<dyn Job> = Box::new(Typed {
            write,
            result: None,
            reply,
        });
        self.jobs.send(job).await.map_err(|_| stopped())?;
        answer.await.map_err(|_| stopped())?
    }
}

/// What the other jobs of a batch that found the database unavailable get.
fn unavailable() -> StoreError {
    StoreError::Unavailable(sqlx::Error::PoolTimedOut)
}

fn stopped() -> StoreError {
    StoreError::Db(sqlx::Error::PoolClosed)
}

async fn serve(
    mut conn: AnyConnection,
    options: AnyConnectOptions,
    timeout: Duration,
    mut queue: mpsc::Receiver<Box<dyn Job>>,
) {
    let mut batch: Vec<Box<dyn Job>> = Vec::with_capacity(MAX_BATCH);
    while let Some(first) = queue.recv().await {
        batch.push(first);
        while batch.len() < MAX_BATCH {
            match queue.try_recv() {
                Ok(job) => batch.push(job),
                Err(_) => break,
            }
        }
        match run_batch(&mut conn, &mut batch).await {
            Ok(()) => batch.drain(..).for_each(|job| job.finish(None)),
            Err(e @ StoreError::Unavailable(_)) => {
                // The database is not there (another process holds the
                // lock past busy_timeout, the disk is gone): each job alone
                // would wait as long again. Every job of the batch, and
                // every job that queued meanwhile, fails now.
                while let Ok(job) = queue.try_recv() {
                    batch.push(job);
                }
                let mut first = Some(e);
                for job in batch.drain(..) {
                    let e = first.take().unwrap_or_else(unavailable);
                    job.finish(Some(e));
                }
                continue_after_failure(&mut conn, &options, timeout).await;
            }
            Err(e) => {
                // One job's own statement failed: run each alone, so that
                // only that one fails.
                continue_after_failure(&mut conn, &options, timeout).await;
                if batch.len() == 1 {
                    if let Some(job) = batch.pop() {
                        job.finish(Some(e));
                    }
                    continue;
                }
                for mut job in batch.drain(..) {
                    let alone = run_batch(&mut conn, std::slice::from_mut(&mut job)).await;
                    job.finish(alone.err());
                }
            }
        }
    }
}

/// Runs the jobs in one transaction; on any failure rolls it all back.
async fn run_batch(conn: &mut AnyConnection, batch: &mut [Box<dyn Job>]) -> StoreResult<()> {
    conn.execute("begin immediate").await?;
    for job in batch.iter_mut() {
        if let Err(e) = job.run(conn).await {
            let _ = conn.execute("rollback").await;
            return Err(e);
        }
    }
    if let Err(e) = conn.execute("commit").await {
        let _ = conn.execute("rollback").await;
        return Err(e.into());
    }
    Ok(())
}

/// After a failure the connection may be gone (a deleted file, a full
/// disk): if it no longer answers, open a new one.
async fn continue_after_failure(
    conn: &mut AnyConnection,
    options: &AnyConnectOptions,
    timeout: Duration,
) {
    if conn.ping().await.is_ok() {
        return;
    }
    match open(options, timeout).await {
        Ok(fresh) => *conn = fresh,
        Err(e) => tracing::warn!(error = %e, "cannot reopen the SQLite write connection"),
    }
}

/// The write connection, set up like the pool's (see `Db::open`).
async fn open(
    options: &AnyConnectOptions,
    timeout: Duration,
) -> Result<AnyConnection, sqlx::Error> {
    let mut conn = options.connect().await?;
    for pragma in super::SQLITE_PRAGMAS {
        conn.execute(*pragma).await?;
    }
    conn.execute(format!("pragma busy_timeout = {}", timeout.as_millis()).as_str())
        .await?;
    Ok(conn)
}

//! The audit writer. Events from concurrent requests are batched into one transaction
//! (group commit); each request waits until its batch is durably committed.
//! Writes that change data instead put their event in the same transaction as the change.

use std::sync::mpsc::{sync_channel, Receiver, SyncSender, TrySendError};
use std::sync::{Arc, Mutex, MutexGuard};

use diesel::Connection;
use tokio::sync::oneshot;

use super::model::{ChainHead, EventData};
use super::store;
use crate::db::{write_tx, DatabaseTarget, DbConn};
use crate::error::{AppError, AppResult};

struct Job {
    event: EventData,
    done: oneshot::Sender<Result<(), ()>>,
}

#[derive(Clone)]
pub struct AuditLog {
    sender: SyncSender<Job>,
    chain: Arc<Mutex<ChainHead>>,
}

impl AuditLog {
    /// Starts the writer thread. Its chain is new for every writer: `<node>/<uuid>`.
    pub fn start(target: DatabaseTarget, node_id: &str, max_batch: usize) -> Self {
        let chain = Arc::new(Mutex::new(ChainHead::new(format!("{node_id}/{}", crate::db::new_id()))));
        // Bounded: when the database stalls, requests wait here instead of piling up in memory.
        let (sender, receiver) = sync_channel::<Job>(max_batch * 4);
        let writer_chain = chain.clone();
        std::thread::Builder::new()
            .name("audit-writer".into())
            .spawn(move || run_writer(receiver, target, writer_chain, max_batch.max(1)))
            .expect("cannot start the audit writer thread");
        AuditLog { sender, chain }
    }

    pub fn chain_id(&self) -> String {
        lock(&self.chain).chain_id.clone()
    }

    /// Records one event and returns once it is committed. Fails closed.
    pub async fn record(&self, event: EventData) -> AppResult<()> {
        check(&event)?;
        let (done, wait) = oneshot::channel();
        match self.sender.try_send(Job { event, done }) {
            Ok(()) => {}
            Err(TrySendError::Full(job)) => {
                // The queue is full: wait for room on a blocking thread rather than fail.
                let sender = self.sender.clone();
                actix_web::web::block(move || sender.send(job).map_err(|_| ()))
                    .await
                    .map_err(|_| AppError::AuditUnavailable)?
                    .map_err(|_| AppError::AuditUnavailable)?;
            }
            Err(TrySendError::Disconnected(_)) => return Err(AppError::AuditUnavailable),
        }
        match wait.await {
            Ok(Ok(())) => Ok(()),
            _ => Err(AppError::AuditUnavailable),
        }
    }

    /// The same, for code that runs on a blocking thread (CLI, jobs).
    pub fn record_blocking(&self, event: EventData) -> AppResult<()> {
        check(&event)?;
        let (done, wait) = oneshot::channel();
        self.sender.send(Job { event, done }).map_err(|_| AppError::AuditUnavailable)?;
        match wait.blocking_recv() {
            Ok(Ok(())) => Ok(()),
            _ => Err(AppError::AuditUnavailable),
        }
    }

    /// Runs a change and writes its audit event in the same transaction: the change and its event
    /// commit together or not at all. `change` returns its value and the event describing it.
    pub fn write_with<T>(
        &self,
        conn: &mut DbConn,
        change: impl FnOnce(&mut DbConn) -> AppResult<(T, EventData)>,
    ) -> AppResult<T> {
        let mut head = lock(&self.chain);
        let (value, next) = write_tx(conn, |c| {
            let (value, event) = change(c)?;
            check(&event)?;
            // A change to a case may change why it is stuck: marked in the same transaction, settled later.
            if let Some(case_id) = &event.case_id {
                crate::db::mark_case_changed(c, case_id, event.occurred_at)?;
            }
            let (links, next) = head.link(std::slice::from_ref(&event));
            store::insert(c, &event, &links[0]).map_err(|e| {
                tracing::error!(error = %e, "audit write failed");
                AppError::AuditUnavailable
            })?;
            Ok::<_, AppError>((value, next))
        })?;
        *head = next;
        Ok(value)
    }

    /// One event in one transaction of its own: the baseline the benchmark compares group commit with.
    pub fn write_single(&self, conn: &mut DbConn, event: EventData) -> AppResult<()> {
        self.write_with(conn, |_| Ok(((), event)))
    }
}

/// An event that cannot be stored fails its own request (503), before it can join anyone's batch.
fn check(event: &EventData) -> AppResult<()> {
    event.check_storable().map_err(|problem| {
        tracing::error!(problem, action = %event.action, "audit event refused before writing");
        AppError::AuditUnavailable
    })
}

fn lock(chain: &Mutex<ChainHead>) -> MutexGuard<'_, ChainHead> {
    chain.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

fn run_writer(receiver: Receiver<Job>, target: DatabaseTarget, chain: Arc<Mutex<ChainHead>>, max_batch: usize) {
    let mut conn: Option<DbConn> = None;
    let mut batch: Vec<Job> = Vec::with_capacity(max_batch);
    // Blocks for the first job; takes whatever else is already waiting, up to max_batch.
    while let Ok(first) = receiver.recv() {
        batch.push(first);
        while batch.len() < max_batch {
            match receiver.try_recv() {
                Ok(job) => batch.push(job),
                Err(_) => break,
            }
        }
        let result = commit_batch(&mut conn, &target, &chain, &batch);
        match result {
            Ok(()) => {
                for job in batch.drain(..) {
                    let _ = job.done.send(Ok(()));
                }
            }
            Err(e) => {
                tracing::error!(error = %e, events = batch.len(), "audit batch could not be committed");
                // Each event again on its own: only one that cannot be stored fails its request.
                for job in batch.drain(..) {
                    let single = commit_batch(&mut conn, &target, &chain, std::slice::from_ref(&job));
                    if let Err(e) = &single {
                        tracing::error!(error = %e, "audit event could not be committed");
                    }
                    let _ = job.done.send(single.map_err(|_| ()));
                }
            }
        }
    }
}

fn commit_batch(
    conn: &mut Option<DbConn>,
    target: &DatabaseTarget,
    chain: &Mutex<ChainHead>,
    batch: &[Job],
) -> Result<(), String> {
    if conn.is_none() {
        *conn = Some(target.connect().map_err(|e| e.to_string())?);
    }
    let c = conn.as_mut().expect("connected above");
    let events: Vec<EventData> = batch.iter().map(|j| j.event.clone()).collect();
    let mut head = lock(chain);
    let (links, next) = head.link(&events);
    let rows: Vec<_> = events.iter().zip(&links).collect();
    let result = c.transaction(|c| store::insert_batch(c, &rows));
    match result {
        Ok(()) => {
            *head = next;
            Ok(())
        }
        Err(e) => {
            // Start from a fresh connection next time; the chain head is unchanged.
            *conn = None;
            Err(e.to_string())
        }
    }
}

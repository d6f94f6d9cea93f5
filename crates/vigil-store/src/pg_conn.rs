//! A PostgreSQL connection used from synchronous code that can send several
//! statements before reading any answer (pipelining).
//!
//! A unit of work holds the log's sequencer lock from its first statement
//! to its commit, and every other writer waits for it. With a client that
//! waits for each answer before sending the next statement, the lock was
//! held for a dozen round trips, each a wake-up of the server and of Vigil.
//! Here statements whose answer only says that they worked (an insert of a
//! row, the log's append, `BEGIN` and `COMMIT`) are kept back and sent with
//! the next statement whose answer the unit needs, in one write: the server
//! runs them in the order sent, as it would have one by one, so nothing a
//! later statement reads changes, and the first failure among them fails
//! the unit as it would have failed it at once.
//!
//! It is tokio-postgres driven by a runtime of its own on the calling
//! thread, as the synchronous `postgres` client is, which cannot pipeline.

use postgres::types::ToSql;
use postgres::{Error, Row, Statement};
use std::future::Future;
use tokio_postgres::ToStatement;

async fn run_deferred(client: &tokio_postgres::Client, d: &Deferred) -> Result<u64, Error> {
    let params: Vec<&(dyn ToSql + Sync)> = d.params.iter().map(|p| &**p as &(dyn ToSql + Sync)).collect();
    client.execute(&d.statement, &params).await
}

/// What a kept-back statement's row count must be, checked when it comes.
pub(crate) type Check = Box<dyn FnOnce(u64) -> Result<(), crate::StoreError> + Send>;

/// A statement kept back until the next one whose answer is needed.
pub(crate) struct Deferred {
    statement: Statement,
    params: Vec<Box<dyn ToSql + Sync + Send>>,
    check: Option<Check>,
}

impl Deferred {
    pub(crate) fn new(statement: Statement, params: Vec<Box<dyn ToSql + Sync + Send>>, check: Option<Check>) -> Self {
        Deferred { statement, params, check }
    }
}

pub(crate) struct PgConn {
    runtime: tokio::runtime::Runtime,
    client: tokio_postgres::Client,
}

impl PgConn {
    pub(crate) fn connect(url: &str) -> Result<Self, crate::StoreError> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| crate::StoreError::Unavailable(format!("starting the PostgreSQL client's runtime: {e}")))?;
        let (client, connection) = runtime.block_on(tokio_postgres::connect(url, tokio_postgres::NoTls))?;
        // Driven whenever this thread waits on the runtime, that is, during
        // every call below; between calls nothing is in flight.
        runtime.spawn(async move {
            let _ = connection.await;
        });
        Ok(PgConn { runtime, client })
    }

    pub(crate) fn prepare(&mut self, sql: &str) -> Result<Statement, Error> {
        self.runtime.block_on(self.client.prepare(sql))
    }

    /// A simple-protocol batch of statements separated by semicolons.
    pub(crate) fn batch_execute(&mut self, sql: &str) -> Result<(), Error> {
        self.runtime.block_on(self.client.batch_execute(sql))
    }

    pub(crate) fn execute<T: ToStatement + ?Sized + Sync>(
        &mut self,
        statement: &T,
        params: &[&(dyn ToSql + Sync)],
    ) -> Result<u64, Error> {
        self.runtime.block_on(self.client.execute(statement, params))
    }

    pub(crate) fn query_one<T: ToStatement + ?Sized + Sync>(
        &mut self,
        statement: &T,
        params: &[&(dyn ToSql + Sync)],
    ) -> Result<Row, Error> {
        self.runtime.block_on(self.client.query_one(statement, params))
    }

    /// Sends every `pending` statement, then the one `last` makes, before
    /// reading any answer, and answers `last`'s. The first failure among
    /// them (a statement's, or a kept-back statement's check) is the answer
    /// where one failed: the server refuses everything after a failed
    /// statement in the transaction, so later failures only repeat it.
    pub(crate) fn pipelined<'c, T, F, Fut>(
        &'c mut self,
        mut pending: Vec<Deferred>,
        last: F,
    ) -> Result<T, crate::StoreError>
    where
        F: FnOnce(&'c tokio_postgres::Client) -> Fut,
        Fut: Future<Output = Result<T, Error>> + 'c,
    {
        let PgConn { runtime, client } = &*self;
        if pending.is_empty() {
            return Ok(runtime.block_on(last(client))?);
        }
        let checks: Vec<Option<Check>> = pending.iter_mut().map(|d| d.check.take()).collect();
        runtime.block_on(async {
            // A request goes out when its future is first polled, so each
            // round below polls in order: the pending statements, then
            // `last`. (`join_all` does not promise an order for many.)
            let mut kept: Vec<_> = pending.iter().map(|d| Box::pin(run_deferred(client, d))).collect();
            let mut done: Vec<Option<Result<u64, Error>>> = kept.iter().map(|_| None).collect();
            let mut last = std::pin::pin!(last(client));
            let mut answer = None;
            std::future::poll_fn(|cx| {
                for (f, d) in kept.iter_mut().zip(done.iter_mut()) {
                    if d.is_none() {
                        if let std::task::Poll::Ready(r) = f.as_mut().poll(cx) {
                            *d = Some(r);
                        }
                    }
                }
                if answer.is_none() {
                    if let std::task::Poll::Ready(r) = last.as_mut().poll(cx) {
                        answer = Some(r);
                    }
                }
                if answer.is_some() && done.iter().all(Option::is_some) {
                    std::task::Poll::Ready(())
                } else {
                    std::task::Poll::Pending
                }
            })
            .await;
            for (d, check) in done.into_iter().flatten().zip(checks) {
                let rows = d?;
                if let Some(check) = check {
                    check(rows)?;
                }
            }
            Ok(answer.expect("polled to completion above")?)
        })
    }

    /// COPY … FROM STDIN BINARY of `rows` (each as the `types` say), sent
    /// after the `pending` statements.
    pub(crate) fn copy_in_binary(
        &mut self,
        pending: Vec<Deferred>,
        statement: &str,
        types: &[postgres::types::Type],
        rows: &[Vec<&(dyn ToSql + Sync)>],
    ) -> Result<u64, crate::StoreError> {
        self.pipelined(pending, |client| async move {
            let sink = client.copy_in(statement).await?;
            let writer = tokio_postgres::binary_copy::BinaryCopyInWriter::new(sink, types);
            let mut writer = std::pin::pin!(writer);
            for row in rows {
                writer.as_mut().write(row).await?;
            }
            writer.finish().await
        })
    }
}

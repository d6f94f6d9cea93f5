//! PostgreSQL statements prepared once per connection. Given SQL text, the
//! driver prepares it anew on every call: one more round trip each time.
//! A unit of work makes about a dozen calls while it holds the log's
//! sequencer lock, so each of those extra trips made every other writer
//! wait too. Here each SQL text is prepared the first time a connection
//! uses it and reused after that. The set of texts is fixed by this crate's
//! code (no call builds SQL from values), so the cache stays small.
//!
//! A prepared statement outlives a rolled-back transaction in PostgreSQL,
//! so a failed unit leaves the cache valid.

use crate::pg_conn::{Check, Deferred, PgConn};
use postgres::types::ToSql;
use postgres::{Error, Row, Statement};
use std::collections::HashMap;

#[derive(Default)]
pub(crate) struct Statements(HashMap<String, Statement>);

/// SQL text (prepared through the cache) or a statement already prepared.
pub(crate) trait Sql {
    fn prepared(&self, conn: &mut PgConn, cache: &mut Statements) -> Result<Statement, Error>;
}

impl Sql for str {
    fn prepared(&self, conn: &mut PgConn, cache: &mut Statements) -> Result<Statement, Error> {
        if let Some(s) = cache.0.get(self) {
            return Ok(s.clone());
        }
        let s = conn.prepare(self)?;
        cache.0.insert(self.to_owned(), s.clone());
        Ok(s)
    }
}

impl Sql for String {
    fn prepared(&self, conn: &mut PgConn, cache: &mut Statements) -> Result<Statement, Error> {
        self.as_str().prepared(conn, cache)
    }
}

impl Sql for Statement {
    fn prepared(&self, _: &mut PgConn, _: &mut Statements) -> Result<Statement, Error> {
        Ok(self.clone())
    }
}

/// A connection borrowed with its statements and, inside a unit of work,
/// the statements kept back to go out with the next one (see `pg_conn`).
pub(crate) struct Db<'a> {
    pub(crate) conn: &'a mut PgConn,
    pub(crate) cache: &'a mut Statements,
    pub(crate) pending: Option<&'a mut Vec<Deferred>>,
}

type Params<'p> = &'p [&'p (dyn ToSql + Sync)];

impl Db<'_> {
    pub(crate) fn prepare(&mut self, sql: &(impl Sql + ?Sized)) -> Result<Statement, Error> {
        sql.prepared(self.conn, self.cache)
    }

    /// Keeps a statement back, to be sent with the next one whose answer
    /// is needed (or at once outside a unit of work). For statements whose
    /// answer is only that they worked.
    pub(crate) fn defer(
        &mut self,
        sql: &(impl Sql + ?Sized),
        params: Vec<Box<dyn ToSql + Sync + Send>>,
    ) -> Result<(), crate::StoreError> {
        self.defer_checked(sql, params, None)
    }

    /// As [`Db::defer`], with what its row count must be checked against
    /// when the answer comes (that may fail the statement it went out with).
    pub(crate) fn defer_checked(
        &mut self,
        sql: &(impl Sql + ?Sized),
        params: Vec<Box<dyn ToSql + Sync + Send>>,
        check: Option<Check>,
    ) -> Result<(), crate::StoreError> {
        let statement = self.prepare(sql)?;
        match self.pending.as_deref_mut() {
            Some(p) => p.push(Deferred::new(statement, params, check)),
            None => {
                let refs: Vec<&(dyn ToSql + Sync)> = params.iter().map(|p| &**p as &(dyn ToSql + Sync)).collect();
                let n = self.conn.execute(&statement, &refs)?;
                if let Some(check) = check {
                    check(n)?;
                }
            }
        }
        Ok(())
    }

    /// The statements kept back so far, taken to be sent now.
    pub(crate) fn take_pending(&mut self) -> Vec<Deferred> {
        self.pending.as_deref_mut().map(std::mem::take).unwrap_or_default()
    }

    pub(crate) fn execute(&mut self, sql: &(impl Sql + ?Sized), params: Params<'_>) -> Result<u64, crate::StoreError> {
        let s = self.prepare(sql)?;
        let pending = self.take_pending();
        self.conn.pipelined(pending, |c| async move { c.execute(&s, params).await })
    }

    pub(crate) fn query(
        &mut self,
        sql: &(impl Sql + ?Sized),
        params: Params<'_>,
    ) -> Result<Vec<Row>, crate::StoreError> {
        let s = self.prepare(sql)?;
        let pending = self.take_pending();
        self.conn.pipelined(pending, |c| async move { c.query(&s, params).await })
    }

    pub(crate) fn query_one(
        &mut self,
        sql: &(impl Sql + ?Sized),
        params: Params<'_>,
    ) -> Result<Row, crate::StoreError> {
        let s = self.prepare(sql)?;
        let pending = self.take_pending();
        self.conn.pipelined(pending, |c| async move { c.query_one(&s, params).await })
    }

    pub(crate) fn query_opt(
        &mut self,
        sql: &(impl Sql + ?Sized),
        params: Params<'_>,
    ) -> Result<Option<Row>, crate::StoreError> {
        let s = self.prepare(sql)?;
        let pending = self.take_pending();
        self.conn.pipelined(pending, |c| async move { c.query_opt(&s, params).await })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Needs the real server; skipped with the reason printed outside CI.
    fn client() -> Option<PgConn> {
        let url =
            std::env::var("VIGIL_TEST_PG").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
        match PgConn::connect(&url) {
            Ok(c) => Some(c),
            Err(e) if std::env::var("CI").as_deref() != Ok("true") => {
                eprintln!("SKIPPED: statement cache test: cannot reach {url}: {e}");
                None
            }
            Err(e) => panic!("PostgreSQL at {url} is required in CI: {e}"),
        }
    }

    #[test]
    fn a_text_is_prepared_once_and_survives_a_rolled_back_transaction() {
        let Some(mut c) = client() else { return };
        let mut cache = Statements::default();
        let sql = "SELECT $1::INT8 + 1";
        {
            c.batch_execute("BEGIN").unwrap();
            let mut db = Db { conn: &mut c, cache: &mut cache, pending: None };
            assert_eq!(db.query_one(sql, &[&1i64]).unwrap().get::<_, i64>(0), 2);
            // Rolled back, as a failed unit of work is.
            c.batch_execute("ROLLBACK").unwrap();
        }
        assert_eq!(cache.0.len(), 1);
        let mut db = Db { conn: &mut c, cache: &mut cache, pending: None };
        for n in 0..3i64 {
            assert_eq!(db.query_one(sql, &[&n]).unwrap().get::<_, i64>(0), n + 1);
        }
        assert_eq!(db.cache.0.len(), 1);
        // The server holds it once for this connection, not once per call.
        let held: i64 =
            c.query_one("SELECT count(*) FROM pg_prepared_statements WHERE statement = $1", &[&sql]).unwrap().get(0);
        assert_eq!(held, 1);
    }

    /// Statements kept back go out before the next one, in the order they
    /// were kept, and the first failure among them is the answer.
    #[test]
    fn kept_back_statements_run_in_order_before_the_next_and_fail_it() {
        let Some(mut c) = client() else { return };
        let mut cache = Statements::default();
        let mut pending = Vec::new();
        c.batch_execute("BEGIN; CREATE TEMP TABLE kept (n INT8 PRIMARY KEY, after INT8)").unwrap();
        let mut db = Db { conn: &mut c, cache: &mut cache, pending: Some(&mut pending) };
        let insert = "INSERT INTO kept (n, after) SELECT $1, (SELECT max(n) FROM kept)";
        for n in 1..=40i64 {
            db.defer(insert, vec![Box::new(n)]).unwrap();
        }
        assert_eq!(db.pending.as_ref().map(|p| p.len()), Some(40), "nothing sent yet");
        let rows = db.query("SELECT n, after FROM kept ORDER BY n", &[]).unwrap();
        assert_eq!(rows.len(), 40);
        for (i, r) in rows.iter().enumerate() {
            let after: Option<i64> = r.get(1);
            assert_eq!(after, (i > 0).then_some(i as i64), "row {} saw the rows kept before it", i + 1);
        }
        assert!(db.pending.as_ref().is_some_and(|p| p.is_empty()));
        db.defer(insert, vec![Box::new(41i64)]).unwrap();
        db.defer(insert, vec![Box::new(7i64)]).unwrap();
        db.defer(insert, vec![Box::new(42i64)]).unwrap();
        match db.query_one("SELECT count(*) FROM kept", &[]).unwrap_err() {
            crate::StoreError::Postgres(e) => {
                assert_eq!(e.code(), Some(&postgres::error::SqlState::UNIQUE_VIOLATION), "{e}")
            }
            e => panic!("{e}"),
        }
        // A kept-back statement's check fails the statement it went out with.
        db.conn.batch_execute("ROLLBACK; BEGIN").unwrap();
        db.defer_checked(
            "SELECT 1 WHERE $1::INT8 > 0",
            vec![Box::new(0i64)],
            Some(Box::new(|n| if n == 1 { Ok(()) } else { Err(crate::StoreError::Malformed("checked row count")) })),
        )
        .unwrap();
        assert!(matches!(db.query_one("SELECT 1", &[]), Err(crate::StoreError::Malformed("checked row count"))));
        c.batch_execute("ROLLBACK").unwrap();
    }
}

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

use postgres::types::ToSql;
use postgres::{Error, GenericClient, Row, Statement};
use std::collections::HashMap;

#[derive(Default)]
pub(crate) struct Statements(HashMap<String, Statement>);

/// SQL text (prepared through the cache) or a statement already prepared.
pub(crate) trait Sql {
    fn prepared(&self, conn: &mut impl GenericClient, cache: &mut Statements) -> Result<Statement, Error>;
}

impl Sql for str {
    fn prepared(&self, conn: &mut impl GenericClient, cache: &mut Statements) -> Result<Statement, Error> {
        if let Some(s) = cache.0.get(self) {
            return Ok(s.clone());
        }
        let s = conn.prepare(self)?;
        cache.0.insert(self.to_owned(), s.clone());
        Ok(s)
    }
}

impl Sql for String {
    fn prepared(&self, conn: &mut impl GenericClient, cache: &mut Statements) -> Result<Statement, Error> {
        self.as_str().prepared(conn, cache)
    }
}

impl Sql for Statement {
    fn prepared(&self, _: &mut impl GenericClient, _: &mut Statements) -> Result<Statement, Error> {
        Ok(self.clone())
    }
}

/// A connection or transaction borrowed with its connection's statements.
pub(crate) struct Db<'a, C> {
    pub(crate) conn: &'a mut C,
    pub(crate) cache: &'a mut Statements,
}

type Params<'p> = &'p [&'p (dyn ToSql + Sync)];

impl<C: GenericClient> Db<'_, C> {
    pub(crate) fn prepare(&mut self, sql: &(impl Sql + ?Sized)) -> Result<Statement, Error> {
        sql.prepared(self.conn, self.cache)
    }

    pub(crate) fn execute(&mut self, sql: &(impl Sql + ?Sized), params: Params<'_>) -> Result<u64, Error> {
        let s = self.prepare(sql)?;
        self.conn.execute(&s, params)
    }

    pub(crate) fn query(&mut self, sql: &(impl Sql + ?Sized), params: Params<'_>) -> Result<Vec<Row>, Error> {
        let s = self.prepare(sql)?;
        self.conn.query(&s, params)
    }

    pub(crate) fn query_one(&mut self, sql: &(impl Sql + ?Sized), params: Params<'_>) -> Result<Row, Error> {
        let s = self.prepare(sql)?;
        self.conn.query_one(&s, params)
    }

    pub(crate) fn query_opt(&mut self, sql: &(impl Sql + ?Sized), params: Params<'_>) -> Result<Option<Row>, Error> {
        let s = self.prepare(sql)?;
        self.conn.query_opt(&s, params)
    }

    /// Runs a query planned for these values every time, not prepared: for
    /// a lookup in a table that grows fast from empty, whose plan cached
    /// while it was small (a scan of every row) would be kept as it grows
    /// until the server next analyses it. Still one round trip.
    pub(crate) fn query_planned(
        &mut self,
        sql: &str,
        params: &[(&(dyn ToSql + Sync), postgres::types::Type)],
    ) -> Result<Vec<Row>, Error> {
        self.conn.query_typed(sql, params)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Needs the real server; skipped with the reason printed outside CI.
    fn client() -> Option<postgres::Client> {
        let url =
            std::env::var("VIGIL_TEST_PG").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
        match postgres::Client::connect(&url, postgres::NoTls) {
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
            let mut tx = c.transaction().unwrap();
            let mut db = Db { conn: &mut tx, cache: &mut cache };
            assert_eq!(db.query_one(sql, &[&1i64]).unwrap().get::<_, i64>(0), 2);
            // Rolled back on drop, as a failed unit of work is.
        }
        assert_eq!(cache.0.len(), 1);
        let mut db = Db { conn: &mut c, cache: &mut cache };
        for n in 0..3i64 {
            assert_eq!(db.query_one(sql, &[&n]).unwrap().get::<_, i64>(0), n + 1);
        }
        assert_eq!(db.cache.0.len(), 1);
        // The server holds it once for this connection, not once per call.
        let held: i64 =
            c.query_one("SELECT count(*) FROM pg_prepared_statements WHERE statement = $1", &[&sql]).unwrap().get(0);
        assert_eq!(held, 1);
    }
}

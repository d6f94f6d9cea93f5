//! Store errors. Messages name the backend and never include row content.

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    // No `#[source]`: the message already carries the cause, and a chain
    // printer would otherwise repeat it.
    #[error("SQLite: {0}")]
    Sqlite(rusqlite::Error),
    #[error("PostgreSQL: {0}")]
    Postgres(postgres::Error),
    #[error("the database holds a malformed {0}")]
    Malformed(&'static str),
    #[error("the database schema is version {found}, newer than this Vigil knows ({known}); upgrade Vigil")]
    TooNew { found: u32, known: u32 },
    #[error("{0} already exists")]
    Duplicate(String),
    /// A key was to be wrapped under a master key that a rotation has
    /// replaced (it committed while this writer was sealing): the content
    /// would be unreadable once the old key file is gone, so nothing is kept.
    #[error("the master key {0} was replaced by a key rotation while this was being written; nothing was kept, run it again")]
    RetiredMasterKey(String),
    /// The database is set up so that it cannot keep what it acknowledges.
    #[error("{0}")]
    Unsafe(String),
    /// No connection could be had in time; the request may be retried.
    #[error("the store is unavailable: {0}")]
    Unavailable(String),
}

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        StoreError::Sqlite(e)
    }
}

impl From<postgres::Error> for StoreError {
    fn from(e: postgres::Error) -> Self {
        StoreError::Postgres(e)
    }
}

//! Store errors. Messages name the backend and never include row content.

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("SQLite: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("PostgreSQL: {0}")]
    Postgres(#[from] postgres::Error),
    #[error("the database holds a malformed {0}")]
    Malformed(&'static str),
    #[error("the database schema is version {found}, newer than this Vigil knows ({known}); upgrade Vigil")]
    TooNew { found: u32, known: u32 },
    #[error("{0} already exists")]
    Duplicate(String),
}

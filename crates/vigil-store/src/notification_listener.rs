//! A PostgreSQL connection of its own that `LISTEN`s on a channel, for
//! messages every node must see (officers' alerts): `NOTIFY` from any
//! node's transaction reaches every listener once it commits.

use crate::error::StoreError;
use postgres::fallible_iterator::FallibleIterator;
use postgres::{Client, NoTls};
use std::time::Duration;

pub struct NotificationListener {
    client: Client,
}

impl NotificationListener {
    /// Connects to `url` and listens on `channel` (a plain identifier).
    pub fn connect(url: &str, channel: &str) -> Result<Self, StoreError> {
        assert!(channel.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'), "a channel is a plain identifier");
        let mut client = Client::connect(url, NoTls)?;
        client.batch_execute(&format!("LISTEN {channel}"))?;
        Ok(NotificationListener { client })
    }

    /// The next message's payload, or `None` when none came within `wait`.
    pub fn next(&mut self, wait: Duration) -> Result<Option<String>, StoreError> {
        let mut n = self.client.notifications();
        let mut it = n.timeout_iter(wait);
        Ok(it.next()?.map(|m| m.payload().to_owned()))
    }
}

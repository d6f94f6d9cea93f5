//! Officers' alerts between nodes: on PostgreSQL each alert goes out as a
//! `NOTIFY` and every node, the sender included, hands what it hears to
//! its own signed-in officers. On SQLite (one node) there is nothing to
//! send: the node delivers its own.

use crate::data_dir::Vigil;
use crate::error::CoreError;
use vigil_store::NotificationListener;

/// The PostgreSQL channel alerts travel on.
const ALERT_CHANNEL: &str = "vigil_alerts";

impl Vigil {
    /// Sends an alert line to every node; false where the store has no
    /// nodes to reach (SQLite), and the caller delivers it itself.
    pub fn broadcast_alert(&self, line: &str) -> Result<bool, CoreError> {
        self.write_unlogged(|tx| Ok(tx.notify(ALERT_CHANNEL, line)?))
    }

    /// A connection hearing every node's alerts; `None` on SQLite.
    pub fn alert_listener(&self) -> Result<Option<NotificationListener>, CoreError> {
        if self.backend() != "postgres" {
            return Ok(None);
        }
        Ok(Some(NotificationListener::connect(&self.configured_store()?, ALERT_CHANNEL)?))
    }
}

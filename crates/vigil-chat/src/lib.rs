//! Chat exports read as streams into messages with their source location
//! (file and line, or JSON path), times placed in a zone the officer gives,
//! and the marks the platform left (deleted, edited, omitted media).
//! Knows nothing of the vault, the store or HTTP.

pub mod error;
pub mod local_time;
pub mod message;
pub mod whatsapp;

pub use error::ChatError;
pub use local_time::{place, Placed, TimeBasis, Zone};
pub use message::{ConversationInfo, Item, Message, MessageKind, Sent};

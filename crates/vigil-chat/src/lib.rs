//! Chat exports read as streams into messages with their source location
//! (file and line, or JSON path), times placed in a zone the officer gives,
//! and the marks the platform left (deleted, edited, omitted media); an
//! analysis of what is missing; and the timeline written from both.
//! Knows nothing of the vault, the store or HTTP.

pub mod analysis;
pub mod clock_marker;
pub mod discord;
pub mod error;
mod identifier_scan;
pub mod import;
pub mod instagram;
mod json_frame;
mod json_position;
mod json_stream;
pub mod local_time;
pub mod message;
pub mod public_upload;
pub mod signs;
pub mod spool;
pub mod synthetic;
pub mod telegram;
pub mod timeline;
pub mod whatsapp;
pub mod whatsapp_locale;

pub use analysis::{Analysis, Flags, Summary};
pub use error::ChatError;
pub use import::{analyse, importer, in_memory, read_once, write_timeline, Format, Plan, Reading, Settings};
pub use local_time::{place, Placed, TimeBasis, Zone};
pub use message::{ConversationInfo, Irregular, Item, Message, MessageKind, Sent};
pub use signs::{Sign, SignKind, Signs};
pub use whatsapp::DateOrder;

//! The wall clock, read only here so the domain stays pure.

use vigil_domain::Timestamp;

pub fn now() -> Timestamp {
    let d = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
    Timestamp::from_unix_millis(d.as_millis() as i64)
}

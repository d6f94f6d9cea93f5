//! Places where a test may step in between a check and the write it
//! guards, to play a racing request deterministically. Without the
//! `test-hooks` feature every hook is an empty function.

use std::path::Path;
#[cfg(feature = "test-hooks")]
use std::path::PathBuf;
use vigil_domain::CaseId;

#[cfg(feature = "test-hooks")]
type Hook = ((PathBuf, CaseId), Box<dyn FnOnce() + Send>);

#[cfg(feature = "test-hooks")]
static BETWEEN_CHECK_AND_WRITE: std::sync::Mutex<Vec<Hook>> = std::sync::Mutex::new(Vec::new());

/// Test builds only: runs `f` once, the next time a write for `case` in
/// the data directory `data` has had its rules checked and is about to be
/// written (a case record; a partner's file, under its intake case). Keyed
/// by directory and case, so tests running beside each other do not take
/// each other's hooks.
#[cfg(feature = "test-hooks")]
pub fn once_between_check_and_write(data: &Path, case: &CaseId, f: impl FnOnce() + Send + 'static) {
    BETWEEN_CHECK_AND_WRITE
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .push(((data.to_owned(), case.clone()), Box::new(f)));
}

#[cfg_attr(not(feature = "test-hooks"), allow(unused_variables))]
pub(crate) fn between_check_and_write(data: &Path, case: &CaseId) {
    #[cfg(feature = "test-hooks")]
    {
        let hook = {
            let mut hooks = BETWEEN_CHECK_AND_WRITE.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            hooks.iter().position(|((d, c), _)| d == data && c == case).map(|i| hooks.remove(i).1)
        };
        if let Some(f) = hook {
            f();
        }
    }
}

//! The compiled core of fugitive-alerts' matcher (the Python module `matching._fast`):
//! candidate selection (`candidates.rs`) and name alignment (`align.rs`, `similarity.rs`).
//!
//! The reference is Python: `matching/_index.py` (`CandidateIndex.candidates`),
//! `matching/_names.py` (`align`, `token_similarity` and their helpers) and `matching/rules.py`
//! (`best_alignment`). This crate computes the same thing, its arithmetic operation for operation
//! in the same order, so scores agree to the last bit. Where it goes another way (votes counted
//! in a per-slot table instead of sets, key pairs too different in length left uncompared), the
//! outcome is the same; a test screens the same events both ways and compares every hit
//! (`tests/unit/test_matching_core.py`).
//!
//! Rules live in one place: the tuning constants and the name particles are handed over from
//! Python by `configure`, and each name form comes with the keys of its adjacent parts written
//! together (`_text.join_keys`).
//! What is written out here is arithmetic: edit distances, the greedy pairing, the penalties.

use pyo3::exceptions::PyRuntimeError;
use pyo3::prelude::*;

mod align;
mod candidates;
mod config;
mod form;
mod postings;
mod similarity;

/// A panic in the core (a bug) comes back as `RuntimeError`, which the Python side answers by
/// computing the same thing in the reference, instead of the `PanicException` PyO3 raises
/// (a `BaseException`, which would stop the worker).
pub(crate) fn guarded<T>(f: impl FnOnce() -> PyResult<T>) -> PyResult<T> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(f))
        .unwrap_or_else(|_| Err(PyRuntimeError::new_err("the compiled matching core failed (a panic)")))
}

/// Panics inside the guard (a test that a panic comes back as `RuntimeError`).
#[pyfunction]
fn panic_for_test() -> PyResult<()> {
    guarded(|| -> PyResult<()> { panic!("panic_for_test") })
}

#[pymodule]
fn _fast(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<form::Form>()?;
    m.add_class::<postings::Postings>()?;
    m.add_function(wrap_pyfunction!(config::configure, m)?)?;
    m.add_function(wrap_pyfunction!(align::align_py, m)?)?;
    m.add_function(wrap_pyfunction!(align::best_alignment, m)?)?;
    m.add_function(wrap_pyfunction!(candidates::candidates, m)?)?;
    m.add_function(wrap_pyfunction!(panic_for_test, m)?)?;
    m.add_function(wrap_pyfunction!(similarity::token_similarity_py, m)?)?;
    m.add_function(wrap_pyfunction!(similarity::consonant_key_py, m)?)?;
    m.add_function(wrap_pyfunction!(similarity::osa_normalized_similarity, m)?)?;
    m.add_function(wrap_pyfunction!(similarity::levenshtein_normalized_similarity, m)?)?;
    Ok(())
}

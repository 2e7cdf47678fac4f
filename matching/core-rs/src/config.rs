//! The rules' constants, the name particles and the world-frequent names, handed over from Python
//! once (`configure`).

use pyo3::exceptions::{PyRuntimeError, PyValueError};
use pyo3::prelude::*;
use std::collections::HashSet;
use std::sync::OnceLock;

/// The constants of `matching._names`, the particles of `matching._text` and `matching._common.COMMON`.
pub(crate) struct Config {
    pub(crate) min_pair: f64,
    pub(crate) missing_short: f64,
    pub(crate) extra_long: f64,
    pub(crate) missing_first: f64,
    pub(crate) conflicting_part: f64,
    pub(crate) cross_min: f64,
    pub(crate) swapped_cross_min: f64,
    pub(crate) chain_miss: f64,
    pub(crate) extra_unknown: f64,
    pub(crate) initial_sim: f64,
    pub(crate) weak_part_min: f64,
    pub(crate) particle_cost: f64,
    pub(crate) particles: HashSet<String>,
    /// `_common.COMMON`: name keys frequent world-wide.
    pub(crate) common: HashSet<String>,
    pub(crate) common_apart: f64,
}

pub(crate) static CONFIG: OnceLock<Config> = OnceLock::new();

pub(crate) fn config() -> PyResult<&'static Config> {
    CONFIG.get().ok_or_else(|| PyRuntimeError::new_err("matching._fast.configure() was not called"))
}

/// Hand the rules' constants over, once per process (a second call must agree with the first).
#[pyfunction]
#[pyo3(signature = (*, min_pair, missing_short, extra_long, missing_first, conflicting_part, cross_min,
                    swapped_cross_min, chain_miss, extra_unknown, initial_sim, weak_part_min, particle_cost, particles,
                    common, common_apart))]
#[allow(clippy::too_many_arguments)]
pub(crate) fn configure(
    min_pair: f64,
    missing_short: f64,
    extra_long: f64,
    missing_first: f64,
    conflicting_part: f64,
    cross_min: f64,
    swapped_cross_min: f64,
    chain_miss: f64,
    extra_unknown: f64,
    initial_sim: f64,
    weak_part_min: f64,
    particle_cost: f64,
    particles: Vec<String>,
    common: Vec<String>,
    common_apart: f64,
) -> PyResult<()> {
    let new = Config {
        min_pair,
        missing_short,
        extra_long,
        missing_first,
        conflicting_part,
        cross_min,
        swapped_cross_min,
        chain_miss,
        extra_unknown,
        initial_sim,
        weak_part_min,
        particle_cost,
        particles: particles.into_iter().collect(),
        common: common.into_iter().collect(),
        common_apart,
    };
    if let Some(old) = CONFIG.get() {
        let same = [
            (old.min_pair, new.min_pair),
            (old.missing_short, new.missing_short),
            (old.extra_long, new.extra_long),
            (old.missing_first, new.missing_first),
            (old.conflicting_part, new.conflicting_part),
            (old.cross_min, new.cross_min),
            (old.swapped_cross_min, new.swapped_cross_min),
            (old.chain_miss, new.chain_miss),
            (old.extra_unknown, new.extra_unknown),
            (old.initial_sim, new.initial_sim),
            (old.weak_part_min, new.weak_part_min),
            (old.particle_cost, new.particle_cost),
            (old.common_apart, new.common_apart),
        ]
        .iter()
        .all(|(a, b)| a == b)
            && old.particles == new.particles
            && old.common == new.common;
        return if same {
            Ok(())
        } else {
            Err(PyValueError::new_err("matching._fast is already configured with other constants"))
        };
    }
    let _ = CONFIG.set(new);
    Ok(())
}

//! The rules' constants, the name particles and `token_key`, handed over from Python once
//! (`configure`), and the cache of joined-part keys.

use pyo3::exceptions::{PyRuntimeError, PyValueError};
use pyo3::prelude::*;
use std::collections::{HashMap, HashSet};
use std::sync::{Mutex, OnceLock};

use crate::similarity::chars;

/// The constants of `matching._names`, the particles of `matching._text`, and `token_key`.
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
    pub(crate) token_key: Py<PyAny>,
}

pub(crate) static CONFIG: OnceLock<Config> = OnceLock::new();

/// `token_key` of two adjacent keys written together, by the joined word (bounded like its Python cache).
pub(crate) type JoinCache = Mutex<HashMap<String, Vec<char>>>;
pub(crate) static JOINS: OnceLock<JoinCache> = OnceLock::new();
pub(crate) const JOINS_MAX: usize = 500_000;

pub(crate) fn join_key(py: Python<'_>, cfg: &Config, a: &str, b: &str) -> PyResult<Vec<char>> {
    let cache = JOINS.get_or_init(|| Mutex::new(HashMap::new()));
    let joined = format!("{a}{b}");
    if let Some(k) = cache.lock().map_err(|_| PyRuntimeError::new_err("join cache poisoned"))?.get(&joined) {
        return Ok(k.clone());
    }
    let key: String = cfg.token_key.call1(py, (joined.as_str(),))?.extract(py)?;
    let key = chars(&key);
    let mut map = cache.lock().map_err(|_| PyRuntimeError::new_err("join cache poisoned"))?;
    if map.len() >= JOINS_MAX {
        map.clear();
    }
    map.insert(joined, key.clone());
    Ok(key)
}

pub(crate) fn config() -> PyResult<&'static Config> {
    CONFIG.get().ok_or_else(|| PyRuntimeError::new_err("matching._fast.configure() was not called"))
}

/// Hand the rules' constants over, once per process (a second call must agree with the first).
#[pyfunction]
#[pyo3(signature = (*, min_pair, missing_short, extra_long, missing_first, conflicting_part, cross_min,
                    swapped_cross_min, chain_miss, extra_unknown, initial_sim, weak_part_min, particle_cost, particles, token_key))]
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
    token_key: Py<PyAny>,
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
        token_key,
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
        ]
        .iter()
        .all(|(a, b)| a == b)
            && old.particles == new.particles;
        return if same {
            Ok(())
        } else {
            Err(PyValueError::new_err("matching._fast is already configured with other constants"))
        };
    }
    let _ = CONFIG.set(new);
    Ok(())
}

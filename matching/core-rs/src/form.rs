//! One `NameForm` in the core: keys, skeletons, roles, originals and the units the alignment
//! pairs (single parts, then adjacent parts joined), and what a side's unmatched parts cost.

use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;

use crate::config::{config, Config};
use crate::similarity::{chars, consonant_key, squeeze};

// Forms

pub(crate) const MAX_TOKENS: usize = 64;

pub(crate) struct Unit {
    pub(crate) mask: u64,
    pub(crate) size: usize,
    pub(crate) key: Vec<char>,
    pub(crate) cons: Vec<char>,
    pub(crate) role: char,
}

/// One `NameForm`, ready for comparison: its keys, skeletons, roles, originals and units
/// (single tokens, then adjacent joins, in `_names._units` order).
#[pyclass(frozen, module = "matching._fast")]
pub(crate) struct Form {
    pub(crate) keys: Vec<Vec<char>>,
    pub(crate) sorted_keys: Vec<Vec<char>>,
    pub(crate) roles: Vec<char>,
    pub(crate) particle: Vec<bool>,
    pub(crate) originals: Vec<String>,
    pub(crate) units: Vec<Unit>,
    pub(crate) abjad: bool,
    pub(crate) has_initial: bool,
}

impl Form {
    /// `joins`: the key of each two adjacent keys written together (`_text.join_keys`).
    pub(crate) fn build(
        keys: Vec<String>,
        roles: Vec<char>,
        originals: Vec<String>,
        abjad: bool,
        joins: &[&str],
    ) -> PyResult<Self> {
        let cfg = config()?;
        let n = keys.len();
        if n > MAX_TOKENS || roles.len() != n || originals.len() != n || joins.len() != n.saturating_sub(1) {
            return Err(PyValueError::new_err("name form too long or inconsistent for the compiled core"));
        }
        let key_chars: Vec<Vec<char>> = keys.iter().map(|k| chars(k)).collect();
        let cons: Vec<Vec<char>> = keys.iter().map(|k| consonant_key(k)).collect();
        let particle: Vec<bool> = keys.iter().map(|k| cfg.particles.contains(k)).collect();
        let mut units: Vec<Unit> = Vec::with_capacity(2 * n);
        for i in 0..n {
            units.push(Unit {
                mask: 1u64 << i,
                size: 1,
                key: key_chars[i].clone(),
                cons: cons[i].clone(),
                role: roles[i],
            });
        }
        for (i, join) in joins.iter().enumerate() {
            let key = chars(join);
            let mut jc = cons[i].clone();
            jc.extend_from_slice(&cons[i + 1]);
            let role = if roles[i] == roles[i + 1] { roles[i] } else { '?' };
            units.push(Unit { mask: (1u64 << i) | (1u64 << (i + 1)), size: 2, key, cons: squeeze(&jc), role });
        }
        let mut sorted_keys = key_chars.clone();
        sorted_keys.sort();
        let has_initial = key_chars.iter().any(|k| k.len() == 1);
        Ok(Form { keys: key_chars, sorted_keys, roles, particle, originals, units, abjad, has_initial })
    }

    /// A packed form (`_features._pack`): keys, roles, name index, flags, originals, via, joins.
    pub(crate) fn unpack(packed: &str) -> PyResult<Self> {
        let fields: Vec<&str> = packed.split('\x1f').collect();
        if fields.len() != 7 {
            return Err(PyValueError::new_err("not a packed name form"));
        }
        let keys: Vec<String> = fields[0].split(' ').map(str::to_owned).collect();
        let roles: Vec<char> = fields[1].chars().collect();
        let originals: Vec<String> = fields[4].split('\x1e').map(str::to_owned).collect();
        let joins: Vec<&str> = if fields[6].is_empty() { Vec::new() } else { fields[6].split(' ').collect() };
        Form::build(keys, roles, originals, fields[3].contains('a'), &joins)
    }

    pub(crate) fn orig(&self, mask: u64) -> String {
        let mut seen: Vec<&str> = Vec::new();
        for i in 0..self.keys.len() {
            if mask & (1u64 << i) != 0 {
                let o = self.originals[i].as_str();
                if !seen.contains(&o) {
                    seen.push(o);
                }
            }
        }
        seen.join(" ")
    }

    pub(crate) fn substantive(&self, used: u64) -> usize {
        (0..self.keys.len()).filter(|&i| used & (1u64 << i) != 0 && !self.particle[i]).count()
    }

    /// `_names._unmatched_penalty` (groups in order of their role's first appearance).
    pub(crate) fn unmatched_penalty(&self, used: u64, cfg: &Config) -> f64 {
        let mut penalty = 0.0;
        let mut groups: Vec<(char, Vec<bool>)> = Vec::new();
        for i in 0..self.keys.len() {
            let hit = used & (1u64 << i) != 0;
            if self.particle[i] {
                if !hit {
                    penalty += cfg.particle_cost;
                }
                continue;
            }
            match groups.iter_mut().find(|(r, _)| *r == self.roles[i]) {
                Some((_, hits)) => hits.push(hit),
                None => groups.push((self.roles[i], vec![hit])),
            }
        }
        for (role, hits) in &groups {
            let misses = hits.iter().filter(|h| !**h).count();
            if *role == '?' {
                let need = hits.len().min(2);
                let short = need.saturating_sub(hits.len() - misses);
                penalty += cfg.missing_short * short as f64 + cfg.extra_unknown * (misses - short) as f64;
            } else if misses == hits.len() {
                penalty += cfg.missing_short + cfg.extra_long * (misses - 1) as f64;
            } else if *role == 'p' {
                penalty += cfg.chain_miss * misses as f64;
            } else if *role == 'g' && !hits[0] {
                penalty += cfg.missing_first + cfg.extra_long * (misses - 1) as f64;
            } else {
                penalty += cfg.extra_long * misses as f64;
            }
        }
        penalty
    }

    /// `_names._unmatched_roles`, as a bit set over the role letters.
    pub(crate) fn unmatched_roles(&self, used: u64) -> Vec<char> {
        let mut out = Vec::new();
        for i in 0..self.keys.len() {
            if used & (1u64 << i) == 0 && self.roles[i] != '?' && !self.particle[i] && !out.contains(&self.roles[i]) {
                out.push(self.roles[i]);
            }
        }
        out
    }
}

#[pymethods]
impl Form {
    #[new]
    fn py_new(keys: Vec<String>, roles: &str, originals: Vec<String>, abjad: bool, joins: Vec<String>) -> PyResult<Self> {
        let joins: Vec<&str> = joins.iter().map(String::as_str).collect();
        Form::build(keys, roles.chars().collect(), originals, abjad, &joins)
    }
}

// Alignment

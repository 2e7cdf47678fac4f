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
    /// The part's index (a single part), or the first of the two joined.
    index: usize,
    pub(crate) role: char,
}

/// One `NameForm`, ready for comparison: its keys, skeletons, roles, originals and units
/// (single tokens, then adjacent joins, in `_names._units` order).
#[pyclass(frozen, module = "matching._fast")]
pub(crate) struct Form {
    pub(crate) keys: Vec<Vec<char>>,
    /// The keys' indices in the keys' sorted order (for the any-order exact comparison).
    order: Vec<usize>,
    cons: Vec<Vec<char>>,
    /// Key and skeleton of each two adjacent parts written together.
    joins: Vec<(Vec<char>, Vec<char>)>,
    pub(crate) roles: Vec<char>,
    pub(crate) particle: Vec<bool>,
    /// The written words, one per key, separated by `\x1e` (split only for a hit's reasons).
    originals: String,
    pub(crate) units: Vec<Unit>,
    pub(crate) abjad: bool,
    pub(crate) has_initial: bool,
}

impl Form {
    /// `joins`: the key of each two adjacent keys written together (`_text.join_keys`);
    /// `originals`: the written word of each key, separated by `\x1e`.
    pub(crate) fn build(keys: &[&str], roles: Vec<char>, originals: String, abjad: bool, joins: &[&str]) -> PyResult<Self> {
        let cfg = config()?;
        let n = keys.len();
        if n > MAX_TOKENS
            || roles.len() != n
            || originals.bytes().filter(|&b| b == 0x1e).count() + 1 != n.max(1)
            || joins.len() != n.saturating_sub(1)
        {
            return Err(PyValueError::new_err("name form too long or inconsistent for the compiled core"));
        }
        let key_chars: Vec<Vec<char>> = keys.iter().map(|k| chars(k)).collect();
        let cons: Vec<Vec<char>> = keys.iter().map(|k| consonant_key(k)).collect();
        let particle: Vec<bool> = keys.iter().map(|k| cfg.particles.contains(*k)).collect();
        let mut units: Vec<Unit> = Vec::with_capacity(2 * n);
        for (i, &role) in roles.iter().enumerate() {
            units.push(Unit { mask: 1u64 << i, size: 1, index: i, role });
        }
        let mut joined = Vec::with_capacity(joins.len());
        for (i, join) in joins.iter().enumerate() {
            let mut jc = Vec::with_capacity(cons[i].len() + cons[i + 1].len());
            jc.extend_from_slice(&cons[i]);
            jc.extend_from_slice(&cons[i + 1]);
            joined.push((chars(join), squeeze(&jc)));
            let role = if roles[i] == roles[i + 1] { roles[i] } else { '?' };
            units.push(Unit { mask: (1u64 << i) | (1u64 << (i + 1)), size: 2, index: i, role });
        }
        let mut order: Vec<usize> = (0..n).collect();
        order.sort_by(|&a, &b| key_chars[a].cmp(&key_chars[b]));
        let has_initial = key_chars.iter().any(|k| k.len() == 1);
        Ok(Form {
            keys: key_chars,
            order,
            cons,
            joins: joined,
            roles,
            particle,
            originals,
            units,
            abjad,
            has_initial,
        })
    }

    /// A packed form (`_features._pack`): keys, roles, name index, flags, originals, via, joins.
    pub(crate) fn unpack(packed: &str) -> PyResult<Self> {
        let mut fields = packed.split('\x1f');
        let mut f = [""; 7];
        for slot in &mut f {
            *slot = fields.next().ok_or_else(|| PyValueError::new_err("not a packed name form"))?;
        }
        if fields.next().is_some() {
            return Err(PyValueError::new_err("not a packed name form"));
        }
        let keys: Vec<&str> = f[0].split(' ').collect();
        let joins: Vec<&str> = if f[6].is_empty() { Vec::new() } else { f[6].split(' ').collect() };
        Form::build(&keys, f[1].chars().collect(), f[4].to_owned(), f[3].contains('a'), &joins)
    }

    /// A unit's key and consonant skeleton.
    pub(crate) fn unit(&self, u: &Unit) -> (&[char], &[char]) {
        if u.size == 1 {
            (&self.keys[u.index], &self.cons[u.index])
        } else {
            let (key, cons) = &self.joins[u.index];
            (key, cons)
        }
    }

    /// Whether both forms have the same keys in some order (`sorted(q.keys) == sorted(c.keys)`).
    pub(crate) fn same_keys_any_order(&self, other: &Form) -> bool {
        self.keys.len() == other.keys.len()
            && self.order.iter().zip(&other.order).all(|(&a, &b)| self.keys[a] == other.keys[b])
    }

    /// The written word of key `i`.
    pub(crate) fn original(&self, i: usize) -> &str {
        self.originals.split('\x1e').nth(i).unwrap_or("")
    }

    pub(crate) fn orig(&self, mask: u64) -> String {
        let mut seen: Vec<&str> = Vec::new();
        for i in 0..self.keys.len() {
            if mask & (1u64 << i) != 0 {
                let o = self.original(i);
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
        let keys: Vec<&str> = keys.iter().map(String::as_str).collect();
        let joins: Vec<&str> = joins.iter().map(String::as_str).collect();
        Form::build(&keys, roles.chars().collect(), originals.join("\x1e"), abjad, &joins)
    }
}

// Alignment

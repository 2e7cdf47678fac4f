//! One `NameForm` in the core: keys, skeletons, roles, originals and the units the alignment
//! pairs (single parts, then adjacent parts joined), and what a side's unmatched parts cost.

use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;

use crate::config::{config, Config};
use crate::similarity::{consonant_key_into, push_squeezed};

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
///
/// The keys, their skeletons and the keys and skeletons of adjacent parts joined are held in one
/// buffer (`text`, delimited by `ends`): a notice's forms are unpacked for every comparison, and
/// one allocation instead of one per string is most of what unpacking cost.
#[pyclass(frozen, module = "matching._fast")]
pub(crate) struct Form {
    /// Key `i`, then skeleton `i`, for each part; then key and skeleton of each join.
    text: Vec<char>,
    /// End of each string of `text`, in that order.
    ends: Vec<u32>,
    n: usize,
    /// The keys' indices in the keys' sorted order (for the any-order exact comparison).
    order: Vec<usize>,
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
    pub(crate) fn build<'s>(
        keys: impl Iterator<Item = &'s str> + Clone,
        roles: Vec<char>,
        originals: String,
        abjad: bool,
        joins: impl Iterator<Item = &'s str> + Clone,
    ) -> PyResult<Self> {
        let cfg = config()?;
        let n = keys.clone().count();
        if n > MAX_TOKENS
            || roles.len() != n
            || originals.bytes().filter(|&b| b == 0x1e).count() + 1 != n.max(1)
            || joins.clone().count() != n.saturating_sub(1)
        {
            return Err(PyValueError::new_err("name form too long or inconsistent for the compiled core"));
        }
        let mut text: Vec<char> = Vec::with_capacity(4 * keys.clone().map(str::len).sum::<usize>());
        let mut ends: Vec<u32> = Vec::with_capacity(4 * n);
        let mut particle: Vec<bool> = Vec::with_capacity(n);
        let mut has_initial = false;
        for k in keys {
            let start = text.len();
            text.extend(k.chars());
            has_initial |= text.len() - start == 1;
            ends.push(text.len() as u32);
            consonant_key_into(k, &mut text);
            ends.push(text.len() as u32);
            particle.push(cfg.particles.contains(k));
        }
        let mut units: Vec<Unit> = Vec::with_capacity(2 * n);
        for (i, &role) in roles.iter().enumerate() {
            units.push(Unit { mask: 1u64 << i, size: 1, index: i, role });
        }
        for (i, join) in joins.enumerate() {
            text.extend(join.chars());
            ends.push(text.len() as u32);
            // the parts' skeletons written together, a letter repeated across the seam once
            let start = text.len();
            for j in [2 * i + 1, 2 * i + 3] {
                for at in span_start(&ends, j)..ends[j] as usize {
                    let c = text[at];
                    push_squeezed(&mut text, start, c);
                }
            }
            ends.push(text.len() as u32);
            let role = if roles[i] == roles[i + 1] { roles[i] } else { '?' };
            units.push(Unit { mask: (1u64 << i) | (1u64 << (i + 1)), size: 2, index: i, role });
        }
        let mut order: Vec<usize> = (0..n).collect();
        order.sort_by(|&a, &b| span(&text, &ends, 2 * a).cmp(span(&text, &ends, 2 * b)));
        Ok(Form { text, ends, n, order, roles, particle, originals, units, abjad, has_initial })
    }

    fn span(&self, j: usize) -> &[char] {
        span(&self.text, &self.ends, j)
    }

    /// The number of parts (keys).
    pub(crate) fn len(&self) -> usize {
        self.n
    }

    /// Key `i`.
    pub(crate) fn key(&self, i: usize) -> &[char] {
        self.span(2 * i)
    }

    /// Whether unit `u` is one part, not a particle, whose key two parts or more have
    /// (`_names.align`: `len(ci) == 1 and ck not in PARTICLES and c.keys.count(ck) > 1`).
    pub(crate) fn repeated_part(&self, u: &Unit) -> bool {
        if u.size != 1 || self.particle[u.index] {
            return false;
        }
        let key = self.key(u.index);
        (0..self.n).filter(|&i| self.key(i) == key).nth(1).is_some()
    }

    /// Whether both forms have the same keys in the same order (`q.keys == c.keys`).
    pub(crate) fn same_keys(&self, other: &Form) -> bool {
        self.n == other.n && (0..self.n).all(|i| self.key(i) == other.key(i))
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
        let joins = (!f[6].is_empty()).then(|| f[6].split(' ')).into_iter().flatten();
        Form::build(f[0].split(' '), f[1].chars().collect(), f[4].to_owned(), f[3].contains('a'), joins)
    }

    /// A unit's key and consonant skeleton.
    pub(crate) fn unit(&self, u: &Unit) -> (&[char], &[char]) {
        let j = if u.size == 1 { 2 * u.index } else { 2 * self.n + 2 * u.index };
        (self.span(j), self.span(j + 1))
    }

    /// Whether both forms have the same keys in some order (`sorted(q.keys) == sorted(c.keys)`).
    pub(crate) fn same_keys_any_order(&self, other: &Form) -> bool {
        self.n == other.n && self.order.iter().zip(&other.order).all(|(&a, &b)| self.key(a) == other.key(b))
    }

    /// The written word of key `i`.
    pub(crate) fn original(&self, i: usize) -> &str {
        self.originals.split('\x1e').nth(i).unwrap_or("")
    }

    pub(crate) fn orig(&self, mask: u64) -> String {
        let mut seen: Vec<&str> = Vec::new();
        for i in 0..self.n {
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
        (0..self.n).filter(|&i| used & (1u64 << i) != 0 && !self.particle[i]).count()
    }

    /// `_names._unmatched_penalty` (groups in order of their role's first appearance).
    pub(crate) fn unmatched_penalty(&self, used: u64, cfg: &Config) -> f64 {
        let mut penalty = 0.0;
        let mut groups: Vec<(char, Vec<bool>)> = Vec::new();
        for i in 0..self.n {
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
        for i in 0..self.n {
            if used & (1u64 << i) == 0 && self.roles[i] != '?' && !self.particle[i] && !out.contains(&self.roles[i]) {
                out.push(self.roles[i]);
            }
        }
        out
    }

    /// `_names._left_out_roles`: the roles, `g` or `f`, of unmatched substantive tokens whose
    /// written word has no matched token.
    pub(crate) fn left_out_roles(&self, used: u64) -> Vec<char> {
        let mut out = Vec::new();
        for i in 0..self.n {
            let role = self.roles[i];
            if used & (1u64 << i) != 0 || (role != 'g' && role != 'f') || self.particle[i] || out.contains(&role) {
                continue;
            }
            let word = self.original(i);
            if !(0..self.n).any(|j| used & (1u64 << j) != 0 && self.original(j) == word) {
                out.push(role);
            }
        }
        out
    }
}

#[pymethods]
impl Form {
    #[new]
    fn py_new(keys: Vec<String>, roles: &str, originals: Vec<String>, abjad: bool, joins: Vec<String>) -> PyResult<Self> {
        Form::build(keys.iter().map(String::as_str), roles.chars().collect(), originals.join("\x1e"), abjad,
                    joins.iter().map(String::as_str))
    }
}

// Alignment

/// Where string `j` of a form's buffer starts.
fn span_start(ends: &[u32], j: usize) -> usize {
    if j == 0 {
        0
    } else {
        ends[j - 1] as usize
    }
}

/// String `j` of a form's buffer.
fn span<'a>(text: &'a [char], ends: &[u32], j: usize) -> &'a [char] {
    &text[span_start(ends, j)..ends[j] as usize]
}

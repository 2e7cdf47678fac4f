//! Compiled name alignment for fugitive-alerts' matcher (the Python module `matching._fast`).
//!
//! The reference is Python: `matching/_names.py` (`align`, `token_similarity` and their
//! helpers) and `matching/rules.py` (`best_alignment`). This crate computes the same thing,
//! operation for operation in the same order, so scores agree to the last bit; a test screens
//! the same events both ways and compares every hit (`tests/unit/test_matching_core.py`).
//!
//! Rules live in one place: the tuning constants, the name particles and `token_key` (for the
//! key of two adjacent parts written together) are handed over from Python by `configure`.
//! What is written out here is arithmetic: edit distances, the greedy pairing, the penalties.

use pyo3::exceptions::{PyRuntimeError, PyValueError};
use pyo3::prelude::*;
use pyo3::buffer::PyBuffer;
use pyo3::types::{PyDict, PyInt, PyList, PySet, PyString, PyTuple};
use std::hash::{BuildHasherDefault, Hasher};
use std::collections::{HashMap, HashSet};
use std::sync::{Mutex, OnceLock};

/// The constants of `matching._names`, the particles of `matching._text`, and `token_key`.
struct Config {
    min_pair: f64,
    missing_short: f64,
    extra_long: f64,
    missing_first: f64,
    conflicting_part: f64,
    cross_min: f64,
    chain_miss: f64,
    extra_unknown: f64,
    initial_sim: f64,
    weak_family_min: f64,
    particle_cost: f64,
    particles: HashSet<String>,
    token_key: Py<PyAny>,
}

static CONFIG: OnceLock<Config> = OnceLock::new();

/// `token_key` of two adjacent keys written together, by the pair (bounded like its Python cache).
type JoinCache = Mutex<HashMap<(String, String), Vec<char>>>;
static JOINS: OnceLock<JoinCache> = OnceLock::new();
const JOINS_MAX: usize = 500_000;

fn join_key(py: Python<'_>, cfg: &Config, a: &str, b: &str) -> PyResult<Vec<char>> {
    let cache = JOINS.get_or_init(|| Mutex::new(HashMap::new()));
    let probe = (a.to_owned(), b.to_owned());
    if let Some(k) = cache.lock().map_err(|_| PyRuntimeError::new_err("join cache poisoned"))?.get(&probe) {
        return Ok(k.clone());
    }
    let key: String = cfg.token_key.call1(py, (format!("{a}{b}"),))?.extract(py)?;
    let key = chars(&key);
    let mut map = cache.lock().map_err(|_| PyRuntimeError::new_err("join cache poisoned"))?;
    if map.len() >= JOINS_MAX {
        map.clear();
    }
    map.insert(probe, key.clone());
    Ok(key)
}

fn config() -> PyResult<&'static Config> {
    CONFIG
        .get()
        .ok_or_else(|| PyRuntimeError::new_err("matching._fast.configure() was not called"))
}

/// Hand the rules' constants over, once per process (a second call must agree with the first).
#[pyfunction]
#[pyo3(signature = (*, min_pair, missing_short, extra_long, missing_first, conflicting_part, cross_min,
                    chain_miss, extra_unknown, initial_sim, weak_family_min, particle_cost, particles, token_key))]
#[allow(clippy::too_many_arguments)]
fn configure(
    min_pair: f64,
    missing_short: f64,
    extra_long: f64,
    missing_first: f64,
    conflicting_part: f64,
    cross_min: f64,
    chain_miss: f64,
    extra_unknown: f64,
    initial_sim: f64,
    weak_family_min: f64,
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
        chain_miss,
        extra_unknown,
        initial_sim,
        weak_family_min,
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
            (old.chain_miss, new.chain_miss),
            (old.extra_unknown, new.extra_unknown),
            (old.initial_sim, new.initial_sim),
            (old.weak_family_min, new.weak_family_min),
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

// ---------------------------------------------------------------------------------------------
// Edit distances on code points, normalised as rapidfuzz does: 1 - distance / max(len).

fn osa_distance(a: &[char], b: &[char]) -> usize {
    let (n, m) = (a.len(), b.len());
    if n == 0 {
        return m;
    }
    if m == 0 {
        return n;
    }
    // three rolling rows: i - 2, i - 1 and i (a transposition looks two rows back)
    let mut rows = vec![0usize; 3 * (m + 1)];
    let (mut r2, mut r1, mut r0) = (0usize, m + 1, 2 * (m + 1));
    for j in 0..=m {
        rows[r1 + j] = j;
    }
    for i in 1..=n {
        rows[r0] = i;
        for j in 1..=m {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut v = (rows[r1 + j] + 1).min(rows[r0 + j - 1] + 1).min(rows[r1 + j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                v = v.min(rows[r2 + j - 2] + 1);
            }
            rows[r0 + j] = v;
        }
        (r2, r1, r0) = (r1, r0, r2);
    }
    rows[r1 + m]
}

fn levenshtein_distance(a: &[char], b: &[char]) -> usize {
    let m = b.len();
    let mut prev: Vec<usize> = (0..=m).collect();
    let mut cur = vec![0usize; m + 1];
    for (i, ca) in a.iter().enumerate() {
        cur[0] = i + 1;
        for j in 1..=m {
            let cost = usize::from(*ca != b[j - 1]);
            cur[j] = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[m]
}

/// Pattern-match masks of a word of at most 64 characters: bit i of `mask(c)` is set when the
/// word's i-th character is `c`.
struct Masks {
    chars: [char; 64],
    bits: [u64; 64],
    n: usize,
}

impl Masks {
    fn new(word: &[char]) -> Self {
        let mut m = Masks { chars: ['\0'; 64], bits: [0; 64], n: 0 };
        for (i, &c) in word.iter().enumerate() {
            match m.chars[..m.n].iter().position(|&x| x == c) {
                Some(k) => m.bits[k] |= 1u64 << i,
                None => {
                    m.chars[m.n] = c;
                    m.bits[m.n] = 1u64 << i;
                    m.n += 1;
                }
            }
        }
        m
    }

    fn mask(&self, c: char) -> u64 {
        self.chars[..self.n].iter().position(|&x| x == c).map_or(0, |k| self.bits[k])
    }
}

/// Hyyrö's bit-parallel edit distance (2003), with transpositions for OSA: the distance the
/// dynamic programme gives, for a pattern of 1 to 64 characters.
fn bit_parallel(pattern: &[char], text: &[char], transpositions: bool) -> usize {
    let pm = Masks::new(pattern);
    let (mut vp, mut vn, mut d0, mut pm_old) = (!0u64, 0u64, 0u64, 0u64);
    let mut dist = pattern.len();
    let last = 1u64 << (pattern.len() - 1);
    for &c in text {
        let pm_j = pm.mask(c);
        let tr = if transpositions { ((!d0 & pm_j) << 1) & pm_old } else { 0 };
        d0 = (((pm_j & vp).wrapping_add(vp)) ^ vp) | pm_j | vn | tr;
        let mut hp = vn | !(d0 | vp);
        let mut hn = d0 & vp;
        if hp & last != 0 {
            dist += 1;
        }
        if hn & last != 0 {
            dist -= 1;
        }
        hp = (hp << 1) | 1;
        hn <<= 1;
        vp = hn | !(d0 | hp);
        vn = hp & d0;
        pm_old = pm_j;
    }
    dist
}

/// The distance by bit-parallel when one word fits in 64 characters (both distances are
/// symmetric), else by the dynamic programme.
fn distance(a: &[char], b: &[char], transpositions: bool) -> usize {
    if a.is_empty() || b.is_empty() {
        return a.len().max(b.len());
    }
    let (p, t) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    if p.len() <= 64 {
        bit_parallel(p, t, transpositions)
    } else if transpositions {
        osa_distance(a, b)
    } else {
        levenshtein_distance(a, b)
    }
}

fn normalized(dist: usize, a: &[char], b: &[char]) -> f64 {
    let maximum = a.len().max(b.len());
    let norm_dist = if maximum == 0 { 0.0 } else { dist as f64 / maximum as f64 };
    1.0 - norm_dist
}

fn osa_sim(a: &[char], b: &[char]) -> f64 {
    normalized(distance(a, b, true), a, b)
}

fn lev_sim(a: &[char], b: &[char]) -> f64 {
    normalized(distance(a, b, false), a, b)
}

/// `rapidfuzz.distance.OSA.normalized_similarity` (exposed for the identity tests).
#[pyfunction]
fn osa_normalized_similarity(a: &str, b: &str) -> f64 {
    osa_sim(&chars(a), &chars(b))
}

/// `rapidfuzz.distance.Levenshtein.normalized_similarity` (exposed for the identity tests).
#[pyfunction]
fn levenshtein_normalized_similarity(a: &str, b: &str) -> f64 {
    lev_sim(&chars(a), &chars(b))
}

// ---------------------------------------------------------------------------------------------
// Keys

fn chars(s: &str) -> Vec<char> {
    s.chars().collect()
}

fn squeeze(s: &[char]) -> Vec<char> {
    let mut out: Vec<char> = Vec::with_capacity(s.len());
    for &c in s {
        if out.last() != Some(&c) {
            out.push(c);
        }
    }
    out
}

/// `_text.consonant_key`: the key without vowels, b/v, p/f and c/k merged, ``sh`` as ``s``.
fn consonant_key(key: &str) -> Vec<char> {
    let replaced = key.replace("sh", "s");
    let mapped: Vec<char> = replaced
        .chars()
        .filter_map(|c| match c {
            'a' | 'e' | 'i' | 'o' | 'u' => None,
            'v' => Some('b'),
            'p' => Some('f'),
            'c' => Some('k'),
            other => Some(other),
        })
        .collect();
    squeeze(&mapped)
}

/// `_text.consonant_key` (exposed for the identity tests).
#[pyfunction]
#[pyo3(name = "consonant_key")]
fn consonant_key_py(key: &str) -> String {
    consonant_key(key).into_iter().collect()
}

/// `_names.token_similarity`.
fn token_similarity(a: &[char], b: &[char], ca: &[char], cb: &[char], abjad: bool) -> f64 {
    if a == b {
        return 1.0;
    }
    if a.len() < 3 || b.len() < 3 {
        return 0.0;
    }
    let mut s = osa_sim(a, b);
    if ca.len() >= 2 && cb.len() >= 2 && ca[0] == cb[0] && (abjad || ca.len().min(cb.len()) >= 3) {
        if abjad || a.len().abs_diff(b.len()) <= 1 {
            let x = 0.9 * lev_sim(ca, cb);
            if x > s {
                s = x;
            }
            if abjad && (ca.contains(&'b') || cb.contains(&'b')) {
                let na: Vec<char> = ca.iter().copied().filter(|&c| c != 'b').collect();
                let nb: Vec<char> = cb.iter().copied().filter(|&c| c != 'b').collect();
                let x = 0.9 * lev_sim(&na, &nb);
                if x > s {
                    s = x;
                }
            }
        } else if ca == cb {
            let x = if ca.len() >= 4 { 0.9 } else { 0.75 };
            if x > s {
                s = x;
            }
        }
    } else if ca == cb && a[0] == b[0] && a.len().abs_diff(b.len()) <= 1 && a.len().min(b.len()) >= 4 && 0.9 > s {
        s = 0.9;
    }
    s
}

/// `_names.token_similarity` on strings (exposed for the identity tests).
#[pyfunction]
#[pyo3(name = "token_similarity", signature = (a, b, ca, cb, abjad=false))]
fn token_similarity_py(a: &str, b: &str, ca: &str, cb: &str, abjad: bool) -> f64 {
    token_similarity(&chars(a), &chars(b), &chars(ca), &chars(cb), abjad)
}

// ---------------------------------------------------------------------------------------------
// Forms

const MAX_TOKENS: usize = 64;

struct Unit {
    mask: u64,
    size: usize,
    key: Vec<char>,
    cons: Vec<char>,
    role: char,
}

/// One `NameForm`, ready for comparison: its keys, skeletons, roles, originals and units
/// (single tokens, then adjacent joins, in `_names._units` order).
#[pyclass(frozen, module = "matching._fast")]
struct Form {
    keys: Vec<Vec<char>>,
    sorted_keys: Vec<Vec<char>>,
    roles: Vec<char>,
    particle: Vec<bool>,
    originals: Vec<String>,
    units: Vec<Unit>,
    abjad: bool,
    has_initial: bool,
}

impl Form {
    fn build(py: Python<'_>, keys: Vec<String>, roles: Vec<char>, originals: Vec<String>, abjad: bool) -> PyResult<Self> {
        let cfg = config()?;
        let n = keys.len();
        if n > MAX_TOKENS || roles.len() != n || originals.len() != n {
            return Err(PyValueError::new_err("name form too long or inconsistent for the compiled core"));
        }
        let key_chars: Vec<Vec<char>> = keys.iter().map(|k| chars(k)).collect();
        let cons: Vec<Vec<char>> = keys.iter().map(|k| consonant_key(k)).collect();
        let particle: Vec<bool> = keys.iter().map(|k| cfg.particles.contains(k)).collect();
        let mut units: Vec<Unit> = Vec::with_capacity(2 * n);
        for i in 0..n {
            units.push(Unit { mask: 1u64 << i, size: 1, key: key_chars[i].clone(), cons: cons[i].clone(), role: roles[i] });
        }
        for i in 0..n.saturating_sub(1) {
            let key = join_key(py, cfg, &keys[i], &keys[i + 1])?;
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

    /// A packed form (`_features._pack`): keys, roles, name index, flags, originals, via.
    fn unpack(py: Python<'_>, packed: &str) -> PyResult<Self> {
        let fields: Vec<&str> = packed.split('\x1f').collect();
        if fields.len() != 6 {
            return Err(PyValueError::new_err("not a packed name form"));
        }
        let keys: Vec<String> = fields[0].split(' ').map(str::to_owned).collect();
        let roles: Vec<char> = fields[1].chars().collect();
        let originals: Vec<String> = fields[4].split('\x1e').map(str::to_owned).collect();
        Form::build(py, keys, roles, originals, fields[3].contains('a'))
    }

    fn orig(&self, mask: u64) -> String {
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

    fn substantive(&self, used: u64) -> usize {
        (0..self.keys.len()).filter(|&i| used & (1u64 << i) != 0 && !self.particle[i]).count()
    }

    /// `_names._unmatched_penalty` (groups in order of their role's first appearance).
    fn unmatched_penalty(&self, used: u64, cfg: &Config) -> f64 {
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
    fn unmatched_roles(&self, used: u64) -> Vec<char> {
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
    fn py_new(py: Python<'_>, keys: Vec<String>, roles: &str, originals: Vec<String>, abjad: bool) -> PyResult<Self> {
        Form::build(py, keys, roles.chars().collect(), originals, abjad)
    }
}

// ---------------------------------------------------------------------------------------------
// Alignment

struct Aligned {
    score: f64,
    /// (query token mask, candidate token mask, similarity); exact alignments hold the
    /// candidate originals in query order instead (see `exact`).
    pairs: Vec<(u64, u64, f64)>,
    matched: usize,
    units: Vec<u64>,
    exact: Option<Vec<(usize, usize)>>,
}

fn align(q: &Form, c: &Form, cfg: &Config) -> Aligned {
    if q.keys == c.keys || (q.keys.len() == c.keys.len() && q.sorted_keys == c.sorted_keys) {
        // `_reorder`: each query key takes the first unused candidate token with that key
        let mut remaining: Vec<usize> = (0..c.keys.len()).collect();
        let mut order: Vec<(usize, usize)> = Vec::new();
        for (qi, k) in q.keys.iter().enumerate() {
            if let Some(pos) = remaining.iter().position(|&j| c.keys[j] == *k) {
                order.push((qi, remaining.remove(pos)));
            }
        }
        let all = if q.keys.len() == 64 { u64::MAX } else { (1u64 << q.keys.len()) - 1 };
        return Aligned {
            score: 1.0,
            pairs: Vec::new(),
            matched: q.substantive(all),
            units: (0..c.keys.len()).map(|i| 1u64 << i).collect(),
            exact: Some(order),
        };
    }
    let abjad = q.abjad || c.abjad;
    let mut cands: Vec<(f64, usize, u64, u64)> = Vec::new();
    for qu in &q.units {
        for cu in &c.units {
            if qu.size > 1 && cu.size > 1 {
                continue;
            }
            if (qu.size > 1 || cu.size > 1) && qu.key.len().min(cu.key.len()) < 4 {
                if qu.key == cu.key {
                    cands.push((1.0, qu.size + cu.size, qu.mask, cu.mask));
                }
                continue;
            }
            let s = token_similarity(&qu.key, &cu.key, &qu.cons, &cu.cons, abjad);
            let cross = (qu.role == 'g' && cu.role == 'f') || (qu.role == 'f' && cu.role == 'g');
            if s >= cfg.min_pair && (s >= cfg.cross_min || !cross) {
                cands.push((s, qu.size + cu.size, qu.mask, cu.mask));
            }
        }
    }
    // Python's sort on (-similarity, -size) is stable, and so is this one
    cands.sort_by(|x, y| y.0.partial_cmp(&x.0).unwrap_or(std::cmp::Ordering::Equal).then(y.1.cmp(&x.1)));
    let (mut used_q, mut used_c) = (0u64, 0u64);
    let mut units: Vec<u64> = Vec::new();
    let mut total = 0.0f64;
    let mut weight = 0.0f64;
    let mut pairs: Vec<(u64, u64, f64)> = Vec::new();
    for (s, _size, qi, ci) in cands {
        if used_q & qi != 0 || used_c & ci != 0 {
            continue;
        }
        used_q |= qi;
        used_c |= ci;
        units.push(ci);
        let w = qi.count_ones().max(ci.count_ones()) as f64;
        total += s * w;
        weight += w;
        pairs.push((qi, ci, s));
    }
    let (nq, nc) = (q.keys.len(), c.keys.len());
    if weight != 0.0 && (used_q.count_ones() as usize) < nq && (used_c.count_ones() as usize) < nc {
        if let Some((qj, cj, s)) = lone_family_pair(q, c, used_q, used_c, cfg) {
            used_q |= 1u64 << qj;
            used_c |= 1u64 << cj;
            units.push(1u64 << cj);
            total += s;
            weight += 1.0;
            pairs.push((1u64 << qj, 1u64 << cj, s));
        }
    }
    if weight == 0.0 {
        return Aligned { score: 0.0, pairs: Vec::new(), matched: 0, units: Vec::new(), exact: None };
    }
    let matched = q.substantive(used_q).min(c.substantive(used_c));
    for (qj, cj) in initial_pairs(q, c, used_q, used_c) {
        used_q |= 1u64 << qj;
        used_c |= 1u64 << cj;
        total += cfg.initial_sim;
        weight += 1.0;
        pairs.push((1u64 << qj, 1u64 << cj, cfg.initial_sim));
    }
    let mut score = total / weight - q.unmatched_penalty(used_q, cfg) - c.unmatched_penalty(used_c, cfg);
    let (rq, rc) = (q.unmatched_roles(used_q), c.unmatched_roles(used_c));
    if rq.iter().any(|r| rc.contains(r)) {
        score -= cfg.conflicting_part;
    }
    let score = if score < 1.0 { score } else { 1.0 };
    let score = if score > 0.0 { score } else { 0.0 };
    Aligned { score, pairs, matched, units, exact: None }
}

/// `_names._lone_family_pair`.
fn lone_family_pair(q: &Form, c: &Form, used_q: u64, used_c: u64, cfg: &Config) -> Option<(usize, usize, f64)> {
    let left = |f: &Form, used: u64| -> Vec<usize> {
        (0..f.keys.len()).filter(|&i| used & (1u64 << i) == 0 && !f.particle[i]).collect()
    };
    let (lq, lc) = (left(q, used_q), left(c, used_c));
    if lq.len() != 1 || lc.len() != 1 {
        return None;
    }
    let (qi, ci) = (lq[0], lc[0]);
    if q.roles[qi] != 'f' || c.roles[ci] != 'f' {
        return None;
    }
    let (a, b) = (&q.keys[qi], &c.keys[ci]);
    if a.is_empty() || b.is_empty() || a[0] != b[0] {
        return None;
    }
    let s = osa_sim(a, b);
    if s >= cfg.weak_family_min {
        Some((qi, ci, s))
    } else {
        None
    }
}

/// `_names._initial_pairs`.
fn initial_pairs(q: &Form, c: &Form, used_q: u64, used_c: u64) -> Vec<(usize, usize)> {
    if !q.has_initial && !c.has_initial {
        return Vec::new();
    }
    let mut out = Vec::new();
    let (mut taken_q, mut taken_c) = (used_q, used_c);
    for (qi, qk) in q.keys.iter().enumerate() {
        if taken_q & (1u64 << qi) != 0 {
            continue;
        }
        for (ci, ck) in c.keys.iter().enumerate() {
            if taken_c & (1u64 << ci) != 0 {
                continue;
            }
            let (short, full, full_particle) = if qk.len() == 1 { (qk, ck, c.particle[ci]) } else { (ck, qk, q.particle[qi]) };
            if short.len() == 1
                && !"aeiouy".contains(short[0])
                && full.len() >= 3
                && full[0] == short[0]
                && !full_particle
            {
                out.push((qi, ci));
                taken_q |= 1u64 << qi;
                taken_c |= 1u64 << ci;
                break;
            }
        }
    }
    out
}

fn mask_indices(mask: u64) -> Vec<usize> {
    (0..64).filter(|i| mask & (1u64 << i) != 0).collect()
}

/// The winning alignment as Python values: (score, pairs, matched, units).
fn to_python<'py>(py: Python<'py>, a: &Aligned, q: &Form, c: &Form) -> PyResult<Bound<'py, PyTuple>> {
    let pairs: Vec<(String, String, f64)> = match &a.exact {
        Some(order) => order.iter().map(|&(qi, cj)| (q.originals[qi].clone(), c.originals[cj].clone(), 1.0)).collect(),
        None => a.pairs.iter().map(|&(qm, cm, s)| (q.orig(qm), c.orig(cm), s)).collect(),
    };
    let units: Vec<Bound<'py, PyTuple>> =
        a.units.iter().map(|&m| PyTuple::new(py, mask_indices(m))).collect::<PyResult<_>>()?;
    (a.score, pairs, a.matched, units).into_pyobject(py)
}

/// `_names.align` for two forms: (score, pairs, matched, units), as `Alignment` holds them.
#[pyfunction]
#[pyo3(name = "align")]
fn align_py<'py>(py: Python<'py>, q: &Form, c: &Form) -> PyResult<Bound<'py, PyTuple>> {
    let cfg = config()?;
    let a = align(q, c, cfg);
    to_python(py, &a, q, c)
}

/// `rules.best_alignment` over the query's forms and a notice's packed forms (one string, or a
/// tuple of them): None when no pair aligns above 0, else (score, pairs, matched, units,
/// query form index, candidate form index).
#[pyfunction]
fn best_alignment<'py>(py: Python<'py>, forms: Vec<Bound<'py, Form>>, packed: &Bound<'py, PyAny>) -> PyResult<Option<Bound<'py, PyTuple>>> {
    guarded(|| best_alignment_inner(py, &forms, packed))
}

/// A panic in the core (a bug) comes back as `RuntimeError`, which the Python side answers by
/// computing the same thing in the reference, instead of the `PanicException` PyO3 raises
/// (a `BaseException`, which would stop the worker).
fn guarded<T>(f: impl FnOnce() -> PyResult<T>) -> PyResult<T> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(f))
        .unwrap_or_else(|_| Err(PyRuntimeError::new_err("the compiled matching core failed (a panic)")))
}

fn best_alignment_inner<'py>(py: Python<'py>, forms: &[Bound<'py, Form>], packed: &Bound<'py, PyAny>) -> PyResult<Option<Bound<'py, PyTuple>>> {
    let cfg = config()?;
    let cforms: Vec<Form> = if let Ok(s) = packed.cast::<PyString>() {
        vec![Form::unpack(py, s.to_str()?)?]
    } else {
        let t = packed.cast::<PyTuple>()?;
        let mut v = Vec::with_capacity(t.len());
        for item in t.iter() {
            v.push(Form::unpack(py, item.cast::<PyString>()?.to_str()?)?);
        }
        v
    };
    let mut best: Option<(usize, usize, Aligned)> = None;
    let mut best_score = 0.0f64;
    'outer: for (qi, qf) in forms.iter().enumerate() {
        let qf = qf.get();
        for (ci, cf) in cforms.iter().enumerate() {
            let a = align(qf, cf, cfg);
            if a.score > best_score || (a.score == best_score && best.is_none() && a.score > 0.0) {
                best_score = a.score;
                let done = a.score >= 1.0;
                best = Some((qi, ci, a));
                if done {
                    break 'outer;
                }
            }
        }
    }
    match best {
        None => Ok(None),
        Some((qi, ci, a)) => {
            let head = to_python(py, &a, forms[qi].get(), &cforms[ci])?;
            let (score, pairs, matched, units): (f64, Bound<'py, PyAny>, usize, Bound<'py, PyAny>) = head.extract()?;
            Ok(Some((score, pairs, matched, units, qi, ci).into_pyobject(py)?))
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Candidate selection (`_index.CandidateIndex.candidates`)

/// A multiplicative hash for slot numbers (the std SipHash is made for untrusted keys).
#[derive(Default)]
struct SlotHasher(u64);

impl Hasher for SlotHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0.rotate_left(5) ^ u64::from(b)).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
        }
    }
    fn write_u32(&mut self, n: u32) {
        self.0 = (u64::from(n)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }
}

type Slots = HashSet<u32, BuildHasherDefault<SlotHasher>>;

/// One posting: a bare slot, or an `array('I')` of slots (read through the buffer protocol).
enum Posting {
    One(u32),
    Many(Vec<u32>),
}

impl Posting {
    fn len(&self) -> usize {
        match self {
            Posting::One(_) => 1,
            Posting::Many(v) => v.len(),
        }
    }
    fn slots(&self) -> &[u32] {
        match self {
            Posting::One(s) => std::slice::from_ref(s),
            Posting::Many(v) => v,
        }
    }
}

/// The posting of `key` if it has at most `cap` slots: Ok(None) when absent, Err(()) when
/// longer than `cap` (too common to select anything).
fn posting(py: Python<'_>, postings: &Bound<'_, PyDict>, key: &Bound<'_, PyAny>, cap: usize) -> PyResult<Option<Result<Posting, usize>>> {
    let Some(p) = postings.get_item(key)? else { return Ok(None) };
    if let Ok(i) = p.cast::<PyInt>() {
        return Ok(Some(Ok(Posting::One(i.extract()?))));
    }
    let n = p.len()?;
    if n > cap {
        return Ok(Some(Err(n)));
    }
    let buf: PyBuffer<u32> = PyBuffer::get(&p)?;
    Ok(Some(Ok(Posting::Many(buf.to_vec(py)?))))
}

/// `CandidateIndex.candidates`: the entries with enough votes, best-voted first, at most
/// `limit` (see the Python docstring; same sets, same order).
#[pyfunction]
#[pyo3(signature = (postings, live, groups, pairs, docs, picks, token_cap, pair_cap, rare_cap, pick_cap, limit, years))]
#[allow(clippy::too_many_arguments)]
fn candidates<'py>(
    py: Python<'py>,
    postings: &Bound<'py, PyDict>,
    live: &Bound<'py, PyList>,
    groups: &Bound<'py, PyDict>,
    pairs: &Bound<'py, PySet>,
    docs: &Bound<'py, PySet>,
    picks: &Bound<'py, PyDict>,
    token_cap: usize,
    pair_cap: usize,
    rare_cap: usize,
    pick_cap: usize,
    limit: usize,
    years: Option<(i64, i64)>,
) -> PyResult<Vec<Bound<'py, PyAny>>> {
    let caps = Caps { token: token_cap, pair: pair_cap, rare: rare_cap, pick: pick_cap, limit };
    guarded(|| candidates_inner(py, postings, live, groups, pairs, docs, picks, &caps, years))
}

struct Caps {
    token: usize,
    pair: usize,
    rare: usize,
    pick: usize,
    limit: usize,
}

#[allow(clippy::too_many_arguments)]
fn candidates_inner<'py>(
    py: Python<'py>,
    postings: &Bound<'py, PyDict>,
    live: &Bound<'py, PyList>,
    groups: &Bound<'py, PyDict>,
    pairs: &Bound<'py, PySet>,
    docs: &Bound<'py, PySet>,
    picks: &Bound<'py, PyDict>,
    caps: &Caps,
    years: Option<(i64, i64)>,
) -> PyResult<Vec<Bound<'py, PyAny>>> {
    let (token_cap, pair_cap, rare_cap, pick_cap, limit) = (caps.token, caps.pair, caps.rare, caps.pick, caps.limit);
    let mut found_groups: Vec<Vec<Posting>> = Vec::new();
    let mut strong = Slots::default();
    for (group, solo) in groups.iter() {
        let solo: bool = solo.extract()?;
        let group = group.cast::<PyTuple>()?;
        let mut found: Vec<Posting> = Vec::new();
        for (k, key) in group.iter().enumerate() {
            if let Some(Ok(p)) = posting(py, postings, &key, token_cap)? {
                if solo && k == 0 && (p.len() == 1 || p.len() <= rare_cap) {
                    strong.extend(p.slots().iter().copied());
                }
                found.push(p);
            }
        }
        if !found.is_empty() {
            found_groups.push(found);
        }
    }
    for key in pairs.iter() {
        if let Some(Ok(p)) = posting(py, postings, &key, pair_cap)? {
            strong.extend(p.slots().iter().copied());
        }
    }
    let mut doc_slots = Slots::default();
    for key in docs.iter() {
        if let Some(Ok(p)) = posting(py, postings, &key, usize::MAX)? {
            doc_slots.extend(p.slots().iter().copied());
        }
    }
    strong.extend(doc_slots.iter().copied());
    let mut picked = Slots::default();
    for (key, guard) in picks.iter() {
        if !guard.is_none() && postings.contains(&guard)? {
            continue;
        }
        if let Some(Ok(p)) = posting(py, postings, &key, pick_cap)? {
            picked.extend(p.slots().iter().copied());
        }
    }
    let n_groups = found_groups.len();
    let mut sets: Vec<Slots> = Vec::new();
    let mut cand = Slots::default();
    if n_groups >= 2 {
        // stable, like Python's sort on the total posting length
        found_groups.sort_by_key(|g| g.iter().map(Posting::len).sum::<usize>());
        for g in &found_groups[..n_groups - 1] {
            let mut st = Slots::default();
            for p in g {
                st.extend(p.slots().iter().copied());
            }
            sets.push(st);
        }
        for i in 0..n_groups.saturating_sub(2) {
            for j in i + 1..n_groups - 1 {
                cand.extend(sets[i].iter().filter(|s| sets[j].contains(s)).copied());
            }
        }
        for a in &sets {
            for p in &found_groups[n_groups - 1] {
                cand.extend(p.slots().iter().filter(|s| a.contains(s)).copied());
            }
        }
        cand.extend(strong.iter().copied());
        cand.extend(picked.iter().copied());
    } else if n_groups == 1 {
        cand.extend(strong.iter().copied());
        cand.extend(picked.iter().copied());
        for p in &found_groups[0] {
            if cand.len() >= limit {
                break;
            }
            cand.extend(p.slots().iter().take(limit).copied());
        }
        sets.push(cand.clone());
    } else {
        cand.extend(strong.iter().copied());
        cand.extend(picked.iter().copied());
    }
    if cand.is_empty() {
        return Ok(Vec::new());
    }
    let ranked: Vec<u32> = if cand.len() <= limit {
        let mut v: Vec<u32> = cand.into_iter().collect();
        v.sort_unstable();
        v
    } else {
        if n_groups >= 2 {
            let mut last = Slots::default();
            for p in &found_groups[n_groups - 1] {
                last.extend(p.slots().iter().copied());
            }
            sets.push(last);
        }
        let mut kept: Vec<(i64, u32)> = Vec::with_capacity(cand.len());
        for s in cand {
            let in_docs = doc_slots.contains(&s);
            if let Some((lo, hi)) = years {
                if !in_docs && !born_within(&live.get_item(s as usize)?, lo, hi)? {
                    continue;
                }
            }
            let mut v = 2 * i64::from(strong.contains(&s)) + 100 * i64::from(in_docs);
            for st in &sets {
                v += i64::from(st.contains(&s));
            }
            kept.push((-v, s));
        }
        kept.sort_unstable();
        kept.into_iter().map(|(_, s)| s).collect()
    };
    let mut out = Vec::with_capacity(limit.min(ranked.len()));
    for s in ranked {
        let e = live.get_item(s as usize)?;
        if !e.is_none() {
            out.push(e);
            if out.len() >= limit {
                break;
            }
        }
    }
    Ok(out)
}

/// `_index._born_within`: whether a notice may be born in `lo..=hi` (no birth date: it may).
fn born_within(entry: &Bound<'_, PyAny>, lo: i64, hi: i64) -> PyResult<bool> {
    if entry.is_none() {
        return Ok(false);
    }
    let y = entry.getattr(pyo3::intern!(entry.py(), "years"))?;
    if y.is_none() {
        return Ok(true);
    }
    let (a, b): (i64, i64) = y.extract()?;
    Ok(b >= lo && a <= hi)
}

/// Panics inside the guard (a test that a panic comes back as `RuntimeError`).
#[pyfunction]
fn panic_for_test() -> PyResult<()> {
    guarded(|| -> PyResult<()> { panic!("panic_for_test") })
}

#[pymodule]
fn _fast(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<Form>()?;
    m.add_function(wrap_pyfunction!(configure, m)?)?;
    m.add_function(wrap_pyfunction!(align_py, m)?)?;
    m.add_function(wrap_pyfunction!(best_alignment, m)?)?;
    m.add_function(wrap_pyfunction!(candidates, m)?)?;
    m.add_function(wrap_pyfunction!(panic_for_test, m)?)?;
    m.add_function(wrap_pyfunction!(token_similarity_py, m)?)?;
    m.add_function(wrap_pyfunction!(consonant_key_py, m)?)?;
    m.add_function(wrap_pyfunction!(osa_normalized_similarity, m)?)?;
    m.add_function(wrap_pyfunction!(levenshtein_normalized_similarity, m)?)?;
    Ok(())
}

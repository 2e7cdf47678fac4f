//! The alignment of two name forms (`_names.align`) and the best over a query's and a
//! notice's forms (`rules.best_alignment`).

use pyo3::prelude::*;
use pyo3::types::{PyString, PyTuple};

use crate::config::{config, Config};
use crate::form::Form;
use crate::guarded;
use crate::similarity::{osa_sim, token_similarity, two_names};

pub(crate) struct Aligned {
    score: f64,
    /// (query token mask, candidate token mask, similarity); exact alignments hold the
    /// candidate originals in query order instead (see `exact`).
    pairs: Vec<(u64, u64, f64)>,
    matched: usize,
    units: Vec<u64>,
    exact: Option<Vec<(usize, usize)>>,
    /// `Alignment.conflict`: both sides leave a whole given or family name unmatched.
    conflict: bool,
}

/// Whether a pair is crosswise: a given name with a family name, in which direction.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Cross {
    No,
    GivenFamily,
    FamilyGiven,
}

impl Cross {
    fn reversed(self) -> Cross {
        match self {
            Cross::No => Cross::No,
            Cross::GivenFamily => Cross::FamilyGiven,
            Cross::FamilyGiven => Cross::GivenFamily,
        }
    }
}

pub(crate) fn align(q: &Form, c: &Form, cfg: &Config) -> Aligned {
    if q.same_keys(c) || q.same_keys_any_order(c) {
        // `_reorder`: each query key takes the first unused candidate token with that key
        let mut remaining: Vec<usize> = (0..c.len()).collect();
        let mut order: Vec<(usize, usize)> = Vec::new();
        for qi in 0..q.len() {
            let k = q.key(qi);
            if let Some(pos) = remaining.iter().position(|&j| c.key(j) == k) {
                order.push((qi, remaining.remove(pos)));
            }
        }
        let all = if q.len() == 64 { u64::MAX } else { (1u64 << q.len()) - 1 };
        return Aligned {
            score: 1.0,
            pairs: Vec::new(),
            matched: q.substantive(all),
            units: (0..c.len()).map(|i| 1u64 << i).collect(),
            exact: Some(order),
            conflict: false,
        };
    }
    let abjad = q.abjad || c.abjad;
    // (similarity, rank among equals: size, or -size when exact, masks, the roles if crosswise,
    // and whether it is a weak crosswise pair: taken only where the fields are seen to be swapped)
    // and whether a part of unknown role pairs with a repeated part not of the family name
    let mut cands: Vec<(f64, i64, u64, u64, Cross, bool, bool)> = Vec::new();
    for qu in &q.units {
        let (qkey, qcons) = q.unit(qu);
        for cu in &c.units {
            if qu.size > 1 && cu.size > 1 {
                continue;
            }
            let size = (qu.size + cu.size) as i64;
            let cross = match (qu.role, cu.role) {
                ('g', 'f') => Cross::GivenFamily,
                ('f', 'g') => Cross::FamilyGiven,
                _ => Cross::No,
            };
            // looked up only for a pair that is kept (a notice's keys scanned)
            let other = || qu.role == '?' && cu.role != 'f' && c.repeated_part(cu);
            let (ckey, ccons) = c.unit(cu);
            if (qu.size > 1 || cu.size > 1) && qkey.len().min(ckey.len()) < 4 {
                if qkey == ckey {
                    cands.push((1.0, -size, qu.mask, cu.mask, cross, false, other()));
                }
                continue;
            }
            if !abjad && qcons != ccons && below_min_pair(qkey.len(), ckey.len(), cfg) {
                continue; // too different in length to pair (the similarity could not reach `min_pair`)
            }
            let s = token_similarity(qkey, ckey, qcons, ccons, abjad, cfg);
            if s >= cfg.min_pair && (cross == Cross::No || s >= cfg.swapped_cross_min) {
                let weak = cross != Cross::No && s < cfg.cross_min;
                cands.push((s, if s < 1.0 { size } else { -size }, qu.mask, cu.mask, cross, weak, other()));
            }
        }
    }
    // Python's sort on (-similarity, rank, crosswise, other) is stable, and so is this one
    cands.sort_by(|x, y| {
        y.0.partial_cmp(&x.0)
            .unwrap_or(std::cmp::Ordering::Equal)
            .then(x.1.cmp(&y.1))
            .then((x.4 != Cross::No).cmp(&(y.4 != Cross::No)))
            .then(x.6.cmp(&y.6))
    });
    let (mut used_q, mut used_c) = (0u64, 0u64);
    let mut units: Vec<u64> = Vec::new();
    let mut total = 0.0f64;
    let mut weight = 0.0f64;
    let mut pairs: Vec<(u64, u64, f64)> = Vec::new();
    let mut swapped = Cross::No; // the first crosswise pair taken: the fields are swapped that way
    for (s, _rank, qi, ci, cross, weak, _other) in cands {
        if used_q & qi != 0 || used_c & ci != 0 {
            continue;
        }
        if weak && swapped != cross.reversed() {
            continue; // crosswise on weak similarity, unless the other field went the other way
        }
        if cross != Cross::No && swapped == Cross::No {
            swapped = cross;
        }
        used_q |= qi;
        used_c |= ci;
        units.push(ci);
        let w = qi.count_ones().max(ci.count_ones()) as f64;
        total += s * w;
        weight += w;
        pairs.push((qi, ci, s));
    }
    let (nq, nc) = (q.len(), c.len());
    if weight != 0.0 && (used_q.count_ones() as usize) < nq && (used_c.count_ones() as usize) < nc {
        if let Some((qj, cj, s)) = lone_pair(q, c, used_q, used_c, cfg) {
            used_q |= 1u64 << qj;
            used_c |= 1u64 << cj;
            units.push(1u64 << cj);
            total += s;
            weight += 1.0;
            pairs.push((1u64 << qj, 1u64 << cj, s));
        }
    }
    if weight == 0.0 {
        return Aligned { score: 0.0, pairs: Vec::new(), matched: 0, units: Vec::new(), exact: None, conflict: false };
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
    let clash = rq.iter().any(|r| rc.contains(r));
    if clash {
        score -= cfg.conflicting_part;
    }
    let conflict = clash && {
        let (lq, lc) = (q.left_out_roles(used_q), c.left_out_roles(used_c));
        lq.iter().any(|r| lc.contains(r))
    };
    let score = if score < 1.0 { score } else { 1.0 };
    let score = if score > 0.0 { score } else { 0.0 };
    Aligned { score, pairs, matched, units, exact: None, conflict }
}

/// Whether two keys of these lengths are too different to pair whatever their letters: their edit
/// distance is at least the difference in length, so `token_similarity` is at most
/// `1 - difference / longer`, unless the keys come from an abjad or have the same skeleton (its
/// other paths; the caller checks both).
fn below_min_pair(a: usize, b: usize, cfg: &Config) -> bool {
    let longer = a.max(b);
    longer > 0 && 1.0 - a.abs_diff(b) as f64 / (longer as f64) < cfg.min_pair
}

/// `_names._lone_pair`.
pub(crate) fn lone_pair(q: &Form, c: &Form, used_q: u64, used_c: u64, cfg: &Config) -> Option<(usize, usize, f64)> {
    let left = |f: &Form, used: u64| -> Vec<usize> {
        (0..f.len()).filter(|&i| used & (1u64 << i) == 0 && !f.particle[i]).collect()
    };
    let (lq, lc) = (left(q, used_q), left(c, used_c));
    if lq.len() != 1 || lc.len() != 1 {
        return None;
    }
    let (qi, ci) = (lq[0], lc[0]);
    let role = q.roles[qi];
    if !matches!(role, 'f' | 'g') || c.roles[ci] != role {
        return None;
    }
    let count = |f: &Form| (0..f.len()).filter(|&i| f.roles[i] == 'g' && !f.particle[i]).count();
    if role == 'g' && (count(q) > 1 || count(c) > 1) {
        return None;
    }
    let (a, b) = (q.key(qi), c.key(ci));
    if a.is_empty() || b.is_empty() || a[0] != b[0] {
        return None;
    }
    let s = osa_sim(a, b);
    if two_names(a, b, s, cfg, 0.0) {
        return None;
    }
    if s >= cfg.weak_part_min {
        Some((qi, ci, s))
    } else {
        None
    }
}

/// `_names._initial_pairs`.
pub(crate) fn initial_pairs(q: &Form, c: &Form, used_q: u64, used_c: u64) -> Vec<(usize, usize)> {
    if !q.has_initial && !c.has_initial {
        return Vec::new();
    }
    let mut out = Vec::new();
    let (mut taken_q, mut taken_c) = (used_q, used_c);
    for qi in 0..q.len() {
        if taken_q & (1u64 << qi) != 0 {
            continue;
        }
        let qk = q.key(qi);
        for ci in 0..c.len() {
            let ck = c.key(ci);
            if taken_c & (1u64 << ci) != 0 {
                continue;
            }
            let (short, full, full_particle) =
                if qk.len() == 1 { (qk, ck, c.particle[ci]) } else { (ck, qk, q.particle[qi]) };
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

pub(crate) fn mask_indices(mask: u64) -> Vec<usize> {
    (0..64).filter(|i| mask & (1u64 << i) != 0).collect()
}

/// The winning alignment as Python values: (score, pairs, matched, units).
pub(crate) fn to_python<'py>(py: Python<'py>, a: &Aligned, q: &Form, c: &Form) -> PyResult<Bound<'py, PyTuple>> {
    let pairs: Vec<(String, String, f64)> = match &a.exact {
        Some(order) => order.iter().map(|&(qi, cj)| (q.original(qi).to_owned(), c.original(cj).to_owned(), 1.0)).collect(),
        None => a.pairs.iter().map(|&(qm, cm, s)| (q.orig(qm), c.orig(cm), s)).collect(),
    };
    let units: Vec<Bound<'py, PyTuple>> =
        a.units.iter().map(|&m| PyTuple::new(py, mask_indices(m))).collect::<PyResult<_>>()?;
    (a.score, pairs, a.matched, units, a.conflict).into_pyobject(py)
}

/// `_names.align` for two forms: (score, pairs, matched, units, conflict), as `Alignment` holds them.
#[pyfunction]
#[pyo3(name = "align")]
pub(crate) fn align_py<'py>(py: Python<'py>, q: &Form, c: &Form) -> PyResult<Bound<'py, PyTuple>> {
    let cfg = config()?;
    let a = align(q, c, cfg);
    to_python(py, &a, q, c)
}

/// `rules.best_alignment` over the query's forms and a notice's packed forms (one string, or a
/// tuple of them): None when no pair aligns above 0, else (score, pairs, matched, units,
/// conflict, query form index, candidate form index).
#[pyfunction]
pub(crate) fn best_alignment<'py>(
    py: Python<'py>,
    forms: Vec<Bound<'py, Form>>,
    packed: &Bound<'py, PyAny>,
) -> PyResult<Option<Bound<'py, PyTuple>>> {
    guarded(|| best_alignment_inner(py, &forms, packed))
}

pub(crate) fn best_alignment_inner<'py>(
    py: Python<'py>,
    forms: &[Bound<'py, Form>],
    packed: &Bound<'py, PyAny>,
) -> PyResult<Option<Bound<'py, PyTuple>>> {
    let cfg = config()?;
    let cforms: Vec<Form> = if let Ok(s) = packed.cast::<PyString>() {
        vec![Form::unpack(s.to_str()?)?]
    } else {
        let t = packed.cast::<PyTuple>()?;
        let mut v = Vec::with_capacity(t.len());
        for item in t.iter() {
            v.push(Form::unpack(item.cast::<PyString>()?.to_str()?)?);
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
            let (score, pairs, matched, units, conflict): (f64, Bound<'py, PyAny>, usize, Bound<'py, PyAny>, bool) =
                head.extract()?;
            Ok(Some((score, pairs, matched, units, conflict, qi, ci).into_pyobject(py)?))
        }
    }
}

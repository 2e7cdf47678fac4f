//! Candidate selection over the index's postings: `_index.CandidateIndex.candidates`.

use pyo3::buffer::{PyBuffer, ReadOnlyCell};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyInt, PyList, PySet, PyTuple};
use std::borrow::Cow;
use std::collections::HashSet;
use std::hash::BuildHasherDefault;

use crate::guarded;
use crate::postings::{Held, MulHasher, Postings};

// Candidate selection (`_index.CandidateIndex.candidates`)

pub(crate) type Slots = HashSet<u32, BuildHasherDefault<MulHasher>>;

/// One posting: a bare slot, or a list of slots (copied from an `array('I')` through the
/// buffer protocol, or borrowed from the native table).
pub(crate) enum Posting<'a> {
    One(u32),
    Many(Cow<'a, [u32]>),
}

impl Posting<'_> {
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

/// Where the postings are read from: the index's Python dict, or the native table
/// (`postings.rs`), which the index holds when the core is built.
enum Source<'a, 'py> {
    Dict(&'a Bound<'py, PyDict>),
    Native(&'a Postings),
}

impl<'a> Source<'a, '_> {
    /// The posting of `key` if it has at most `cap` slots; None when it is absent or longer (too
    /// common to select anything).
    fn posting(&self, key: &Bound<'_, PyAny>, cap: usize) -> PyResult<Option<Posting<'a>>> {
        match self {
            Source::Dict(postings) => dict_posting(postings, key, cap),
            Source::Native(table) => Ok(match table.held(key.extract()?) {
                None => None,
                Some(Held::One(s)) => Some(Posting::One(*s)),
                Some(Held::Many(v)) if v.len() <= cap => Some(Posting::Many(Cow::Borrowed(v.as_slice()))),
                Some(Held::Many(_)) => None,
            }),
        }
    }

    fn contains(&self, key: &Bound<'_, PyAny>) -> PyResult<bool> {
        match self {
            Source::Dict(postings) => postings.contains(key),
            Source::Native(table) => Ok(table.held(key.extract()?).is_some()),
        }
    }
}

fn dict_posting(postings: &Bound<'_, PyDict>, key: &Bound<'_, PyAny>, cap: usize) -> PyResult<Option<Posting<'static>>> {
    let Some(p) = postings.get_item(key)? else {
        return Ok(None);
    };
    if let Ok(i) = p.cast::<PyInt>() {
        return Ok(Some(Posting::One(i.extract()?)));
    }
    if p.len()? > cap {
        return Ok(None);
    }
    let buf: PyBuffer<u32> = PyBuffer::get(&p)?;
    Ok(Some(Posting::Many(Cow::Owned(buf.to_vec(p.py())?))))
}

/// `CandidateIndex.candidates`: the entries with enough votes, best-voted first, at most
/// `limit` (see the Python docstring; same sets, same order).
#[pyfunction]
#[pyo3(signature = (postings, live, born, groups, pairs, docs, picks, token_cap, pair_cap, rare_cap, pick_cap, limit, years))]
#[allow(clippy::too_many_arguments)]
pub(crate) fn candidates<'py>(
    postings: &Bound<'py, PyAny>,
    live: &Bound<'py, PyList>,
    born: &Bound<'py, PyAny>,
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
    guarded(|| {
        let native = postings.cast::<Postings>().ok().map(|p| p.borrow());
        let source = match &native {
            Some(table) => Source::Native(table),
            None => Source::Dict(postings.cast::<PyDict>()?),
        };
        // an empty array has no buffer to read (and none is needed); any that cannot be read as
        // i32s leaves the years to the entries
        let born_buf: Option<PyBuffer<i32>> = PyBuffer::get(born).ok();
        let born = born_buf.as_ref().and_then(|b| b.as_slice(live.py())).unwrap_or(&[]);
        let query = Query { postings: source, live, born, groups, pairs, docs, picks };
        VOTES.with_borrow_mut(|votes| select(&query, &caps, years, votes))
    })
}

/// The index and an event's look-up keys, as the Python side holds them.
struct Query<'a, 'py> {
    postings: Source<'a, 'py>,
    live: &'a Bound<'py, PyList>,
    /// `CandidateIndex.born`: two ints per slot, its birth years (see `born_years`).
    born: &'a [ReadOnlyCell<i32>],
    groups: &'a Bound<'py, PyDict>,
    pairs: &'a Bound<'py, PySet>,
    docs: &'a Bound<'py, PySet>,
    picks: &'a Bound<'py, PyDict>,
}

/// The index's caps and the number of candidates wanted.
struct Caps {
    token: usize,
    pair: usize,
    rare: usize,
    pick: usize,
    limit: usize,
}

fn select<'py>(
    q: &Query<'_, 'py>,
    caps: &Caps,
    years: Option<(i64, i64)>,
    votes: &mut Votes,
) -> PyResult<Vec<Bound<'py, PyAny>>> {
    let Query { ref postings, live, born, groups, pairs, docs, picks } = *q;
    let (token_cap, pair_cap, rare_cap, pick_cap, limit) = (caps.token, caps.pair, caps.rare, caps.pick, caps.limit);
    let mut found_groups: Vec<Vec<Posting>> = Vec::new();
    let mut strong = Slots::default();
    for (group, solo) in groups.iter() {
        let solo: bool = solo.extract()?;
        let group = group.cast::<PyTuple>()?;
        let mut found: Vec<Posting> = Vec::new();
        for (k, key) in group.iter().enumerate() {
            if let Some(p) = postings.posting(&key, token_cap)? {
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
        if let Some(p) = postings.posting(&key, pair_cap)? {
            strong.extend(p.slots().iter().copied());
        }
    }
    let mut doc_slots = Slots::default();
    for key in docs.iter() {
        if let Some(p) = postings.posting(&key, usize::MAX)? {
            doc_slots.extend(p.slots().iter().copied());
        }
    }
    strong.extend(doc_slots.iter().copied());
    let mut picked = Slots::default();
    for (key, guard) in picks.iter() {
        if !guard.is_none() && postings.contains(&guard)? {
            continue;
        }
        if let Some(p) = postings.posting(&key, pick_cap)? {
            picked.extend(p.slots().iter().copied());
        }
    }
    let n_groups = found_groups.len();
    let mut cand = Slots::default();
    if n_groups >= 2 {
        votes.begin(live.len());
        // A notice found by two groups: count, per slot, the groups whose postings hold it (each
        // group once, however many of its keys hold the slot). The reference builds a set per
        // group and intersects them: the same candidates, and the same counts to rank them by.
        for (g, group) in found_groups.iter().enumerate() {
            for p in group {
                for &s in p.slots() {
                    if votes.vote(s, g) == 2 {
                        cand.insert(s);
                    }
                }
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
        // with one group, every candidate counts as held by it, as in the reference
        let one = u32::from(n_groups == 1);
        // among as many votes, the notices born nearest the event's year first (`_year_gap`)
        let mut kept: Vec<(i64, i64, u32)> = Vec::with_capacity(cand.len());
        for s in cand {
            let in_docs = doc_slots.contains(&s);
            let mut gap = 0;
            if let Some((lo, hi)) = years {
                match born_years(born, live, s)? {
                    Born::Dead => {
                        if !in_docs {
                            continue;
                        }
                    }
                    Born::Unknown => {}
                    Born::Within(a, b) => {
                        if !in_docs && (b < lo || a > hi) {
                            continue;
                        }
                        let mid = (lo + hi).div_euclid(2);
                        gap = 0.max(a - mid).max(mid - b);
                    }
                }
            }
            let held = if n_groups >= 2 { votes.count(s) } else { one };
            let v = 2 * i64::from(strong.contains(&s)) + 100 * i64::from(in_docs) + i64::from(held);
            kept.push((-v, gap, s));
        }
        kept.sort_unstable();
        kept.into_iter().map(|(_, _, s)| s).collect()
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

/// Per slot, the groups holding it in the current selection, kept between calls (one array per
/// thread, as long as the list): a mark counts only in the call stamped on it, so nothing is
/// cleared between events, and a call cut short by an error leaves nothing behind.
#[derive(Default)]
struct Votes {
    call: u32,
    marks: Vec<Mark>,
}

#[derive(Clone, Copy, Default)]
struct Mark {
    call: u32,
    group: u32,
    count: u32,
}

impl Votes {
    /// Starts a selection over `slots` slots.
    fn begin(&mut self, slots: usize) {
        if self.marks.len() < slots {
            self.marks.resize(slots, Mark::default());
        }
        self.call = self.call.wrapping_add(1);
        if self.call == 0 {
            // after 2**32 calls: no mark may keep a stamp that would read as current
            self.marks.fill(Mark::default());
            self.call = 1;
        }
    }

    /// Group `g` holds slot `s`: how many groups hold it so far.
    fn vote(&mut self, s: u32, g: usize) -> u32 {
        let (call, g) = (self.call, g as u32 + 1);
        let m = &mut self.marks[s as usize];
        if m.call != call {
            *m = Mark { call, group: g, count: 1 };
        } else if m.group != g {
            m.group = g;
            m.count += 1;
        }
        m.count
    }

    /// How many groups hold slot `s` in this selection.
    fn count(&self, s: u32) -> u32 {
        match self.marks.get(s as usize) {
            Some(m) if m.call == self.call => m.count,
            _ => 0,
        }
    }
}

thread_local! {
    static VOTES: std::cell::RefCell<Votes> = std::cell::RefCell::new(Votes::default());
}

/// A live slot's birth years (`Entry.years`), if it has any.
enum Born {
    Dead,
    Unknown,
    Within(i64, i64),
}

/// `CandidateIndex.NO_YEARS`: the first int of a slot without birth years (second 0) or removed (1).
const NO_YEARS: i32 = i32::MIN;

/// Slot `s`'s birth years from `CandidateIndex.born`, without touching its entry; from the entry
/// when the array does not cover the slot.
fn born_years(born: &[ReadOnlyCell<i32>], live: &Bound<'_, PyList>, s: u32) -> PyResult<Born> {
    let i = 2 * s as usize;
    match born.get(i..i + 2) {
        Some([lo, hi]) => Ok(match (lo.get(), hi.get()) {
            (NO_YEARS, 0) => Born::Unknown,
            (NO_YEARS, _) => Born::Dead,
            (a, b) => Born::Within(i64::from(a), i64::from(b)),
        }),
        _ => birth_years(&live.get_item(s as usize)?),
    }
}

fn birth_years(entry: &Bound<'_, PyAny>) -> PyResult<Born> {
    if entry.is_none() {
        return Ok(Born::Dead);
    }
    let y = entry.getattr(pyo3::intern!(entry.py(), "years"))?;
    if y.is_none() {
        return Ok(Born::Unknown);
    }
    let (a, b): (i64, i64) = y.extract()?;
    Ok(Born::Within(a, b))
}

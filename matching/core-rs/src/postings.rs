//! The index's postings held natively (`matching._fast.Postings`): key id -> the slots of the
//! entries that hold the key, the same table `_index.CandidateIndex` keeps as a Python dict of
//! ints and `array('I')` when the core is not built.
//!
//! Selection looks up some sixteen keys per event in a table of millions. In the Python dict a
//! look-up touches the hash index, the entry, the key's int object, the posting's object and its
//! buffer; here the key and the posting sit in one bucket and the slots in one allocation. It
//! also takes about a third of the memory.
//!
//! Every change is made as `_index._dict_add` and `_index._dict_remove` make it (a bare slot
//! becomes a list on the second holder; removal compacts a list by the same rules), so the two
//! tables answer every look-up alike: a test applies the same random changes to both.

use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyList, PyTuple};
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// A multiplicative hash for slot numbers and for key ids, which are `hash()` of strings already
/// (the std SipHash is made for untrusted keys): one multiplication spreads them over the buckets.
#[derive(Default)]
pub(crate) struct MulHasher(u64);

impl Hasher for MulHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0.rotate_left(8) ^ u64::from(b)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        }
    }
    fn write_u32(&mut self, n: u32) {
        self.0 = u64::from(n).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }
    fn write_i64(&mut self, n: i64) {
        self.0 = (n as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }
}

/// One key's holders: a bare slot while it has one (most pair and join keys), else a list.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Held {
    One(u32),
    Many(Vec<u32>),
}

impl Held {
    pub(crate) fn slots(&self) -> &[u32] {
        match self {
            Held::One(s) => std::slice::from_ref(s),
            Held::Many(v) => v,
        }
    }
}

type Table = HashMap<i64, Held, BuildHasherDefault<MulHasher>>;

/// Postings from key ids to entry slots (see the module's documentation).
#[pyclass(module = "matching._fast")]
#[derive(Default)]
pub(crate) struct Postings {
    pub(crate) table: Table,
}

impl Postings {
    pub(crate) fn held(&self, key: i64) -> Option<&Held> {
        self.table.get(&key)
    }
}

fn is_dead(live: &Bound<'_, PyList>, slot: u32) -> PyResult<bool> {
    Ok(live.get_item(slot as usize)?.is_none())
}

fn count_live(live: &Bound<'_, PyList>, slots: &[u32]) -> PyResult<usize> {
    let mut n = 0;
    for &s in slots {
        n += usize::from(!is_dead(live, s)?);
    }
    Ok(n)
}

fn live_slots(live: &Bound<'_, PyList>, slots: &[u32]) -> PyResult<Vec<u32>> {
    let mut kept = Vec::with_capacity(slots.len());
    for &s in slots {
        if !is_dead(live, s)? {
            kept.push(s);
        }
    }
    Ok(kept)
}

const FORMAT: u8 = 1;

#[pymethods]
impl Postings {
    #[new]
    fn py_new() -> Self {
        Postings::default()
    }

    /// `slot` now holds each of `keys` (`_index._dict_add`).
    fn add(&mut self, keys: &Bound<'_, PyAny>, slot: u32) -> PyResult<()> {
        for key in keys.try_iter()? {
            let key: i64 = key?.extract()?;
            match self.table.get_mut(&key) {
                None => {
                    self.table.insert(key, Held::One(slot));
                }
                Some(held) => match held {
                    Held::One(p) => *held = Held::Many(vec![*p, slot]),
                    Held::Many(v) => v.push(slot),
                },
            }
        }
        Ok(())
    }

    /// `slot`, already dead in `live`, no longer holds `keys` (`_index._dict_remove`: a list is
    /// compacted when more than half of it is dead, a long one only now and then).
    fn remove(&mut self, keys: &Bound<'_, PyAny>, slot: u32, live: &Bound<'_, PyList>) -> PyResult<()> {
        for key in keys.try_iter()? {
            let key: i64 = key?.extract()?;
            let Some(held) = self.table.get(&key) else {
                continue;
            };
            let slots = match held {
                Held::One(p) => {
                    if *p == slot {
                        self.table.remove(&key);
                    }
                    continue;
                }
                Held::Many(v) => v,
            };
            if slots.len() < 64 {
                let n_live = count_live(live, slots)?;
                if n_live == 0 {
                    self.table.remove(&key);
                } else if slots.len() > 2 * n_live {
                    let kept = live_slots(live, slots)?;
                    self.table.insert(key, Held::Many(kept));
                }
            } else if slots.len() % 64 == 0 {
                let kept = live_slots(live, slots)?;
                if kept.len() * 2 < slots.len() {
                    self.table.insert(key, Held::Many(kept));
                }
            }
        }
        Ok(())
    }

    /// The holders of `key`: an int while it has one, else a tuple (``default`` when none).
    #[pyo3(signature = (key, default = None))]
    fn get<'py>(&self, py: Python<'py>, key: i64, default: Option<Bound<'py, PyAny>>) -> PyResult<Bound<'py, PyAny>> {
        match self.table.get(&key) {
            None => Ok(default.unwrap_or_else(|| py.None().into_bound(py))),
            Some(Held::One(s)) => Ok(s.into_pyobject(py)?.into_any()),
            Some(Held::Many(v)) => Ok(PyTuple::new(py, v)?.into_any()),
        }
    }

    /// How many slots hold `key` (0 when none): `len` of its posting, without building it.
    fn count(&self, key: i64) -> usize {
        self.table.get(&key).map_or(0, |h| h.slots().len())
    }

    /// `CandidateIndex._posting`: the slots holding `key` as a tuple (empty when none), or None
    /// when more than `cap` hold it.
    fn posting<'py>(&self, py: Python<'py>, key: i64, cap: usize) -> PyResult<Option<Bound<'py, PyTuple>>> {
        match self.table.get(&key) {
            None => Ok(Some(PyTuple::empty(py))),
            Some(h) if h.slots().len() > cap => Ok(None),
            Some(h) => Ok(Some(PyTuple::new(py, h.slots())?)),
        }
    }

    fn __contains__(&self, key: i64) -> bool {
        self.table.contains_key(&key)
    }

    fn __len__(&self) -> usize {
        self.table.len()
    }

    /// The table as bytes (pickle: the worker's index snapshot).
    fn __getstate__<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        let n_slots: usize = self.table.values().map(|h| h.slots().len()).sum();
        let mut out: Vec<u8> = Vec::with_capacity(9 + 13 * self.table.len() + 4 * n_slots);
        out.push(FORMAT);
        out.extend_from_slice(&(self.table.len() as u64).to_le_bytes());
        for (key, held) in &self.table {
            out.extend_from_slice(&key.to_le_bytes());
            match held {
                Held::One(s) => {
                    out.push(0);
                    out.extend_from_slice(&s.to_le_bytes());
                }
                Held::Many(v) => {
                    out.push(1);
                    out.extend_from_slice(&(v.len() as u32).to_le_bytes());
                    for s in v {
                        out.extend_from_slice(&s.to_le_bytes());
                    }
                }
            }
        }
        PyBytes::new(py, &out)
    }

    fn __setstate__(&mut self, state: &[u8]) -> PyResult<()> {
        self.table = decode(state).ok_or_else(|| PyValueError::new_err("not a postings table of this format"))?;
        Ok(())
    }
}

struct Reader<'a> {
    data: &'a [u8],
    at: usize,
}

impl Reader<'_> {
    fn take<const N: usize>(&mut self) -> Option<[u8; N]> {
        let bytes = self.data.get(self.at..self.at + N)?;
        self.at += N;
        bytes.try_into().ok()
    }
    fn u32(&mut self) -> Option<u32> {
        self.take::<4>().map(u32::from_le_bytes)
    }
}

fn decode(state: &[u8]) -> Option<Table> {
    let mut r = Reader { data: state, at: 0 };
    if r.take::<1>()?[0] != FORMAT {
        return None;
    }
    let n = usize::try_from(u64::from_le_bytes(r.take::<8>()?)).ok()?;
    if n > state.len() / 13 {
        return None;
    }
    let mut table = Table::with_capacity_and_hasher(n, BuildHasherDefault::default());
    for _ in 0..n {
        let key = i64::from_le_bytes(r.take::<8>()?);
        let held = match r.take::<1>()?[0] {
            0 => Held::One(r.u32()?),
            1 => {
                let len = r.u32()? as usize;
                if len > (state.len() - r.at) / 4 {
                    return None;
                }
                let mut v = Vec::with_capacity(len);
                for _ in 0..len {
                    v.push(r.u32()?);
                }
                Held::Many(v)
            }
            _ => return None,
        };
        table.insert(key, held);
    }
    (r.at == state.len()).then_some(table)
}

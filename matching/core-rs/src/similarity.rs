//! Edit distances on code points, normalised as rapidfuzz does (1 - distance / max(len)), the
//! consonant skeleton of a key, and `_names.token_similarity`.

use crate::config::{config, Config};
use pyo3::prelude::*;
use std::collections::HashSet;

// Edit distances on code points, normalised as rapidfuzz does: 1 - distance / max(len).

pub(crate) fn osa_distance(a: &[char], b: &[char]) -> usize {
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

pub(crate) fn levenshtein_distance(a: &[char], b: &[char]) -> usize {
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
/// word's i-th character is `c` (a table for ASCII, which keys nearly always are; a list for the rest).
pub(crate) struct Masks {
    ascii: [u64; 128],
    other: Vec<(char, u64)>,
}

impl Masks {
    fn new(word: &[char]) -> Self {
        let mut m = Masks { ascii: [0; 128], other: Vec::new() };
        for (i, &c) in word.iter().enumerate() {
            if c.is_ascii() {
                m.ascii[c as usize] |= 1u64 << i;
            } else {
                match m.other.iter_mut().find(|(x, _)| *x == c) {
                    Some((_, bits)) => *bits |= 1u64 << i,
                    None => m.other.push((c, 1u64 << i)),
                }
            }
        }
        m
    }

    fn mask(&self, c: char) -> u64 {
        if c.is_ascii() {
            self.ascii[c as usize]
        } else {
            self.other.iter().find(|(x, _)| *x == c).map_or(0, |&(_, bits)| bits)
        }
    }
}

/// Hyyrö's bit-parallel edit distance (2003), with transpositions for OSA: the distance the
/// dynamic programme gives, for a pattern of 1 to 64 characters.
pub(crate) fn bit_parallel(pattern: &[char], text: &[char], transpositions: bool) -> usize {
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
pub(crate) fn distance(a: &[char], b: &[char], transpositions: bool) -> usize {
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

pub(crate) fn normalized(dist: usize, a: &[char], b: &[char]) -> f64 {
    let maximum = a.len().max(b.len());
    let norm_dist = if maximum == 0 { 0.0 } else { dist as f64 / maximum as f64 };
    1.0 - norm_dist
}

pub(crate) fn osa_sim(a: &[char], b: &[char]) -> f64 {
    normalized(distance(a, b, true), a, b)
}

pub(crate) fn lev_sim(a: &[char], b: &[char]) -> f64 {
    normalized(distance(a, b, false), a, b)
}

/// `rapidfuzz.distance.OSA.normalized_similarity` (exposed for the identity tests).
#[pyfunction]
pub(crate) fn osa_normalized_similarity(a: &str, b: &str) -> f64 {
    osa_sim(&chars(a), &chars(b))
}

/// `rapidfuzz.distance.Levenshtein.normalized_similarity` (exposed for the identity tests).
#[pyfunction]
pub(crate) fn levenshtein_normalized_similarity(a: &str, b: &str) -> f64 {
    lev_sim(&chars(a), &chars(b))
}

// Keys

pub(crate) fn chars(s: &str) -> Vec<char> {
    s.chars().collect()
}

/// `_text.consonant_key`: the key without vowels, b/v and p/f merged, a (soft) c and ``sh`` as ``s``.
pub(crate) fn consonant_key(key: &str) -> Vec<char> {
    let mut out: Vec<char> = Vec::with_capacity(key.len());
    consonant_key_into(key, &mut out);
    out
}

/// `consonant_key`, written at the end of `out`.
pub(crate) fn consonant_key_into(key: &str, out: &mut Vec<char>) {
    // one pass: ``sh`` read as ``s`` (left to right, as `str.replace`), vowels dropped, letters
    // merged, and a letter repeated kept once (`squeeze`)
    let start = out.len();
    let mut it = key.chars().peekable();
    while let Some(c) = it.next() {
        if c == 's' && it.peek() == Some(&'h') {
            it.next();
        }
        let m = match c {
            'a' | 'e' | 'i' | 'o' | 'u' => continue,
            'v' => 'b',
            'p' => 'f',
            'c' => 's',
            other => other,
        };
        push_squeezed(out, start, m);
    }
}

/// Push `c` at the end of `out` unless it repeats the last letter written since `start` (`squeeze`).
pub(crate) fn push_squeezed(out: &mut Vec<char>, start: usize, c: char) {
    if out.len() == start || out[out.len() - 1] != c {
        out.push(c);
    }
}

/// `_text.consonant_key` (exposed for the identity tests).
#[pyfunction]
#[pyo3(name = "consonant_key")]
pub(crate) fn consonant_key_py(key: &str) -> String {
    consonant_key(key).into_iter().collect()
}

fn is_vowel(c: char) -> bool {
    matches!(c, 'a' | 'e' | 'i' | 'o' | 'u')
}

/// `_names._WRITTEN_AS`: whether Latin vowel `x` may spell an abjad reading's vowel `y`.
fn written_as(x: char, y: char) -> bool {
    match y {
        'u' => matches!(x, 'u' | 'o'),
        'i' => matches!(x, 'i' | 'e'),
        _ => true,
    }
}

/// `_names._spells`: `latin` is `reading` with short vowels written in.
fn spells(latin: &[char], reading: &[char]) -> bool {
    let mut j = 0;
    let mut added = false;
    for &x in latin {
        if j < reading.len() {
            let y = reading[j];
            if x == y || (is_vowel(x) && is_vowel(y) && written_as(x, y)) {
                j += 1;
                added = false;
                continue;
            }
        }
        if is_vowel(x) && !added && j > 0 && j < reading.len() {
            added = true;
            continue;
        }
        return false;
    }
    j == reading.len()
}

/// `_names.vocalises`: one key spells the other's abjad reading in full.
pub(crate) fn vocalises(a: &[char], b: &[char]) -> bool {
    match a.len().cmp(&b.len()) {
        std::cmp::Ordering::Less => spells(b, a),
        std::cmp::Ordering::Greater => spells(a, b),
        std::cmp::Ordering::Equal => spells(a, b) || spells(b, a),
    }
}

/// Whether two keys differ in where they have vowels, letter by letter (`_names._SHAPE`: a
/// vowel `V`, another letter `C`, anything else itself).
fn shapes_differ(a: &[char], b: &[char]) -> bool {
    fn shape(c: char) -> char {
        match c {
            'a' | 'e' | 'i' | 'o' | 'u' => 'V',
            'b'..='z' => 'C',
            _ => c,
        }
    }
    a.len() != b.len() || a.iter().zip(b).any(|(&x, &y)| shape(x) != shape(y))
}

/// Whether both keys are names frequent world-wide (`_common.COMMON`).
fn both_common(a: &[char], b: &[char], common: &HashSet<String>) -> bool {
    common.contains(&a.iter().collect::<String>()) && common.contains(&b.iter().collect::<String>())
}

/// `_names._vowels_elsewhere`.
fn vowels_elsewhere(a: &[char], b: &[char], ca: &[char], cb: &[char], common: &HashSet<String>) -> bool {
    ca == cb && shapes_differ(a, b) && !letters_left_out(a, b) && both_common(a, b, common)
}

/// `_names._letters_left_out`: the shorter key is the longer with letters left out.
fn letters_left_out(a: &[char], b: &[char]) -> bool {
    let (short, long) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    let mut rest = long.iter();
    short.iter().all(|c| rest.any(|x| x == c))
}

/// `_names.token_similarity`.
pub(crate) fn token_similarity(a: &[char], b: &[char], ca: &[char], cb: &[char], abjad: bool, cfg: &Config) -> f64 {
    if a == b {
        return 1.0;
    }
    if a.len() < 3 || b.len() < 3 {
        return 0.0;
    }
    if abjad && ca == cb && vocalises(a, b) {
        return 1.0;
    }
    let mut s = osa_sim(a, b);
    if ca.len() >= 2 && cb.len() >= 2 && ca[0] == cb[0] && (abjad || ca.len().min(cb.len()) >= 3) {
        if abjad || a.len().abs_diff(b.len()) <= 1 {
            if abjad || !vowels_elsewhere(a, b, ca, cb, &cfg.common) {
                let x = 0.9 * lev_sim(ca, cb);
                if x > s {
                    s = x;
                }
            }
            if abjad && (ca.contains(&'b') || cb.contains(&'b')) {
                let na: Vec<char> = ca.iter().copied().filter(|&c| c != 'b').collect();
                let nb: Vec<char> = cb.iter().copied().filter(|&c| c != 'b').collect();
                let x = 0.9 * lev_sim(&na, &nb);
                if x > s {
                    s = x;
                }
            }
        } else if ca == cb && letters_left_out(a, b) {
            let x = if ca.len() >= 4 { 0.9 } else { 0.75 };
            if x > s {
                s = x;
            }
        }
    } else if ca == cb && a[0] == b[0] && a.len().abs_diff(b.len()) <= 1 && a.len().min(b.len()) >= 4 && 0.9 > s {
        s = 0.9;
    }
    if two_names(a, b, s, cfg, cfg.min_pair) {
        return 0.0;
    }
    s
}

/// `_names._two_names`.
pub(crate) fn two_names(a: &[char], b: &[char], s: f64, cfg: &Config, floor: f64) -> bool {
    s >= floor && s < cfg.common_apart && a.len().min(b.len()) >= 5 && both_common(a, b, &cfg.common)
}

/// `_names.token_similarity` on strings (exposed for the identity tests).
#[pyfunction]
#[pyo3(name = "token_similarity", signature = (a, b, ca, cb, abjad=false))]
pub(crate) fn token_similarity_py(a: &str, b: &str, ca: &str, cb: &str, abjad: bool) -> PyResult<f64> {
    Ok(token_similarity(&chars(a), &chars(b), &chars(ca), &chars(cb), abjad, config()?))
}

//! Half-open intervals `[start, end)` of unix seconds, and the set operations the engine needs.
//!
//! DOMAIN §5: every interval (open time, pauses, outages, maintenance) is half-open; overlapping
//! ones count once; a start after its end is an error; `start == end` is empty.

use super::{ts, SlaError};

/// A half-open interval `[start, end)` in unix seconds.
pub type Span = (i64, i64);

/// Sorts, checks and merges intervals into disjoint, non-touching, non-empty spans.
///
/// Touching spans (`[a, b)` and `[b, c)`) merge into `[a, c)`: the union is the same set of
/// instants and fewer spans make later sweeps cheaper.
pub fn normalize(mut spans: Vec<Span>) -> Result<Vec<Span>, SlaError> {
    if let Some(&(s, e)) = spans.iter().find(|(s, e)| s > e) {
        return Err(SlaError::IntervalReversed {
            start: ts(s).to_string(),
            end: ts(e).to_string(),
        });
    }
    spans.retain(|(s, e)| s < e);
    spans.sort_unstable();
    let mut out: Vec<Span> = Vec::with_capacity(spans.len());
    for (s, e) in spans {
        match out.last_mut() {
            Some(last) if s <= last.1 => last.1 = last.1.max(e),
            _ => out.push((s, e)),
        }
    }
    Ok(out)
}

/// Clips normalized spans to `[lo, hi)`, dropping what falls outside.
pub fn clip(spans: &[Span], lo: i64, hi: i64) -> Vec<Span> {
    spans
        .iter()
        .filter_map(|&(s, e)| {
            let (s, e) = (s.max(lo), e.min(hi));
            (s < e).then_some((s, e))
        })
        .collect()
}

/// Total length of normalized (disjoint) spans.
pub fn measure(spans: &[Span]) -> i64 {
    spans.iter().map(|(s, e)| e - s).sum()
}

/// Length of the intersection of two normalized span lists, by a linear sweep.
pub fn intersection_measure(a: &[Span], b: &[Span]) -> i64 {
    let (mut i, mut j, mut total) = (0, 0, 0);
    while i < a.len() && j < b.len() {
        let s = a[i].0.max(b[j].0);
        let e = a[i].1.min(b[j].1);
        if s < e {
            total += e - s;
        }
        if a[i].1 <= b[j].1 {
            i += 1;
        } else {
            j += 1;
        }
    }
    total
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalize_merges_overlapping_and_touching_and_drops_empty() {
        let n = normalize(vec![(5, 8), (0, 2), (2, 3), (7, 10), (4, 4)]).unwrap();
        assert_eq!(n, vec![(0, 3), (5, 10)]);
    }

    #[test]
    fn normalize_refuses_a_reversed_interval() {
        assert!(matches!(
            normalize(vec![(3, 2)]),
            Err(SlaError::IntervalReversed { .. })
        ));
    }

    #[test]
    fn intersection_of_two_lists() {
        let a = [(0, 10), (20, 30)];
        let b = [(5, 25)];
        assert_eq!(intersection_measure(&a, &b), 5 + 5);
        assert_eq!(clip(&a, 5, 25), vec![(5, 10), (20, 25)]);
        assert_eq!(measure(&a), 20);
    }
}

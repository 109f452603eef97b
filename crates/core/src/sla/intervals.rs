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

/// The union of two normalized span lists, normalized (touching spans merge).
pub fn union(a: &[Span], b: &[Span]) -> Vec<Span> {
    let mut out: Vec<Span> = Vec::with_capacity(a.len() + b.len());
    let (mut i, mut j) = (0, 0);
    while i < a.len() || j < b.len() {
        let next = if j == b.len() || (i < a.len() && a[i].0 <= b[j].0) {
            i += 1;
            a[i - 1]
        } else {
            j += 1;
            b[j - 1]
        };
        match out.last_mut() {
            Some(last) if next.0 <= last.1 => last.1 = last.1.max(next.1),
            _ => out.push(next),
        }
    }
    out
}

/// The intersection of two normalized span lists, normalized.
pub fn intersection(a: &[Span], b: &[Span]) -> Vec<Span> {
    let mut out = Vec::new();
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < b.len() {
        let s = a[i].0.max(b[j].0);
        let e = a[i].1.min(b[j].1);
        if s < e {
            out.push((s, e));
        }
        if a[i].1 <= b[j].1 {
            i += 1;
        } else {
            j += 1;
        }
    }
    out
}

/// `a − b` of two normalized span lists, normalized: the instants of `a` that `b` lacks.
pub fn difference(a: &[Span], b: &[Span]) -> Vec<Span> {
    let mut out = Vec::with_capacity(a.len());
    let mut j = 0;
    for &(start, end) in a {
        let mut s = start;
        // Spans of `b` that end at or before `s` can touch no later span of `a` either.
        while j < b.len() && b[j].1 <= s {
            j += 1;
        }
        let mut k = j;
        while s < end && k < b.len() && b[k].0 < end {
            if b[k].0 > s {
                out.push((s, b[k].0));
            }
            s = s.max(b[k].1);
            k += 1;
        }
        if s < end {
            out.push((s, end));
        }
    }
    out
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

    #[test]
    fn union_intersection_and_difference() {
        let a = [(0, 10), (20, 30)];
        let b = [(5, 20), (25, 26), (40, 50)];
        assert_eq!(union(&a, &b), vec![(0, 30), (40, 50)]);
        assert_eq!(intersection(&a, &b), vec![(5, 10), (25, 26)]);
        assert_eq!(difference(&a, &b), vec![(0, 5), (20, 25), (26, 30)]);
        assert_eq!(difference(&b, &a), vec![(10, 20), (40, 50)]);
        assert_eq!(difference(&a, &[]), a.to_vec());
        assert_eq!(difference(&[], &a), vec![]);
    }

    use proptest::prelude::*;

    fn arb_spans() -> impl Strategy<Value = Vec<Span>> {
        prop::collection::vec((0i64..200, 0i64..40), 0..12)
            .prop_map(|v| normalize(v.into_iter().map(|(s, l)| (s, s + l)).collect()).unwrap())
    }

    fn contains(spans: &[Span], t: i64) -> bool {
        spans.iter().any(|&(s, e)| s <= t && t < e)
    }

    fn is_normalized(spans: &[Span]) -> bool {
        spans.iter().all(|(s, e)| s < e) && spans.windows(2).all(|w| w[0].1 < w[1].0)
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]
        #[test]
        fn set_operations_agree_with_membership(a in arb_spans(), b in arb_spans()) {
            let (u, i, d) = (union(&a, &b), intersection(&a, &b), difference(&a, &b));
            prop_assert!(is_normalized(&u) && is_normalized(&i) && is_normalized(&d));
            for t in -1..245 {
                let (x, y) = (contains(&a, t), contains(&b, t));
                prop_assert_eq!(contains(&u, t), x || y);
                prop_assert_eq!(contains(&i, t), x && y);
                prop_assert_eq!(contains(&d, t), x && !y);
            }
            // |A ∪ B| + |A ∩ B| = |A| + |B|; (A − B) ∪ (A ∩ B) = A; A − B and B are disjoint.
            prop_assert_eq!(measure(&u) + measure(&i), measure(&a) + measure(&b));
            prop_assert_eq!(measure(&i), intersection_measure(&a, &b));
            prop_assert_eq!(union(&d, &i), a.clone());
            prop_assert_eq!(intersection_measure(&d, &b), 0);
        }
    }
}

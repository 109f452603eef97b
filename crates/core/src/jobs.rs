//! The rule of retries for the job runner: when a failed job is tried again, and when it is
//! given up (kept, with its error, for an operator to see).

use jiff::SignedDuration;

/// Attempts after which a job is given up.
pub const MAX_ATTEMPTS: i64 = 12;

/// How long after its `attempts`-th failure (1, 2, …) a job runs again: one minute, doubling,
/// at most six hours; `None` once [`MAX_ATTEMPTS`] have failed.
pub fn retry_after(attempts: i64) -> Option<SignedDuration> {
    if attempts >= MAX_ATTEMPTS {
        return None;
    }
    let minutes = 1i64 << (attempts.clamp(1, 20) - 1);
    Some(SignedDuration::from_mins(minutes.min(6 * 60)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_double_from_a_minute_to_six_hours_then_stop() {
        let mins: Vec<i64> = (1..MAX_ATTEMPTS)
            .map(|n| retry_after(n).unwrap().as_mins())
            .collect();
        assert_eq!(mins, [1, 2, 4, 8, 16, 32, 64, 128, 256, 360, 360]);
        assert_eq!(retry_after(MAX_ATTEMPTS), None);
    }
}

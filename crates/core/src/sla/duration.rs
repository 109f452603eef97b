#[derive(Debug, thiserror::Error)]
#[error("`{0}` is not a duration")]
pub struct DurationError(String);
pub fn parse_duration(s: &str) -> Result<i64, DurationError> {
    let mut total = 0i64;
    let mut num = String::new();
    if s.is_empty() {
        return Err(DurationError(s.into()));
    }
    for c in s.chars() {
        if c.is_ascii_digit() {
            num.push(c);
            continue;
        }
        let n: i64 = num.parse().map_err(|_| DurationError(s.into()))?;
        num.clear();
        total += n * match c {
            'h' => 3600,
            'm' => 60,
            's' => 1,
            _ => return Err(DurationError(s.into())),
        };
    }
    if !num.is_empty() {
        return Err(DurationError(s.into()));
    }
    Ok(total)
}
pub fn format_duration(s: i64) -> String {
    let (h, m, sec) = (s / 3600, s % 3600 / 60, s % 60);
    let mut out = String::new();
    if h > 0 {
        out.push_str(&format!("{h}h"));
    }
    if m > 0 {
        out.push_str(&format!("{m}m"));
    }
    if sec > 0 || out.is_empty() {
        out.push_str(&format!("{sec}s"));
    }
    out
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(transparent)]
pub struct Target(String);
#[derive(Debug, thiserror::Error)]
#[error("`{0}` is not a percentage between 0 and 100")]
pub struct TargetError(String);
impl Target {
    pub fn parse(s: &str) -> Result<Target, TargetError> {
        let v: f64 = s.parse().map_err(|_| TargetError(s.into()))?;
        if !(0.0..=100.0).contains(&v) {
            return Err(TargetError(s.into()));
        }
        Ok(Target(s.into()))
    }
}
impl std::fmt::Display for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}
pub fn allowed_downtime_seconds(agreed: i64, t: &Target) -> i64 {
    let v: f64 = t.0.parse().unwrap();
    (agreed as f64 * (100.0 - v) / 100.0).floor() as i64
}

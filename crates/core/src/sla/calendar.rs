pub const BUILTIN_CALENDARS: &[&str] = &["24x7", "be-working-hours"];
#[derive(Debug, Clone, serde::Deserialize)]
pub struct CalendarSpec {
    pub timezone: String,
    #[serde(default)]
    pub slots: Vec<serde_json::Value>,
    #[serde(default)]
    pub holidays: serde_json::Value,
}
#[derive(Debug, Clone)]
pub struct Calendar;
#[derive(Debug, Clone)]
pub struct SpecError {
    pub path: String,
    pub message: String,
}
impl CalendarSpec {
    pub fn build(&self) -> Result<Calendar, Vec<SpecError>> {
        if jiff::tz::TimeZone::get(&self.timezone).is_err() {
            return Err(vec![SpecError {
                path: "timezone".into(),
                message: format!("unknown time zone `{}`", self.timezone),
            }]);
        }
        Ok(Calendar)
    }
}

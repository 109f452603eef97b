//! TEMPORARY SHIM (replaced by the SLA engine branch).
pub mod availability;
pub mod calendar;
pub mod duration;

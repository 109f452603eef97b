//! Pacta's domain, free of IO: the catalogue and its rules, and the SLA engine
//! (calendars, business time, clocks, availability). Every rule of DOMAIN.md lives here once.

pub mod access;
pub mod catalogue;
pub mod clock;
pub mod dashboard;
pub mod incident;
pub mod jobs;
pub mod maintenance;
pub mod monitor;
pub mod oncall;
pub mod partner;
pub mod retention;
pub mod sla;
pub mod subscription;
pub mod text;
pub mod ticket;

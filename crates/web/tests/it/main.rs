//! The web crate's integration tests: the API through the router, with a fresh database each.

mod accounts_api;
mod admin_pages;
mod api_reads;
mod api_writes;
mod auth;
mod availability_api;
mod dashboard_api;
mod incidents_api;
mod isolation;
mod login;
mod maintenance_api;
mod maintenance_feed;
mod maintenance_pages;
mod maintenance_writes;
mod metrics;
mod monitoring_pages;
mod monitors_api;
mod openapi;
mod retention_job;
mod seams;
mod subscriptions_api;
mod support;
mod ticket_pages;
mod tickets_api;
mod ui_pages;

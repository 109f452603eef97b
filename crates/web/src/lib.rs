//! Pacta's HTTP face: the JSON API under `/api/v1` and the pages.

//! Pacta's storage: SQLite or PostgreSQL behind one `Db`.

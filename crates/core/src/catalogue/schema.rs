//! The JSON Schema of the catalogue format, for editors that validate YAML as you type
//! (`pacta catalogue schema`). The reader in [`super::read`] remains the authority; a test checks
//! that the demo catalogue and an export satisfy this schema.

/// JSON Schema (draft 2020-12) of a catalogue file.
pub const JSON_SCHEMA: &str = include_str!("schema.json");

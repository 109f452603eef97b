//! Multilingual text.

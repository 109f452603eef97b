//! The service catalogue (DOMAIN §2): its entities, the catalogue-as-code format (read with every
//! error at once, exported deterministically), the import plan, and the effective-SLA rule.

pub mod document;
pub mod export;
pub mod import;
pub mod lifecycle;
pub mod model;
pub mod read;
pub mod rules;
pub mod schema;
pub mod visibility;

pub use model::*;

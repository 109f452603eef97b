//! The service catalogue (DOMAIN §2).

//! The SLA engine (DOMAIN §5 and §6): calendars, holidays, business time, clocks, availability.

//! Roles and permissions (DOMAIN §8): who a user is to Pacta, and the one function that says
//! what they may do.

pub mod permissions;
pub mod roles;
pub mod user;

pub use permissions::{decide, Action, Actor, Decision, UserActor};
pub use roles::{check_grants, Grant, Role, RoleError};
pub use user::{
    check_own_change, normalize_email, read_new_user, read_user_patch, NewUser, OwnAccountError,
    User, UserError, UserPatch,
};

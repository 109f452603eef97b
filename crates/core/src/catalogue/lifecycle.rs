//! A service's lifecycle (DOMAIN §2): `draft → published → retired`, and its version history —
//! every published change is a new version. The store persists what these functions decide; it
//! never decides a move itself.

use super::model::{Lifecycle, Service};

/// What saving a service does to its version history.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Versioning {
    /// The version history is unchanged (a draft, or a retired service).
    Keep,
    /// The saved service is published as it stands: version n+1.
    Record,
}

/// A lifecycle move or write that the rules refuse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LifecycleError {
    #[error("service {code} is already retired")]
    AlreadyRetired { code: String },
    #[error("service {code} was never published: delete or publish the draft instead")]
    NeverPublished { code: String },
    #[error("service {code} is already published as version {version}")]
    AlreadyPublished { code: String, version: i64 },
    #[error("a service cannot go back to draft")]
    BackToDraft,
    /// A new service starts as a draft (the catalogue-as-code import excepted: it states the
    /// lifecycle of what it brings).
    #[error("a new service is a draft: publish it with POST /api/v1/services/{{code}}/publish")]
    NewNotDraft,
    /// An edit keeps the status; the status moves only by publish and retire.
    #[error("change the lifecycle with POST …/publish or …/retire")]
    StatusChangedByEdit,
}

/// Whether saving `service` records a version: a change to a published service is live at once,
/// so it is a new publication.
pub fn on_save(service: &Service) -> Versioning {
    match service.status {
        Lifecycle::Published => Versioning::Record,
        Lifecycle::Draft | Lifecycle::Retired => Versioning::Keep,
    }
}

/// The move of service `code` from `from` to `to`, `version` being its last published version:
/// publish (from a draft or a retired service) records version n+1; retire keeps the history
/// (the service stays readable for its subscribers); nothing goes back to draft.
pub fn transition(
    code: &str,
    from: Lifecycle,
    to: Lifecycle,
    version: i64,
) -> Result<Versioning, LifecycleError> {
    match (from, to) {
        (_, Lifecycle::Draft) => Err(LifecycleError::BackToDraft),
        (Lifecycle::Retired, Lifecycle::Retired) => Err(LifecycleError::AlreadyRetired {
            code: code.to_owned(),
        }),
        (Lifecycle::Draft, Lifecycle::Retired) => Err(LifecycleError::NeverPublished {
            code: code.to_owned(),
        }),
        (Lifecycle::Published, Lifecycle::Published) => Err(LifecycleError::AlreadyPublished {
            code: code.to_owned(),
            version,
        }),
        (Lifecycle::Draft | Lifecycle::Retired, Lifecycle::Published) => Ok(Versioning::Record),
        (Lifecycle::Published, Lifecycle::Retired) => Ok(Versioning::Keep),
    }
}

/// A service created by an editor (not by an import) starts as a draft.
pub fn check_create(service: &Service) -> Result<(), LifecycleError> {
    if service.status == Lifecycle::Draft {
        Ok(())
    } else {
        Err(LifecycleError::NewNotDraft)
    }
}

/// An edit by an editor keeps the status it replaces.
pub fn check_edit(before: Lifecycle, after: &Service) -> Result<(), LifecycleError> {
    if before == after.status {
        Ok(())
    } else {
        Err(LifecycleError::StatusChangedByEdit)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Lifecycle::*;

    #[test]
    fn publishing_records_a_version_and_retiring_keeps_the_history() {
        assert_eq!(transition("X", Draft, Published, 0), Ok(Versioning::Record));
        assert_eq!(
            transition("X", Retired, Published, 3),
            Ok(Versioning::Record)
        );
        assert_eq!(transition("X", Published, Retired, 3), Ok(Versioning::Keep));
    }

    #[test]
    fn refused_moves_say_why() {
        assert_eq!(
            transition("X", Published, Published, 2)
                .unwrap_err()
                .to_string(),
            "service X is already published as version 2"
        );
        assert_eq!(
            transition("X", Retired, Retired, 2).unwrap_err(),
            LifecycleError::AlreadyRetired { code: "X".into() }
        );
        assert_eq!(
            transition("X", Draft, Retired, 0).unwrap_err(),
            LifecycleError::NeverPublished { code: "X".into() }
        );
        for from in [Draft, Published, Retired] {
            assert_eq!(
                transition("X", from, Draft, 1).unwrap_err(),
                LifecycleError::BackToDraft
            );
        }
    }
}

//! The import plan: what an incoming catalogue creates, updates or leaves unchanged in the stored
//! one (upsert by code; nothing deleted unless pruning).

use std::fmt;

use super::model::*;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Action {
    Created,
    Updated,
    Unchanged,
    Deleted,
}

impl Action {
    pub fn code(self) -> &'static str {
        match self {
            Action::Created => "created",
            Action::Updated => "updated",
            Action::Unchanged => "unchanged",
            Action::Deleted => "deleted",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Kind {
    Profile,
    Calendar,
    Level,
    Category,
    Service,
}

impl Kind {
    pub fn code(self) -> &'static str {
        match self {
            Kind::Profile => "profile",
            Kind::Calendar => "calendar",
            Kind::Level => "level",
            Kind::Category => "category",
            Kind::Service => "service",
        }
    }
}

/// One line of the plan: `created service WEB-HOSTING`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    pub action: Action,
    pub kind: Kind,
    pub code: String,
}

impl fmt::Display for Change {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {} {}",
            self.action.code(),
            self.kind.code(),
            self.code
        )
    }
}

/// The changes and the catalogue that results from applying them.
#[derive(Debug, Clone)]
pub struct Plan {
    pub changes: Vec<Change>,
    pub result: Catalogue,
}

impl Plan {
    pub fn is_noop(&self) -> bool {
        self.changes.iter().all(|c| c.action == Action::Unchanged)
    }
}

fn merge<T: Clone + PartialEq>(
    kind: Kind,
    existing: &[T],
    incoming: &[T],
    prune: bool,
    code: impl Fn(&T) -> &str,
    changes: &mut Vec<Change>,
) -> Vec<T> {
    let mut result: Vec<T> = Vec::new();
    for old in existing {
        match incoming.iter().find(|n| code(n) == code(old)) {
            Some(_) => {}
            None if prune => changes.push(Change {
                action: Action::Deleted,
                kind,
                code: code(old).to_owned(),
            }),
            None => result.push(old.clone()),
        }
    }
    for new in incoming {
        let action = match existing.iter().find(|o| code(o) == code(new)) {
            None => Action::Created,
            Some(old) if old == new => Action::Unchanged,
            Some(_) => Action::Updated,
        };
        changes.push(Change {
            action,
            kind,
            code: code(new).to_owned(),
        });
        result.push(new.clone());
    }
    result
}

/// Plans importing `incoming` over `existing`. With `prune`, what `incoming` lacks is deleted.
pub fn plan(existing: &Catalogue, incoming: &Catalogue, prune: bool) -> Plan {
    let mut changes = Vec::new();
    let mut result = Catalogue::default();
    match (&existing.profile, &incoming.profile) {
        (_, None) => {
            result.profile = if prune {
                None
            } else {
                existing.profile.clone()
            }
        }
        (old, Some(new)) => {
            let action = match old {
                None => Action::Created,
                Some(old) if old == new => Action::Unchanged,
                Some(_) => Action::Updated,
            };
            changes.push(Change {
                action,
                kind: Kind::Profile,
                code: "profile".into(),
            });
            result.profile = Some(new.clone());
        }
    }
    if prune && existing.profile.is_some() && incoming.profile.is_none() {
        changes.push(Change {
            action: Action::Deleted,
            kind: Kind::Profile,
            code: "profile".into(),
        });
    }
    result.calendars = merge(
        Kind::Calendar,
        &existing.calendars,
        &incoming.calendars,
        prune,
        |c| &c.code,
        &mut changes,
    );
    result.levels = merge(
        Kind::Level,
        &existing.levels,
        &incoming.levels,
        prune,
        |c| &c.code,
        &mut changes,
    );
    result.categories = merge(
        Kind::Category,
        &existing.categories,
        &incoming.categories,
        prune,
        |c| &c.code,
        &mut changes,
    );
    result.services = merge(
        Kind::Service,
        &existing.services,
        &incoming.services,
        prune,
        |c| &c.code,
        &mut changes,
    );
    Plan { changes, result }
}

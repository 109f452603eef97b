//! The partners repository: each partner one document in the partners-file shape, with a
//! revision (its ETag); every write audited with the partner it concerns.

use pacta_core::access::Role;
use pacta_core::partner::Partner;

use crate::{in_tx, with_pool, Db, Result, Scope, Stamp, StoreError};

/// A stored partner and its revision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredPartner {
    pub partner: Partner,
    pub revision: i64,
}

fn to_doc(p: &Partner) -> String {
    serde_json::to_string(p).unwrap_or_else(|e| unreachable!("a partner always serialises: {e}"))
}

fn from_doc(code: &str, doc: &str) -> Result<Partner> {
    serde_json::from_str(doc).map_err(|source| StoreError::Corrupt {
        kind: "partner",
        code: code.to_owned(),
        source,
    })
}

/// A partner's PRM must be a user of the provider's staff holding `prm` over that partner.
macro_rules! check_prm {
    ($tx:expr, $partner:expr) => {
        if let Some(email) = &$partner.prm {
            let row: Option<(Option<String>, String)> =
                sqlx::query_as("SELECT partner_code, roles FROM users WHERE email = $1")
                    .bind(email)
                    .fetch_optional(&mut *$tx)
                    .await?;
            let holds = row.is_some_and(|(partner, roles)| {
                partner.is_none()
                    && serde_json::from_str::<Vec<pacta_core::access::Grant>>(&roles)
                        .unwrap_or_default()
                        .iter()
                        .any(|g| g.role == Role::Prm && g.covers(&$partner.code))
            });
            if !holds {
                return Err(StoreError::invalid(
                    "prm",
                    format!(
                        "`{email}` is not a user holding prm over {} (give the user the role prm:{} first)",
                        $partner.code, $partner.code
                    ),
                ));
            }
        }
    };
}

/// Inserts or replaces a partner inside `$tx`, with its audit entry; the new revision.
macro_rules! upsert_partner {
    ($tx:expr, $stamp:expr, $partner:expr, $action:expr) => {{
        check_prm!($tx, $partner);
        let doc = to_doc($partner);
        let before: Option<(String, i64)> =
            sqlx::query_as("SELECT doc, revision FROM partners WHERE code = $1")
                .bind(&$partner.code)
                .fetch_optional(&mut *$tx)
                .await?;
        let revision = before.as_ref().map_or(1, |(_, r)| r + 1);
        sqlx::query(
            "INSERT INTO partners (code, doc, revision, updated_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (code) DO UPDATE SET doc = excluded.doc, revision = excluded.revision, \
             updated_at = excluded.updated_at",
        )
        .bind(&$partner.code)
        .bind(&doc)
        .bind(revision)
        .bind($stamp.seconds())
        .execute(&mut *$tx)
        .await?;
        audit_write!(
            $tx,
            $stamp,
            $action,
            "partner",
            &$partner.code,
            Some($partner.code.clone()),
            before.map(|(d, _)| d),
            Some(doc)
        );
        revision
    }};
}

impl Db {
    /// The partners in `scope`, by code.
    pub async fn list_partners(&self, scope: Scope<'_>) -> Result<Vec<StoredPartner>> {
        let rows: Vec<(String, String, i64)> = with_pool!(self, |pool| {
            sqlx::query_as("SELECT code, doc, revision FROM partners ORDER BY code")
                .fetch_all(pool)
                .await?
        });
        rows.into_iter()
            .filter(|(code, _, _)| scope.admits(Some(code)))
            .map(|(code, doc, revision)| {
                Ok(StoredPartner {
                    partner: from_doc(&code, &doc)?,
                    revision,
                })
            })
            .collect()
    }

    /// One partner, if it exists and is in `scope`.
    pub async fn partner(&self, scope: Scope<'_>, code: &str) -> Result<Option<StoredPartner>> {
        if !scope.admits(Some(code)) {
            return Ok(None);
        }
        let row: Option<(String, i64)> = with_pool!(self, |pool| {
            sqlx::query_as("SELECT doc, revision FROM partners WHERE code = $1")
                .bind(code)
                .fetch_optional(pool)
                .await?
        });
        row.map(|(doc, revision)| {
            Ok(StoredPartner {
                partner: from_doc(code, &doc)?,
                revision,
            })
        })
        .transpose()
    }

    /// Creates a partner; a code that exists is refused. Returns its revision (1).
    pub async fn create_partner(&self, partner: &Partner, stamp: Stamp<'_>) -> Result<i64> {
        in_tx!(self, |tx| {
            let exists: Option<(i64,)> =
                sqlx::query_as("SELECT revision FROM partners WHERE code = $1")
                    .bind(&partner.code)
                    .fetch_optional(&mut *tx)
                    .await?;
            if exists.is_some() {
                return Err(StoreError::Duplicate {
                    kind: "partner",
                    code: partner.code.clone(),
                });
            }
            Ok(upsert_partner!(tx, stamp, partner, "create"))
        })
    }

    /// Replaces a partner still at revision `expected`; the new revision.
    pub async fn update_partner(
        &self,
        partner: &Partner,
        expected: i64,
        stamp: Stamp<'_>,
    ) -> Result<i64> {
        in_tx!(self, |tx| {
            let current: Option<(i64,)> =
                sqlx::query_as("SELECT revision FROM partners WHERE code = $1")
                    .bind(&partner.code)
                    .fetch_optional(&mut *tx)
                    .await?;
            let current = current
                .ok_or_else(|| StoreError::NotFound {
                    kind: "partner",
                    code: partner.code.clone(),
                })?
                .0;
            if current != expected {
                return Err(StoreError::Stale {
                    kind: "partner",
                    code: partner.code.clone(),
                    expected,
                    current,
                });
            }
            Ok(upsert_partner!(tx, stamp, partner, "update"))
        })
    }

    /// Writes the created and updated partners of an import, in one transaction: all or none.
    pub async fn import_partners(&self, writes: &[Partner], stamp: Stamp<'_>) -> Result<usize> {
        if writes.is_empty() {
            return Ok(0);
        }
        in_tx!(self, |tx| {
            for partner in writes {
                upsert_partner!(tx, stamp, partner, "import");
            }
            Ok::<_, StoreError>(writes.len())
        })
    }
}

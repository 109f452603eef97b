//! Users, their one-time links and their API tokens. A user's roles are checked by
//! `pacta_core::access` before they come here; this module checks what only the database knows:
//! the partner exists, a scope names stored services or partners, an e-mail is not taken. Every
//! write is audited; no password, token or hash ever reaches the audit log.

use pacta_core::access::{Grant, Role, User};
use pacta_core::text::Lang;
use serde::Serialize;

use crate::credentials::{new_token, token_hash};
use crate::{in_tx, with_pool, Db, Result, Scope, Stamp, StoreError};

/// What a one-time link is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkPurpose {
    /// A new user sets a first password.
    Invite,
    /// A user sets a new password.
    Reset,
}

impl LinkPurpose {
    /// How long a link stays usable: an invitation a week, a reset a day.
    pub const fn valid_for(self) -> jiff::SignedDuration {
        match self {
            LinkPurpose::Invite => jiff::SignedDuration::from_hours(7 * 24),
            LinkPurpose::Reset => jiff::SignedDuration::from_hours(24),
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            LinkPurpose::Invite => "invite",
            LinkPurpose::Reset => "reset",
        }
    }
}

/// An API token as it is listed: never its secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TokenInfo {
    pub id: String,
    pub user: String,
    pub name: String,
    /// Unix seconds.
    pub created_at: i64,
    pub expires_at: Option<i64>,
    pub revoked_at: Option<i64>,
    pub last_used_at: Option<i64>,
}

/// Which users a listing returns (within its scope).
#[derive(Debug, Clone, Default)]
pub struct UserFilter {
    pub partner: Option<String>,
    pub role: Option<Role>,
}

type UserRow = (String, String, Option<String>, String, String, bool);

fn user_from_row((email, name, partner, lang, roles, disabled): UserRow) -> Result<User> {
    let roles: Vec<Grant> = serde_json::from_str(&roles).map_err(|source| StoreError::Corrupt {
        kind: "user",
        code: email.clone(),
        source,
    })?;
    Ok(User {
        lang: Lang::from_code(&lang).unwrap_or(Lang::En),
        email,
        name,
        partner,
        roles,
        disabled,
    })
}

/// A user's document in the audit log: what the API shows, no secret.
fn audit_doc(user: &User) -> String {
    serde_json::to_string(user).unwrap_or_else(|e| unreachable!("a user always serialises: {e}"))
}

/// Checks, inside `$tx`, that the user's partner and the codes of its scopes are stored.
macro_rules! check_references {
    ($tx:expr, $user:expr) => {
        if let Some(p) = &$user.partner {
            let found: Option<(String,)> =
                sqlx::query_as("SELECT code FROM partners WHERE code = $1")
                    .bind(p)
                    .fetch_optional(&mut *$tx)
                    .await?;
            if found.is_none() {
                return Err(StoreError::invalid("partner", format!("no partner `{p}`")));
            }
        }
        for grant in &$user.roles {
            for code in &grant.scope {
                let found: Option<(String,)> = match grant.role {
                    Role::Prm => {
                        sqlx::query_as("SELECT code FROM partners WHERE code = $1")
                            .bind(code)
                            .fetch_optional(&mut *$tx)
                            .await?
                    }
                    _ => sqlx::query_as(
                        "SELECT code FROM catalogue_entities WHERE kind = 'service' AND code = $1",
                    )
                    .bind(code)
                    .fetch_optional(&mut *$tx)
                    .await?,
                };
                if found.is_none() {
                    let what = if grant.role == Role::Prm {
                        "partner"
                    } else {
                        "service"
                    };
                    return Err(StoreError::invalid(
                        "roles",
                        format!("{}: no {what} `{code}`", grant.role),
                    ));
                }
            }
        }
    };
}

/// The user `$email` inside `$tx` with its id, or NotFound.
macro_rules! user_in_tx {
    ($tx:expr, $email:expr) => {{
        let row: Option<(String, String, String, Option<String>, String, String, bool)> =
            sqlx::query_as(
                "SELECT id, email, name, partner_code, lang, roles, disabled FROM users WHERE email = $1",
            )
            .bind($email)
            .fetch_optional(&mut *$tx)
            .await?;
        let (id, email, name, partner, lang, roles, disabled) =
            row.ok_or_else(|| StoreError::NotFound {
                kind: "user",
                code: $email.to_owned(),
            })?;
        (id, user_from_row((email, name, partner, lang, roles, disabled))?)
    }};
}

impl Db {
    /// Adds a user (checked by `User::check` first); a password hash when one was given. An
    /// e-mail that is taken is a duplicate.
    pub async fn add_user(
        &self,
        user: &User,
        password_hash: Option<&str>,
        stamp: Stamp<'_>,
    ) -> Result<()> {
        let roles = serde_json::to_string(&user.roles)
            .unwrap_or_else(|e| unreachable!("roles always serialise: {e}"));
        in_tx!(self, |tx| {
            let taken: Option<(String,)> = sqlx::query_as("SELECT id FROM users WHERE email = $1")
                .bind(&user.email)
                .fetch_optional(&mut *tx)
                .await?;
            if taken.is_some() {
                return Err(StoreError::Duplicate {
                    kind: "user",
                    code: user.email.clone(),
                });
            }
            check_references!(tx, user);
            sqlx::query(
                "INSERT INTO users (id, email, name, partner_code, lang, roles, disabled, password_hash, revision, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 1, $9, $9)",
            )
            .bind(stamp.new_id().to_string())
            .bind(&user.email)
            .bind(&user.name)
            .bind(&user.partner)
            .bind(user.lang.code())
            .bind(&roles)
            .bind(user.disabled)
            .bind(password_hash)
            .bind(stamp.seconds())
            .execute(&mut *tx)
            .await?;
            audit_write!(
                tx,
                stamp,
                "create",
                "user",
                &user.email,
                user.partner.clone(),
                None::<String>,
                Some(audit_doc(user))
            );
            Ok(())
        })
    }

    /// One user, if it exists and is in `scope`.
    pub async fn user(&self, scope: Scope<'_>, email: &str) -> Result<Option<User>> {
        let row: Option<UserRow> = with_pool!(self, |pool| {
            sqlx::query_as(
                "SELECT email, name, partner_code, lang, roles, disabled FROM users WHERE email = $1",
            )
            .bind(email)
            .fetch_optional(pool)
            .await?
        });
        let Some(row) = row else {
            return Ok(None);
        };
        let user = user_from_row(row)?;
        Ok(scope.admits(user.partner.as_deref()).then_some(user))
    }

    /// One user with its revision (its ETag), if it exists and is in `scope`.
    pub async fn stored_user(&self, scope: Scope<'_>, email: &str) -> Result<Option<(User, i64)>> {
        type Row = (String, String, Option<String>, String, String, bool, i64);
        let row: Option<Row> = with_pool!(self, |pool| {
            sqlx::query_as(
                "SELECT email, name, partner_code, lang, roles, disabled, revision FROM users WHERE email = $1",
            )
            .bind(email)
            .fetch_optional(pool)
            .await?
        });
        let Some((email, name, partner, lang, roles, disabled, revision)) = row else {
            return Ok(None);
        };
        let user = user_from_row((email, name, partner, lang, roles, disabled))?;
        Ok(scope
            .admits(user.partner.as_deref())
            .then_some((user, revision)))
    }

    /// Replaces what may change of a user — name, language, roles, disabled — if it is still at
    /// revision `expected` (the e-mail and the partner never change). The new revision.
    pub async fn update_user(&self, after: &User, expected: i64, stamp: Stamp<'_>) -> Result<i64> {
        let mut after = after.clone();
        after.roles.sort();
        after
            .check()
            .map_err(|e| StoreError::invalid(e.field(), e.to_string()))?;
        in_tx!(self, |tx| {
            let (id, before) = user_in_tx!(tx, &after.email);
            let (current,): (i64,) = sqlx::query_as("SELECT revision FROM users WHERE id = $1")
                .bind(&id)
                .fetch_one(&mut *tx)
                .await?;
            if current != expected {
                return Err(StoreError::Stale {
                    kind: "user",
                    code: after.email.clone(),
                    expected,
                    current,
                });
            }
            if before.partner != after.partner {
                return Err(StoreError::invalid(
                    "partner",
                    "a user's partner never changes",
                ));
            }
            if before == after {
                return Ok(current);
            }
            check_references!(tx, after);
            sqlx::query(
                "UPDATE users SET name = $1, lang = $2, roles = $3, disabled = $4, revision = revision + 1, updated_at = $5 WHERE id = $6",
            )
            .bind(&after.name)
            .bind(after.lang.code())
            .bind(serde_json::to_string(&after.roles).unwrap_or_default())
            .bind(after.disabled)
            .bind(stamp.seconds())
            .bind(&id)
            .execute(&mut *tx)
            .await?;
            if after.disabled && !before.disabled {
                sqlx::query(
                    "UPDATE sessions SET ended_at = $1 WHERE user_id = $2 AND ended_at IS NULL",
                )
                .bind(stamp.seconds())
                .bind(&id)
                .execute(&mut *tx)
                .await?;
            }
            audit_write!(
                tx,
                stamp,
                "update",
                "user",
                &after.email,
                after.partner.clone(),
                Some(audit_doc(&before)),
                Some(audit_doc(&after))
            );
            Ok(current + 1)
        })
    }

    /// The users in `scope` that match `filter`, by e-mail.
    pub async fn list_users(&self, scope: Scope<'_>, filter: &UserFilter) -> Result<Vec<User>> {
        let rows: Vec<UserRow> = with_pool!(self, |pool| {
            sqlx::query_as(
                "SELECT email, name, partner_code, lang, roles, disabled FROM users \
                 WHERE ($1 IS NULL OR partner_code = $1) ORDER BY email",
            )
            .bind(filter.partner.as_deref())
            .fetch_all(pool)
            .await?
        });
        let mut users = Vec::with_capacity(rows.len());
        for row in rows {
            let user = user_from_row(row)?;
            let has_role = filter
                .role
                .is_none_or(|r| user.roles.iter().any(|g| g.role == r));
            if scope.admits(user.partner.as_deref()) && has_role {
                users.push(user);
            }
        }
        Ok(users)
    }

    /// Enables or disables a user. A disabled user's sessions end and its tokens stop working
    /// (they are refused at every request while the user is disabled).
    pub async fn set_user_disabled(
        &self,
        email: &str,
        disabled: bool,
        stamp: Stamp<'_>,
    ) -> Result<()> {
        in_tx!(self, |tx| {
            let (id, before) = user_in_tx!(tx, email);
            if before.disabled == disabled {
                return Ok(());
            }
            let after = User {
                disabled,
                ..before.clone()
            };
            sqlx::query("UPDATE users SET disabled = $1, revision = revision + 1, updated_at = $2 WHERE id = $3")
                .bind(disabled)
                .bind(stamp.seconds())
                .bind(&id)
                .execute(&mut *tx)
                .await?;
            if disabled {
                sqlx::query(
                    "UPDATE sessions SET ended_at = $1 WHERE user_id = $2 AND ended_at IS NULL",
                )
                .bind(stamp.seconds())
                .bind(&id)
                .execute(&mut *tx)
                .await?;
            }
            audit_write!(
                tx,
                stamp,
                if disabled { "disable" } else { "enable" },
                "user",
                email,
                after.partner.clone(),
                Some(audit_doc(&before)),
                Some(audit_doc(&after))
            );
            Ok(())
        })
    }

    /// Replaces a user's roles (checked by `User::check` first).
    pub async fn set_user_roles(
        &self,
        email: &str,
        roles: &[Grant],
        stamp: Stamp<'_>,
    ) -> Result<()> {
        in_tx!(self, |tx| {
            let (id, before) = user_in_tx!(tx, email);
            let mut after = User {
                roles: roles.to_vec(),
                ..before.clone()
            };
            after.roles.sort();
            after
                .check()
                .map_err(|e| StoreError::invalid(e.field(), e.to_string()))?;
            check_references!(tx, after);
            sqlx::query("UPDATE users SET roles = $1, revision = revision + 1, updated_at = $2 WHERE id = $3")
                .bind(serde_json::to_string(&after.roles).unwrap_or_default())
                .bind(stamp.seconds())
                .bind(&id)
                .execute(&mut *tx)
                .await?;
            audit_write!(
                tx,
                stamp,
                "set-roles",
                "user",
                email,
                after.partner.clone(),
                Some(audit_doc(&before)),
                Some(audit_doc(&after))
            );
            Ok(())
        })
    }

    /// Sets a user's password hash (argon2id, made by the caller on a blocking thread).
    pub async fn set_password_hash(
        &self,
        email: &str,
        password_hash: &str,
        stamp: Stamp<'_>,
    ) -> Result<()> {
        in_tx!(self, |tx| {
            let (id, user) = user_in_tx!(tx, email);
            sqlx::query("UPDATE users SET password_hash = $1, revision = revision + 1, updated_at = $2 WHERE id = $3")
                .bind(password_hash)
                .bind(stamp.seconds())
                .bind(&id)
                .execute(&mut *tx)
                .await?;
            audit_write!(
                tx,
                stamp,
                "set-password",
                "user",
                email,
                user.partner.clone(),
                None::<String>,
                None::<String>
            );
            Ok(())
        })
    }

    /// A new one-time link for `email`, valid until `expires_at` (unix seconds): the token to put
    /// in the link, shown once; only its hash is stored.
    /// A one-time link for `purpose`, valid from the stamp's instant for
    /// [`LinkPurpose::valid_for`]; returns its token.
    pub async fn issue_link(
        &self,
        email: &str,
        purpose: LinkPurpose,
        stamp: Stamp<'_>,
    ) -> Result<String> {
        let expires = stamp
            .at
            .saturating_add(purpose.valid_for())
            .map_or(i64::MAX, |t| t.as_second());
        self.create_link(email, purpose, expires, stamp).await
    }

    pub async fn create_link(
        &self,
        email: &str,
        purpose: LinkPurpose,
        expires_at: i64,
        stamp: Stamp<'_>,
    ) -> Result<String> {
        let token = new_token();
        let hash = token_hash(&token);
        in_tx!(self, |tx| {
            let (id, user) = user_in_tx!(tx, email);
            sqlx::query(
                "INSERT INTO one_time_links (token_hash, user_id, purpose, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(&hash)
            .bind(&id)
            .bind(purpose.code())
            .bind(stamp.seconds())
            .bind(expires_at)
            .execute(&mut *tx)
            .await?;
            audit_write!(
                tx,
                stamp,
                purpose.code(),
                "user",
                email,
                user.partner.clone(),
                None::<String>,
                None::<String>
            );
            Ok::<_, StoreError>(())
        })?;
        Ok(token)
    }

    /// A new API token of `email`: its id and the token itself, shown once.
    pub async fn create_token(
        &self,
        email: &str,
        name: &str,
        expires_at: Option<i64>,
        stamp: Stamp<'_>,
    ) -> Result<(String, String)> {
        let token = new_token();
        let hash = token_hash(&token);
        let token_id = stamp.new_id().to_string();
        in_tx!(self, |tx| {
            let (id, user) = user_in_tx!(tx, email);
            sqlx::query(
                "INSERT INTO api_tokens (id, user_id, name, token_hash, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(&token_id)
            .bind(&id)
            .bind(name)
            .bind(&hash)
            .bind(stamp.seconds())
            .bind(expires_at)
            .execute(&mut *tx)
            .await?;
            let doc = serde_json::json!({"id": token_id, "user": email, "name": name, "expires_at": expires_at});
            audit_write!(
                tx,
                stamp,
                "create",
                "token",
                &token_id,
                user.partner.clone(),
                None::<String>,
                Some(doc.to_string())
            );
            Ok::<_, StoreError>(())
        })?;
        Ok((token_id, token))
    }

    /// The user an API token belongs to, when the token is valid at `now` (unix seconds): known,
    /// not revoked, not expired, its user enabled. Its last use is recorded (at most every five
    /// minutes, so that reads do not queue behind writes).
    pub async fn user_by_token(&self, token: &str, now: i64) -> Result<Option<(User, String)>> {
        type Row = (
            String,
            Option<i64>,
            Option<i64>,
            Option<i64>,
            String,
            String,
            Option<String>,
            String,
            String,
            bool,
        );
        let hash = token_hash(token);
        let row: Option<Row> = with_pool!(self, |pool| {
            sqlx::query_as(
                "SELECT t.id, t.expires_at, t.revoked_at, t.last_used_at, u.email, u.name, u.partner_code, u.lang, u.roles, u.disabled \
                 FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE t.token_hash = $1",
            )
            .bind(&hash)
            .fetch_optional(pool)
            .await?
        });
        let Some((
            id,
            expires_at,
            revoked_at,
            last_used_at,
            email,
            name,
            partner,
            lang,
            roles,
            disabled,
        )) = row
        else {
            return Ok(None);
        };
        let user = user_from_row((email, name, partner, lang, roles, disabled))?;
        let valid = revoked_at.is_none() && expires_at.is_none_or(|e| now < e) && !user.disabled;
        if !valid {
            return Ok(None);
        }
        if last_used_at.is_none_or(|t| now - t >= 300) {
            in_tx!(self, |tx| {
                sqlx::query("UPDATE api_tokens SET last_used_at = $1 WHERE id = $2")
                    .bind(now)
                    .bind(&id)
                    .execute(&mut *tx)
                    .await?;
                Ok::<_, StoreError>(())
            })?;
        }
        Ok(Some((user, id)))
    }

    /// The API tokens, of one user or of all, oldest first.
    pub async fn list_tokens(&self, email: Option<&str>) -> Result<Vec<TokenInfo>> {
        type Row = (
            String,
            String,
            String,
            i64,
            Option<i64>,
            Option<i64>,
            Option<i64>,
        );
        let rows: Vec<Row> = with_pool!(self, |pool| {
            sqlx::query_as(
                "SELECT t.id, u.email, t.name, t.created_at, t.expires_at, t.revoked_at, t.last_used_at \
                 FROM api_tokens t JOIN users u ON u.id = t.user_id \
                 WHERE ($1 IS NULL OR u.email = $1) ORDER BY t.created_at, t.id",
            )
            .bind(email)
            .fetch_all(pool)
            .await?
        });
        Ok(rows
            .into_iter()
            .map(
                |(id, user, name, created_at, expires_at, revoked_at, last_used_at)| TokenInfo {
                    id,
                    user,
                    name,
                    created_at,
                    expires_at,
                    revoked_at,
                    last_used_at,
                },
            )
            .collect())
    }

    /// The e-mail of a token's user, if the token exists.
    pub async fn token_owner(&self, id: &str) -> Result<Option<String>> {
        let row: Option<(String,)> = with_pool!(self, |pool| {
            sqlx::query_as(
                "SELECT u.email FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE t.id = $1",
            )
            .bind(id)
            .fetch_optional(pool)
            .await?
        });
        Ok(row.map(|(e,)| e))
    }

    /// Revokes a token; revoking it again changes nothing.
    pub async fn revoke_token(&self, id: &str, stamp: Stamp<'_>) -> Result<()> {
        in_tx!(self, |tx| {
            let row: Option<(Option<i64>, Option<String>)> = sqlx::query_as(
                "SELECT t.revoked_at, u.partner_code FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE t.id = $1",
            )
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?;
            let (revoked_at, partner) = row.ok_or_else(|| StoreError::NotFound {
                kind: "token",
                code: id.to_owned(),
            })?;
            if revoked_at.is_some() {
                return Ok(());
            }
            sqlx::query("UPDATE api_tokens SET revoked_at = $1 WHERE id = $2")
                .bind(stamp.seconds())
                .bind(id)
                .execute(&mut *tx)
                .await?;
            audit_write!(
                tx,
                stamp,
                "revoke",
                "token",
                id,
                partner,
                None::<String>,
                None::<String>
            );
            Ok(())
        })
    }
}

/// How long a session lasts: ended after `idle` seconds without a request, and after `absolute`
/// seconds whatever happens.
#[derive(Debug, Clone, Copy)]
pub struct SessionLimits {
    pub idle: i64,
    pub absolute: i64,
}

impl Default for SessionLimits {
    /// Two hours idle, twelve hours at most (a working day).
    fn default() -> Self {
        SessionLimits {
            idle: 2 * 3600,
            absolute: 12 * 3600,
        }
    }
}

impl Db {
    /// A user and its password hash, for a sign-in (`None` when the e-mail is unknown).
    pub async fn user_for_login(&self, email: &str) -> Result<Option<(User, Option<String>)>> {
        type Row = (
            String,
            String,
            Option<String>,
            String,
            String,
            bool,
            Option<String>,
        );
        let row: Option<Row> = with_pool!(self, |pool| {
            sqlx::query_as(
                "SELECT email, name, partner_code, lang, roles, disabled, password_hash FROM users WHERE email = $1",
            )
            .bind(email)
            .fetch_optional(pool)
            .await?
        });
        row.map(|(email, name, partner, lang, roles, disabled, hash)| {
            Ok((
                user_from_row((email, name, partner, lang, roles, disabled))?,
                hash,
            ))
        })
        .transpose()
    }

    /// Starts a session for `email`: the cookie's token, shown once; only its hash is stored.
    pub async fn create_session(&self, email: &str, stamp: Stamp<'_>) -> Result<String> {
        let token = new_token();
        let hash = token_hash(&token);
        in_tx!(self, |tx| {
            let (id, user) = user_in_tx!(tx, email);
            sqlx::query(
                "INSERT INTO sessions (token_hash, user_id, created_at, last_seen_at) VALUES ($1, $2, $3, $3)",
            )
            .bind(&hash)
            .bind(&id)
            .bind(stamp.seconds())
            .execute(&mut *tx)
            .await?;
            audit_write!(
                tx,
                stamp,
                "sign-in",
                "user",
                email,
                user.partner.clone(),
                None::<String>,
                None::<String>
            );
            Ok::<_, StoreError>(())
        })?;
        Ok(token)
    }

    /// The user of a session, when the session is valid at `now`: not ended, not idle longer
    /// than allowed, not older than allowed, its user enabled. Its last request is recorded (at
    /// most once a minute).
    pub async fn session_user(
        &self,
        token: &str,
        now: i64,
        limits: SessionLimits,
    ) -> Result<Option<User>> {
        type Row = (
            i64,
            i64,
            Option<i64>,
            String,
            String,
            Option<String>,
            String,
            String,
            bool,
        );
        let hash = token_hash(token);
        let row: Option<Row> = with_pool!(self, |pool| {
            sqlx::query_as(
                "SELECT s.created_at, s.last_seen_at, s.ended_at, u.email, u.name, u.partner_code, u.lang, u.roles, u.disabled \
                 FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = $1",
            )
            .bind(&hash)
            .fetch_optional(pool)
            .await?
        });
        let Some((created, seen, ended, email, name, partner, lang, roles, disabled)) = row else {
            return Ok(None);
        };
        let user = user_from_row((email, name, partner, lang, roles, disabled))?;
        let valid = ended.is_none()
            && now - seen < limits.idle
            && now - created < limits.absolute
            && !user.disabled;
        if !valid {
            return Ok(None);
        }
        if now - seen >= 60 {
            in_tx!(self, |tx| {
                sqlx::query("UPDATE sessions SET last_seen_at = $1 WHERE token_hash = $2")
                    .bind(now)
                    .bind(&hash)
                    .execute(&mut *tx)
                    .await?;
                Ok::<_, StoreError>(())
            })?;
        }
        Ok(Some(user))
    }

    /// Ends a session (signing out); ending it again changes nothing.
    pub async fn end_session(&self, token: &str, stamp: Stamp<'_>) -> Result<()> {
        let hash = token_hash(token);
        in_tx!(self, |tx| {
            sqlx::query(
                "UPDATE sessions SET ended_at = $1 WHERE token_hash = $2 AND ended_at IS NULL",
            )
            .bind(stamp.seconds())
            .bind(&hash)
            .execute(&mut *tx)
            .await?;
            Ok::<_, StoreError>(())
        })
    }

    /// The user a one-time link is for, if the link is valid at `now` (not used, not expired,
    /// its user enabled).
    pub async fn link_user(&self, token: &str, now: i64) -> Result<Option<(User, String)>> {
        type Row = (
            i64,
            Option<i64>,
            String,
            String,
            String,
            Option<String>,
            String,
            String,
            bool,
        );
        let row: Option<Row> = with_pool!(self, |pool| {
            sqlx::query_as(
                "SELECT l.expires_at, l.used_at, l.purpose, u.email, u.name, u.partner_code, u.lang, u.roles, u.disabled \
                 FROM one_time_links l JOIN users u ON u.id = l.user_id WHERE l.token_hash = $1",
            )
            .bind(token_hash(token))
            .fetch_optional(pool)
            .await?
        });
        let Some((expires, used, purpose, email, name, partner, lang, roles, disabled)) = row
        else {
            return Ok(None);
        };
        let user = user_from_row((email, name, partner, lang, roles, disabled))?;
        Ok((used.is_none() && now < expires && !user.disabled).then_some((user, purpose)))
    }

    /// Sets a password through a one-time link, and uses the link up, in one transaction: the
    /// user, or `None` when the link is not (or no longer) valid. Every session of the user ends.
    pub async fn set_password_by_link(
        &self,
        token: &str,
        password_hash: &str,
        stamp: Stamp<'_>,
    ) -> Result<Option<User>> {
        let hash = token_hash(token);
        in_tx!(self, |tx| {
            let row: Option<(String, i64, Option<i64>)> = sqlx::query_as(
                "SELECT user_id, expires_at, used_at FROM one_time_links WHERE token_hash = $1",
            )
            .bind(&hash)
            .fetch_optional(&mut *tx)
            .await?;
            let Some((user_id, expires, None)) = row else {
                return Ok(None);
            };
            if stamp.seconds() >= expires {
                return Ok(None);
            }
            let (email,): (String,) = sqlx::query_as("SELECT email FROM users WHERE id = $1")
                .bind(&user_id)
                .fetch_one(&mut *tx)
                .await?;
            let (_, user) = user_in_tx!(tx, &email);
            if user.disabled {
                return Ok(None);
            }
            sqlx::query("UPDATE one_time_links SET used_at = $1 WHERE token_hash = $2")
                .bind(stamp.seconds())
                .bind(&hash)
                .execute(&mut *tx)
                .await?;
            sqlx::query("UPDATE users SET password_hash = $1, revision = revision + 1, updated_at = $2 WHERE id = $3")
                .bind(password_hash)
                .bind(stamp.seconds())
                .bind(&user_id)
                .execute(&mut *tx)
                .await?;
            sqlx::query(
                "UPDATE sessions SET ended_at = $1 WHERE user_id = $2 AND ended_at IS NULL",
            )
            .bind(stamp.seconds())
            .bind(&user_id)
            .execute(&mut *tx)
            .await?;
            audit_write!(
                tx,
                stamp,
                "set-password",
                "user",
                &email,
                user.partner.clone(),
                None::<String>,
                None::<String>
            );
            Ok(Some(user))
        })
    }
}

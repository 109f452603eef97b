//! Partners (DOMAIN §3): the client organisations, with their preferred language, whether they
//! have a local helpdesk, their PRM and their address book — and the partners file, read and
//! written with the catalogue's rules (every error at once with file:line:col and field path;
//! deterministic bytes; upsert by code).
//!
//! ```yaml
//! partners:
//!   - code: DEMO-NL                    # [A-Z0-9-], 2 to 32 characters
//!     name: {nl: Demo Vlaanderen, en: Demo Flanders}
//!     lang: nl                         # preferred language; default en
//!     local_helpdesk: true             # default false
//!     prm: prm@provider.example        # the e-mail of a user holding `prm` over this partner
//!     contacts:                        # the address book: people with or without an account
//!       - {name: Jan Peeters, email: jan@demo-nl.example, phone: "+32 2 000 00 00", roles: [local-helpdesk, technical]}
//! ```

use serde::{Deserialize, Serialize};

use crate::catalogue::document::{index, join, Issue, MapReader, Node, Reader};
use crate::catalogue::import::Action;
use crate::catalogue::read::{looks_like_email, read_email, read_enum, req_text};
use crate::text::{Lang, Text};

/// A partner (client organisation).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Partner {
    pub code: String,
    pub name: Text,
    pub lang: Lang,
    pub local_helpdesk: bool,
    /// The e-mail of its partner relationship manager (a user holding `prm` over it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prm: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub contacts: Vec<PartnerContact>,
}

/// A person of the partner's address book: a contact need not have an account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartnerContact {
    pub name: String,
    pub email: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    pub roles: Vec<ContactRole>,
}

/// What a contact is to the partner.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ContactRole {
    PartnerAdmin,
    LocalHelpdesk,
    Technical,
    Administrative,
    Security,
}

impl ContactRole {
    pub const ALL: [ContactRole; 5] = [
        ContactRole::PartnerAdmin,
        ContactRole::LocalHelpdesk,
        ContactRole::Technical,
        ContactRole::Administrative,
        ContactRole::Security,
    ];

    pub fn code(self) -> &'static str {
        match self {
            ContactRole::PartnerAdmin => "partner-admin",
            ContactRole::LocalHelpdesk => "local-helpdesk",
            ContactRole::Technical => "technical",
            ContactRole::Administrative => "administrative",
            ContactRole::Security => "security",
        }
    }

    pub fn from_code(code: &str) -> Option<ContactRole> {
        ContactRole::ALL.into_iter().find(|r| r.code() == code)
    }
}

/// A partner as the API and the command line show it: the PRM by name and e-mail (`null` when
/// it has none), every contact with its phone (`null` when unknown).
///
/// ```json
/// {"code": "PARTNER-A", "name": {"nl": "…", "fr": "…"}, "lang": "fr", "local_helpdesk": true,
///  "prm": {"name": "…", "email": "…"},
///  "contacts": [{"name": "…", "email": "…", "phone": "…", "roles": ["local-helpdesk", "security"]}]}
/// ```
pub fn partner_json(p: &Partner, prm_name: Option<&str>) -> serde_json::Value {
    let prm = p
        .prm
        .as_ref()
        .map(|email| serde_json::json!({"name": prm_name.unwrap_or(email), "email": email}));
    let contacts: Vec<serde_json::Value> = p
        .contacts
        .iter()
        .map(|c| {
            serde_json::json!({"name": c.name, "email": c.email, "phone": c.phone,
                "roles": c.roles.iter().map(|r| r.code()).collect::<Vec<_>>()})
        })
        .collect();
    serde_json::json!({"code": p.code, "name": p.name, "lang": p.lang, "local_helpdesk":
        p.local_helpdesk, "prm": prm, "contacts": contacts})
}

/// Whether `code` is a partner code: `[A-Z0-9-]`, 2 to 32 characters.
pub fn is_partner_code(code: &str) -> bool {
    (2..=32).contains(&code.len())
        && code
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '-')
}

/// Reads a partners file (`partners:` and its list), every problem at once.
pub fn read_partners(doc: &Node) -> Result<Vec<Partner>, Vec<Issue>> {
    let mut r = Reader::new();
    let Some(mut top) = r.map(doc, "") else {
        return Err(r.issues);
    };
    let list = top.get("partners");
    top.finish(&mut r);
    let mut partners: Vec<Partner> = Vec::new();
    let mut lines: Vec<(String, usize)> = Vec::new();
    for (i, node) in r.seq(list, "partners").iter().enumerate() {
        let path = index("partners", i);
        if let Some(p) = read_partner_at(&mut r, node, &path) {
            let line = node.pos.map(|p| p.line).unwrap_or(0);
            if let Some((_, first)) = lines.iter().find(|(c, _)| *c == p.code) {
                let pos = node.get("code").and_then(|n| n.pos).or(node.pos);
                r.report(
                    pos,
                    &join(&path, "code"),
                    format!(
                        "duplicate partner code `{}` (first defined at line {first})",
                        p.code
                    ),
                );
            }
            lines.push((p.code.clone(), line));
            partners.push(p);
        }
    }
    if r.ok() {
        Ok(partners)
    } else {
        Err(r.issues)
    }
}

/// Reads one partner (an API body).
pub fn read_partner(doc: &Node) -> Result<Partner, Vec<Issue>> {
    let mut r = Reader::new();
    match read_partner_at(&mut r, doc, "") {
        Some(p) if r.ok() => Ok(p),
        _ => Err(r.issues),
    }
}

fn read_partner_at(r: &mut Reader, node: &Node, path: &str) -> Option<Partner> {
    let mut m = r.map(node, path)?;
    let code_path = m.path_of("code");
    let code_node = m.require(r, "code");
    let code = code_node.and_then(|n| r.string(n, &code_path));
    if let (Some(c), Some(n)) = (&code, code_node) {
        if !is_partner_code(c) {
            r.report(
                n.pos,
                &code_path,
                format!("`{c}` is not a partner code: expected [A-Z0-9-], 2 to 32 characters"),
            );
        }
    }
    let name = req_text(r, &mut m, "name");
    let lang_path = m.path_of("lang");
    let lang = match m.get("lang") {
        Some(n) => read_enum(r, n, &lang_path, Lang::from_code, "nl, fr, de, en"),
        None => Some(Lang::En),
    };
    let lh_path = m.path_of("local_helpdesk");
    let local_helpdesk = match m.get("local_helpdesk") {
        Some(n) => r.boolean(n, &lh_path),
        None => Some(false),
    };
    let prm_path = m.path_of("prm");
    let prm_node = m.get("prm");
    let prm = m.opt_string(r, "prm");
    if let Some(e) = &prm {
        if !looks_like_email(e) {
            r.report(
                prm_node.and_then(|n| n.pos),
                &prm_path,
                format!("`{e}` is not an e-mail address"),
            );
        }
    }
    let contacts = read_contacts(r, &mut m);
    m.finish(r);
    let code = code.filter(|c| is_partner_code(c))?;
    Some(Partner {
        code,
        name,
        lang: lang?,
        local_helpdesk: local_helpdesk?,
        prm,
        contacts,
    })
}

fn read_contacts(r: &mut Reader, m: &mut MapReader<'_>) -> Vec<PartnerContact> {
    let path = m.path_of("contacts");
    let node = m.get("contacts");
    let mut contacts: Vec<PartnerContact> = Vec::new();
    for (i, cn) in r.seq(node, &path).iter().enumerate() {
        let p = index(&path, i);
        let Some(mut cm) = r.map(cn, &p) else {
            continue;
        };
        let name_path = cm.path_of("name");
        let name = cm.req_string(r, "name");
        if name.as_deref().is_some_and(|n| n.trim().is_empty()) {
            r.report(cn.pos, &name_path, "a contact has a name");
        }
        let email = read_email(r, &mut cm, true);
        let phone = cm.opt_string(r, "phone");
        let roles_path = cm.path_of("roles");
        let roles_node = cm.require(r, "roles");
        let mut roles: Vec<ContactRole> = Vec::new();
        for (j, rn) in r.seq(roles_node, &roles_path).iter().enumerate() {
            let rp = index(&roles_path, j);
            let expected = "partner-admin, local-helpdesk, technical, administrative, security";
            if let Some(role) = read_enum(r, rn, &rp, ContactRole::from_code, expected) {
                if roles.contains(&role) {
                    r.report(rn.pos, &rp, format!("`{}` is listed twice", role.code()));
                } else {
                    roles.push(role);
                }
            }
        }
        if roles_node.is_some() && roles.is_empty() {
            r.report(
                roles_node.and_then(|n| n.pos),
                &roles_path,
                "a contact has at least one role",
            );
        }
        cm.finish(r);
        if let Some(e) = &email {
            if contacts.iter().any(|c| c.email.eq_ignore_ascii_case(e)) {
                let pos = cn.get("email").and_then(|n| n.pos).or(cn.pos);
                r.report(pos, &join(&p, "email"), format!("`{e}` is listed twice"));
            }
        }
        if let (Some(name), Some(email)) = (name, email) {
            contacts.push(PartnerContact {
                name: name.trim().to_owned(),
                email,
                phone,
                roles,
            });
        }
    }
    contacts
}

/// The partners in their canonical order: by code; contacts as written.
pub fn canonical(partners: &[Partner]) -> Vec<Partner> {
    let mut out = partners.to_vec();
    out.sort_by(|a, b| a.code.cmp(&b.code));
    out
}

/// Writes a partners file: deterministic (by code, fixed keys, no ids, no timestamps), so an
/// export imported elsewhere and exported again gives the same bytes.
pub fn to_yaml(partners: &[Partner]) -> String {
    let value = serde_json::json!({ "partners": canonical(partners) });
    crate::catalogue::export::yaml_file(
        "# Pacta partners — edit and load with `pacta partner import`.\n",
        &value,
    )
}

/// One line of an import plan: `created partner DEMO-NL`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    pub action: Action,
    pub code: String,
}

impl std::fmt::Display for Change {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} partner {}", self.action.code(), self.code)
    }
}

/// What importing `incoming` over `existing` does: upsert by code, nothing deleted. The changes
/// come in code order; the partners to write are those created or updated.
pub fn plan(existing: &[Partner], incoming: &[Partner]) -> (Vec<Change>, Vec<Partner>) {
    let mut changes = Vec::new();
    let mut writes = Vec::new();
    for p in canonical(incoming) {
        let action = match existing.iter().find(|e| e.code == p.code) {
            None => Action::Created,
            Some(e) if *e == p => Action::Unchanged,
            Some(_) => Action::Updated,
        };
        changes.push(Change {
            action,
            code: p.code.clone(),
        });
        if action != Action::Unchanged {
            writes.push(p);
        }
    }
    (changes, writes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalogue::document::parse_yaml;

    const FILE: &str = r#"partners:
  - code: DEMO-NL
    name: {nl: Demo Vlaanderen, en: Demo Flanders}
    lang: nl
    local_helpdesk: true
    prm: prm@provider.example
    contacts:
      - {name: Jan Peeters, email: jan@demo-nl.example, phone: "+32 2 000 00 00", roles: [local-helpdesk, technical]}
  - code: DEMO-SMALL
    name: {en: Small Demo}
"#;

    #[test]
    fn a_partners_file_reads_with_defaults_and_round_trips() {
        let partners = read_partners(&parse_yaml(FILE).unwrap()).unwrap();
        assert_eq!(partners.len(), 2);
        assert_eq!(partners[0].lang, Lang::Nl);
        assert!(partners[0].local_helpdesk);
        assert_eq!(
            partners[0].contacts[0].roles,
            [ContactRole::LocalHelpdesk, ContactRole::Technical]
        );
        let small = &partners[1];
        assert_eq!((small.lang, small.local_helpdesk), (Lang::En, false));
        assert_eq!(small.prm, None);
        let yaml = to_yaml(&partners);
        let again = read_partners(&parse_yaml(&yaml).unwrap()).unwrap();
        assert_eq!(again, canonical(&partners));
        assert_eq!(to_yaml(&again), yaml, "deterministic bytes");
    }

    #[test]
    fn every_problem_is_reported_with_its_place() {
        let bad = r#"partners:
  - code: x
    name: {xx: Nope}
    lang: es
    local_helpdesk: maybe
    prm: not-an-address
    contacts:
      - {name: A, email: a@b.be, roles: []}
      - {name: B, email: a@b.be, roles: [boss]}
    colour: red
  - code: DUP-1
    name: {en: One}
  - code: DUP-1
    name: {en: Two}
"#;
        let issues = read_partners(&parse_yaml(bad).unwrap()).unwrap_err();
        let paths: Vec<&str> = issues.iter().map(|i| i.path.as_str()).collect();
        for path in [
            "partners[0].code",
            "partners[0].name.xx",
            "partners[0].lang",
            "partners[0].local_helpdesk",
            "partners[0].prm",
            "partners[0].contacts[0].roles",
            "partners[0].contacts[1].roles[0]",
            "partners[0].contacts[1].email",
            "partners[0].colour",
            "partners[2].code",
        ] {
            assert!(paths.contains(&path), "{path} in {paths:?}");
        }
        assert!(issues.iter().all(|i| i.pos.is_some()), "{issues:?}");
        let dup = issues
            .iter()
            .find(|i| i.path == "partners[2].code")
            .unwrap();
        assert!(dup.message.contains("line 11"), "{}", dup.message);
    }

    #[test]
    fn the_json_of_a_partner_is_the_contracts() {
        let partners = read_partners(&parse_yaml(FILE).unwrap()).unwrap();
        assert_eq!(
            partner_json(&partners[0], Some("Piet Prm")),
            serde_json::json!({"code": "DEMO-NL", "name": {"nl": "Demo Vlaanderen", "en": "Demo Flanders"},
                "lang": "nl", "local_helpdesk": true,
                "prm": {"name": "Piet Prm", "email": "prm@provider.example"},
                "contacts": [{"name": "Jan Peeters", "email": "jan@demo-nl.example",
                    "phone": "+32 2 000 00 00", "roles": ["local-helpdesk", "technical"]}]})
        );
        assert_eq!(
            partner_json(&partners[1], None)["prm"],
            serde_json::Value::Null
        );
    }

    #[test]
    fn import_upserts_by_code() {
        let partners = read_partners(&parse_yaml(FILE).unwrap()).unwrap();
        let (changes, writes) = plan(&[], &partners);
        assert_eq!(
            changes.iter().map(ToString::to_string).collect::<Vec<_>>(),
            ["created partner DEMO-NL", "created partner DEMO-SMALL"]
        );
        assert_eq!(writes.len(), 2);
        let mut changed = partners.clone();
        changed[1].local_helpdesk = true;
        let (changes, writes) = plan(&partners, &changed);
        assert_eq!(changes[0].action, Action::Unchanged);
        assert_eq!(changes[1].action, Action::Updated);
        assert_eq!(writes.len(), 1);
    }
}

//! Who may see a service, and when it may be quoted (DOMAIN §2, §10). Every reader of the
//! catalogue — the API, the pages, the printed catalogue, the command line — asks these
//! functions, so a draft never leaks through one path while another hides it.

use super::model::{Lifecycle, Service};

/// Who is reading the catalogue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    /// Anyone: partners and the public read the published catalogue.
    Public,
    /// A catalogue editor, who also sees drafts.
    Editor,
}

/// What a listing asks for beyond the published services.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Listing {
    /// Retired services too (marked retired).
    pub retired: bool,
    /// Drafts too — shown to editors only.
    pub drafts: bool,
}

/// Whether `audience` may open the service itself (its fiche, its API document): a published or
/// retired service is readable by all — a retired one stays readable for its subscribers — and
/// a draft by editors only.
pub fn may_read(service: &Service, audience: Audience) -> bool {
    match service.status {
        Lifecycle::Published | Lifecycle::Retired => true,
        Lifecycle::Draft => audience == Audience::Editor,
    }
}

/// Whether a listing shows the service: published always, retired when asked, drafts when an
/// editor asks.
pub fn is_listed(service: &Service, audience: Audience, listing: Listing) -> bool {
    match service.status {
        Lifecycle::Published => true,
        Lifecycle::Retired => listing.retired,
        Lifecycle::Draft => listing.drafts && audience == Audience::Editor,
    }
}

/// Whether the service may be quoted (and so subscribed to): published, or a draft that an
/// editor tries out; never a retired one.
pub fn may_quote(service: &Service, audience: Audience) -> bool {
    match service.status {
        Lifecycle::Published => true,
        Lifecycle::Draft => audience == Audience::Editor,
        Lifecycle::Retired => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A service in the catalogue-as-code shape, with only what visibility looks at varying.
    fn service(status: Lifecycle) -> Service {
        serde_json::from_value(serde_json::json!({
            "code": "X", "category": "c", "status": status, "name": {"en": "X"},
            "delivery_models": ["saas"], "levels": ["basic"], "packs": [],
            "service_manager": {"name": "A", "email": "a@b.be", "phone": "1"},
        }))
        .unwrap()
    }

    #[test]
    fn drafts_are_for_editors_and_retired_services_stay_readable_but_unquotable() {
        use Audience::*;
        use Lifecycle::*;
        let all = Listing {
            retired: true,
            drafts: true,
        };
        let cases = [
            // status, audience, may_read, listed by default, listed when asked, may_quote
            (Published, Public, true, true, true, true),
            (Published, Editor, true, true, true, true),
            (Retired, Public, true, false, true, false),
            (Retired, Editor, true, false, true, false),
            (Draft, Public, false, false, false, false),
            (Draft, Editor, true, false, true, true),
        ];
        for (status, who, read, listed, asked, quote) in cases {
            let s = service(status);
            assert_eq!(may_read(&s, who), read, "{status:?} {who:?} read");
            assert_eq!(
                is_listed(&s, who, Listing::default()),
                listed,
                "{status:?} {who:?} listed"
            );
            assert_eq!(is_listed(&s, who, all), asked, "{status:?} {who:?} asked");
            assert_eq!(may_quote(&s, who), quote, "{status:?} {who:?} quote");
        }
    }
}

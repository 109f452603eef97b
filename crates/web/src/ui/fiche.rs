//! `/{lang}/services/{code}`: the fiche, every section of it (DOMAIN §2, §10), with the quote
//! calculator; `…/print` for the fiche alone on paper; `POST …/quote` for the htmx fragment.
//! The quote is `pacta_core::catalogue::rules::quote`, the function the quote API calls.

use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::Response;
use pacta_core::catalogue::rules::{self, Quote, Selection, SelectionError};
use pacta_core::catalogue::{Lifecycle, Party, Per, Period, Price, Service, ServiceLevel};
use pacta_core::sla::availability::allowed_downtime_seconds;
use pacta_core::text::Lang;

use super::catalogue::model_name;
use super::format;
use super::i18n::{md, Markup, Tr, L};
use super::{html, not_found, page_in, path_lang, rest_of, Base};
use crate::snapshot::{Snapshot, THIRTY_DAYS};
use crate::state::AppState;

pub struct RespRow {
    pub label: L,
    pub paas: String,
    pub saas: String,
}

pub struct PackView {
    pub code: String,
    pub name: L,
    pub description: L,
    pub included: Vec<(String, String)>,
    pub prices: Vec<String>,
    pub level: L,
}

pub struct OptionView {
    pub code: String,
    pub name: L,
    pub description: L,
    pub prices: Vec<String>,
    pub applies: String,
    pub changes: Vec<String>,
}

pub struct TargetRow {
    pub priority: &'static str,
    pub response: String,
    pub resolution: String,
    pub calendar: L,
}

pub struct LevelView {
    pub code: String,
    pub name: L,
    pub description: L,
    pub target: String,
    pub downtime: String,
    pub calendar: L,
    pub rows: Vec<TargetRow>,
    pub notice: String,
    pub consent: String,
}

/// The fiche's content, in one language; rendered by `fiche_body.html` into the fiche page, the
/// printed fiche and the printed catalogue.
#[derive(Template)]
#[template(path = "fiche_body.html")]
pub struct FicheBody {
    pub t: Tr,
    pub lang: Lang,
    pub code: String,
    pub name: L,
    pub summary: L,
    pub category: L,
    pub retired: bool,
    pub successor: Option<(String, L)>,
    pub models: String,
    pub show_paas: bool,
    pub show_saas: bool,
    pub characteristics: Markup,
    pub sla_notes: Markup,
    pub resp: Vec<RespRow>,
    pub packs: Vec<PackView>,
    pub options: Vec<OptionView>,
    pub levels: Vec<LevelView>,
    pub manager_name: String,
    pub manager_email: String,
    pub manager_phone: String,
    pub escalation: Markup,
    pub edition: String,
    /// The heading level of the fiche's title (1 on its page, 2 in the printed catalogue).
    pub h: u8,
    /// Whether this is the printed catalogue (section anchors are prefixed with the code).
    pub in_book: bool,
}

impl FicheBody {
    /// A heading level below the fiche's title.
    pub fn sub(&self) -> u8 {
        self.h + 1
    }
    pub fn anchor(&self, section: &str) -> String {
        if self.in_book {
            format!("{}-{section}", self.code)
        } else {
            section.to_owned()
        }
    }
}

fn party(t: Tr, p: Party) -> String {
    t.s(&format!("party-{}", p.code()))
}

/// A price as a sentence: `€42.00 per workstation per month`.
pub fn price(t: Tr, lang: Lang, p: &Price) -> String {
    let amount = format::money(p.amount_cents, lang);
    let period = match p.period {
        Period::Month => "period-month",
        Period::Year => "period-year",
        Period::OneOff => "period-one_off",
    };
    match p.per {
        Per::Pack => t.a("price-pack", &[("amount", amount), ("period", t.s(period))]),
        Per::Unit => t.a(
            "price-unit",
            &[
                ("amount", amount),
                ("unit", L::new(&p.unit, lang).text),
                ("period", t.s(period)),
            ],
        ),
    }
}

/// The name of a calendar: the catalogue's own, else a built-in's UI string.
pub fn calendar_name(snapshot: &Snapshot, code: &str, lang: Lang) -> L {
    if let Some(c) = snapshot
        .stored
        .catalogue
        .calendars
        .iter()
        .find(|c| c.code == code && !c.name.is_empty())
    {
        return L::new(&c.name, lang);
    }
    L {
        text: Tr(lang)
            .try_s(&format!("calendar-{code}"))
            .unwrap_or_else(|| code.to_owned()),
        lang: None,
    }
}

fn level_view(snapshot: &Snapshot, l: &ServiceLevel, lang: Lang) -> LevelView {
    let t = Tr(lang);
    LevelView {
        code: l.code.clone(),
        name: L::new(&l.name, lang),
        description: L::new(&l.description, lang),
        target: format::percent(&l.availability_target, lang),
        downtime: format::duration(
            allowed_downtime_seconds(THIRTY_DAYS, &l.availability_target),
            lang,
        ),
        calendar: calendar_name(snapshot, &l.support_calendar, lang),
        rows: l
            .targets
            .iter()
            .map(|(p, target)| TargetRow {
                priority: p.code(),
                response: format::duration(target.response.0, lang),
                resolution: format::duration(target.resolution.0, lang),
                calendar: calendar_name(snapshot, &target.calendar, lang),
            })
            .collect(),
        notice: format::duration(l.maintenance_notice.0, lang),
        consent: t.s(if l.tacit_consent {
            "level-tacit-yes"
        } else {
            "level-tacit-no"
        }),
    }
}

fn level_name(snapshot: &Snapshot, code: &str, lang: Lang) -> L {
    snapshot
        .stored
        .catalogue
        .levels
        .iter()
        .find(|l| l.code == code)
        .map(|l| L::new(&l.name, lang))
        .unwrap_or_else(|| L {
            text: code.to_owned(),
            lang: None,
        })
}

/// The name of an included quantity (`storage_gb`): a UI string when known, else the key.
fn quantity_name(t: Tr, key: &str) -> String {
    t.try_s(&format!("qty-{}", key.replace('_', "-")))
        .unwrap_or_else(|| key.replace('_', " "))
}

impl FicheBody {
    pub fn build(snapshot: &Snapshot, s: &Service, lang: Lang, h: u8, in_book: bool) -> FicheBody {
        let t = Tr(lang);
        let cat = &snapshot.stored.catalogue;
        let profile = cat.profile.as_ref();
        let show_paas = s
            .delivery_models
            .contains(&pacta_core::catalogue::DeliveryModel::Paas);
        let show_saas = s
            .delivery_models
            .contains(&pacta_core::catalogue::DeliveryModel::Saas);
        let pack_name = |code: &str| {
            s.pack(code)
                .map(|p| L::new(&p.name, lang).text)
                .unwrap_or_else(|| code.to_owned())
        };
        FicheBody {
            t,
            lang,
            code: s.code.clone(),
            name: L::new(&s.name, lang),
            summary: L::new(&s.summary, lang),
            category: cat
                .categories
                .iter()
                .find(|c| c.code == s.category)
                .map(|c| L::new(&c.name, lang))
                .unwrap_or_default(),
            retired: s.status == Lifecycle::Retired,
            successor: s
                .successor
                .as_ref()
                .filter(|_| s.status == Lifecycle::Retired)
                .and_then(|code| snapshot.service(code))
                .map(|n| (n.code.clone(), L::new(&n.name, lang))),
            models: s
                .delivery_models
                .iter()
                .map(|m| model_name(t, *m))
                .collect::<Vec<_>>()
                .join(", "),
            show_paas,
            show_saas,
            characteristics: md(&s.fiche.characteristics, lang, h + 1),
            sla_notes: md(&s.fiche.sla_notes, lang, h + 1),
            resp: rules::responsibilities(s)
                .iter()
                .map(|r| RespRow {
                    label: L::new(&r.label, lang),
                    paas: party(t, r.paas),
                    saas: party(t, r.saas),
                })
                .collect(),
            packs: s
                .packs
                .iter()
                .map(|p| PackView {
                    code: p.code.clone(),
                    name: L::new(&p.name, lang),
                    description: L::new(&p.description, lang),
                    included: p
                        .included
                        .iter()
                        .map(|(k, v)| (quantity_name(t, k), format::integer(*v, lang)))
                        .collect(),
                    prices: p.prices.iter().map(|pr| price(t, lang, pr)).collect(),
                    level: level_name(snapshot, &p.standard_level, lang),
                })
                .collect(),
            options: s
                .options
                .iter()
                .map(|o| {
                    let mut changes = Vec::new();
                    if let Some(level) = &o.sla.raise_level {
                        changes.push(t.a(
                            "option-raises",
                            &[("level", level_name(snapshot, level, lang).text)],
                        ));
                    }
                    for (p, c) in &o.sla.targets {
                        let mut parts = Vec::new();
                        if let Some(r) = c.response {
                            parts.push(t.a(
                                "option-response",
                                &[("duration", format::duration(r.0, lang))],
                            ));
                        }
                        if let Some(r) = c.resolution {
                            parts.push(t.a(
                                "option-resolution",
                                &[("duration", format::duration(r.0, lang))],
                            ));
                        }
                        if let Some(cal) = &c.calendar {
                            parts.push(t.a(
                                "option-calendar",
                                &[("calendar", calendar_name(snapshot, cal, lang).text)],
                            ));
                        }
                        changes.push(format!("{}: {}", p.code(), parts.join(", ")));
                    }
                    for right in &o.sla.rights {
                        changes.push(
                            t.try_s(&format!("right-{right}"))
                                .unwrap_or_else(|| right.clone()),
                        );
                    }
                    if changes.is_empty() {
                        changes.push(t.s("option-no-sla-change"));
                    }
                    OptionView {
                        code: o.code.clone(),
                        name: L::new(&o.name, lang),
                        description: L::new(&o.description, lang),
                        prices: o.prices.iter().map(|pr| price(t, lang, pr)).collect(),
                        applies: if o.applies_to.is_empty() {
                            t.s("option-all-packs")
                        } else {
                            o.applies_to
                                .iter()
                                .map(|c| pack_name(c))
                                .collect::<Vec<_>>()
                                .join(", ")
                        },
                        changes,
                    }
                })
                .collect(),
            levels: cat
                .levels
                .iter()
                .filter(|l| s.levels.contains(&l.code))
                .map(|l| level_view(snapshot, l, lang))
                .collect(),
            manager_name: s.service_manager.name.clone(),
            manager_email: s.service_manager.email.clone(),
            manager_phone: s.service_manager.phone.clone(),
            escalation: profile
                .map(|p| md(&p.escalation, lang, h + 1))
                .unwrap_or_default(),
            edition: s
                .edition
                .or(profile.map(|p| p.edition_date))
                .map(|d| format::date(d, lang))
                .unwrap_or_default(),
            h,
            in_book,
        }
    }

    pub fn html(&self) -> Markup {
        match self.render() {
            Ok(s) => Markup(s),
            Err(e) => {
                tracing::error!(error = %e, "fiche failed to render");
                Markup::default()
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The quote calculator.

/// What the form holds (also re-shown after a post without JavaScript).
#[derive(Debug, Clone, Default)]
pub struct QuoteForm {
    pub pack: String,
    pub level: String,
    pub options: Vec<String>,
    pub quantity: String,
}

impl QuoteForm {
    fn parse(body: &[u8]) -> QuoteForm {
        let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(body).unwrap_or_default();
        let mut form = QuoteForm::default();
        for (k, v) in pairs {
            match k.as_str() {
                "pack" => form.pack = v,
                "level" => form.level = v,
                "option" => form.options.push(v),
                "quantity" => form.quantity = v,
                _ => {}
            }
        }
        form
    }

    pub fn has_option(&self, code: &str) -> bool {
        self.options.iter().any(|o| o == code)
    }
}

pub struct QuoteLineView {
    pub label: L,
    pub detail: String,
    pub amount: String,
    pub period: String,
}

pub struct QuoteView {
    pub level: L,
    pub target: String,
    pub downtime: String,
    pub calendar: L,
    pub rows: Vec<TargetRow>,
    pub rights: Vec<String>,
    pub lines: Vec<QuoteLineView>,
    pub month: String,
    pub year: String,
    pub one_off: String,
}

/// The result fragment: the quote, or why the choice cannot be priced.
#[derive(Template)]
#[template(path = "quote_result.html")]
pub struct QuoteResult {
    pub t: Tr,
    pub quote: Option<QuoteView>,
    pub error: Option<String>,
}

fn quote_view(snapshot: &Snapshot, s: &Service, q: &Quote, lang: Lang) -> QuoteView {
    let t = Tr(lang);
    QuoteView {
        level: level_name(snapshot, &q.sla.level, lang),
        target: format::percent(&q.sla.availability_target, lang),
        downtime: format::duration(
            allowed_downtime_seconds(THIRTY_DAYS, &q.sla.availability_target),
            lang,
        ),
        calendar: calendar_name(snapshot, &q.sla.support_calendar, lang),
        rows: q
            .sla
            .targets
            .iter()
            .map(|(p, e)| TargetRow {
                priority: p.code(),
                response: format::duration(e.response.0, lang),
                resolution: format::duration(e.resolution.0, lang),
                calendar: calendar_name(snapshot, &e.calendar, lang),
            })
            .collect(),
        rights: q
            .sla
            .rights
            .iter()
            .map(|r| t.try_s(&format!("right-{r}")).unwrap_or_else(|| r.clone()))
            .collect(),
        lines: q
            .lines
            .iter()
            .map(|line| {
                let label = if line.kind == "pack" {
                    s.pack(&line.code).map(|p| L::new(&p.name, lang))
                } else {
                    s.option(&line.code).map(|o| L::new(&o.name, lang))
                }
                .unwrap_or_default();
                QuoteLineView {
                    label,
                    detail: format!(
                        "{} × {}",
                        format::integer(i64::from(line.quantity), lang),
                        format::money(line.unit_amount_cents, lang)
                    ),
                    amount: format::money(line.amount_cents, lang),
                    period: t.s(match line.period {
                        Period::Month => "period-month",
                        Period::Year => "period-year",
                        Period::OneOff => "period-one_off",
                    }),
                }
            })
            .collect(),
        month: format::money(q.totals.month_cents, lang),
        year: format::money(q.totals.year_cents, lang),
        one_off: format::money(q.totals.one_off_cents, lang),
    }
}

/// The core's selection error, said in the reader's language by the field it concerns.
fn selection_message(t: Tr, e: &SelectionError) -> String {
    let id = match e.field.as_str() {
        "quantity" => "quote-error-quantity",
        "pack" => "quote-error-pack",
        "level" => "quote-error-level",
        f if f.starts_with("options[") => "quote-error-option",
        _ => "quote-error-other",
    };
    t.s(id)
}

/// Runs the core quote (the quote API's function) on a form.
pub fn run_quote(snapshot: &Snapshot, s: &Service, lang: Lang, form: &QuoteForm) -> QuoteResult {
    let t = Tr(lang);
    let quantity = form.quantity.trim();
    let quantity: u32 = if quantity.is_empty() {
        1
    } else {
        match quantity.parse() {
            Ok(q) => q,
            Err(_) => {
                return QuoteResult {
                    t,
                    quote: None,
                    error: Some(t.s("quote-error-quantity")),
                }
            }
        }
    };
    let selection = Selection {
        pack: form.pack.clone(),
        level: Some(form.level.clone()).filter(|l| !l.is_empty()),
        options: form.options.clone(),
        quantity,
    };
    match rules::quote(s, &snapshot.stored.catalogue.levels, &selection) {
        Ok(q) => QuoteResult {
            t,
            quote: Some(quote_view(snapshot, s, &q, lang)),
            error: None,
        },
        Err(e) => QuoteResult {
            t,
            quote: None,
            error: Some(selection_message(t, &e)),
        },
    }
}

// ---------------------------------------------------------------------------------------------
// Pages.

pub struct PackChoice {
    pub code: String,
    pub name: L,
    pub checked: bool,
}

#[derive(Template)]
#[template(path = "fiche.html")]
pub struct FichePage {
    pub base: Base,
    pub body: Markup,
    pub code: String,
    pub name: L,
    pub can_quote: bool,
    pub packs: Vec<PackChoice>,
    pub levels: Vec<PackChoice>,
    pub options: Vec<PackChoice>,
    pub quantity: String,
    pub result: Markup,
}

#[derive(Template)]
#[template(path = "fiche_print.html")]
pub struct FichePrint {
    pub base: Base,
    pub body: Markup,
}

fn visible(s: &Service) -> bool {
    s.status != Lifecycle::Draft
}

fn full_page(
    snapshot: &Snapshot,
    s: &Service,
    lang: Lang,
    rest: &str,
    form: Option<QuoteForm>,
) -> Response {
    let body = fiche_html(snapshot, s, lang);
    let name = L::new(&s.name, lang);
    let result = form
        .as_ref()
        .map(|f| run_quote(snapshot, s, lang, f))
        .map(|r| Markup(r.render().unwrap_or_default()))
        .unwrap_or_default();
    let form = form.unwrap_or_else(|| QuoteForm {
        pack: s.packs.first().map(|p| p.code.clone()).unwrap_or_default(),
        quantity: "1".into(),
        ..QuoteForm::default()
    });
    let page = FichePage {
        base: Base::new(snapshot, lang, name.text.clone(), rest, "catalogue"),
        code: s.code.clone(),
        name,
        can_quote: s.status == Lifecycle::Published && !s.packs.is_empty(),
        packs: s
            .packs
            .iter()
            .map(|p| PackChoice {
                code: p.code.clone(),
                name: L::new(&p.name, lang),
                checked: p.code == form.pack,
            })
            .collect(),
        levels: snapshot
            .stored
            .catalogue
            .levels
            .iter()
            .filter(|l| s.levels.contains(&l.code))
            .map(|l| PackChoice {
                code: l.code.clone(),
                name: L::new(&l.name, lang),
                checked: l.code == form.level,
            })
            .collect(),
        options: s
            .options
            .iter()
            .map(|o| PackChoice {
                code: o.code.clone(),
                name: L::new(&o.name, lang),
                checked: form.has_option(&o.code),
            })
            .collect(),
        quantity: form.quantity.clone(),
        result,
        body,
    };
    page_in(lang, &page)
}

/// The fiche's body, rendered once per snapshot and language.
fn fiche_html(snapshot: &Snapshot, s: &Service, lang: Lang) -> Markup {
    let key = format!("fiche/{}/{}", lang.code(), s.code);
    Markup(
        snapshot
            .fragment(&key, || {
                FicheBody::build(snapshot, s, lang, 1, false).html().0
            })
            .to_string(),
    )
}

fn lookup<'a>(
    snapshot: &'a Snapshot,
    lang: &str,
    code: &str,
    headers: &HeaderMap,
) -> Result<(Lang, &'a Service), Box<Response>> {
    let lang = path_lang(snapshot, lang, headers)?;
    match snapshot.service(code).filter(|s| visible(s)) {
        Some(s) => Ok((lang, s)),
        None => Err(Box::new(not_found(snapshot, lang))),
    }
}

pub async fn page(
    State(state): State<AppState>,
    Path((lang, code)): Path<(String, String)>,
    headers: HeaderMap,
    uri: Uri,
) -> Response {
    let snapshot = state.snapshot();
    match lookup(&snapshot, &lang, &code, &headers) {
        Ok((lang, s)) => full_page(&snapshot, s, lang, &rest_of(&uri), None),
        Err(r) => *r,
    }
}

/// The quote form posted without JavaScript: the whole page again, with the result.
pub async fn page_post(
    State(state): State<AppState>,
    Path((lang, code)): Path<(String, String)>,
    headers: HeaderMap,
    uri: Uri,
    body: Bytes,
) -> Response {
    let snapshot = state.snapshot();
    match lookup(&snapshot, &lang, &code, &headers) {
        Ok((lang, s)) => full_page(
            &snapshot,
            s,
            lang,
            &rest_of(&uri),
            Some(QuoteForm::parse(&body)),
        ),
        Err(r) => *r,
    }
}

/// The htmx fragment: only the result.
pub async fn quote_fragment(
    State(state): State<AppState>,
    Path((lang, code)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let snapshot = state.snapshot();
    match lookup(&snapshot, &lang, &code, &headers) {
        Ok((lang, s)) => html(
            StatusCode::OK,
            &run_quote(&snapshot, s, lang, &QuoteForm::parse(&body)),
        ),
        Err(r) => *r,
    }
}

/// One fiche on its own, for printing.
pub async fn print(
    State(state): State<AppState>,
    Path((lang, code)): Path<(String, String)>,
    headers: HeaderMap,
    uri: Uri,
) -> Response {
    let snapshot = state.snapshot();
    match lookup(&snapshot, &lang, &code, &headers) {
        Ok((lang, s)) => {
            let page = FichePrint {
                base: Base::new(
                    &snapshot,
                    lang,
                    L::new(&s.name, lang).text,
                    &rest_of(&uri),
                    "",
                ),
                body: fiche_html(&snapshot, s, lang),
            };
            page_in(lang, &page)
        }
        Err(r) => *r,
    }
}

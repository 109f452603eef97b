//! The quote calculator of a fiche: the posted form, read strictly, then `pacta_core`'s
//! [`may_quote`] and [`rules::quote`] — the very functions of `POST /api/v1/catalogue/quote` — so
//! the page and the API price and refuse the same choices. A refused choice answers 422, with
//! the form and what is wrong with it.

use askama::Template;
use axum::http::{header, HeaderMap, StatusCode};
use pacta_core::catalogue::rules::{self, Problem, Quote, Selection};
use pacta_core::catalogue::visibility::{may_quote, Audience};
use pacta_core::catalogue::Service;
use pacta_core::text::Lang;

use super::view::{period_name, target_row, TargetRow};
use crate::snapshot::Snapshot;
use crate::ui::format;
use crate::ui::i18n::{Tr, L};
use crate::ui::names::{calendar_name, level_name, right_name};

/// What the form holds (also shown again after a post without JavaScript).
#[derive(Debug, Clone, Default)]
pub struct QuoteForm {
    pub pack: String,
    pub level: String,
    pub options: Vec<String>,
    pub quantity: String,
    /// The start date, when the form subscribes (a partner admin's).
    pub start_date: String,
    /// The session's CSRF token, when the form subscribes.
    pub csrf: String,
}

/// A problem with a posted quote, by the form field it concerns (`form` for the form as a
/// whole), with the Fluent id of its message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    pub field: &'static str,
    pub message: &'static str,
}

impl FieldError {
    fn new(field: &'static str, message: &'static str) -> FieldError {
        FieldError { field, message }
    }
}

impl QuoteForm {
    /// The form a fiche shows first: the first pack, one unit.
    pub fn initial(s: &Service) -> QuoteForm {
        QuoteForm {
            pack: s.packs.first().map(|p| p.code.clone()).unwrap_or_default(),
            quantity: "1".into(),
            ..QuoteForm::default()
        }
    }

    /// Reads a posted form (`application/x-www-form-urlencoded`): what it holds, and the first
    /// problem of its shape — not a form, not UTF-8, an unknown field, a field given twice.
    pub fn parse(headers: &HeaderMap, body: &[u8]) -> (QuoteForm, Option<FieldError>) {
        let mut form = QuoteForm::default();
        let content_type = headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .map(|v| v.trim().to_ascii_lowercase());
        if content_type.as_deref() != Some("application/x-www-form-urlencoded") {
            return (form, Some(FieldError::new("form", "quote-error-form")));
        }
        let Ok(pairs) = serde_urlencoded::from_bytes::<Vec<(String, String)>>(body) else {
            return (form, Some(FieldError::new("form", "quote-error-form")));
        };
        let mut problem = None;
        let mut seen = std::collections::HashSet::new();
        for (k, v) in pairs {
            // Bytes that are not UTF-8 come out as U+FFFD: the form was not what a browser sends.
            if k.contains('\u{fffd}') || v.contains('\u{fffd}') {
                problem.get_or_insert(FieldError::new("form", "quote-error-form"));
                continue;
            }
            let once = |field: &'static str, seen: &mut std::collections::HashSet<&str>| {
                (!seen.insert(field)).then(|| FieldError::new(field, "quote-error-twice"))
            };
            let twice = match k.as_str() {
                "pack" => {
                    form.pack = v;
                    once("pack", &mut seen)
                }
                "level" => {
                    form.level = v;
                    once("level", &mut seen)
                }
                "quantity" => {
                    form.quantity = v;
                    once("quantity", &mut seen)
                }
                "option" => {
                    form.options.push(v);
                    None
                }
                "start_date" => {
                    form.start_date = v;
                    once("start_date", &mut seen)
                }
                "csrf" => {
                    form.csrf = v;
                    once("csrf", &mut seen)
                }
                _ => Some(FieldError::new("form", "quote-error-form")),
            };
            if let Some(e) = twice {
                problem.get_or_insert(e);
            }
        }
        (form, problem)
    }

    pub fn has_option(&self, code: &str) -> bool {
        self.options.iter().any(|o| o == code)
    }

    /// The selection the form asks for, or the field that is not one.
    pub fn selection(&self) -> Result<Selection, FieldError> {
        if self.pack.is_empty() {
            return Err(FieldError::new("pack", "quote-error-pack"));
        }
        let quantity = self.quantity.trim();
        let quantity = if quantity.is_empty() {
            1
        } else {
            quantity
                .parse::<i64>()
                .map_err(|_| FieldError::new("quantity", "quote-error-quantity"))?
        };
        Ok(Selection {
            pack: self.pack.clone(),
            level: Some(self.level.clone()).filter(|l| !l.is_empty()),
            options: self.options.clone(),
            quantity,
        })
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
    /// The form field the error concerns (marked invalid on the page).
    pub error_field: Option<&'static str>,
}

impl QuoteResult {
    /// 200 with a quote, 422 when the choice is refused.
    pub fn status(&self) -> StatusCode {
        if self.error.is_some() {
            StatusCode::UNPROCESSABLE_ENTITY
        } else {
            StatusCode::OK
        }
    }

    fn refused(t: Tr, e: FieldError) -> QuoteResult {
        QuoteResult {
            t,
            quote: None,
            error: Some(t.s(e.message)),
            error_field: Some(e.field),
        }
    }
}

/// The Fluent id of a refusal by the core, and the form field it concerns.
fn refusal(problem: Problem) -> FieldError {
    match problem {
        Problem::QuantityTooSmall => FieldError::new("quantity", "quote-error-quantity"),
        Problem::QuantityTooLarge => FieldError::new("quantity", "quote-error-quantity-max"),
        Problem::UnknownPack => FieldError::new("pack", "quote-error-pack"),
        Problem::UnknownLevel | Problem::LevelNotOffered => {
            FieldError::new("level", "quote-error-level")
        }
        Problem::UnknownOption | Problem::OptionNotForPack | Problem::OptionTwice => {
            FieldError::new("option", "quote-error-option")
        }
        Problem::CalendarConflict => FieldError::new("option", "quote-error-other"),
    }
}

/// Prices a posted form for the public: the form's own problem first, then whether the service
/// may be quoted, then the core's quote.
pub fn run_quote(
    snapshot: &Snapshot,
    s: &Service,
    lang: Lang,
    form: &QuoteForm,
    form_problem: Option<FieldError>,
) -> QuoteResult {
    let t = Tr(lang);
    if let Some(e) = form_problem {
        return QuoteResult::refused(t, e);
    }
    if !may_quote(s, Audience::Public) {
        return QuoteResult::refused(t, FieldError::new("form", "quote-error-service"));
    }
    let selection = match form.selection() {
        Ok(selection) => selection,
        Err(e) => return QuoteResult::refused(t, e),
    };
    match rules::quote(s, &snapshot.stored.catalogue.levels, &selection) {
        Ok(q) => QuoteResult {
            t,
            quote: Some(quote_view(snapshot, s, &q, lang)),
            error: None,
            error_field: None,
        },
        Err(e) => QuoteResult::refused(t, refusal(e.problem)),
    }
}

fn quote_view(snapshot: &Snapshot, s: &Service, q: &Quote, lang: Lang) -> QuoteView {
    let t = Tr(lang);
    QuoteView {
        level: level_name(snapshot, &q.sla.level, lang),
        target: format::percent(&q.sla.availability_target, lang),
        downtime: format::duration(q.sla.allowed_downtime_per_month(), lang),
        calendar: calendar_name(snapshot, &q.sla.support_calendar, lang),
        rows: q
            .sla
            .targets
            .iter()
            .map(|(p, e)| {
                target_row(
                    snapshot,
                    *p,
                    e.response.0,
                    e.resolution.0,
                    &e.calendar,
                    lang,
                )
            })
            .collect(),
        rights: q.sla.rights.iter().map(|r| right_name(t, r)).collect(),
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
                        format::integer(line.quantity, lang),
                        format::money(line.unit_amount_cents, lang)
                    ),
                    amount: format::money(line.amount_cents, lang),
                    period: period_name(t, line.period),
                }
            })
            .collect(),
        month: format::money(q.totals.month_cents, lang),
        year: format::money(q.totals.year_cents, lang),
        one_off: format::money(q.totals.one_off_cents, lang),
    }
}

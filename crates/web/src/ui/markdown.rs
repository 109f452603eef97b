//! Catalogue Markdown rendered safely (DOMAIN §2: "sanitised on render"). Raw HTML in the source
//! is shown as text, never passed through, and links keep only `http`, `https` and `mailto`
//! targets; so nothing an editor types becomes markup the editor did not mean.

use pulldown_cmark::{html, Event, Options, Parser, Tag, TagEnd};

/// HTML-escapes text for element content and quoted attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn safe_url(url: &str) -> bool {
    let lower = url.trim().to_ascii_lowercase();
    lower.starts_with("https://")
        || lower.starts_with("http://")
        || lower.starts_with("mailto:")
        || lower.starts_with('/')
        || lower.starts_with('#')
}

/// Markdown to sanitised HTML. Headings are shifted down by `shift` levels so a fiche's own
/// headings sit under the page's.
pub fn render(source: &str, shift: u8) -> String {
    let mut options = Options::empty();
    options.insert(Options::ENABLE_TABLES);
    options.insert(Options::ENABLE_STRIKETHROUGH);
    // Links are dropped (their text kept) when their target is not safe; the stack says which
    // link ends must be dropped with them.
    let mut dropped: Vec<bool> = Vec::new();
    let events = Parser::new_ext(source, options).filter_map(|event| match event {
        Event::Html(raw) | Event::InlineHtml(raw) => Some(Event::Text(raw)),
        Event::Start(Tag::Image { dest_url, .. }) => {
            // Images would load from outside Pacta: show their address as text instead.
            dropped.push(true);
            Some(Event::Text(dest_url))
        }
        Event::End(TagEnd::Image) => {
            dropped.pop();
            None
        }
        Event::Start(Tag::Link {
            link_type,
            dest_url,
            title,
            id,
        }) => {
            if safe_url(&dest_url) {
                dropped.push(false);
                Some(Event::Start(Tag::Link {
                    link_type,
                    dest_url,
                    title,
                    id,
                }))
            } else {
                dropped.push(true);
                None
            }
        }
        Event::End(TagEnd::Link) => {
            if dropped.pop().unwrap_or(true) {
                None
            } else {
                Some(Event::End(TagEnd::Link))
            }
        }
        Event::Start(Tag::Heading {
            level,
            id,
            classes,
            attrs,
        }) => Some(Event::Start(Tag::Heading {
            level: shift_level(level, shift),
            id,
            classes,
            attrs,
        })),
        Event::End(TagEnd::Heading(level)) => {
            Some(Event::End(TagEnd::Heading(shift_level(level, shift))))
        }
        other => Some(other),
    });
    let mut out = String::with_capacity(source.len() * 2);
    html::push_html(&mut out, events);
    out
}

fn shift_level(level: pulldown_cmark::HeadingLevel, shift: u8) -> pulldown_cmark::HeadingLevel {
    use pulldown_cmark::HeadingLevel::*;
    let n = (level as u8).saturating_add(shift).min(6);
    match n {
        1 => H1,
        2 => H2,
        3 => H3,
        4 => H4,
        5 => H5,
        _ => H6,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raw_html_is_shown_as_text() {
        let out = render("hello <script>alert(1)</script> **bold**", 0);
        assert!(!out.contains("<script>"), "{out}");
        assert!(out.contains("&lt;script&gt;"), "{out}");
        assert!(out.contains("<strong>bold</strong>"), "{out}");
        let out = render(
            "<div onclick=\"x()\">block</div>\n\n\"><img src=x onerror=alert(1)>",
            0,
        );
        assert!(!out.contains("<div"), "{out}");
        assert!(!out.contains("<img"), "{out}");
    }

    #[test]
    fn unsafe_links_and_images_lose_their_markup() {
        let out = render(
            "[click](javascript:alert(1)) ![i](https://evil.example/x.png)",
            0,
        );
        assert!(!out.contains("<a"), "{out}");
        assert!(!out.contains("<img"), "{out}");
        assert!(out.contains("click"), "{out}");
        let out = render("[site](https://www.yourict.be)", 0);
        assert!(
            out.contains("<a href=\"https://www.yourict.be\">site</a>"),
            "{out}"
        );
    }

    #[test]
    fn headings_shift_and_lists_render() {
        let out = render("# Title\n\n- a\n- b", 2);
        assert!(out.contains("<h3>Title</h3>"), "{out}");
        assert!(out.contains("<li>a</li>"), "{out}");
    }

    #[test]
    fn escape_covers_attribute_quotes() {
        assert_eq!(
            escape(r#"<a href="x">'&"#),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;"
        );
    }
}

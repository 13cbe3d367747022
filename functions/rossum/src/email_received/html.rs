//! Just enough HTML-to-text to read the header lines mail clients put in forwarded messages.

/// Elements whose start or end begins a new line of text, unless one has just begun.
const BLOCK_ELEMENTS: &[&str] = &[
    "p",
    "div",
    "tr",
    "li",
    "table",
    "blockquote",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
];

/// Elements whose content is not text.
const SKIPPED_ELEMENTS: &[&str] = &["style", "script", "head", "title"];

/// Outlook separates a forwarded message with a rule (`<hr>`) and its plain-text part with a
/// line of underscores; rendering one as the other lets both be recognised the same way.
const RULE_LINE: &str = "________________________________";

/// The text of `html`, one line per block element or `<br>`, with tags dropped and entities
/// decoded, as a browser lays it out: `<div>a</div><div>b</div>` is two lines, and only
/// `<div><br></div>` leaves a blank one.
pub(crate) fn html_to_text(html: &str) -> String {
    let mut text = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(open) = rest.find('<') {
        push_text(&mut text, &rest[..open]);
        rest = &rest[open..];
        if let Some(after_comment) = rest.strip_prefix("<!--") {
            rest = after_comment
                .find("-->")
                .map_or("", |end| &after_comment[end + 3..]);
            continue;
        }
        let Some(end) = tag_end(rest) else {
            // An unterminated tag ends the document.
            rest = "";
            break;
        };
        let tag = &rest[1..end];
        rest = &rest[end + 1..];
        let name = tag_name(tag);
        let is_end_tag = tag.starts_with('/');
        if name == "br" {
            text.push('\n');
        } else if name == "hr" {
            start_line(&mut text);
            text.push_str(RULE_LINE);
            text.push('\n');
        } else if BLOCK_ELEMENTS.contains(&name.as_str()) {
            start_line(&mut text);
        } else if !is_end_tag && SKIPPED_ELEMENTS.contains(&name.as_str()) {
            rest = after_element(rest, &name);
        }
    }
    push_text(&mut text, rest);
    decode_entities(&text)
}

/// Ends the current line unless it is empty: nested blocks and the source formatting between
/// them (`</div>\n<div>`) are no blank lines, which would end a header block.
fn start_line(text: &mut String) {
    let line_length = text.trim_end_matches([' ', '\t']).len();
    text.truncate(line_length);
    if !text.is_empty() && !text.ends_with('\n') {
        text.push('\n');
    }
}

/// Appends a text node; its line breaks are only source formatting, so they become spaces.
fn push_text(text: &mut String, node: &str) {
    text.extend(
        node.chars()
            .map(|c| if c == '\n' || c == '\r' { ' ' } else { c }),
    );
}

/// The index of the `>` closing the tag `tag` starts with, skipping quoted attribute values.
fn tag_end(tag: &str) -> Option<usize> {
    let mut quote = None;
    for (index, c) in tag.char_indices() {
        match (quote, c) {
            (None, '"' | '\'') => quote = Some(c),
            (Some(q), _) if c == q => quote = None,
            (None, '>') => return Some(index),
            _ => {}
        }
    }
    None
}

/// The lower-case element name of a tag's inside (`/div`, `br/`, `p class="x"`).
fn tag_name(tag: &str) -> String {
    tag.trim_start_matches('/')
        .chars()
        .take_while(char::is_ascii_alphanumeric)
        .collect::<String>()
        .to_ascii_lowercase()
}

/// What follows the end tag of element `name`, or nothing when it is never closed.
fn after_element<'a>(rest: &'a str, name: &str) -> &'a str {
    // Searched in place: lower-casing a copy of the rest for each element would make a body
    // of many `<style></style>` quadratic.
    let mut search = rest;
    while let Some(at) = search.find("</") {
        let candidate = &search[at + 2..];
        let names_it = candidate
            .get(..name.len())
            .is_some_and(|n| n.eq_ignore_ascii_case(name));
        if names_it {
            return candidate.find('>').map_or("", |end| &candidate[end + 1..]);
        }
        search = candidate;
    }
    ""
}

/// Decodes every HTML5 named entity (`&eacute;`, `&ouml;`, `&Ocy;` ...) and numeric character
/// references; anything else is kept as written. A non-breaking space is a space to the header
/// reader (`De&nbsp;:`, `Jan&nbsp;Nov&aacute;k`).
fn decode_entities(text: &str) -> String {
    html_escape::decode_html_entities(text).replace('\u{a0}', " ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn block_elements_become_lines_and_entities_are_decoded() {
        let html = "<div>From: <b>Jana</b> &lt;<a href=\"mailto:j@x.example\">j@x.example</a>&gt;\
                    <br>Date: today</div>";
        assert_eq!(
            html_to_text(html),
            "From: Jana <j@x.example>\nDate: today\n"
        );
    }

    #[test]
    fn styles_comments_and_source_line_breaks_are_not_text() {
        let html = "<head><style>p {color: red}</style></head><!--[if mso]>x<![endif]-->\
                    <p>De&nbsp;: Jean\n&#60;jean@x.example&#x3E;</p>";
        assert_eq!(html_to_text(html), "De : Jean <jean@x.example>\n");
    }

    #[test]
    fn nested_blocks_and_the_space_between_them_make_no_blank_lines() {
        let html = "<div>\n  <div><p>From: Jana</p></div>\n  <div>Date: today</div>\n</div>\
                    <div><br></div><div>Dear customer</div>";
        assert_eq!(
            html_to_text(html),
            "From: Jana\nDate: today\n\nDear customer\n"
        );
    }

    #[test]
    fn a_rule_becomes_the_outlook_separator_line() {
        assert_eq!(
            html_to_text("a<hr style=\"a>b\">b"),
            format!("a\n{RULE_LINE}\nb")
        );
    }

    #[test]
    fn stray_ampersands_and_unknown_entities_are_kept() {
        assert_eq!(
            html_to_text("Smith &amp; Co &foo bar; &nosuchentity; & more"),
            "Smith & Co &foo bar; &nosuchentity; & more"
        );
    }

    #[test]
    fn every_named_entity_is_decoded() {
        assert_eq!(
            html_to_text(
                "Ol&aacute; &copy; F&uuml;r S&eacute;bastien &Ocy;&tcy;: J&#xe1;n&nbsp;N&#225;"
            ),
            "Olá © Für Sébastien От: Ján Ná"
        );
    }

    #[test]
    fn end_tags_of_skipped_elements_are_found_in_any_case() {
        assert_eq!(html_to_text("<STYLE>a</b></Style>text"), "text");
        assert_eq!(html_to_text("<script>x</scrip"), "");
    }
}

//! Just enough HTML-to-text to read the header lines mail clients put in forwarded messages.

/// Elements whose start or end begins a new line of text.
const BLOCK_ELEMENTS: &[&str] = &[
    "br",
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

/// The text of `html`, one line per block element, with tags dropped and entities decoded.
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
        if name == "hr" {
            text.push('\n');
            text.push_str(RULE_LINE);
            text.push('\n');
        } else if BLOCK_ELEMENTS.contains(&name.as_str()) {
            text.push('\n');
        } else if !is_end_tag && SKIPPED_ELEMENTS.contains(&name.as_str()) {
            rest = after_element(rest, &name);
        }
    }
    push_text(&mut text, rest);
    decode_entities(&text)
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
    let end_tag = format!("</{name}");
    // ASCII lower-casing keeps byte offsets, so the index is valid in `rest`.
    let Some(start) = rest.to_ascii_lowercase().find(&end_tag) else {
        return "";
    };
    let after = &rest[start..];
    after.find('>').map_or("", |end| &after[end + 1..])
}

/// Decodes the named entities mail clients use and numeric character references; anything
/// else is kept as written.
fn decode_entities(text: &str) -> String {
    let mut decoded = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(amp) = rest.find('&') {
        decoded.push_str(&rest[..amp]);
        rest = &rest[amp..];
        let entity = rest
            .char_indices()
            .take(12)
            .find(|&(_, c)| c == ';')
            .and_then(|(semicolon, _)| Some((decode_entity(&rest[1..semicolon])?, semicolon)));
        match entity {
            Some((c, semicolon)) => {
                decoded.push(c);
                rest = &rest[semicolon + 1..];
            }
            None => {
                decoded.push('&');
                rest = &rest[1..];
            }
        }
    }
    decoded.push_str(rest);
    decoded
}

fn decode_entity(name: &str) -> Option<char> {
    match name {
        "lt" => Some('<'),
        "gt" => Some('>'),
        "amp" => Some('&'),
        "quot" => Some('"'),
        "apos" => Some('\''),
        "nbsp" => Some(' '),
        _ => {
            let number = name.strip_prefix('#')?;
            let code = match number.strip_prefix(['x', 'X']) {
                Some(hex) => u32::from_str_radix(hex, 16).ok()?,
                None => number.parse().ok()?,
            };
            char::from_u32(code)
        }
    }
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
            "\nFrom: Jana <j@x.example>\nDate: today\n"
        );
    }

    #[test]
    fn styles_comments_and_source_line_breaks_are_not_text() {
        let html = "<head><style>p {color: red}</style></head><!--[if mso]>x<![endif]-->\
                    <p>De&nbsp;: Jean\n&#60;jean@x.example&#x3E;</p>";
        assert_eq!(html_to_text(html), "\nDe : Jean <jean@x.example>\n");
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
            html_to_text("Smith &amp; Co &copy; &foo bar; & more"),
            "Smith & Co &copy; &foo bar; & more"
        );
    }
}

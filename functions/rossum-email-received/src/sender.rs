//! Who sent the message that was forwarded to the inbox.
//!
//! A sender is only taken from a forwarded message's header block (the lines after a
//! "Forwarded message" / "Original Message" marker, an Outlook separator, or an Outlook
//! `From:` line directly followed by `Sent:`) or from a quoted `> From:` line. A `From:` line
//! anywhere else is ordinary text, so the email's own sender is never mistaken for it.

use crate::html::html_to_text;
use crate::model::{EmailBody, OriginalSender};

/// Labels of the sender line: English, German, French/Spanish/Portuguese, Czech/Polish,
/// Dutch, Italian, Danish/Norwegian, Swedish.
const FROM_LABELS: &[&str] = &["from", "von", "de", "od", "van", "da", "fra", "från"];

/// Labels of the line Outlook writes right after the sender line of a forwarded message.
const SENT_LABELS: &[&str] = &[
    "sent",
    "gesendet",
    "envoyé",
    "odesláno",
    "wysłano",
    "verzonden",
    "inviato",
    "enviado",
    "enviado el",
    "skickat",
    "sendt",
];

/// What mail clients write between dashes above a forwarded or original message.
const DASHED_MARKERS: &[&str] = &[
    "forwarded message",
    "original message",
    "weitergeleitete nachricht",
    "ursprüngliche nachricht",
    "message transféré",
    "message d'origine",
    "doorgestuurd bericht",
    "oorspronkelijk bericht",
    "messaggio inoltrato",
    "messaggio originale",
    "mensaje reenviado",
    "mensaje original",
    "přeposlaná zpráva",
    "původní zpráva",
    "przekazana wiadomość",
    "wiadomość oryginalna",
];

/// Apple Mail's markers, written as a sentence ending in a colon.
const SENTENCE_MARKERS: &[&str] = &[
    "begin forwarded message",
    "anfang der weitergeleiteten nachricht",
    "début du message réexpédié",
];

/// How many lines of a header block are read looking for its sender line.
const MAX_HEADER_LINES: usize = 12;

/// The longest text before a colon that is still taken for a header label.
const MAX_LABEL_CHARS: usize = 30;

/// The forwarded sender from the plain-text body, else from the HTML body.
pub fn original_sender(body: &EmailBody) -> Option<OriginalSender> {
    let from_plain = body.body_text_plain.as_deref().and_then(forwarded_sender);
    from_plain.or_else(|| {
        let text = html_to_text(body.body_text_html.as_deref()?);
        forwarded_sender(&text)
    })
}

/// The sender of the first forwarded or quoted message in `text`, if it names an address.
pub fn forwarded_sender(text: &str) -> Option<OriginalSender> {
    let lines: Vec<&str> = text.lines().map(unquote).collect();
    let quoted: Vec<bool> = text.lines().map(is_quoted).collect();
    for (index, line) in lines.iter().enumerate() {
        let following = &lines[index + 1..];
        let sender = if is_forward_marker(line) {
            sender_in_header_block(following)
        } else {
            from_value(line)
                .filter(|_| quoted[index] || is_followed_by_sent_line(following))
                .and_then(parse_mailbox)
        };
        if sender.is_some() {
            return sender;
        }
    }
    None
}

/// Whether the line is quoted (`> From: ...`, `>> ...`).
fn is_quoted(line: &str) -> bool {
    line.trim_start().starts_with('>')
}

/// The line without its quote markers and surrounding whitespace.
fn unquote(line: &str) -> &str {
    line.trim_start_matches(|c: char| c == '>' || c.is_whitespace())
        .trim_end()
}

/// A line that introduces a forwarded message's header block.
fn is_forward_marker(line: &str) -> bool {
    if line.len() >= 10 && line.chars().all(|c| c == '_') {
        // Outlook's separator; an HTML body's `<hr>` is rendered as one too.
        return true;
    }
    let phrase = line
        .trim_matches(|c: char| c == '-' || c.is_whitespace())
        .trim_end_matches(':')
        .trim_end()
        .to_lowercase()
        .replace('\u{2019}', "'");
    let dashed = line.starts_with("--") && line.ends_with("--");
    (dashed && DASHED_MARKERS.contains(&phrase.as_str()))
        || SENTENCE_MARKERS.contains(&phrase.as_str())
}

/// The sender in the header block following a marker: blank lines are skipped, then the block
/// runs until the next blank line. Its first line must be a header, or the marker only
/// introduced text.
fn sender_in_header_block(after_marker: &[&str]) -> Option<OriginalSender> {
    let mut block = after_marker
        .iter()
        .skip_while(|line| line.is_empty())
        .take_while(|line| !line.is_empty())
        .take(MAX_HEADER_LINES);
    let first = block.next().filter(|line| header_field(line).is_some())?;
    std::iter::once(first)
        .chain(block)
        .find_map(|line| from_value(line))
        .and_then(parse_mailbox)
}

/// Outlook forwards carry no marker in plain text, but its block always has `Sent:` next.
fn is_followed_by_sent_line(following: &[&str]) -> bool {
    following
        .iter()
        .find(|line| !line.is_empty())
        .and_then(|line| header_field(line))
        .is_some_and(|(label, _)| SENT_LABELS.contains(&label.to_lowercase().as_str()))
}

/// The value of a sender line (`From:`, `Von:`, `De :`, `*From:*` ...).
fn from_value(line: &str) -> Option<&str> {
    header_field(line)
        .filter(|(label, _)| FROM_LABELS.contains(&label.to_lowercase().as_str()))
        .map(|(_, value)| value)
}

/// `(label, value)` of a `Label: value` line. Asterisks are what bold labels become in
/// plain-text renderings of HTML mail.
fn header_field(line: &str) -> Option<(&str, &str)> {
    let (label, value) = line.split_once(':')?;
    let label = label.trim().trim_matches('*').trim();
    let is_label = !label.is_empty()
        && label.chars().count() <= MAX_LABEL_CHARS
        && label
            .chars()
            .all(|c| c.is_alphabetic() || c == ' ' || c == '-');
    is_label.then(|| (label, value.trim_start_matches('*').trim()))
}

/// Name and address from a header value: `Name <address>`, `"Last, First" <address>`,
/// `Name [mailto:address]` or a bare address.
fn parse_mailbox(value: &str) -> Option<OriginalSender> {
    let at = value.find('@')?;
    let start = value[..at]
        .char_indices()
        .rev()
        .take_while(|&(_, c)| is_local_part_char(c))
        .last()
        .map_or(at, |(index, _)| index);
    let end = value[at + 1..]
        .char_indices()
        .find(|&(_, c)| !is_domain_char(c))
        .map_or(value.len(), |(index, _)| at + 1 + index);
    let email = normalize_address(&value[start..at], &value[at + 1..end])?;
    Some(OriginalSender {
        email,
        name: display_name(&value[..start]),
    })
}

fn is_local_part_char(c: char) -> bool {
    c.is_alphanumeric() || "._%+-!#$&/=?^`{|}~".contains(c)
}

fn is_domain_char(c: char) -> bool {
    c.is_alphanumeric() || c == '.' || c == '-'
}

/// `local@domain` with the domain in lower case: domains are case-insensitive, local parts
/// are not guaranteed to be.
fn normalize_address(local: &str, domain: &str) -> Option<String> {
    let local = local.trim_start_matches('.');
    let domain = domain.trim_end_matches(['.', '-']);
    let valid = !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with(['.', '-'])
        && !domain.contains("..");
    valid.then(|| format!("{local}@{}", domain.to_lowercase()))
}

/// The display name before the address, without the `<`, `[mailto:` or quotes around it.
fn display_name(before_address: &str) -> String {
    let name = before_address.trim_end();
    let name = strip_suffix_ignore_case(name, "mailto:").trim_end();
    let name = name.trim_end_matches(['<', '[']);
    name.trim_matches(|c: char| c.is_whitespace() || c == '"' || c == '\'' || c == '*')
        .replace("\\\"", "\"")
}

fn strip_suffix_ignore_case<'a>(text: &'a str, suffix: &str) -> &'a str {
    let split = text.len().saturating_sub(suffix.len());
    match (text.get(..split), text.get(split..)) {
        (Some(head), Some(tail)) if tail.eq_ignore_ascii_case(suffix) => head,
        _ => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mailbox(value: &str) -> Option<(String, String)> {
        parse_mailbox(value).map(|s| (s.email, s.name))
    }

    fn pair(email: &str, name: &str) -> Option<(String, String)> {
        Some((email.to_owned(), name.to_owned()))
    }

    #[test]
    fn mailbox_forms() {
        assert_eq!(
            mailbox("Jana <jana@x.example>"),
            pair("jana@x.example", "Jana")
        );
        assert_eq!(
            mailbox("\"Novák, Jan\" <Jan.Novak@X.Example>"),
            pair("Jan.Novak@x.example", "Novák, Jan")
        );
        assert_eq!(
            mailbox("Jan Novák [mailto:jan@x.example]"),
            pair("jan@x.example", "Jan Novák")
        );
        assert_eq!(
            mailbox("Jan [MAILTO:jan@x.example]"),
            pair("jan@x.example", "Jan")
        );
        assert_eq!(mailbox("  jan@x.example  "), pair("jan@x.example", ""));
        assert_eq!(mailbox("<jan@x.example>"), pair("jan@x.example", ""));
        assert_eq!(mailbox("*jan@x.example*"), pair("jan@x.example", ""));
        assert_eq!(
            mailbox("jan@x.example <jan@x.example>"),
            pair("jan@x.example", ""),
            "an address repeated as the name is no name"
        );
        assert_eq!(
            mailbox("Jana <jana@x.example <mailto:jana@x.example>>"),
            pair("jana@x.example", "Jana")
        );
    }

    #[test]
    fn values_without_an_address_are_no_mailbox() {
        assert_eq!(mailbox("Novák, Jan"), None);
        assert_eq!(mailbox("@"), None);
        assert_eq!(mailbox("jan@localhost"), None);
        assert_eq!(mailbox("<@x.example>"), None);
        assert_eq!(mailbox("jan@.example"), None);
    }

    #[test]
    fn markers_in_their_usual_spellings() {
        for marker in [
            "---------- Forwarded message ---------",
            "-------- Forwarded Message --------",
            "-----Original Message-----",
            "----- Ursprüngliche Nachricht -----",
            "-----Message d\u{2019}origine-----",
            "-------- Původní zpráva --------",
            "Begin forwarded message:",
            "________________________________",
        ] {
            assert!(is_forward_marker(marker), "{marker}");
        }
        for text in ["Original message", "-- ", "Forwarded message:", "__init__"] {
            assert!(!is_forward_marker(text), "{text}");
        }
    }

    #[test]
    fn header_labels_allow_bold_and_a_space_before_the_colon() {
        assert_eq!(header_field("*From:* Jana"), Some(("From", "Jana")));
        assert_eq!(header_field("De\u{a0}: Jean"), Some(("De", "Jean")));
        assert_eq!(header_field("Invoice 2026-0457: attached"), None);
        assert_eq!(header_field("no colon here"), None);
    }
}

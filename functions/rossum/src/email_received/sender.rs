//! Who sent the message that was forwarded to the inbox.
//!
//! A sender is only taken from a forwarded message's header block: the lines after a
//! "Forwarded message" / "Original Message" marker (in the languages of the tables below), an
//! Outlook separator, a `From:` line directly followed by a `Sent:` or `Date:` line, a quoted
//! `> From:` line, or, when the email's subject says it is a forward (`Fw:`, `WG:`, `TR:` ...),
//! the "On <date>, <sender> wrote:" line Outlook for Mac writes above a forwarded message. A
//! `From:` line anywhere else is ordinary text, so the email's own sender is never mistaken for
//! it.

use super::html::html_to_text;
use super::model::{EmailBody, OriginalSender};

/// Labels of the sender line in a forwarded header block, in lower case.
const FROM_LABELS: &[&str] = &[
    "from",        // en
    "von",         // de
    "absender",    // de
    "de",          // fr, es, pt, ro
    "de la",       // ro
    "expéditeur",  // fr
    "remitente",   // es
    "remetente",   // pt
    "od",          // cs, pl, sk
    "odesílatel",  // cs
    "odosielateľ", // sk
    "nadawca",     // pl
    "van",         // nl
    "afzender",    // nl
    "da",          // it
    "mittente",    // it
    "fra",         // da, no
    "från",        // sv
    "lähettäjä",   // fi
    "saatja",      // et
    "feladó",      // hu
    "šalje",       // hr
    "pošiljatelj", // hr
    "expeditorul", // ro
    "от",          // ru
    "отправитель", // ru
    "від",         // uk
    "від кого",    // uk
    "kimden",      // tr
    "gönderen",    // tr
    "送信元",      // ja
    "差出人",      // ja
    "发件人",      // zh
    "寄件者",      // zh
    "보낸 사람",   // ko
];

/// Labels of the date line that follows the sender line of an Outlook header block.
const DATE_LABELS: &[&str] = &[
    "sent",
    "date",
    "gesendet",
    "datum",
    "envoyé",
    "enviado",
    "enviado el",
    "fecha",
    "data",
    "inviato",
    "odesláno",
    "odoslané",
    "wysłano",
    "verzonden",
    "sendt",
    "dato",
    "skickat",
    "lähetetty",
    "päivämäärä",
    "päiväys",
    "elküldve",
    "dátum",
    "trimis",
    "dată",
    "poslano",
    "отправлено",
    "дата",
    "відправлено",
    "gönderildi",
    "gönderilen",
    "tarih",
    "日付",
    "送信日時",
];

/// What mail clients write between dashes above a forwarded or original message, in lower case.
const DASHED_MARKERS: &[&str] = &[
    "forwarded message",
    "original message",
    "weitergeleitete nachricht",
    "ursprüngliche nachricht",
    "message transféré",
    "message transmis",
    "message d'origine",
    "mensaje reenviado",
    "mensaje original",
    "mensagem encaminhada",
    "mensagem reencaminhada",
    "mensagem original",
    "messaggio inoltrato",
    "messaggio originale",
    "doorgestuurd bericht",
    "oorspronkelijk bericht",
    "přeposlaná zpráva",
    "původní zpráva",
    "preposlaná správa",
    "pôvodná správa",
    "przekazana wiadomość",
    "wiadomość przesłana dalej",
    "treść przekazanej wiadomości",
    "wiadomość oryginalna",
    "videresendt meddelelse",
    "oprindelig meddelelse",
    "videresendt melding",
    "opprinnelig melding",
    "vidarebefordrat meddelande",
    "ursprungligt meddelande",
    "välitetty viesti",
    "edelleenlähetetty viesti",
    "alkuperäinen viesti",
    "edastatud kiri",
    "továbbított üzenet",
    "eredeti üzenet",
    "proslijeđena poruka",
    "izvorna poruka",
    "mesaj redirecționat",
    "mesaj original",
    "перенаправленное сообщение",
    "пересылаемое сообщение",
    "исходное сообщение",
    "переслане повідомлення",
    "перенаправлене повідомлення",
    "вихідне повідомлення",
    "iletilen ileti",
    "iletilmiş mesaj",
    "özgün ileti",
    "メッセージを転送",
    "元のメッセージ",
];

/// Apple Mail's markers, written as a sentence ending in a colon, in lower case.
const SENTENCE_MARKERS: &[&str] = &[
    "begin forwarded message",
    "anfang der weitergeleiteten nachricht",
    "début du message réexpédié",
    "inicio del mensaje reenviado",
    "início da mensagem encaminhada",
    "início da mensagem reencaminhada",
    "inizio messaggio inoltrato",
    "begin doorgestuurd bericht",
    "začátek přeposílané zprávy",
    "začiatok preposlanej správy",
    "początek przekazywanej wiadomości",
    "start på videresendt besked",
    "videresendt melding",
    "vidarebefordrat mejl",
    "välitetty viesti alkaa",
    "továbbított levél kezdete",
    "započni proslijeđenu poruku",
    "începe mesajul redirecționat",
    "начало переадресованного сообщения",
    "початок листа, що пересилається",
    "ileti başlangıcı",
];

/// Subject prefixes of a forward, in lower case without the colon. `vs` is Danish and
/// Norwegian for a forward, though Finnish for a reply: forwards are the commoner case here.
const FORWARD_SUBJECT_PREFIXES: &[&str] = &[
    "fw",         // en and many others
    "fwd",        // en
    "wg",         // de
    "tr",         // fr
    "rv",         // es
    "enc",        // pt
    "i",          // it
    "pd",         // pl
    "doorst",     // nl
    "vs",         // da, no
    "videresend", // no
    "vb",         // sv
    "vl",         // fi
    "tov",        // hu
    "redir",      // ro
    "ilt",        // tr
    "пересл",     // ru
];

/// The verbs of an "On <date>, <sender> wrote:" line, in lower case.
const WROTE_VERBS: &[&str] = &[
    "wrote",
    "schrieb",
    "a écrit",
    "escribió",
    "escreveu",
    "ha scritto",
    "geschreven",
    "napsal",
    "napísal",
    "napisał",
    "napisao",
    "skrev",
    "kirjoitti",
    "kirjutas",
    "írta",
    "a scris",
    "написал",
    "написав",
    "yazdı",
];

/// Words that stand between the date and an unquoted sender name in such a line
/// (`Op <date> heeft John Doe <address>`), in lower case.
const NAME_INTRODUCERS: &[&str] = &[
    "heeft",
    "időpontban",
    "používateľ",
    "uživatel",
    "użytkownik",
    "пользователь",
    "користувач",
    "schrieb",
    "skrev",
];

/// Quotes that close and open a display name in an attribution line (`"`, `« »`, `„ ”`).
const CLOSING_QUOTES: &[char] = &['"', '\'', '”', '“', '»'];
const OPENING_QUOTES: &[char] = &['"', '\'', '“', '„', '«'];

/// How many lines of a body are read: a forwarded header block sits near the top.
const MAX_LINES: usize = 5_000;

/// How many lines of a header block are read looking for its sender line.
const MAX_HEADER_LINES: usize = 12;

/// How many blank lines may separate a marker or a sender line from what follows it.
const MAX_BLANK_LINES: usize = 3;

/// The longest text before a colon that is still taken for a header label.
const MAX_LABEL_CHARS: usize = 30;

/// The longest line read as an "On <date>, <sender> wrote:" line.
const MAX_ATTRIBUTION_BYTES: usize = 400;

/// The longest unquoted display name in such a line, in words.
const MAX_NAME_WORDS: usize = 6;

/// The forwarded sender from the plain-text body, else from the HTML body. `subject` is the
/// email's own subject: only a forward's lets an "On <date>, <sender> wrote:" line count.
pub fn original_sender(body: &EmailBody, subject: Option<&str>) -> Option<OriginalSender> {
    let forward = subject.is_some_and(is_forward_subject);
    let from_plain = body
        .body_text_plain
        .as_deref()
        .and_then(|text| sender_in(text, forward));
    from_plain.or_else(|| {
        let text = html_to_text(body.body_text_html.as_deref()?);
        sender_in(&text, forward)
    })
}

/// The sender of the first forwarded or quoted message in `text`, if it names an address; the
/// subject is not known, so "wrote:" lines do not count.
pub fn forwarded_sender(text: &str) -> Option<OriginalSender> {
    sender_in(text, false)
}

/// Whether a subject starts with a forward's prefix (`Fw:`, `WG:`, `[External] TR:` ...).
fn is_forward_subject(subject: &str) -> bool {
    let mut rest = subject.trim_start();
    // Tags that mail gateways put in front (`[External]`) come before the prefix.
    while let Some(tagged) = rest.strip_prefix('[') {
        let Some(end) = tagged.find(']') else {
            return false;
        };
        rest = tagged[end + 1..].trim_start();
    }
    let Some((prefix, _)) = rest.split_once([':', '：']) else {
        return false;
    };
    let prefix = normalize(prefix.trim().trim_end_matches('.'));
    FORWARD_SUBJECT_PREFIXES.contains(&prefix.as_str())
}

fn sender_in(text: &str, forward_subject: bool) -> Option<OriginalSender> {
    let raw: Vec<&str> = text.lines().take(MAX_LINES).collect();
    let lines: Vec<&str> = raw.iter().map(|line| unquote(line)).collect();
    for (index, line) in lines.iter().enumerate() {
        let following = &lines[index + 1..];
        let sender = if let Some(rest) = forward_marker(line) {
            sender_in_header_block(rest, following)
        } else if let Some(value) = from_value(line) {
            let opens_block = is_quoted(raw[index]) || is_followed_by_date_line(following);
            opens_block.then(|| parse_mailbox(value)).flatten()
        } else if forward_subject {
            attribution_sender(line)
        } else {
            None
        };
        if sender.is_some() {
            return sender;
        }
    }
    None
}

/// Lower case, with the dot of a Turkish `İ` dropped (`İleti` is `ileti`, not `i̇leti`) and
/// typographic apostrophes made plain.
fn normalize(phrase: &str) -> String {
    phrase
        .to_lowercase()
        .replace('\u{307}', "")
        .replace('\u{2019}', "'")
}

/// Whether the line is quoted (`> From: ...`, `>> ...`).
fn is_quoted(line: &str) -> bool {
    line.trim_start().starts_with('>')
}

/// The line without its quote markers, surrounding whitespace and byte-order mark.
fn unquote(line: &str) -> &str {
    line.trim_start_matches(|c: char| c == '>' || c == '\u{feff}' || c.is_whitespace())
        .trim_end()
}

/// Whether the line introduces a forwarded message's header block; if so, what follows the
/// marker on the same line (Yahoo writes the whole block on the marker's line).
fn forward_marker(line: &str) -> Option<&str> {
    if line.len() >= 10 && line.chars().all(|c| c == '_') {
        // Outlook's separator; an HTML body's `<hr>` is rendered as one too.
        return Some("");
    }
    if let Some(after_dashes) = line.strip_prefix("--") {
        let after_dashes = after_dashes.trim_start_matches('-');
        let (phrase, rest) = after_dashes.split_once("--")?;
        // Thunderbird may name the marker in two languages: `Välitetty viesti / Fwd.Msg`.
        let known = phrase
            .split('/')
            .any(|part| DASHED_MARKERS.contains(&normalize(part.trim()).as_str()));
        return known.then(|| rest.trim_matches(|c: char| c == '-' || c.is_whitespace()));
    }
    let sentence = line.strip_suffix(':')?.trim_end();
    SENTENCE_MARKERS
        .contains(&normalize(sentence).as_str())
        .then_some("")
}

/// The sender in the header block following a marker (starting with `on_marker_line`, the rest
/// of the marker's line, when that is a header): a few blank lines are skipped, then the block
/// runs until the next blank line. Its first line must be a header, or the marker only
/// introduced text.
fn sender_in_header_block(on_marker_line: &str, after_marker: &[&str]) -> Option<OriginalSender> {
    let first_on_marker_line = header_field(on_marker_line).map(|_| on_marker_line);
    let blanks = after_marker
        .iter()
        .take(MAX_BLANK_LINES)
        .take_while(|line| line.is_empty())
        .count();
    let mut block = first_on_marker_line
        .into_iter()
        .chain(
            after_marker[blanks..]
                .iter()
                .copied()
                .take_while(|line| !line.is_empty()),
        )
        .take(MAX_HEADER_LINES);
    let first = block.next().filter(|line| header_field(line).is_some())?;
    std::iter::once(first)
        .chain(block)
        .find_map(from_value)
        .and_then(parse_mailbox)
}

/// Outlook forwards carry no marker in plain text, but the sender line of its block is always
/// followed by the date (`Sent:`, or `Date:` in the new Outlook).
fn is_followed_by_date_line(following: &[&str]) -> bool {
    following
        .iter()
        .take(MAX_BLANK_LINES + 1)
        .find(|line| !line.is_empty())
        .and_then(|line| header_field(line))
        .is_some_and(|(label, _)| DATE_LABELS.contains(&normalize(label).as_str()))
}

/// The value of a sender line (`From:`, `Von:`, `De :`, `*From:*`, `送信元：` ...).
fn from_value(line: &str) -> Option<&str> {
    header_field(line)
        .filter(|(label, _)| FROM_LABELS.contains(&normalize(label).as_str()))
        .map(|(_, value)| value)
}

/// `(label, value)` of a `Label: value` line (a full-width colon in CJK mail). Asterisks are
/// what bold labels become in plain-text renderings of HTML mail.
fn header_field(line: &str) -> Option<(&str, &str)> {
    let (label, value) = line.split_once([':', '：'])?;
    let label = label.trim().trim_matches('*').trim();
    let is_label = !label.is_empty()
        && label.chars().count() <= MAX_LABEL_CHARS
        && label
            .chars()
            .all(|c| c.is_alphabetic() || c == ' ' || c == '-');
    is_label.then(|| (label, value.trim_start_matches('*').trim()))
}

/// The sender of an "On <date>, <sender> wrote:" line, in any of the languages of
/// [`WROTE_VERBS`]: `On 16/11/2026 10:12, "Jana" <jana@x.example> wrote:`,
/// `Jana <jana@x.example> kirjoitti 16/11/2026 10.12:`, `Am 16.11.2026 schrieb "Jana"
/// <jana@x.example>:`. The line carries a date, and the verb follows the address or, when it
/// comes first, the address ends the line: "I wrote to jana@x.example on 12/11 about this:" is
/// no such line.
fn attribution_sender(line: &str) -> Option<OriginalSender> {
    let plausible = line.len() <= MAX_ATTRIBUTION_BYTES
        && line.ends_with(':')
        && line.contains(|c: char| c.is_ascii_digit());
    if !plausible {
        return None;
    }
    let (start, end, email) = address_in(line)?;
    let has_verb = |text: &str| {
        let text = normalize(text);
        WROTE_VERBS.iter().any(|verb| contains_word(&text, verb))
    };
    let after = line[end..].trim_start_matches(['>', ')', ']']);
    let verb_after = has_verb(after);
    // `følgende` / `följande` may follow the address when the verb came first.
    let verb_before = after.split_whitespace().count() <= 1 && has_verb(&line[..start]);
    (verb_after || verb_before).then(|| OriginalSender {
        email,
        name: attributed_name(&line[..start]),
    })
}

/// Whether `word` occurs in `text` between non-letters.
fn contains_word(text: &str, word: &str) -> bool {
    text.match_indices(word).any(|(at, _)| {
        let before = text[..at].chars().next_back();
        let after = text[at + word.len()..].chars().next();
        !before.is_some_and(char::is_alphabetic) && !after.is_some_and(char::is_alphabetic)
    })
}

/// The display name at the end of the text before an address in an attribution line: the
/// quoted name right before it, else the words back to the date, a comma or a word such as
/// `heeft` that introduces the name.
fn attributed_name(before_address: &str) -> String {
    let name = before_address.trim_end_matches(|c: char| c.is_whitespace() || "<([".contains(c));
    if let Some(inner) = name.strip_suffix(CLOSING_QUOTES) {
        return inner
            .rfind(OPENING_QUOTES)
            .map(|open| {
                let quoted = &inner[open..];
                let quote_len = quoted.chars().next().map_or(0, char::len_utf8);
                quoted[quote_len..].trim().to_owned()
            })
            .unwrap_or_default();
    }
    let mut words: Vec<&str> = name
        .split_whitespace()
        .rev()
        .take_while(|word| {
            !word.ends_with(',')
                && !word.chars().any(|c| c.is_ascii_digit())
                && !NAME_INTRODUCERS.contains(&normalize(word).as_str())
        })
        .take(MAX_NAME_WORDS)
        .collect();
    words.reverse();
    words.join(" ")
}

/// Name and address from a header value: `Name <address>`, `"Last, First" <address>`,
/// `Name [mailto:address]` or a bare address.
fn parse_mailbox(value: &str) -> Option<OriginalSender> {
    let (start, _, email) = address_in(value)?;
    Some(OriginalSender {
        email,
        name: display_name(&value[..start]),
    })
}

/// Where the first address in `text` starts and ends, and the address, normalized.
fn address_in(text: &str) -> Option<(usize, usize, String)> {
    let at = text.find('@')?;
    let start = text[..at]
        .char_indices()
        .rev()
        .take_while(|&(_, c)| is_local_part_char(c))
        .last()
        .map_or(at, |(index, _)| index);
    let end = text[at + 1..]
        .char_indices()
        .find(|&(_, c)| !is_domain_char(c))
        .map_or(text.len(), |(index, _)| at + 1 + index);
    let email = normalize_address(&text[start..at], &text[at + 1..end])?;
    Some((start, end, email))
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
    name.trim_matches(|c: char| {
        c.is_whitespace() || c == '*' || CLOSING_QUOTES.contains(&c) || OPENING_QUOTES.contains(&c)
    })
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
            assert_eq!(forward_marker(marker), Some(""), "{marker}");
        }
        for text in [
            "Original message",
            "-- ",
            "Forwarded message:",
            "__init__",
            "----------------------------------------",
            "-- Petra --",
            "----- Forwarded message",
        ] {
            assert_eq!(forward_marker(text), None, "{text}");
        }
    }

    #[test]
    fn a_marker_keeps_what_follows_it_on_its_line() {
        assert_eq!(
            forward_marker("----- Forwarded Message ----- From: Jana <j@x.example>To: Petra"),
            Some("From: Jana <j@x.example>To: Petra")
        );
        assert_eq!(
            forward_marker("-------- Välitetty viesti / Fwd.Msg --------"),
            Some("")
        );
        assert_eq!(
            forward_marker("-------- Preposlaná správa --- Forwarded Message --------"),
            Some("Forwarded Message")
        );
        assert_eq!(forward_marker("İleti başlangıcı:"), Some(""));
        assert_eq!(forward_marker("Début du message réexpédié :"), Some(""));
    }

    #[test]
    fn forward_subjects_in_their_usual_spellings() {
        for subject in [
            "Fw: Invoice",
            "FWD: Invoice",
            "WG: Rechnung",
            "TR : Facture",
            "İLT: Fatura",
            "Redir.: Factura",
            "[External] FW: Invoice",
            "I: Fattura",
        ] {
            assert!(is_forward_subject(subject), "{subject}");
        }
        for subject in [
            "Re: Invoice",
            "RE: FW: Invoice",
            "Invoice: March",
            "Fwd",
            "[FW: x",
        ] {
            assert!(!is_forward_subject(subject), "{subject}");
        }
    }

    #[test]
    fn attribution_lines_name_the_sender_quoted_or_not() {
        let sender = |line: &str| attribution_sender(line).map(|s| (s.email, s.name));
        for (line, name) in [
            (
                "On 16/11/2026 10:12, \"Jana Nováková\" <jana@x.example> wrote:",
                "Jana Nováková",
            ),
            (
                "Le 16/11/2026 10:12, « Jean Dupont » <jana@x.example> a écrit :",
                "Jean Dupont",
            ),
            (
                "Dnia 16/11/2026, 10:12 użytkownik „Anna K” <jana@x.example> napisał:",
                "Anna K",
            ),
            (
                "Dne 16/11/2026 10:12, Jana Nováková <jana@x.example> napsal(a):",
                "Jana Nováková",
            ),
            (
                "Op 16/11/2026 10:12 heeft Pieter de Vries <jana@x.example> geschreven:",
                "Pieter de Vries",
            ),
            (
                "16/11/2026 10:12 időpontban Kiss Anna (jana@x.example) ezt írta:",
                "Kiss Anna",
            ),
            ("Jana <jana@x.example> kirjoitti 16/11/2026 10.12:", "Jana"),
            (
                "Am 16.11.2026 um 10:12 schrieb Max Müller <jana@x.example>:",
                "Max Müller",
            ),
            (
                "Den 16/11/2026 10:12 skrev \"Eva\" <jana@x.example> följande:",
                "Eva",
            ),
            ("On Mon, 16 Nov 2026 at 10:12 <jana@x.example> wrote:", ""),
        ] {
            assert_eq!(sender(line), pair("jana@x.example", name), "{line}");
        }
        for line in [
            "I wrote to jana@x.example yesterday.",
            "Jana <jana@x.example> rewrote the invoice on 12/11:",
            "Please pay Jana <jana@x.example> by 12/11:",
            "I wrote to jana@x.example on 12/11 about this:",
            "Jana <jana@x.example> wrote:",
        ] {
            assert_eq!(sender(line), None, "{line}");
        }
    }

    #[test]
    fn header_labels_allow_bold_and_a_space_before_the_colon() {
        assert_eq!(header_field("*From:* Jana"), Some(("From", "Jana")));
        assert_eq!(header_field("De\u{a0}: Jean"), Some(("De", "Jean")));
        assert_eq!(header_field("送信元：Jana"), Some(("送信元", "Jana")));
        assert_eq!(header_field("Invoice 2026-0457: attached"), None);
        assert_eq!(header_field("no colon here"), None);
    }
}

//! The forwarded sender, as the common mail clients and languages write it.

use rossum_functions::email_received::model::EmailBody;
use rossum_functions::email_received::{OriginalSender, forwarded_sender, original_sender};

const FORWARDER_NOTE: &str = "Hi,\n\nplease book this one.\n\nPetra\n\n";

fn sender(email: &str, name: &str) -> Option<OriginalSender> {
    Some(OriginalSender {
        email: email.to_owned(),
        name: name.to_owned(),
    })
}

/// An email whose body is `text`, in plain text only.
fn plain(text: &str) -> EmailBody {
    EmailBody {
        body_text_plain: Some(text.to_owned()),
        body_text_html: None,
    }
}

/// An email whose body is `html`, in HTML only.
fn html_body(html: &str) -> EmailBody {
    EmailBody {
        body_text_plain: None,
        body_text_html: Some(html.to_owned()),
    }
}

/// The forwarder's note, then `forwarded`, then the supplier's text.
fn forward(forwarded: &str) -> String {
    format!("{FORWARDER_NOTE}{forwarded}\n\nDear customer,\ninvoice attached.\n")
}

#[test]
fn gmail_forward_with_name_and_address() {
    let body = forward(
        "---------- Forwarded message ---------\n\
         From: Jana Nováková <jana.novakova@stavby-novak.example>\n\
         Date: Mon, 16 Nov 2026 at 10:12\n\
         Subject: Invoice FV-2026-0457\n\
         To: <petra@buyer.example>",
    );
    assert_eq!(
        forwarded_sender(&body),
        sender("jana.novakova@stavby-novak.example", "Jana Nováková")
    );
}

#[test]
fn a_bare_address_gives_an_empty_name() {
    let body = forward(
        "---------- Forwarded message ---------\n\
         From: billing@stavby-novak.example\n\
         Date: Mon, 16 Nov 2026 at 10:12",
    );
    assert_eq!(
        forwarded_sender(&body),
        sender("billing@stavby-novak.example", "")
    );
}

#[test]
fn a_quoted_name_with_a_comma_loses_its_quotes_only() {
    let body = forward(
        "-------- Forwarded Message --------\n\
         Subject: Invoice FV-2026-0457\n\
         Date: Mon, 16 Nov 2026 10:12:00 +0100\n\
         From: \"Nováková, Jana\" <jana.novakova@stavby-novak.example>\n\
         To: petra@buyer.example",
    );
    assert_eq!(
        forwarded_sender(&body),
        sender("jana.novakova@stavby-novak.example", "Nováková, Jana"),
        "Thunderbird puts the sender third in the block"
    );
}

#[test]
fn outlook_original_message_with_mailto_in_brackets() {
    let body = forward(
        "-----Original Message-----\n\
         From: Novák, Jan [mailto:Jan.Novak@Stavby-Novak.example]\n\
         Sent: Monday, November 16, 2026 10:12 AM\n\
         To: Accounts Payable\n\
         Subject: Invoice FV-2026-0457",
    );
    assert_eq!(
        forwarded_sender(&body),
        sender("Jan.Novak@stavby-novak.example", "Novák, Jan"),
        "the domain is lower-cased, the local part keeps its case"
    );
}

#[test]
fn outlook_separator_line_and_from_sent_block() {
    let separated = forward(
        "________________________________\n\
         From: Jan Novák <jan.novak@stavby-novak.example>\n\
         Sent: Monday, November 16, 2026 10:12\n\
         To: Petra <petra@buyer.example>",
    );
    assert_eq!(
        forwarded_sender(&separated),
        sender("jan.novak@stavby-novak.example", "Jan Novák")
    );

    let without_marker = forward(
        "From: Jan Novák <jan.novak@stavby-novak.example>\n\
         Sent: Monday, November 16, 2026 10:12\n\
         To: Petra <petra@buyer.example>",
    );
    assert_eq!(
        forwarded_sender(&without_marker),
        sender("jan.novak@stavby-novak.example", "Jan Novák"),
        "Outlook writes no marker in plain text, but From: then Sent: is its header block"
    );
}

#[test]
fn localized_sender_labels() {
    let cases = [
        (
            "---------- Weitergeleitete Nachricht ---------\nVon: Max Müller <max@lieferant.example>\nDatum: Mo., 16. Nov. 2026",
            "max@lieferant.example",
            "Max Müller",
        ),
        (
            "-----Message d'origine-----\nDe\u{a0}: Jean Dupont <jean.dupont@fournisseur.example>\nEnvoyé\u{a0}: lundi 16 novembre 2026 10:12",
            "jean.dupont@fournisseur.example",
            "Jean Dupont",
        ),
        (
            "-------- Původní zpráva --------\nOd: Jana Nováková <jana@stavby-novak.example>\nDatum: 16.11.2026 10:12",
            "jana@stavby-novak.example",
            "Jana Nováková",
        ),
        (
            "---------- Przekazana wiadomość ---------\nOd: Anna Kowalska <anna@dostawca.example>",
            "anna@dostawca.example",
            "Anna Kowalska",
        ),
        (
            "-----Oorspronkelijk bericht-----\nVan: Pieter de Vries <pieter@leverancier.example>\nVerzonden: maandag 16 november 2026 10:12",
            "pieter@leverancier.example",
            "Pieter de Vries",
        ),
        (
            "---------- Messaggio inoltrato ---------\nDa: Marco Rossi <marco.rossi@fornitore.example>\nDate: lun 16 nov 2026",
            "marco.rossi@fornitore.example",
            "Marco Rossi",
        ),
    ];
    for (block, email, name) in cases {
        assert_eq!(
            forwarded_sender(&forward(block)),
            sender(email, name),
            "{block}"
        );
    }
}

#[test]
fn quoted_from_lines_count_without_a_marker() {
    let body = "Please process.\n\n\
                > From: Jana Nováková <jana@stavby-novak.example>\n\
                > Date: Mon, 16 Nov 2026 at 10:12\n\
                >\n\
                > Invoice attached.\n";
    assert_eq!(
        forwarded_sender(body),
        sender("jana@stavby-novak.example", "Jana Nováková")
    );

    let nested = "See below.\n\n>> From: billing@stavby-novak.example\n";
    assert_eq!(
        forwarded_sender(nested),
        sender("billing@stavby-novak.example", "")
    );
}

#[test]
fn a_quoted_marker_opens_a_quoted_header_block() {
    let body = "FYI\n\n\
                > ---------- Forwarded message ---------\n\
                > From: Jana <jana@stavby-novak.example>\n\
                > Date: Mon, 16 Nov 2026 at 10:12\n";
    assert_eq!(
        forwarded_sender(body),
        sender("jana@stavby-novak.example", "Jana")
    );
}

#[test]
fn apple_mail_marker_with_a_blank_line_before_the_headers() {
    let body = forward(
        "Begin forwarded message:\n\n\
         From: Jana Nováková <jana@stavby-novak.example>\n\
         Subject: Invoice FV-2026-0457",
    );
    assert_eq!(
        forwarded_sender(&body),
        sender("jana@stavby-novak.example", "Jana Nováková")
    );
}

#[test]
fn plain_text_bold_labels_from_html_renderings() {
    let body = forward(
        "---------- Forwarded message ---------\n\
         *From:* Jana Nováková <jana@stavby-novak.example <mailto:jana@stavby-novak.example>>\n\
         *Date:* Mon, 16 Nov 2026 at 10:12",
    );
    assert_eq!(
        forwarded_sender(&body),
        sender("jana@stavby-novak.example", "Jana Nováková")
    );
}

#[test]
fn the_first_forwarded_message_wins() {
    let body = forward(
        "---------- Forwarded message ---------\n\
         From: Tomáš Colleague <tomas@buyer.example>\n\
         Date: Mon, 16 Nov 2026 at 11:00\n\n\
         see below\n\n\
         ---------- Forwarded message ---------\n\
         From: Jana <jana@stavby-novak.example>",
    );
    assert_eq!(
        forwarded_sender(&body),
        sender("tomas@buyer.example", "Tomáš Colleague")
    );
}

#[test]
fn a_header_block_whose_sender_has_no_address_gives_way_to_a_later_one() {
    let body = forward(
        "-----Original Message-----\n\
         From: Novák, Jan\n\
         Sent: Monday, November 16, 2026 10:12 AM\n\n\
         text\n\n\
         -----Original Message-----\n\
         From: Billing <billing@stavby-novak.example>",
    );
    assert_eq!(
        forwarded_sender(&body),
        sender("billing@stavby-novak.example", "Billing")
    );
}

#[test]
fn from_lines_outside_a_forwarded_message_are_ignored() {
    for body in [
        "From: Jana <jana@stavby-novak.example>\nSubject: Invoice\n\nInvoice attached.",
        "Hello,\nthe invoice is from: jana@stavby-novak.example\n",
        "-- \nPetra Svobodová\nFrom: the accounting team <ap@buyer.example>\n",
        "---------- Forwarded message ---------\n\nDear customer, invoice attached.\nFrom: Jana <jana@stavby-novak.example>\n",
    ] {
        assert_eq!(forwarded_sender(body), None, "{body}");
    }
    assert_eq!(forwarded_sender(""), None);
}

#[test]
fn the_html_body_is_read_when_the_plain_text_has_no_sender() {
    let html = "<div dir=\"ltr\">FYI<br><br><div class=\"gmail_quote\">\
                <div dir=\"ltr\" class=\"gmail_attr\">---------- Forwarded message ---------<br>\
                From: <strong class=\"gmail_sendername\" dir=\"auto\">Jana Nováková</strong> \
                <span dir=\"auto\">&lt;<a href=\"mailto:jana@stavby-novak.example\">\
                jana@stavby-novak.example</a>&gt;</span><br>Date: Mon, 16 Nov 2026</div></div></div>";
    let expected = sender("jana@stavby-novak.example", "Jana Nováková");
    let html_only = html_body(html);
    assert_eq!(original_sender(&html_only, None), expected);
    let empty_plain = EmailBody {
        body_text_plain: Some("FYI".to_owned()),
        ..html_only
    };
    assert_eq!(original_sender(&empty_plain, None), expected);
}

#[test]
fn outlook_html_with_a_rule_and_bold_labels() {
    let html = "<html><head><style>p.MsoNormal {margin:0cm}</style></head><body>\
                <p class=\"MsoNormal\">Please process.</p>\
                <hr style=\"display:inline-block;width:98%\" tabindex=\"-1\">\
                <div id=\"divRplyFwdMsg\" dir=\"ltr\"><font face=\"Calibri, sans-serif\">\
                <b>From:</b> Novák, Jan &lt;jan.novak@stavby-novak.example&gt;<br>\n\
                <b>Sent:</b> Monday, November 16, 2026 10:12<br>\
                <b>To:</b> Petra</font></div></body></html>";
    assert_eq!(
        original_sender(&html_body(html), None),
        sender("jan.novak@stavby-novak.example", "Novák, Jan")
    );
}

#[test]
fn the_plain_text_wins_over_the_html() {
    let body = EmailBody {
        body_text_plain: Some(forward(
            "-----Original Message-----\nFrom: plain@stavby-novak.example",
        )),
        body_text_html: Some(
            "-----Original Message-----<br>From: html@stavby-novak.example".to_owned(),
        ),
    };
    assert_eq!(
        original_sender(&body, None),
        sender("plain@stavby-novak.example", "")
    );
    assert_eq!(original_sender(&EmailBody::default(), None), None);
}

#[test]
fn windows_line_endings_are_handled() {
    let body = "FYI\r\n\r\n-----Original Message-----\r\nFrom: Jan <jan@stavby-novak.example>\r\nSent: today\r\n";
    assert_eq!(
        forwarded_sender(body),
        sender("jan@stavby-novak.example", "Jan")
    );
}

#[test]
fn new_outlook_block_with_a_localized_date_line() {
    for block in [
        "From: Jana <jana@stavby-novak.example>\nDate: Monday, 16 November 2026 at 10:12",
        "Lähettäjä: Jana <jana@stavby-novak.example>\nPäivämäärä: maanantaina 16. marraskuuta 2026",
        "Feladó: Jana <jana@stavby-novak.example>\nDátum: 2026. november 16. 10:12",
        "От: Jana <jana@stavby-novak.example>\nДата: понедельник, 16 ноября 2026 г.",
        "Kimden: Jana <jana@stavby-novak.example>\nTarih: 16 Kasım 2026 Pazartesi 10:12",
    ] {
        assert_eq!(
            forwarded_sender(&forward(block)),
            sender("jana@stavby-novak.example", "Jana"),
            "{block}"
        );
    }
}

#[test]
fn yahoo_writes_the_whole_block_on_the_marker_line() {
    let body = "FYI\n\n   ----- Forwarded Message ----- From: Jana Nováková <jana@stavby-novak.example>\
                To: \"petra@buyer.example\" <petra@buyer.example>Sent: Monday, November 16, 2026\n\
                Dear customer, invoice attached.";
    assert_eq!(
        forwarded_sender(body),
        sender("jana@stavby-novak.example", "Jana Nováková")
    );
}

#[test]
fn a_forward_subject_lets_the_outlook_for_mac_attribution_line_count() {
    let body = plain(&forward(
        "On 16/11/2026 10:12, \"Jana Nováková\" <jana@stavby-novak.example> wrote:\n",
    ));
    let jana = sender("jana@stavby-novak.example", "Jana Nováková");
    assert_eq!(
        original_sender(&body, Some("FW: Invoice FV-2026-0457")),
        jana
    );
    assert_eq!(original_sender(&body, Some("WG: Rechnung")), jana);
    assert_eq!(
        original_sender(&body, Some("RE: Invoice FV-2026-0457")),
        None,
        "a reply's attribution line names who was replied to, not a forwarded sender"
    );
    assert_eq!(original_sender(&body, None), None);
}

#[test]
fn a_reply_names_no_forwarded_sender() {
    let reply = "Thanks, it is paid.\n\n\
                 Petra Svobodová\n\
                 Accounts Payable, petra@buyer.example\n\n\
                 On Mon, 16 Nov 2026 at 10:12, Jana Nováková <jana@stavby-novak.example> wrote:\n\
                 > Dear customer, invoice attached.\n";
    assert_eq!(
        original_sender(&plain(reply), Some("Re: Invoice FV-2026-0457")),
        None
    );
    let reply = html_body(
        "<div>Thanks, it is paid.</div><div>Petra &lt;petra@buyer.example&gt;</div>\
         <div class=\"gmail_quote\">On Mon, 16 Nov 2026 at 10:12, Jana Nov&aacute;kov&aacute; \
         &lt;jana@stavby-novak.example&gt; wrote:<br><blockquote>Invoice attached.\
         </blockquote></div>",
    );
    assert_eq!(
        original_sender(&reply, Some("Re: Invoice FV-2026-0457")),
        None
    );
}

#[test]
fn an_ordinary_mail_mentioning_from_names_no_sender() {
    for body in [
        "Hello,\n\nFrom: 1 December, invoices go to billing@stavby-novak.example\nThank you.",
        "Hello,\nplease note the change. From: 1 December write to billing@stavby-novak.example\n",
        "From: Petra <petra@buyer.example>\nTo: Accounts Payable\n\nPlease book the attached.",
        "Dear all,\n\nOd: zítřka platí nová adresa billing@stavby-novak.example.\n",
        "----- Order summary -----\nFrom: the web shop, shop@stavby-novak.example\n",
    ] {
        assert_eq!(
            original_sender(&plain(body), Some("Fw: Invoice")),
            None,
            "{body}"
        );
    }
    let ordinary = html_body(
        "<p>Hello,</p><p>From: 1 December, invoices go to \
         <a href=\"mailto:billing@stavby-novak.example\">billing@stavby-novak.example</a></p>",
    );
    assert_eq!(original_sender(&ordinary, None), None);
}

#[test]
fn html_with_named_entities_and_one_div_a_line() {
    let html = "<html><body><div>Bitte buchen.</div><div><br></div>\
                <div>-------- Weitergeleitete Nachricht --------</div>\n\
                <div>Betreff: Rechnung</div>\n<div>Datum: Mon, 16 Nov 2026</div>\n\
                <div>Von: Max M&uuml;ller &lt;max@lieferant.example&gt;</div>\n\
                <div>An: petra@buyer.example</div></body></html>";
    assert_eq!(
        original_sender(&html_body(html), None),
        sender("max@lieferant.example", "Max Müller")
    );
}

/// Each body is about 1 MB of what could make a line-by-line or tag-by-tag reader slow.
#[test]
fn hostile_bodies_of_a_megabyte_are_read_in_bounded_time() {
    const MB: usize = 1 << 20;
    let repeat = |unit: &str| unit.repeat(MB / unit.len());
    let bodies = [
        repeat("From: a@b.example\n"),
        repeat("-- Forwarded message --\n"),
        repeat("Begin forwarded message:\n\n"),
        repeat("@:<>&;"),
        repeat("a"),
        format!("{}\n", repeat("On 1/1 x@y.example wrote ")),
    ];
    let html_bodies = [
        repeat("<style></style>"),
        repeat("<div><br></div>"),
        repeat("&eacute;&#xFEFF;&nosuch;"),
        repeat("<a href=\"x\">"),
        format!("<style>{}", repeat("</styl")),
    ];
    let started = std::time::Instant::now();
    for text in bodies {
        original_sender(&plain(&text), Some("Fw: Invoice"));
    }
    for text in html_bodies {
        original_sender(&html_body(&text), Some("Fw: Invoice"));
    }
    let elapsed = started.elapsed();
    assert!(
        elapsed < std::time::Duration::from_secs(10),
        "11 bodies of 1 MB took {elapsed:?}"
    );
}

#[test]
fn only_the_first_lines_of_a_long_body_are_read() {
    let body = format!(
        "{}---------- Forwarded message ---------\nFrom: Jana <jana@stavby-novak.example>\n",
        "text\n".repeat(10_000)
    );
    assert_eq!(forwarded_sender(&body), None);
}

/// The forwards of a public corpus of real mail clients' output (Apple Mail, Gmail, HubSpot,
/// IONOS, MailMate, Missive, Outlook 2013/2019/Live/new Outlook, Thunderbird, Yahoo; about twenty
/// languages), read at test time from `shared/` beside the repository: it is not part of it.
/// Every one of its common forwards was sent by John Doe <john.doe@acme.com>.
mod corpus {
    use std::collections::HashMap;
    use std::path::{Path, PathBuf};

    use rossum_functions::email_received::model::EmailBody;
    use rossum_functions::email_received::original_sender;

    const SENDER_EMAIL: &str = "john.doe@acme.com";
    const SENDER_NAME: &str = "John Doe";
    const MIN_RATE: f64 = 0.97;

    /// One forward of the corpus: its body file and, for Outlook, the subject that goes with it.
    struct Fixture {
        body: String,
        subject: Option<String>,
    }

    impl Fixture {
        fn label(&self) -> String {
            match &self.subject {
                Some(subject) => format!("{} ({subject})", self.body),
                None => self.body.clone(),
            }
        }
    }

    fn corpus_dir() -> PathBuf {
        // functions/rossum-email-received -> the repository root -> ../shared
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/forwarded-emails")
    }

    /// The entries of `testCommon` in the corpus's `index.js`: `"body"` or `["body", "subject"]`.
    fn common_fixtures(index_js: &str) -> Vec<Fixture> {
        let start = index_js
            .find("testCommon")
            .expect("index.js has testCommon");
        let list = &index_js[start..];
        let list = &list[list.find("loopTests(").expect("testCommon calls loopTests")..];
        let list = &list[list.find('[').expect("loopTests is given a list")..];
        let mut fixtures = Vec::new();
        let mut depth = 0;
        let mut pair: Vec<String> = Vec::new();
        let mut chars = list.chars();
        while let Some(c) = chars.next() {
            match c {
                '[' => depth += 1,
                ']' => {
                    depth -= 1;
                    if depth == 0 {
                        break;
                    }
                    let mut entry = std::mem::take(&mut pair).into_iter();
                    fixtures.push(Fixture {
                        body: entry.next().expect("a pair names its body"),
                        subject: entry.next(),
                    });
                }
                '"' => {
                    let name: String = chars.by_ref().take_while(|&c| c != '"').collect();
                    if depth == 1 {
                        fixtures.push(Fixture {
                            body: name,
                            subject: None,
                        });
                    } else {
                        pair.push(name);
                    }
                }
                _ => {}
            }
        }
        fixtures
    }

    /// The plain text as HTML mail clients write it: every line a `<div>` (or followed by
    /// `<br>`), `<`, `>`, `&` and every character with an HTML5 name escaped by that name
    /// (`&eacute;`, `&uuml;`, `&Ocy;`), any other non-ASCII character as a numeric reference.
    fn as_html(text: &str, entity_names: &HashMap<char, &str>, line_breaks: bool) -> String {
        let mut html = String::from(
            "<html><head><meta charset=\"utf-8\"><style>div {margin:0}</style></head><body>\n",
        );
        for line in text.lines() {
            let mut escaped = String::new();
            for c in line.chars() {
                match (c, entity_names.get(&c)) {
                    ('\t', _) => escaped.push_str("&nbsp; "),
                    (' ' | '!' | '#'..='%' | '('..=')' | '*'..=';' | '=' | '?'..='~', _) => {
                        escaped.push(c)
                    }
                    (_, Some(name)) => escaped.push_str(&format!("&{name};")),
                    _ => escaped.push_str(&format!("&#x{:X};", u32::from(c))),
                }
            }
            match (line_breaks, escaped.is_empty()) {
                (true, _) => html.push_str(&format!("{escaped}<br>\n")),
                (false, true) => html.push_str("<div><br></div>\n"),
                (false, false) => html.push_str(&format!("<div>{escaped}</div>\n")),
            }
        }
        html.push_str("</body></html>\n");
        html
    }

    /// The shortest HTML5 name of each character that has one, lower case first (`lt`, not `LT`).
    fn entity_names() -> HashMap<char, &'static str> {
        let mut names: HashMap<char, &'static str> = HashMap::new();
        for (name, value) in html_escape::NAMED_ENTITIES.iter() {
            let mut chars = value.chars();
            let (Some(c), None) = (chars.next(), chars.next()) else {
                continue;
            };
            let name = std::str::from_utf8(name).expect("entity names are ASCII");
            let key = |name: &str| (name.len(), name.starts_with(char::is_uppercase));
            if names.get(&c).is_none_or(|known| key(name) < key(known)) {
                names.insert(c, name);
            }
        }
        names
    }

    fn found(body: &EmailBody, subject: Option<&str>) -> bool {
        original_sender(body, subject)
            .is_some_and(|sender| sender.email == SENDER_EMAIL && sender.name == SENDER_NAME)
    }

    /// `plain 149/151 (98.7%)` and the rate.
    fn rate(misses: &[String], total: usize, kind: &str) -> (String, f64) {
        let hits = total - misses.len();
        let rate = hits as f64 / total as f64;
        (
            format!("{kind} {hits}/{total} ({:.1}%)", rate * 100.0),
            rate,
        )
    }

    #[test]
    fn the_sender_of_nearly_every_forward_is_found_as_plain_text_and_as_html() {
        check_corpus(&corpus_dir());
    }

    #[test]
    fn without_the_corpus_the_check_is_skipped() {
        check_corpus(&corpus_dir().join("no-such-directory"));
    }

    /// Reads every common forward of the corpus in `dir`, prints the rates and the misses, and
    /// asserts the rates; skipped when `dir` is absent.
    fn check_corpus(dir: &Path) {
        if !dir.is_dir() {
            println!(
                "skipped: ../shared/data/forwarded-emails not found at {} (the corpus is not \
                 part of the repository)",
                dir.display()
            );
            return;
        }
        let read = |name: &str| {
            let path = dir.join("fixtures").join(format!("{name}.txt"));
            std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        };
        let index_js = std::fs::read_to_string(dir.join("index.js")).expect("index.js");
        let fixtures = common_fixtures(&index_js);
        assert!(
            fixtures.len() >= 100,
            "only {} fixtures read from index.js",
            fixtures.len()
        );
        let entity_names = entity_names();
        let (mut plain_misses, mut html_misses) = (Vec::new(), Vec::new());
        for (index, fixture) in fixtures.iter().enumerate() {
            let text = read(&fixture.body);
            let subject = fixture.subject.as_deref().map(read);
            let subject = subject.as_deref().map(str::trim);
            if !found(&super::plain(&text), subject) {
                plain_misses.push(fixture.label());
            }
            let html = super::html_body(&as_html(&text, &entity_names, index % 2 == 1));
            if !found(&html, subject) {
                html_misses.push(fixture.label());
            }
        }
        let (plain_line, plain_rate) = rate(&plain_misses, fixtures.len(), "plain");
        let (html_line, html_rate) = rate(&html_misses, fixtures.len(), "html");
        println!("forwarded senders found: {plain_line}, {html_line}");
        for miss in &plain_misses {
            println!("  missed as plain text: {miss}");
        }
        for miss in &html_misses {
            println!("  missed as HTML: {miss}");
        }
        assert!(plain_rate >= MIN_RATE, "plain text: {plain_misses:?}");
        assert!(html_rate >= MIN_RATE, "HTML: {html_misses:?}");
    }
}

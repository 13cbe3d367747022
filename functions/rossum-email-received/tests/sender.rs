//! The forwarded sender, as the common mail clients and languages write it.

use rossum_email_received::model::EmailBody;
use rossum_email_received::{OriginalSender, forwarded_sender, original_sender};

const FORWARDER_NOTE: &str = "Hi,\n\nplease book this one.\n\nPetra\n\n";

fn sender(email: &str, name: &str) -> Option<OriginalSender> {
    Some(OriginalSender {
        email: email.to_owned(),
        name: name.to_owned(),
    })
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
    let html_only = EmailBody {
        body_text_plain: None,
        body_text_html: Some(html.to_owned()),
    };
    assert_eq!(original_sender(&html_only), expected);
    let empty_plain = EmailBody {
        body_text_plain: Some("FYI".to_owned()),
        ..html_only
    };
    assert_eq!(original_sender(&empty_plain), expected);
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
    let body = EmailBody {
        body_text_plain: None,
        body_text_html: Some(html.to_owned()),
    };
    assert_eq!(
        original_sender(&body),
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
        original_sender(&body),
        sender("plain@stavby-novak.example", "")
    );
    assert_eq!(original_sender(&EmailBody::default()), None);
}

#[test]
fn windows_line_endings_are_handled() {
    let body = "FYI\r\n\r\n-----Original Message-----\r\nFrom: Jan <jan@stavby-novak.example>\r\nSent: today\r\n";
    assert_eq!(
        forwarded_sender(body),
        sender("jan@stavby-novak.example", "Jan")
    );
}

//! Every email in every language (`email_previews`), opened in headless Chromium (Debian's
//! package) at a phone's width, checked for what a person reading it would notice: nothing wider
//! than the screen, the link to follow there as a button and as text, the candidate's deadline and
//! that the day itself still counts, and no raw entities or template markers anywhere shown.
//! Needs Chromium: `scripts/test` installs it (`ensure_chromium` in scripts/lib.sh).

use std::collections::BTreeMap;

use integration_tests::chromium::Chromium;
use integration_tests::email_previews::{Kind, Preview, previews};
use invitations::domain::Language;
use serde::Deserialize;

/// A phone's screen, in CSS pixels (iPhone SE to 13 mini: the narrowest in common use).
const PHONE_WIDTH: u32 = 375;

/// What the page shows, as the browser laid it out (see `PAGE_REPORT`).
#[derive(Debug, Deserialize)]
struct Page {
    viewport_width: f64,
    scroll_width: f64,
    /// Elements reaching past the screen's edges or with content overflowing them.
    overflowing: Vec<String>,
    /// Links on screen: their `href` and the text they show, and whether they look like a
    /// button (a background of their own).
    links: Vec<Link>,
    /// The page's text as rendered (`innerText`).
    shown: String,
}

#[derive(Debug, Deserialize)]
struct Link {
    href: String,
    text: String,
    button: bool,
}

/// A script reporting a [`Page`]: every visible element of the body is measured against the
/// viewport; a link counts only if it is visible and wholly on screen.
const PAGE_REPORT: &str = r#"(() => {
  const width = document.documentElement.clientWidth;
  const visible = (el) => {
    const r = el.getBoundingClientRect();
    const style = getComputedStyle(el);
    return r.width > 0 && r.height > 0 && style.visibility !== "hidden" && style.display !== "none";
  };
  const onScreen = (el) => {
    const r = el.getBoundingClientRect();
    return r.left >= -0.5 && r.right <= width + 0.5;
  };
  const overflowing = [...document.body.querySelectorAll("*")]
    .filter((el) => visible(el)
      && (!onScreen(el) || (el.clientWidth > 0 && el.scrollWidth > el.clientWidth + 1)))
    .map((el) => `<${el.tagName.toLowerCase()}> ${Math.round(el.getBoundingClientRect().width)} px: `
      + el.innerText.trim().slice(0, 80));
  const links = [...document.querySelectorAll("a[href]")]
    .filter((a) => visible(a) && onScreen(a))
    .map((a) => {
      const background = getComputedStyle(a).backgroundColor;
      return {
        href: a.getAttribute("href"),
        text: a.innerText.trim(),
        button: background !== "rgba(0, 0, 0, 0)" && background !== "transparent",
      };
    });
  return {
    viewport_width: width,
    scroll_width: document.documentElement.scrollWidth,
    overflowing,
    links,
    shown: document.body.innerText,
  };
})()"#;

/// The words that say the deadline day itself still counts, in each language, as a candidate
/// reads them (every email to a candidate says so, the deadline day's reminder included).
fn inclusive(language: Language) -> &'static str {
    match language {
        Language::En => "until midnight",
        Language::Fi => "keskiyöhön asti",
        Language::Sv => "fram till midnatt",
    }
}

/// How the sample deadline (`email_previews::DEADLINE`, 2027-03-31) reads in each language, or,
/// in its own day's reminder, the words saying that today is that day.
fn deadline(kind: Kind, language: Language) -> &'static str {
    match (kind, language) {
        (Kind::ReminderLastDay, Language::En) => "Today is the last day to answer.",
        (Kind::ReminderLastDay, Language::Fi) => "Tänään on viimeinen päivä vastata.",
        (Kind::ReminderLastDay, Language::Sv) => "I dag är sista dagen att svara.",
        (_, Language::En) => "Wednesday 31 March 2027",
        (_, Language::Fi) => "keskiviikkona 31.3.2027",
        (_, Language::Sv) => "onsdagen den 31 mars 2027",
    }
}

/// Whatever in `shown` a reader should never see: an HTML character reference left as text
/// (`&amp;`, `&#39;`, `&#x27;`) or a template's delimiters.
fn leftovers(shown: &str) -> Vec<String> {
    let mut found: Vec<String> = ["{{", "}}", "{%", "%}", "{#", "#}"]
        .into_iter()
        .filter(|marker| shown.contains(marker))
        .map(|marker| format!("template marker {marker}"))
        .collect();
    for (at, _) in shown.match_indices('&') {
        let rest = &shown[at + 1..];
        let (prefix, body) = match rest.strip_prefix("#x").or_else(|| rest.strip_prefix("#X")) {
            Some(hex) => (2, hex),
            None => rest
                .strip_prefix('#')
                .map_or((0, rest), |decimal| (1, decimal)),
        };
        let length = body
            .find(|c: char| !c.is_ascii_alphanumeric())
            .unwrap_or(body.len());
        if length > 0 && body[length..].starts_with(';') {
            found.push(format!("entity {}", &shown[at..at + prefix + length + 2]));
        }
    }
    found
}

#[test]
fn leftovers_are_found_and_ordinary_ampersands_are_not() {
    assert_eq!(
        leftovers("Hello {{ name }}, Q&A &amp; more &#39;x&#x27; {% if %}"),
        [
            "template marker {{",
            "template marker }}",
            "template marker {%",
            "template marker %}",
            "entity &amp;",
            "entity &#39;",
            "entity &#x27;",
        ]
    );
    assert!(leftovers("Smith & Sons; R&D, a &b c;").is_empty());
}

/// Every problem a reader would notice in `preview`, laid out as `page` at phone width.
fn problems(preview: &Preview, page: &Page) -> Vec<String> {
    let mut problems = Vec::new();
    let email = &preview.email;
    if page.viewport_width > f64::from(PHONE_WIDTH) || page.scroll_width > page.viewport_width {
        problems.push(format!(
            "the page is {} px wide on a {} px screen",
            page.scroll_width, page.viewport_width
        ));
    }
    problems.extend(page.overflowing.iter().map(|el| format!("overflows: {el}")));
    let to_link: Vec<&Link> = page
        .links
        .iter()
        .filter(|l| l.href == preview.link)
        .collect();
    if !to_link
        .iter()
        .any(|l| l.button && !l.text.is_empty() && l.text != preview.link)
    {
        problems.push(format!(
            "no button to {} on screen: {:?}",
            preview.link, page.links
        ));
    }
    if !to_link.iter().any(|l| l.text == preview.link) {
        problems.push(format!("the link {} is not shown as text", preview.link));
    }
    if !email.text.contains(&preview.link) {
        problems.push("the text part lacks the link".to_owned());
    }
    if preview.kind.to_candidate() {
        for words in [
            deadline(preview.kind, preview.language),
            inclusive(preview.language),
        ] {
            for (part, text) in [("HTML as shown", &page.shown), ("text part", &email.text)] {
                if !text.contains(words) {
                    problems.push(format!("the {part} lacks {words:?}"));
                }
            }
        }
    }
    for (part, text) in [
        ("subject", &email.subject),
        ("HTML as shown", &page.shown),
        ("text part", &email.text),
    ] {
        problems.extend(leftovers(text).into_iter().map(|l| format!("{part}: {l}")));
    }
    problems
}

#[tokio::test(flavor = "multi_thread")]
async fn every_email_reads_well_on_a_phone_in_chromium() {
    let previews = previews().expect("every email renders");
    assert_eq!(previews.len(), Kind::ALL.len() * Language::ALL.len());
    let dir = std::env::temp_dir().join(format!("email-previews-check-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let chromium = Chromium::start().await.unwrap();
    let mut found = BTreeMap::new();
    for preview in &previews {
        let file = dir.join(format!("{}.html", preview.stem()));
        std::fs::write(&file, &preview.email.html).unwrap();
        chromium.open(&file, PHONE_WIDTH).await.unwrap();
        let page: Page = chromium.evaluate(PAGE_REPORT).await.unwrap();
        // The report must have measured something, or every check above passes vacuously.
        assert!(page.shown.len() > 200 && !page.links.is_empty(), "{page:?}");
        let problems = problems(preview, &page);
        if !problems.is_empty() {
            found.insert(preview.stem(), problems);
        }
    }
    chromium.close().await.unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
    assert!(found.is_empty(), "{found:#?}");
}

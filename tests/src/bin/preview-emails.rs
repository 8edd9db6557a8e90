//! Renders every email in every language (`email_previews`) into OUT_DIR as `<email>.<language>`
//! `.html` and `.txt` (the subject on its first line), and screenshots each HTML part in headless
//! Chromium at desktop width (`.desktop.png`, 800 px) and phone width (`.phone.png`, 375 px).
//! With README_DIR, also copies the English phone screenshots there as `<email>.png` (the README's
//! images). Run by `scripts/preview-emails [--readme]`.
//!
//! Usage: preview-emails OUT_DIR [README_DIR]

use std::path::PathBuf;

use integration_tests::Error;
use integration_tests::chromium::Chromium;
use integration_tests::email_previews::previews;
use invitations::domain::Language;

/// The widths screenshotted, in CSS pixels: a desktop mail client's reading pane, and a phone.
const WIDTHS: [(&str, u32); 2] = [("desktop", 800), ("phone", 375)];

#[tokio::main]
async fn main() -> Result<(), Error> {
    let mut args = std::env::args_os().skip(1).map(PathBuf::from);
    let out = args
        .next()
        .ok_or("usage: preview-emails OUT_DIR [README_DIR]")?;
    let readme = args.next();
    std::fs::create_dir_all(&out)?;
    let previews = previews()?;
    let chromium = Chromium::start().await?;
    for preview in &previews {
        let stem = preview.stem();
        let html = out.join(format!("{stem}.html"));
        std::fs::write(&html, &preview.email.html)?;
        let text = format!(
            "Subject: {}\n\n{}",
            preview.email.subject, preview.email.text
        );
        std::fs::write(out.join(format!("{stem}.txt")), text)?;
        for (name, width) in WIDTHS {
            chromium.open(&html, width).await?;
            let png = chromium.screenshot(width).await?;
            std::fs::write(out.join(format!("{stem}.{name}.png")), &png)?;
            if let Some(readme) = readme
                .as_ref()
                .filter(|_| name == "phone" && preview.language == Language::En)
            {
                std::fs::create_dir_all(readme)?;
                std::fs::write(readme.join(format!("{}.png", preview.kind.name())), &png)?;
            }
        }
    }
    chromium.close().await?;
    println!(
        "{} emails ({} kinds × {} languages) rendered and screenshotted into {}",
        previews.len(),
        integration_tests::email_previews::Kind::ALL.len(),
        Language::ALL.len(),
        out.display()
    );
    Ok(())
}

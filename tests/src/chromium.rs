//! Debian's Chromium, headless, driven over the DevTools protocol (chromiumoxide, without its
//! browser-fetching feature: nothing is downloaded): one browser and one page for a whole run, a
//! file opened at an exact viewport width, read back with a script, or photographed whole.
//! `scripts/test` and `scripts/preview-emails` install the package (`ensure_chromium` in scripts/lib.sh).

use std::path::{Path, PathBuf};

use chromiumoxide::cdp::browser_protocol::emulation::SetDeviceMetricsOverrideParams;
use chromiumoxide::cdp::browser_protocol::page::CaptureScreenshotFormat;
use chromiumoxide::page::ScreenshotParams;
use chromiumoxide::{Browser, BrowserConfig, Page};
use futures_util::StreamExt;
use serde::de::DeserializeOwned;
use tokio::task::JoinHandle;

use crate::Error;

/// Where Debian's package puts the browser; `CHROMIUM` overrides it.
const DEFAULT_PATH: &str = "/usr/bin/chromium";

/// The flags this closed network needs (docs on the machines: without the background-networking
/// ones, Chromium keeps calling Google's hosts and having its connections refused), on top of
/// chromiumoxide's own (headless with scrollbars that take no room, as on phones; no sandbox).
const FLAGS: [&str; 6] = [
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
];

/// A page height for laying out before the page's own height is known, in CSS pixels.
const FIRST_HEIGHT: u32 = 800;

/// A running headless Chromium with one page and a fresh profile; [`Chromium::close`] ends it.
pub struct Chromium {
    browser: Browser,
    handler: JoinHandle<()>,
    page: Page,
    profile: PathBuf,
}

impl Chromium {
    /// Starts the browser at `CHROMIUM` or /usr/bin/chromium, with a new empty profile. Errors
    /// when it is not installed (saying how to install it) or does not start.
    pub async fn start() -> Result<Self, Error> {
        let path =
            std::env::var_os("CHROMIUM").map_or_else(|| PathBuf::from(DEFAULT_PATH), PathBuf::from);
        if !path.is_file() {
            return Err(format!(
                "no Chromium at {}: scripts/test installs it (apt-get install chromium), \
                 or set CHROMIUM to another Chromium",
                path.display()
            )
            .into());
        }
        let profile = std::env::temp_dir().join(format!(
            "chromium-profile-{}-{}",
            std::process::id(),
            ulid::Ulid::new()
        ));
        let config = BrowserConfig::builder()
            .chrome_executable(path)
            .no_sandbox()
            .user_data_dir(&profile)
            .args(FLAGS)
            // Each page's viewport is set by `open`.
            .viewport(None)
            .build()?;
        let (browser, mut events) = Browser::launch(config).await?;
        // The connection makes progress only while its events are read.
        let handler = tokio::spawn(async move { while events.next().await.is_some() {} });
        let page = browser.new_page("about:blank").await?;
        Ok(Self {
            browser,
            handler,
            page,
            profile,
        })
    }

    /// Opens `file` with a viewport `width` CSS pixels wide (a scale of one, as a desktop
    /// browser: no zooming out to fit), once it has loaded.
    pub async fn open(&self, file: &Path, width: u32) -> Result<(), Error> {
        self.set_viewport(width, FIRST_HEIGHT).await?;
        let url = url::Url::from_file_path(std::path::absolute(file)?)
            .map_err(|()| format!("{} cannot be a file URL", file.display()))?;
        self.page.goto(url.as_str()).await?;
        Ok(())
    }

    /// The value of `expression` (a script that evaluates to something JSON can carry), read
    /// into `T`.
    pub async fn evaluate<T: DeserializeOwned>(&self, expression: &str) -> Result<T, Error> {
        let json: String = self
            .page
            .evaluate(format!("JSON.stringify({expression})"))
            .await?
            .into_value()?;
        Ok(serde_json::from_str(&json)?)
    }

    /// A PNG of the whole page open at `width`: the viewport is grown to the page's height first.
    pub async fn screenshot(&self, width: u32) -> Result<Vec<u8>, Error> {
        let height: u32 = self
            .evaluate("Math.ceil(document.documentElement.scrollHeight)")
            .await?;
        self.set_viewport(width, height).await?;
        let png = self
            .page
            .screenshot(
                ScreenshotParams::builder()
                    .format(CaptureScreenshotFormat::Png)
                    .build(),
            )
            .await?;
        Ok(png)
    }

    /// Ends the browser and removes its profile.
    pub async fn close(mut self) -> Result<(), Error> {
        self.browser.close().await?;
        self.browser.wait().await?;
        self.handler.abort();
        std::fs::remove_dir_all(&self.profile)?;
        Ok(())
    }

    async fn set_viewport(&self, width: u32, height: u32) -> Result<(), Error> {
        self.page
            .execute(SetDeviceMetricsOverrideParams::new(
                width, height, 1.0, false,
            ))
            .await?;
        Ok(())
    }
}

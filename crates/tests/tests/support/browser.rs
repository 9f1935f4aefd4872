//! Browser-test plumbing: the demo server, ChromeDriver, headless Chromium, and page objects for
//! the Desk host page and the widget inside its iframe.
//!
//! - [`start_demo_server`]: the one place the server under test is started: the real
//!   `sfdesk demo`, in process.
//! - [`ChromeDriver`]: a `chromedriver` child on a free port, killed on drop.
//! - [`Browser`]: a headless Chromium WebDriver session with a fresh profile.
//! - [`DeskHostPage`]: what an agent sees and does on the Desk-like page and in the widget.
//! - [`WidgetPage`]: a widget page opened on its own, outside any host.

use std::net::{Ipv4Addr, SocketAddr, TcpListener as StdListener};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};
use fantoccini::{Client, ClientBuilder, Locator};
use sfdesk_server::demo::RunningDemo;

/// How long any one wait in these tests may take.
pub(crate) const WAIT: Duration = Duration::from_secs(20);

/// The workspace root (`crates/tests/../..`).
pub(crate) fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The real `sfdesk demo` server, in process; stops when dropped.
pub(crate) struct DemoServer {
    /// `http://127.0.0.1:<port>`.
    pub(crate) base_url: String,
    _running: RunningDemo,
}

/// Starts `sfdesk demo` on a free port, in process, and checks that the widget was built.
pub(crate) async fn start_demo_server() -> anyhow::Result<DemoServer> {
    let running = sfdesk_server::demo::start(0).await?;
    let base_url = running.url.as_str().trim_end_matches('/').to_owned();
    let page = reqwest::get(format!("{base_url}/widget/ticket")).await?;
    if !page.status().is_success() {
        bail!(
            "GET /widget/ticket answered {}: build the widget first (`trunk build --release` at \
             the workspace root)",
            page.status()
        );
    }
    Ok(DemoServer {
        base_url,
        _running: running,
    })
}

/// A `chromedriver` process on a free local port; killed when dropped.
pub(crate) struct ChromeDriver {
    child: Child,
    /// `http://127.0.0.1:<port>`.
    pub(crate) url: String,
}

impl ChromeDriver {
    /// Starts `chromedriver` (from `$CHROMEDRIVER` or `PATH`) and waits until it accepts
    /// connections.
    pub(crate) async fn start() -> anyhow::Result<Self> {
        let port = StdListener::bind((Ipv4Addr::LOCALHOST, 0))?
            .local_addr()?
            .port();
        let program = std::env::var("CHROMEDRIVER").unwrap_or_else(|_| "chromedriver".into());
        let child = Command::new(&program)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .with_context(|| format!("starting {program} (install chromium-driver)"))?;
        let driver = Self {
            child,
            url: format!("http://127.0.0.1:{port}"),
        };
        let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
        let deadline = Instant::now() + WAIT;
        while tokio::net::TcpStream::connect(addr).await.is_err() {
            if Instant::now() > deadline {
                bail!("chromedriver did not listen on {addr} within {WAIT:?}");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        Ok(driver)
    }
}

impl Drop for ChromeDriver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A headless Chromium session with its own throwaway profile.
pub(crate) struct Browser {
    /// The WebDriver client.
    pub(crate) client: Client,
    _profile: tempfile::TempDir,
}

impl Browser {
    /// Opens a session on `driver` with the flags the CI machines need.
    pub(crate) async fn open(driver: &ChromeDriver) -> anyhow::Result<Self> {
        let profile = tempfile::tempdir()?;
        let binary = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
        let args = [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--no-first-run",
            "--disable-sync",
            "--disable-quic",
            "--window-size=1400,900",
            &format!("--user-data-dir={}", profile.path().display()),
        ];
        let mut caps = serde_json::Map::new();
        caps.insert(
            "goog:chromeOptions".into(),
            serde_json::json!({ "binary": binary, "args": args }),
        );
        let client = ClientBuilder::rustls()?
            .capabilities(caps)
            .connect(&driver.url)
            .await
            .context("opening a Chromium session")?;
        Ok(Self {
            client,
            _profile: profile,
        })
    }

    /// Saves a PNG of the whole viewport under `<workspace>/target/screenshots/<name>.png`.
    pub(crate) async fn screenshot(&self, name: &str) -> anyhow::Result<PathBuf> {
        let dir = workspace_root().join("target/screenshots");
        std::fs::create_dir_all(&dir)?;
        let path = dir.join(format!("{name}.png"));
        std::fs::write(&path, self.client.screenshot().await?)?;
        Ok(path)
    }

    /// Ends the session (the profile directory goes with `self`).
    pub(crate) async fn close(self) -> anyhow::Result<()> {
        self.client.close().await?;
        Ok(())
    }
}

/// The Desk-like host page (`/`) and the sfdesk widget in its right panel.
pub(crate) struct DeskHostPage<'a> {
    client: &'a Client,
}

impl<'a> DeskHostPage<'a> {
    /// Opens the host page and waits for it to render.
    pub(crate) async fn open(client: &'a Client, base_url: &str) -> anyhow::Result<Self> {
        client.goto(&format!("{base_url}/")).await?;
        client
            .wait()
            .at_most(WAIT)
            .for_element(Locator::Css("[data-testid=desk-host]"))
            .await?;
        Ok(Self { client })
    }

    /// The ticket number the host shows, e.g. `#101`.
    pub(crate) async fn ticket_number(&self) -> anyhow::Result<String> {
        self.wait_for_text("[data-testid=desk-ticket-number]", |t| t != "#…")
            .await
    }

    /// Presses the host's "Next ticket" button (the widget gets a `ticket_Shift` event).
    pub(crate) async fn next_ticket(&self) -> anyhow::Result<()> {
        self.client
            .find(Locator::Css("[data-testid=desk-next-ticket]"))
            .await?
            .click()
            .await?;
        Ok(())
    }

    /// Switches WebDriver into the widget's iframe; [`Self::leave_widget`] switches back.
    pub(crate) async fn enter_widget(&self) -> anyhow::Result<()> {
        self.client
            .wait()
            .at_most(WAIT)
            .for_element(Locator::Css("[data-testid=sfdesk-frame]"))
            .await?
            .enter_frame()
            .await?;
        Ok(())
    }

    /// Switches WebDriver back to the host page.
    pub(crate) async fn leave_widget(&self) -> anyhow::Result<()> {
        self.client.enter_parent_frame().await?;
        Ok(())
    }

    /// Waits (inside the widget) until its context line satisfies `ready`; returns the text.
    /// Fails early with the widget's own message when it shows its error state.
    pub(crate) async fn widget_context(
        &self,
        ready: impl Fn(&str) -> bool,
    ) -> anyhow::Result<String> {
        let deadline = Instant::now() + WAIT;
        let mut last = String::new();
        loop {
            if let Ok(el) = self
                .client
                .find(Locator::Css("[data-testid=sfdesk-context]"))
                .await
            {
                last = el.text().await.unwrap_or_default();
                if ready(&last) {
                    return Ok(last);
                }
            } else if let Ok(error) = self
                .client
                .find(Locator::Css("[data-testid=sfdesk-error]"))
                .await
            {
                bail!("the widget shows its error state: {}", error.text().await?);
            }
            if Instant::now() > deadline {
                bail!("widget context not ready within {WAIT:?}; last text: {last:?}");
            }
            tokio::time::sleep(Duration::from_millis(150)).await;
        }
    }

    /// The text of a widget element, e.g. `[data-testid=sfdesk-not-connected]`.
    pub(crate) async fn widget_text(&self, css: &str) -> anyhow::Result<String> {
        Ok(self.client.find(Locator::Css(css)).await?.text().await?)
    }

    async fn wait_for_text(
        &self,
        css: &str,
        ready: impl Fn(&str) -> bool,
    ) -> anyhow::Result<String> {
        let deadline = Instant::now() + WAIT;
        loop {
            if let Ok(el) = self.client.find(Locator::Css(css)).await {
                let text = el.text().await.unwrap_or_default();
                if ready(&text) {
                    return Ok(text);
                }
            }
            if Instant::now() > deadline {
                bail!("{css} not ready within {WAIT:?}");
            }
            tokio::time::sleep(Duration::from_millis(150)).await;
        }
    }
}

/// A widget page (`/widget/<page>`) opened directly in the top-level window.
pub(crate) struct WidgetPage<'a> {
    client: &'a Client,
}

impl<'a> WidgetPage<'a> {
    /// Opens `/widget/<page>` and waits for the panel to mount.
    pub(crate) async fn open(
        client: &'a Client,
        base_url: &str,
        page: &str,
    ) -> anyhow::Result<Self> {
        client.goto(&format!("{base_url}/widget/{page}")).await?;
        client
            .wait()
            .at_most(WAIT)
            .for_element(Locator::Css("[data-testid=sfdesk-widget]"))
            .await?;
        Ok(Self { client })
    }

    /// Waits for the error state and returns its text.
    pub(crate) async fn error_text(&self) -> anyhow::Result<String> {
        let error = self
            .client
            .wait()
            .at_most(WAIT)
            .for_element(Locator::Css("[data-testid=sfdesk-error]"))
            .await?;
        Ok(error.text().await?)
    }

    /// Presses "Try again".
    pub(crate) async fn retry(&self) -> anyhow::Result<()> {
        self.client
            .find(Locator::Css("[data-testid=sfdesk-retry]"))
            .await?
            .click()
            .await?;
        Ok(())
    }
}

//! Browser-test plumbing: the demo server, ChromeDriver, headless Chromium, and page objects for
//! the Desk host page and the widget inside its iframe.
//!
//! - [`start_demo_server`]: the one place the server under test is started: the real
//!   `sfdesk demo`, in process; [`DemoServer::demo`] gives its seeded ids and simulators.
//! - [`ChromeDriver`]: a `chromedriver` child on a free port, killed on drop.
//! - [`Browser`]: a headless Chromium WebDriver session with a fresh profile.
//! - [`E2e`]: all three for one scenario, and the screenshot at its end.
//! - [`DeskHostPage`]: what an agent sees and does on the Desk-like page and in the widget:
//!   pick a ticket, an agent, a language; sign in through the popup; read the panel.
//! - [`PanelState`] and [`Card`]: what the widget shows, read in one go from its `data-testid`s.
//! - [`WidgetPage`]: a widget page opened on its own, outside any host.
//!
//! Every wait polls a condition until [`WAIT`] runs out and then fails with what it last saw;
//! when the widget shows an error (SDK, API or sign-in) the wait fails at once with its text.

use std::fmt;
use std::net::{Ipv4Addr, SocketAddr, TcpListener as StdListener};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::Value;
use sfdesk_server::demo::RunningDemo;

/// How long any one wait in these tests may take.
pub(crate) const WAIT: Duration = Duration::from_secs(20);

/// How often a wait looks again.
const POLL: Duration = Duration::from_millis(100);

/// The workspace root (`crates/tests/../..`).
pub(crate) fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// A deadline for one wait: [`Deadline::tick`] sleeps a little, or fails once [`WAIT`] has
/// passed, naming what was awaited and what was last seen.
struct Deadline {
    what: String,
    until: Instant,
}

impl Deadline {
    fn new(what: impl Into<String>) -> Self {
        Self {
            what: what.into(),
            until: Instant::now() + WAIT,
        }
    }

    async fn tick(&self, last: impl fmt::Debug) -> anyhow::Result<()> {
        if Instant::now() > self.until {
            bail!("{} not within {WAIT:?}; last seen: {last:?}", self.what);
        }
        tokio::time::sleep(POLL).await;
        Ok(())
    }
}

/// The real `sfdesk demo` server, in process; stops when dropped.
pub(crate) struct DemoServer {
    /// `http://127.0.0.1:<port>`.
    pub(crate) base_url: String,
    /// The running demo: agents, tickets, the showcase's Salesforce ids, both simulators.
    pub(crate) demo: RunningDemo,
}

/// Starts `sfdesk demo` on a free port, in process, and checks that the widget was built.
pub(crate) async fn start_demo_server() -> anyhow::Result<DemoServer> {
    let demo = sfdesk_server::demo::start(0).await?;
    let base_url = demo.url.as_str().trim_end_matches('/').to_owned();
    let page = reqwest::get(format!("{base_url}/widget/ticket")).await?;
    if !page.status().is_success() {
        bail!(
            "GET /widget/ticket answered {}: build the widget first (`trunk build --release` at \
             the workspace root)",
            page.status()
        );
    }
    Ok(DemoServer { base_url, demo })
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
        let deadline = Deadline::new(format!("chromedriver listening on {addr}"));
        while tokio::net::TcpStream::connect(addr).await.is_err() {
            deadline.tick("connection refused").await?;
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
    /// Opens a session on `driver` with the flags the CI machines need. ChromeDriver itself
    /// turns off popup blocking, so the widget's sign-in popup opens on a WebDriver click.
    pub(crate) async fn open(driver: &ChromeDriver) -> anyhow::Result<Self> {
        let profile = tempfile::tempdir()?;
        let binary = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
        let args = [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
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
    /// Works from inside the widget's frame too (WebDriver captures the top-level page).
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

/// One scenario's setup: the demo, ChromeDriver and a fresh Chromium session.
pub(crate) struct E2e {
    /// The demo under test.
    pub(crate) server: DemoServer,
    /// The browser (dropped after the driver is told to close it).
    pub(crate) browser: Browser,
    _driver: ChromeDriver,
}

impl E2e {
    /// Starts the demo, ChromeDriver and a browser.
    pub(crate) async fn start() -> anyhow::Result<Self> {
        let server = start_demo_server().await?;
        let driver = ChromeDriver::start().await?;
        let browser = Browser::open(&driver).await?;
        Ok(Self {
            server,
            browser,
            _driver: driver,
        })
    }

    /// Whatever `result` is, saves the screenshot `shot` (a picture of what happened, also on
    /// failure), closes the browser, then returns `result`.
    pub(crate) async fn finish(self, shot: &str, result: anyhow::Result<()>) -> anyhow::Result<()> {
        let saved = self.browser.screenshot(shot).await;
        self.browser.close().await?;
        result?;
        println!("screenshot: {}", saved?.display());
        Ok(())
    }
}

/// What the widget's panel shows right now, from its `data-testid`s.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum PanelState {
    /// No `sfdesk-panel` (the page is loading or reloading).
    Absent,
    /// The first-load skeleton, or a reload in progress (`aria-busy`).
    Loading,
    /// The sign-in state (`sign-in-state`).
    SignIn,
    /// A found profile (contact or account card).
    Profile,
    /// No matching Salesforce record (`profile-empty`).
    Empty,
    /// The role sees nothing (`profile-hidden`).
    Hidden,
    /// No Salesforce org connected (`sfdesk-not-connected`).
    NotConnected,
    /// An error: `sfdesk-error`, `profile-error` or `sign-in-error`, with its text.
    Error(String),
    /// The context card only, or something these tests do not know.
    Other,
}

impl PanelState {
    /// Whether the panel has settled on an answer (anything but absent or loading).
    pub(crate) fn settled(&self) -> bool {
        !matches!(self, Self::Absent | Self::Loading | Self::Other)
    }
}

/// Reads [`PanelState`] inside the widget's document.
const PANEL_STATE_JS: &str = r#"
const q = (id) => document.querySelector(`[data-testid="${id}"]`);
const panel = q("sfdesk-panel");
if (!panel) return { state: "absent" };
for (const id of ["sfdesk-error", "profile-error", "sign-in-error"]) {
  const el = q(id);
  if (el) return { state: "error", text: `${id}: ${el.textContent.trim()}` };
}
if (q("profile-loading") || panel.getAttribute("aria-busy") === "true") return { state: "loading" };
if (q("sign-in-state")) return { state: "sign-in" };
if (q("profile-hidden")) return { state: "hidden" };
if (q("profile-empty")) return { state: "empty" };
if (q("contact-card") || q("account-card")) return { state: "profile" };
if (q("sfdesk-not-connected")) return { state: "not-connected" };
return { state: "other" };
"#;

/// One card of a found profile as rendered: `contact-card`, `account-card` or `section-*`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Card {
    /// Its `data-testid`.
    pub(crate) testid: String,
    /// The heading without the count and the Limited label.
    pub(crate) heading: String,
    /// The `section-count` text, e.g. `(3)`; `None` on the contact and account cards.
    pub(crate) count: Option<String>,
    /// Whether it carries the `level-limited` label.
    pub(crate) limited: bool,
    /// Its records, in display order.
    pub(crate) items: Vec<Item>,
}

/// One record of a [`Card`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Item {
    /// Name, title or subject (without the badge).
    pub(crate) title: String,
    /// The marker after the title (`Lightning`, `Classic`).
    pub(crate) badge: Option<String>,
    /// The `account-highlight` text (label and value).
    pub(crate) highlight: Option<String>,
    /// `field-<name>` → shown value, in display order.
    pub(crate) fields: Vec<(String, String)>,
    /// The `record-link` href.
    pub(crate) link: Option<String>,
}

impl Card {
    /// The `section-count` number (`(3)` → 3).
    pub(crate) fn count(&self) -> Option<usize> {
        self.count
            .as_deref()?
            .trim_matches(|c| c == '(' || c == ')')
            .parse()
            .ok()
    }
}

impl Item {
    /// The value of `field-<name>`, when shown.
    pub(crate) fn field(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// The names of the shown fields.
    pub(crate) fn field_names(&self) -> Vec<&str> {
        self.fields.iter().map(|(n, _)| n.as_str()).collect()
    }
}

/// Reads every profile card inside the widget's document, in order.
const CARDS_JS: &str = r#"
const text = (el) => (el ? el.textContent.trim() : null);
const without = (el, selector) => {
  if (!el) return null;
  const copy = el.cloneNode(true);
  copy.querySelectorAll(selector).forEach((n) => n.remove());
  return copy.textContent.trim();
};
const cards = document.querySelectorAll(
  '[data-testid="contact-card"], [data-testid="account-card"], section[data-testid^="section-"]'
);
return Array.from(cards).map((card) => ({
  testid: card.dataset.testid,
  heading: without(card.querySelector("h2"), "span"),
  count: text(card.querySelector('[data-testid="section-count"]')),
  limited: card.querySelector('[data-testid="level-limited"]') !== null,
  items: Array.from(card.querySelectorAll("li.sfd-item")).map((li) => {
    const link = li.querySelector('[data-testid="record-link"]');
    return {
      title: without(li.querySelector("h3"), ".sfd-tag"),
      badge: text(li.querySelector("h3 .sfd-tag")),
      highlight: text(li.querySelector('[data-testid="account-highlight"]')),
      fields: Array.from(li.querySelectorAll('[data-testid^="field-"]')).map((f) => [
        f.dataset.testid.slice("field-".length),
        text(f.querySelector("dd")),
      ]),
      link: link ? link.getAttribute("href") : null,
    };
  }),
}));
"#;

fn string(value: &Value, key: &str) -> anyhow::Result<String> {
    value[key]
        .as_str()
        .map(str::to_owned)
        .with_context(|| format!("{key} missing in {value}"))
}

fn optional(value: &Value, key: &str) -> Option<String> {
    value[key].as_str().map(str::to_owned)
}

fn parse_cards(value: &Value) -> anyhow::Result<Vec<Card>> {
    let cards = value
        .as_array()
        .context("the cards script returns a list")?;
    cards
        .iter()
        .map(|card| {
            let items = card["items"]
                .as_array()
                .context("items")?
                .iter()
                .map(|item| {
                    let fields = item["fields"]
                        .as_array()
                        .context("fields")?
                        .iter()
                        .map(|pair| {
                            Ok((
                                pair[0].as_str().context("field name")?.to_owned(),
                                pair[1].as_str().unwrap_or_default().to_owned(),
                            ))
                        })
                        .collect::<anyhow::Result<_>>()?;
                    Ok(Item {
                        title: string(item, "title")?,
                        badge: optional(item, "badge"),
                        highlight: optional(item, "highlight"),
                        fields,
                        link: optional(item, "link"),
                    })
                })
                .collect::<anyhow::Result<_>>()?;
            Ok(Card {
                testid: string(card, "testid")?,
                heading: string(card, "heading")?,
                count: optional(card, "count"),
                limited: card["limited"].as_bool().unwrap_or(false),
                items,
            })
        })
        .collect()
}

/// The rendered text of the first element matching `css` in the current document, read in one
/// script call (a re-render between finding and reading cannot leave a stale element); `None`
/// when there is none.
async fn text_of(client: &Client, css: &str) -> anyhow::Result<Option<String>> {
    let text = client
        .execute(
            "const el = document.querySelector(arguments[0]); \
             return el ? el.innerText.trim() : null;",
            vec![Value::String(css.to_owned())],
        )
        .await?;
    Ok(text.as_str().map(str::to_owned))
}

/// The Desk-like host page (`/`) and the sfdesk widget in its right panel.
pub(crate) struct DeskHostPage<'a> {
    client: &'a Client,
}

impl<'a> DeskHostPage<'a> {
    /// Opens the host page and waits for it to render.
    pub(crate) async fn open(client: &'a Client, base_url: &str) -> anyhow::Result<Self> {
        Self::open_with(client, base_url, "").await
    }

    /// Opens the host page with a query (`ticket=102&locale=zh_CN`, see `host.js`) and waits
    /// for it to render.
    pub(crate) async fn open_with(
        client: &'a Client,
        base_url: &str,
        query: &str,
    ) -> anyhow::Result<Self> {
        let query = if query.is_empty() {
            String::new()
        } else {
            format!("?{query}")
        };
        client.goto(&format!("{base_url}/{query}")).await?;
        client
            .wait()
            .at_most(WAIT)
            .for_element(Locator::Css("[data-testid=desk-host]"))
            .await?;
        let page = Self { client };
        // The switchers are filled once /demo/context.json has arrived.
        page.wait_for_text("[data-testid=desk-ticket-number]", |t| t != "#…")
            .await?;
        Ok(page)
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

    /// Clicks ticket `number` (`101`) in the host's ticket list (in the ticket view the widget
    /// gets a `ticket_Shift` event).
    pub(crate) async fn select_ticket(&self, number: &str) -> anyhow::Result<()> {
        self.client
            .find(Locator::Css(&format!("[data-testid=desk-ticket-{number}]")))
            .await
            .with_context(|| format!("no ticket #{number} in the host's list"))?
            .click()
            .await?;
        Ok(())
    }

    /// The agent selected in the host's switcher (its email).
    pub(crate) async fn agent(&self) -> anyhow::Result<String> {
        let switcher = self
            .client
            .find(Locator::Css("[data-testid=agent-switcher]"))
            .await?;
        Ok(switcher.prop("value").await?.unwrap_or_default())
    }

    /// Signs in to Desk as another agent with the host's switcher (value = the agent's email).
    /// The host reloads the widget; this returns once the reloaded widget has mounted, still
    /// in the host page.
    pub(crate) async fn switch_agent(&self, email: &str) -> anyhow::Result<()> {
        self.reloading_widget(|| async {
            self.client
                .find(Locator::Css("[data-testid=agent-switcher]"))
                .await?
                .select_by_value(email)
                .await
                .with_context(|| format!("selecting agent {email}"))?;
            Ok(())
        })
        .await
    }

    /// Switches Desk's language with the host's switcher (`en`, `zh_CN`); like
    /// [`Self::switch_agent`], waits for the reloaded widget.
    pub(crate) async fn switch_locale(&self, locale: &str) -> anyhow::Result<()> {
        self.reloading_widget(|| async {
            self.client
                .find(Locator::Css("[data-testid=locale-switcher]"))
                .await?
                .select_by_value(locale)
                .await
                .with_context(|| format!("selecting locale {locale}"))?;
            Ok(())
        })
        .await
    }

    /// Marks the widget's current document, runs `change` in the host page, and waits until
    /// the widget shows a fresh (unmarked) document with its panel mounted.
    async fn reloading_widget<F, Fut>(&self, change: F) -> anyhow::Result<()>
    where
        F: FnOnce() -> Fut,
        Fut: std::future::Future<Output = anyhow::Result<()>>,
    {
        self.enter_widget().await?;
        self.client
            .execute("document.documentElement.dataset.e2eOld = '1';", vec![])
            .await?;
        self.leave_widget().await?;
        change().await?;
        self.enter_widget().await?;
        let deadline = Deadline::new("the widget reloading");
        loop {
            let fresh = self
                .client
                .execute(
                    "return document.documentElement.dataset.e2eOld === undefined && \
                     document.querySelector('[data-testid=sfdesk-panel]') !== null;",
                    vec![],
                )
                .await;
            match fresh {
                Ok(Value::Bool(true)) => break,
                Ok(other) => deadline.tick(other).await?,
                // Mid-navigation the frame may not answer; look again.
                Err(e) => deadline.tick(e.to_string()).await?,
            }
        }
        self.leave_widget().await
    }

    /// Makes the browser window tall enough that the widget's whole panel is on screen (for
    /// screenshots of long profiles); ends in the host page, outside the widget.
    pub(crate) async fn fit_window_to_widget(&self) -> anyhow::Result<()> {
        self.enter_widget().await?;
        let content = self
            .client
            .execute("return document.documentElement.scrollHeight;", vec![])
            .await?
            .as_f64()
            .context("the widget's height")?;
        self.leave_widget().await?;
        let frame = self
            .client
            .execute(
                "const f = document.querySelector('[data-testid=sfdesk-frame]');\n\
                 return [f.getBoundingClientRect().top, f.clientHeight, window.innerHeight];",
                vec![],
            )
            .await?;
        let number = |i: usize| frame[i].as_f64().unwrap_or_default();
        let (top, shown, viewport) = (number(0), number(1), number(2));
        let (width, height) = self.client.get_window_size().await?;
        if content > shown {
            // What the window adds around the viewport stays; the frame grows by the rest.
            let chrome = height as f64 - viewport;
            let wanted = (top + content + chrome + 16.0).min(6000.0);
            let width = u32::try_from(width).unwrap_or(1400);
            self.client.set_window_size(width, wanted as u32).await?;
        }
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

    async fn text_of(&self, css: &str) -> anyhow::Result<Option<String>> {
        text_of(self.client, css).await
    }

    /// Waits (inside the widget) until its context line satisfies `ready`; returns the text.
    /// Fails early with the widget's own message when it shows its error state.
    pub(crate) async fn widget_context(
        &self,
        ready: impl Fn(&str) -> bool,
    ) -> anyhow::Result<String> {
        let deadline = Deadline::new("the widget's context line");
        loop {
            let last = self
                .text_of("[data-testid=sfdesk-context]")
                .await
                .ok()
                .flatten()
                .unwrap_or_default();
            if ready(&last) {
                return Ok(last);
            }
            if let PanelState::Error(error) = self.panel_state().await? {
                bail!("the widget shows its error state: {error}");
            }
            deadline.tick(last).await?;
        }
    }

    /// The text of a widget element, e.g. `[data-testid=sfdesk-subject]`.
    pub(crate) async fn widget_text(&self, css: &str) -> anyhow::Result<String> {
        self.text_of(css)
            .await?
            .with_context(|| format!("no {css} in the widget"))
    }

    /// Whether the widget has an element with this `data-testid`.
    pub(crate) async fn widget_has(&self, testid: &str) -> anyhow::Result<bool> {
        Ok(!self
            .client
            .find_all(Locator::Css(&format!("[data-testid=\"{testid}\"]")))
            .await?
            .is_empty())
    }

    /// What the panel shows now (inside the widget).
    pub(crate) async fn panel_state(&self) -> anyhow::Result<PanelState> {
        let state = self.client.execute(PANEL_STATE_JS, vec![]).await?;
        Ok(match state["state"].as_str().unwrap_or_default() {
            "absent" => PanelState::Absent,
            "loading" => PanelState::Loading,
            "sign-in" => PanelState::SignIn,
            "profile" => PanelState::Profile,
            "empty" => PanelState::Empty,
            "hidden" => PanelState::Hidden,
            "not-connected" => PanelState::NotConnected,
            "error" => PanelState::Error(state["text"].as_str().unwrap_or_default().to_owned()),
            _ => PanelState::Other,
        })
    }

    /// Waits (inside the widget) until the panel settles; fails at once on an error state.
    pub(crate) async fn settled_panel(&self) -> anyhow::Result<PanelState> {
        let deadline = Deadline::new("the widget settling");
        loop {
            // Mid-reload the document may not answer; that is "not yet".
            let state = self.panel_state().await.unwrap_or(PanelState::Absent);
            if let PanelState::Error(error) = &state {
                bail!("the widget shows an error: {error}");
            }
            if state.settled() {
                return Ok(state);
            }
            deadline.tick(state).await?;
        }
    }

    /// Waits (inside the widget) until the panel shows `want`; fails at once on an error
    /// state.
    pub(crate) async fn wait_for_panel(&self, want: &PanelState) -> anyhow::Result<()> {
        let deadline = Deadline::new(format!("the widget showing {want:?}"));
        loop {
            let state = self.panel_state().await.unwrap_or(PanelState::Absent);
            if let PanelState::Error(error) = &state {
                bail!("waiting for {want:?}, the widget shows an error: {error}");
            }
            if state == *want {
                return Ok(());
            }
            deadline.tick(state).await?;
        }
    }

    /// Inside the widget: waits for the sign-in state, presses "Sign in with Zoho Desk" (the
    /// Desk simulator approves the hinted agent; the popup posts the session and closes
    /// itself), and waits for the panel's next answer. Fails with the popup's text when the
    /// popup stays open on an error page.
    pub(crate) async fn sign_in(&self) -> anyhow::Result<PanelState> {
        let state = self.settled_panel().await?;
        if state != PanelState::SignIn {
            bail!("expected the sign-in state, the widget shows {state:?}");
        }
        self.client
            .find(Locator::Css("[data-testid=sign-in]"))
            .await?
            .click()
            .await?;
        let deadline = Deadline::new("the profile after signing in");
        loop {
            let state = self.panel_state().await.unwrap_or(PanelState::Absent);
            if let PanelState::Error(error) = &state {
                bail!("signing in failed: {error}");
            }
            if state.settled() && state != PanelState::SignIn {
                return Ok(state);
            }
            if Instant::now() > deadline.until {
                let popup = self.popup_text().await.unwrap_or_else(|e| e.to_string());
                bail!(
                    "no profile within {WAIT:?} of pressing sign-in; the widget shows \
                     {state:?}; popup: {popup}"
                );
            }
            deadline.tick(&state).await?;
        }
    }

    /// The text of a still-open popup window (for failure messages), or `no popup open`.
    /// Switches back to the host page's window, outside the widget.
    async fn popup_text(&self) -> anyhow::Result<String> {
        let main = self.client.window().await?;
        let popups: Vec<_> = self
            .client
            .windows()
            .await?
            .into_iter()
            .filter(|w| *w != main)
            .collect();
        let Some(popup) = popups.into_iter().next() else {
            return Ok("no popup open".to_owned());
        };
        self.client.switch_to_window(popup).await?;
        let url = self.client.current_url().await?;
        let text = self.client.find(Locator::Css("body")).await?.text().await?;
        self.client.switch_to_window(main).await?;
        Ok(format!("{url}: {text}"))
    }

    /// Every profile card the widget shows, in order (inside the widget).
    pub(crate) async fn cards(&self) -> anyhow::Result<Vec<Card>> {
        let value = self.client.execute(CARDS_JS, vec![]).await?;
        parse_cards(&value)
    }

    /// The footer's "Signed in as …" text (inside the widget).
    pub(crate) async fn signed_in_as(&self) -> anyhow::Result<String> {
        self.widget_text("[data-testid=signed-in-as]").await
    }

    /// Presses a widget button by `data-testid` (inside the widget).
    pub(crate) async fn press(&self, testid: &str) -> anyhow::Result<()> {
        self.client
            .find(Locator::Css(&format!("[data-testid=\"{testid}\"]")))
            .await
            .with_context(|| format!("no {testid} button in the widget"))?
            .click()
            .await?;
        Ok(())
    }

    /// Waits (inside the widget) for an element with this `data-testid` and returns its text;
    /// fails at once on an error state.
    pub(crate) async fn wait_for_widget(&self, testid: &str) -> anyhow::Result<String> {
        let css = format!("[data-testid=\"{testid}\"]");
        let deadline = Deadline::new(format!("{testid} in the widget"));
        loop {
            if let Some(text) = self.text_of(&css).await.ok().flatten() {
                return Ok(text);
            }
            let state = self.panel_state().await.unwrap_or(PanelState::Absent);
            if let PanelState::Error(error) = &state {
                bail!("waiting for {testid}, the widget shows an error: {error}");
            }
            deadline.tick(state).await?;
        }
    }

    async fn wait_for_text(
        &self,
        css: &str,
        ready: impl Fn(&str) -> bool,
    ) -> anyhow::Result<String> {
        let deadline = Deadline::new(css);
        loop {
            let text = self.text_of(css).await.ok().flatten().unwrap_or_default();
            if ready(&text) {
                return Ok(text);
            }
            deadline.tick(text).await?;
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
            .for_element(Locator::Css("[data-testid=sfdesk-panel]"))
            .await?;
        Ok(Self { client })
    }

    /// Waits for the SDK error state and returns its text.
    pub(crate) async fn error_text(&self) -> anyhow::Result<String> {
        let deadline = Deadline::new("the SDK error state");
        loop {
            let shown = text_of(self.client, "[data-testid=sfdesk-error]").await;
            if let Ok(Some(text)) = shown {
                return Ok(text);
            }
            deadline.tick(shown).await?;
        }
    }

    /// Whether a "Try again" for SDK errors is shown.
    pub(crate) async fn has_retry(&self) -> anyhow::Result<bool> {
        Ok(!self
            .client
            .find_all(Locator::Css("[data-testid=sfdesk-retry]"))
            .await?
            .is_empty())
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

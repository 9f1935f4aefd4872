//! End-to-end: the built widget boots in headless Chromium inside the Desk-like host page, reads
//! its ticket through the (demo) Desk SDK and follows Desk's ticket-change event.
//!
//! Needs the feature `e2e`, a built widget (`trunk build --release` at the workspace root),
//! `chromedriver` on `PATH` (or `$CHROMEDRIVER`) and Chromium at `/usr/bin/chromium` (or
//! `$CHROMIUM`):
//! `cargo test -p sfdesk-tests --features e2e --test browser`.
//! Screenshots land in `target/screenshots/`.
#![cfg(feature = "e2e")]

#[path = "support/browser.rs"]
mod support_browser;

use support_browser::{Browser, ChromeDriver, DeskHostPage, WidgetPage, start_demo_server};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn widget_shows_the_ticket_context_inside_the_desk_host() -> anyhow::Result<()> {
    let server = start_demo_server().await?;
    let driver = ChromeDriver::start().await?;
    let browser = Browser::open(&driver).await?;
    let result = scenario(&browser, &server.base_url).await;
    // Whatever happened, leave a picture of it.
    let shot = browser.screenshot("demo-ticket").await;
    browser.close().await?;
    result?;
    println!("screenshot: {}", shot?.display());
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn widget_outside_desk_shows_an_error_with_retry() -> anyhow::Result<()> {
    let server = start_demo_server().await?;
    let driver = ChromeDriver::start().await?;
    let browser = Browser::open(&driver).await?;
    let result = async {
        // Opened directly, not framed by a host: the SDK cannot reach Desk.
        let page = WidgetPage::open(&browser.client, &server.base_url, "ticket").await?;
        let error = page.error_text().await?;
        assert!(
            error.contains("not running inside a Desk host page"),
            "{error}"
        );
        page.retry().await?;
        let error = page.error_text().await?;
        assert!(error.contains("Can't load this panel"), "{error}");
        anyhow::Ok(())
    }
    .await;
    let shot = browser.screenshot("widget-error").await;
    browser.close().await?;
    result?;
    println!("screenshot: {}", shot?.display());
    Ok(())
}

async fn scenario(browser: &Browser, base_url: &str) -> anyhow::Result<()> {
    let page = DeskHostPage::open(&browser.client, base_url).await?;
    assert_eq!(page.ticket_number().await?, "#101");

    page.enter_widget().await?;
    let context = page.widget_context(|t| t.starts_with("Ticket #")).await?;
    assert_eq!(context, "Ticket #101 · requester jade@zylker.com");
    assert_eq!(
        page.widget_text("[data-testid=sfdesk-subject]").await?,
        "Printer on fire after firmware update"
    );
    let empty = page
        .widget_text("[data-testid=sfdesk-not-connected]")
        .await?;
    assert!(empty.contains("Not connected to Salesforce yet"), "{empty}");
    page.leave_widget().await?;
    // The screenshot is taken on ticket #101; the event check below returns to it.
    page.next_ticket().await?;
    page.enter_widget().await?;
    let context = page.widget_context(|t| t.contains("#102")).await?;
    assert_eq!(
        context,
        "Ticket #102 · requester lei.wong@acme-rockets.example.com"
    );
    page.leave_widget().await?;
    page.next_ticket().await?;
    page.enter_widget().await?;
    page.widget_context(|t| t.contains("#101")).await?;
    page.leave_widget().await?;
    Ok(())
}

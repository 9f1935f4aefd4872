//! `sfdesk demo`: the whole product on one machine, no accounts needed.
//!
//! A throw-away SQLite database in a temporary folder, a fresh random encryption key, the
//! widget pages with the demo SDK shim, and a host page at `/` that looks like a Desk ticket view
//! and embeds the widget exactly as Desk would. Tests start it in-process with [`start`].

use std::net::SocketAddr;

use tempfile::TempDir;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use url::Url;

use crate::api::{self, Mode};
use crate::config::{Config, DatabaseUrl};
use crate::crypto::Cipher;
use crate::server::{self, StartError};

/// Why the demo could not start.
#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    /// The temporary folder for the demo database could not be made.
    #[error("cannot create a temporary folder for the demo database: {0}")]
    TempDir(#[source] std::io::Error),
    /// The server could not start.
    #[error(transparent)]
    Start(#[from] StartError),
}

/// A running demo; dropping it stops the server and deletes its database.
pub struct RunningDemo {
    /// The page to open: the Desk-like host page.
    pub url: Url,
    shutdown: Option<oneshot::Sender<()>>,
    task: JoinHandle<std::io::Result<()>>,
    _data: TempDir,
}

impl RunningDemo {
    /// Serves until `stop` completes (Ctrl-C in the CLI), then shuts down gracefully.
    ///
    /// # Errors
    /// I/O errors of the listener.
    pub async fn run_until(
        mut self,
        stop: impl std::future::Future<Output = ()>,
    ) -> std::io::Result<()> {
        stop.await;
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
        match (&mut self.task).await {
            Ok(result) => result,
            Err(join) => Err(std::io::Error::other(join)),
        }
    }
}

impl Drop for RunningDemo {
    fn drop(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
    }
}

/// Starts the demo on `127.0.0.1:port` (`0` picks a free port).
///
/// # Errors
/// [`DemoError`] when the port is taken or the database cannot be prepared.
pub async fn start(port: u16) -> Result<RunningDemo, DemoError> {
    let data = tempfile::Builder::new()
        .prefix("sfdesk-demo-")
        .tempdir()
        .map_err(DemoError::TempDir)?;
    let listener = server::bind(SocketAddr::from(([127, 0, 0, 1], port))).await?;
    let addr = listener.local_addr().map_err(|source| StartError::Bind {
        addr: SocketAddr::from(([127, 0, 0, 1], port)),
        source,
    })?;
    let url = Url::parse(&format!("http://{addr}/")).map_err(|e| StartError::Bind {
        addr,
        source: std::io::Error::other(e),
    })?;

    let mut config = Config::default();
    config.server.listen = addr;
    config.server.public_url = url.clone();
    config.database.url = DatabaseUrl::new(format!(
        "sqlite://{}",
        data.path().join("demo.db").display()
    ));
    config.security.encryption_key = Some(Cipher::generate_base64_key());

    let state = server::open_state(config).await?;
    let app = api::router(state, Mode::Demo);
    let (shutdown_tx, shutdown_rx) = oneshot::channel::<()>();
    let task = tokio::spawn(server::serve(listener, app, async {
        let _ = shutdown_rx.await;
    }));
    Ok(RunningDemo {
        url,
        shutdown: Some(shutdown_tx),
        task,
        _data: data,
    })
}

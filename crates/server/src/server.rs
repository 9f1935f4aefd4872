//! Start-up and serving: turn a [`Config`] into a running server, in the order that leaves
//! nothing behind when an input is bad (key checked, then port bound, then database opened).

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use tokio::net::TcpListener;

use crate::config::{Config, ConfigError};
use crate::connections::Connections;
use crate::crypto::{Cipher, CryptoError};
use crate::profile::ProfileService;
use crate::session::SessionSigner;
use crate::state::AppState;
use crate::store::{self, StoreError};
use crate::telemetry;

/// Why the server could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// The configuration is incomplete.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// The encryption key is unusable.
    #[error("security.encryption_key: {0}")]
    Key(#[from] CryptoError),
    /// The listen address cannot be bound.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The configured address.
        addr: SocketAddr,
        /// The operating system's reason.
        source: io::Error,
    },
    /// The database cannot be opened or migrated.
    #[error("database: {0}")]
    Store(#[from] StoreError),
}

/// Checks the key, connects to the database and applies pending migrations.
///
/// # Errors
/// [`StartError::Config`] without a key, [`StartError::Key`] for a malformed key,
/// [`StartError::Store`] when the URL is unsupported, the database unreachable or a migration
/// fails.
pub async fn open_state(config: Config) -> Result<AppState, StartError> {
    let cipher = Cipher::from_base64_key(config.encryption_key()?)?;
    let store = store::connect(config.database.url.expose(), cipher.clone()).await?;
    store.migrate().await?;
    let config = Arc::new(config);
    let connections = Arc::new(Connections::new(Arc::clone(&config), Arc::clone(&store)));
    let profiles = Arc::new(ProfileService::new(
        &config.profile,
        Arc::clone(&store),
        Arc::clone(&connections),
    ));
    Ok(AppState {
        connections,
        profiles,
        sessions: SessionSigner::new(&cipher),
        config,
        store,
        metrics: telemetry::prometheus(),
    })
}

/// Binds `addr`.
///
/// # Errors
/// [`StartError::Bind`] when the address is taken or not ours.
pub async fn bind(addr: SocketAddr) -> Result<TcpListener, StartError> {
    TcpListener::bind(addr)
        .await
        .map_err(|source| StartError::Bind { addr, source })
}

/// Serves `app` on `listener` until `shutdown` completes, then drains in-flight requests.
///
/// # Errors
/// Only I/O errors of the listener itself.
pub async fn serve(
    listener: TcpListener,
    app: Router,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> io::Result<()> {
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown)
        .await
}

/// Completes on Ctrl-C or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down");
}

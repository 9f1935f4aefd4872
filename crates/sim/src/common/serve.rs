//! [`serve()`]: run a router on `127.0.0.1:0` until the returned [`ServedRouter`] is dropped.

use std::io;
use std::net::SocketAddr;

use axum::Router;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use url::Url;

/// A router being served; dropping it starts a graceful shutdown (in-flight calls finish, idle
/// keep-alive connections close).
#[derive(Debug)]
pub struct ServedRouter {
    addr: SocketAddr,
    shutdown: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

/// Binds `127.0.0.1:0` and serves `router` on it in a background task of the current runtime.
///
/// # Errors
/// Binding or reading the local address failed.
pub async fn serve(router: Router) -> io::Result<ServedRouter> {
    serve_listener(bind_local(0).await?, router)
}

/// Binds `127.0.0.1:<port>` (`0` picks a free port); use with [`serve_listener`] when the router
/// needs its own address first.
///
/// # Errors
/// Binding failed.
pub async fn bind_local(port: u16) -> io::Result<TcpListener> {
    TcpListener::bind(("127.0.0.1", port)).await
}

/// Serves `router` on an already bound `listener` in a background task of the current runtime.
///
/// # Errors
/// Reading the listener's local address failed.
pub fn serve_listener(listener: TcpListener, router: Router) -> io::Result<ServedRouter> {
    let addr = listener.local_addr()?;
    let (tx, rx) = oneshot::channel::<()>();
    let task = tokio::spawn(async move {
        let server = axum::serve(listener, router).with_graceful_shutdown(async move {
            // Either an explicit signal or the sender being dropped ends the server.
            let _ = rx.await;
        });
        if let Err(e) = server.await {
            tracing::warn!(error.message = %e, "simulator server stopped with an error");
        }
    });
    Ok(ServedRouter {
        addr,
        shutdown: Some(tx),
        task: Some(task),
    })
}

impl ServedRouter {
    /// The bound address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:<port>/` (no trailing path).
    pub fn base_url(&self) -> Url {
        let text = format!("http://{}/", self.addr);
        // An `ip:port` socket address always forms a valid http URL.
        Url::parse(&text).unwrap_or_else(|_| unreachable!("invalid socket URL {text}"))
    }

    /// Stops accepting, lets in-flight calls finish and waits for the server task.
    pub async fn shutdown(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for ServedRouter {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

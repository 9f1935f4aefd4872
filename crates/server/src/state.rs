//! `AppState`: the one cloneable context every handler receives.

use std::sync::Arc;

use metrics_exporter_prometheus::PrometheusHandle;

use crate::config::Config;
use crate::connections::Connections;
use crate::profile::ProfileService;
use crate::session::SessionSigner;
use crate::store::Store;

/// Shared, cheaply cloneable handles to configuration, storage, clients and metrics.
#[derive(Clone)]
pub struct AppState {
    /// The configuration the server started with.
    pub config: Arc<Config>,
    /// The storage backend chosen by the database URL.
    pub store: Arc<dyn Store>,
    /// The Salesforce and Desk clients of every installation.
    pub connections: Arc<Connections>,
    /// Signs and verifies agent session tokens.
    pub sessions: SessionSigner,
    /// The sidebar's profiles: views, caches and their invalidation hooks.
    pub profiles: Arc<ProfileService>,
    /// Renders the Prometheus text exposition for `/metrics`.
    pub metrics: PrometheusHandle,
}

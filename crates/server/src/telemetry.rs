//! Logging and metrics set-up: the `tracing` subscriber and the Prometheus recorder.
//!
//! `init` is called once by `main`; tests never call it (they stay quiet unless they install
//! their own subscriber). The Prometheus recorder is process-global, so it is installed once and
//! its handle shared by every router built in the process.

use std::sync::OnceLock;

use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use tracing_subscriber::EnvFilter;
use tracing_subscriber::fmt::writer::MakeWriterExt;

use crate::config::{LogFormat, TelemetryConfig};

/// Name of the request counter (labels: `method`, `route`, `status`).
pub const HTTP_REQUESTS_TOTAL: &str = "sfdesk_http_requests_total";
/// Name of the request latency histogram in seconds (labels: `method`, `route`).
pub const HTTP_REQUEST_DURATION: &str = "sfdesk_http_request_duration_seconds";

/// Latency buckets (seconds): sub-millisecond cache hits up to slow remote calls.
const LATENCY_BUCKETS: &[f64] = &[
    0.000_5, 0.001, 0.002_5, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

/// Installs the global `tracing` subscriber writing to stderr. `RUST_LOG` overrides the
/// configured filter.
pub fn init(config: &TelemetryConfig) {
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new(config.log_filter.as_str()));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr.with_max_level(tracing::Level::TRACE));
    // A second `init` (or a subscriber already set by an embedding program) is not an error.
    let _ = match config.log_format {
        LogFormat::Pretty => builder.try_init(),
        LogFormat::Json => builder.json().flatten_event(true).try_init(),
    };
}

/// The process-wide Prometheus handle, installing the recorder on first use.
pub fn prometheus() -> PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE
        .get_or_init(|| {
            let recorder = PrometheusBuilder::new()
                .set_buckets_for_metric(
                    Matcher::Full(HTTP_REQUEST_DURATION.to_owned()),
                    LATENCY_BUCKETS,
                )
                .expect("bucket list is non-empty")
                .build_recorder();
            let handle = recorder.handle();
            // Another recorder may already be installed by an embedding program; then our
            // handle simply renders nothing, which is visible at /metrics.
            let _ = metrics::set_global_recorder(recorder);
            handle
        })
        .clone()
}

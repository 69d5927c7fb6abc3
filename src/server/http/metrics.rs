//! Prometheus metrics over HTTP: requests by route and status (axum-prometheus)
//! and, at `/metrics`, everything in Prometheus text (Intake's own counters are
//! counted in `intake_core::metrics`). Served on the public address or only on
//! `INTAKE_ADMIN_ADDR` when that is set.

use crate::server::state::AppState;
use axum::{
    extract::State,
    http::{StatusCode, header},
    response::{IntoResponse, Response},
};
use axum_prometheus::{
    EndpointLabel, PrometheusMetricLayer, PrometheusMetricLayerBuilder, metrics_exporter_prometheus::PrometheusHandle,
};
use std::sync::OnceLock;

/// The recorder is global to the process, so it is installed once, however
/// many apps run (tests start many).
fn pair() -> &'static (PrometheusMetricLayer<'static>, PrometheusHandle) {
    static PAIR: OnceLock<(PrometheusMetricLayer<'static>, PrometheusHandle)> = OnceLock::new();
    PAIR.get_or_init(|| {
        let pair = PrometheusMetricLayerBuilder::new()
            .with_prefix("intake")
            // Unrouted paths share one label: a scanner cannot mint a series per URL.
            .with_endpoint_label_type(EndpointLabel::MatchedPathWithFallbackFn(|_| "unmatched".into()))
            .with_default_metrics()
            .build_pair();
        describe();
        pair
    })
}

/// The layer that counts and times every request.
pub fn layer() -> PrometheusMetricLayer<'static> {
    pair().0.clone()
}

fn describe() {
    use metrics::{describe_counter, describe_gauge};
    describe_counter!("intake_leads_created_total", "Leads stored");
    describe_counter!("intake_submissions_refused_total", "Submissions refused, by kind");
    describe_counter!(
        "intake_submissions_repeated_total",
        "Submissions with an address already held (answered as new; the lead records the repeat)"
    );
    describe_counter!("intake_login_failures_total", "Logins refused (wrong email or password, disabled account)");
    describe_counter!("intake_login_lockouts_total", "Logins refused because the account or address is locked out");
    describe_gauge!("intake_outbox_pending", "Messages waiting to be sent, by channel");
    describe_gauge!("intake_outbox_failed", "Messages given up on, by channel");
    describe_gauge!("intake_outbox_oldest_pending_seconds", "Age of the oldest waiting message, by channel");
    describe_gauge!("intake_event_streams_open", "Live dashboard streams open on this instance");
    describe_gauge!("intake_db_connections", "Database pool connections, by state (idle, in_use)");
}

/// `GET /metrics`: the gauges read now, then everything in Prometheus text.
pub async fn render(State(state): State<AppState>) -> Response {
    match state.db.outbox().stats(intake_store::now_ms()).await {
        Ok(channels) => {
            for (channel, s) in channels {
                let channel = channel.as_str();
                metrics::gauge!("intake_outbox_pending", "channel" => channel).set(s.pending as f64);
                metrics::gauge!("intake_outbox_failed", "channel" => channel).set(s.failed as f64);
                metrics::gauge!("intake_outbox_oldest_pending_seconds", "channel" => channel)
                    .set(s.oldest_pending_ms.map_or(0.0, |ms| ms as f64 / 1000.0));
            }
        }
        Err(e) => tracing::warn!(error = %e, "metrics: cannot read the outbox"),
    }
    metrics::gauge!("intake_event_streams_open").set(state.limits.open_streams() as f64);
    let (size, idle) = state.db.pool_connections();
    metrics::gauge!("intake_db_connections", "state" => "idle").set(idle as f64);
    metrics::gauge!("intake_db_connections", "state" => "in_use").set((size as usize).saturating_sub(idle) as f64);
    (StatusCode::OK, [(header::CONTENT_TYPE, "text/plain; version=0.0.4")], pair().1.render()).into_response()
}

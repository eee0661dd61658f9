//! `GET /metrics`: the hub's gauges and counters in the Prometheus text format.

use std::fmt::Write;

use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;

use crate::hub::HubStats;
use crate::AppState;

/// The media type of the Prometheus text exposition format.
const CONTENT_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";

pub fn router() -> Router<AppState> {
    Router::new().route("/metrics", get(metrics))
}

async fn metrics(State(state): State<AppState>) -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, CONTENT_TYPE)],
        render(&state.hub.stats()),
    )
}

/// The exposition text for `stats`.
pub fn render(stats: &HubStats) -> String {
    let metrics: [(&str, &str, &str, u64); 6] = [
        (
            "fieldbook_connections_open",
            "gauge",
            "Sync connections open now.",
            stats.connections_open as u64,
        ),
        (
            "fieldbook_documents_resident",
            "gauge",
            "Documents in memory: synced now, or idle and cached.",
            stats.documents_resident as u64,
        ),
        (
            "fieldbook_documents_idle",
            "gauge",
            "Documents in memory that no connection syncs.",
            stats.documents_idle as u64,
        ),
        (
            "fieldbook_messages_received_total",
            "counter",
            "Frames received on sync connections.",
            stats.messages_received,
        ),
        (
            "fieldbook_errors_total",
            "counter",
            "Sync connections closed by the server because of a fault (bad input, a limit, storage, a panic, falling behind).",
            stats.errors,
        ),
        (
            "fieldbook_document_panics_total",
            "counter",
            "Panics caught while handling a document.",
            stats.document_panics,
        ),
    ];
    let mut text = String::new();
    for (name, kind, help, value) in metrics {
        // Writing to a String cannot fail.
        let _ = writeln!(
            text,
            "# HELP {name} {help}\n# TYPE {name} {kind}\n{name} {value}"
        );
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_metric_has_help_a_type_and_one_sample() {
        let text = render(&HubStats {
            connections_open: 2,
            documents_resident: 7,
            ..HubStats::default()
        });
        assert!(text.contains("\nfieldbook_connections_open 2\n"));
        assert!(text.contains("\nfieldbook_documents_resident 7\n"));
        let samples: Vec<&str> = text.lines().filter(|l| !l.starts_with('#')).collect();
        assert_eq!(samples.len(), 6);
        for sample in samples {
            let name = sample.split(' ').next().expect("a name");
            assert!(text.contains(&format!("# HELP {name} ")), "{name}");
            assert!(text.contains(&format!("# TYPE {name} ")), "{name}");
        }
    }
}

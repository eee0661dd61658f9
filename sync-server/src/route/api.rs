//! The JSON API under `/api`. Unknown `/api` paths are 404, never the app's page.

use axum::extract::State;
use axum::routing::{any, get};
use axum::{Json, Router};
use serde::Serialize;

use crate::{AppError, AppState};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/me", get(me))
        .route("/api", any(not_found))
        .route("/api/{*rest}", any(not_found))
}

/// The signed-in user and the sites they work on.
#[derive(Debug, Serialize)]
pub struct Me {
    pub user: User,
    pub sites: Vec<SiteView>,
}

#[derive(Debug, Serialize)]
pub struct User {
    pub name: String,
    pub role: String,
}

/// A site and its catalog document id (bs58check text).
#[derive(Debug, Serialize)]
pub struct SiteView {
    pub id: String,
    pub name: String,
    pub catalog: String,
}

/// `GET /api/me`. There is no sign-in yet: everyone is the demo technician and sees
/// every site.
async fn me(State(state): State<AppState>) -> Result<Json<Me>, AppError> {
    let sites = state.store.sites().await?;
    Ok(Json(Me {
        user: User {
            name: "Demo technician".to_owned(),
            role: "technician".to_owned(),
        },
        sites: sites
            .into_iter()
            .map(|site| SiteView {
                id: site.id,
                name: site.name,
                catalog: site.catalog.to_string(),
            })
            .collect(),
    }))
}

async fn not_found() -> AppError {
    AppError::NotFound
}

//! Who is signed in and which sites they work at, from `GET /api/me`.
//! Cached on the device so the app opens and works offline.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Profile {
    pub user: User,
    pub sites: Vec<Site>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct User {
    pub name: String,
    pub role: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Site {
    pub id: String,
    pub name: String,
    /// The id of the site's catalog document.
    pub catalog: String,
}

/// Asks the server who is signed in.
pub async fn fetch() -> Result<Profile, String> {
    let response = gloo::net::http::Request::get("/api/me")
        .send()
        .await
        .map_err(|e| e.to_string())?;
    if !response.ok() {
        return Err(format!("the server answered {}", response.status()));
    }
    response.json::<Profile>().await.map_err(|e| e.to_string())
}

//! Who is signed in and which sites they work at, from `GET /api/me`; signing in
//! and out. The profile is cached on the device so the app opens and works offline
//! for days; an ended session stops syncing until the person signs in again, and
//! touches nothing stored on the device.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Profile {
    pub user: User,
    pub sites: Vec<Site>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct User {
    /// Absent in profiles cached before sign-in existed.
    #[serde(default)]
    pub id: String,
    #[serde(default)]
    pub login: String,
    pub name: String,
    pub role: String,
    #[serde(default)]
    pub organisation: String,
    #[serde(default)]
    pub default_site: String,
}

impl Profile {
    /// Everyone of the user's sites, each once, in the order the sites list them.
    pub fn people(&self) -> Vec<SitePerson> {
        let mut people: Vec<SitePerson> = Vec::new();
        for person in self.sites.iter().flat_map(|s| &s.people) {
            if !people.iter().any(|p| p.id == person.id) {
                people.push(person.clone());
            }
        }
        people
    }

    /// (id, name) of each of the user's sites, their default site first: what a
    /// site picker offers and starts on.
    pub fn site_choices(&self) -> Vec<(String, String)> {
        let mut sites: Vec<(String, String)> = self
            .sites
            .iter()
            .map(|s| (s.id.clone(), s.name.clone()))
            .collect();
        sites.sort_by_key(|(id, _)| *id != self.user.default_site);
        sites
    }

    /// The people of `site` (a record's site) as the server listed them; all of
    /// [`Profile::people`] if this profile lists no one there (a site the user
    /// does not work at, or a profile cached before the server listed people).
    pub fn people_at(&self, site: Option<&str>) -> Vec<SitePerson> {
        match self.sites.iter().find(|s| Some(s.id.as_str()) == site) {
            Some(found) if !found.people.is_empty() => found.people.clone(),
            _ => self.people(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Site {
    pub id: String,
    pub name: String,
    /// The id of the site's catalog document.
    pub catalog: String,
    /// Who works there (absent in profiles cached before the server listed them).
    #[serde(default)]
    pub people: Vec<SitePerson>,
}

/// Someone who works at a site, to pick for an audit team, as a finding's owner
/// or a corrective action's.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SitePerson {
    pub id: String,
    pub login: String,
    pub name: String,
    pub role: String,
}

/// Why the profile could not be fetched.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FetchError {
    /// The server says no one is signed in on this browser (never, or the session
    /// ended), with its message.
    SignedOut(String),
    /// The server could not be asked (offline, down, or an unexpected answer).
    Unreachable(String),
}

/// Asks the server who is signed in.
pub async fn fetch() -> Result<Profile, FetchError> {
    let response = gloo::net::http::Request::get("/api/me")
        .send()
        .await
        .map_err(|e| FetchError::Unreachable(e.to_string()))?;
    if response.status() == 401 {
        return Err(FetchError::SignedOut(error_message(&response).await));
    }
    if !response.ok() {
        return Err(FetchError::Unreachable(format!(
            "the server answered {}",
            response.status()
        )));
    }
    response
        .json::<Profile>()
        .await
        .map_err(|e| FetchError::Unreachable(e.to_string()))
}

/// Signs in; the server sets the session cookie. The error is in words for the
/// person at the form.
pub async fn sign_in(login: &str, password: &str) -> Result<Profile, String> {
    let body = serde_json::json!({ "login": login, "password": password });
    let response = gloo::net::http::Request::post("/api/login")
        .json(&body)
        .map_err(|e| e.to_string())?
        .send()
        .await
        .map_err(|_| {
            "The server cannot be reached. Signing in needs the network once; \
             after that Fieldbook works offline."
                .to_owned()
        })?;
    if response.status() == 401 {
        return Err("The login or password is wrong.".to_owned());
    }
    if response.status() == 429 {
        // Too many wrong passwords: the server says how long to wait.
        let message = error_message(&response).await;
        let mut chars = message.chars();
        return Err(match chars.next() {
            Some(first) => format!("{}{}.", first.to_uppercase(), chars.as_str()),
            None => "Too many wrong passwords for this login; wait a few minutes.".to_owned(),
        });
    }
    if !response.ok() {
        return Err(format!(
            "The server could not sign you in ({}): {}",
            response.status(),
            error_message(&response).await
        ));
    }
    response.json::<Profile>().await.map_err(|e| e.to_string())
}

/// Ends this browser's session on the server.
pub async fn sign_out() -> Result<(), String> {
    gloo::net::http::Request::post("/api/logout")
        .send()
        .await
        .map(|_| ())
        .map_err(|e| e.to_string())
}

async fn error_message(response: &gloo::net::http::Response) -> String {
    #[derive(Deserialize)]
    struct Body {
        error: String,
    }
    response
        .json::<Body>()
        .await
        .map(|b| b.error)
        .unwrap_or_else(|_| format!("the server answered {}", response.status()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test;

    fn person(id: &str) -> SitePerson {
        SitePerson {
            id: id.to_owned(),
            login: id.to_owned(),
            name: id.to_uppercase(),
            role: "technician".to_owned(),
        }
    }

    fn site(id: &str, people: &[&str]) -> Site {
        Site {
            id: id.to_owned(),
            name: id.to_owned(),
            catalog: format!("catalog-{id}"),
            people: people.iter().map(|p| person(p)).collect(),
        }
    }

    #[wasm_bindgen_test]
    fn a_record_offers_the_people_of_its_own_site() {
        let profile = Profile {
            user: User {
                id: "mia".to_owned(),
                login: "mia".to_owned(),
                name: "Mia".to_owned(),
                role: "manager".to_owned(),
                organisation: "acme".to_owned(),
                default_site: "north".to_owned(),
            },
            sites: vec![
                site("north", &["mia", "tess"]),
                site("south", &["mia", "sam"]),
            ],
        };
        let ids = |people: Vec<SitePerson>| people.into_iter().map(|p| p.id).collect::<Vec<_>>();
        assert_eq!(ids(profile.people_at(Some("south"))), ["mia", "sam"]);
        assert_eq!(ids(profile.people_at(Some("north"))), ["mia", "tess"]);
        // A site this profile does not list, or none: everyone it knows, once each.
        assert_eq!(ids(profile.people_at(Some("west"))), ["mia", "tess", "sam"]);
        assert_eq!(ids(profile.people_at(None)), ["mia", "tess", "sam"]);
    }

    #[wasm_bindgen_test]
    fn a_site_picker_starts_on_the_default_site() {
        let mut profile = Profile {
            user: User {
                id: "nora".to_owned(),
                login: "nora".to_owned(),
                name: "Nora".to_owned(),
                role: "admin".to_owned(),
                organisation: "acme".to_owned(),
                default_site: "south".to_owned(),
            },
            sites: vec![site("north", &[]), site("south", &[]), site("west", &[])],
        };
        let ids = |p: &Profile| {
            p.site_choices()
                .into_iter()
                .map(|(id, _)| id)
                .collect::<Vec<_>>()
        };
        assert_eq!(ids(&profile), ["south", "north", "west"]);
        profile.user.default_site = String::new();
        assert_eq!(ids(&profile), ["north", "south", "west"]);
    }
}

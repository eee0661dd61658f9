//! Every test client signs in: the servers the tests start get an organisation
//! (`acme`), a site (`north`) and a technician (`tech`) with an API token, written
//! through the server's own directory, and clients look the token up by the
//! server's address.
//!
//! A server started with `--demo` has its own users; its `tech` gets the token.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Mutex, OnceLock};

use fieldbook_core::ids::DocumentId;
use fieldbook_core::model::access::Role;
use fieldbook_sync_server::auth::{password, secret};
use fieldbook_sync_server::store::{self, CredentialKind, Database, NewCredential, NewUser};

pub const ORGANISATION: &str = "acme";
pub const SITE: &str = "north";
pub const PASSWORD: &str = "correct horse battery";

fn tokens() -> &'static Mutex<HashMap<SocketAddr, String>> {
    static TOKENS: OnceLock<Mutex<HashMap<SocketAddr, String>>> = OnceLock::new();
    TOKENS.get_or_init(Mutex::default)
}

/// Remembers that clients of the server at `addr` use `token`.
pub fn register(addr: SocketAddr, token: String) {
    tokens().lock().expect("tokens").insert(addr, token);
}

/// The token clients of the server at `addr` use, if it has one.
pub fn token_for(addr: SocketAddr) -> Option<String> {
    tokens().lock().expect("tokens").get(&addr).cloned()
}

/// The PHC hash of [`PASSWORD`], made once (argon2 is slow on purpose).
pub fn password_hash() -> String {
    static HASH: OnceLock<String> = OnceLock::new();
    HASH.get_or_init(|| password::hash(PASSWORD).expect("hash"))
        .clone()
}

/// Makes sure the database has the test organisation, site and technician (unless
/// `demo` wrote its own), and returns a new API token for `tech`.
pub async fn seed(url: &str, demo: bool) -> String {
    let db = store::open(url).await.expect("open the store");
    if !demo {
        ensure_people(&db).await;
    }
    let token = new_token(&db, "tech").await;
    db.store.close().await;
    token
}

/// The test organisation, site and technician, if not there yet.
pub async fn ensure_people(db: &Database) {
    if db
        .directory
        .organisation_exists(ORGANISATION)
        .await
        .expect("query")
    {
        return;
    }
    db.directory
        .add_organisation(ORGANISATION, "Acme Logistics")
        .await
        .expect("add the organisation");
    db.store
        .add_site(
            ORGANISATION,
            SITE,
            "North depot",
            DocumentId::from_bytes(rand::random()),
        )
        .await
        .expect("add the site");
    add_user(db, "tech", Role::Technician, &[SITE]).await;
}

/// Adds a user of the test organisation.
pub async fn add_user(db: &Database, login: &str, role: Role, sites: &[&str]) {
    db.directory
        .add_user(&NewUser {
            id: format!("u-{login}"),
            organisation: ORGANISATION.to_owned(),
            login: login.to_owned(),
            name: login.to_owned(),
            role,
            password_hash: password_hash(),
            sites: sites.iter().map(|s| (*s).to_owned()).collect(),
            default_site: sites[0].to_owned(),
        })
        .await
        .expect("add the user");
}

/// A new API token for `login`.
pub async fn new_token(db: &Database, login: &str) -> String {
    let user = db
        .directory
        .user_by_login(login)
        .await
        .expect("query")
        .unwrap_or_else(|| panic!("no user {login}"));
    let token = secret::generate();
    db.directory
        .add_credential(&NewCredential {
            secret_sha256: secret::digest(&token),
            user_id: user.id,
            kind: CredentialKind::Token,
            label: "test".to_owned(),
            created_ms: 0,
            expires_ms: None,
        })
        .await
        .expect("add the token");
    token
}

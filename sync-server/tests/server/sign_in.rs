//! Signing in: passwords and the session cookie, what the `/sync` upgrade demands of
//! each credential, single-use sync tickets, expiry, the admin commands that make
//! people and tokens, and the `--demo` sign-in line.

use std::net::SocketAddr;
use std::process::Stdio;
use std::time::{SystemTime, UNIX_EPOCH};

use fieldbook_core::doc::{catalog, checklist_template};
use fieldbook_core::model::access::Role;
use fieldbook_core::model::checklist::iso20000_internal_audit;
use fieldbook_sync_server::auth::secret;
use fieldbook_sync_server::store::{CredentialKind, NewCredential};
use tokio::io::AsyncWriteExt;
use tokio_tungstenite::tungstenite::handshake::client::Request;
use tokio_tungstenite::tungstenite::Error as WsError;

use crate::credentials::{self, PASSWORD};
use crate::http::{self, Response};
use crate::server_process::{Options, ServerProcess};
use crate::test_client::{bearer_request, plain_request, TestClient};
use crate::test_db::TestDb;
use crate::{new_incident, random_id};

backend_tests!(
    tokio::test;
    a_password_starts_a_session_cookie_that_logging_out_ends,
    the_sync_upgrade_demands_a_credential_and_an_allowed_origin_with_a_cookie,
    a_sync_ticket_opens_one_connection_within_its_minute,
    an_expired_session_is_refused_with_a_sign_in_again_message,
    five_wrong_passwords_lock_that_login_for_five_minutes,
    an_open_connection_whose_session_ends_is_told_and_closed,
    the_admin_commands_make_people_and_tokens_that_sign_in,
    the_demo_prints_a_sign_in_that_works,
);

const WRONG_LOGIN: &str = "the login or password is wrong";
const SIGN_IN_FIRST: &str = "sign in first";
const SESSION_ENDED: &str = "your session has ended; sign in again";

fn now_ms() -> i64 {
    let elapsed = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("after 1970");
    i64::try_from(elapsed.as_millis()).expect("ms fit")
}

/// `POST /api/login` with `login` and `password`, no other header.
async fn login(addr: SocketAddr, login: &str, password: &str) -> Response {
    let body = serde_json::json!({ "login": login, "password": password }).to_string();
    http::request(addr, "POST", "/api/login", &[], Some(&body)).await
}

/// Five wrong passwords in a row lock that login: the sixth try is refused even
/// with the right password, with how long to wait, before any password is
/// checked; other logins sign in as before. A login no one has locks the same
/// way, so a lockout says nothing about who exists.
async fn five_wrong_passwords_lock_that_login_for_five_minutes(db: TestDb) {
    let server = ServerProcess::start(&Options::new(&db)).await;
    let addr = server.addr;
    let database = db.open_database().await;
    credentials::add_user(&database, "mia", Role::Manager, &[credentials::SITE]).await;
    const LOCKED: &str = "too many wrong passwords for this login; wait 5 minutes, then try again";

    // Four wrong, then right: the count starts again.
    for _ in 0..4 {
        assert_eq!(login(addr, "tech", "guess").await.status, 401);
    }
    assert_eq!(login(addr, "tech", PASSWORD).await.status, 200);
    for attempt in 1..=5 {
        let wrong = login(addr, " Tech", "guess").await;
        assert_eq!(wrong.status, 401, "attempt {attempt}: {}", wrong.body);
    }
    let locked = login(addr, "tech", PASSWORD).await;
    assert_eq!(locked.status, 429, "{}", locked.body);
    assert_eq!(locked.error(), LOCKED);
    assert!(!locked.headers.contains_key("set-cookie"));
    let retry: u64 = locked
        .headers
        .get("retry-after")
        .expect("Retry-After")
        .parse()
        .expect("seconds");
    assert!((290..=300).contains(&retry), "{retry}");

    // Someone else signs in; a login no one has locks like a real one.
    assert_eq!(login(addr, "mia", PASSWORD).await.status, 200);
    for _ in 0..5 {
        assert_eq!(login(addr, "nobody-here", "guess").await.status, 401);
    }
    let unknown = login(addr, "nobody-here", "guess").await;
    assert_eq!((unknown.status, unknown.error()), (429, LOCKED.to_owned()));
    database.store.close().await;
}

/// A sync connection outlives no session: signing out elsewhere, or the session
/// running out, reaches an open socket at its next check (here every 300 ms):
/// it gets "your session has ended; sign in again" and is closed. A connection
/// opened with an API token is not affected.
async fn an_open_connection_whose_session_ends_is_told_and_closed(db: TestDb) {
    let server = ServerProcess::start(&Options {
        extra_args: vec![
            "--credential-check-interval".into(),
            "300ms".into(),
            "--session-ttl".into(),
            "3s".into(),
        ],
        ..Options::new(&db)
    })
    .await;
    let addr = server.addr;
    let own = format!("http://{addr}");

    // 1. Two sessions of one person, and a token connection: all sync.
    let signed_out = session_cookie(addr, "tech", PASSWORD).await;
    let runs_out = session_cookie(addr, "tech", PASSWORD).await;
    let mut phone =
        TestClient::connect_with(addr, cookie_request(addr, &signed_out, Some(&own)), "phone")
            .await;
    let mut tablet =
        TestClient::connect_with(addr, cookie_request(addr, &runs_out, Some(&own)), "tablet").await;
    let token = credentials::token_for(addr).expect("a token for this server");
    let mut service = TestClient::connect_as(addr, "service", &token).await;
    let id = random_id();
    phone.create(id, new_incident("Dock 2 door stuck")).await;
    phone.until("the incident stored", |c| c.acked(id)).await;

    // 2. The phone's session signs out (from another tab): the phone is told, closed.
    let out = http::request(
        addr,
        "POST",
        "/api/logout",
        &[("Cookie", &signed_out)],
        None,
    )
    .await;
    assert_eq!(out.status, 204, "{}", out.body);
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(5);
    let ended = phone.wait_for(deadline, |c| c.closed).await;
    assert_eq!(
        ended,
        crate::test_client::Wait::Done,
        "closed after signing out"
    );
    assert_eq!(phone.errors, vec![SESSION_ENDED.to_owned()]);

    // 3. The tablet's session runs out (3 s after sign-in): told and closed too.
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(8);
    let ended = tablet.wait_for(deadline, |c| c.closed).await;
    assert_eq!(
        ended,
        crate::test_client::Wait::Done,
        "closed when the session ran out"
    );
    assert_eq!(tablet.errors, vec![SESSION_ENDED.to_owned()]);

    // 4. The token's connection still syncs.
    syncs_on(&mut service).await;
    assert!(!service.closed);
}

/// `client` stores a new incident.
async fn syncs_on(client: &mut TestClient) {
    let id = random_id();
    client
        .create(id, new_incident("Yard light flickering"))
        .await;
    client
        .until("the server to acknowledge", |c| c.acked(id))
        .await;
    assert!(client.errors.is_empty(), "{:?}", client.errors);
}

/// Signs in and returns the `Cookie` header value that carries the session.
async fn session_cookie(addr: SocketAddr, user: &str, password: &str) -> String {
    let response = login(addr, user, password).await;
    assert_eq!(response.status, 200, "{}", response.body);
    let set_cookie = response
        .headers
        .get("set-cookie")
        .expect("a Set-Cookie header");
    set_cookie
        .split(';')
        .next()
        .expect("name=value")
        .trim()
        .to_owned()
}

/// `GET /api/me` with exactly these headers.
async fn me(addr: SocketAddr, headers: &[(&str, &str)]) -> Response {
    http::request(addr, "GET", "/api/me", headers, None).await
}

/// Upgrades with `request` and returns the status of the server's refusal; fails
/// if the upgrade succeeds.
async fn refused_upgrade(addr: SocketAddr, request: Request) -> (u16, String) {
    match TestClient::upgrade(addr, request, "phone").await {
        Ok(_) => panic!("the server upgraded a connection it should have refused"),
        Err(WsError::Http(response)) => {
            let body = response
                .body()
                .as_deref()
                .map(|b| String::from_utf8_lossy(b).into_owned())
                .unwrap_or_default();
            (response.status().as_u16(), body)
        }
        Err(other) => panic!("expected an HTTP refusal, got {other}"),
    }
}

/// The `error` text of a JSON error body.
fn error_of(body: &str) -> String {
    let value: serde_json::Value =
        serde_json::from_str(body).unwrap_or_else(|e| panic!("not JSON ({e}): {body:?}"));
    value["error"].as_str().expect("an `error`").to_owned()
}

/// The upgrade request with a session cookie and, if given, an `Origin`.
fn cookie_request(addr: SocketAddr, cookie: &str, origin: Option<&str>) -> Request {
    let mut request = plain_request(addr, "/sync");
    request
        .headers_mut()
        .insert("cookie", cookie.parse().expect("a header value"));
    if let Some(origin) = origin {
        request
            .headers_mut()
            .insert("origin", origin.parse().expect("a header value"));
    }
    request
}

/// A client syncs a new incident until the server acknowledges it: the connection
/// really works, not only its handshake.
async fn syncs(mut client: TestClient) {
    let id = random_id();
    client.create(id, new_incident("Gate 3 badge reader")).await;
    client
        .until("the server to acknowledge an incident", |c| c.acked(id))
        .await;
    assert!(client.errors.is_empty(), "{:?}", client.errors);
}

async fn a_password_starts_a_session_cookie_that_logging_out_ends(db: TestDb) {
    let server = ServerProcess::start(&Options::new(&db)).await;
    let addr = server.addr;

    // A wrong password, and a login no one has, get the same answer.
    let wrong = login(addr, "tech", "incorrect horse battery").await;
    assert_eq!(wrong.status, 401, "{}", wrong.body);
    assert_eq!(wrong.error(), WRONG_LOGIN);
    assert!(!wrong.headers.contains_key("set-cookie"));
    let unknown = login(addr, "nobody-here", PASSWORD).await;
    assert_eq!(
        (unknown.status, unknown.body.as_str()),
        (wrong.status, wrong.body.as_str())
    );
    assert!(!unknown.headers.contains_key("set-cookie"));

    // The right password: the profile, and an HttpOnly, SameSite=Strict cookie.
    let right = login(addr, "tech", PASSWORD).await;
    assert_eq!(right.status, 200, "{}", right.body);
    let profile = right.json();
    assert_eq!(profile["user"]["login"], "tech");
    assert_eq!(profile["user"]["role"], "technician");
    assert_eq!(profile["user"]["organisation"], credentials::ORGANISATION);
    assert_eq!(profile["sites"][0]["id"], credentials::SITE);
    let set_cookie = right.headers.get("set-cookie").expect("Set-Cookie");
    let attributes: Vec<&str> = set_cookie.split(';').map(str::trim).collect();
    let value = attributes[0]
        .strip_prefix("fieldbook_session=")
        .unwrap_or_else(|| panic!("not the session cookie: {set_cookie}"));
    assert!(value.len() >= 20, "a real secret: {set_cookie}");
    assert!(attributes.contains(&"HttpOnly"), "{set_cookie}");
    assert!(attributes.contains(&"SameSite=Strict"), "{set_cookie}");
    let cookie = attributes[0].to_owned();

    // The cookie signs in.
    let signed_in = me(addr, &[("Cookie", &cookie)]).await;
    assert_eq!(signed_in.status, 200, "{}", signed_in.body);
    assert_eq!(signed_in.json()["user"]["login"], "tech");

    // Signing out: 204 and a cookie that clears it.
    let out = http::request(addr, "POST", "/api/logout", &[("Cookie", &cookie)], None).await;
    assert_eq!(out.status, 204, "{}", out.body);
    let cleared = out
        .headers
        .get("set-cookie")
        .expect("a clearing Set-Cookie");
    assert!(
        cleared.starts_with("fieldbook_session=;"),
        "an empty value: {cleared}"
    );
    assert!(cleared.contains("Max-Age=0"), "{cleared}");

    // The old cookie no longer signs in, and says why.
    let ended = me(addr, &[("Cookie", &cookie)]).await;
    assert_eq!(ended.status, 401, "{}", ended.body);
    assert_eq!(ended.error(), SESSION_ENDED);

    // Nothing at all.
    let nothing = me(addr, &[]).await;
    assert_eq!(nothing.status, 401, "{}", nothing.body);
    assert_eq!(nothing.error(), SIGN_IN_FIRST);
}

async fn the_sync_upgrade_demands_a_credential_and_an_allowed_origin_with_a_cookie(db: TestDb) {
    let listed = "https://fieldbook.example.com";
    let server = ServerProcess::start(&Options {
        extra_args: vec!["--allowed-origin".to_owned(), listed.to_owned()],
        ..Options::new(&db)
    })
    .await;
    let addr = server.addr;

    // No credential: 401 before any upgrade.
    let (status, body) = refused_upgrade(addr, plain_request(addr, "/sync")).await;
    assert_eq!(status, 401);
    assert_eq!(error_of(&body), SIGN_IN_FIRST);

    // A token that is not one.
    let (status, _) =
        refused_upgrade(addr, bearer_request(addr, "/sync", Some("not-a-token"))).await;
    assert_eq!(status, 401);

    let cookie = session_cookie(addr, "tech", PASSWORD).await;

    // The cookie from a page of another origin: 403.
    let (status, body) = refused_upgrade(
        addr,
        cookie_request(addr, &cookie, Some("https://evil.example")),
    )
    .await;
    assert_eq!(status, 403);
    assert!(error_of(&body).contains("https://evil.example"), "{body}");

    // The cookie with no Origin at all: refused too (browsers always send one).
    let (status, _) = refused_upgrade(addr, cookie_request(addr, &cookie, None)).await;
    assert_eq!(status, 403);

    // The cookie from the server's own origin: upgrade, handshake, sync.
    let own = format!("http://{addr}");
    let client =
        TestClient::connect_with(addr, cookie_request(addr, &cookie, Some(&own)), "browser").await;
    syncs(client).await;

    // The cookie from the listed origin.
    let client = TestClient::connect_with(
        addr,
        cookie_request(addr, &cookie, Some(listed)),
        "browser-2",
    )
    .await;
    syncs(client).await;

    // An origin that only resembles the listed one is not it.
    let (status, _) = refused_upgrade(
        addr,
        cookie_request(
            addr,
            &cookie,
            Some("https://fieldbook.example.com.evil.example"),
        ),
    )
    .await;
    assert_eq!(status, 403);

    // A server not told about that origin refuses it.
    drop(server);
    let plain = ServerProcess::start(&Options::new(&db)).await;
    let cookie = session_cookie(plain.addr, "tech", PASSWORD).await;
    let (status, _) = refused_upgrade(
        plain.addr,
        cookie_request(plain.addr, &cookie, Some(listed)),
    )
    .await;
    assert_eq!(status, 403);
}

async fn a_sync_ticket_opens_one_connection_within_its_minute(db: TestDb) {
    let server = ServerProcess::start(&Options::new(&db)).await;
    let addr = server.addr;
    let token = credentials::token_for(addr).expect("the test token");
    let bearer = format!("Bearer {token}");

    // Without a credential: no ticket.
    let refused = http::request(addr, "POST", "/api/sync-tickets", &[], None).await;
    assert_eq!(refused.status, 401, "{}", refused.body);
    assert_eq!(refused.error(), SIGN_IN_FIRST);

    let before = now_ms();
    let issued = http::request(
        addr,
        "POST",
        "/api/sync-tickets",
        &[("Authorization", &bearer)],
        None,
    )
    .await;
    let after = now_ms();
    assert_eq!(issued.status, 200, "{}", issued.body);
    let json = issued.json();
    let ticket = json["ticket"].as_str().expect("a ticket").to_owned();
    assert!(ticket.len() >= 20, "{ticket}");
    let expires_at = json["expiresAt"].as_i64().expect("expiresAt");
    assert!(
        (before + 59_000..=after + 61_000).contains(&expires_at),
        "a minute from now: {expires_at} (issued between {before} and {after})"
    );

    // The ticket opens one connection, which syncs.
    let path = format!("/sync?ticket={ticket}");
    let client = TestClient::connect_with(addr, plain_request(addr, &path), "adapter").await;
    syncs(client).await;

    // Not a second one.
    let (status, body) = refused_upgrade(addr, plain_request(addr, &path)).await;
    assert_eq!(status, 401);
    assert!(error_of(&body).contains("ticket"), "{body}");

    // A ticket past its expiry does not open one either.
    let database = db.open_database().await;
    let user = database
        .directory
        .user_by_login("tech")
        .await
        .expect("query")
        .expect("tech");
    let stale = secret::generate();
    database
        .directory
        .add_credential(&NewCredential {
            secret_sha256: secret::digest(&stale),
            user_id: user.id.clone(),
            kind: CredentialKind::Ticket,
            label: String::new(),
            created_ms: now_ms() - 120_000,
            expires_ms: Some(now_ms() - 60_000),
        })
        .await
        .expect("add a stale ticket");
    // … while the same insert, unexpired, does: the refusal is the expiry's.
    let fresh = secret::generate();
    database
        .directory
        .add_credential(&NewCredential {
            secret_sha256: secret::digest(&fresh),
            user_id: user.id,
            kind: CredentialKind::Ticket,
            label: String::new(),
            created_ms: now_ms(),
            expires_ms: Some(now_ms() + 60_000),
        })
        .await
        .expect("add a fresh ticket");
    database.store.close().await;
    let (status, _) =
        refused_upgrade(addr, plain_request(addr, &format!("/sync?ticket={stale}"))).await;
    assert_eq!(status, 401);
    let client = TestClient::connect_with(
        addr,
        plain_request(addr, &format!("/sync?ticket={fresh}")),
        "adapter-2",
    )
    .await;
    syncs(client).await;

    // Nor does a ticket the server never issued.
    let (status, _) = refused_upgrade(addr, plain_request(addr, "/sync?ticket=made-up")).await;
    assert_eq!(status, 401);
}

async fn an_expired_session_is_refused_with_a_sign_in_again_message(db: TestDb) {
    let server = ServerProcess::start(&Options::new(&db)).await;
    let database = db.open_database().await;
    let user = database
        .directory
        .user_by_login("tech")
        .await
        .expect("query")
        .expect("tech");
    let mut cookies = Vec::new();
    for expires_ms in [now_ms() - 1_000, now_ms() + 3_600_000] {
        let session = secret::generate();
        database
            .directory
            .add_credential(&NewCredential {
                secret_sha256: secret::digest(&session),
                user_id: user.id.clone(),
                kind: CredentialKind::Session,
                label: String::new(),
                created_ms: now_ms() - 7_200_000,
                expires_ms: Some(expires_ms),
            })
            .await
            .expect("add a session");
        cookies.push(format!("fieldbook_session={session}"));
    }
    database.store.close().await;

    let expired = me(server.addr, &[("Cookie", &cookies[0])]).await;
    assert_eq!(expired.status, 401, "{}", expired.body);
    assert_eq!(expired.error(), SESSION_ENDED);
    // The same kind of row, not yet expired, signs in.
    let current = me(server.addr, &[("Cookie", &cookies[1])]).await;
    assert_eq!(current.status, 200, "{}", current.body);
    assert_eq!(current.json()["user"]["login"], "tech");
    // The expired one does not open a sync connection either.
    let own = format!("http://{}", server.addr);
    let (status, body) = refused_upgrade(
        server.addr,
        cookie_request(server.addr, &cookies[0], Some(&own)),
    )
    .await;
    assert_eq!((status, error_of(&body).as_str()), (401, SESSION_ENDED));
}

/// Runs the server binary's admin command `args` on `database`, with `stdin`;
/// returns whether it succeeded, and its standard output and error.
async fn admin(database: &str, args: &[&str], stdin: Option<&str>) -> (bool, String, String) {
    let mut command = tokio::process::Command::new(env!("CARGO_BIN_EXE_fieldbook-sync-server"));
    command
        .arg("--database")
        .arg(database)
        .args(args)
        .env_remove("FIELDBOOK_DEMO")
        .env_remove("FIELDBOOK_DATABASE")
        .env("RUST_LOG", "warn")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    let mut child = command.spawn().expect("run the admin command");
    let mut input = child.stdin.take().expect("piped stdin");
    if let Some(text) = stdin {
        input.write_all(text.as_bytes()).await.expect("write stdin");
    }
    drop(input);
    let output = tokio::time::timeout(std::time::Duration::from_secs(60), child.wait_with_output())
        .await
        .expect("the admin command finishes")
        .expect("wait for the admin command");
    (
        output.status.success(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

async fn the_admin_commands_make_people_and_tokens_that_sign_in(db: TestDb) {
    let url = db.url().to_owned();
    let run = |args: &'static [&'static str], stdin: Option<&'static str>| {
        let url = url.clone();
        async move {
            let (ok, stdout, stderr) = admin(&url, args, stdin).await;
            assert!(ok, "{args:?} failed:\n{stdout}\n{stderr}");
            stdout
        }
    };
    run(&["org", "add", "globex", "Globex Corporation"], None).await;
    run(
        &["site", "add", "--org", "globex", "west", "West yard"],
        None,
    )
    .await;
    let added = run(
        &[
            "user",
            "add",
            "--org",
            "globex",
            "--login",
            "ann",
            "--name",
            "Ann Auditor",
            "--role",
            "auditor",
            "--site",
            "west",
            "--password-stdin",
        ],
        Some("a long enough secret\n"),
    )
    .await;
    assert!(!added.contains("a long enough secret"), "{added}");

    // A role that is not one of the four: refused, and no one is added.
    let (ok, stdout, stderr) = admin(
        &url,
        &[
            "user",
            "add",
            "--org",
            "globex",
            "--login",
            "boss",
            "--name",
            "Boss",
            "--role",
            "overlord",
            "--site",
            "west",
            "--password-stdin",
        ],
        Some("a long enough secret\n"),
    )
    .await;
    assert!(!ok, "an unknown role was accepted:\n{stdout}\n{stderr}");
    assert!(stderr.contains("overlord"), "{stderr}");

    let server = ServerProcess::start(&Options::new(&db)).await;
    let addr = server.addr;

    // The password given on standard input signs in.
    let signed_in = login(addr, "ann", "a long enough secret").await;
    assert_eq!(signed_in.status, 200, "{}", signed_in.body);
    let cookie = session_cookie(addr, "ann", "a long enough secret").await;
    let profile = me(addr, &[("Cookie", &cookie)]).await;
    assert_eq!(profile.status, 200, "{}", profile.body);
    let profile = profile.json();
    assert_eq!(profile["user"]["login"], "ann");
    assert_eq!(profile["user"]["name"], "Ann Auditor");
    assert_eq!(profile["user"]["role"], "auditor");
    assert_eq!(profile["user"]["organisation"], "globex");
    assert_eq!(profile["sites"][0]["id"], "west");
    assert_eq!(profile["sites"][0]["name"], "West yard");
    assert_eq!(
        login(addr, "boss", "a long enough secret").await.status,
        401
    );

    // A token made now (the server is running) works as a bearer token.
    let token = run(
        &["token", "create", "--login", "ann", "--label", "export"],
        None,
    )
    .await;
    let token = token.trim();
    assert!(
        !token.is_empty() && !token.contains(char::is_whitespace),
        "{token:?}"
    );
    let bearer = format!("Bearer {token}");
    let by_token = me(addr, &[("Authorization", &bearer)]).await;
    assert_eq!(by_token.status, 200, "{}", by_token.body);
    assert_eq!(by_token.json()["user"]["login"], "ann");
    assert_eq!(by_token.json()["user"]["role"], "auditor");
    let wrong = me(addr, &[("Authorization", "Bearer x")]).await;
    assert_eq!(wrong.status, 401);

    // The new site's catalog lists the shipped ISO/IEC 20000-1 template, which
    // the site's auditor can read.
    let catalog_id: fieldbook_core::ids::DocumentId = profile["sites"][0]["catalog"]
        .as_str()
        .expect("catalog id text")
        .parse()
        .expect("a document id");
    let mut client = TestClient::connect_as(addr, "ann-tablet", token).await;
    client.request(catalog_id).await;
    client
        .until("the catalog listing a template", |c| {
            catalog::entries(c.doc(catalog_id)).is_ok_and(|e| !e.is_empty())
        })
        .await;
    let entries = catalog::entries(client.doc(catalog_id)).expect("entries");
    assert_eq!(entries.len(), 1, "{entries:?}");
    assert_eq!(entries[0].kind, "checklist-template");
    let template_id = entries[0].id;
    client.request(template_id).await;
    client
        .until("the template", |c| {
            checklist_template::read(c.doc(template_id)).is_ok()
        })
        .await;
    let record = checklist_template::read(client.doc(template_id)).expect("template");
    assert_eq!(record.template, iso20000_internal_audit());
}

async fn the_demo_prints_a_sign_in_that_works(db: TestDb) {
    let mut server = ServerProcess::start(&Options {
        demo: true,
        ..Options::new(&db)
    })
    .await;
    let line = server.next_stdout_line().await;
    assert!(line.starts_with("demo sign-in: "), "{line:?}");
    // "login `L`, password `P` (also: …)": sign in with what it says.
    let quoted: Vec<&str> = line.split('`').collect();
    assert!(quoted.len() >= 5, "{line:?}");
    let (user, password) = (quoted[1], quoted[3]);
    assert_eq!(user, "tech");
    let response = login(server.addr, user, password).await;
    assert_eq!(response.status, 200, "{}", response.body);
    let profile = response.json();
    assert_eq!(profile["user"]["login"], "tech");
    assert_eq!(profile["user"]["organisation"], "demo");
    assert_eq!(profile["sites"][0]["id"], "demo");

    // The other logins it lists sign in with the same password.
    let also = line
        .split("(also: ")
        .nth(1)
        .and_then(|rest| rest.strip_suffix(')'))
        .unwrap_or_else(|| panic!("no list of other logins: {line:?}"));
    let others: Vec<&str> = also.split(", ").collect();
    assert!(
        others.contains(&"auditor") && others.contains(&"admin"),
        "{others:?}"
    );
    for other in others {
        let response = login(server.addr, other, password).await;
        assert_eq!(response.status, 200, "{other}: {}", response.body);
        assert_eq!(response.json()["user"]["login"], other);
    }
    assert_eq!(
        login(server.addr, user, "not-the-password").await.status,
        401
    );
}

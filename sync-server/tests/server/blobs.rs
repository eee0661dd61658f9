//! Evidence blobs over real sockets: `PUT` and `GET /api/blobs/{sha256}` with the
//! hash checked against the body, idempotent storing, the size and type limits,
//! sign-in, and organisations kept apart.

use std::net::SocketAddr;

use fieldbook_core::model::access::Role;
use fieldbook_sync_server::store::{Database, NewUser};
use sha2::{Digest, Sha256};

use crate::credentials::{self, ORGANISATION};
use crate::http::{self, RawResponse};
use crate::random_id;
use crate::server_process::{Options, ServerProcess};
use crate::test_db::TestDb;

backend_tests!(
    tokio::test;
    a_stored_photo_comes_back_with_its_type_and_is_cached_for_good,
    storing_the_same_photo_again_is_200_and_changes_nothing,
    a_body_that_is_not_what_the_path_names_is_refused_with_400,
    a_photo_over_the_size_limit_is_refused_with_413,
    only_jpeg_png_and_webp_are_taken,
    without_a_sign_in_nothing_is_stored_or_read,
    another_organisation_gets_the_answer_a_missing_blob_gets,
);

const CACHE_FOREVER: &str = "private, max-age=31536000, immutable";

/// A PNG signature and `len - 8` more bytes made from `seed` (the server checks the
/// first bytes and the hash, not the pixels).
fn png(len: usize, seed: u8) -> Vec<u8> {
    let mut bytes = b"\x89PNG\r\n\x1a\n".to_vec();
    bytes.extend((0..len - 8).map(|i| (i as u8).wrapping_mul(31).wrapping_add(seed)));
    bytes
}

/// The smallest JPEG-looking body: its start-of-image marker and a few bytes.
fn jpeg(seed: u8) -> Vec<u8> {
    vec![0xFF, 0xD8, 0xFF, 0xE0, seed, seed, 0xFF, 0xD9]
}

fn sha256(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn path(hash: &str) -> String {
    format!("/api/blobs/{hash}")
}

/// `PUT` `bytes` under `hash` as `content_type`, with `token` (none if `None`).
async fn put(
    addr: SocketAddr,
    token: Option<&str>,
    hash: &str,
    content_type: Option<&str>,
    bytes: &[u8],
) -> RawResponse {
    let auth = token.map(|t| format!("Bearer {t}"));
    let mut headers: Vec<(&str, &str)> = Vec::new();
    if let Some(auth) = auth.as_deref() {
        headers.push(("Authorization", auth));
    }
    if let Some(content_type) = content_type {
        headers.push(("Content-Type", content_type));
    }
    http::send(addr, "PUT", &path(hash), &headers, bytes).await
}

async fn get(addr: SocketAddr, token: Option<&str>, hash: &str) -> RawResponse {
    let auth = token.map(|t| format!("Bearer {t}"));
    let headers: Vec<(&str, &str)> = auth
        .as_deref()
        .map(|a| vec![("Authorization", a)])
        .unwrap_or_default();
    http::send(addr, "GET", &path(hash), &headers, &[]).await
}

/// The `error` of a JSON error body.
fn error(response: &RawResponse) -> String {
    let json: serde_json::Value = serde_json::from_slice(&response.body).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {:?}",
            String::from_utf8_lossy(&response.body)
        )
    });
    json["error"]
        .as_str()
        .unwrap_or_else(|| panic!("no `error` in {json}"))
        .to_owned()
}

/// The test technician's token on the server at `addr`.
fn tech(addr: SocketAddr) -> String {
    credentials::token_for(addr).expect("the test token")
}

/// Adds a user of `organisation` (created with a site if missing) and returns a
/// token for them.
async fn person(db: &Database, organisation: &str, site: &str, login: &str) -> String {
    if !db
        .directory
        .organisation_exists(organisation)
        .await
        .expect("query")
    {
        db.directory
            .add_organisation(organisation, organisation)
            .await
            .expect("add the organisation");
        db.store
            .add_site(organisation, site, site, random_id())
            .await
            .expect("add the site");
    }
    db.directory
        .add_user(&NewUser {
            id: format!("u-{login}"),
            organisation: organisation.to_owned(),
            login: login.to_owned(),
            name: login.to_owned(),
            role: Role::Technician,
            password_hash: credentials::password_hash(),
            sites: vec![site.to_owned()],
            default_site: site.to_owned(),
        })
        .await
        .expect("add the user");
    credentials::new_token(db, login).await
}

async fn a_stored_photo_comes_back_with_its_type_and_is_cached_for_good(db: TestDb) {
    let server = ServerProcess::start(&Options::new(&db)).await;
    let token = tech(server.addr);
    let (photo, picture) = (png(3000, 1), jpeg(7));

    let stored = put(
        server.addr,
        Some(&token),
        &sha256(&photo),
        Some("image/png"),
        &photo,
    )
    .await;
    assert_eq!(
        stored.status,
        201,
        "{}",
        String::from_utf8_lossy(&stored.body)
    );
    let answer: serde_json::Value = serde_json::from_slice(&stored.body).expect("JSON");
    assert_eq!(answer["sha256"], sha256(&photo));
    assert_eq!(answer["size"], 3000);
    let stored = put(
        server.addr,
        Some(&token),
        &sha256(&picture),
        Some("image/jpeg"),
        &picture,
    )
    .await;
    assert_eq!(stored.status, 201);

    for (bytes, content_type) in [(&photo, "image/png"), (&picture, "image/jpeg")] {
        let fetched = get(server.addr, Some(&token), &sha256(bytes)).await;
        assert_eq!(fetched.status, 200);
        assert_eq!(&fetched.body, bytes);
        assert_eq!(
            fetched.headers.get("content-type").map(String::as_str),
            Some(content_type)
        );
        assert_eq!(
            fetched.headers.get("cache-control").map(String::as_str),
            Some(CACHE_FOREVER)
        );
        assert_eq!(
            fetched
                .headers
                .get("x-content-type-options")
                .map(String::as_str),
            Some("nosniff")
        );
    }
    // The hash may be written in capitals; it names the same blob.
    let upper = get(server.addr, Some(&token), &sha256(&photo).to_uppercase()).await;
    assert_eq!((upper.status, &upper.body), (200, &photo));
}

async fn storing_the_same_photo_again_is_200_and_changes_nothing(db: TestDb) {
    let server = ServerProcess::start(&Options::new(&db)).await;
    let token = tech(server.addr);
    let database = db.open_database().await;
    let colleague = person(&database, ORGANISATION, credentials::SITE, "kim").await;
    let photo = png(500, 2);
    let hash = sha256(&photo);

    let first = put(server.addr, Some(&token), &hash, Some("image/png"), &photo).await;
    assert_eq!(first.status, 201);
    // A retried upload, and the same photo from a colleague's device.
    let again = put(server.addr, Some(&token), &hash, Some("image/png"), &photo).await;
    assert_eq!(
        again.status,
        200,
        "{}",
        String::from_utf8_lossy(&again.body)
    );
    let theirs = put(
        server.addr,
        Some(&colleague),
        &hash,
        Some("image/png"),
        &photo,
    )
    .await;
    assert_eq!(theirs.status, 200);

    assert_eq!(
        db.blob_rows().await,
        vec![(
            hash.clone(),
            ORGANISATION.to_owned(),
            "u-tech".to_owned(),
            500
        )],
        "one row, still the first uploader's"
    );
    let fetched = get(server.addr, Some(&colleague), &hash).await;
    assert_eq!((fetched.status, &fetched.body), (200, &photo));
}

async fn a_body_that_is_not_what_the_path_names_is_refused_with_400(db: TestDb) {
    let server = ServerProcess::start(&Options::new(&db)).await;
    let token = tech(server.addr);
    let photo = png(400, 3);
    let other = sha256(&png(400, 4));

    let wrong = put(server.addr, Some(&token), &other, Some("image/png"), &photo).await;
    assert_eq!(wrong.status, 400);
    assert_eq!(
        error(&wrong),
        format!(
            "the body's SHA-256 is {}, not {other} as the path says: \
             the upload was damaged or sent to the wrong address",
            sha256(&photo)
        )
    );
    let short = put(
        server.addr,
        Some(&token),
        "abc123",
        Some("image/png"),
        &photo,
    )
    .await;
    assert_eq!(short.status, 400);
    assert_eq!(
        error(&short),
        "`abc123` is not a SHA-256: the path must end in 64 hexadecimal digits"
    );
    let empty = put(
        server.addr,
        Some(&token),
        &sha256(&[]),
        Some("image/png"),
        &[],
    )
    .await;
    assert_eq!(empty.status, 400);
    assert_eq!(error(&empty), "the body is empty: send the photo's bytes");

    assert_eq!(db.blob_rows().await, vec![], "nothing was stored");
    assert_eq!(get(server.addr, Some(&token), &other).await.status, 404);
}

async fn a_photo_over_the_size_limit_is_refused_with_413(db: TestDb) {
    let server = ServerProcess::start(&Options {
        extra_args: vec!["--max-blob-bytes".into(), "1000".into()],
        ..Options::new(&db)
    })
    .await;
    let token = tech(server.addr);
    let (fits, too_big) = (png(1000, 5), png(1001, 5));

    let refused = put(
        server.addr,
        Some(&token),
        &sha256(&too_big),
        Some("image/png"),
        &too_big,
    )
    .await;
    assert_eq!(refused.status, 413);
    assert_eq!(
        error(&refused),
        "this photo is larger than the server takes (1000 bytes at most)"
    );
    let stored = put(
        server.addr,
        Some(&token),
        &sha256(&fits),
        Some("image/png"),
        &fits,
    )
    .await;
    assert_eq!(stored.status, 201, "exactly the limit is taken");
    let rows = db.blob_rows().await;
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].0, sha256(&fits));
}

async fn only_jpeg_png_and_webp_are_taken(db: TestDb) {
    let server = ServerProcess::start(&Options::new(&db)).await;
    let token = tech(server.addr);
    let photo = png(300, 6);
    let hash = sha256(&photo);

    for content_type in ["image/gif", "text/html", "application/octet-stream"] {
        let refused = put(server.addr, Some(&token), &hash, Some(content_type), &photo).await;
        assert_eq!(refused.status, 415, "{content_type}");
        assert_eq!(
            error(&refused),
            format!(
                "a photo must be sent as image/jpeg, image/png or image/webp, not {content_type}"
            )
        );
    }
    let untyped = put(server.addr, Some(&token), &hash, None, &photo).await;
    assert_eq!(untyped.status, 415);
    assert_eq!(
        error(&untyped),
        "a photo must be sent as image/jpeg, image/png or image/webp, not no content type"
    );
    // A PNG that says it is a JPEG.
    let mislabelled = put(server.addr, Some(&token), &hash, Some("image/jpeg"), &photo).await;
    assert_eq!(mislabelled.status, 415);
    assert_eq!(
        error(&mislabelled),
        "the body does not look like a image/jpeg image: its first bytes do not match"
    );
    assert_eq!(db.blob_rows().await, vec![], "nothing was stored");

    let webp = b"RIFF\x10\0\0\0WEBPVP8 \x04\0\0\0abcd".to_vec();
    let stored = put(
        server.addr,
        Some(&token),
        &sha256(&webp),
        Some("image/webp"),
        &webp,
    )
    .await;
    assert_eq!(stored.status, 201);
    let fetched = get(server.addr, Some(&token), &sha256(&webp)).await;
    assert_eq!(
        fetched.headers.get("content-type").map(String::as_str),
        Some("image/webp")
    );
}

async fn without_a_sign_in_nothing_is_stored_or_read(db: TestDb) {
    let server = ServerProcess::start(&Options::new(&db)).await;
    let token = tech(server.addr);
    let (photo, stored) = (png(200, 8), png(200, 9));
    assert_eq!(
        put(
            server.addr,
            Some(&token),
            &sha256(&stored),
            Some("image/png"),
            &stored
        )
        .await
        .status,
        201
    );

    let anonymous = put(
        server.addr,
        None,
        &sha256(&photo),
        Some("image/png"),
        &photo,
    )
    .await;
    assert_eq!(
        (anonymous.status, error(&anonymous)),
        (401, "sign in first".to_owned())
    );
    let forged = put(
        server.addr,
        Some("not-a-token"),
        &sha256(&photo),
        Some("image/png"),
        &photo,
    )
    .await;
    assert_eq!(forged.status, 401);
    let read = get(server.addr, None, &sha256(&stored)).await;
    assert_eq!(
        (read.status, error(&read)),
        (401, "sign in first".to_owned())
    );
    assert!(
        !read.body.windows(4).any(|w| w == b"PNG\r"),
        "no bytes leak"
    );

    let rows = db.blob_rows().await;
    assert_eq!(rows.len(), 1, "only the signed-in upload: {rows:?}");
}

async fn another_organisation_gets_the_answer_a_missing_blob_gets(db: TestDb) {
    let server = ServerProcess::start(&Options::new(&db)).await;
    let token = tech(server.addr);
    let database = db.open_database().await;
    let outsider = person(&database, "globex", "west", "gus").await;
    let photo = jpeg(10);
    let hash = sha256(&photo);
    assert_eq!(
        put(server.addr, Some(&token), &hash, Some("image/jpeg"), &photo)
            .await
            .status,
        201
    );

    let theirs = get(server.addr, Some(&outsider), &hash).await;
    let missing = get(server.addr, Some(&outsider), &sha256(&jpeg(11))).await;
    assert_eq!(theirs.status, 404);
    assert_eq!(
        (theirs.status, &theirs.body),
        (missing.status, &missing.body),
        "the same answer as for a blob no one has"
    );
    assert_eq!(
        theirs.headers.get("content-type"),
        missing.headers.get("content-type")
    );

    // Having the same photo, globex stores its own copy: new for globex (201),
    // and acme's stays acme's.
    let own = put(
        server.addr,
        Some(&outsider),
        &hash,
        Some("image/jpeg"),
        &photo,
    )
    .await;
    assert_eq!(own.status, 201);
    assert_eq!(
        db.blob_rows().await,
        vec![
            (hash.clone(), "acme".to_owned(), "u-tech".to_owned(), 8),
            (hash.clone(), "globex".to_owned(), "u-gus".to_owned(), 8),
        ]
    );
    assert_eq!(get(server.addr, Some(&outsider), &hash).await.status, 200);
}

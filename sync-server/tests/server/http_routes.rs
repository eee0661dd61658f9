//! Health, the built app with its single-page fallback, and the JSON API's 404.

use crate::http;
use crate::server_process::{Options, ServerProcess};
use crate::test_db::TestDb;

backend_tests!(
    tokio::test;
    without_a_built_app_the_page_says_how_to_build_it,
    unknown_paths_serve_the_app_page_but_unknown_api_paths_are_404,
);

async fn without_a_built_app_the_page_says_how_to_build_it(db: TestDb) {
    let server = ServerProcess::start(&Options::new(&db)).await;

    let health = http::get(server.addr, "/healthz").await;
    assert_eq!((health.status, health.body.as_str()), (200, "ok"));

    let page = http::get(server.addr, "/").await;
    assert_eq!(page.status, 503);
    assert!(page.body.contains("cargo xtask build"), "{}", page.body);
}

async fn unknown_paths_serve_the_app_page_but_unknown_api_paths_are_404(db: TestDb) {
    let dist = db.dir().join("dist");
    std::fs::create_dir(&dist).expect("dist");
    let index = "<!doctype html><title>Fieldbook</title>";
    std::fs::write(dist.join("index.html"), index).expect("index.html");
    std::fs::write(dist.join("sw.js"), "// service worker").expect("sw.js");
    std::fs::write(dist.join("app.js"), "// app").expect("app.js");
    let server = ServerProcess::start(&Options {
        dist: Some(dist),
        ..Options::new(&db)
    })
    .await;

    let health = http::get(server.addr, "/healthz").await;
    assert_eq!((health.status, health.body.as_str()), (200, "ok"));

    for path in ["/", "/incidents/42"] {
        let page = http::get(server.addr, path).await;
        assert_eq!((page.status, page.body.as_str()), (200, index), "{path}");
        assert_eq!(
            page.headers.get("cache-control").map(String::as_str),
            Some("no-cache")
        );
    }
    let worker = http::get(server.addr, "/sw.js").await;
    assert_eq!(worker.status, 200);
    assert_eq!(
        worker.headers.get("cache-control").map(String::as_str),
        Some("no-cache")
    );
    let script = http::get(server.addr, "/app.js").await;
    assert_eq!((script.status, script.body.as_str()), (200, "// app"));
    assert_eq!(script.headers.get("cache-control"), None);

    let api = http::get(server.addr, "/api/nothing-here").await;
    assert_eq!(api.status, 404);
}

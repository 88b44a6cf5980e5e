//! The HTTP surface as a whole: bad input of every kind gets a JSON 4xx and changes nothing;
//! security headers; health, readiness, metrics and the OpenAPI document.

use kindred_tests::{Backend, TestApp, both_backends};
use reqwest::StatusCode;
use serde_json::json;

both_backends!(bad_input_gets_json_errors_and_changes_nothing, ops_endpoints_and_headers);

async fn bad_input_gets_json_errors_and_changes_nothing(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.user("cora@example.org", "Cora", false, true).await;
    let cora = app.signed_in("cora@example.org").await;

    // Malformed JSON, wrong types, missing fields, wrong content type.
    cora.post_raw("/api/programs", "application/json", "{\"name\": ")
        .await
        .assert_error(StatusCode::BAD_REQUEST, "bad_request");
    cora.post_raw("/api/programs", "application/json", "[1,2]")
        .await
        .assert_error(StatusCode::UNPROCESSABLE_ENTITY, "validation");
    let wrong_type = cora.post("/api/programs", json!({"name": ["a"]})).await;
    wrong_type.assert_error(StatusCode::UNPROCESSABLE_ENTITY, "validation");
    assert!(wrong_type.body["error"]["fields"]["name"].is_string(), "{}", wrong_type.text);
    cora.post("/api/programs", json!({})).await.assert_error(StatusCode::UNPROCESSABLE_ENTITY, "validation");
    cora.post_raw("/api/programs", "text/plain", "{\"name\": \"x\"}")
        .await
        .assert_error(StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type");
    cora.post_raw("/api/programs", "application/json", vec![0xff, 0xfe, 0x00])
        .await
        .assert_error(StatusCode::BAD_REQUEST, "bad_request");

    // Oversized bodies.
    let big = json!({"name": "x", "description": "y".repeat(2 * 1024 * 1024)});
    cora.post("/api/programs", big).await.assert_error(StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large");

    // Invalid emails in an invitation; unknown and malformed ids; unknown routes and methods.
    let program = cora.post("/api/programs", json!({"name": "P"})).await.body["id"].as_str().unwrap().to_owned();
    let inv = format!("/api/programs/{program}/invitations");
    for email in ["nope", "a@b", "x y@example.org", ""] {
        let res = cora.post(&inv, json!({"name": "N", "email": email, "role": "mentee"})).await;
        res.assert_error(StatusCode::UNPROCESSABLE_ENTITY, "validation");
        assert!(res.body["error"]["fields"]["email"].is_string());
    }
    cora.post(&inv, json!({"name": "N", "email": "n@example.org", "role": "overlord"}))
        .await
        .assert_error(StatusCode::UNPROCESSABLE_ENTITY, "validation");
    let unknown = uuid::Uuid::new_v4();
    cora.get(&format!("/api/programs/{unknown}")).await.assert_error(StatusCode::NOT_FOUND, "not_found");
    cora.get("/api/programs/not-a-uuid").await.assert_error(StatusCode::NOT_FOUND, "not_found");
    cora.post(&format!("{inv}/{unknown}/revoke"), json!({})).await.assert_error(StatusCode::NOT_FOUND, "not_found");
    cora.post(&format!("{inv}/{unknown}/resend"), json!({})).await.assert_error(StatusCode::NOT_FOUND, "not_found");
    cora.get("/api/no/such/thing").await.assert_error(StatusCode::NOT_FOUND, "not_found");
    cora.delete("/api/programs").await.assert_error(StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed");
    let long_token = "k".repeat(10_000);
    app.client().get(&format!("/api/invitations/{long_token}")).await.assert_error(StatusCode::NOT_FOUND, "not_found");
    app.client()
        .post("/api/auth/login", json!({"email": "cora@example.org", "password": "p".repeat(100_000)}))
        .await
        .assert_error(StatusCode::UNAUTHORIZED, "invalid_credentials");

    // After all that, only the one valid program exists and no invitation was made.
    assert_eq!(cora.get("/api/programs").await.body["items"].as_array().unwrap().len(), 1);
    assert_eq!(cora.get(&inv).await.body["items"].as_array().unwrap().len(), 0);
}

async fn ops_endpoints_and_headers(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let client = app.client();
    let health = client.get("/healthz").await;
    assert_eq!(health.status, StatusCode::OK);
    let ready = client.get("/readyz").await;
    assert_eq!(ready.status, StatusCode::OK);
    assert_eq!(ready.body["database"], "ok");

    let csp = health.headers.get("content-security-policy").unwrap().to_str().unwrap();
    assert!(csp.contains("default-src 'self'") && csp.contains("frame-ancestors 'none'"), "{csp}");
    assert!(!csp.contains("unsafe-inline"));
    assert_eq!(health.headers.get("x-content-type-options").unwrap(), "nosniff");
    assert_eq!(health.headers.get("referrer-policy").unwrap(), "no-referrer");
    assert_eq!(health.headers.get("x-frame-options").unwrap(), "DENY");
    assert!(health.headers.get("x-request-id").is_some());

    let spec = client.get("/api/openapi.json").await;
    assert_eq!(spec.status, StatusCode::OK);
    assert!(spec.body["openapi"].as_str().unwrap().starts_with("3."));
    let paths = spec.body["paths"].as_object().unwrap();
    for path in [
        "/api/auth/login",
        "/api/auth/logout-all",
        "/api/auth/password/reset",
        "/api/me",
        "/api/programs/{id}/invitations/import",
        "/api/invitations/{token}/accept",
        "/api/admin/outbox",
        "/readyz",
    ] {
        assert!(paths.contains_key(path), "OpenAPI lacks {path}");
    }
    assert!(spec.body["components"]["schemas"]["ErrorBody"].is_object());

    let metrics = app.client().http.get(format!("{}/metrics", app.url)).send().await.unwrap().text().await.unwrap();
    assert!(metrics.contains("kindred_http_requests_total"), "{metrics}");
}

/// Shutdown waits for the node's tracked background work (mail sent after answering, bus
/// delivery, the job runner, call ticks): work still running when the node is told to stop
/// finishes before `run` returns, instead of being cut off with the runtime.
#[tokio::test]
async fn shutdown_waits_for_background_work() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let done = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let started = std::sync::Arc::new(tokio::sync::Notify::new());
    app.state.tasks.spawn({
        let (done, started) = (done.clone(), started.clone());
        async move {
            started.notify_one();
            // Work that takes longer than the rest of shutdown does.
            tokio::time::sleep(std::time::Duration::from_secs(2)).await;
            done.store(true, std::sync::atomic::Ordering::SeqCst);
        }
    });
    started.notified().await;
    app.stop().await;
    assert!(done.load(std::sync::atomic::Ordering::SeqCst), "the server stopped before its background work finished");
}

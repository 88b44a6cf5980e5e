//! Accounts through the HTTP API: signing in and out, sessions, CSRF, bearer tokens, rate limits,
//! password resets and profiles. Each test runs on SQLite and on PostgreSQL.

use kindred_tests::{Backend, PASSWORD, TestApp, both_backends};
use reqwest::StatusCode;
use serde_json::{Value, json};

both_backends!(
    sign_in_session_and_sign_out,
    sign_out_everywhere_revokes_sessions_and_tokens,
    cookie_writes_need_the_csrf_token,
    bearer_tokens_work_without_cookies,
    sign_in_is_rate_limited_per_account,
    password_reset_by_email_link,
    profile_edit_and_validation,
    admin_creates_accounts_and_reads_the_outbox,
    per_address_limits_use_forwarded_for_only_when_trusted,
);

async fn sign_in_session_and_sign_out(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.user("ana@example.org", "Ana", false, false).await;
    let client = app.client();

    client.get("/api/auth/session").await.assert_error(StatusCode::UNAUTHORIZED, "unauthenticated");
    client
        .post("/api/auth/login", json!({"email": "ana@example.org", "password": "wrong-password"}))
        .await
        .assert_error(StatusCode::UNAUTHORIZED, "invalid_credentials");
    client
        .post("/api/auth/login", json!({"email": "nobody@example.org", "password": PASSWORD}))
        .await
        .assert_error(StatusCode::UNAUTHORIZED, "invalid_credentials");

    // Email matching ignores case and surrounding space.
    let res = client.post("/api/auth/login", json!({"email": " ANA@example.org ", "password": PASSWORD})).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    let cookie = res.headers.get("set-cookie").unwrap().to_str().unwrap().to_owned();
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"), "{cookie}");
    assert_eq!(res.body["user"]["email"], "ana@example.org");
    assert!(res.body["user"].get("password_hash").is_none());

    let session = client.get("/api/auth/session").await;
    assert_eq!(session.status, StatusCode::OK);
    assert_eq!(session.body["csrf_token"], res.body["csrf_token"]);

    assert_eq!(client.post("/api/auth/logout", json!({})).await.status, StatusCode::NO_CONTENT);
    client.get("/api/me").await.assert_error(StatusCode::UNAUTHORIZED, "unauthenticated");
}

async fn sign_out_everywhere_revokes_sessions_and_tokens(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.user("ana@example.org", "Ana", false, false).await;
    let laptop = app.signed_in("ana@example.org").await;
    let phone = app.signed_in("ana@example.org").await;
    let token = laptop.post("/api/me/tokens", json!({"name": "script"})).await;
    assert_eq!(token.status, StatusCode::CREATED, "{}", token.text);
    let api = app.bearer(token.body["secret"].as_str().unwrap());
    assert_eq!(api.get("/api/me").await.status, StatusCode::OK);

    assert_eq!(phone.post("/api/auth/logout-all", json!({})).await.status, StatusCode::NO_CONTENT);
    laptop.get("/api/me").await.assert_error(StatusCode::UNAUTHORIZED, "unauthenticated");
    phone.get("/api/me").await.assert_error(StatusCode::UNAUTHORIZED, "unauthenticated");
    api.get("/api/me").await.assert_error(StatusCode::UNAUTHORIZED, "unauthenticated");
}

async fn cookie_writes_need_the_csrf_token(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.user("ana@example.org", "Ana", false, false).await;
    let client = app.signed_in("ana@example.org").await;
    client.drop_csrf();
    client.patch("/api/me", json!({"pronouns": "she/her"})).await.assert_error(StatusCode::FORBIDDEN, "csrf_failed");
    client.post("/api/auth/logout", json!({})).await.assert_error(StatusCode::FORBIDDEN, "csrf_failed");
    // Nothing changed, and reads still work without the token.
    let me = client.get("/api/me").await;
    assert_eq!(me.status, StatusCode::OK);
    assert!(me.body["pronouns"].is_null());
    // A wrong token is as good as none.
    let res = client
        .http
        .patch(format!("{}/api/me", app.url))
        .header("x-csrf-token", "forged")
        .json(&json!({"pronouns": "x"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
}

async fn bearer_tokens_work_without_cookies(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.user("cora@example.org", "Cora", false, true).await;
    let browser = app.signed_in("cora@example.org").await;
    let created = browser.post("/api/me/tokens", json!({"name": "exporter"})).await;
    assert_eq!(created.status, StatusCode::CREATED);
    let secret = created.body["secret"].as_str().unwrap().to_owned();
    assert!(secret.starts_with("kt_"));

    // Bearer writes need no CSRF token: no browser sends them on its own.
    let api = app.bearer(&secret);
    let program = api.post("/api/programs", json!({"name": "Via API"})).await;
    assert_eq!(program.status, StatusCode::CREATED, "{}", program.text);

    let list = browser.get("/api/me/tokens").await;
    assert_eq!(list.body["items"].as_array().unwrap().len(), 1);
    assert_eq!(list.body["items"][0]["name"], "exporter");
    assert!(list.body["items"][0].get("secret").is_none());
    assert_eq!(list.body["items"][0]["last_used_at"], Value::Null, "used within its first minute");

    // Use is recorded at most once a minute, beside the request rather than before its answer:
    // the list shows it once the record lands.
    app.state.clock.advance(std::time::Duration::from_secs(120));
    assert_eq!(api.get("/api/me").await.status, StatusCode::OK);
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let list = browser.get("/api/me/tokens").await;
        if !list.body["items"][0]["last_used_at"].is_null() {
            break;
        }
        assert!(tokio::time::Instant::now() < deadline, "the token's use was never recorded: {}", list.text);
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }

    // A token is not a session cookie, and a forged token is nothing.
    let res = reqwest::Client::new()
        .get(format!("{}/api/me", app.url))
        .header("cookie", format!("kindred_session={secret}"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    app.bearer("kt_forged").get("/api/me").await.assert_error(StatusCode::UNAUTHORIZED, "unauthenticated");

    let id = list.body["items"][0]["id"].as_str().unwrap();
    assert_eq!(browser.delete(&format!("/api/me/tokens/{id}")).await.status, StatusCode::NO_CONTENT);
    api.get("/api/me").await.assert_error(StatusCode::UNAUTHORIZED, "unauthenticated");
    browser.delete(&format!("/api/me/tokens/{id}")).await.assert_error(StatusCode::NOT_FOUND, "not_found");
    browser
        .post("/api/me/tokens", json!({"name": ""}))
        .await
        .assert_error(StatusCode::UNPROCESSABLE_ENTITY, "validation");
}

async fn sign_in_is_rate_limited_per_account(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.user("ana@example.org", "Ana", false, false).await;
    let client = app.client();
    let limit = app.state.config.login_attempts_per_account;
    for _ in 0..limit {
        client
            .post("/api/auth/login", json!({"email": "ana@example.org", "password": "guess-guess-guess"}))
            .await
            .assert_error(StatusCode::UNAUTHORIZED, "invalid_credentials");
    }
    // Past the limit even the right password is refused until the window passes.
    client
        .post("/api/auth/login", json!({"email": "ana@example.org", "password": PASSWORD}))
        .await
        .assert_error(StatusCode::TOO_MANY_REQUESTS, "rate_limited");
    // Another account from the same address is not locked out by Ana's.
    app.user("bo@example.org", "Bo", false, false).await;
    assert_eq!(
        client.post("/api/auth/login", json!({"email": "bo@example.org", "password": PASSWORD})).await.status,
        StatusCode::OK
    );
}

async fn password_reset_by_email_link(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.user("ana@example.org", "Ana", false, false).await;
    let old_session = app.signed_in("ana@example.org").await;
    let client = app.client();

    // Unknown emails get the same answer and no mail.
    let res = client.post("/api/auth/password/forgot", json!({"email": "nobody@example.org"})).await;
    assert_eq!(res.status, StatusCode::ACCEPTED);
    let res = client.post("/api/auth/password/forgot", json!({"email": "ana@example.org"})).await;
    assert_eq!(res.status, StatusCode::ACCEPTED);
    let link = wait_for_link(&app, "ana@example.org").await;
    assert!(app.outbox().await.iter().all(|m| m.to != "nobody@example.org"));
    let token = link.rsplit('/').next().unwrap().to_owned();

    client
        .post("/api/auth/password/reset", json!({"token": token, "password": "short"}))
        .await
        .assert_error(StatusCode::UNPROCESSABLE_ENTITY, "validation");
    let res =
        client.post("/api/auth/password/reset", json!({"token": token, "password": "a-brand-new-password"})).await;
    assert_eq!(res.status, StatusCode::NO_CONTENT, "{}", res.text);
    // Single use.
    client
        .post("/api/auth/password/reset", json!({"token": token, "password": "another-new-password"}))
        .await
        .assert_error(StatusCode::GONE, "gone");
    client
        .post("/api/auth/password/reset", json!({"token": "kr_unknown", "password": "another-new-password"}))
        .await
        .assert_error(StatusCode::NOT_FOUND, "not_found");
    // The reset signed the account out everywhere; the new password works, the old does not.
    old_session.get("/api/me").await.assert_error(StatusCode::UNAUTHORIZED, "unauthenticated");
    client
        .post("/api/auth/login", json!({"email": "ana@example.org", "password": PASSWORD}))
        .await
        .assert_error(StatusCode::UNAUTHORIZED, "invalid_credentials");
    let res =
        client.post("/api/auth/login", json!({"email": "ana@example.org", "password": "a-brand-new-password"})).await;
    assert_eq!(res.status, StatusCode::OK);

    // An expired link is refused.
    client.post("/api/auth/password/forgot", json!({"email": "ana@example.org"})).await;
    let link2 = loop {
        let l = wait_for_link(&app, "ana@example.org").await;
        if l != link {
            break l;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    };
    app.state.clock.advance(std::time::Duration::from_secs(2 * 3600));
    client
        .post(
            "/api/auth/password/reset",
            json!({"token": link2.rsplit('/').next().unwrap(), "password": "yet-another-password"}),
        )
        .await
        .assert_error(StatusCode::GONE, "gone");
}

/// The reset mail is sent after the response (so timing reveals nothing); wait for it.
async fn wait_for_link(app: &TestApp, to: &str) -> String {
    for _ in 0..200 {
        if app.outbox().await.iter().any(|m| m.to == to) {
            return app.link_in_mail_to(to).await;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    panic!("no mail to {to}");
}

async fn profile_edit_and_validation(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.user("ana@example.org", "Ana", false, false).await;
    let client = app.signed_in("ana@example.org").await;
    let res = client
        .patch(
            "/api/me",
            json!({"name": "Ana María", "pronouns": "she/her", "institution": "Howard University",
                   "career_stage": "medical_student", "time_zone": "America/New_York"}),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    let me = client.get("/api/me").await.body;
    assert_eq!(me["name"], "Ana María");
    assert_eq!(me["career_stage"], "medical_student");
    assert_eq!(me["time_zone"], "America/New_York");

    // null clears an optional field; omitted fields stay.
    let res = client.patch("/api/me", json!({"pronouns": null})).await;
    assert!(res.body["pronouns"].is_null());
    assert_eq!(res.body["institution"], "Howard University");

    let bad = client.patch("/api/me", json!({"name": "  "})).await;
    bad.assert_error(StatusCode::UNPROCESSABLE_ENTITY, "validation");
    assert!(bad.body["error"]["fields"]["name"].is_string());
    client
        .patch("/api/me", json!({"career_stage": "astronaut"}))
        .await
        .assert_error(StatusCode::UNPROCESSABLE_ENTITY, "validation");
    client
        .patch("/api/me", json!({"time_zone": "Not a zone!"}))
        .await
        .assert_error(StatusCode::UNPROCESSABLE_ENTITY, "validation");
    client
        .patch("/api/me", json!({"is_admin": true}))
        .await
        .assert_error(StatusCode::UNPROCESSABLE_ENTITY, "validation");
    client
        .patch("/api/me", json!({"pronouns": "x".repeat(41)}))
        .await
        .assert_error(StatusCode::UNPROCESSABLE_ENTITY, "validation");
    // None of the refused edits changed anything.
    let after = client.get("/api/me").await.body;
    assert_eq!(after["name"], "Ana María");
    assert_eq!(after["is_admin"], false);
    assert_eq!(after["career_stage"], "medical_student");
}

async fn admin_creates_accounts_and_reads_the_outbox(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.user("root@example.org", "Root", true, true).await;
    app.user("ana@example.org", "Ana", false, false).await;
    let admin = app.signed_in("root@example.org").await;
    let ana = app.signed_in("ana@example.org").await;

    let res = admin
        .post("/api/admin/users", json!({"email": "cora@example.org", "name": "Cora", "can_create_programs": true}))
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
    admin
        .post("/api/admin/users", json!({"email": "CORA@example.org", "name": "Cora again"}))
        .await
        .assert_error(StatusCode::CONFLICT, "conflict");
    let outbox = admin.get("/api/admin/outbox").await;
    assert_eq!(outbox.status, StatusCode::OK);
    let mail = &outbox.body["items"][0];
    assert_eq!(mail["to"], "cora@example.org");
    let link = mail["body"].as_str().unwrap().split_whitespace().find(|w| w.contains("/reset-password/")).unwrap();
    let token = link.rsplit('/').next().unwrap();
    let client = app.client();
    let res = client.post("/api/auth/password/reset", json!({"token": token, "password": "coras-own-password"})).await;
    assert_eq!(res.status, StatusCode::NO_CONTENT);
    let res =
        client.post("/api/auth/login", json!({"email": "cora@example.org", "password": "coras-own-password"})).await;
    assert_eq!(res.status, StatusCode::OK);
    assert_eq!(res.body["user"]["can_create_programs"], true);

    // Non-admins are refused every admin endpoint.
    ana.get("/api/admin/outbox").await.assert_error(StatusCode::FORBIDDEN, "forbidden");
    ana.get("/api/admin/users").await.assert_error(StatusCode::FORBIDDEN, "forbidden");
    ana.post("/api/admin/users", json!({"email": "x@example.org", "name": "X"}))
        .await
        .assert_error(StatusCode::FORBIDDEN, "forbidden");
    app.client().get("/api/admin/outbox").await.assert_error(StatusCode::UNAUTHORIZED, "unauthenticated");
}

/// Fails sign-in three times for different accounts as if from `forwarded`, then tries once more
/// as if from `other`; returns that last status.
async fn after_failures(app: &TestApp, forwarded: &str, other: &str) -> StatusCode {
    let login = |from: &str, email: String| {
        app.client()
            .http
            .post(format!("{}/api/auth/login", app.url))
            .header("x-forwarded-for", format!("198.51.100.9, {from}"))
            .json(&json!({"email": email, "password": "wrong-password!"}))
            .send()
    };
    for i in 0..3 {
        assert_eq!(login(forwarded, format!("x{i}@example.org")).await.unwrap().status(), StatusCode::UNAUTHORIZED);
    }
    assert_eq!(login(forwarded, "x9@example.org".into()).await.unwrap().status(), StatusCode::TOO_MANY_REQUESTS);
    login(other, "y@example.org".into()).await.unwrap().status()
}

async fn per_address_limits_use_forwarded_for_only_when_trusted(backend: Backend) {
    // Trusted: each forwarded client address has its own budget.
    let app = TestApp::spawn_with(backend, |c| {
        c.trust_forwarded_for = true;
        c.login_attempts_per_address = 3;
    })
    .await;
    assert_eq!(after_failures(&app, "203.0.113.1", "203.0.113.2").await, StatusCode::UNAUTHORIZED);
    // Not trusted (the default): the header is ignored and every attempt counts against the peer.
    let app = TestApp::spawn_with(backend, |c| c.login_attempts_per_address = 3).await;
    assert_eq!(after_failures(&app, "203.0.113.1", "203.0.113.2").await, StatusCode::TOO_MANY_REQUESTS);
}

//! Programs, membership and recruitment through the HTTP API, with every refusal the roles imply.
//! Each test runs on SQLite and on PostgreSQL.

use std::time::Duration;

use kindred_tests::{Backend, TestApp, both_backends};
use reqwest::StatusCode;
use serde_json::{Value, json};

both_backends!(
    coordinators_create_and_edit_programs,
    roles_and_programs_are_walled_off,
    invitation_link_creates_an_account_once,
    existing_accounts_join_with_their_password,
    revoke_resend_and_expiry,
    csv_import_reports_bad_rows_by_line,
    one_person_different_roles_in_different_programs,
    listings_page_with_cursors,
);

async fn create_program(client: &kindred_tests::Client, name: &str) -> String {
    let res = client
        .post(
            "/api/programs",
            json!({"name": name, "description": "d", "starts_on": "2027-01-01", "ends_on": "2027-12-31"}),
        )
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
    res.body["id"].as_str().unwrap().to_owned()
}

/// Invites `email` as `role` and returns the invitation's token.
async fn invite(client: &kindred_tests::Client, program: &str, email: &str, role: &str) -> (Value, String) {
    let res = client
        .post(&format!("/api/programs/{program}/invitations"), json!({"name": "Invitee", "email": email, "role": role}))
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
    let token = res.body["link"].as_str().unwrap().rsplit('/').next().unwrap().to_owned();
    (res.body, token)
}

async fn coordinators_create_and_edit_programs(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.user("cora@example.org", "Cora", false, true).await;
    let cora = app.signed_in("cora@example.org").await;
    let id = create_program(&cora, "EM Diversity Mentoring").await;
    let program = cora.get(&format!("/api/programs/{id}")).await;
    assert_eq!(program.body["my_role"], "coordinator");
    assert_eq!(program.body["starts_on"], "2027-01-01");
    let list = cora.get("/api/programs").await;
    assert_eq!(list.body["items"].as_array().unwrap().len(), 1);
    let session = cora.get("/api/auth/session").await;
    assert_eq!(session.body["memberships"][0]["role"], "coordinator");

    let res =
        cora.patch(&format!("/api/programs/{id}"), json!({"description": "Pairs URiM trainees with EM mentors"})).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    assert_eq!(res.body["name"], "EM Diversity Mentoring");
    assert_eq!(res.body["description"], "Pairs URiM trainees with EM mentors");

    for bad in [
        json!({"name": ""}),
        json!({"name": "x", "starts_on": "2027-13-01"}),
        json!({"name": "x", "starts_on": "2027-06-01", "ends_on": "2027-01-01"}),
        json!({"name": "x".repeat(201)}),
        json!({"name": 7}),
        json!({"name": "x", "color": "red"}),
    ] {
        cora.post("/api/programs", bad.clone()).await.assert_error(StatusCode::UNPROCESSABLE_ENTITY, "validation");
    }
    cora.patch(&format!("/api/programs/{id}"), json!({"ends_on": "2026-01-01"}))
        .await
        .assert_error(StatusCode::UNPROCESSABLE_ENTITY, "validation");
    assert_eq!(cora.get("/api/programs").await.body["items"].as_array().unwrap().len(), 1, "refusals created nothing");
}

async fn roles_and_programs_are_walled_off(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.user("a@example.org", "Coordinator A", false, true).await;
    app.user("b@example.org", "Coordinator B", false, true).await;
    let a = app.signed_in("a@example.org").await;
    let b = app.signed_in("b@example.org").await;
    let program_a = create_program(&a, "Program A").await;
    let program_b = create_program(&b, "Program B").await;

    // A mentee of program A.
    let (_, token) = invite(&a, &program_a, "mia@example.org", "mentee").await;
    let mia = app.client();
    let res = mia.post(&format!("/api/invitations/{token}/accept"), json!({"password": "mias-password-1"})).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);

    // The mentee cannot create programs, invite, or see the recruitment of their own program.
    mia.post("/api/programs", json!({"name": "Mine"})).await.assert_error(StatusCode::FORBIDDEN, "forbidden");
    mia.post(
        &format!("/api/programs/{program_a}/invitations"),
        json!({"name": "X", "email": "x@example.org", "role": "mentor"}),
    )
    .await
    .assert_error(StatusCode::FORBIDDEN, "forbidden");
    mia.post_raw(
        &format!("/api/programs/{program_a}/invitations/import"),
        "text/csv",
        "name,email,role\nX,x@example.org,mentee\n",
    )
    .await
    .assert_error(StatusCode::FORBIDDEN, "forbidden");
    mia.get(&format!("/api/programs/{program_a}/invitations")).await.assert_error(StatusCode::FORBIDDEN, "forbidden");
    mia.get(&format!("/api/programs/{program_a}/members")).await.assert_error(StatusCode::FORBIDDEN, "forbidden");
    mia.patch(&format!("/api/programs/{program_a}"), json!({"name": "Renamed"}))
        .await
        .assert_error(StatusCode::FORBIDDEN, "forbidden");
    // ...but may read the program itself.
    assert_eq!(mia.get(&format!("/api/programs/{program_a}")).await.body["my_role"], "mentee");
    // ...and nothing of program B, which does not even show as existing.
    mia.get(&format!("/api/programs/{program_b}")).await.assert_error(StatusCode::NOT_FOUND, "not_found");

    // Coordinator A cannot touch program B in any way.
    let b_paths = [
        format!("/api/programs/{program_b}"),
        format!("/api/programs/{program_b}/members"),
        format!("/api/programs/{program_b}/invitations"),
    ];
    for path in &b_paths {
        a.get(path).await.assert_error(StatusCode::NOT_FOUND, "not_found");
    }
    a.patch(&format!("/api/programs/{program_b}"), json!({"name": "Hijacked"}))
        .await
        .assert_error(StatusCode::NOT_FOUND, "not_found");
    a.post(
        &format!("/api/programs/{program_b}/invitations"),
        json!({"name": "X", "email": "x@example.org", "role": "mentor"}),
    )
    .await
    .assert_error(StatusCode::NOT_FOUND, "not_found");
    // An invitation of program B addressed through program A's path is not found either.
    let (inv_b, _) = invite(&b, &program_b, "z@example.org", "mentor").await;
    let inv_b = inv_b["id"].as_str().unwrap();
    a.post(&format!("/api/programs/{program_a}/invitations/{inv_b}/revoke"), json!({}))
        .await
        .assert_error(StatusCode::NOT_FOUND, "not_found");
    a.post(&format!("/api/programs/{program_b}/invitations/{inv_b}/resend"), json!({}))
        .await
        .assert_error(StatusCode::NOT_FOUND, "not_found");
    assert_eq!(b.get(&format!("/api/programs/{program_b}")).await.body["name"], "Program B");
    let pending = b.get(&format!("/api/programs/{program_b}/invitations?status=pending")).await;
    assert_eq!(pending.body["items"].as_array().unwrap().len(), 1, "B's invitation is untouched");

    // Signed out, everything is refused.
    let anon = app.client();
    for path in ["/api/programs".to_owned(), format!("/api/programs/{program_a}"), "/api/me".to_owned()] {
        anon.get(&path).await.assert_error(StatusCode::UNAUTHORIZED, "unauthenticated");
    }
    anon.post("/api/programs", json!({"name": "x"})).await.assert_error(StatusCode::UNAUTHORIZED, "unauthenticated");

    // Admins see every program.
    app.user("root@example.org", "Root", true, true).await;
    let root = app.signed_in("root@example.org").await;
    assert_eq!(root.get("/api/programs").await.body["items"].as_array().unwrap().len(), 2);
    assert_eq!(root.get(&format!("/api/programs/{program_b}/members")).await.status, StatusCode::OK);
}

async fn invitation_link_creates_an_account_once(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.user("cora@example.org", "Cora", false, true).await;
    let cora = app.signed_in("cora@example.org").await;
    let program = create_program(&cora, "P").await;
    let (invitation, token) = invite(&cora, &program, "Nia@Example.org", "mentee").await;
    assert_eq!(invitation["status"], "pending");
    // The link was mailed too.
    assert_eq!(app.link_in_mail_to("Nia@Example.org").await, invitation["link"].as_str().unwrap());

    let nia = app.client();
    let preview = nia.get(&format!("/api/invitations/{token}")).await;
    assert_eq!(preview.status, StatusCode::OK);
    assert_eq!(preview.body["program"]["name"], "P");
    assert_eq!(preview.body["role"], "mentee");
    assert_eq!(preview.body["account_exists"], false);

    nia.post(&format!("/api/invitations/{token}/accept"), json!({"password": "short"}))
        .await
        .assert_error(StatusCode::UNPROCESSABLE_ENTITY, "validation");
    let res = nia
        .post(&format!("/api/invitations/{token}/accept"), json!({"password": "nias-password-1", "name": "Nia Okafor"}))
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    assert_eq!(res.body["user"]["name"], "Nia Okafor");
    assert_eq!(res.body["memberships"][0]["role"], "mentee");
    // Signed in by accepting.
    assert_eq!(nia.get("/api/me").await.body["email"], "Nia@Example.org");

    // The link works once.
    let other = app.client();
    other.get(&format!("/api/invitations/{token}")).await.assert_error(StatusCode::GONE, "gone");
    other
        .post(&format!("/api/invitations/{token}/accept"), json!({"password": "someone-elses-password"}))
        .await
        .assert_error(StatusCode::GONE, "gone");
    other.get("/api/invitations/ki_made_up").await.assert_error(StatusCode::NOT_FOUND, "not_found");

    let members = cora.get(&format!("/api/programs/{program}/members")).await;
    let roles: Vec<&str> =
        members.body["items"].as_array().unwrap().iter().map(|m| m["role"].as_str().unwrap()).collect();
    assert_eq!(roles, ["coordinator", "mentee"]);
    let accepted = cora.get(&format!("/api/programs/{program}/invitations?status=accepted")).await;
    assert_eq!(accepted.body["items"][0]["email"], "Nia@Example.org");
    assert!(accepted.body["items"][0]["accepted_at"].is_string());

    // Inviting a member again, or someone already invited, is a conflict.
    cora.post(
        &format!("/api/programs/{program}/invitations"),
        json!({"name": "Nia", "email": "nia@example.org", "role": "mentor"}),
    )
    .await
    .assert_error(StatusCode::CONFLICT, "conflict");
    invite(&cora, &program, "bo@example.org", "mentor").await;
    cora.post(
        &format!("/api/programs/{program}/invitations"),
        json!({"name": "Bo", "email": "BO@example.org", "role": "mentor"}),
    )
    .await
    .assert_error(StatusCode::CONFLICT, "conflict");
}

async fn existing_accounts_join_with_their_password(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.user("cora@example.org", "Cora", false, true).await;
    app.user("kwame@example.org", "Kwame", false, false).await;
    let cora = app.signed_in("cora@example.org").await;
    let program = create_program(&cora, "P").await;
    let (_, token) = invite(&cora, &program, "kwame@example.org", "mentor").await;
    let client = app.client();
    assert_eq!(client.get(&format!("/api/invitations/{token}")).await.body["account_exists"], true);
    client
        .post(&format!("/api/invitations/{token}/accept"), json!({"password": "not-his-password"}))
        .await
        .assert_error(StatusCode::UNAUTHORIZED, "invalid_credentials");
    // The failed attempt did not use up the link.
    let res =
        client.post(&format!("/api/invitations/{token}/accept"), json!({"password": kindred_tests::PASSWORD})).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    assert_eq!(res.body["user"]["name"], "Kwame");
    assert_eq!(res.body["memberships"][0]["role"], "mentor");
}

async fn revoke_resend_and_expiry(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.user("cora@example.org", "Cora", false, true).await;
    let cora = app.signed_in("cora@example.org").await;
    let program = create_program(&cora, "P").await;
    let (revoked, revoked_token) = invite(&cora, &program, "r@example.org", "mentee").await;
    let (expiring, old_token) = invite(&cora, &program, "e@example.org", "mentee").await;
    let base = format!("/api/programs/{program}/invitations");

    let res = cora.post(&format!("{base}/{}/revoke", revoked["id"].as_str().unwrap()), json!({})).await;
    assert_eq!(res.status, StatusCode::OK);
    assert_eq!(res.body["status"], "revoked");
    cora.post(&format!("{base}/{}/revoke", revoked["id"].as_str().unwrap()), json!({}))
        .await
        .assert_error(StatusCode::CONFLICT, "conflict");
    cora.post(&format!("{base}/{}/resend", revoked["id"].as_str().unwrap()), json!({}))
        .await
        .assert_error(StatusCode::CONFLICT, "conflict");
    let anon = app.client();
    anon.post(&format!("/api/invitations/{revoked_token}/accept"), json!({"password": "a-good-password"}))
        .await
        .assert_error(StatusCode::GONE, "gone");

    // Time passes beyond the expiry.
    app.state.clock.advance(Duration::from_secs(app.state.config.invitation_ttl_hours * 3600 + 60));
    let expired = cora.get(&format!("{base}?status=expired")).await;
    assert_eq!(expired.body["items"].as_array().unwrap().len(), 1);
    assert_eq!(expired.body["items"][0]["email"], "e@example.org");
    assert_eq!(cora.get(&format!("{base}?status=pending")).await.body["items"].as_array().unwrap().len(), 0);
    anon.post(&format!("/api/invitations/{old_token}/accept"), json!({"password": "a-good-password"}))
        .await
        .assert_error(StatusCode::GONE, "gone");

    // Resending gives a new link; the old one stays dead.
    let res = cora.post(&format!("{base}/{}/resend", expiring["id"].as_str().unwrap()), json!({})).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    assert_eq!(res.body["status"], "pending");
    let new_token = res.body["link"].as_str().unwrap().rsplit('/').next().unwrap().to_owned();
    assert_ne!(new_token, old_token);
    anon.get(&format!("/api/invitations/{old_token}")).await.assert_error(StatusCode::NOT_FOUND, "not_found");
    let res = anon.post(&format!("/api/invitations/{new_token}/accept"), json!({"password": "a-good-password"})).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);

    cora.get(&format!("{base}?status=bogus")).await.assert_error(StatusCode::BAD_REQUEST, "bad_request");
    let all = cora.get(&base).await;
    let statuses: Vec<&str> =
        all.body["items"].as_array().unwrap().iter().map(|i| i["status"].as_str().unwrap()).collect();
    assert_eq!(statuses, ["accepted", "revoked"], "newest first");
}

async fn csv_import_reports_bad_rows_by_line(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.user("cora@example.org", "Cora", false, true).await;
    let cora = app.signed_in("cora@example.org").await;
    let program = create_program(&cora, "P").await;
    invite(&cora, &program, "already@example.org", "mentor").await;
    let csv = "name,email,role\n\
               Aaliyah Johnson,aaliyah@example.org,mentee\n\
               Luis Hernández,not-an-email,mentee\n\
               \"Reyes, Marisol\",marisol@example.org,mentor\n\
               Someone,someone@example.org,chief\n\
               Already,already@example.org,mentor\n\
               Aaliyah Again,AALIYAH@example.org,mentee\n";
    let path = format!("/api/programs/{program}/invitations/import");
    let res = cora.post_raw(&path, "text/csv; charset=utf-8", csv).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    let created: Vec<&str> =
        res.body["created"].as_array().unwrap().iter().map(|i| i["email"].as_str().unwrap()).collect();
    assert_eq!(created, ["aaliyah@example.org", "marisol@example.org"]);
    assert_eq!(res.body["created"][1]["name"], "Reyes, Marisol");
    let errors: Vec<(u64, String)> = res.body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["line"].as_u64().unwrap(), e["reason"].as_str().unwrap().to_owned()))
        .collect();
    assert_eq!(errors.iter().map(|e| e.0).collect::<Vec<_>>(), [3, 5, 6, 7], "{errors:?}");
    assert!(errors[0].1.contains("not-an-email"));
    assert!(errors[1].1.contains("chief"));
    assert!(errors[2].1.contains("already"));
    assert!(errors[3].1.contains("line 2"));
    // Each invitee got their link.
    assert!(app.link_in_mail_to("marisol@example.org").await.contains("/invite/"));

    let pending = cora.get(&format!("/api/programs/{program}/invitations?status=pending")).await;
    assert_eq!(pending.body["items"].as_array().unwrap().len(), 3);

    cora.post_raw(&path, "text/csv", "who,what\nx,y\n")
        .await
        .assert_error(StatusCode::UNPROCESSABLE_ENTITY, "validation");
    cora.post_raw(&path, "application/json", "{}")
        .await
        .assert_error(StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type");
    let huge = format!("name,email,role\n{}", "x,x@example.org,mentee\n".repeat(60_000));
    cora.post_raw(&path, "text/csv", huge).await.assert_error(StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large");
    assert_eq!(
        cora.get(&format!("/api/programs/{program}/invitations?status=pending")).await.body["items"]
            .as_array()
            .unwrap()
            .len(),
        3,
        "refused uploads invited no one"
    );
}

async fn one_person_different_roles_in_different_programs(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.user("cora@example.org", "Cora", false, true).await;
    let cora = app.signed_in("cora@example.org").await;
    let p1 = create_program(&cora, "P1").await;
    let p2 = create_program(&cora, "P2").await;
    let (_, t1) = invite(&cora, &p1, "sam@example.org", "mentee").await;
    let (_, t2) = invite(&cora, &p2, "sam@example.org", "mentor").await;
    let sam = app.client();
    assert_eq!(
        sam.post(&format!("/api/invitations/{t1}/accept"), json!({"password": "sams-password-1"})).await.status,
        StatusCode::OK
    );
    let res = sam.post(&format!("/api/invitations/{t2}/accept"), json!({"password": "sams-password-1"})).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    let roles: Vec<(String, String)> = res.body["memberships"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| (m["program_name"].as_str().unwrap().to_owned(), m["role"].as_str().unwrap().to_owned()))
        .collect();
    assert_eq!(roles, [("P1".to_owned(), "mentee".to_owned()), ("P2".to_owned(), "mentor".to_owned())]);
}

async fn listings_page_with_cursors(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.user("cora@example.org", "Cora", false, true).await;
    let cora = app.signed_in("cora@example.org").await;
    for i in 0..5 {
        create_program(&cora, &format!("Program {i}")).await;
    }
    let mut names = Vec::new();
    let mut cursor = String::new();
    loop {
        let page = cora.get(&format!("/api/programs?limit=2&cursor={cursor}")).await;
        assert_eq!(page.status, StatusCode::OK);
        names.extend(page.body["items"].as_array().unwrap().iter().map(|p| p["name"].as_str().unwrap().to_owned()));
        match page.body["next_cursor"].as_str() {
            Some(c) => cursor = c.to_owned(),
            None => break,
        }
    }
    assert_eq!(names, (0..5).map(|i| format!("Program {i}")).collect::<Vec<_>>());
    cora.get("/api/programs?limit=0").await.assert_error(StatusCode::BAD_REQUEST, "bad_request");
    cora.get("/api/programs?limit=201").await.assert_error(StatusCode::BAD_REQUEST, "bad_request");
    cora.get("/api/programs?cursor=nonsense").await.assert_error(StatusCode::BAD_REQUEST, "bad_request");
    cora.get("/api/programs?limit=abc").await.assert_error(StatusCode::BAD_REQUEST, "bad_request");
}

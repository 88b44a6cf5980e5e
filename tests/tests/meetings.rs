//! Scheduled meetings, calendars, reminders and check-ins through HTTP and the WebSocket, on
//! SQLite and PostgreSQL: a pair proposes, counter-proposes and accepts a time, downloads it and
//! subscribes to it, is reminded before it starts, and rates the call afterwards; coordinators see
//! only the aggregate. Every refusal too.

use std::time::Duration;

use kindred_tests::{Backend, TestApp, a_call, both_backends, matched_pair};
use reqwest::StatusCode;
use serde_json::{Value, json};
use time::format_description::well_known::Rfc3339;
use uuid::Uuid;

both_backends!(scheduling_calendars_and_reminders, checkins_after_a_call_only_in_aggregate);

fn at(app: &TestApp, from_now: Duration) -> String {
    (app.state.clock.now() + from_now).format(&Rfc3339).unwrap()
}

const HOUR: Duration = Duration::from_secs(3600);

async fn scheduling_calendars_and_reminders(backend: Backend) {
    let app = TestApp::spawn_with(backend, |c| c.worker_poll_ms = 50).await;
    let p = matched_pair(&[&app]).await;
    let (mut mentor_ws, _) = p.mentor.ws(json!({})).await;
    let (mut mentee_ws, _) = p.mentee.ws(json!({})).await;
    let start = at(&app, 48 * HOUR);
    let body = json!({"match_id": p.match_id, "title": "First chat", "agenda": "Goals; questions, hopes",
                      "starts_at": start, "duration_min": 45, "client_id": "m1"});
    let created = p.mentee.post("/api/meetings", body.clone()).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text);
    assert_eq!(created.body["status"], "proposed");
    let id = created.body["id"].as_str().unwrap().to_owned();
    // A retry with the same client id is the same meeting.
    let again = p.mentee.post("/api/meetings", body.clone()).await;
    assert_eq!((again.status, again.body["id"].as_str()), (StatusCode::OK, Some(id.as_str())));
    let frame = mentor_ws.recv_matching(|f| f["type"] == "meeting").await;
    assert_eq!(frame["meeting"]["id"], id.as_str());

    // The proposer cannot accept their own time; the other person proposes another one.
    p.mentee
        .post(&format!("/api/meetings/{id}/accept"), json!({}))
        .await
        .assert_error(StatusCode::CONFLICT, "conflict");
    let later = at(&app, 72 * HOUR);
    let moved =
        p.mentor.post(&format!("/api/meetings/{id}/propose"), json!({"starts_at": later, "duration_min": 30})).await;
    assert_eq!(moved.status, StatusCode::OK, "{}", moved.text);
    assert_eq!(moved.body["proposed_by"], p.ids[1].as_str());
    let accepted = p.mentee.post(&format!("/api/meetings/{id}/accept"), json!({})).await;
    assert_eq!(accepted.status, StatusCode::OK, "{}", accepted.text);
    assert_eq!(accepted.body["status"], "accepted");
    assert_eq!(accepted.body["duration_min"], 30);
    p.mentor
        .post(&format!("/api/meetings/{id}/accept"), json!({}))
        .await
        .assert_error(StatusCode::CONFLICT, "conflict");

    // Bad times, overlaps, other people's meetings.
    for (field, value) in
        [("starts_at", json!(at(&app, Duration::ZERO))), ("duration_min", json!(5)), ("duration_min", json!(600))]
    {
        let mut b = body.clone();
        b[field] = value;
        b["client_id"] = json!(format!("bad-{field}"));
        p.mentee.post("/api/meetings", b).await.assert_error(StatusCode::UNPROCESSABLE_ENTITY, "validation");
    }
    let mut overlapping = body.clone();
    overlapping["starts_at"] = json!(at(&app, 72 * HOUR + Duration::from_secs(600)));
    overlapping["client_id"] = json!("m2");
    p.mentor.post("/api/meetings", overlapping).await.assert_error(StatusCode::CONFLICT, "conflict");
    let mut theirs = body.clone();
    theirs["client_id"] = json!("o1");
    p.outsider.post("/api/meetings", theirs).await.assert_error(StatusCode::NOT_FOUND, "not_found");
    for path in [format!("/api/meetings/{id}/accept"), format!("/api/meetings/{id}/cancel")] {
        p.outsider.post(&path, json!({})).await.assert_error(StatusCode::NOT_FOUND, "not_found");
    }
    p.outsider.get(&format!("/api/meetings/{id}/ics")).await.assert_error(StatusCode::NOT_FOUND, "not_found");
    p.mentee
        .post(
            "/api/meetings",
            json!({"match_id": Uuid::new_v4(), "title": "x", "starts_at": start, "duration_min": 30, "client_id": "z"}),
        )
        .await
        .assert_error(StatusCode::NOT_FOUND, "not_found");

    // The meeting as a file, and in a private feed that a new feed replaces.
    let ics = p.mentor.get(&format!("/api/meetings/{id}/ics")).await;
    assert_eq!(ics.status, StatusCode::OK);
    assert!(ics.headers["content-type"].to_str().unwrap().starts_with("text/calendar"));
    assert!(ics.text.contains("BEGIN:VEVENT\r\n") && ics.text.contains("SUMMARY:First chat\r\n"), "{}", ics.text);
    assert!(ics.text.contains("STATUS:CONFIRMED") && ics.text.contains("Goals\\; questions\\, hopes"), "{}", ics.text);
    let feed = p.mentee.post("/api/me/calendar-feed", json!({})).await;
    assert_eq!(feed.status, StatusCode::CREATED, "{}", feed.text);
    let url = feed.body["url"].as_str().unwrap().strip_prefix(&app.url).unwrap().to_owned();
    let anonymous = app.client();
    let calendar = anonymous.get(&url).await;
    assert_eq!(calendar.status, StatusCode::OK);
    assert!(calendar.text.contains(&format!("UID:{id}@kindred")), "{}", calendar.text);
    p.mentee.post("/api/me/calendar-feed", json!({})).await;
    anonymous.get(&url).await.assert_error(StatusCode::NOT_FOUND, "not_found");

    // Fifteen minutes before the start, both are reminded, live and by email.
    app.state.clock.advance(72 * HOUR - Duration::from_secs(10 * 60));
    for ws in [&mut mentee_ws, &mut mentor_ws] {
        let reminder = ws.recv_matching(|f: &Value| f["type"] == "meeting" && f["reminder"] == true).await;
        assert_eq!(reminder["meeting"]["id"], id.as_str());
    }
    let store = app.state.store.clone();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        let reminders = app.outbox().await.into_iter().filter(|m| m.subject == "Reminder: First chat").count();
        if reminders == 2 && store.pending_jobs().await.unwrap() == 0 {
            break;
        }
        assert!(tokio::time::Instant::now() < deadline, "reminder emails: {reminders}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    // Cancelling tells the other person.
    let cancelled = p.mentor.post(&format!("/api/meetings/{id}/cancel"), json!({})).await;
    assert_eq!(cancelled.body["status"], "cancelled", "{}", cancelled.text);
    mentee_ws.recv_matching(|f| f["type"] == "meeting" && f["meeting"]["status"] == "cancelled").await;
    let mine = p.mentee.get("/api/me/meetings").await;
    assert_eq!(mine.body["items"].as_array().unwrap().len(), 1);
}

async fn checkins_after_a_call_only_in_aggregate(backend: Backend) {
    // Totals from two people here (the default is five), to see them withheld and then shown.
    let app = TestApp::spawn_with(backend, |c| {
        c.worker_poll_ms = 50;
        c.checkin_totals_min_people = 2;
    })
    .await;
    let p = matched_pair(&[&app]).await;
    let (mut mentee_ws, _) = p.mentee.ws(json!({})).await;
    let (mut mentor_ws, _) = p.mentor.ws(json!({})).await;
    assert_eq!(p.mentee.get("/api/me/checkins").await.body["calls"].as_array().unwrap().len(), 0);
    let call = a_call(&mut mentee_ws, &mut mentor_ws, &p.ids[1]).await;

    let pending = p.mentee.get("/api/me/checkins").await;
    assert_eq!(pending.body["calls"][0], call.as_str(), "{}", pending.text);
    let path = format!("/api/calls/{call}/checkin");
    for bad in [json!({"rating": 0}), json!({"rating": 6}), json!({"rating": "great"}), json!({"rating": 4, "mood": 1})]
    {
        p.mentee.post(&path, bad).await.assert_error(StatusCode::UNPROCESSABLE_ENTITY, "validation");
    }
    let res = p.mentee.post(&path, json!({"rating": 4, "note": "Very helpful about residency"})).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    assert_eq!(res.body, json!({"support_offer": null}));
    p.mentee.post(&path, json!({"rating": 5})).await.assert_error(StatusCode::CONFLICT, "conflict");
    p.outsider.post(&path, json!({"rating": 1})).await.assert_error(StatusCode::NOT_FOUND, "not_found");
    p.coordinator.post(&path, json!({"rating": 1})).await.assert_error(StatusCode::NOT_FOUND, "not_found");
    let summary = p.coordinator.get(&format!("/api/programs/{}/checkins", p.program)).await;
    assert_eq!(
        summary.body,
        json!({"count": 1, "people": 1, "minimum_people": 2, "average": null, "distribution": null}),
        "one person's rating is not a total"
    );
    let res = p.mentor.post(&path, json!({"rating": 2, "note": "Private thoughts"})).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    assert_eq!(res.body["support_offer"]["with"]["name"], "Nia", "offered to him alone: {}", res.text);
    assert_eq!(p.mentor.get("/api/me/checkins").await.body["calls"].as_array().unwrap().len(), 0);

    let summary = p.coordinator.get(&format!("/api/programs/{}/checkins", p.program)).await;
    assert_eq!(summary.status, StatusCode::OK, "{}", summary.text);
    assert_eq!(summary.body["count"], 2);
    assert_eq!(summary.body["people"], 2);
    assert_eq!(summary.body["average"], 3.0);
    assert_eq!(summary.body["distribution"], json!([0, 1, 0, 1, 0]));
    assert!(!summary.text.contains("helpful") && !summary.text.contains("Private"), "{}", summary.text);
    p.mentee
        .get(&format!("/api/programs/{}/checkins", p.program))
        .await
        .assert_error(StatusCode::FORBIDDEN, "forbidden");
}

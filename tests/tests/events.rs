//! Group events through HTTP and the WebSocket, on SQLite and PostgreSQL: a coordinator creates
//! events for the program, a cohort and named people; only those invited see them; RSVPs stop at
//! the capacity; each event downloads as `.ics` and appears in the calendar feed of those going;
//! reminders and cancellations arrive live. Every refusal too.

use std::time::Duration;

use kindred_tests::{Backend, TestApp, all_pages, both_backends, matched_pair};
use reqwest::StatusCode;
use serde_json::{Value, json};
use time::format_description::well_known::Rfc3339;

both_backends!(events_invitations_rsvps_calendars_and_reminders);

fn at(app: &TestApp, from_now: Duration) -> String {
    (app.state.clock.now() + from_now).format(&Rfc3339).unwrap()
}

const HOUR: Duration = Duration::from_secs(3600);

fn titles(list: &Value) -> Vec<String> {
    list["items"].as_array().unwrap().iter().map(|e| e["title"].as_str().unwrap().to_owned()).collect()
}

async fn events_invitations_rsvps_calendars_and_reminders(backend: Backend) {
    let app = TestApp::spawn_with(backend, |c| c.worker_poll_ms = 50).await;
    let p = matched_pair(&[&app]).await;
    let path = format!("/api/programs/{}/events", p.program);
    let [_, kwame, otto] = p.ids.clone();
    let panel = json!({"title": "Residency panel", "description": "Three residents on applying", "starts_at": at(&app, 48 * HOUR),
                       "duration_min": 60, "capacity": 2, "audience": "program", "speakers": [kwame]});

    // Refusals: bad fields (all named), non-members as speakers, people who may not host.
    let mut bad = panel.clone();
    bad["starts_at"] = json!(at(&app, Duration::ZERO));
    bad["capacity"] = json!(0);
    bad["duration_min"] = json!(5);
    let res = p.coordinator.post(&path, bad).await;
    res.assert_error(StatusCode::UNPROCESSABLE_ENTITY, "validation");
    assert_eq!(res.body["error"]["fields"].as_object().unwrap().len(), 3, "{}", res.text);
    let mut stranger = panel.clone();
    stranger["speakers"] = json!([uuid::Uuid::new_v4()]);
    p.coordinator.post(&path, stranger).await.assert_error(StatusCode::UNPROCESSABLE_ENTITY, "validation");
    let mut no_cohort = panel.clone();
    no_cohort["audience"] = json!("cohort");
    p.coordinator.post(&path, no_cohort).await.assert_error(StatusCode::UNPROCESSABLE_ENTITY, "validation");
    p.mentee.post(&path, panel.clone()).await.assert_error(StatusCode::FORBIDDEN, "forbidden");

    let created = p.coordinator.post(&path, panel.clone()).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text);
    assert_eq!(created.body["speakers"][0]["name"], "Kwame");
    assert_eq!(created.body["host"]["name"], "Cora");
    let id = created.body["id"].as_str().unwrap().to_owned();

    // A cohort event and one for named people: only those invited see them.
    p.coordinator.patch(&format!("/api/programs/{}/members/{otto}", p.program), json!({"cohort": "2027"})).await;
    let mut cohort = panel.clone();
    cohort["title"] = json!("2027 cohort welcome");
    cohort["audience"] = json!("cohort");
    cohort["cohort"] = json!("2027");
    cohort["speakers"] = json!([]);
    assert_eq!(p.coordinator.post(&path, cohort).await.status, StatusCode::CREATED);
    let mut named = panel.clone();
    named["title"] = json!("Mentor circle");
    named["audience"] = json!("people");
    named["invitees"] = json!([kwame]);
    named["speakers"] = json!([]);
    let named = p.coordinator.post(&path, named).await;
    assert_eq!(named.status, StatusCode::CREATED, "{}", named.text);
    let circle = named.body["id"].as_str().unwrap().to_owned();
    assert_eq!(titles(&p.mentee.get("/api/me/events").await.body), ["Residency panel"]);
    assert_eq!(titles(&p.outsider.get("/api/me/events").await.body), ["Residency panel", "2027 cohort welcome"]);
    assert_eq!(titles(&p.mentor.get("/api/me/events").await.body), ["Residency panel", "Mentor circle"]);
    assert_eq!(p.coordinator.get("/api/me/events").await.body["items"].as_array().unwrap().len(), 3);
    // A page at a time: events that start at the same moment follow their ids, none lost.
    let (mine, pages) = all_pages(&p.coordinator, "/api/me/events", 1).await;
    assert_eq!((mine.len(), pages), (3, 3));
    let (all, pages) = all_pages(&p.coordinator, &path, 2).await;
    assert_eq!((all.len(), pages), (3, 2));
    let (outsiders, _) = all_pages(&p.outsider, "/api/me/events", 1).await;
    assert_eq!(outsiders.len(), 2, "paging shows no one an event they are not invited to");
    p.mentee.get(&format!("{path}?limit=1")).await.assert_error(StatusCode::FORBIDDEN, "forbidden");
    p.mentee.get(&format!("/api/events/{circle}")).await.assert_error(StatusCode::NOT_FOUND, "not_found");
    p.mentee
        .post(&format!("/api/events/{circle}/rsvp"), json!({"going": true}))
        .await
        .assert_error(StatusCode::NOT_FOUND, "not_found");
    p.mentee.get(&format!("/api/events/{circle}/ics")).await.assert_error(StatusCode::NOT_FOUND, "not_found");
    p.mentee.get(&path).await.assert_error(StatusCode::FORBIDDEN, "forbidden");

    // RSVPs stop at the capacity; saying no frees a place.
    let rsvp = format!("/api/events/{id}/rsvp");
    let (mut nia_ws, _) = p.mentee.ws(json!({})).await;
    for client in [&p.mentee, &p.mentor] {
        let res = client.post(&rsvp, json!({"going": true})).await;
        assert_eq!(res.status, StatusCode::OK, "{}", res.text);
        assert_eq!(res.body["my_rsvp"], true);
    }
    p.outsider.post(&rsvp, json!({"going": true})).await.assert_error(StatusCode::CONFLICT, "conflict");
    p.mentee.post(&rsvp, json!({"going": "yes"})).await.assert_error(StatusCode::UNPROCESSABLE_ENTITY, "validation");
    assert_eq!(p.mentor.post(&rsvp, json!({"going": false})).await.body["going"], 1);
    let res = p.outsider.post(&rsvp, json!({"going": true})).await;
    assert_eq!((res.status, res.body["going"].as_i64()), (StatusCode::OK, Some(2)), "{}", res.text);

    // The event as a file, and in the calendar feed of those going (not of those who are not).
    let ics = p.mentee.get(&format!("/api/events/{id}/ics")).await;
    assert_eq!(ics.status, StatusCode::OK);
    assert!(ics.text.contains("SUMMARY:Residency panel") && ics.text.contains("STATUS:CONFIRMED"), "{}", ics.text);
    let feed_of = |client: &kindred_tests::Client| {
        let client = client.clone();
        async move {
            let url = client.post("/api/me/calendar-feed", json!({})).await.body["url"].as_str().unwrap().to_owned();
            let path = url.split_once("/api/").map(|(_, rest)| format!("/api/{rest}")).unwrap();
            client.get(&path).await.text
        }
    };
    assert!(feed_of(&p.mentee).await.contains("Residency panel"));
    let mentor_feed = feed_of(&p.mentor).await;
    assert!(mentor_feed.contains("Residency panel"), "a speaker has it even without an RSVP: {mentor_feed}");
    assert!(!mentor_feed.contains("Mentor circle"), "no RSVP yet");

    // A reminder 15 minutes before, live and by email, to those going.
    app.state.clock.advance(48 * HOUR - Duration::from_secs(10 * 60));
    app.state.work.notify_one();
    let reminder = nia_ws.recv_matching(|f| f["type"] == "group_event" && f["reminder"] == true).await;
    assert_eq!(reminder["event"]["id"], id.as_str());
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while !app.outbox().await.iter().any(|m| m.to == "nia@example.org" && m.subject == "Reminder: Residency panel") {
        assert!(tokio::time::Instant::now() < deadline, "no reminder email");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(
        !app.outbox().await.iter().any(|m| m.to == "kwame@example.org" && m.subject == "Reminder: 2027 cohort welcome")
    );

    // Cancelling tells those going; no more answers.
    p.mentee
        .post(&format!("/api/events/{id}/cancel"), json!({}))
        .await
        .assert_error(StatusCode::FORBIDDEN, "forbidden");
    let cancelled = p.coordinator.post(&format!("/api/events/{id}/cancel"), json!({})).await;
    assert_eq!(cancelled.body["status"], "cancelled", "{}", cancelled.text);
    nia_ws.recv_matching(|f| f["type"] == "group_event" && f["event"]["status"] == "cancelled").await;
    p.mentee.post(&rsvp, json!({"going": true})).await.assert_error(StatusCode::CONFLICT, "conflict");
    p.coordinator
        .post(&format!("/api/events/{id}/cancel"), json!({}))
        .await
        .assert_error(StatusCode::CONFLICT, "conflict");
}

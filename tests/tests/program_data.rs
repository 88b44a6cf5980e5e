//! Program data through HTTP and the WebSocket, on SQLite and PostgreSQL: a fit-check survey after
//! a pair's first meeting, answered by both and seen in the dashboard and the exports (the
//! de-identified one with no names, emails or free text); pairs at risk with a controllable
//! clock, nudged once; notification settings, digests and unsubscribe links; and privacy: no
//! coordinator or admin endpoint returns a message's text, and deleting an account leaves
//! tombstones. Every refusal too.

use std::time::Duration;

use kindred_tests::{Backend, Client, TestApp, a_call, all_pages, both_backends, matched_pair};
use reqwest::StatusCode;
use serde_json::{Value, json};
use time::format_description::well_known::Rfc3339;

both_backends!(
    a_fit_check_from_meeting_to_dashboard_and_exports,
    pairs_at_risk_are_flagged_and_nudged_once,
    a_meeting_is_contact_too,
    check_in_ratings_stay_private_and_support_is_asked_for,
    a_program_sets_its_get_help_now_panel,
    notifications_digests_and_unsubscribe_links,
    no_coordinator_endpoint_returns_message_text,
    deleting_an_account_leaves_tombstones,
    long_lists_come_in_pages,
    exports_are_written_page_by_page_and_lose_no_row,
    my_data_export_holds_every_message_i_wrote,
);

const DAY: Duration = Duration::from_secs(86_400);

async fn app(backend: Backend) -> TestApp {
    TestApp::spawn_with(backend, |c| {
        c.worker_poll_ms = 50;
        c.sweep_ms = 100;
        c.presence_grace_ms = 200;
    })
    .await
}

fn fit_check() -> Value {
    json!({
        "title": "Fit check",
        "trigger": "fit_check",
        "audience": "both",
        "questions": [
            {"kind": "scale", "prompt": "How useful was your first meeting?", "required": true},
            {"kind": "single", "prompt": "Is this match a good fit?", "required": true,
             "options": ["Good fit", "Not sure yet", "Not a good fit"], "at_risk_options": ["Not a good fit"]},
            {"kind": "multiple", "prompt": "What did you talk about?", "options": ["Research", "Residency", "Balance"]},
            {"kind": "text", "prompt": "Anything else?"}
        ]
    })
}

/// Waits (polling) until `check` holds, for at most 15 s.
async fn eventually<F, Fut>(what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
    while !check().await {
        assert!(tokio::time::Instant::now() < deadline, "timed out waiting for: {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn csv(client: &Client, path: &str) -> String {
    let res = client.get(path).await;
    assert_eq!(res.status, StatusCode::OK, "{path}: {}", res.text);
    res.text
}

async fn a_fit_check_from_meeting_to_dashboard_and_exports(backend: Backend) {
    let app = app(backend).await;
    let p = matched_pair(&[&app]).await;
    let program = &p.program;
    let surveys = format!("/api/programs/{program}/surveys");

    // Bad surveys and people who may not make them.
    let mut none = fit_check();
    none["questions"] = json!([]);
    p.coordinator.post(&surveys, none).await.assert_error(StatusCode::UNPROCESSABLE_ENTITY, "validation");
    let mut bad = fit_check();
    bad["questions"][1]["options"] = json!(["Only one"]);
    bad["questions"][0]["options"] = json!(["x", "y"]);
    let res = p.coordinator.post(&surveys, bad).await;
    res.assert_error(StatusCode::UNPROCESSABLE_ENTITY, "validation");
    let fields = res.body["error"]["fields"].as_object().unwrap();
    assert!(fields.contains_key("questions[0].options") && fields.contains_key("questions[1].options"), "{fields:?}");
    let mut dated = fit_check();
    dated["trigger"] = json!("date");
    p.coordinator.post(&surveys, dated).await.assert_error(StatusCode::UNPROCESSABLE_ENTITY, "validation");
    let mut midpoint = fit_check();
    midpoint["trigger"] = json!("midpoint");
    p.coordinator.post(&surveys, midpoint).await.assert_error(StatusCode::UNPROCESSABLE_ENTITY, "validation");
    p.mentee.post(&surveys, fit_check()).await.assert_error(StatusCode::FORBIDDEN, "forbidden");

    let created = p.coordinator.post(&surveys, fit_check()).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text);
    assert_eq!(created.body["questions"][3]["id"], "q4");
    let survey = created.body["id"].as_str().unwrap().to_owned();

    // The pair talks, then meets; after the meeting both are asked, live.
    let (mut mentee_ws, welcome) = p.mentee.ws(json!({})).await;
    let (mut mentor_ws, _) = p.mentor.ws(json!({})).await;
    let channel = welcome["channels"][0]["id"].as_str().unwrap().to_owned();
    mentee_ws.send_message(&channel, "hi-1", "Hello! Looking forward to meeting.").await;
    mentor_ws.send_message(&channel, "hi-2", "Likewise, see you soon.").await;
    a_call(&mut mentee_ws, &mut mentor_ws, &p.ids[1]).await;
    let frame = mentee_ws.recv_matching(|f| f["type"] == "survey").await;
    assert_eq!(frame["survey"]["title"], "Fit check");
    mentor_ws.recv_matching(|f| f["type"] == "survey").await;
    // A second meeting does not ask again: the fit check is once per match.
    a_call(&mut mentee_ws, &mut mentor_ws, &p.ids[1]).await;
    // Unanswered for two days: one reminder, live and by email.
    app.state.clock.advance(2 * DAY + Duration::from_secs(60));
    let reminder = mentee_ws.recv_matching(|f| f["type"] == "survey" && f["reminder"] == true).await;
    assert_eq!(reminder["survey"]["title"], "Fit check");
    eventually("the reminder email", || async {
        app.outbox().await.iter().any(|m| m.to == "nia@example.org" && m.subject == "Reminder: Fit check")
    })
    .await;
    app.next_sweep().await;
    let reminders = app.outbox().await.into_iter().filter(|m| m.subject == "Reminder: Fit check").count();
    assert_eq!(reminders, 2, "one reminder each, however often the check runs");

    let mine = p.mentee.get("/api/me/surveys").await;
    let items = mine.body["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{}", mine.text);
    let invitation = items[0]["id"].as_str().unwrap().to_owned();
    let answer = format!("/api/me/surveys/{invitation}/response");
    for bad in [
        json!({"answers": {"q1": 6, "q2": "Good fit"}}),
        json!({"answers": {"q1": 4}}),
        json!({"answers": {"q1": 4, "q2": "Great"}}),
        json!({"answers": {"q1": 4, "q2": "Good fit", "q3": "Research"}}),
        json!({"answers": {"q1": 4, "q2": "Good fit", "q7": 1}}),
        json!({"answers": {"q1": "four", "q2": "Good fit"}}),
    ] {
        p.mentee.post(&answer, bad).await.assert_error(StatusCode::UNPROCESSABLE_ENTITY, "validation");
    }
    p.outsider
        .post(&answer, json!({"answers": {"q1": 4, "q2": "Good fit"}}))
        .await
        .assert_error(StatusCode::NOT_FOUND, "not_found");
    let (mut coordinator_ws, _) = p.coordinator.ws(json!({})).await;
    let ok = p
        .mentee
        .post(&answer, json!({"answers": {"q1": 5, "q2": "Good fit", "q3": ["Residency"], "q4": "Loved the advice on interviews"}}))
        .await;
    assert_eq!(ok.status, StatusCode::CREATED, "{}", ok.text);
    p.mentee
        .post(&answer, json!({"answers": {"q1": 1, "q2": "Good fit"}}))
        .await
        .assert_error(StatusCode::CONFLICT, "conflict");
    assert!(p.mentee.get("/api/me/surveys").await.body["items"].as_array().unwrap().is_empty());

    // The mentor says it is not a good fit: coordinators are alerted live.
    let mentor_inv = p.mentor.get("/api/me/surveys").await.body["items"][0]["id"].as_str().unwrap().to_owned();
    let ok = p
        .mentor
        .post(&format!("/api/me/surveys/{mentor_inv}/response"), json!({"answers": {"q1": 2, "q2": "Not a good fit"}}))
        .await;
    assert_eq!(ok.status, StatusCode::CREATED, "{}", ok.text);
    let alert = coordinator_ws.recv_matching(|f| f["type"] == "alert").await;
    assert_eq!(alert["alert"]["rule"], "not_a_good_fit");
    assert_eq!(alert["alert"]["match_id"], p.match_id.as_str());

    // Results and the dashboard.
    let results = p.coordinator.get(&format!("{surveys}/{survey}/results")).await;
    assert_eq!(results.status, StatusCode::OK, "{}", results.text);
    assert_eq!(results.body["responses"], 2);
    assert_eq!(results.body["questions"][0]["average"], 3.5);
    assert_eq!(results.body["questions"][0]["distribution"], json!([0, 1, 0, 0, 1]));
    assert_eq!(results.body["questions"][1]["options"][2], json!({"option": "Not a good fit", "count": 1}));
    p.mentee.get(&format!("{surveys}/{survey}/results")).await.assert_error(StatusCode::FORBIDDEN, "forbidden");

    let dash = p.coordinator.get(&format!("/api/programs/{program}/dashboard")).await;
    assert_eq!(dash.status, StatusCode::OK, "{}", dash.text);
    let d = &dash.body;
    assert_eq!(
        d["participants"]["by_role"],
        json!([{"key": "coordinator", "count": 1}, {"key": "mentee", "count": 2}, {"key": "mentor", "count": 1}])
    );
    assert_eq!(
        d["participants"]["by_status"],
        json!([{"key": "matched", "count": 2}, {"key": "questionnaire_pending", "count": 1}])
    );
    assert_eq!(d["matches_over_time"].as_array().unwrap().last().unwrap()["activated"], 1);
    assert_eq!(d["weekly_active_pairs"].as_array().unwrap().last().unwrap()["pairs"], 1);
    assert_eq!(d["meetings_per_pair"][2], json!({"bucket": "2", "pairs": 1}));
    assert_eq!(d["at_risk"], json!({"open": 1, "by_rule": [{"key": "not_a_good_fit", "count": 1}]}));
    assert_eq!(d["surveys"][0]["responses"], 2);
    let empty = p.coordinator.get(&format!("/api/programs/{program}/dashboard?cohort=2027")).await;
    assert_eq!(empty.body["meetings_per_pair"][2]["pairs"], 0, "{}", empty.text);
    p.coordinator
        .get(&format!("/api/programs/{program}/dashboard?from=2026-13-01"))
        .await
        .assert_error(StatusCode::UNPROCESSABLE_ENTITY, "validation");
    p.mentor.get(&format!("/api/programs/{program}/dashboard")).await.assert_error(StatusCode::FORBIDDEN, "forbidden");

    let engagement = p.coordinator.get(&format!("/api/programs/{program}/engagement")).await;
    let pair = &engagement.body["items"][0];
    assert_eq!((pair["messages_from_mentee"].as_i64(), pair["messages_from_mentor"].as_i64()), (Some(1), Some(1)));
    assert_eq!(pair["meetings"], 2);
    assert_eq!(pair["first_reply_minutes"], 0);
    assert_eq!(pair["at_risk"], json!(["not_a_good_fit"]));

    // Exports: named, and de-identified without names, emails or free text.
    let named = csv(&p.coordinator, &format!("/api/programs/{program}/exports/survey-responses")).await;
    assert!(named.contains("Loved the advice on interviews") && named.contains(&p.ids[0]), "{named}");
    let mut deidentified = std::collections::HashMap::new();
    for kind in ["participants", "matches", "engagement", "survey-responses"] {
        let text = csv(&p.coordinator, &format!("/api/programs/{program}/exports/{kind}?deidentified=true")).await;
        for secret in
            ["Nia", "Kwame", "Otto", "Cora", "example.org", "Loved the advice", &p.ids[0], &p.ids[1], &p.match_id]
        {
            assert!(!text.contains(secret), "{kind} de-identified export contains {secret}: {text}");
        }
        assert!(text.lines().count() > 1, "{kind}: {text}");
        deidentified.insert(kind, text);
    }
    // The same person has the same pseudonym in every export: the matched mentee of the
    // participants file is the mentee of the matches file and a respondent.
    let mentee_row = deidentified["participants"]
        .lines()
        .find(|l| l.contains(",mentee,") && l.ends_with(",matched"))
        .unwrap_or_else(|| panic!("{}", deidentified["participants"]));
    let pseudonym = mentee_row.split(',').next().unwrap();
    assert!(pseudonym.starts_with("p-") && pseudonym.len() == 14, "{pseudonym}");
    assert_eq!(deidentified["matches"].lines().nth(1).unwrap().split(',').nth(1), Some(pseudonym));
    assert!(deidentified["survey-responses"].contains(pseudonym));
    p.coordinator
        .get(&format!("/api/programs/{program}/exports/messages"))
        .await
        .assert_error(StatusCode::NOT_FOUND, "not_found");
    p.mentee
        .get(&format!("/api/programs/{program}/exports/participants"))
        .await
        .assert_error(StatusCode::FORBIDDEN, "forbidden");

    // Every export is in the audit log, which only admins read.
    app.user("ada@example.org", "Ada", true, false).await;
    let admin = app.signed_in("ada@example.org").await;
    let audit = admin.get("/api/admin/audit?limit=200").await;
    assert_eq!(audit.status, StatusCode::OK, "{}", audit.text);
    let entries = audit.body["items"].as_array().unwrap();
    assert_eq!(entries.len(), 5, "{}", audit.text);
    assert!(entries.iter().all(|e| e["action"] == "export" && e["actor_name"] == "Cora"));
    assert_eq!(entries.iter().filter(|e| e["detail"]["deidentified"] == true).count(), 4);
    p.coordinator.get("/api/admin/audit").await.assert_error(StatusCode::FORBIDDEN, "forbidden");

    // Another program's data is out of reach.
    app.user("cleo@example.org", "Cleo", false, true).await;
    let cleo = app.signed_in("cleo@example.org").await;
    let other = cleo.post("/api/programs", json!({"name": "Other"})).await.body["id"].as_str().unwrap().to_owned();
    for path in [
        format!("/api/programs/{other}/exports/participants"),
        format!("/api/programs/{other}/dashboard"),
        format!("/api/programs/{other}/engagement"),
        format!("/api/programs/{other}/surveys/{survey}/results"),
    ] {
        p.coordinator.get(&path).await.assert_error(StatusCode::NOT_FOUND, "not_found");
    }
    cleo.get(&format!("/api/programs/{other}/surveys/{survey}/results"))
        .await
        .assert_error(StatusCode::NOT_FOUND, "not_found");
}

fn channel_of(welcome: &Value) -> String {
    welcome["channels"][0]["id"].as_str().unwrap().to_owned()
}

/// The messages Kindred's system account posted in a channel.
async fn system_messages(client: &Client, channel: &str) -> Vec<String> {
    let history = client.get(&format!("/api/channels/{channel}/messages?limit=100")).await;
    assert_eq!(history.status, StatusCode::OK, "{}", history.text);
    history.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["sender_id"] == "00000000-0000-0000-0000-000000000000")
        .map(|m| m["body"].as_str().unwrap().to_owned())
        .collect()
}

async fn pairs_at_risk_are_flagged_and_nudged_once(backend: Backend) {
    let app = app(backend).await;
    let p = matched_pair(&[&app]).await;
    let settings = format!("/api/programs/{}/risk-settings", p.program);
    let alerts = format!("/api/programs/{}/alerts", p.program);
    assert_eq!(p.coordinator.get(&settings).await.body["no_contact_days"], 14);
    for bad in [
        json!({"enabled": true, "no_contact_days": 0, "rating_drop": 1.5, "fit_check": true}),
        json!({"enabled": true, "no_contact_days": 7, "rating_drop": -1, "fit_check": true}),
        json!({"enabled": true, "no_contact_days": "seven", "rating_drop": 1.5, "fit_check": true}),
    ] {
        p.coordinator.put(&settings, bad).await.assert_error(StatusCode::UNPROCESSABLE_ENTITY, "validation");
    }
    let tuned = json!({"enabled": true, "no_contact_days": 7, "rating_drop": 1.5, "fit_check": true});
    p.mentor.put(&settings, tuned.clone()).await.assert_error(StatusCode::FORBIDDEN, "forbidden");
    assert_eq!(p.coordinator.put(&settings, tuned).await.status, StatusCode::OK);

    let (mut mentee_ws, welcome) = p.mentee.ws(json!({})).await;
    let channel = channel_of(&welcome);
    // Six quiet days: nothing yet.
    app.state.clock.advance(6 * DAY);
    app.next_sweep().await;
    assert!(p.coordinator.get(&alerts).await.body["items"].as_array().unwrap().is_empty());

    // Eight: flagged, and the pair nudged once however often the check runs.
    app.state.clock.advance(2 * DAY);
    let nudge = mentee_ws
        .recv_matching(|f| {
            f["type"] == "event"
                && f["sender_id"] == "00000000-0000-0000-0000-000000000000"
                && f["body"].as_str().unwrap().contains("a while")
        })
        .await;
    assert_eq!(nudge["channel_id"], channel.as_str());
    app.next_sweep().await;
    let open = p.coordinator.get(&alerts).await;
    let items = open.body["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{}", open.text);
    assert_eq!(items[0]["rule"], "no_contact");
    assert!(items[0]["detail"].as_str().unwrap().contains("8 days"), "{}", items[0]);
    let nudges = system_messages(&p.mentee, &channel).await.into_iter().filter(|m| m.contains("a while")).count();
    assert_eq!(nudges, 1);

    // Contact again clears it; another quiet spell flags it again, with one more nudge.
    mentee_ws.send_message(&channel, "back", "Sorry, busy weeks! Can we talk Friday?").await;
    eventually("the alert to clear", || async {
        p.coordinator.get(&alerts).await.body["items"].as_array().unwrap().is_empty()
    })
    .await;
    let all = p.coordinator.get(&format!("{alerts}?all=true")).await;
    assert_eq!(all.body["items"][0]["resolution"], "cleared");
    app.state.clock.advance(8 * DAY);
    eventually("a new alert", || async {
        p.coordinator.get(&alerts).await.body["items"].as_array().unwrap().len() == 1
    })
    .await;
    app.next_sweep().await;
    let nudges = system_messages(&p.mentee, &channel).await.into_iter().filter(|m| m.contains("a while")).count();
    assert_eq!(nudges, 2);

    // The coordinator writes to the pair, then starts a rematch.
    let alert = p.coordinator.get(&alerts).await.body["items"][0]["id"].as_str().unwrap().to_owned();
    let path = format!("{alerts}/{alert}/message");
    p.coordinator.post(&path, json!({"text": " "})).await.assert_error(StatusCode::UNPROCESSABLE_ENTITY, "validation");
    p.mentee.post(&path, json!({"text": "hi"})).await.assert_error(StatusCode::FORBIDDEN, "forbidden");
    let sent = p.coordinator.post(&path, json!({"text": "Checking in: how can I help?"})).await;
    assert_eq!(sent.status, StatusCode::OK, "{}", sent.text);
    let group = sent.body["channel_id"].as_str().unwrap().to_owned();
    let again = p.coordinator.post(&path, json!({"text": "Also: office hours on Monday."})).await;
    assert_eq!(again.body["channel_id"], group.as_str(), "one channel per coordinator and pair");
    let msg = mentee_ws.recv_matching(|f| f["type"] == "event" && f["body"] == "Checking in: how can I help?").await;
    assert_eq!(msg["channel_id"], group.as_str());
    let rematched = p.coordinator.post(&format!("{alerts}/{alert}/rematch"), json!({})).await;
    assert_eq!(rematched.status, StatusCode::OK, "{}", rematched.text);
    assert_eq!(rematched.body["resolution"], "rematched");
    let record = app.state.store.get_match(p.match_id.parse().unwrap()).await.unwrap();
    assert_eq!(record.status, kindred::store::MatchStatus::Ended);
    p.coordinator
        .post(&format!("{alerts}/{alert}/resolve"), json!({}))
        .await
        .assert_error(StatusCode::CONFLICT, "conflict");
}

async fn a_meeting_is_contact_too(backend: Backend) {
    let app = app(backend).await;
    let p = matched_pair(&[&app]).await;
    let alerts = format!("/api/programs/{}/alerts", p.program);
    // A first sweep reads each pair's history once; later ones only what happened since.
    app.next_sweep().await;
    let (mut mentee_ws, _) = p.mentee.ws(json!({})).await;
    let (mut mentor_ws, _) = p.mentor.ws(json!({})).await;
    app.state.clock.advance(15 * DAY);
    eventually("the quiet pair flagged", || async {
        p.coordinator.get(&alerts).await.body["items"].as_array().unwrap().len() == 1
    })
    .await;
    // A call both joined, and no message: in touch again.
    a_call(&mut mentee_ws, &mut mentor_ws, &p.ids[1]).await;
    eventually("the alert to clear", || async {
        p.coordinator.get(&alerts).await.body["items"].as_array().unwrap().is_empty()
    })
    .await;
    let all = p.coordinator.get(&format!("{alerts}?all=true")).await;
    assert_eq!(all.body["items"][0]["resolution"], "cleared", "{}", all.text);
    // Quiet again, counted from the call.
    app.state.clock.advance(13 * DAY);
    app.next_sweep().await;
    assert!(p.coordinator.get(&alerts).await.body["items"].as_array().unwrap().is_empty(), "13 days after the call");
    app.state.clock.advance(2 * DAY);
    eventually("flagged again", || async {
        p.coordinator.get(&alerts).await.body["items"].as_array().unwrap().len() == 1
    })
    .await;
}

async fn a_program_sets_its_get_help_now_panel(backend: Backend) {
    let app = app(backend).await;
    let p = matched_pair(&[&app]).await;
    let help = format!("/api/programs/{}/help", p.program);
    // Nothing set: the program's panel is empty, and a member's list of panels is too.
    let none = p.mentee.get(&help).await;
    assert_eq!((none.status, none.body["text"].as_str()), (StatusCode::OK, Some("")), "{}", none.text);
    assert_eq!(p.mentee.get("/api/me/help").await.body["items"], json!([]));

    // Refusals change nothing: not a coordinator, too long, control characters, unknown fields.
    let text = "Urgent concern? Call the program office: +1 555 0100 (weekdays 9-5).\nIn danger: 911.";
    p.mentee.put(&help, json!({"text": text})).await.assert_error(StatusCode::FORBIDDEN, "forbidden");
    let long = p.coordinator.put(&help, json!({"text": "x".repeat(4001)})).await;
    long.assert_error(StatusCode::UNPROCESSABLE_ENTITY, "validation");
    assert!(long.text.contains("text"), "{}", long.text);
    p.coordinator
        .put(&help, json!({"text": "a\u{7}b"}))
        .await
        .assert_error(StatusCode::UNPROCESSABLE_ENTITY, "validation");
    p.coordinator
        .put(&help, json!({"text": "x", "urgent": true}))
        .await
        .assert_error(StatusCode::UNPROCESSABLE_ENTITY, "validation");
    assert_eq!(p.mentee.get("/api/me/help").await.body["items"], json!([]));

    // Set: every member reads it, from the program and in their own list.
    let saved = p.coordinator.put(&help, json!({"text": text})).await;
    assert_eq!(saved.status, StatusCode::OK, "{}", saved.text);
    assert_eq!(saved.body["text"], text);
    assert!(saved.body["updated_at"].is_string());
    for member in [&p.mentee, &p.mentor, &p.outsider] {
        let mine = member.get("/api/me/help").await;
        let items = mine.body["items"].as_array().unwrap();
        assert_eq!(items.len(), 1, "{}", mine.text);
        assert_eq!(
            (items[0]["program_id"].as_str(), items[0]["text"].as_str()),
            (Some(p.program.as_str()), Some(text))
        );
    }
    assert_eq!(p.mentor.get(&help).await.body["text"], text);
    // Someone of no program of it is told it does not exist, and sees no panel of it.
    app.user("stranger@example.org", "Stranger", false, false).await;
    let stranger = app.signed_in("stranger@example.org").await;
    stranger.get(&help).await.assert_error(StatusCode::NOT_FOUND, "not_found");
    assert_eq!(stranger.get("/api/me/help").await.body["items"], json!([]));

    // Emptied: gone from the members' lists.
    assert_eq!(p.coordinator.put(&help, json!({"text": "  "})).await.body["text"], "");
    assert_eq!(p.mentee.get("/api/me/help").await.body["items"], json!([]));
}

async fn check_in_ratings_stay_private_and_support_is_asked_for(backend: Backend) {
    let app = app(backend).await;
    let p = matched_pair(&[&app]).await;
    let alerts = format!("/api/programs/{}/alerts", p.program);
    let channel = app.state.store.get_match(p.match_id.parse().unwrap()).await.unwrap().channel_id.unwrap();
    let history = format!("/api/channels/{channel}/messages");
    let events_in_pair_channel = || async { p.mentee.get(&history).await.body["items"].as_array().unwrap().len() };
    let before = events_in_pair_channel().await;
    let (mut mentee_ws, _) = p.mentee.ws(json!({})).await;
    let (mut mentor_ws, _) = p.mentor.ws(json!({})).await;
    let (mut coordinator_ws, _) = p.coordinator.ws(json!({})).await;
    // Kwame rates two calls well, then one poorly: he alone is offered support.
    for rating in [5, 5] {
        let call = a_call(&mut mentee_ws, &mut mentor_ws, &p.ids[1]).await;
        let res = p.mentor.post(&format!("/api/calls/{call}/checkin"), json!({"rating": rating})).await;
        assert_eq!(res.status, StatusCode::OK, "{}", res.text);
        assert_eq!(res.body, json!({"support_offer": null}));
    }
    let call = a_call(&mut mentee_ws, &mut mentor_ws, &p.ids[1]).await;
    let res = p.mentor.post(&format!("/api/calls/{call}/checkin"), json!({"rating": 2})).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    assert_eq!(
        res.body["support_offer"],
        json!({"match_id": p.match_id, "with": {"user_id": p.ids[0], "name": "Nia"}}),
        "{}",
        res.text
    );
    // Nia rated the same call well: nothing is offered to her, and nothing tells her of his rating.
    let res = p.mentee.post(&format!("/api/calls/{call}/checkin"), json!({"rating": 4})).await;
    assert_eq!(res.body, json!({"support_offer": null}));
    // Four ratings from two people: below the default five people, no rating total is shown.
    let totals = p.coordinator.get(&format!("/api/programs/{}/checkins", p.program)).await;
    assert_eq!(
        totals.body,
        json!({"count": 4, "people": 2, "minimum_people": 5, "average": null, "distribution": null}),
        "{}",
        totals.text
    );

    // Sweeps run (the marker), and still no alert, no nudge in the pair's channel.
    app.next_sweep().await;
    app.next_sweep().await;
    assert!(p.coordinator.get(&alerts).await.body["items"].as_array().unwrap().is_empty(), "a rating raises nothing");
    let all = p.coordinator.get(&format!("{alerts}?all=true")).await;
    assert!(all.body["items"].as_array().unwrap().is_empty(), "{}", all.text);
    assert_eq!(events_in_pair_channel().await, before, "no nudge that could read as his verdict");

    // Refusals change nothing: someone else's match, words too long, unknown fields, a coordinator.
    let support = format!("/api/matches/{}/support", p.match_id);
    p.outsider.post(&support, json!({})).await.assert_error(StatusCode::NOT_FOUND, "not_found");
    p.coordinator.post(&support, json!({})).await.assert_error(StatusCode::NOT_FOUND, "not_found");
    p.mentor
        .post(&format!("/api/matches/{}/support", uuid::Uuid::new_v4()), json!({}))
        .await
        .assert_error(StatusCode::NOT_FOUND, "not_found");
    let long = p.mentor.post(&support, json!({"note": "x".repeat(1001)})).await;
    long.assert_error(StatusCode::UNPROCESSABLE_ENTITY, "validation");
    assert!(long.text.contains("note"), "{}", long.text);
    p.mentor
        .post(&support, json!({"note": "hi", "rating": 2}))
        .await
        .assert_error(StatusCode::UNPROCESSABLE_ENTITY, "validation");
    assert!(p.coordinator.get(&alerts).await.body["items"].as_array().unwrap().is_empty());

    // He asks, in his own words: coordinators see that he asked and what he wrote, not a rating.
    let res = p.mentor.post(&support, json!({"note": "Our calls keep getting cut short"})).await;
    assert_eq!(res.status, StatusCode::NO_CONTENT, "{}", res.text);
    let frame = coordinator_ws.recv_matching(|f| f["type"] == "alert").await;
    let alert = &frame["alert"];
    assert_eq!(alert["rule"], "support_requested");
    assert_eq!(alert["raised_by"], json!({"user_id": p.ids[1], "name": "Kwame"}));
    let detail = alert["detail"].as_str().unwrap();
    assert!(detail.contains("Kwame asked a coordinator") && detail.contains("cut short"), "{detail}");
    assert!(!detail.contains('2') && !detail.contains("rat"), "{detail}");
    p.mentor.post(&support, json!({})).await.assert_error(StatusCode::CONFLICT, "conflict");
    // His data download holds what he raised; hers does not.
    let mine = p.mentor.get("/api/me/export").await;
    let raised = &mine.body["raised_with_coordinators"];
    assert_eq!(raised.as_array().map(Vec::len), Some(1), "{}", mine.text);
    assert_eq!(raised[0]["rule"], "support_requested");
    assert!(raised[0]["detail"].as_str().unwrap().contains("cut short"));
    assert_eq!(p.mentee.get("/api/me/export").await.body["raised_with_coordinators"], json!([]));
    assert_eq!(p.coordinator.get(&alerts).await.body["items"].as_array().unwrap().len(), 1);
    assert_eq!(events_in_pair_channel().await, before, "Nia is not told");

    // The coordinator's follow-up goes to Kwame alone, in one channel however often she writes.
    let id = alert["id"].as_str().unwrap();
    let sent = p.coordinator.post(&format!("{alerts}/{id}/message"), json!({"text": "Shall we talk on Friday?"})).await;
    assert_eq!(sent.status, StatusCode::OK, "{}", sent.text);
    let followup = sent.body["channel_id"].as_str().unwrap().to_owned();
    let again = p.coordinator.post(&format!("{alerts}/{id}/message"), json!({"text": "Or Monday?"})).await;
    assert_eq!(again.body["channel_id"], followup.as_str());
    let seen = p.mentor.get(&format!("/api/channels/{followup}")).await;
    assert_eq!(seen.status, StatusCode::OK, "{}", seen.text);
    let mut members: Vec<String> =
        seen.body["members"].as_array().unwrap().iter().map(|m| m["name"].as_str().unwrap().to_owned()).collect();
    members.sort();
    assert_eq!(members, vec!["Cora", "Kwame"]);
    p.mentee.get(&format!("/api/channels/{followup}")).await.assert_error(StatusCode::NOT_FOUND, "not_found");
    assert_eq!(events_in_pair_channel().await, before);
}

async fn notifications_digests_and_unsubscribe_links(backend: Backend) {
    let app = app(backend).await;
    let p = matched_pair(&[&app]).await;
    let prefs = p.mentee.get("/api/me/notifications").await;
    assert_eq!(
        prefs.body,
        json!({"message_digest": true, "meeting_reminders": true, "survey_invitations": true, "match_proposals": true})
    );
    p.mentee
        .put("/api/me/notifications", json!({"message_digest": "no"}))
        .await
        .assert_error(StatusCode::UNPROCESSABLE_ENTITY, "validation");

    // A dated survey goes out by email, with a working unsubscribe link.
    let due = (app.state.clock.now() + Duration::from_secs(60)).format(&Rfc3339).unwrap();
    let mut dated = fit_check();
    dated["trigger"] = json!("date");
    dated["due_at"] = json!(due);
    dated["audience"] = json!("mentees");
    dated["anonymous"] = json!(true);
    let res = p.coordinator.post(&format!("/api/programs/{}/surveys", p.program), dated).await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
    app.next_sweep().await;
    assert!(p.mentee.get("/api/me/surveys").await.body["items"].as_array().unwrap().is_empty(), "not yet due");
    app.state.clock.advance(Duration::from_secs(120));
    eventually("the survey email", || async {
        app.outbox().await.iter().any(|m| m.to == "nia@example.org" && m.subject == "Fit check")
    })
    .await;
    assert!(
        !app.outbox().await.iter().any(|m| m.to == "kwame@example.org" && m.subject == "Fit check"),
        "mentees only"
    );
    let link = app.link_in_mail_to("nia@example.org").await;
    assert!(link.contains("/surveys"), "{link}");
    let mail = app.outbox().await.into_iter().find(|m| m.subject == "Fit check").unwrap();
    let unsubscribe = mail.body.split_whitespace().find(|w| w.contains("/unsubscribe?token=")).unwrap().to_owned();
    let token = unsubscribe.split_once("token=").unwrap().1.to_owned();

    // An anonymous response is stored without the person.
    let inv = p.mentee.get("/api/me/surveys").await.body["items"][0].clone();
    assert_eq!(inv["anonymous"], true);
    let ok = p
        .mentee
        .post(
            &format!("/api/me/surveys/{}/response", inv["id"].as_str().unwrap()),
            json!({"answers": {"q1": 3, "q2": "Not a good fit"}}),
        )
        .await;
    assert_eq!(ok.status, StatusCode::CREATED, "{}", ok.text);
    let named = csv(&p.coordinator, &format!("/api/programs/{}/exports/survey-responses", p.program)).await;
    assert!(!named.contains(&p.ids[0]) && !named.contains(&p.match_id), "{named}");
    assert!(
        p.coordinator.get(&format!("/api/programs/{}/alerts", p.program)).await.body["items"]
            .as_array()
            .unwrap()
            .is_empty(),
        "an anonymous answer flags no one"
    );

    // Forged and expired links change nothing; the real one turns survey emails off.
    let anon = app.client();
    let forged = format!("{}x", &token[..token.len() - 1]);
    anon.post("/api/unsubscribe", json!({"token": forged})).await.assert_error(StatusCode::BAD_REQUEST, "bad_request");
    let other_kind = token.replace("survey_invitations", "message_digest");
    anon.post("/api/unsubscribe", json!({"token": other_kind}))
        .await
        .assert_error(StatusCode::BAD_REQUEST, "bad_request");
    assert_eq!(p.mentee.get("/api/me/notifications").await.body["survey_invitations"], true);
    let done = anon.post("/api/unsubscribe", json!({"token": token})).await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.text);
    assert_eq!(done.body, json!({"kind": "survey_invitations", "email": "nia@example.org"}));
    assert_eq!(p.mentee.get("/api/me/notifications").await.body["survey_invitations"], false);

    // A digest of unread messages for someone offline, once.
    let (mut mentor_ws, welcome) = p.mentor.ws(json!({})).await;
    let channel = welcome["channels"][0]["id"].as_str().unwrap().to_owned();
    mentor_ws.send_message(&channel, "d1", "Are you free on Thursday?").await;
    mentor_ws.send_message(&channel, "d2", "Or Friday works too.").await;
    app.state.clock.advance(Duration::from_secs(31 * 60));
    eventually("a digest", || async { app.outbox().await.iter().any(|m| m.subject == "Unread messages on Kindred") })
        .await;
    app.next_sweep().await;
    let digests: Vec<_> =
        app.outbox().await.into_iter().filter(|m| m.subject == "Unread messages on Kindred").collect();
    assert_eq!(digests.len(), 1, "one digest, to the mentee only");
    assert_eq!(digests[0].to, "nia@example.org");
    assert!(digests[0].body.contains("3 unread messages in 1 conversation"), "{}", digests[0].body);
    assert!(!digests[0].body.contains("Thursday"), "a digest does not quote messages");
    assert!(digests[0].body.contains("/unsubscribe?token="));

    // Someone online when a digest comes due gets none then, and one once they have left.
    let (mentee_ws, _) = p.mentee.ws(json!({})).await;
    mentor_ws.send_message(&channel, "d3", "Thursday it is, then?").await;
    app.state.clock.advance(Duration::from_secs(31 * 60));
    app.next_sweep().await;
    let count = || async { app.outbox().await.iter().filter(|m| m.subject == "Unread messages on Kindred").count() };
    assert_eq!(count().await, 1, "no digest while the mentee is online");
    drop(mentee_ws);
    eventually("a digest after leaving", || async { count().await == 2 }).await;
    let latest = app.outbox().await.into_iter().find(|m| m.subject == "Unread messages on Kindred").unwrap();
    assert_eq!(latest.to, "nia@example.org");
    assert!(latest.body.contains("1 unread message in 1 conversation"), "only what came since: {}", latest.body);

    // Expired links are refused.
    app.state.clock.advance(61 * DAY);
    let old = digests[0].body.split_whitespace().find(|w| w.contains("/unsubscribe?token=")).unwrap();
    let old = old.split_once("token=").unwrap().1;
    let expired = anon.post("/api/unsubscribe", json!({"token": old})).await;
    expired.assert_error(StatusCode::BAD_REQUEST, "bad_request");
    assert!(expired.body["error"]["message"].as_str().unwrap().contains("expired"));
    let nia = app.state.store.find_user_by_email("nia@example.org").await.unwrap().unwrap().0;
    assert!(app.state.store.notification_prefs(nia.id).await.unwrap().message_digest);
}

const MARKER: &str = "PRIVATE-7Q3-my visa worries";

async fn no_coordinator_endpoint_returns_message_text(backend: Backend) {
    let app = app(backend).await;
    let p = matched_pair(&[&app]).await;
    let (mut mentee_ws, welcome) = p.mentee.ws(json!({})).await;
    let (mut mentor_ws, _) = p.mentor.ws(json!({})).await;
    let channel = welcome["channels"][0]["id"].as_str().unwrap().to_owned();
    mentee_ws.send_message(&channel, "m1", MARKER).await;
    // A report sharing one other message: its copy is the one message text a coordinator reads.
    let shared = mentor_ws.send_message(&channel, "k1", "A message shared with a report").await;
    let report = json!({"kind": "message", "category": "other", "channel_id": channel, "seq": shared["seq"], "share": [shared["seq"]]});
    let report = p.mentee.post("/api/reports", report).await;
    assert_eq!(report.status, StatusCode::CREATED, "{}", report.text);
    let queue = p.coordinator.get(&format!("/api/programs/{}/reports", p.program)).await;
    assert_eq!(queue.body["items"][0]["messages"][0]["body"], "A message shared with a report", "{}", queue.text);
    a_call(&mut mentee_ws, &mut mentor_ws, &p.ids[1]).await;
    let survey = p.coordinator.post(&format!("/api/programs/{}/surveys", p.program), fit_check()).await;
    let survey = survey.body["id"].as_str().unwrap().to_owned();
    p.coordinator
        .put(
            &format!("/api/programs/{}/risk-settings", p.program),
            json!({"enabled": true, "no_contact_days": 1, "rating_drop": 1.5, "fit_check": true}),
        )
        .await;
    app.state.clock.advance(2 * DAY);
    eventually("an alert", || async {
        !p.coordinator.get(&format!("/api/programs/{}/alerts", p.program)).await.body["items"]
            .as_array()
            .unwrap()
            .is_empty()
    })
    .await;
    let alert = p.coordinator.get(&format!("/api/programs/{}/alerts", p.program)).await.body["items"][0]["id"].clone();
    app.user("ada@example.org", "Ada", true, false).await;
    let admin = app.signed_in("ada@example.org").await;

    // Every GET route of the API a coordinator or admin can reach with this program's ids.
    let spec = app.client().get("/api/openapi.json").await.body;
    let mut checked = 0;
    for (path, item) in spec["paths"].as_object().unwrap() {
        if item.get("get").is_none() || !(path.starts_with("/api/programs") || path.starts_with("/api/admin")) {
            continue;
        }
        let kinds: Vec<&str> = if path.contains("{kind}") {
            vec!["participants", "matches", "engagement", "survey-responses"]
        } else {
            vec![""]
        };
        for kind in kinds {
            let url = path
                .replace("{id}", &p.program)
                .replace("{survey_id}", &survey)
                .replace("{alert_id}", alert.as_str().unwrap())
                .replace("{report_id}", report.body["id"].as_str().unwrap())
                .replace("{user_id}", &p.ids[0])
                .replace("{kind}", kind);
            let url = url.replace(['{', '}'], "");
            for (who, client) in [("coordinator", &p.coordinator), ("admin", &admin)] {
                let res = client.get(&url).await;
                assert!(!res.status.is_server_error(), "{who} GET {url}: {}", res.status);
                assert!(!res.text.contains(MARKER), "{who} GET {url} returned a private message's text");
                checked += 1;
            }
        }
    }
    assert!(checked >= 40, "only {checked} requests were checked");
}

async fn deleting_an_account_leaves_tombstones(backend: Backend) {
    let app = app(backend).await;
    let p = matched_pair(&[&app]).await;
    let (mut mentee_ws, welcome) = p.mentee.ws(json!({})).await;
    let (mut mentor_ws, _) = p.mentor.ws(json!({})).await;
    let channel = welcome["channels"][0]["id"].as_str().unwrap().to_owned();
    mentee_ws.send_message(&channel, "m1", MARKER).await;
    mentor_ws.send_message(&channel, "k1", "Happy to help with that.").await;

    // My data, all of it, as JSON.
    let mine = p.mentee.get("/api/me/export").await;
    assert_eq!(mine.status, StatusCode::OK, "{}", mine.text);
    assert_eq!(mine.body["profile"]["email"], "nia@example.org");
    assert_eq!(mine.body["messages"][0]["text"], MARKER);
    assert_eq!(mine.body["messages"].as_array().unwrap().len(), 1, "only the messages I wrote");
    assert_eq!(mine.body["matches"][0]["status"], "active");
    assert_eq!(mine.body["memberships"][0]["role"], "mentee");

    p.mentee
        .post("/api/me/delete", json!({"password": "wrong"}))
        .await
        .assert_error(StatusCode::FORBIDDEN, "forbidden");
    p.mentee.post("/api/me/delete", json!({})).await.assert_error(StatusCode::UNPROCESSABLE_ENTITY, "validation");
    let deleted = p.mentee.post("/api/me/delete", json!({"password": kindred_tests::PASSWORD})).await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT, "{}", deleted.text);
    // Signed out everywhere; the account cannot sign in again.
    p.mentee.get("/api/me").await.assert_error(StatusCode::UNAUTHORIZED, "unauthenticated");
    let login = app
        .client()
        .post("/api/auth/login", json!({"email": "nia@example.org", "password": kindred_tests::PASSWORD}))
        .await;
    login.assert_error(StatusCode::UNAUTHORIZED, "invalid_credentials");

    // The mentor is told live; the history keeps its order with a tombstone for her message.
    let told = mentor_ws
        .recv_matching(|f| {
            f["type"] == "event" && f["body"].as_str().is_some_and(|b| b.contains("deleted their Kindred account"))
        })
        .await;
    assert_eq!(told["channel_id"], channel.as_str());
    // …and their view of the match changes with it.
    let ended = mentor_ws.recv_matching(|f| f["type"] == "match").await;
    assert_eq!(ended["match"]["status"], "ended", "{ended}");
    let history = p.mentor.get(&format!("/api/channels/{channel}/messages?limit=100")).await;
    assert!(!history.text.contains(MARKER), "{}", history.text);
    let items = history.body["items"].as_array().unwrap();
    let tombstone = items.iter().find(|m| m["sender_id"] == p.ids[0].as_str()).expect("her message's tombstone");
    assert_eq!(tombstone["body"], "");
    assert!(tombstone["deleted_at"].is_string());
    assert!(items.iter().any(|m| m["body"] == "Happy to help with that."), "the mentor's own message stays");
    let record = app.state.store.get_match(p.match_id.parse().unwrap()).await.unwrap();
    assert_eq!(record.status, kindred::store::MatchStatus::Ended);
    assert_eq!(record.mentee_name, "Deleted person");
    let members = p.coordinator.get(&format!("/api/programs/{}/members", p.program)).await;
    assert!(!members.text.contains("nia@example.org"), "{}", members.text);
}

/// Surveys, engagement and alerts come a page at a time, however long the program's lists get.
async fn long_lists_come_in_pages(backend: Backend) {
    let app = app(backend).await;
    let p = matched_pair(&[&app]).await;
    let program: uuid::Uuid = p.program.parse().unwrap();
    let store = &app.state.store;
    let now = app.state.clock.now();
    // Two more active pairs.
    for i in 0..2 {
        let mentor = app.user(&format!("mentor{i}@example.org"), "Mentor", false, false).await;
        let mentee = app.user(&format!("mentee{i}@example.org"), "Mentee", false, false).await;
        store.add_member(program, mentor.id, kindred::store::Role::Mentor, now).await.unwrap();
        store.add_member(program, mentee.id, kindred::store::Role::Mentee, now).await.unwrap();
        let id = uuid::Uuid::new_v4();
        let new = kindred::store::NewMatch {
            id,
            program_id: program,
            mentee_id: mentee.id,
            mentor_id: mentor.id,
            round_id: None,
            score: 50.0,
            explanation: "{}".into(),
            mentor_capacity: 1,
            announce: kindred::domain::jobs::Work::MatchProposed(id).job(now),
        };
        store.create_match(new, now).await.unwrap();
        for person in [mentee.id, mentor.id] {
            let on_active = kindred::domain::jobs::Work::MatchActivated(id).job(now);
            store.respond_match(id, person, true, None, &on_active, now).await.unwrap();
        }
    }
    for title in ["First", "Second", "Third"] {
        let mut survey = fit_check();
        survey["title"] = json!(title);
        let res = p.coordinator.post(&format!("/api/programs/{program}/surveys"), survey).await;
        assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
    }
    // Three quiet pairs, three alerts.
    app.state.clock.advance(15 * DAY);
    let alerts = format!("/api/programs/{program}/alerts");
    eventually("three alerts", || async {
        p.coordinator.get(&alerts).await.body["items"].as_array().map_or(0, Vec::len) == 3
    })
    .await;

    let (surveys, pages) = all_pages(&p.coordinator, &format!("/api/programs/{program}/surveys"), 2).await;
    assert_eq!((surveys.len(), pages), (3, 2));
    let titles: Vec<&str> = surveys.iter().map(|s| s["title"].as_str().unwrap()).collect();
    assert_eq!(titles, ["First", "Second", "Third"], "oldest first");
    let (pairs, pages) = all_pages(&p.coordinator, &format!("/api/programs/{program}/engagement"), 1).await;
    assert_eq!((pairs.len(), pages), (3, 3));
    let (open, pages) = all_pages(&p.coordinator, &alerts, 2).await;
    assert_eq!((open.len(), pages), (3, 2));
    let (all, _) = all_pages(&p.coordinator, &format!("{alerts}?all=true"), 1).await;
    assert_eq!(all.len(), 3);

    // Paging changes nothing about who may read: a mentee is refused every page.
    for path in [format!("/api/programs/{program}/surveys?limit=1"), format!("{alerts}?limit=1")] {
        assert_eq!(p.mentee.get(&path).await.status, StatusCode::FORBIDDEN, "{path}");
    }
}

/// Rows of a CSV body without its header, split on commas (the seeded values have none).
fn csv_rows(text: &str) -> Vec<Vec<String>> {
    text.lines().skip(1).map(|l| l.split(',').map(str::to_owned).collect()).collect()
}

async fn exports_are_written_page_by_page_and_lose_no_row(backend: Backend) {
    // More than one page (500 rows) of people, of pairs, of active pairs and of responses.
    let app = TestApp::spawn(backend).await;
    let store = &app.state.store;
    let now = app.state.clock.now();
    app.user("cora@example.org", "Cora", false, true).await;
    let coordinator = app.signed_in("cora@example.org").await;
    let program =
        coordinator.post("/api/programs", json!({"name": "National"})).await.body["id"].as_str().unwrap().to_owned();
    let pid: uuid::Uuid = program.parse().unwrap();
    let survey = coordinator.post(&format!("/api/programs/{program}/surveys"), fit_check()).await;
    assert_eq!(survey.status, StatusCode::CREATED, "{}", survey.text);
    let survey: uuid::Uuid = survey.body["id"].as_str().unwrap().parse().unwrap();
    const PAIRS: usize = 560;
    const ACTIVE: usize = 520;
    let mut people = std::collections::HashMap::new();
    for i in 0..PAIRS {
        let mut ids = Vec::new();
        for (role, name) in [(kindred::store::Role::Mentor, "Mentor"), (kindred::store::Role::Mentee, "Mentee")] {
            let user = kindred::store::NewUser {
                email: format!("{}{i}@example.org", name.to_lowercase()),
                name: format!("{name} {i}"),
                password_hash: None,
                is_admin: false,
                can_create_programs: false,
            };
            let user = store.create_user(user, now).await.unwrap();
            store.add_member(pid, user.id, role, now).await.unwrap();
            ids.push(user.id);
        }
        let id = uuid::Uuid::now_v7();
        let new = kindred::store::NewMatch {
            id,
            program_id: pid,
            mentee_id: ids[1],
            mentor_id: ids[0],
            round_id: None,
            score: 0.5,
            explanation: "{}".into(),
            mentor_capacity: 1,
            announce: kindred::domain::jobs::Work::MatchProposed(id).job(now + time::Duration::days(3650)),
        };
        store.create_match(new, now).await.unwrap();
        let status = if i < ACTIVE {
            for person in [ids[1], ids[0]] {
                let later = kindred::domain::jobs::Work::MatchActivated(id).job(now + time::Duration::days(3650));
                store.respond_match(id, person, true, None, &later, now).await.unwrap();
            }
            let invitation = store.invite_to_survey(survey, ids[1], "fit_check", Some(id), now).await.unwrap().unwrap();
            let invitation = store.get_survey_invitation(invitation).await.unwrap();
            let answers = json!({"q1": 4, "q2": "Good fit", "q3": ["Research"], "q4": format!("Answer {i}")});
            store.answer_survey(&invitation, &answers.to_string(), false, now).await.unwrap();
            "matched"
        } else {
            "proposed"
        };
        people.insert(ids[0].to_string(), status);
        people.insert(ids[1].to_string(), status);
    }
    let export = |kind: &str| format!("/api/programs/{program}/exports/{kind}");

    let participants = csv_rows(&csv(&coordinator, &export("participants")).await);
    assert_eq!(participants.len(), 2 * PAIRS + 1, "everyone once, the coordinator too");
    let mut seen = std::collections::HashSet::new();
    for row in &participants {
        assert!(seen.insert(row[0].clone()), "{} twice", row[0]);
        if let Some(status) = people.get(&row[0]) {
            assert_eq!(row[9], *status, "{row:?}");
        }
    }
    let matches = csv_rows(&csv(&coordinator, &export("matches")).await);
    assert_eq!(matches.len(), PAIRS);
    assert_eq!(matches.iter().map(|r| &r[0]).collect::<std::collections::HashSet<_>>().len(), PAIRS);
    assert_eq!(matches.iter().filter(|r| r[5] == "active").count(), ACTIVE);
    let engagement = csv_rows(&csv(&coordinator, &export("engagement")).await);
    assert_eq!(engagement.len(), ACTIVE, "the pairs that became active, each once");
    let responses = csv_rows(&csv(&coordinator, &export("survey-responses")).await);
    assert_eq!(responses.len(), ACTIVE * 4, "one row per answer");
    let texts: std::collections::HashSet<&str> =
        responses.iter().filter(|r| r[6] == "q4").map(|r| r[8].as_str()).collect();
    assert_eq!(texts.len(), ACTIVE, "every response's text answer, once");
    // De-identified: the same rows, pseudonyms for ids, no names or text.
    let hidden = csv_rows(&csv(&coordinator, &format!("{}?deidentified=true", export("participants"))).await);
    assert_eq!(hidden.len(), participants.len());
    assert!(hidden.iter().all(|r| r[0].starts_with("p-") && r[1].is_empty() && r[2].is_empty()));
    // Every export was audited.
    let audited = store.list_audit(None, 50).await.unwrap().into_iter().filter(|a| a.action == "export").count();
    assert_eq!(audited, 5);
}

/// The download of my data is written a page of messages at a time: more than two pages (500
/// each) of messages stored in the same millisecond come out once each, in order, in one valid
/// JSON document with the rest of my data, and nobody else's message is in it.
async fn my_data_export_holds_every_message_i_wrote(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let p = matched_pair(&[&app]).await;
    let channels = p.mentee.get("/api/channels").await;
    let channel: uuid::Uuid = channels.body["items"][0]["id"].as_str().unwrap().parse().unwrap();
    let (mentee, mentor): (uuid::Uuid, uuid::Uuid) = (p.ids[0].parse().unwrap(), p.ids[1].parse().unwrap());
    let now = app.state.clock.now();
    const MINE: usize = 1_030;
    for i in 0..MINE {
        let append = |sender, client: String, body: String| kindred::store::Append {
            channel_id: channel,
            sender_id: sender,
            client_id: client,
            body,
        };
        app.state.store.append_message(append(mentee, format!("m{i}"), format!("Mine {i}")), now).await.unwrap();
        if i % 100 == 0 {
            app.state.store.append_message(append(mentor, format!("k{i}"), format!("Theirs {i}")), now).await.unwrap();
        }
    }
    let mine = p.mentee.get("/api/me/export").await;
    assert_eq!(mine.status, StatusCode::OK, "{}", mine.text);
    assert!(mine.body.is_object(), "one JSON document: {}", &mine.text[..mine.text.len().min(300)]);
    assert_eq!(mine.body["profile"]["email"], "nia@example.org");
    assert_eq!(mine.body["matches"][0]["status"], "active");
    let messages = mine.body["messages"].as_array().unwrap();
    let texts: Vec<&str> = messages.iter().map(|m| m["text"].as_str().unwrap()).collect();
    let expected: Vec<String> = (0..MINE).map(|i| format!("Mine {i}")).collect();
    assert_eq!(texts, expected, "every message of mine once, in the order written");
    assert!(messages.iter().all(|m| m["channel_id"] == channel.to_string().as_str()));
}

//! Matching end to end through HTTP and the WebSocket, on SQLite and PostgreSQL: people invited
//! by link fill in the questionnaire, a coordinator runs and approves a round, both people accept,
//! and the worker opens each pair's channel once with a welcome that both receive live. Also every
//! refusal, declines and rematches, automatic matching, and two workers racing on one job.

use std::collections::{HashMap, HashSet};
use std::time::Duration;

use kindred_tests::{Backend, Client, TestApp, TestDatabase, Ws, both_backends};
use reqwest::StatusCode;
use serde_json::{Value, json};
use uuid::Uuid;

both_backends!(
    a_cohort_is_matched_approved_accepted_and_welcomed,
    bad_input_and_refusals_change_nothing,
    declines_rematches_and_pauses,
    automatic_matching_as_questionnaires_complete,
    a_block_keeps_two_people_from_being_proposed,
);

/// A program run by a coordinator, with people who joined by invitation link.
struct Cohort {
    app: TestApp,
    coordinator: Client,
    program: String,
    interests: Vec<String>,
    question: String,
    mentees: Vec<Person>,
    mentors: Vec<Person>,
}

struct Person {
    id: String,
    name: String,
    client: Client,
}

const INTERESTS: [&str; 6] = ["Emergency medicine", "Research", "Global health", "Wellness", "Leadership", "Teaching"];
const STAGES: [&str; 3] = ["medical_student", "resident", "undergraduate"];
const ZONES: [&str; 3] = ["America/New_York", "America/Chicago", "America/Los_Angeles"];

async fn join(app: &TestApp, coordinator: &Client, program: &str, name: &str, role: &str) -> Person {
    let email = format!("{}@example.org", name.to_lowercase());
    let res = coordinator
        .post(&format!("/api/programs/{program}/invitations"), json!({"name": name, "email": email, "role": role}))
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
    let link = app.link_in_mail_to(&email).await;
    let token = link.rsplit('/').next().unwrap().to_owned();
    let client = app.client();
    let res = client.post(&format!("/api/invitations/{token}/accept"), json!({"password": "a-good-password-1"})).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    Person { id: res.body["user"]["id"].as_str().unwrap().to_owned(), name: name.to_owned(), client }
}

async fn cohort(backend: Backend, mentees: usize, mentors: usize, tweak: impl FnOnce(&mut kindred::Config)) -> Cohort {
    let app = TestApp::spawn_with(backend, |c| {
        c.worker_poll_ms = 50;
        tweak(c)
    })
    .await;
    app.user("cora@example.org", "Cora", false, true).await;
    let coordinator = app.signed_in("cora@example.org").await;
    let program = coordinator.post("/api/programs", json!({"name": "EM Mentoring"})).await.body["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let mut interests = Vec::new();
    for label in INTERESTS {
        let res = coordinator.post(&format!("/api/programs/{program}/interests"), json!({"label": label})).await;
        assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
        interests.push(res.body["id"].as_str().unwrap().to_owned());
    }
    let res = coordinator
        .post(
            &format!("/api/programs/{program}/questions"),
            json!({"prompt": "Preferred meeting style", "kind": "choice", "options": ["Video", "Phone", "Chat"],
                   "audience": "both", "required": true, "feeds_matching": true}),
        )
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
    let question = res.body["id"].as_str().unwrap().to_owned();
    let mut c = Cohort { app, coordinator, program, interests, question, mentees: vec![], mentors: vec![] };
    for i in 0..mentees {
        let p = join(&c.app, &c.coordinator, &c.program, &format!("Mentee{i}"), "mentee").await;
        c.mentees.push(p);
    }
    for j in 0..mentors {
        let p = join(&c.app, &c.coordinator, &c.program, &format!("Mentor{j}"), "mentor").await;
        c.mentors.push(p);
    }
    c
}

impl Cohort {
    fn url(&self, rest: &str) -> String {
        format!("/api/programs/{}{rest}", self.program)
    }

    fn mentee_answers(&self, i: usize) -> Value {
        let goals = [
            "I want guidance on research and publishing in emergency medicine",
            "Help me prepare residency applications and interviews",
            "Learn about global health work and leadership",
        ][i % 3];
        let style = ["Video", "Phone", "Chat"][i % 3];
        json!({
            "career_stage": STAGES[i % 3],
            "institution": format!("University {}", i % 4),
            "time_zone": ZONES[i % 3],
            "languages": if i.is_multiple_of(2) { json!(["English", "Spanish"]) } else { json!(["English"]) },
            "interests": [self.interests[i % 6], self.interests[(i + 2) % 6]],
            "tags": ["residency applications"],
            "goals": goals,
            "prefer_other_institution": true,
            "custom": { self.question.clone(): style },
        })
    }

    fn mentor_answers(&self, j: usize, capacity: u32) -> Value {
        let stage = ["attending", "faculty", "fellow"][j % 3];
        let experience = [
            "Twenty years of emergency medicine research and publishing",
            "Residency program director; I review residency applications and interviews",
            "Global health fellowship and leadership in humanitarian work",
        ][j % 3];
        let style = ["Video", "Phone", "Chat"][j % 3];
        json!({
            "career_stage": stage,
            "institution": format!("Hospital {j}"),
            "time_zone": ZONES[j % 3],
            "languages": ["English"],
            "interests": [self.interests[j % 6], self.interests[(j + 1) % 6], self.interests[(j + 2) % 6]],
            "experience": experience,
            "expertise": "Mentoring students",
            "capacity": capacity,
            "hours_per_month": 4,
            "accepting": true,
            "custom": { self.question.clone(): style },
        })
    }

    /// Everyone completes the questionnaire: a draft first, then the finished answers.
    async fn complete_all(&self, capacity: u32) {
        for (i, p) in self.mentees.iter().enumerate() {
            if p.client.get(&self.url("/questionnaire")).await.body["completed_at"].is_null() {
                let draft = p.client.put(&self.url("/questionnaire"), json!({"answers": {"goals": "draft"}})).await;
                assert_eq!(draft.status, StatusCode::OK, "{}", draft.text);
                assert!(draft.body["completed_at"].is_null());
            }
            let done = p
                .client
                .put(&self.url("/questionnaire"), json!({"answers": self.mentee_answers(i), "complete": true}))
                .await;
            assert_eq!(done.status, StatusCode::OK, "{}", done.text);
            assert!(done.body["completed_at"].is_string());
        }
        for (j, p) in self.mentors.iter().enumerate() {
            let done = p
                .client
                .put(
                    &self.url("/questionnaire"),
                    json!({"answers": self.mentor_answers(j, capacity), "complete": true}),
                )
                .await;
            assert_eq!(done.status, StatusCode::OK, "{}", done.text);
        }
    }

    fn everyone(&self) -> impl Iterator<Item = &Person> {
        self.mentees.iter().chain(&self.mentors)
    }

    fn person(&self, id: &str) -> &Person {
        self.everyone().find(|p| p.id == id).unwrap()
    }
}

fn ids(v: &Value, key: &str) -> Vec<String> {
    v.as_array().unwrap().iter().map(|x| x[key].as_str().unwrap().to_owned()).collect()
}

/// Waits for a condition the worker brings about.
async fn eventually<F: std::future::Future<Output = bool>>(what: &str, mut check: impl FnMut() -> F) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
    while !check().await {
        assert!(tokio::time::Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn a_cohort_is_matched_approved_accepted_and_welcomed(backend: Backend) {
    let c = cohort(backend, 6, 3, |_| {}).await;
    c.complete_all(2).await;

    // Everyone is connected, to see their proposal and their channel arrive.
    let mut sockets: HashMap<String, Ws> = HashMap::new();
    for p in c.everyone() {
        let (ws, welcome) = p.client.ws(json!({})).await;
        assert_eq!(welcome["channels"].as_array().unwrap().len(), 0);
        sockets.insert(p.id.clone(), ws);
    }

    let round = c.coordinator.post(&c.url("/matching/rounds"), json!({})).await;
    assert_eq!(round.status, StatusCode::CREATED, "{}", round.text);
    assert_eq!(round.body["status"], "preview");
    assert_eq!(round.body["mode"], "whole_cohort");
    assert_eq!(round.body["mentees_considered"], 6);
    let proposals = round.body["proposals"].as_array().unwrap().clone();
    assert_eq!(proposals.len(), 6, "{}", round.text);
    assert_eq!(round.body["unmatched"].as_array().unwrap().len(), 0);
    let mut per_mentor: HashMap<String, usize> = HashMap::new();
    for p in &proposals {
        *per_mentor.entry(p["mentor_id"].as_str().unwrap().to_owned()).or_default() += 1;
        assert!(!p["reasons"].as_array().unwrap().is_empty(), "every proposal explains itself: {p}");
        let score = p["score"].as_f64().unwrap();
        assert!((0.0..=100.0).contains(&score));
    }
    assert!(per_mentor.values().all(|n| *n == 2), "capacity 2 each: {per_mentor:?}");
    let total: f64 = proposals.iter().map(|p| p["score"].as_f64().unwrap()).sum();
    assert!((round.body["total_score"].as_f64().unwrap() - total).abs() < 0.2);
    for load in round.body["mentor_load"].as_array().unwrap() {
        assert_eq!(load["proposed"], 2);
        assert_eq!(load["open"], 0);
    }
    // Nothing is published before approval.
    assert_eq!(c.mentees[0].client.get("/api/me/matches").await.body["items"].as_array().unwrap().len(), 0);

    let round_id = round.body["id"].as_str().unwrap();
    let approved = c.coordinator.post(&c.url(&format!("/matching/rounds/{round_id}/approve")), json!({})).await;
    assert_eq!(approved.status, StatusCode::OK, "{}", approved.text);
    assert_eq!(approved.body["status"], "approved");
    // Approving twice is refused.
    c.coordinator
        .post(&c.url(&format!("/matching/rounds/{round_id}/approve")), json!({}))
        .await
        .assert_error(StatusCode::CONFLICT, "conflict");

    // Each person is told live, and sees the proposal with its explanation.
    for p in c.everyone() {
        let ws = sockets.get_mut(&p.id).unwrap();
        let frame = ws.recv_matching(|f| f["type"] == "match").await;
        assert_eq!(frame["match"]["status"], "proposed");
        let mine = p.client.get("/api/me/matches").await;
        let items = mine.body["items"].as_array().unwrap();
        let expected = if p.name.starts_with("Mentor") { 2 } else { 1 };
        assert_eq!(items.len(), expected, "{}", mine.text);
        assert!(!items[0]["reasons"].as_array().unwrap().is_empty());
        // Each reads the explanation written to them; the mentor is not shown the mentee's unmet wishes.
        let reasons = items[0]["reasons"].to_string();
        if p.name.starts_with("Mentor") {
            assert!(!reasons.contains("Your goals match their experience"), "{reasons}");
            assert!(items[0]["unmet"].as_array().unwrap().is_empty());
        } else {
            assert!(!reasons.contains("Their goals match your experience"), "{reasons}");
        }
    }

    // Everyone accepts.
    let matches = c.coordinator.get(&c.url("/matching/matches")).await.body["items"].as_array().unwrap().clone();
    assert_eq!(matches.len(), 6);
    for m in &matches {
        let id = m["id"].as_str().unwrap();
        let mentee = c.person(m["mentee"]["user_id"].as_str().unwrap());
        let mentor = c.person(m["mentor"]["user_id"].as_str().unwrap());
        let first = mentee.client.post(&format!("/api/matches/{id}/respond"), json!({"accept": true})).await;
        assert_eq!(first.status, StatusCode::OK, "{}", first.text);
        assert_eq!(first.body["status"], "proposed");
        assert_eq!(first.body["mentee_response"], "accepted");
        // A second answer from the same person is refused.
        mentee
            .client
            .post(&format!("/api/matches/{id}/respond"), json!({"accept": false}))
            .await
            .assert_error(StatusCode::CONFLICT, "conflict");
        let second = mentor.client.post(&format!("/api/matches/{id}/respond"), json!({"accept": true})).await;
        assert_eq!(second.status, StatusCode::OK, "{}", second.text);
        assert_eq!(second.body["status"], "active");
    }

    // Both people of each pair get the channel and the welcome live.
    for m in &matches {
        let mentee_id = m["mentee"]["user_id"].as_str().unwrap();
        let mentor_id = m["mentor"]["user_id"].as_str().unwrap();
        let mut channel = None;
        for user in [mentee_id, mentor_id] {
            let ws = sockets.get_mut(user).unwrap();
            let added = ws
                .recv_matching(|f| {
                    f["type"] == "channel_added"
                        && f["channel"]["members"].as_array().unwrap().iter().any(|x| x["user_id"] == mentee_id)
                })
                .await;
            let id = added["channel"]["id"].as_str().unwrap().to_owned();
            assert_eq!(added["channel"]["kind"], "pair");
            let welcome = ws.recv_matching(|f| f["type"] == "event" && f["channel_id"] == id.as_str()).await;
            assert_eq!(welcome["sender_id"], Uuid::nil().to_string());
            assert!(welcome["body"].as_str().unwrap().starts_with("Welcome"), "{welcome}");
            assert!(welcome["body"].as_str().unwrap().contains("Some ways to start"), "{welcome}");
            if let Some(seen) = &channel {
                assert_eq!(seen, &id);
            }
            channel = Some(id);
        }
    }

    // Exactly one channel per pair, each with exactly one welcome message.
    let mut channels = HashSet::new();
    for m in c.coordinator.get(&c.url("/matching/matches?status=active")).await.body["items"].as_array().unwrap() {
        let channel = m["channel_id"].as_str().expect("an active match has its channel").to_owned();
        assert!(channels.insert(channel.clone()), "one channel per pair");
        let mentee = c.person(m["mentee"]["user_id"].as_str().unwrap());
        let history = mentee.client.get(&format!("/api/channels/{channel}/messages")).await;
        assert_eq!(history.body["items"].as_array().unwrap().len(), 1, "{}", history.text);
    }
    assert_eq!(channels.len(), 6);
    for p in &c.mentees {
        let mine = p.client.get("/api/channels").await;
        assert_eq!(mine.body["items"].as_array().unwrap().len(), 1, "{}", mine.text);
    }
    let app = &c.app;
    eventually("the jobs to finish", || async move { app.state.store.pending_jobs().await.unwrap() == 0 }).await;
    // Emails: a proposal and a confirmation to each of the twelve people in the six pairs.
    let outbox = c.app.outbox().await;
    assert_eq!(outbox.iter().filter(|m| m.subject.starts_with("A proposed mentoring match")).count(), 12);
    assert_eq!(outbox.iter().filter(|m| m.subject.starts_with("Your mentoring match")).count(), 12);

    // People of another program see nothing of this one.
    c.app.user("otto@example.org", "Otto", false, true).await;
    let otto = c.app.signed_in("otto@example.org").await;
    let other = otto.post("/api/programs", json!({"name": "Other"})).await.body["id"].as_str().unwrap().to_owned();
    let outsider = join(&c.app, &otto, &other, "Outsider", "mentee").await;
    for path in ["/matching/rounds", "/matching/matches", "/matching/settings", "/questionnaire", "/interests"] {
        otto.get(&c.url(path)).await.assert_error(StatusCode::NOT_FOUND, "not_found");
        outsider.client.get(&c.url(path)).await.assert_error(StatusCode::NOT_FOUND, "not_found");
    }
    otto.post(&c.url(&format!("/matching/rounds/{round_id}/approve")), json!({}))
        .await
        .assert_error(StatusCode::NOT_FOUND, "not_found");
    let a_match = matches[0]["id"].as_str().unwrap();
    outsider
        .client
        .post(&format!("/api/matches/{a_match}/respond"), json!({"accept": true}))
        .await
        .assert_error(StatusCode::NOT_FOUND, "not_found");
    outsider
        .client
        .post(&format!("/api/matches/{a_match}/rematch"), json!({}))
        .await
        .assert_error(StatusCode::NOT_FOUND, "not_found");
    assert_eq!(outsider.client.get("/api/me/matches").await.body["items"].as_array().unwrap().len(), 0);
    // A round of the other program (nobody to match) does not see this one's people.
    let theirs = otto.post(&format!("/api/programs/{other}/matching/preview"), json!({})).await;
    assert_eq!(theirs.status, StatusCode::OK, "{}", theirs.text);
    assert_eq!(theirs.body["mentors_considered"], 0);
}

async fn bad_input_and_refusals_change_nothing(backend: Backend) {
    let c = cohort(backend, 3, 2, |_| {}).await;
    let mentee = &c.mentees[0].client;
    let q = c.url("/questionnaire");

    // Wrong types, out of range, unknown references: 4xx with every field named, nothing saved.
    mentee
        .put(&q, json!({"answers": {"capacity": "two"}}))
        .await
        .assert_error(StatusCode::UNPROCESSABLE_ENTITY, "validation");
    let res = mentee
        .put(
            &q,
            json!({"answers": {"time_zone": "Mars/Base", "interests": [Uuid::new_v4()], "languages": ["", "x"],
                                    "custom": {c.question.clone(): "Telepathy"}}}),
        )
        .await;
    res.assert_error(StatusCode::UNPROCESSABLE_ENTITY, "validation");
    let fields = res.body["error"]["fields"].as_object().unwrap();
    for f in ["time_zone", "interests", "languages", &format!("custom.{}", c.question)] {
        assert!(fields.contains_key(f), "{f} in {}", res.text);
    }
    let res = mentee.put(&q, json!({"answers": {}, "complete": true})).await;
    res.assert_error(StatusCode::UNPROCESSABLE_ENTITY, "validation");
    assert!(res.body["error"]["fields"]["goals"].is_string());
    assert!(mentee.get(&q).await.body["updated_at"].is_null(), "nothing was saved");
    // Mentor-only answers from a mentee; a questionnaire for a coordinator.
    mentee
        .put(&q, json!({"answers": {"capacity": 3}}))
        .await
        .assert_error(StatusCode::UNPROCESSABLE_ENTITY, "validation");
    // Once completed, a questionnaire stays complete: a save that drops a required answer is refused.
    let done = mentee.put(&q, json!({"answers": c.mentee_answers(0), "complete": true})).await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.text);
    let mut dropped = c.mentee_answers(0);
    dropped.as_object_mut().unwrap().remove("goals");
    let res = mentee.put(&q, json!({"answers": dropped})).await;
    res.assert_error(StatusCode::UNPROCESSABLE_ENTITY, "validation");
    assert!(res.body["error"]["fields"]["goals"].is_string());
    assert!(mentee.get(&q).await.body["answers"]["goals"].is_string(), "nothing was lost");
    c.mentors[0]
        .client
        .put(&q, json!({"answers": {"capacity": 11}}))
        .await
        .assert_error(StatusCode::UNPROCESSABLE_ENTITY, "validation");
    c.coordinator.get(&q).await.assert_error(StatusCode::FORBIDDEN, "forbidden");

    // Weights: negative, not numbers, all zero, unknown.
    let settings = c.url("/matching/settings");
    let mut weights = json!({"interests": 3, "goals": 3, "preferences": 2, "career_stage": 1, "time_zone": 1, "institution": 1, "custom": 1});
    for (field, bad) in [("goals", json!(-1)), ("goals", json!("lots")), ("interests", json!(11))] {
        let mut w = weights.clone();
        w[field] = bad;
        c.coordinator
            .put(&settings, json!({"weights": w, "auto_match": false}))
            .await
            .assert_error(StatusCode::UNPROCESSABLE_ENTITY, "validation");
    }
    let zero = json!({"interests": 0, "goals": 0, "preferences": 0, "career_stage": 0, "time_zone": 0, "institution": 0, "custom": 0});
    c.coordinator
        .put(&settings, json!({"weights": zero, "auto_match": false}))
        .await
        .assert_error(StatusCode::UNPROCESSABLE_ENTITY, "validation");
    c.coordinator
        .post(&c.url("/matching/preview"), json!({"weights": {"goals": -2}}))
        .await
        .assert_error(StatusCode::UNPROCESSABLE_ENTITY, "validation");
    weights["goals"] = json!(5);
    let saved = c.coordinator.put(&settings, json!({"weights": weights, "auto_match": false})).await;
    assert_eq!(saved.status, StatusCode::OK, "{}", saved.text);
    assert_eq!(c.coordinator.get(&settings).await.body["weights"]["goals"], 5.0);

    // Questions and interests: bad shapes are refused.
    c.coordinator
        .post(
            &c.url("/questions"),
            json!({"prompt": "Q", "kind": "choice", "options": ["Only one"], "audience": "both"}),
        )
        .await
        .assert_error(StatusCode::UNPROCESSABLE_ENTITY, "validation");
    c.coordinator
        .post(&c.url("/questions"), json!({"prompt": "Q", "kind": "text", "audience": "both", "feeds_matching": true}))
        .await
        .assert_error(StatusCode::UNPROCESSABLE_ENTITY, "validation");
    c.coordinator
        .post(&c.url("/interests"), json!({"label": "research"}))
        .await
        .assert_error(StatusCode::CONFLICT, "conflict");

    // Only coordinators run, see or decide rounds and change the setup.
    for p in c.everyone() {
        p.client.post(&c.url("/matching/rounds"), json!({})).await.assert_error(StatusCode::FORBIDDEN, "forbidden");
        p.client.get(&settings).await.assert_error(StatusCode::FORBIDDEN, "forbidden");
        p.client
            .post(&c.url("/interests"), json!({"label": "X"}))
            .await
            .assert_error(StatusCode::FORBIDDEN, "forbidden");
        p.client
            .post(&c.url("/matching/matches"), json!({"mentee_id": c.mentees[0].id, "mentor_id": c.mentors[0].id}))
            .await
            .assert_error(StatusCode::FORBIDDEN, "forbidden");
    }

    c.complete_all(1).await;
    let round = c.coordinator.post(&c.url("/matching/rounds"), json!({})).await;
    assert_eq!(round.status, StatusCode::CREATED, "{}", round.text);
    assert_eq!(round.body["proposals"].as_array().unwrap().len(), 2);
    let waiting = round.body["unmatched"].as_array().unwrap();
    assert_eq!(waiting.len(), 1, "3 mentees, 2 places: {}", round.text);
    assert!(!waiting[0]["reason"].as_str().unwrap().is_empty());
    let round_id = round.body["id"].as_str().unwrap().to_owned();
    for p in c.everyone() {
        p.client
            .post(&c.url(&format!("/matching/rounds/{round_id}/approve")), json!({}))
            .await
            .assert_error(StatusCode::FORBIDDEN, "forbidden");
    }
    c.coordinator
        .post(&c.url(&format!("/matching/rounds/{round_id}/approve")), json!({"mentee_ids": [Uuid::new_v4()]}))
        .await
        .assert_error(StatusCode::UNPROCESSABLE_ENTITY, "validation");

    // Someone takes a mentor's only place by hand: the round no longer fits, and approving it
    // creates nothing at all.
    let proposal = &round.body["proposals"][0];
    let taken_mentor = proposal["mentor_id"].as_str().unwrap();
    let waiting_id = waiting[0]["user_id"].as_str().unwrap();
    let check = c.coordinator.get(&c.url(&format!("/matching/score?mentee={waiting_id}&mentor={taken_mentor}"))).await;
    assert_eq!(check.status, StatusCode::OK, "{}", check.text);
    assert_eq!(check.body["allowed"], true);
    assert!(check.body["score"].as_f64().unwrap() > 0.0);
    let placed = c
        .coordinator
        .post(&c.url("/matching/matches"), json!({"mentee_id": waiting_id, "mentor_id": taken_mentor}))
        .await;
    assert_eq!(placed.status, StatusCode::CREATED, "{}", placed.text);
    assert_eq!(placed.body["status"], "proposed");
    let res = c.coordinator.post(&c.url(&format!("/matching/rounds/{round_id}/approve")), json!({})).await;
    res.assert_error(StatusCode::CONFLICT, "conflict");
    let open = c.coordinator.get(&c.url("/matching/matches")).await;
    assert_eq!(open.body["items"].as_array().unwrap().len(), 1, "no partial round: {}", open.text);
    assert_eq!(c.coordinator.get(&c.url(&format!("/matching/rounds/{round_id}"))).await.body["status"], "preview");

    // Placing with a full mentor, twice the same mentee, a mentor as mentee: refused.
    let other_mentee = c.mentees.iter().find(|p| p.id != waiting_id).unwrap();
    c.coordinator
        .post(&c.url("/matching/matches"), json!({"mentee_id": other_mentee.id, "mentor_id": taken_mentor}))
        .await
        .assert_error(StatusCode::CONFLICT, "conflict");
    let free_mentor = c.mentors.iter().find(|p| p.id != taken_mentor).unwrap();
    c.coordinator
        .post(&c.url("/matching/matches"), json!({"mentee_id": waiting_id, "mentor_id": free_mentor.id}))
        .await
        .assert_error(StatusCode::CONFLICT, "conflict");
    c.coordinator
        .post(&c.url("/matching/matches"), json!({"mentee_id": free_mentor.id, "mentor_id": taken_mentor}))
        .await
        .assert_error(StatusCode::UNPROCESSABLE_ENTITY, "validation");
    // A paused mentor gets no one.
    let mut paused = c.mentor_answers(1, 1);
    paused["accepting"] = json!(false);
    let res = free_mentor.client.put(&q, json!({"answers": paused, "complete": true})).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    let res = c
        .coordinator
        .post(&c.url("/matching/matches"), json!({"mentee_id": other_mentee.id, "mentor_id": free_mentor.id}))
        .await;
    res.assert_error(StatusCode::CONFLICT, "conflict");
    assert!(res.body["error"]["message"].as_str().unwrap().contains("paused"), "{}", res.text);

    // Answering a proposal that is not yours.
    let placed_id = placed.body["id"].as_str().unwrap();
    for p in c.everyone().filter(|p| p.id != waiting_id && p.id != taken_mentor) {
        p.client
            .post(&format!("/api/matches/{placed_id}/respond"), json!({"accept": true}))
            .await
            .assert_error(StatusCode::NOT_FOUND, "not_found");
    }
    c.coordinator
        .post(&format!("/api/matches/{placed_id}/respond"), json!({"accept": true}))
        .await
        .assert_error(StatusCode::NOT_FOUND, "not_found");
    c.person(waiting_id)
        .client
        .post(&format!("/api/matches/{placed_id}/respond"), json!({"accept": "yes"}))
        .await
        .assert_error(StatusCode::UNPROCESSABLE_ENTITY, "validation");

    // A discarded round cannot be approved.
    let res = c.coordinator.post(&c.url(&format!("/matching/rounds/{round_id}/discard")), json!({})).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    c.coordinator
        .post(&c.url(&format!("/matching/rounds/{round_id}/approve")), json!({}))
        .await
        .assert_error(StatusCode::CONFLICT, "conflict");
    assert_eq!(c.coordinator.get(&c.url("/matching/matches")).await.body["items"].as_array().unwrap().len(), 1);
}

/// One mentee and one mentor: while either blocks the other, no round proposes them and a
/// coordinator cannot place them by hand; once lifted, they can be matched.
async fn a_block_keeps_two_people_from_being_proposed(backend: Backend) {
    let c = cohort(backend, 1, 1, |_| {}).await;
    c.complete_all(1).await;
    let (mentee, mentor) = (&c.mentees[0], &c.mentors[0]);
    // A round made before the block proposes them; it can no longer be approved after it.
    let stored = c.coordinator.post(&c.url("/matching/rounds"), json!({})).await;
    assert_eq!(stored.body["proposals"].as_array().unwrap().len(), 1, "{}", stored.text);
    let stored = stored.body["id"].as_str().unwrap().to_owned();
    let blocked = mentor.client.post("/api/me/blocks", json!({"user_id": mentee.id})).await;
    assert_eq!(blocked.status, StatusCode::CREATED, "{}", blocked.text);
    c.coordinator
        .post(&c.url(&format!("/matching/rounds/{stored}/approve")), json!({}))
        .await
        .assert_error(StatusCode::CONFLICT, "conflict");
    assert_eq!(c.coordinator.get(&c.url("/matching/matches")).await.body["items"], json!([]));
    let preview = c.coordinator.post(&c.url("/matching/preview"), json!({})).await;
    assert_eq!(preview.body["proposals"], json!([]), "{}", preview.text);
    let round = c.coordinator.post(&c.url("/matching/rounds"), json!({})).await;
    assert_eq!(round.body["proposals"], json!([]), "{}", round.text);
    let placed =
        c.coordinator.post(&c.url("/matching/matches"), json!({"mentee_id": mentee.id, "mentor_id": mentor.id})).await;
    placed.assert_error(StatusCode::CONFLICT, "conflict");
    assert!(placed.body["error"]["message"].as_str().unwrap().contains("blocked"), "{}", placed.text);
    assert_eq!(mentor.client.delete(&format!("/api/me/blocks/{}", mentee.id)).await.status, StatusCode::NO_CONTENT);
    let preview = c.coordinator.post(&c.url("/matching/preview"), json!({})).await;
    assert_eq!(preview.body["proposals"].as_array().unwrap().len(), 1, "{}", preview.text);
}

async fn declines_rematches_and_pauses(backend: Backend) {
    let c = cohort(backend, 2, 2, |_| {}).await;
    c.complete_all(1).await;
    let round = c.coordinator.post(&c.url("/matching/rounds"), json!({})).await;
    let round_id = round.body["id"].as_str().unwrap();
    // Approve only the first mentee's proposal.
    let first = &round.body["proposals"][0];
    let mentee_id = first["mentee_id"].as_str().unwrap();
    let mentor_id = first["mentor_id"].as_str().unwrap();
    let res = c
        .coordinator
        .post(&c.url(&format!("/matching/rounds/{round_id}/approve")), json!({"mentee_ids": [mentee_id]}))
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    let approved: Vec<bool> =
        res.body["proposals"].as_array().unwrap().iter().map(|p| p["approved"].as_bool().unwrap()).collect();
    assert_eq!(approved.iter().filter(|a| **a).count(), 1);
    let matches = c.coordinator.get(&c.url("/matching/matches")).await.body["items"].clone();
    assert_eq!(ids(&matches, "id").len(), 1);
    let match_id = matches[0]["id"].as_str().unwrap().to_owned();

    // The mentor declines, with a reason only coordinators and the mentor see.
    let mentor = c.person(mentor_id);
    let (mut mentee_ws, _) = c.person(mentee_id).client.ws(json!({})).await;
    let res = mentor
        .client
        .post(&format!("/api/matches/{match_id}/respond"), json!({"accept": false, "reason": "My schedule is full"}))
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    assert_eq!(res.body["status"], "declined");
    assert_eq!(res.body["reason"], "My schedule is full");
    let frame = mentee_ws.recv_matching(|f| f["type"] == "match" && f["match"]["status"] == "declined").await;
    assert!(frame["match"]["reason"].is_null(), "the mentee does not see the reason: {frame}");
    let seen = c.coordinator.get(&c.url("/matching/matches?status=declined")).await;
    assert_eq!(seen.body["items"][0]["reason"], "My schedule is full");
    c.person(mentee_id)
        .client
        .post(&format!("/api/matches/{match_id}/respond"), json!({"accept": true}))
        .await
        .assert_error(StatusCode::CONFLICT, "conflict");

    // The declined pair is never proposed again, by a round or by hand.
    let again = c.coordinator.post(&c.url("/matching/preview"), json!({})).await;
    for p in again.body["proposals"].as_array().unwrap() {
        assert!(!(p["mentee_id"] == mentee_id && p["mentor_id"] == mentor_id), "{}", again.text);
    }
    c.coordinator
        .post(&c.url("/matching/matches"), json!({"mentee_id": mentee_id, "mentor_id": mentor_id}))
        .await
        .assert_error(StatusCode::CONFLICT, "conflict");

    // A match that became active can be ended by either person for a rematch.
    let other_mentor = c.mentors.iter().find(|p| p.id != mentor_id).unwrap();
    let placed = c
        .coordinator
        .post(&c.url("/matching/matches"), json!({"mentee_id": mentee_id, "mentor_id": other_mentor.id}))
        .await;
    assert_eq!(placed.status, StatusCode::CREATED, "{}", placed.text);
    let id = placed.body["id"].as_str().unwrap();
    for p in [c.person(mentee_id), other_mentor] {
        let res = p.client.post(&format!("/api/matches/{id}/respond"), json!({"accept": true})).await;
        assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    }
    let app = &c.app;
    let coordinator = &c.coordinator;
    let active = c.url("/matching/matches?status=active");
    let active = &active;
    eventually("the channel", || async move {
        coordinator.get(active).await.body["items"][0]["channel_id"].is_string()
            && app.state.store.pending_jobs().await.unwrap() == 0
    })
    .await;
    // A round now is incremental: the active pair stays as it is, only the others are considered.
    let incremental = c.coordinator.post(&c.url("/matching/preview"), json!({})).await;
    assert_eq!(incremental.body["mode"], "incremental", "{}", incremental.text);
    assert_eq!(incremental.body["mentees_considered"], 1);
    assert!(incremental.body["proposals"].as_array().unwrap().iter().all(|p| p["mentee_id"] != mentee_id));
    let load = incremental.body["mentor_load"].as_array().unwrap();
    let theirs = load.iter().find(|l| l["user_id"] == other_mentor.id.as_str()).unwrap();
    assert_eq!((theirs["open"].as_u64(), theirs["proposed"].as_u64()), (Some(1), Some(0)), "{}", incremental.text);
    let res = c
        .person(mentee_id)
        .client
        .post(&format!("/api/matches/{id}/rematch"), json!({"reason": "Different goals"}))
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    assert_eq!(res.body["status"], "ended");
    c.person(mentee_id)
        .client
        .post(&format!("/api/matches/{id}/rematch"), json!({}))
        .await
        .assert_error(StatusCode::CONFLICT, "conflict");
    // Their conversation stays.
    assert_eq!(c.person(mentee_id).client.get("/api/channels").await.body["items"].as_array().unwrap().len(), 1);

    // With both mentors excluded for this mentee, they wait with a reason.
    let preview = c.coordinator.post(&c.url("/matching/preview"), json!({})).await;
    let waiting = preview.body["unmatched"].as_array().unwrap();
    let reason = waiting.iter().find(|w| w["user_id"] == mentee_id).expect("the mentee waits")["reason"].clone();
    assert!(reason.as_str().unwrap().len() > 10, "{reason}");

    // Exclusions: listed, refused twice, removable.
    let other_mentee = c.mentees.iter().find(|p| p.id != mentee_id).unwrap();
    let x = c
        .coordinator
        .post(&c.url("/matching/exclusions"), json!({"a": other_mentee.id, "b": mentor_id, "reason": "Same lab"}))
        .await;
    assert_eq!(x.status, StatusCode::CREATED, "{}", x.text);
    c.coordinator
        .post(&c.url("/matching/exclusions"), json!({"a": mentor_id, "b": other_mentee.id}))
        .await
        .assert_error(StatusCode::CONFLICT, "conflict");
    let preview = c.coordinator.post(&c.url("/matching/preview"), json!({})).await;
    for p in preview.body["proposals"].as_array().unwrap() {
        assert!(!(p["mentee_id"] == other_mentee.id.as_str() && p["mentor_id"] == mentor_id));
    }
    let xid = x.body["id"].as_str().unwrap();
    assert_eq!(
        c.coordinator.delete(&c.url(&format!("/matching/exclusions/{xid}"))).await.status,
        StatusCode::NO_CONTENT
    );
}

async fn automatic_matching_as_questionnaires_complete(backend: Backend) {
    let c = cohort(backend, 1, 1, |_| {}).await;
    let weights = c.coordinator.get(&c.url("/matching/settings")).await.body["weights"].clone();
    let res = c.coordinator.put(&c.url("/matching/settings"), json!({"weights": weights, "auto_match": true})).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    let (mut ws, _) = c.mentees[0].client.ws(json!({})).await;
    let res = c.mentors[0]
        .client
        .put(&c.url("/questionnaire"), json!({"answers": c.mentor_answers(0, 1), "complete": true}))
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    let res = c.mentees[0]
        .client
        .put(&c.url("/questionnaire"), json!({"answers": c.mentee_answers(0), "complete": true}))
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    // No coordinator step: the proposal reaches the mentee.
    let frame = ws.recv_matching(|f| f["type"] == "match").await;
    assert_eq!(frame["match"]["status"], "proposed");
    assert_eq!(frame["match"]["mentor"]["user_id"], c.mentors[0].id.as_str());
    let rounds = c.coordinator.get(&c.url("/matching/rounds")).await;
    assert_eq!(rounds.body["items"][0]["status"], "approved");
}

/// Two workers (two nodes on one database) race on the same activation job: the store lets one
/// channel and one welcome exist, however many times the job runs.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_workers_open_each_channel_once() {
    let db = TestDatabase::new(Backend::Postgres).await;
    let a = TestApp::spawn_on(db.url.clone(), |c| c.worker_poll_ms = 20).await;
    let b = TestApp::spawn_on(db.url.clone(), |c| c.worker_poll_ms = 20).await;
    a.user("cora@example.org", "Cora", false, true).await;
    let coordinator = a.signed_in("cora@example.org").await;
    let program = coordinator.post("/api/programs", json!({"name": "P"})).await.body["id"].as_str().unwrap().to_owned();
    let nia = join(&a, &coordinator, &program, "Nia", "mentee").await;
    let kwame = join(&a, &coordinator, &program, "Kwame", "mentor").await;
    let q = format!("/api/programs/{program}/questionnaire");
    let mentee = json!({"career_stage": "medical_student", "time_zone": "UTC", "languages": ["English"], "tags": ["research"], "goals": "research"});
    let mentor = json!({"career_stage": "attending", "time_zone": "UTC", "languages": ["English"], "tags": ["research"],
                        "experience": "research", "capacity": 1, "accepting": true});
    assert_eq!(nia.client.put(&q, json!({"answers": mentee, "complete": true})).await.status, StatusCode::OK);
    assert_eq!(kwame.client.put(&q, json!({"answers": mentor, "complete": true})).await.status, StatusCode::OK);
    let placed = coordinator
        .post(&format!("/api/programs/{program}/matching/matches"), json!({"mentee_id": nia.id, "mentor_id": kwame.id}))
        .await;
    let id = placed.body["id"].as_str().unwrap().to_owned();
    // Both accept at once, on different nodes.
    let kwame_b = Client::detached(&b.url);
    kwame_b.post("/api/auth/login", json!({"email": "kwame@example.org", "password": "a-good-password-1"})).await;
    let respond = format!("/api/matches/{id}/respond");
    let (x, y) = tokio::join!(
        nia.client.post(&respond, json!({"accept": true})),
        kwame_b.post(&respond, json!({"accept": true})),
    );
    assert_eq!((x.status, y.status), (StatusCode::OK, StatusCode::OK), "{} {}", x.text, y.text);
    // Whatever the two workers do, plus the same job run four more times at once on both nodes.
    let job = kindred::store::Job {
        id: Uuid::new_v4(),
        kind: kindred::domain::jobs::kinds::MATCH_ACTIVATED.to_owned(),
        payload: id.clone(),
        attempts: 1,
    };
    let runs = [&a, &b, &a, &b].map(|node| {
        let state = node.state.clone();
        let job = job.clone();
        tokio::spawn(async move { kindred::domain::jobs::handle(&state, &job).await })
    });
    for run in runs {
        run.await.unwrap().unwrap();
    }
    let store = &a.state.store;
    eventually("the jobs", || async move { store.pending_jobs().await.unwrap() == 0 }).await;
    let channels = nia.client.get("/api/channels").await;
    assert_eq!(channels.body["items"].as_array().unwrap().len(), 1, "{}", channels.text);
    let channel = channels.body["items"][0]["id"].as_str().unwrap();
    let history = kwame.client.get(&format!("/api/channels/{channel}/messages")).await;
    assert_eq!(history.body["items"].as_array().unwrap().len(), 1, "{}", history.text);
    let activated = a.outbox().await.into_iter().filter(|m| m.subject.starts_with("Your mentoring match")).count();
    assert_eq!(activated, 2, "one confirmation each");
}

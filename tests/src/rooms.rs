//! Set-up shared by the live room tests: an event with a host, a speaker, an audience and one
//! person of the program who is not invited, and small readers of room frames.

use std::collections::HashMap;
use std::time::Duration;

use reqwest::StatusCode;
use serde_json::{Value, json};
use time::format_description::well_known::Rfc3339;

use crate::{Client, TestApp, Ws};

/// The people of one event: Cora hosts, Kwame speaks, Nia, Otto and Ines watch; Xavier is in the
/// program but not invited.
pub struct Event {
    pub id: String,
    pub cora: Client,
    pub kwame: Client,
    pub nia: Client,
    pub otto: Client,
    pub ines: Client,
    pub xavier: Client,
    pub ids: HashMap<&'static str, String>,
    pub program: String,
}

pub async fn an_event(nodes: &[&TestApp], starts_in: Duration) -> Event {
    let app = nodes[0];
    let cora = app.user("cora@example.org", "Cora", false, true).await;
    let store = &app.state.store;
    let now = app.state.clock.now();
    let fields =
        kindred::store::ProgramFields { name: "P".into(), description: String::new(), starts_on: None, ends_on: None };
    let program = store.create_program(fields, cora.id, now).await.unwrap();
    let mut ids = HashMap::new();
    ids.insert("cora", cora.id.to_string());
    for (name, role) in [
        ("kwame", kindred::store::Role::Mentor),
        ("nia", kindred::store::Role::Mentee),
        ("otto", kindred::store::Role::Mentee),
        ("ines", kindred::store::Role::Mentee),
        ("xavier", kindred::store::Role::Mentee),
    ] {
        let mut display = name.to_owned();
        display[..1].make_ascii_uppercase();
        let user = app.user(&format!("{name}@example.org"), &display, false, false).await;
        store.add_member(program.id, user.id, role, now).await.unwrap();
        ids.insert(name, user.id.to_string());
    }
    let node = |i: usize| nodes[i % nodes.len()];
    let cora = node(0).signed_in("cora@example.org").await;
    let starts_at = (app.state.clock.now() + starts_in).format(&Rfc3339).unwrap();
    let body = json!({"title": "Residency panel", "starts_at": starts_at, "duration_min": 60, "capacity": 50,
                      "audience": "people", "invitees": [ids["nia"], ids["otto"], ids["ines"]], "speakers": [ids["kwame"]]});
    let created = cora.post(&format!("/api/programs/{}/events", program.id), body).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text);
    Event {
        id: created.body["id"].as_str().unwrap().to_owned(),
        kwame: node(1).signed_in("kwame@example.org").await,
        nia: node(0).signed_in("nia@example.org").await,
        otto: node(1).signed_in("otto@example.org").await,
        ines: node(0).signed_in("ines@example.org").await,
        xavier: node(1).signed_in("xavier@example.org").await,
        cora,
        ids,
        program: program.id.to_string(),
    }
}

pub fn room<'a>(kind: &'a str, event: &'a str) -> impl Fn(&Value) -> bool + 'a {
    move |f: &Value| f["type"] == kind && f["event"] == event
}

/// The next `room_state` in which `check` holds.
pub async fn state_where(ws: &mut Ws, event: &str, check: impl Fn(&Value) -> bool) -> Value {
    ws.recv_matching(|f| f["type"] == "room_state" && f["event"] == event && check(f)).await
}

pub fn person<'a>(state: &'a Value, user: &str) -> Option<&'a Value> {
    state["people"].as_array().unwrap().iter().find(|p| p["user"] == user)
}

pub async fn error_code(ws: &mut Ws, event: &str) -> String {
    ws.recv_matching(room("room_error", event)).await["code"].as_str().unwrap().to_owned()
}

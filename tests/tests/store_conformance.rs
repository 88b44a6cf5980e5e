//! The store conformance suite: the same checks against the `Store` trait on PostgreSQL and on
//! SQLite, so the two implementations cannot drift apart. Focus: constraints the database itself
//! must enforce (uniqueness, one-time use under concurrency) and the portable conventions
//! (time-ordered ids as cursors, millisecond timestamps).

use std::sync::Arc;

use kindred::store::{
    self, Acceptance, InvitationStatus, NewInvitation, NewUser, PageRequest, ProgramFields, Role, SessionKind,
    SessionRecord, Store, StoreError,
};
use kindred_tests::{Backend, TestDatabase, both_backends};
use time::OffsetDateTime;
use uuid::Uuid;

both_backends!(
    accounts_are_unique_by_email_ignoring_case,
    sessions_expire_and_are_revoked,
    invitations_are_redeemed_exactly_once_under_races,
    reset_links_are_used_exactly_once_under_races,
    pages_follow_creation_order,
    timestamps_round_trip_to_the_millisecond,
    an_event_is_written_whole_or_not_at_all,
    a_channel_counts_its_members_as_they_come_and_go,
    a_persons_channels_page_most_recently_active_first,
    statistics_are_refreshed_where_they_are_missing,
);

async fn open(backend: Backend) -> (TestDatabase, Arc<dyn Store>) {
    let db = TestDatabase::new(backend).await;
    let store = store::open(&db.url).await.unwrap();
    store.migrate().await.unwrap();
    // Migrations are idempotent.
    store.migrate().await.unwrap();
    store.ping().await.unwrap();
    (db, store)
}

fn new_user(email: &str) -> NewUser {
    NewUser {
        email: email.into(),
        name: "N".into(),
        password_hash: Some("h".into()),
        is_admin: false,
        can_create_programs: true,
    }
}

fn now() -> OffsetDateTime {
    OffsetDateTime::now_utc()
}

async fn accounts_are_unique_by_email_ignoring_case(backend: Backend) {
    let (_db, store) = open(backend).await;
    let user = store.create_user(new_user("Ana@Example.org"), now()).await.unwrap();
    assert!(matches!(store.create_user(new_user("ana@example.ORG"), now()).await, Err(StoreError::Conflict(_))));
    let (found, hash) = store.find_user_by_email("ANA@example.org").await.unwrap().unwrap();
    assert_eq!(found.id, user.id);
    assert_eq!(found.email, "Ana@Example.org");
    assert_eq!(hash.as_deref(), Some("h"));
    assert!(store.find_user_by_email("bo@example.org").await.unwrap().is_none());
    assert!(matches!(store.get_user(Uuid::now_v7()).await, Err(StoreError::NotFound)));
}

async fn sessions_expire_and_are_revoked(backend: Backend) {
    let (_db, store) = open(backend).await;
    let user = store.create_user(new_user("a@example.org"), now()).await.unwrap();
    let t = now();
    let record = |kind, expires| SessionRecord {
        id: Uuid::now_v7(),
        user_id: user.id,
        kind,
        name: "n".into(),
        csrf_token: "c".into(),
        created_at: t,
        last_used_at: t,
        expires_at: expires,
    };
    store.create_session(&record(SessionKind::Browser, Some(t + time::Duration::hours(1))), "live").await.unwrap();
    store.create_session(&record(SessionKind::Browser, Some(t - time::Duration::seconds(1))), "dead").await.unwrap();
    store.create_session(&record(SessionKind::ApiToken, None), "token").await.unwrap();
    assert!(store.find_session("live", t).await.unwrap().is_some());
    assert!(store.find_session("dead", t).await.unwrap().is_none());
    let (token, _) = store.find_session("token", t + time::Duration::days(3650)).await.unwrap().unwrap();
    assert_eq!(token.kind, SessionKind::ApiToken);
    assert_eq!(store.list_api_tokens(user.id, PageRequest { after: None, limit: 10 }).await.unwrap().items.len(), 1);
    assert_eq!(store.delete_user_sessions(user.id).await.unwrap(), 3);
    assert!(store.find_session("live", t).await.unwrap().is_none());
    assert!(store.find_session("token", t).await.unwrap().is_none());
}

async fn invitations_are_redeemed_exactly_once_under_races(backend: Backend) {
    let (_db, store) = open(backend).await;
    let coordinator = store.create_user(new_user("c@example.org"), now()).await.unwrap();
    let fields = ProgramFields { name: "P".into(), description: String::new(), starts_on: None, ends_on: None };
    let program = store.create_program(fields, coordinator.id, now()).await.unwrap();
    assert_eq!(store.role_in_program(program.id, coordinator.id).await.unwrap(), Some(Role::Coordinator));
    let invitation = NewInvitation {
        program_id: program.id,
        email: "m@example.org".into(),
        name: "M".into(),
        role: Role::Mentee,
        token_hash: "tok".into(),
        expires_at: now() + time::Duration::days(1),
        invited_by: coordinator.id,
    };
    store.create_invitation(invitation.clone(), now()).await.unwrap();
    // A second open invitation for the same person and program is refused by the database.
    let again = NewInvitation { token_hash: "tok2".into(), email: "M@example.org".into(), ..invitation };
    assert!(matches!(store.create_invitation(again, now()).await, Err(StoreError::Conflict(_))));

    // Eight concurrent redemptions of one link: exactly one account and one membership result.
    let mut tasks = Vec::new();
    for i in 0..8 {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            let user = NewUser {
                email: "m@example.org".into(),
                name: format!("M{i}"),
                password_hash: None,
                is_admin: false,
                can_create_programs: false,
            };
            store.accept_invitation("tok", Acceptance::New(user), now()).await
        }));
    }
    let mut ok = 0;
    for task in tasks {
        match task.await.unwrap() {
            Ok(_) => ok += 1,
            Err(StoreError::Gone(_)) | Err(StoreError::Conflict(_)) => {}
            Err(e) => panic!("unexpected error: {e}"),
        }
    }
    assert_eq!(ok, 1);
    let members = store.list_members(program.id, PageRequest { after: None, limit: 10 }).await.unwrap();
    assert_eq!(members.items.len(), 2);
    let all = store.list_invitations(program.id, None, now(), PageRequest { after: None, limit: 10 }).await.unwrap();
    assert_eq!(all.items.len(), 1);
    assert_eq!(all.items[0].status, InvitationStatus::Accepted);
}

async fn reset_links_are_used_exactly_once_under_races(backend: Backend) {
    let (_db, store) = open(backend).await;
    let user = store.create_user(new_user("a@example.org"), now()).await.unwrap();
    store.create_password_reset(user.id, "r", now() + time::Duration::hours(1), now()).await.unwrap();
    let mut tasks = Vec::new();
    for i in 0..8 {
        let store = store.clone();
        tasks.push(tokio::spawn(async move { store.consume_password_reset("r", &format!("hash{i}"), now()).await }));
    }
    let mut ok = 0;
    for task in tasks {
        if task.await.unwrap().is_ok() {
            ok += 1;
        }
    }
    assert_eq!(ok, 1);
    assert!(matches!(store.consume_password_reset("r", "x", now()).await, Err(StoreError::Gone(_))));
    assert!(matches!(store.consume_password_reset("nope", "x", now()).await, Err(StoreError::NotFound)));
}

async fn pages_follow_creation_order(backend: Backend) {
    let (_db, store) = open(backend).await;
    let mut ids = Vec::new();
    for i in 0..7 {
        ids.push(store.create_user(new_user(&format!("u{i}@example.org")), now()).await.unwrap().id);
    }
    let mut seen = Vec::new();
    let mut after = None;
    loop {
        let page = store.list_users(PageRequest { after, limit: 3 }).await.unwrap();
        seen.extend(page.items.iter().map(|u| u.id));
        match page.next {
            Some(next) => after = Some(next),
            None => break,
        }
    }
    assert_eq!(seen, ids);
    // The outbox lists newest first.
    for i in 0..3 {
        store.record_mail("a@example.org", &format!("s{i}"), "b", now()).await.unwrap();
    }
    let mail = store.list_mail(PageRequest { after: None, limit: 2 }).await.unwrap();
    assert_eq!(mail.items.iter().map(|m| m.subject.as_str()).collect::<Vec<_>>(), ["s2", "s1"]);
    let rest = store.list_mail(PageRequest { after: mail.next, limit: 2 }).await.unwrap();
    assert_eq!(rest.items.iter().map(|m| m.subject.as_str()).collect::<Vec<_>>(), ["s0"]);
    assert!(rest.next.is_none());
}

async fn timestamps_round_trip_to_the_millisecond(backend: Backend) {
    let (_db, store) = open(backend).await;
    let t = OffsetDateTime::from_unix_timestamp_nanos(1_800_000_000_123_456_789).unwrap();
    let user = store.create_user(new_user("a@example.org"), t).await.unwrap();
    let again = store.get_user(user.id).await.unwrap();
    assert_eq!(store::to_millis(again.created_at), 1_800_000_000_123);
    assert_eq!(again.created_at, store::from_millis(1_800_000_000_123));
}

/// Creating a group event writes the event, its people, its chat channel and members, and its
/// reminder in one transaction: when a later step fails (here an invitee who does not exist),
/// none of the earlier ones is left behind.
async fn an_event_is_written_whole_or_not_at_all(backend: Backend) {
    let (_db, store) = open(backend).await;
    let t = now();
    let host = store.create_user(new_user("host@example.org"), t).await.unwrap();
    let guest = store.create_user(new_user("guest@example.org"), t).await.unwrap();
    let fields = ProgramFields { name: "P".into(), description: String::new(), starts_on: None, ends_on: None };
    let program = store.create_program(fields, host.id, t).await.unwrap();
    store.add_member(program.id, guest.id, Role::Mentee, t).await.unwrap();
    let event = |id: Uuid, invitees: Vec<Uuid>| store::NewEvent {
        id,
        program_id: program.id,
        title: "Panel".into(),
        description: String::new(),
        starts_at: store::to_millis(t) + 3_600_000,
        duration_min: 60,
        capacity: 50,
        audience: "people".into(),
        cohort: String::new(),
        host_id: host.id,
        speakers: vec![],
        invitees,
        chat_name: "Panel".into(),
        chat_program_wide: false,
        reminder: kindred::domain::jobs::Work::EventReminder { event: id, starts_ms: store::to_millis(t) + 3_600_000 }
            .job(t),
    };
    let jobs_before = store.pending_jobs().await.unwrap();
    let channels_before = store.user_channels(host.id, PageRequest::ALL, 50).await.unwrap().items.len();

    let failed = Uuid::now_v7();
    let stranger = Uuid::now_v7();
    assert!(store.create_event(event(failed, vec![guest.id, stranger]), t).await.is_err());
    assert!(matches!(store.get_event(failed).await, Err(StoreError::NotFound)), "the event row was rolled back");
    assert_eq!(
        store.user_channels(host.id, PageRequest::ALL, 50).await.unwrap().items.len(),
        channels_before,
        "no channel was left behind"
    );
    assert!(store.user_channels(guest.id, PageRequest::ALL, 50).await.unwrap().items.is_empty());
    assert_eq!(store.pending_jobs().await.unwrap(), jobs_before, "no reminder was queued");

    // The same event with real people is written whole.
    let made = Uuid::now_v7();
    let channel = store.create_event(event(made, vec![guest.id]), t).await.unwrap();
    assert_eq!(store.get_event(made).await.unwrap().id, made);
    assert!(store.event_invited(made, guest.id).await.unwrap());
    assert!(
        store
            .user_channels(guest.id, PageRequest::ALL, 50)
            .await
            .unwrap()
            .items
            .iter()
            .any(|c| c.channel.id == channel.id)
    );
    assert_eq!(store.pending_jobs().await.unwrap(), jobs_before + 1);
}

async fn a_channel_counts_its_members_as_they_come_and_go(backend: Backend) {
    let (_db, store) = open(backend).await;
    let t = now();
    let coordinator = store.create_user(new_user("cora@example.org"), t).await.unwrap();
    let fields = ProgramFields { name: "P".into(), description: String::new(), starts_on: None, ends_on: None };
    let program = store.create_program(fields, coordinator.id, t).await.unwrap();
    let mut people = Vec::new();
    for i in 0..4 {
        let person = store.create_user(new_user(&format!("p{i}@example.org")), t).await.unwrap();
        store.add_member(program.id, person.id, Role::Mentee, t).await.unwrap();
        people.push(person.id);
    }
    let new_channel = |program_wide: bool, members: Vec<(Uuid, bool)>| store::NewChannel {
        program_id: program.id,
        kind: store::ChannelKind::Group,
        name: "G".into(),
        program_wide,
        members,
    };
    // Named members, one of them twice (counted once), and a program-wide channel of everyone.
    let group = store.create_channel(new_channel(false, vec![(people[0], true), (people[1], true)]), t).await.unwrap();
    assert_eq!(group.member_count, 2);
    let everyone = store.create_channel(new_channel(true, vec![(coordinator.id, true)]), t).await.unwrap();
    assert_eq!(everyone.member_count, 5, "the coordinator and four members, the coordinator once");
    // Someone joining the program joins the program-wide channel, and is counted.
    let late = store.create_user(new_user("late@example.org"), t).await.unwrap();
    store.add_member(program.id, late.id, Role::Mentor, t).await.unwrap();
    assert_eq!(store.get_channel(everyone.id).await.unwrap().member_count, 6);
    assert_eq!(store.get_channel(group.id).await.unwrap().member_count, 2);
    // Member lists travel with channels of at most the size asked for; larger ones carry the count.
    let mine = store.user_channels(people[1], PageRequest::ALL, 5).await.unwrap().items;
    let of = |id: Uuid| mine.iter().find(|c| c.channel.id == id).unwrap();
    assert_eq!(of(group.id).members.len(), 2);
    assert!(of(everyone.id).members.is_empty());
    assert_eq!(of(everyone.id).channel.member_count, 6);
    // Presence is shared only through the small channel, up to the same size.
    let small = store.user_channel_ids(people[1], 5).await.unwrap();
    assert_eq!(store.contacts(people[1], &small).await.unwrap(), vec![people[0]]);
    let up_to_six = store.user_channel_ids(people[1], 6).await.unwrap();
    assert_eq!(store.contacts(people[1], &up_to_six).await.unwrap().len(), 5);
    assert_eq!(store.user_channel_ids(people[1], 5).await.unwrap(), vec![group.id]);
    // Pages of members by user id, and members picked by id (strangers are left out).
    let first = store.channel_members_page(everyone.id, None, 4).await.unwrap();
    let rest = store.channel_members_page(everyone.id, first.last().map(|m| m.user_id), 4).await.unwrap();
    assert_eq!((first.len(), rest.len()), (4, 2));
    let mut all: Vec<Uuid> = first.iter().chain(&rest).map(|m| m.user_id).collect();
    assert!(all.windows(2).all(|w| w[0] < w[1]), "in user id order, no repeats");
    all.sort();
    let mut expected = vec![coordinator.id, late.id];
    expected.extend(&people);
    expected.sort();
    assert_eq!(all, expected);
    let picked = store.channel_members_among(group.id, &[people[1], people[2], Uuid::now_v7()]).await.unwrap();
    assert_eq!(picked.iter().map(|m| m.user_id).collect::<Vec<_>>(), vec![people[1]]);
    assert!(store.channel_members_among(group.id, &[]).await.unwrap().is_empty());
}

async fn a_persons_channels_page_most_recently_active_first(backend: Backend) {
    let (_db, store) = open(backend).await;
    let t = now() - time::Duration::hours(1);
    let coordinator = store.create_user(new_user("cora@example.org"), t).await.unwrap();
    let me = store.create_user(new_user("me@example.org"), t).await.unwrap();
    let stranger = store.create_user(new_user("stranger@example.org"), t).await.unwrap();
    let fields = ProgramFields { name: "P".into(), description: String::new(), starts_on: None, ends_on: None };
    let program = store.create_program(fields, coordinator.id, t).await.unwrap();
    // Five channels created a minute apart: the newest first while none has a message.
    let mut channels = Vec::new();
    for i in 0..5i64 {
        let new = store::NewChannel {
            program_id: program.id,
            kind: store::ChannelKind::Group,
            name: format!("G{i}"),
            program_wide: false,
            members: vec![(coordinator.id, true), (me.id, i != 3)],
        };
        let created = store.create_channel(new, t + time::Duration::minutes(i)).await.unwrap();
        assert_eq!(created.last_activity_at, created.created_at, "a new channel's activity is its creation");
        channels.push(created.id);
    }
    let order = |pages: Vec<store::Page<store::ChannelView>>| -> Vec<Uuid> {
        pages.into_iter().flat_map(|p| p.items).map(|c| c.channel.id).collect()
    };
    let walk = |limit: u32| {
        let store = store.clone();
        async move {
            let mut pages = Vec::new();
            let mut after = None;
            loop {
                let page = store.user_channels(me.id, PageRequest { after, limit }, 50).await.unwrap();
                assert!(page.items.len() <= limit as usize);
                after = page.next;
                pages.push(page);
                if after.is_none() {
                    return pages;
                }
            }
        }
    };
    let newest_first: Vec<Uuid> = channels.iter().rev().copied().collect();
    assert_eq!(order(walk(2).await), newest_first);
    // A message moves its channel to the front; an edit does not move it again.
    let append = |channel: Uuid, sender: Uuid, client: &str| store::Append {
        channel_id: channel,
        sender_id: sender,
        client_id: client.into(),
        body: "hello".into(),
    };
    store.append_message(append(channels[1], coordinator.id, "m1"), t + time::Duration::minutes(10)).await.unwrap();
    store.append_message(append(channels[0], coordinator.id, "m2"), t + time::Duration::minutes(20)).await.unwrap();
    store.edit_message(append(channels[1], coordinator.id, "e1"), 1, t + time::Duration::minutes(30)).await.unwrap();
    let pages = walk(2).await;
    assert_eq!(pages.len(), 3);
    let first = &pages[0].items[0];
    assert_eq!((first.channel.id, first.unread), (channels[0], 1), "the latest message first, counted unread");
    assert_eq!(first.channel.last_activity_at, store::from_millis(store::to_millis(t + time::Duration::minutes(20))));
    assert_eq!(first.members.len(), 2, "a small channel carries its members");
    assert_eq!(order(pages), vec![channels[0], channels[1], channels[4], channels[3], channels[2]]);
    // One channel as the list shows it, for members only; the grants name every channel.
    let one = store.user_channel(me.id, channels[1], 50).await.unwrap().unwrap();
    assert_eq!((one.unread, one.last_read_seq, one.channel.last_seq), (1, 0, 2));
    assert!(store.user_channel(stranger.id, channels[1], 50).await.unwrap().is_none());
    let mut grants: Vec<(Uuid, bool)> =
        store.user_memberships(me.id).await.unwrap().into_iter().map(|m| (m.channel.id, m.can_post)).collect();
    grants.sort();
    let mut expected: Vec<(Uuid, bool)> = channels.iter().enumerate().map(|(i, c)| (*c, i != 3)).collect();
    expected.sort();
    assert_eq!(grants, expected);
    assert!(store.user_memberships(stranger.id).await.unwrap().is_empty());
}

async fn statistics_are_refreshed_where_they_are_missing(backend: Backend) {
    let (db, store) = open(backend).await;
    // A bulk load: more new rows than autovacuum's threshold (50 and a tenth), no analysis yet.
    for i in 0..80 {
        store.create_user(new_user(&format!("u{i}@example.org")), now()).await.unwrap();
    }
    if backend == Backend::Postgres {
        // PostgreSQL publishes a connection's row counts up to a second after its writes: wait
        // until the 80 new rows show, as they would for a load done before start-up.
        use sqlx::Connection;
        let mut conn = sqlx::PgConnection::connect(&db.url).await.unwrap();
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(15);
        loop {
            let changed: Option<i64> = sqlx::query_scalar(
                "SELECT n_mod_since_analyze FROM pg_stat_user_tables WHERE schemaname = current_schema() AND relname = 'users'",
            )
            .fetch_optional(&mut conn)
            .await
            .unwrap();
            if changed.unwrap_or(0) >= 80 {
                break;
            }
            assert!(std::time::Instant::now() < deadline, "the new rows never showed in pg_stat_user_tables");
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
    }
    store.optimize().await.unwrap();
    match backend {
        Backend::Postgres => {
            use sqlx::Connection;
            let mut conn = sqlx::PgConnection::connect(&db.url).await.unwrap();
            let analyzed: Option<bool> = sqlx::query_scalar(
                "SELECT last_analyze IS NOT NULL FROM pg_stat_user_tables \
                 WHERE schemaname = current_schema() AND relname = 'users'",
            )
            .fetch_optional(&mut conn)
            .await
            .unwrap();
            assert_eq!(analyzed, Some(true), "the users table was analyzed");
        }
        Backend::Sqlite => {
            use sqlx::Connection;
            let mut conn = sqlx::SqliteConnection::connect(&db.url).await.unwrap();
            let rows: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM sqlite_stat1 WHERE tbl = 'users'")
                .fetch_one(&mut conn)
                .await
                .unwrap();
            assert!(rows > 0, "PRAGMA optimize analyzed the users table");
        }
    }
}

/// SQLite's writer never checkpoints inside a commit (that copied megabytes on the request that
/// crossed the WAL's threshold); the store's checkpointer moves committed pages into the database
/// file in the background. Seen from the file alone (`immutable=1` ignores the WAL): a user
/// written through the store shows up there with no further request.
#[tokio::test]
async fn sqlite_checkpoints_in_the_background() {
    use sqlx::Connection;
    let (db, store) = open(Backend::Sqlite).await;
    let path = db.url.trim_start_matches("sqlite://").trim_end_matches("?mode=rwc").to_owned();
    let user = store.create_user(new_user("checkpointed@example.org"), now()).await.unwrap();
    let in_file = format!("sqlite://{path}?immutable=1");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    loop {
        // Read while a checkpoint may be writing the file: an error is "not yet", like a miss.
        let found = match sqlx::SqliteConnection::connect(&in_file).await {
            Ok(mut file) => {
                sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM users WHERE email = 'checkpointed@example.org'")
                    .fetch_one(&mut file)
                    .await
                    .unwrap_or(0)
            }
            Err(_) => 0,
        };
        if found == 1 {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "user {} never reached the database file", user.id);
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}

//! Programs, their members, and recruitment by invitation: who may create and change a program,
//! the rules of its fields, inviting people one at a time or many at once (a link by email that
//! works once, until it expires), sending an invitation again, and revoking it.

use uuid::Uuid;

use super::access::ProgramAccess;
use super::accounts::{new_secret, secret_hash};
use super::{Core, Error, Problems, Result, validate};
use crate::store::{
    Invitation, InvitationStatus, Member, NewInvitation, Page, PageRequest, Program, ProgramFields, Role, StoreError,
    User,
};

/// Most rows one import may hold.
pub const MAX_IMPORT_ROWS: usize = 5_000;

/// A program's fields as a coordinator gives them.
pub struct Draft {
    pub name: String,
    pub description: String,
    /// `YYYY-MM-DD`
    pub starts_on: Option<String>,
    /// `YYYY-MM-DD`
    pub ends_on: Option<String>,
}

/// The rules of a program's fields: a name, a bounded description, dates that parse, an end not
/// before the start. Every failing field is named.
fn fields(draft: Draft) -> Result<ProgramFields> {
    let mut problems = Problems::default();
    let name = problems.take(validate::required("name", &draft.name, 200))?;
    let description =
        problems.take(validate::optional("description", Some(draft.description), 5_000))?.unwrap_or_default();
    let starts_on = problems.take(validate::date("starts_on", draft.starts_on))?;
    let ends_on = problems.take(validate::date("ends_on", draft.ends_on))?;
    if let (Some(s), Some(e)) = (&starts_on, &ends_on)
        && e < s
    {
        problems.add("ends_on", "must not be before the start date");
    }
    problems.into_result()?;
    Ok(ProgramFields { name, description, starts_on, ends_on })
}

/// Programs I belong to (admins: every program).
pub async fn mine(core: &Core, me: &User, page: PageRequest) -> Result<Page<Program>> {
    Ok(core.store.list_programs(me.id, me.is_admin, page).await?)
}

/// Creates a program; its creator becomes its first coordinator.
pub async fn create(core: &Core, me: &User, draft: Draft) -> Result<Program> {
    if !(me.is_admin || me.can_create_programs) {
        return Err(Error::Forbidden("only coordinators and admins can create programs"));
    }
    let fields = fields(draft)?;
    Ok(core.store.create_program(fields, me.id, core.clock.now()).await?)
}

/// One program, for its members and admins.
pub async fn get(core: &Core, me: &User, id: Uuid) -> Result<Program> {
    ProgramAccess::of(core, me, id).await?;
    Ok(core.store.get_program(id, me.id).await?)
}

/// What a coordinator changes; `None` keeps the current value (dates: `Some(None)` clears).
pub struct Patch {
    pub name: Option<String>,
    pub description: Option<String>,
    pub starts_on: Option<Option<String>>,
    pub ends_on: Option<Option<String>>,
}

/// Changes a program's name, description or dates (its coordinators).
pub async fn update(core: &Core, me: &User, id: Uuid, patch: Patch) -> Result<Program> {
    ProgramAccess::of(core, me, id).await?.require_coordinator()?;
    let current = core.store.get_program(id, me.id).await?;
    let fields = fields(Draft {
        name: patch.name.unwrap_or(current.name),
        description: patch.description.unwrap_or(current.description),
        starts_on: patch.starts_on.unwrap_or(current.starts_on),
        ends_on: patch.ends_on.unwrap_or(current.ends_on),
    })?;
    Ok(core.store.update_program(id, fields, me.id).await?)
}

/// The program's members (its coordinators).
pub async fn members(core: &Core, me: &User, id: Uuid, page: PageRequest) -> Result<Page<Member>> {
    ProgramAccess::of(core, me, id).await?.require_coordinator()?;
    let now = core.clock.now();
    let mut page = core.store.list_members(id, page).await?;
    for member in &mut page.items {
        member.muted_until = member.muted_until.filter(|until| *until > now);
    }
    Ok(page)
}

/// The program's invitations, newest first (its coordinators).
pub async fn invitations(
    core: &Core,
    me: &User,
    id: Uuid,
    status: Option<InvitationStatus>,
    page: PageRequest,
) -> Result<Page<Invitation>> {
    ProgramAccess::of(core, me, id).await?.require_coordinator()?;
    Ok(core.store.list_invitations(id, status, core.clock.now(), page).await?)
}

/// One person to invite.
pub struct Invitee {
    pub name: String,
    pub email: String,
    pub role: Role,
}

/// Invites one person (its coordinators); the invitation carries the link, which is also mailed.
pub async fn invite(
    core: &Core,
    me: &User,
    program_id: Uuid,
    name: &str,
    email: &str,
    role: Role,
) -> Result<Invitation> {
    ProgramAccess::of(core, me, program_id).await?.require_coordinator()?;
    let mut problems = Problems::default();
    let name = problems.take(validate::required("name", name, 100))?;
    let email = problems.take(validate::email("email", email))?;
    problems.into_result()?;
    let program = core.store.get_program(program_id, me.id).await?;
    Ok(create_invitation(core, me, &program, Invitee { name, email, role }).await?)
}

/// The rows of an import file: those to invite, by line, and those refused.
type Rows = (Vec<(u64, Invitee)>, Vec<Refused>);

/// A row of an import that was not invited, and why.
pub struct Refused {
    /// Line of the file (the header is line 1).
    pub line: u64,
    pub reason: String,
}

/// Invites many people from a CSV file with the columns `name,email,role` in any order (its
/// coordinators). Good rows are invited; each row that is not (unreadable, invalid, a repeat
/// within the file, already a member or invited) is reported with its line and reason.
pub async fn import(core: &Core, me: &User, program_id: Uuid, csv: &str) -> Result<(Vec<Invitation>, Vec<Refused>)> {
    ProgramAccess::of(core, me, program_id).await?.require_coordinator()?;
    let (rows, mut refused) = parse_csv(csv)?;
    let program = core.store.get_program(program_id, me.id).await?;
    let mut created = Vec::new();
    for (line, invitee) in rows {
        match create_invitation(core, me, &program, invitee).await {
            Ok(invitation) => created.push(invitation),
            Err(StoreError::Conflict(reason)) => refused.push(Refused { line, reason: reason.to_owned() }),
            Err(e) => return Err(e.into()),
        }
    }
    refused.sort_by_key(|r| r.line);
    Ok((created, refused))
}

/// The 1-based line a record starting at `byte` is on. The reader reports a record as starting
/// where the previous one ended, so blank lines before it are skipped here.
fn line_of(text: &str, byte: usize) -> u64 {
    let bytes = text.as_bytes();
    let mut start = byte.min(bytes.len());
    while start < bytes.len() && matches!(bytes[start], b'\r' | b'\n') {
        start += 1;
    }
    1 + bytes[..start].iter().filter(|b| **b == b'\n').count() as u64
}

/// Reads an invitation CSV (header required). Good rows and per-line problems come back side by
/// side; only a file that cannot be read as a whole is an error.
fn parse_csv(text: &str) -> Result<Rows> {
    let mut reader = csv::ReaderBuilder::new().flexible(true).trim(csv::Trim::All).from_reader(text.as_bytes());
    let headers =
        reader.headers().map_err(|e| Error::field("file", format!("could not read the header: {e}")))?.clone();
    let column = |want: &str| headers.iter().position(|h| h.trim_start_matches('\u{feff}').eq_ignore_ascii_case(want));
    let (Some(name_col), Some(email_col), Some(role_col)) = (column("name"), column("email"), column("role")) else {
        return Err(Error::field("file", "the first line must be a header with the columns name, email and role"));
    };
    let mut rows = Vec::new();
    let mut refused = Vec::new();
    let mut seen: std::collections::HashMap<String, u64> = std::collections::HashMap::new();
    for (i, record) in reader.records().enumerate() {
        if i >= MAX_IMPORT_ROWS {
            return Err(Error::field("file", format!("at most {MAX_IMPORT_ROWS} rows per file")));
        }
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map(|p| line_of(text, p.byte() as usize)).unwrap_or(0);
                refused.push(Refused { line, reason: format!("unreadable row: {e}") });
                continue;
            }
        };
        let line = record.position().map(|p| line_of(text, p.byte() as usize)).unwrap_or(i as u64 + 2);
        if record.iter().all(str::is_empty) {
            continue;
        }
        let get = |c: usize| record.get(c).unwrap_or("");
        let mut reasons = Vec::new();
        let name = validate::required("name", get(name_col), 100)
            .map_err(|_| reasons.push("name is missing or too long".to_owned()))
            .ok();
        let email = validate::email("email", get(email_col))
            .map_err(|_| reasons.push(format!("\"{}\" is not a valid email address", get(email_col))))
            .ok();
        let role = Role::parse(get(role_col));
        if role.is_none() {
            reasons.push(format!("role \"{}\" must be mentor, mentee or coordinator", get(role_col)));
        }
        if let Some(email) = &email
            && let Some(first) = seen.get(&email.to_lowercase())
        {
            reasons.push(format!("same email as line {first}"));
        }
        match (name, email, role) {
            (Some(name), Some(email), Some(role)) if reasons.is_empty() => {
                seen.insert(email.to_lowercase(), line);
                rows.push((line, Invitee { name, email, role }));
            }
            _ => refused.push(Refused { line, reason: reasons.join("; ") }),
        }
    }
    Ok((rows, refused))
}

async fn create_invitation(
    core: &Core,
    me: &User,
    program: &Program,
    invitee: Invitee,
) -> std::result::Result<Invitation, StoreError> {
    let now = core.clock.now();
    let token = new_secret("ki_");
    let expires_at = now + time::Duration::hours(core.config.invitation_ttl_hours as i64);
    let new = NewInvitation {
        program_id: program.id,
        email: invitee.email,
        name: invitee.name,
        role: invitee.role,
        token_hash: secret_hash(&token),
        expires_at,
        invited_by: me.id,
    };
    let mut invitation = core.store.create_invitation(new, now).await?;
    send(core, program, &mut invitation, &token).await;
    Ok(invitation)
}

/// Mails an invitation's link and puts it on the invitation (shown once, to the coordinator).
async fn send(core: &Core, program: &Program, invitation: &mut Invitation, token: &str) {
    let link = format!("{}/invite/{token}", core.public_url);
    let format = time::macros::format_description!("[month repr:long] [day padding:none], [year]");
    let expires = invitation.expires_at.format(&format).unwrap_or_default();
    let body = format!(
        "Hello {},\n\nYou are invited to join {} on Kindred as a {}.\n\nTo accept, open this link (it works once, until {expires}):\n\n{link}\n",
        invitation.name,
        program.name,
        invitation.role.as_str()
    );
    let subject = format!("You're invited to {} on Kindred", program.name);
    core.mailer.send(&invitation.email, &subject, &body, core.clock.now()).await;
    invitation.link = Some(link);
}

/// Sends a pending or expired invitation again with a new link and expiry (its coordinators).
pub async fn resend(core: &Core, me: &User, program_id: Uuid, invitation_id: Uuid) -> Result<Invitation> {
    ProgramAccess::of(core, me, program_id).await?.require_coordinator()?;
    let now = core.clock.now();
    let token = new_secret("ki_");
    let expires_at = now + time::Duration::hours(core.config.invitation_ttl_hours as i64);
    let mut invitation =
        core.store.reissue_invitation(program_id, invitation_id, &secret_hash(&token), expires_at, now).await?;
    let program = core.store.get_program(program_id, me.id).await?;
    send(core, &program, &mut invitation, &token).await;
    Ok(invitation)
}

/// Revokes an invitation so its link stops working (its coordinators).
pub async fn revoke(core: &Core, me: &User, program_id: Uuid, invitation_id: Uuid) -> Result<Invitation> {
    ProgramAccess::of(core, me, program_id).await?.require_coordinator()?;
    Ok(core.store.revoke_invitation(program_id, invitation_id, core.clock.now()).await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_good_and_bad_rows_are_reported_by_line() {
        let text = "email,Name,role\nana@example.org,Ana,mentee\nnot-an-email,Bo,mentor\n\ncy@example.org,Cy,boss\nANA@example.org,Ana again,mentor\ndee@example.org,Dee,Mentor\n";
        let (rows, errors) = parse_csv(text).unwrap();
        assert_eq!(
            rows.iter().map(|(line, r)| (*line, r.email.as_str())).collect::<Vec<_>>(),
            vec![(2, "ana@example.org"), (7, "dee@example.org")]
        );
        assert_eq!(rows[1].1.role, Role::Mentor);
        let lines: Vec<u64> = errors.iter().map(|e| e.line).collect();
        assert_eq!(lines, vec![3, 5, 6]);
        assert!(errors[0].reason.contains("not a valid email"));
        assert!(errors[1].reason.contains("role"));
        assert!(errors[2].reason.contains("line 2"));
    }

    #[test]
    fn csv_without_the_needed_header_is_refused() {
        assert!(parse_csv("a,b\n1,2\n").is_err());
        assert!(parse_csv("").is_err());
    }
}

//! The `kindred` command line: global configuration flags and the subcommands `serve` (default),
//! `migrate`, `user create` and `demo`.

use std::io::{BufRead, Write};
use std::path::PathBuf;

use anyhow::{Context, bail};
use clap::{Args, Parser, Subcommand, ValueEnum};
use tokio_util::sync::CancellationToken;

use crate::app::{Application, open_store};
use crate::config::{Config, Overrides, Secret};
use crate::domain::accounts::{hash_password_async, new_secret, secret_hash};
use crate::store::{CareerStage, NewUser, ProfilePatch, ProgramFields, Role};

#[derive(Parser, Debug)]
#[command(
    name = "kindred",
    version,
    about = "Kindred: an open mentoring platform (chat, video, matching, program data)"
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// Flags that override `kindred.toml` and `KINDRED_*` variables.
#[derive(Args, Debug)]
pub struct GlobalArgs {
    /// Configuration file (default: ./kindred.toml when it exists).
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Address to listen on (default 127.0.0.1:8080).
    #[arg(long, global = true, value_name = "ADDR")]
    pub bind: Option<std::net::SocketAddr>,
    /// Directory for the embedded SQLite database (default ./data).
    #[arg(long, global = true, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// `sqlite:` or `postgres://` URL (default: SQLite in the data directory).
    #[arg(long, global = true, value_name = "URL")]
    pub database_url: Option<String>,
    /// `redis://` URL for presence and fan-out across nodes.
    #[arg(long, global = true, value_name = "URL")]
    pub redis_url: Option<String>,
    /// Base URL people reach Kindred at (links in emails, Origin checks).
    #[arg(long, global = true, value_name = "URL")]
    pub public_url: Option<String>,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Start the service (the default).
    Serve,
    /// Apply database migrations and exit.
    Migrate,
    /// Run only the matching worker (for deployments that run workers apart from web nodes).
    Worker,
    /// Run only the group-event SFU: it hosts live rooms for every node (needs Redis).
    Sfu,
    /// Manage accounts.
    #[command(subcommand)]
    User(UserCommand),
    /// Fill a fresh data directory with a demo program and print its sign-in details.
    Demo,
    /// Print the HTTP API's OpenAPI document (the web client's types are generated from it).
    Openapi,
}

#[derive(Subcommand, Debug)]
pub enum UserCommand {
    /// Create an account (the first administrator of a fresh install, for example).
    Create(CreateUser),
}

#[derive(Args, Debug)]
pub struct CreateUser {
    #[arg(long)]
    pub email: String,
    #[arg(long)]
    pub name: String,
    /// admin and coordinator can create programs; mentor and mentee join programs by `--program`
    /// or by invitation.
    #[arg(long, value_enum)]
    pub role: AccountRole,
    /// Add the account to this program (id) in the given role.
    #[arg(long)]
    pub program: Option<uuid::Uuid>,
    /// Read the password from standard input instead of printing a one-time link to set it.
    #[arg(long)]
    pub password_stdin: bool,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum AccountRole {
    Admin,
    Coordinator,
    Mentor,
    Mentee,
}

impl Cli {
    pub fn config(&self) -> anyhow::Result<Config> {
        let g = &self.global;
        let overrides = Overrides {
            bind: g.bind,
            data_dir: g.data_dir.clone(),
            database_url: g.database_url.clone().map(Secret::new),
            redis_url: g.redis_url.clone().map(Secret::new),
            public_url: g.public_url.clone(),
        };
        Ok(Config::load(g.config.as_deref(), overrides)?)
    }
}

/// Runs the parsed command.
pub async fn run(cli: Cli) -> anyhow::Result<()> {
    let config = cli.config()?;
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => serve(config).await,
        Command::Migrate => {
            open_store(&config).await?;
            println!("Migrations applied to {}", config.data_location());
            Ok(())
        }
        Command::Worker => {
            println!("Kindred matching worker started; data: {}", config.data_location());
            std::io::stdout().flush().ok();
            let shutdown = CancellationToken::new();
            tokio::spawn(shutdown_on_signal(shutdown.clone()));
            crate::app::run_worker(config, shutdown).await
        }
        Command::Sfu => {
            println!("Kindred SFU started; UDP port {}", config.sfu_udp_port);
            std::io::stdout().flush().ok();
            let shutdown = CancellationToken::new();
            tokio::spawn(shutdown_on_signal(shutdown.clone()));
            crate::app::run_sfu(config, shutdown).await
        }
        Command::User(UserCommand::Create(args)) => create_user(&config, args).await,
        Command::Demo => demo(&config).await,
        Command::Openapi => {
            println!("{}", crate::api::openapi_json());
            Ok(())
        }
    }
}

async fn serve(config: Config) -> anyhow::Result<()> {
    let location = config.data_location();
    let app = Application::build(config).await?;
    let public = app.state().public_url.clone();
    // Printed (not only logged) so a person, a script or a test can find the port.
    println!("Kindred listening on http://{} (public URL {public}); data: {location}", app.local_addr());
    std::io::stdout().flush().ok();
    tracing::info!(addr = %app.local_addr(), data = %location, "listening");
    let shutdown = CancellationToken::new();
    tokio::spawn(shutdown_on_signal(shutdown.clone()));
    app.run(shutdown).await?;
    tracing::info!("stopped");
    Ok(())
}

/// Cancels `token` on SIGTERM or Ctrl-C.
async fn shutdown_on_signal(token: CancellationToken) {
    let ctrl_c = async {
        tokio::signal::ctrl_c().await.ok();
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
    tracing::info!("shutting down");
    token.cancel();
}

fn public_url(config: &Config) -> String {
    config.public_url.clone().unwrap_or_else(|| format!("http://{}", config.bind)).trim_end_matches('/').to_owned()
}

async fn create_user(config: &Config, args: CreateUser) -> anyhow::Result<()> {
    let email = crate::api::validate::email("email", &args.email)
        .map_err(|_| anyhow::anyhow!("--email is not a valid email address"))?;
    let name = crate::api::validate::required("name", &args.name, 100)
        .map_err(|_| anyhow::anyhow!("--name must be 1 to 100 characters"))?;
    let password_hash = if args.password_stdin {
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line).context("could not read the password from standard input")?;
        let password = line.trim_end_matches(['\r', '\n']).to_owned();
        crate::api::validate::password("password", &password).map_err(|e| anyhow::anyhow!("{e}"))?;
        Some(hash_password_async(password).await)
    } else {
        None
    };
    let store = open_store(config).await?;
    let now = time::OffsetDateTime::now_utc();
    let (is_admin, can_create) = match args.role {
        AccountRole::Admin => (true, true),
        AccountRole::Coordinator => (false, true),
        AccountRole::Mentor | AccountRole::Mentee => (false, false),
    };
    let has_password = password_hash.is_some();
    let user = store
        .create_user(NewUser { email, name, password_hash, is_admin, can_create_programs: can_create }, now)
        .await
        .map_err(|e| anyhow::anyhow!("could not create the account: {e}"))?;
    if let Some(program) = args.program {
        let role = match args.role {
            AccountRole::Mentor => Role::Mentor,
            AccountRole::Mentee => Role::Mentee,
            AccountRole::Admin | AccountRole::Coordinator => Role::Coordinator,
        };
        store
            .add_member(program, user.id, role, now)
            .await
            .map_err(|e| anyhow::anyhow!("could not add to the program: {e}"))?;
    }
    println!("Created {} <{}> ({:?}), id {}", user.name, user.email, args.role, user.id);
    if !has_password {
        let token = new_secret("kr_");
        let expires = now + time::Duration::minutes(config.reset_ttl_minutes.max(24 * 60) as i64);
        store.create_password_reset(user.id, &secret_hash(&token), expires, now).await?;
        println!("Set the password within 24 hours at: {}/reset-password/{token}", public_url(config));
    }
    Ok(())
}

/// People of the demo program: (name, email local part, role, institution, stage, pronouns, zone).
const DEMO_PEOPLE: &[(&str, &str, Role, &str, CareerStage, &str, &str)] = &[
    (
        "Dana Whitfield",
        "coordinator",
        Role::Coordinator,
        "National EM Diversity Alliance",
        CareerStage::Faculty,
        "she/her",
        "America/New_York",
    ),
    (
        "Dr. Marisol Reyes",
        "mentor.reyes",
        Role::Mentor,
        "University of New Mexico",
        CareerStage::Attending,
        "she/her",
        "America/Denver",
    ),
    (
        "Dr. Kwame Mensah",
        "mentor.mensah",
        Role::Mentor,
        "Emory University",
        CareerStage::Faculty,
        "he/him",
        "America/New_York",
    ),
    (
        "Dr. Leilani Kahale",
        "mentor.kahale",
        Role::Mentor,
        "University of Hawaii",
        CareerStage::Attending,
        "she/her",
        "Pacific/Honolulu",
    ),
    (
        "Dr. Tomas Begay",
        "mentor.begay",
        Role::Mentor,
        "University of Arizona",
        CareerStage::Fellow,
        "he/him",
        "America/Phoenix",
    ),
    (
        "Aaliyah Johnson",
        "mentee.johnson",
        Role::Mentee,
        "Howard University",
        CareerStage::MedicalStudent,
        "she/her",
        "America/New_York",
    ),
    (
        "Luis Hernández",
        "mentee.hernandez",
        Role::Mentee,
        "UT Southwestern",
        CareerStage::MedicalStudent,
        "he/him",
        "America/Chicago",
    ),
    (
        "Nia Okafor",
        "mentee.okafor",
        Role::Mentee,
        "Morehouse School of Medicine",
        CareerStage::Resident,
        "she/her",
        "America/New_York",
    ),
    (
        "Jordan Yazzie",
        "mentee.yazzie",
        Role::Mentee,
        "University of Washington",
        CareerStage::MedicalStudent,
        "they/them",
        "America/Los_Angeles",
    ),
    (
        "Camila Torres",
        "mentee.torres",
        Role::Mentee,
        "University of Puerto Rico",
        CareerStage::Undergraduate,
        "she/her",
        "America/Puerto_Rico",
    ),
    (
        "Malik Brooks",
        "mentee.brooks",
        Role::Mentee,
        "Meharry Medical College",
        CareerStage::Resident,
        "he/him",
        "America/Chicago",
    ),
];

async fn demo(config: &Config) -> anyhow::Result<()> {
    let store = open_store(config).await?;
    let existing = store.list_users(crate::store::PageRequest { after: None, limit: 1 }).await?;
    if !existing.items.is_empty() {
        bail!("the database at {} already has accounts; `kindred demo` only fills a fresh one", config.data_location());
    }
    let now = time::OffsetDateTime::now_utc();
    let password = new_secret("demo-");
    let hash = hash_password_async(password.clone()).await;
    let mut program = None;
    println!("Demo program created. Every demo account's password is: {password}\n");
    for (name, local, role, institution, stage, pronouns, zone) in DEMO_PEOPLE {
        let email = format!("{local}@demo.kindred.example");
        let coordinator = *role == Role::Coordinator;
        let user = store
            .create_user(
                NewUser {
                    email: email.clone(),
                    name: (*name).to_owned(),
                    password_hash: Some(hash.clone()),
                    is_admin: coordinator,
                    can_create_programs: coordinator,
                },
                now,
            )
            .await?;
        store
            .update_profile(
                user.id,
                ProfilePatch {
                    name: None,
                    pronouns: Some(Some((*pronouns).to_owned())),
                    institution: Some(Some((*institution).to_owned())),
                    career_stage: Some(Some(*stage)),
                    time_zone: Some(Some((*zone).to_owned())),
                },
            )
            .await?;
        let program_id = match program {
            Some(id) => {
                store.add_member(id, user.id, *role, now).await?;
                id
            }
            None => {
                let fields = ProgramFields {
                    name: "Emergency Medicine Diversity Mentoring (demo)".into(),
                    description: "A national virtual program pairing trainees underrepresented in medicine with emergency medicine mentors at other institutions.".into(),
                    starts_on: Some(now.date().to_string()),
                    ends_on: Some((now.date() + time::Duration::days(365)).to_string()),
                };
                let created = store.create_program(fields, user.id, now).await?;
                program = Some(created.id);
                created.id
            }
        };
        let _ = program_id;
        println!("  {:<12} {:<22} {email}", role.as_str(), name);
    }
    println!(
        "\nThe coordinator is also this instance's administrator. Start the service with `kindred serve` and sign in at {}.",
        public_url(config)
    );
    Ok(())
}

//! The eenplan command line: serve, demo, migrate, user add, audit verify, jobs run.

use std::io::{BufRead, IsTerminal, Write};
use std::process::ExitCode;

use actix_web::{web, HttpServer};
use clap::{Parser, Subcommand};

use eenplan::access::identity::Operator;
use eenplan::access::Role;
use eenplan::audit::AuditRecord;
use eenplan::config::{Config, Secrets};
use eenplan::error::AppError;
use eenplan::identity::model::ServerUser;
use eenplan::state::Ctx;
use eenplan::{audit, demo, AppState};

#[derive(Parser)]
#[command(name = "eenplan", version, about = "1 gezin, 1 plan, 1 regisseur")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the service.
    Serve {
        /// Address to listen on (overrides EENPLAN_BIND).
        #[arg(long)]
        bind: Option<String>,
    },
    /// Seed demo data into an empty database, print the accounts, and run the service.
    Demo {
        #[arg(long)]
        bind: Option<String>,
    },
    /// Add bulk synthetic households and cases to a demo database, for benchmarks (docs/benchmarks.md).
    DemoScale {
        /// How many households (each with one case; with --signals: two persons each, no cases).
        #[arg(long, default_value_t = 100_000)]
        households: usize,
        /// Instead of cases: this many active signals (with their matches) on the households' young persons.
        #[arg(long)]
        signals: Option<usize>,
        /// Instead of cases: a year of this many access-log events, for the privacy officer's benchmarks.
        #[arg(long)]
        audit_events: Option<usize>,
        /// With --audit-events: how many of them name the first demo person.
        #[arg(long, default_value_t = 100_000)]
        person_events: usize,
    },
    /// Run database migrations and exit.
    Migrate,
    /// Manage users.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// The audit log.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// Retention (docs/privacy.md): erase closed cases past their law's term and prune the audit log.
    Retention {
        #[command(subcommand)]
        command: RetentionCommand,
    },
    /// Background jobs (`serve` runs them on a schedule).
    Jobs {
        #[command(subcommand)]
        command: JobsCommand,
    },
}

#[derive(Subcommand)]
enum JobsCommand {
    /// Run every due job once: signal retention, match reminders, email delivery.
    Run,
}

#[derive(Subcommand)]
enum UserCommand {
    /// Create a user. The password is read from standard input or EENPLAN_PASSWORD.
    Add {
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
        /// wijkteam, teamleider, provider, signaller, matchregisseur, procescoordinator, privacy_officer or admin
        #[arg(long)]
        role: String,
        /// Team id or name (required for wijkteam and teamleider).
        #[arg(long)]
        team: Option<String>,
        /// Organisation id or name (default: the only organisation, if there is one).
        #[arg(long)]
        organisation: Option<String>,
    },
}

#[derive(Subcommand)]
enum RetentionCommand {
    /// List what a run would erase and prune today; changes nothing.
    Plan,
    /// Erase and prune what the plan lists, in one transaction with its audit event.
    Run,
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Recompute every hash chain; exit 1 and name the first broken event if any.
    Verify,
}

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("EENPLAN_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();
    let cli = Cli::parse();
    let result = actix_web::rt::System::new().block_on(run(cli));
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("eenplan: {e}");
            ExitCode::from(2)
        }
    }
}

async fn run(cli: Cli) -> Result<ExitCode, String> {
    let mut config = Config::from_env()?;
    match cli.command {
        Command::Serve { bind } => {
            config.bind = bind.unwrap_or(config.bind);
            let state = start(config).await?;
            serve(state).await
        }
        Command::Demo { bind } => {
            config.bind = bind.unwrap_or(config.bind);
            // The demo is opened over plain HTTP on this machine: its session cookie cannot be Secure there.
            if std::env::var_os("EENPLAN_WEB_SECURE_COOKIE").is_none() && eenplan::config::is_loopback(&config.bind) {
                config.web.secure_cookie = false;
            }
            let state = start(config).await?;
            let password = std::env::var("EENPLAN_DEMO_PASSWORD").ok().filter(|p| !p.is_empty());
            let st = state.clone();
            let seeded = web::block(move || demo::seed(&st, password.as_deref()))
                .await
                .map_err(|e| e.to_string())?
                .map_err(|e| format!("seeding demo data failed: {e}"))?;
            match seeded {
                None => tracing::info!("the database already holds users: demo data not seeded again"),
                Some(accounts) => {
                    let path = demo::write_accounts(&state, &accounts).map_err(|e| e.to_string())?;
                    println!("Demo accounts (also in {}):", path.display());
                    for a in &accounts {
                        match &a.totp_secret {
                            Some(s) => {
                                println!("  {:<40} {:<18} password {}  TOTP secret {s}", a.email, a.role, a.password)
                            }
                            None => println!("  {:<40} {:<18} password {}", a.email, a.role, a.password),
                        }
                    }
                    println!(
                        "Every resident in the demo is made up: their BSNs pass the elfproef but come from the \
                         99999xxxx block, which eenplan keeps for synthetic persons."
                    );
                    println!();
                    println!("Open http://{} in a browser and sign in as wijkteam@demo.eenplan.nl.", state.config.bind);
                    let _ = std::io::stdout().flush();
                }
            }
            serve(state).await
        }
        Command::DemoScale { households, signals, audit_events, person_events } => {
            let state = start(config).await?;
            let started = std::time::Instant::now();
            // On an empty database the demo comes first (accounts in <data dir>/demo-accounts.json).
            let password = std::env::var("EENPLAN_DEMO_PASSWORD").ok().filter(|p| !p.is_empty());
            let st = state.clone();
            let seeded = web::block(move || demo::seed(&st, password.as_deref()))
                .await
                .map_err(|e| e.to_string())?
                .map_err(|e| format!("seeding demo data failed: {e}"))?;
            if let Some(accounts) = seeded {
                let path = demo::write_accounts(&state, &accounts).map_err(|e| e.to_string())?;
                println!("demo seeded; accounts in {}", path.display());
            }
            if let Some(events) = audit_events {
                let summary = web::block(move || eenplan::scale_audit::generate(&state, events, person_events))
                    .await
                    .map_err(|e| e.to_string())?
                    .map_err(|e| format!("generating failed: {e}"))?;
                println!(
                    "{} audit events over a year, {} naming person {} ({:.1} s)",
                    summary.events,
                    summary.person_events,
                    summary.person_id,
                    started.elapsed().as_secs_f64()
                );
                return Ok(ExitCode::SUCCESS);
            }
            if let Some(signals) = signals {
                let summary = web::block(move || eenplan::scale::generate_signals(&state, households, signals))
                    .await
                    .map_err(|e| e.to_string())?
                    .map_err(|e| format!("generating failed: {e}"))?;
                println!(
                    "{} households ({} institutional), {} persons ({} young), {} signals of {} organisations, {} matches \
                     with {} members ({:.1} s)",
                    summary.households,
                    summary.institutional,
                    summary.persons,
                    summary.young_persons,
                    summary.signals,
                    summary.organisations,
                    summary.matches,
                    summary.match_members,
                    started.elapsed().as_secs_f64()
                );
                return Ok(ExitCode::SUCCESS);
            }
            let summary = web::block(move || eenplan::scale::generate(&state, households))
                .await
                .map_err(|e| e.to_string())?
                .map_err(|e| format!("generating failed: {e}"))?;
            println!(
                "{} households with a case each, {} professionals; the demo wijkteam member is involved in {} of them ({:.1} s)",
                summary.households,
                summary.professionals,
                summary.demo_member_cases,
                started.elapsed().as_secs_f64()
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Jobs { command: JobsCommand::Run } => {
            let state = start(config).await?;
            let report = eenplan::jobs::run_all(&state).await.map_err(|e| format!("jobs failed: {e}"))?;
            println!("{report}");
            Ok(ExitCode::SUCCESS)
        }
        Command::Migrate => {
            let mut conn =
                config.database.connect().map_err(|e| format!("cannot open {}: {e}", config.database.describe()))?;
            let applied = conn.run_migrations()?;
            println!("{applied} migration(s) applied to {}", config.database.describe());
            Ok(ExitCode::SUCCESS)
        }
        Command::User { command: UserCommand::Add { email, name, role, team, organisation } } => {
            let state = start(config).await?;
            let password = read_password()?;
            let role = Role::parse(&role).ok_or_else(|| format!("unknown role '{role}'"))?;
            // A role that needs a second factor gets one at once: the operator hands its secret over.
            let totp_secret = role.requires_totp().then(eenplan::auth::model::new_totp_secret);
            let input = ServerUser { email, display_name: name, role, team, organisation, password, totp_secret };
            add_user(state, input).await
        }
        Command::Retention { command } => {
            let state = start(config).await?;
            retention(state, matches!(command, RetentionCommand::Run)).await
        }
        Command::Audit { command: AuditCommand::Verify } => {
            let mut conn =
                config.database.connect().map_err(|e| format!("cannot open {}: {e}", config.database.describe()))?;
            let report = audit::service::verify(&mut conn).map_err(|e| format!("reading the audit log failed: {e}"))?;
            match report.first_break {
                None => {
                    println!(
                        "audit log intact: {} events in {} chains ({} continuing after a retention checkpoint)",
                        report.events, report.chains, report.checkpoints
                    );
                    Ok(ExitCode::SUCCESS)
                }
                Some(b) => {
                    println!(
                        "audit log BROKEN: chain {} at event {} (row {}): {}",
                        b.chain_id, b.event_id, b.row_id, b.problem
                    );
                    Ok(ExitCode::from(1))
                }
            }
        }
    }
}

async fn start(config: Config) -> Result<web::Data<AppState>, String> {
    let secrets = Secrets::load(&config.data_dir)?;
    tracing::info!(database = %config.database.describe(), "starting");
    Ok(web::Data::new(AppState::init(config, &secrets).await?))
}

async fn serve(state: web::Data<AppState>) -> Result<ExitCode, String> {
    let bind = state.config.bind.clone();
    if !state.config.web.secure_cookie {
        tracing::warn!(
            %bind,
            "EENPLAN_WEB_SECURE_COOKIE is off: the web session cookie is sent over plain HTTP (loopback only)"
        );
    }
    eenplan::notify::service::spawn_worker(state.clone());
    eenplan::jobs::spawn_scheduler(state.clone());
    let data = state.clone();
    let server = HttpServer::new(move || eenplan::build_app(data.clone()))
        .bind(&bind)
        .map_err(|e| format!("cannot listen on {bind}: {e}"))?;
    tracing::info!(%bind, "eenplan is listening");
    server.run().await.map_err(|e| e.to_string())?;
    Ok(ExitCode::SUCCESS)
}

/// `eenplan retention plan|run`: the operator's dry run or run, audited as the privacy officer's are.
async fn retention(state: web::Data<AppState>, carry_out: bool) -> Result<ExitCode, String> {
    use eenplan::retention::service;
    let ctx = Ctx::new(state, Operator, AuditRecord::server_command());
    let plan = if carry_out {
        service::run(&ctx, None).await.map_err(|e| e.to_string())?.plan
    } else {
        service::plan_on_server(&ctx).await.map_err(|e| e.to_string())?
    };
    let verb = if carry_out { "erased" } else { "would erase" };
    for c in &plan.cases {
        println!(
            "{verb} case {} ({}, {}; closed {}, term ended {})",
            c.case_id,
            c.team,
            c.laws.join("+"),
            c.closed_on,
            c.erase_from
        );
    }
    for c in &plan.held {
        println!("kept case {} on a legal hold (term ended {})", c.case_id, c.erase_from);
    }
    println!(
        "{verb}: {} cases, {} households, {} persons; {} audit events older than {} from {} chains ({} kept on hold)",
        plan.cases.len(),
        plan.households.len(),
        plan.persons.len(),
        plan.audit_events,
        plan.audit_cutoff.date_naive(),
        plan.chains.len(),
        plan.held.len()
    );
    Ok(ExitCode::SUCCESS)
}

fn read_password() -> Result<String, String> {
    if let Ok(pw) = std::env::var("EENPLAN_PASSWORD") {
        if !pw.is_empty() {
            return Ok(pw);
        }
    }
    if std::io::stdin().is_terminal() {
        eprint!("Password for the new user: ");
    }
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line).map_err(|e| e.to_string())?;
    Ok(line.trim_end_matches(['\r', '\n']).to_string())
}

/// `eenplan user add`: the server's operator creates a user, through the same use case as the API.
async fn add_user(state: web::Data<AppState>, input: ServerUser) -> Result<ExitCode, String> {
    let (role, totp_secret) = (input.role, input.totp_secret.clone());
    let ctx = Ctx::new(state, Operator, AuditRecord::server_command());
    let user = eenplan::identity::service::create_user_on_server(&ctx, input).await.map_err(|e| match e {
        AppError::Validation(errors) => {
            errors.iter().map(|e| format!("{}: {}", e.field, e.message)).collect::<Vec<_>>().join("; ")
        }
        AppError::BadRequest(why) | AppError::Conflict(why) => why,
        other => other.to_string(),
    })?;
    println!("created user {} ({}, {})", user.id, user.email, role.as_str());
    if let Some(secret) = totp_secret {
        println!("TOTP secret (enter it in an authenticator app; shown once): {secret}");
    }
    Ok(ExitCode::SUCCESS)
}

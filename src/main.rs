use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{CommandFactory, Parser, Subcommand};
use color_eyre::eyre::{Result, WrapErr, eyre};

use custdesk::sandbox::{self, SandboxConfig, faults::Faults};

#[derive(Parser)]
#[command(
    name = "custdesk",
    version,
    about = "Terminal customer-service console"
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    /// A sandbox-shaped deployment (every family under this URL) instead of the
    /// embedded sandbox. Signs in as the demo agent unless CUSTDESK_CLIENT_ID and
    /// CUSTDESK_CLIENT_SECRET are set.
    #[arg(long, value_name = "URL")]
    backend: Option<String>,
    /// A backend profile from config.toml.
    #[arg(long, value_name = "NAME", conflicts_with = "backend")]
    profile: Option<String>,
    /// Hide and refuse every write.
    #[arg(long)]
    read_only: bool,
    /// Open on the customer with this phone number (telephony screen-pop).
    #[arg(long, value_name = "PHONE")]
    caller: Option<String>,
    /// Theme: default, light, high-contrast, 16-color, or a file in the config dir.
    #[arg(long)]
    theme: Option<String>,
    /// Do not capture the mouse (terminal text selection keeps working).
    #[arg(long)]
    no_mouse: bool,
    /// Embedded sandbox database (default: the data directory).
    #[arg(long, value_name = "PATH")]
    db: Option<PathBuf>,
    /// Customers in a new embedded sandbox database.
    #[arg(long, default_value_t = 5000)]
    seed_customers: u64,
}

#[derive(Subcommand)]
enum Command {
    /// Run the reference backend serving all five API families.
    Sandbox {
        /// Address to listen on.
        #[arg(long, default_value = "127.0.0.1:8080")]
        listen: SocketAddr,
        /// SQLite database (created if missing). Default: the data directory.
        #[arg(long)]
        db: Option<PathBuf>,
        /// Customers to generate when the database is empty.
        #[arg(long, default_value_t = 5000)]
        seed_customers: u64,
        /// Faults to inject, e.g. latency=200ms,jitter=100ms,error_rate=0.05,rate_limit=50/s
        #[arg(long)]
        faults: Option<String>,
    },
    /// Bulk edits without the console: plan a CSV file, apply, resume, status.
    Bulk(custdesk::bulk::cli::BulkArgs),
    /// Print the audit log, filtered by customer (id or reference), agent, action, time.
    Audit(custdesk::audit::cli::AuditArgs),
    /// Print the paths in use and the effective configuration (as TOML).
    Config {
        /// Print a commented default config.toml instead.
        #[arg(long, conflicts_with = "check")]
        default: bool,
        /// Check config.toml and keymap.toml: list the problems and exit 2 if any.
        #[arg(long)]
        check: bool,
    },
    /// Print a shell completion script, e.g. `custdesk completions bash > ~/.local/share/bash-completion/completions/custdesk`.
    Completions {
        /// bash, zsh, fish, elvish or powershell.
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff), e.g. `custdesk man | man -l -`.
    Man,
}

/// The man page's sections clap does not write: exit status, environment, files.
const MAN_EXTRA: &str = r#".SH "EXIT STATUS"
.TP
0
The console was quit; a subcommand succeeded.
.TP
1
Something unexpected stopped it: one line on the terminal, the full report in custdesk.log.
.TP
2
It could not start: bad usage, an unreadable or invalid config.toml, an unknown profile or theme, no terminal; \fBconfig \-\-check\fR found problems.
.PP
\fBcustdesk bulk\fR: 0 all applied, 1 some failed, 2 refused (nothing applied), 3 interrupted.
.SH ENVIRONMENT
.TP
CUSTDESK_CONFIG_DIR, CUSTDESK_DATA_DIR
Where config.toml, keymap.toml and themes/, and the database, audit log, log file and bulk jobs live.
.TP
CUSTDESK_LOG, RUST_LOG
The log filter (CUSTDESK_LOG first), e.g. custdesk=debug; default info.
.TP
CUSTDESK_CLIENT_ID, CUSTDESK_CLIENT_SECRET
The client a sandbox is signed in to as (default: agent).
.TP
NO_COLOR
No colour.
.SH FILES
\fBcustdesk config\fR prints every path in use.
"#;

fn config_cmd(default: bool, check: bool) -> Result<ExitCode> {
    if default {
        print!("{}", custdesk::config::DEFAULT_TOML);
        return Ok(ExitCode::SUCCESS);
    }
    let paths = custdesk::config::Paths::discover().map_err(|e| eyre!(e))?;
    if check {
        let problems = custdesk::config::problems(&paths);
        for p in &problems {
            eprintln!("{p}");
        }
        if problems.is_empty() {
            println!(
                "{} and {}: no problems",
                paths.config_file().display(),
                paths.keymap_file().display()
            );
            return Ok(ExitCode::SUCCESS);
        }
        return Ok(ExitCode::from(
            custdesk::tui::start::EXIT_CANNOT_START as u8,
        ));
    }
    let cfg = custdesk::config::load(&paths).map_err(|e| eyre!(e))?;
    let state = |p: &std::path::Path| if p.exists() { "" } else { " (absent)" };
    let (filter, from) = custdesk::config::log_filter();
    let jobs = custdesk::bulk::journal::jobs_dir(&paths.data_dir);
    let rows = [
        ("config dir", paths.config_dir.clone(), ""),
        (
            "config.toml",
            paths.config_file(),
            state(&paths.config_file()),
        ),
        (
            "keymap.toml",
            paths.keymap_file(),
            state(&paths.keymap_file()),
        ),
        ("themes", paths.themes_dir(), state(&paths.themes_dir())),
        ("data dir", paths.data_dir.clone(), ""),
        ("sandbox db", paths.sandbox_db(), state(&paths.sandbox_db())),
        ("audit log", paths.audit_log(), state(&paths.audit_log())),
        ("log file", paths.log_file(), state(&paths.log_file())),
        ("bulk jobs", jobs.clone(), state(&jobs)),
    ];
    for (what, path, note) in rows {
        println!("# {what:<12} {}{note}", path.display());
    }
    println!("# {:<12} {filter} ({from})", "log filter");
    println!("# the configuration in force:");
    print!("{}", custdesk::config::effective_toml(&cfg));
    Ok(ExitCode::SUCCESS)
}

/// A failure in a subcommand: its message chain on one line (the report, with where it
/// came from, only at debug level in the log).
fn failed(report: color_eyre::Report) -> ExitCode {
    tracing::debug!("{report:?}");
    eprintln!("custdesk: {report:#}");
    ExitCode::from(custdesk::tui::start::EXIT_FAILED as u8)
}

fn default_db() -> Result<PathBuf> {
    Ok(custdesk::config::Paths::discover()
        .map_err(|e| eyre!(e))?
        .sandbox_db())
}

fn main() -> ExitCode {
    // No colour in a report: it may end up in a log file.
    let _ = color_eyre::config::HookBuilder::blank().install();
    let cli = Cli::parse();
    let result = match cli.command {
        Some(Command::Sandbox {
            listen,
            db,
            seed_customers,
            faults,
        }) => sandbox_cmd(listen, db, seed_customers, faults),
        Some(Command::Bulk(args)) => {
            return ExitCode::from(custdesk::bulk::cli::main(args) as u8);
        }
        Some(Command::Audit(args)) => {
            return ExitCode::from(custdesk::audit::cli::main(args) as u8);
        }
        Some(Command::Config { default, check }) => {
            return config_cmd(default, check).unwrap_or_else(failed);
        }
        Some(Command::Completions { shell }) => {
            clap_complete::generate(
                shell,
                &mut Cli::command(),
                "custdesk",
                &mut std::io::stdout(),
            );
            Ok(())
        }
        Some(Command::Man) => {
            let mut out = std::io::stdout();
            clap_mangen::Man::new(Cli::command())
                .render(&mut out)
                .and_then(|()| std::io::Write::write_all(&mut out, MAN_EXTRA.as_bytes()))
                .map_err(Into::into)
        }
        None => {
            return ExitCode::from(custdesk::tui::start::main(custdesk::tui::start::Options {
                backend: cli.backend,
                profile: cli.profile,
                read_only: cli.read_only,
                caller: cli.caller,
                theme: cli.theme,
                no_mouse: cli.no_mouse,
                seed_customers: cli.seed_customers,
                db: cli.db,
            }) as u8);
        }
    };
    result.map_or_else(failed, |()| ExitCode::SUCCESS)
}

fn sandbox_cmd(
    listen: SocketAddr,
    db: Option<PathBuf>,
    seed_customers: u64,
    faults: Option<String>,
) -> Result<()> {
    let faults = match faults {
        Some(spec) => Faults::parse(&spec).map_err(|e| eyre!("--faults: {e}"))?,
        None => Faults::default(),
    };
    let mut config = SandboxConfig::new(match db {
        Some(p) => p,
        None => default_db()?,
    });
    config.listen = listen;
    config.seed_customers = seed_customers;
    config.faults = faults;
    sandbox::logging::init(&config.db.with_extension("log"))?;
    let rt = tokio::runtime::Runtime::new()?;
    rt.block_on(run_sandbox(config))
}

async fn run_sandbox(config: SandboxConfig) -> Result<()> {
    let db = config.db.clone();
    let started = std::time::Instant::now();
    let listen = config.listen;
    let running = sandbox::start(config)
        .await
        .wrap_err_with(|| format!("the sandbox on {listen} with database {}", db.display()))?;
    let count = running.state.store.customer_count()?;
    println!("custdesk sandbox listening on {}", running.base_url());
    println!(
        "database {} ({count} customers, ready in {:.1?})",
        db.display(),
        started.elapsed()
    );
    println!("demo clients (POST /oauth2/token, client_credentials):");
    for c in sandbox::auth::CLIENTS {
        println!(
            "  {:<12} {:<18} tenant {:<10} scopes {}",
            c.id,
            c.secret,
            c.tenant,
            c.scopes.join(" ")
        );
    }
    println!("relay key: demo-relay-key (demo-bank), rival-relay-key (rival-bank)");
    println!(
        "OpenAPI: {}/openapi.json   outbox: {}/sandbox/outbox",
        running.base_url(),
        running.base_url()
    );
    shutdown_signal().await;
    println!("shutting down");
    running.shutdown().await;
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
            .expect("SIGTERM handler");
        tokio::select! {
            _ = ctrl_c => {},
            _ = term.recv() => {},
        }
    }
    #[cfg(not(unix))]
    let _ = ctrl_c.await;
}

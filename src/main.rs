use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Parser, Subcommand};
use color_eyre::eyre::{Result, eyre};

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
}

fn default_db() -> Result<PathBuf> {
    Ok(custdesk::config::Paths::discover()
        .map_err(|e| eyre!(e))?
        .sandbox_db())
}

fn main() -> Result<()> {
    color_eyre::install()?;
    let cli = Cli::parse();
    match cli.command {
        Some(Command::Sandbox {
            listen,
            db,
            seed_customers,
            faults,
        }) => {
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
        Some(Command::Bulk(args)) => std::process::exit(custdesk::bulk::cli::main(args)),
        Some(Command::Audit(args)) => std::process::exit(custdesk::audit::cli::main(args)),
        None => custdesk::tui::start::main(custdesk::tui::start::Options {
            backend: cli.backend,
            profile: cli.profile,
            read_only: cli.read_only,
            caller: cli.caller,
            theme: cli.theme,
            no_mouse: cli.no_mouse,
            seed_customers: cli.seed_customers,
            db: cli.db,
        }),
    }
}

async fn run_sandbox(config: SandboxConfig) -> Result<()> {
    let db = config.db.clone();
    let started = std::time::Instant::now();
    let running = sandbox::start(config).await?;
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

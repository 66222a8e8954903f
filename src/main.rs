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
}

fn default_db() -> Result<PathBuf> {
    if let Ok(p) = std::env::var("CUSTDESK_DATA_DIR") {
        return Ok(PathBuf::from(p).join("sandbox.db"));
    }
    let dirs = directories::ProjectDirs::from("", "", "custdesk")
        .ok_or_else(|| eyre!("no home directory: pass --db PATH"))?;
    Ok(dirs.data_dir().join("sandbox.db"))
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
            tracing_subscriber::fmt()
                .with_env_filter(
                    tracing_subscriber::EnvFilter::try_from_default_env()
                        .unwrap_or_else(|_| "info".into()),
                )
                .with_writer(std::io::stderr)
                .init();
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
            let rt = tokio::runtime::Runtime::new()?;
            rt.block_on(run_sandbox(config))
        }
        None => Err(eyre!(
            "the console is not built yet; run `custdesk sandbox`"
        )),
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

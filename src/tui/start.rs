//! `custdesk` with no subcommand: check the terminal, read config, start the embedded
//! sandbox unless a backend is given, sign in, and run the console.

use std::io::IsTerminal;
use std::path::PathBuf;

use color_eyre::eyre::{Result, eyre};
use tokio::sync::mpsc;

use super::app::App;
use super::app::Overlay;
use super::edit::bulk::{BulkDialog, Unfinished};
use super::keymap::Keymap;
use super::msg::{Msg, Outcome};
use super::run::{self, Console};
use super::tasks::Runner;
use super::theme::Theme;
use crate::api::{ApiConfig, Client};
use crate::audit::AuditLog;
use crate::config::{self, Paths};
use crate::sandbox::{self, SandboxConfig};

#[derive(Debug, Clone, Default)]
pub struct Options {
    pub backend: Option<String>,
    pub profile: Option<String>,
    pub read_only: bool,
    pub caller: Option<String>,
    pub theme: Option<String>,
    pub no_mouse: bool,
    /// Customers to seed a new embedded sandbox database with.
    pub seed_customers: u64,
    pub db: Option<PathBuf>,
}

/// The console could not start: usage, `config.toml`, the theme or the
/// profile is wrong, or there is no terminal. Said in a line or two, never a report.
pub const EXIT_CANNOT_START: i32 = 2;
/// Something unexpected stopped the console: one line on the terminal, the whole report
/// (with where it came from) in the log file.
pub const EXIT_FAILED: i32 = 1;

/// The backend a chosen `--profile` names, ready to sign in to.
pub struct Profile {
    pub name: String,
    pub api: ApiConfig,
    pub read_only: bool,
}

/// What the console needs before it takes over the terminal.
pub struct Ready {
    pub paths: Paths,
    pub keymap: Keymap,
    /// Bad lines of `keymap.toml`, shown at start (their keys keep the defaults).
    pub keymap_problems: Vec<String>,
    pub theme: Theme,
    pub cfg: config::ConsoleConfig,
    pub profile: Option<Profile>,
    /// What the terminal answered the start-up questions (background, graphics).
    pub terminal: super::term::Answers,
}

/// Problems that stop the console before it draws: reported in words (a line and, where
/// it helps, a hint), exit code 2. The configuration comes first, so a wrong profile is
/// named even where no terminal is.
pub fn preflight(opts: &Options) -> Result<Ready, String> {
    let paths = Paths::discover()?;
    let cfg = config::load(&paths)
        .map_err(|e| format!("{e}\n  hint: `custdesk config --default` prints a valid file"))?;
    let profile = match &opts.profile {
        None => None,
        Some(name) => {
            let p = cfg.profiles.get(name).ok_or_else(|| {
                let known = cfg.profiles.keys().cloned().collect::<Vec<_>>();
                format!(
                    "no profile '{}' in {}\n  hint: {}",
                    crate::domain::sanitize::for_display(name),
                    paths.config_file().display(),
                    if known.is_empty() {
                        "it defines none; `custdesk config --default` shows how".to_string()
                    } else {
                        format!("profiles there: {}", known.join(", "))
                    }
                )
            })?;
            Some(Profile {
                name: name.clone(),
                api: p.api_config(name)?,
                read_only: p.read_only,
            })
        }
    };
    // A bad line never stops the console: it is named in the message area at start.
    let (keymap, keymap_problems) = match std::fs::read_to_string(paths.keymap_file()) {
        Ok(text) => super::keymap_load::tolerant(&text),
        Err(_) => (Keymap::default(), Vec::new()),
    };
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    let theme_name = opts
        .theme
        .clone()
        .or(cfg.theme.clone())
        .unwrap_or_else(|| "default".into());
    let theme = Theme::load(&theme_name, Some(&paths.config_dir), no_color)?;
    if !std::io::stdout().is_terminal() || !std::io::stdin().is_terminal() {
        return Err("custdesk needs an interactive terminal; for scripts use `custdesk sandbox`, `custdesk audit` or `custdesk bulk`".into());
    }
    // Every question for the terminal at once, one wait of at most 200 ms: its
    // background (the `default` theme uses the terminal's colours: on a light background
    // its warnings and errors take darker shades; no answer counts as dark) and what it
    // draws images with. Asked before the terminal is taken over and its input read.
    let asks_background = theme_name == "default" && !no_color;
    let image = cfg.image.unwrap_or(true);
    let terminal = super::term::ask_at_start(
        asks_background,
        super::graphics::asks(image),
        super::graphics::QUERY_TIMEOUT,
    );
    let theme = if asks_background && super::term::light_background(&terminal.got) {
        Theme::default_light(no_color)
    } else {
        theme
    };
    Ok(Ready {
        paths,
        keymap,
        keymap_problems,
        theme,
        cfg,
        profile,
        terminal,
    })
}

/// Log to `custdesk.log` in the data directory, never the screen, without colour codes;
/// the filter is `CUSTDESK_LOG`, else `RUST_LOG`, else `info`. A panic's message and
/// location go there too (the location is kept in a stripped binary).
fn init_logging(paths: &Paths) {
    // Owner-only and rotated by size, like the sandbox's own log.
    use crate::sandbox::logging::{KEEP_LOGS, MAX_LOG_BYTES, RotatingFile};
    if let Ok(file) = RotatingFile::open(&paths.log_file(), MAX_LOG_BYTES, KEEP_LOGS) {
        let (filter, _) = config::log_filter();
        let _ = tracing_subscriber::fmt()
            .with_env_filter(
                tracing_subscriber::EnvFilter::try_new(filter).unwrap_or_else(|_| "info".into()),
            )
            .with_ansi(false)
            .with_writer(std::sync::Mutex::new(file))
            .try_init();
    }
}

/// Run the console; answers the exit code.
pub fn main(opts: Options) -> i32 {
    let ready = match preflight(&opts) {
        Ok(v) => v,
        Err(e) => {
            eprintln!("custdesk: {e}");
            return EXIT_CANNOT_START;
        }
    };
    init_logging(&ready.paths);
    let log = ready.paths.log_file();
    let result = tokio::runtime::Runtime::new()
        .map_err(color_eyre::eyre::Report::from)
        .and_then(|rt| rt.block_on(console(opts, ready)));
    match result {
        Ok(()) => 0,
        Err(report) => {
            tracing::error!("the console stopped: {report:?}");
            eprintln!("custdesk: {report:#}\n  details in {}", log.display());
            EXIT_FAILED
        }
    }
}

async fn console(opts: Options, ready: Ready) -> Result<()> {
    let Ready {
        paths,
        keymap,
        keymap_problems,
        theme,
        cfg,
        profile,
        terminal,
    } = ready;
    let mut app = App::new(keymap, theme);
    app.status.notice = super::keymap_load::notice(&paths.keymap_file(), &keymap_problems);
    app.mouse = !opts.no_mouse && cfg.mouse.unwrap_or(false);
    if let Some(columns) = cfg.customer_360_from {
        app.customer_360_from = columns;
    }
    let mut _embedded = None;
    let (api, backend_label, profile_label, read_only, job_backend) = if let Some(p) = profile {
        (
            p.api.clone(),
            p.api.bases.newday.clone(),
            p.name.clone(),
            p.read_only,
            format!("profile:{}", p.name),
        )
    } else if let Some(url) = &opts.backend {
        (
            with_env_client(ApiConfig::sandbox(url)),
            url.clone(),
            "remote sandbox".to_string(),
            false,
            url.clone(),
        )
    } else {
        let db = opts.db.clone().unwrap_or_else(|| paths.sandbox_db());
        let mut sc = SandboxConfig::new(db.clone());
        sc.seed_customers = opts.seed_customers;
        let running = sandbox::start(sc).await?;
        let url = running.base_url();
        _embedded = Some(running);
        app.banner = Some(" TRAINING SANDBOX · demo customers only · no real data ".to_string());
        (
            with_env_client(ApiConfig::sandbox(&url)),
            format!("sandbox {url}"),
            "embedded".to_string(),
            false,
            // `custdesk bulk resume` starts this sandbox again for the job.
            crate::bulk::cli::embedded_label(&db),
        )
    };
    app.read_only = opts.read_only || read_only;
    app.status.backend = backend_label;
    app.status.profile = profile_label;
    // From the answers to the start-up questions (see `preflight`).
    let graphics = super::graphics::at_start(cfg.image.unwrap_or(true), &terminal.got);
    let mut console = assemble(app, api, &paths, &job_backend, opts.caller.as_deref())?;
    console.runner.set_graphics(graphics);
    // Answers still owed to the start-up questions may come among the keys.
    let replies = if terminal.unfinished() {
        super::replies::LateReplies::armed(std::time::Instant::now() + super::replies::WINDOW)
    } else {
        super::replies::LateReplies::default()
    };
    run::run(console, replies).await
}

/// The console for a backend, ready to run on a terminal or in a test: `app` (already
/// themed and labelled) with a client for `api` signing in (the answer arrives as a
/// message), the runner of its effects keeping the audit log, bulk journals and plans
/// under `paths`, the caller's screen pop if one is given, and a bulk job a crash
/// interrupted offered for resume.
pub fn assemble(
    mut app: App,
    api: ApiConfig,
    paths: &Paths,
    job_backend: &str,
    caller: Option<&str>,
) -> Result<Console> {
    app.status.agent = api.client_id.clone();
    let client = Client::new(api).map_err(|e| eyre!("backend configuration: {e}"))?;

    let (tx, rx) = mpsc::unbounded_channel::<Msg>();
    // Sign in now so a bad secret shows at once; the answer arrives as a message.
    {
        let client = client.clone();
        let tx = tx.clone();
        tokio::spawn(async move {
            let r = client.sign_in().await;
            let outcome = match r {
                Ok(scopes) => Outcome {
                    result: Ok(scopes),
                    correlation_id: None,
                },
                Err(e) => Outcome::err(e.to_string(), Some(e.correlation_id.clone())),
            };
            let _ = tx.send(Msg::SignedIn(outcome));
        });
    }
    let mut first = Vec::new();
    if let Some(phone) = caller {
        first = app.screen_pop(phone);
    }
    let runner = Runner::new(
        client.clone(),
        tx.clone(),
        AuditLog::new(paths.audit_log()),
        app.status.agent.clone(),
    )
    .with_read_only(app.read_only)
    .with_bulk(&paths.data_dir, job_backend);
    // A bulk job a crash, a kill or a dropped session interrupted is offered for resume.
    if !app.read_only
        && let Some(job) =
            crate::bulk::jobs::unfinished(&crate::bulk::journal::jobs_dir(&paths.data_dir))
                .into_iter()
                .next()
    {
        app.overlay = Some(Overlay::Bulk(Box::new(BulkDialog::resume(
            job.plan,
            Unfinished {
                counts: job.counts,
                state: job.state.to_string(),
            },
        ))));
    }
    Ok(Console {
        app,
        runner,
        tx,
        rx,
        first,
    })
}

/// A sandbox (embedded or `--backend URL`) is signed in to as the demo agent unless
/// `CUSTDESK_CLIENT_ID` / `CUSTDESK_CLIENT_SECRET` say otherwise.
fn with_env_client(cfg: ApiConfig) -> ApiConfig {
    match (
        std::env::var("CUSTDESK_CLIENT_ID"),
        std::env::var("CUSTDESK_CLIENT_SECRET"),
    ) {
        (Ok(id), Ok(secret)) => cfg.with_client(&id, &secret),
        _ => cfg,
    }
}

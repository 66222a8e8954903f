//! Console configuration: where files live, `config.toml` with backend profiles, and the
//! keymap. Every problem is reported in words with the file it came from.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::api::{ApiConfig, Credentials, FamilyBases, Secret};

/// The platform's config and data directories, overridable by `CUSTDESK_CONFIG_DIR`
/// and `CUSTDESK_DATA_DIR`.
#[derive(Debug, Clone)]
pub struct Paths {
    pub config_dir: PathBuf,
    pub data_dir: PathBuf,
}

impl Paths {
    pub fn discover() -> Result<Paths, String> {
        let dirs = directories::ProjectDirs::from("", "", "custdesk");
        let pick =
            |var: &str, f: fn(&directories::ProjectDirs) -> &Path| -> Result<PathBuf, String> {
                if let Some(v) = std::env::var_os(var).filter(|v| !v.is_empty()) {
                    return Ok(PathBuf::from(v));
                }
                dirs.as_ref()
                    .map(|d| f(d).to_path_buf())
                    .ok_or_else(|| format!("no home directory: set {var}"))
            };
        Ok(Paths {
            config_dir: pick("CUSTDESK_CONFIG_DIR", |d| d.config_dir())?,
            data_dir: pick("CUSTDESK_DATA_DIR", |d| d.data_dir())?,
        })
    }
    pub fn sandbox_db(&self) -> PathBuf {
        self.data_dir.join("sandbox.db")
    }
    pub fn audit_log(&self) -> PathBuf {
        self.data_dir.join("audit.log")
    }
    pub fn log_file(&self) -> PathBuf {
        self.data_dir.join("custdesk.log")
    }
    pub fn config_file(&self) -> PathBuf {
        self.config_dir.join("config.toml")
    }
    pub fn keymap_file(&self) -> PathBuf {
        self.config_dir.join("keymap.toml")
    }
    pub fn themes_dir(&self) -> PathBuf {
        self.config_dir.join("themes")
    }
}

#[derive(Debug, Clone, Deserialize, Serialize, Default)]
#[serde(deny_unknown_fields)]
pub struct ConsoleConfig {
    /// Theme name: built in (default, light, high-contrast, 16-color) or a file in
    /// `<config>/themes/`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub theme: Option<String>,
    /// Capture the mouse (scroll wheel); off (the default) lets terminal text selection work.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mouse: Option<bool>,
    /// Columns from which an opened customer shows particulars, contact methods and
    /// alerts at once (the customer 360); narrower, one pane at a time. Default 160;
    /// at least 140.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer_360_from: Option<u16>,
    /// Draw the customer's profile image (on by default): the terminal's graphics
    /// protocol where it answers for one, else half-block characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image: Option<bool>,
    /// The person at this console, named in every audit entry (default: the login user).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agent_name: Option<String>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub profiles: BTreeMap<String, BackendProfile>,
}

/// One bank's deployment. Either `base_url` (sandbox-shaped: every family under one
/// URL) or a URL per family.
#[derive(Debug, Clone, Deserialize, Serialize, Default)]
#[serde(deny_unknown_fields)]
pub struct BackendProfile {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub base_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub citi: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub newday: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub candescent: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub relay: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub banking: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub token_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    /// Environment variable holding the OAuth client secret.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_secret_env: Option<String>,
    /// Environment variable holding a static bearer token (instead of client credentials).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub token_env: Option<String>,
    /// Environment variable holding the Relay API key.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub relay_key_env: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tenant: Option<String>,
    #[serde(default)]
    pub read_only: bool,
}

impl BackendProfile {
    pub fn api_config(&self, name: &str) -> Result<ApiConfig, String> {
        let from_base = self.base_url.as_deref().map(FamilyBases::sandbox);
        let need = |field: &str,
                    v: &Option<String>,
                    fallback: Option<&String>|
         -> Result<String, String> {
            v.clone()
                .or_else(|| fallback.cloned())
                .ok_or_else(|| format!("profile '{name}': set base_url or {field}"))
        };
        let bases = FamilyBases {
            citi: need("citi", &self.citi, from_base.as_ref().map(|b| &b.citi))?,
            newday: need(
                "newday",
                &self.newday,
                from_base.as_ref().map(|b| &b.newday),
            )?,
            candescent: need(
                "candescent",
                &self.candescent,
                from_base.as_ref().map(|b| &b.candescent),
            )?,
            relay: need("relay", &self.relay, from_base.as_ref().map(|b| &b.relay))?,
            banking: need(
                "banking",
                &self.banking,
                from_base.as_ref().map(|b| &b.banking),
            )?,
            token_url: need(
                "token_url",
                &self.token_url,
                from_base.as_ref().map(|b| &b.token_url),
            )?,
        };
        let env = |var: &str| {
            std::env::var(var)
                .map_err(|_| format!("profile '{name}': environment variable {var} is not set"))
        };
        let credentials = match (&self.token_env, &self.client_secret_env) {
            (Some(var), _) => {
                env(var)?;
                Credentials::StaticTokenEnv {
                    env_var: var.clone(),
                }
            }
            (None, Some(var)) => Credentials::ClientSecret {
                secret: Secret::new(env(var)?),
                scope: None,
            },
            (None, None) => {
                return Err(format!(
                    "profile '{name}': set client_secret_env or token_env"
                ));
            }
        };
        let relay_key = match &self.relay_key_env {
            Some(var) => Some(Secret::new(env(var)?)),
            None => None,
        };
        let mut cfg = ApiConfig::sandbox("http://127.0.0.1");
        cfg.bases = bases;
        cfg.client_id = self
            .client_id
            .clone()
            .ok_or_else(|| format!("profile '{name}': set client_id"))?;
        cfg.credentials = credentials;
        cfg.relay_key = relay_key;
        cfg.tenant = self
            .tenant
            .clone()
            .ok_or_else(|| format!("profile '{name}': set tenant"))?;
        Ok(cfg)
    }
}

/// Read `config.toml` (absent is fine).
pub fn load(paths: &Paths) -> Result<ConsoleConfig, String> {
    let file = paths.config_file();
    match std::fs::read_to_string(&file) {
        Ok(text) => toml::from_str(&text)
            .map_err(|e| format!("{}: {}", file.display(), one_line(&e, &text))),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(ConsoleConfig::default()),
        Err(e) => Err(format!("{}: {e}", file.display())),
    }
}

/// A TOML error as one line: where, then what (toml's own display draws the line with a
/// caret under it, several lines long).
pub fn one_line(e: &toml::de::Error, text: &str) -> String {
    let what = e.message().trim().replace('\n', "; ");
    match toml_at(e, text) {
        Some((line, column)) => format!("line {line}, column {column}: {what}"),
        None => what,
    }
}

/// Where in `text` a TOML error is: its line and column, both 1-based.
pub fn toml_at(e: &toml::de::Error, text: &str) -> Option<(usize, usize)> {
    let span = e.span()?;
    let before = text.get(..span.start).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().unwrap_or("").chars().count() + 1;
    Some((line, column))
}

/// The log filter in force: `CUSTDESK_LOG`, else `RUST_LOG`, else `info`; with the
/// variable it came from.
pub fn log_filter() -> (String, &'static str) {
    for var in ["CUSTDESK_LOG", "RUST_LOG"] {
        if let Some(v) = std::env::var(var).ok().filter(|v| !v.trim().is_empty()) {
            return (v, var);
        }
    }
    ("info".into(), "default")
}

/// What `custdesk config --default` prints: every setting at its default, explained.
pub const DEFAULT_TOML: &str = r#"# custdesk configuration: config.toml in the config directory (`custdesk config`
# prints where that is; CUSTDESK_CONFIG_DIR moves it). Every setting is optional:
# the values below are the defaults.

# Colours: default (the terminal's own), light, high-contrast, 16-color, or NAME for
# themes/NAME.toml beside this file. NO_COLOR in the environment turns colour off.
theme = "default"

# Capture the mouse for the scroll wheel. Off by default so the terminal's own text
# selection works (a click selects nothing in the console); `m` in the console
# switches it for the session.
mouse = false

# From this many columns an opened customer shows as a 360: particulars, contact
# methods with consent and alerts side by side, the results list compact beside them.
# Narrower terminals show one pane at a time (tab moves between them). At least 140.
customer_360_from = 160

# Draw the customer's profile image beside the particulars, where the pane has room:
# with the terminal's graphics (kitty, sixel or iTerm2) when it answers for them at
# start, else with half-block characters (not with NO_COLOR set). false: no image is
# read or drawn.
image = true

# The person at this console, named in every audit entry (default: the login user).
# agent_name = "A. Agent"

# Backend profiles, chosen with `custdesk --profile NAME`. Secrets never go in this
# file: each *_env setting names the environment variable that holds one.
#
# [profiles.bank-x]
# base_url = "https://api.bank-x.example"  # every family under one URL, or one each:
# # citi = "...", newday = "...", candescent = "...", relay = "...", banking = "...",
# # token_url = "..."
# client_id = "agent"
# client_secret_env = "BANKX_SECRET"       # OAuth client credentials, or instead
# # token_env = "BANKX_TOKEN"              # a bearer token kept up to date elsewhere
# relay_key_env = "BANKX_RELAY_KEY"        # Relay's API key (optional)
# tenant = "bank-x"
# read_only = false                        # true: offer and send no write

# Keys are rebound in keymap.toml beside this file, one action at a time
# ([bindings] outside dialogs; [results], [profile], [search] and each dialog's
# section for that place only; `?` lists them):
# [bindings]
# quit = "x"
"#;

/// The configuration in force: `config.toml` with every default filled in, as TOML.
pub fn effective_toml(cfg: &ConsoleConfig) -> String {
    let mut cfg = cfg.clone();
    cfg.theme.get_or_insert_with(|| "default".into());
    cfg.mouse.get_or_insert(false);
    cfg.customer_360_from
        .get_or_insert(crate::tui::view::CUSTOMER_360_FROM);
    cfg.image.get_or_insert(true);
    toml::to_string(&cfg).unwrap_or_else(|e| format!("# cannot be shown: {e}\n"))
}

/// Problems in `config.toml`: unreadable or not valid, a theme that does not load, a
/// profile that could not be used as written. Absent is fine.
pub fn config_problems(paths: &Paths) -> Vec<String> {
    let cfg = match load(paths) {
        Ok(cfg) => cfg,
        Err(e) => return vec![e],
    };
    let file = paths.config_file();
    let mut problems = Vec::new();
    if let Some(name) = &cfg.theme
        && let Err(e) = crate::tui::theme::Theme::load(name, Some(&paths.config_dir), false)
    {
        problems.push(format!("{}: theme: {e}", file.display()));
    }
    for (name, profile) in &cfg.profiles {
        if let Err(e) = profile.api_config(name) {
            problems.push(format!("{}: {e}", file.display()));
        }
    }
    problems
}

/// Problems in `keymap.toml` (unknown actions, clashing keys, unreadable), each naming
/// the file. Absent is fine.
pub fn keymap_problems(paths: &Paths) -> Vec<String> {
    let file = paths.keymap_file();
    match std::fs::read_to_string(&file) {
        Ok(text) => crate::tui::keymap_load::problems(&text)
            .into_iter()
            .map(|p| format!("{}: {p}", file.display()))
            .collect(),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Vec::new(),
        Err(e) => vec![format!("{}: {e}", file.display())],
    }
}

/// Every problem `custdesk config --check` reports: `config.toml`'s, then `keymap.toml`'s.
pub fn problems(paths: &Paths) -> Vec<String> {
    let mut all = config_problems(paths);
    all.extend(keymap_problems(paths));
    all
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn profiles_report_what_is_missing() {
        let c: ConsoleConfig =
            toml::from_str("[profiles.bank]\nbase_url = \"https://x.example\"\n").unwrap();
        let e = c.profiles["bank"].api_config("bank").unwrap_err();
        assert!(e.contains("client_secret_env or token_env"), "{e}");
        assert!(
            toml::from_str::<ConsoleConfig>("colour = 1")
                .unwrap_err()
                .to_string()
                .contains("colour")
        );
    }

    #[test]
    fn the_default_file_is_the_defaults() {
        let c: ConsoleConfig = toml::from_str(DEFAULT_TOML).unwrap();
        assert_eq!(c.theme.as_deref(), Some("default"));
        assert_eq!(c.mouse, Some(false));
        assert_eq!(c.customer_360_from, Some(160));
        assert!(c.profiles.is_empty());
        let shown: ConsoleConfig =
            toml::from_str(&effective_toml(&ConsoleConfig::default())).unwrap();
        assert_eq!(shown.theme.as_deref(), Some("default"));
        assert_eq!(shown.mouse, Some(false));
    }
}

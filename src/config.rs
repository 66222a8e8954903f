//! Console configuration: where files live, `config.toml` with backend profiles, and the
//! keymap. Every problem is reported in words with the file it came from.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

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
}

#[derive(Debug, Clone, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct ConsoleConfig {
    /// Theme name: built in (default, light, high-contrast, 16-color) or a file in
    /// `<config>/themes/`.
    #[serde(default)]
    pub theme: Option<String>,
    /// Capture the mouse (scroll wheel); off lets terminal text selection work.
    #[serde(default)]
    pub mouse: Option<bool>,
    /// The person at this console, named in every audit entry (default: the login user).
    #[serde(default)]
    pub agent_name: Option<String>,
    #[serde(default)]
    pub profiles: BTreeMap<String, BackendProfile>,
}

/// One bank's deployment. Either `base_url` (sandbox-shaped: every family under one
/// URL) or a URL per family.
#[derive(Debug, Clone, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct BackendProfile {
    pub base_url: Option<String>,
    pub citi: Option<String>,
    pub newday: Option<String>,
    pub candescent: Option<String>,
    pub relay: Option<String>,
    pub banking: Option<String>,
    pub token_url: Option<String>,
    pub client_id: Option<String>,
    /// Environment variable holding the OAuth client secret.
    pub client_secret_env: Option<String>,
    /// Environment variable holding a static bearer token (instead of client credentials).
    pub token_env: Option<String>,
    /// Environment variable holding the Relay API key.
    pub relay_key_env: Option<String>,
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
        Ok(text) => toml::from_str(&text).map_err(|e| format!("{}: {e}", file.display())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(ConsoleConfig::default()),
        Err(e) => Err(format!("{}: {e}", file.display())),
    }
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
}

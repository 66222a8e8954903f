//! What a new user tries first, run on the real binary: shell completions, the man page,
//! `custdesk config`, and the plain one- or two-line answers to expected mistakes.

use std::process::{Command, Output};

use tempfile::TempDir;

/// The binary with its config and data directories in a fresh temporary directory.
struct Home {
    dir: TempDir,
}

impl Home {
    fn new() -> Home {
        Home {
            dir: tempfile::tempdir().unwrap(),
        }
    }
    fn config_dir(&self) -> std::path::PathBuf {
        self.dir.path().join("config")
    }
    fn data_dir(&self) -> std::path::PathBuf {
        self.dir.path().join("data")
    }
    fn write_config(&self, name: &str, text: &str) {
        std::fs::create_dir_all(self.config_dir()).unwrap();
        std::fs::write(self.config_dir().join(name), text).unwrap();
    }
    fn run(&self, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_custdesk"))
            .args(args)
            .env("CUSTDESK_CONFIG_DIR", self.config_dir())
            .env("CUSTDESK_DATA_DIR", self.data_dir())
            .env_remove("CUSTDESK_LOG")
            .env_remove("RUST_LOG")
            .env_remove("RUST_BACKTRACE")
            .env_remove("RUST_LIB_BACKTRACE")
            .stdin(std::process::Stdio::null())
            .output()
            .unwrap()
    }
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// An expected failure: the exit code, at most two lines, no source location, no colour.
fn plain_failure(o: &Output, code: i32) -> String {
    let err = stderr(o);
    assert_eq!(o.status.code(), Some(code), "exit code; stderr: {err}");
    assert!(
        (1..=2).contains(&err.trim().lines().count()),
        "one or two lines: {err}"
    );
    assert!(!err.contains("src/"), "no source location: {err}");
    assert!(!err.contains("Location"), "no report: {err}");
    assert!(!err.contains('\x1b'), "no colour codes: {err:?}");
    err
}

#[test]
fn completions_name_the_subcommands_for_each_shell() {
    let home = Home::new();
    for shell in ["bash", "zsh", "fish"] {
        let o = home.run(&["completions", shell]);
        assert!(o.status.success(), "{shell}: {}", stderr(&o));
        let script = stdout(&o);
        for sub in ["sandbox", "bulk", "audit", "config", "completions"] {
            assert!(script.contains(sub), "{shell} completion names {sub}");
        }
        let flag = if shell == "fish" {
            "-l profile"
        } else {
            "--profile"
        };
        assert!(script.contains(flag), "{shell} completion names --profile");
    }
    let o = home.run(&["completions", "tcsh"]);
    assert_eq!(
        o.status.code(),
        Some(2),
        "an unknown shell is a usage error"
    );
}

#[test]
fn man_page_is_roff_with_the_subcommands_and_exit_codes() {
    let o = Home::new().run(&["man"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let page = stdout(&o);
    assert!(
        page.starts_with(".ie") || page.starts_with(".TH"),
        "roff: {page}"
    );
    assert!(page.contains(".TH custdesk"), "{page}");
    for s in [
        "sandbox",
        "bulk",
        "audit",
        r"\-\-profile",
        "EXIT STATUS",
        "RUST_LOG",
    ] {
        assert!(page.contains(s), "the man page names {s}");
    }
}

#[test]
fn config_prints_the_paths_and_the_effective_configuration() {
    let home = Home::new();
    home.write_config(
        "config.toml",
        "mouse = false\n[profiles.bank-x]\nbase_url = \"http://127.0.0.1:1\"\nclient_id = \"agent\"\ntoken_env = \"BANKX_TOKEN\"\ntenant = \"bank-x\"\n",
    );
    let o = home.run(&["config"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = stdout(&o);
    let config_file = home.config_dir().join("config.toml");
    assert!(text.contains(&config_file.display().to_string()), "{text}");
    assert!(
        text.contains(&home.data_dir().join("custdesk.log").display().to_string()),
        "{text}"
    );
    assert!(text.contains("log filter   info (default)"), "{text}");
    // The output is itself a config file: what is set, with the defaults filled in.
    let shown: custdesk::config::ConsoleConfig = toml::from_str(&text).unwrap();
    assert_eq!(shown.mouse, Some(false));
    assert_eq!(shown.theme.as_deref(), Some("default"));
    assert_eq!(
        shown.profiles["bank-x"].token_env.as_deref(),
        Some("BANKX_TOKEN")
    );
}

#[test]
fn config_default_parses_back_and_is_commented() {
    let home = Home::new();
    let o = home.run(&["config", "--default"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = stdout(&o);
    assert!(
        text.lines().filter(|l| l.starts_with('#')).count() > 10,
        "{text}"
    );
    // Written out as config.toml, it is accepted as it stands.
    home.write_config("config.toml", &text);
    let o = home.run(&["config", "--check"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("no problems"));
    let shown: custdesk::config::ConsoleConfig =
        toml::from_str(&stdout(&home.run(&["config"]))).unwrap();
    assert_eq!(shown.mouse, Some(false));
}

#[test]
fn config_check_lists_problems_and_fails() {
    let home = Home::new();
    home.write_config("config.toml", "colour = 1\n");
    home.write_config("keymap.toml", "[bindings]\nno_such_action = \"x\"\n");
    let o = home.run(&["config", "--check"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(
        err.contains("config.toml") && err.contains("colour"),
        "{err}"
    );
    assert!(
        err.contains("keymap.toml") && err.contains("no_such_action"),
        "{err}"
    );
    let problems = custdesk::config::problems(&custdesk::config::Paths {
        config_dir: home.config_dir(),
        data_dir: home.data_dir(),
    });
    assert_eq!(problems.len(), 2, "{problems:?}");
}

#[test]
fn an_unknown_profile_is_two_plain_lines() {
    let home = Home::new();
    home.write_config(
        "config.toml",
        "[profiles.bank-x]\nbase_url = \"http://127.0.0.1:1\"\nclient_id = \"agent\"\ntoken_env = \"PATH\"\ntenant = \"bank-x\"\n",
    );
    let err = plain_failure(&home.run(&["--profile", "no-such-profile"]), 2);
    assert!(err.contains("no profile 'no-such-profile'"), "{err}");
    assert!(
        err.contains("bank-x"),
        "the hint names the profiles there: {err}"
    );
    // With no config file at all, the hint says how to write one.
    let err = plain_failure(&Home::new().run(&["--profile", "no-such-profile"]), 2);
    assert!(err.contains("config --default"), "{err}");
}

#[test]
fn an_unreadable_config_is_plain_lines() {
    let home = Home::new();
    home.write_config("config.toml", "theme = \n");
    let err = plain_failure(&home.run(&[]), 2);
    assert!(err.contains("config.toml"), "{err}");
}

#[test]
fn an_unknown_job_is_two_plain_lines() {
    let home = Home::new();
    let err = plain_failure(&home.run(&["bulk", "status", "no-such-job"]), 2);
    assert!(err.contains("no job 'no-such-job'"), "{err}");
    assert!(!err.contains("os error"), "{err}");
}

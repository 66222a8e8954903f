//! All integration tests in one binary: one link instead of one per file, which keeps
//! the build small on disk and quick. Run one group with `cargo test --test it bulk_kill`.

mod api_support;
mod bulk_support;
mod common;
mod edit_fixture;
mod loop_support;
mod pty;
mod tui_fixture;

mod api_citi;
mod api_endpoints;
mod api_families;
mod api_resilience;
mod api_static_token;
mod audit_cli;
mod bulk_apply;
mod bulk_cli;
mod bulk_console;
mod bulk_faults;
mod bulk_kill;
mod bulk_resume;
mod console_edges;
mod console_search;
mod e2e_console;
mod e2e_edits;
mod edit_runner;
mod install;
mod rules_agree;
mod sandbox_banking;
mod sandbox_candescent;
mod sandbox_citi;
mod sandbox_hardening;
mod sandbox_newday;
mod sandbox_oauth;
mod sandbox_platform;
mod sandbox_relay;
mod sandbox_search;
mod tui_bulk;
mod tui_edit_snapshots;
mod tui_edits;
mod tui_keymap_contexts;
mod tui_loop;
mod tui_partial_reload;
mod tui_snapshots;
mod tui_typing;
mod tui_update;

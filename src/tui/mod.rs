//! The console: the only module that knows ratatui and crossterm.

pub mod app;
pub mod dialogs;
pub mod effect;
pub mod keymap;
pub mod msg;
pub mod panes;
pub mod theme;
pub mod view;

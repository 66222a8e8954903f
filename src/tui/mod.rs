//! The console: the only module that knows ratatui and crossterm.

pub mod actions;
pub mod app;
pub mod dialog;
pub mod dialogs;
pub mod edit;
pub mod effect;
pub mod graphics;
pub mod keymap;
pub mod keymap_load;
pub mod messages;
pub mod msg;
pub mod panes;
pub mod replies;
pub mod run;
pub mod scroll;
pub mod start;
pub mod state;
pub mod tasks;
pub mod term;
pub mod theme;
pub mod training;
pub mod typing;
pub mod view;

//! Kindred: an open, self-hostable mentoring platform. This crate is the `kindred` server: HTTP API,
//! store seam (PostgreSQL or embedded SQLite), mail, and the embedded web client. `main.rs` only
//! parses configuration and calls [`app::Application`].

pub mod api;
pub mod app;
pub mod bus;
pub mod cli;
pub mod clock;
pub mod config;
pub mod domain;
pub mod gateway;
pub mod live;
pub mod mail;
pub mod state;
pub mod store;
pub mod vocab;
pub mod web;
pub mod wire;

pub use app::Application;
pub use config::Config;

//! Matching's shell: the questionnaire's answers and their rules, loading a program into the pure
//! core (`kindred-matching`: scoring, the exact solver, explanations), the views shown over HTTP
//! and the WebSocket, and the worker that turns decisions into channels and notifications.

pub mod answers;
pub mod engine;
pub mod rounds;
pub mod setup;
pub mod views;
pub mod worker;

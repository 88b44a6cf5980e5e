//! Responses more than one handler gives: calendar files.

use axum::http::header;
use axum::response::IntoResponse;

/// An iCalendar document as a download.
pub fn ics_response(body: String, filename: &str) -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/calendar; charset=utf-8".to_owned()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{filename}\"")),
        ],
        body,
    )
}

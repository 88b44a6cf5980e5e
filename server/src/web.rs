//! The web client, built by Vite into `web-client/dist` and carried inside the binary in release
//! builds (debug builds read the folder at run time, so a rebuilt client needs no server rebuild).
//! Any path that is not a file is a client-side route and gets `index.html`.

use axum::body::Body;
use axum::http::{StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use rust_embed::Embed;

#[derive(Embed)]
#[folder = "../web-client/dist"]
#[allow_missing = true]
struct Assets;

pub async fn serve(uri: Uri) -> Response {
    let path = uri.path().trim_start_matches('/');
    if let Some(file) = (!path.is_empty()).then(|| Assets::get(path)).flatten() {
        let mime = file.metadata.mimetype().to_owned();
        // Vite puts a content hash in every file name under assets/, so they never change.
        let cache = if path.starts_with("assets/") { "public, max-age=31536000, immutable" } else { "no-cache" };
        return ([(header::CONTENT_TYPE, mime.as_str()), (header::CACHE_CONTROL, cache)], Body::from(file.data))
            .into_response();
    }
    match Assets::get("index.html") {
        Some(index) => ([(header::CONTENT_TYPE, "text/html; charset=utf-8"), (header::CACHE_CONTROL, "no-cache")], Body::from(index.data))
            .into_response(),
        None => (
            StatusCode::SERVICE_UNAVAILABLE,
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            "The web client has not been built. Run `npm ci && npm run build` in web-client/ (the README's start command does it).\n",
        )
            .into_response(),
    }
}

//! The HTTP side: the router and the handlers. Handlers only translate: they
//! read the request, check access ([`access`]), call the hub or a service, and
//! turn the answer (or the error, [`error`]) into a response.

pub mod access;
pub mod accounts;
pub mod admin;
pub mod archive;
pub mod assets;
pub mod error;
pub mod first_paint;
pub mod follow;
pub mod ledger;
pub mod matters;
pub mod meetings;
pub mod minutes;
pub mod per_address;
pub mod phone;
pub mod relay;
pub mod relay_client;
pub mod resident;
pub mod state;
pub mod sync;
pub mod views;
pub mod voice;

use crate::config::TRANSFER_DEADLINE_FACTOR;
pub use access::Acting;
use axum::extract::{DefaultBodyLimit, MatchedPath, Request};
use axum::http::{header, HeaderValue, StatusCode};
use axum::routing::{get, post};
use axum::Router;
use babahui_shared::limits::HTTP_BODY_MAX_BYTES;
use babahui_shared::ErrorCode;
pub use error::{ApiError, ApiJson};
pub use per_address::PerAddress;
pub use state::AppState;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

/// The whole application.
pub fn router(state: AppState) -> Router {
    // Every request must be whole and answered within a deadline: a body
    // trickled at a byte a second, or an endless chunked one, is cut off with
    // 408 rather than holding a connection and its memory. Whole-server and
    // archive transfers get longer (they are big, and organiser-only).
    let deadline = state.config.limits.request_timeout;
    let timeout = |d| TimeoutLayer::with_status_code(StatusCode::REQUEST_TIMEOUT, d);
    let transfers = Router::new()
        .route("/api/meetings/{id}/archive.json", get(archive::export))
        .route(
            "/api/meetings/import",
            post(archive::import).layer(DefaultBodyLimit::max(crate::service::archive::ARCHIVE_MAX_BYTES)),
        )
        .route("/api/backup.json", get(archive::backup))
        .route(
            "/api/sync/meetings",
            post(sync::meeting).layer(DefaultBodyLimit::max(crate::service::archive::ARCHIVE_MAX_BYTES)),
        )
        .route(
            "/api/sync/ledger",
            post(sync::ledger_in)
                .get(sync::ledger_out)
                .layer(DefaultBodyLimit::max(crate::service::archive::ARCHIVE_MAX_BYTES)),
        )
        .route("/api/sync/photos/missing", post(sync::missing_photos))
        .route(
            "/api/sync/photos/{id}",
            post(sync::photo).layer(DefaultBodyLimit::max(babahui_shared::limits::PHOTO_UPLOAD_MAX_BYTES)),
        )
        .route("/api/sync/run", post(sync::run))
        // A minute of voice over a crowded hotspot takes longer than a form.
        .route(
            "/api/meetings/{id}/voice",
            post(voice::upload).layer(DefaultBodyLimit::max(
                babahui_shared::limits::VOICE_UPLOAD_MAX_BYTES + 1,
            )),
        )
        .route(
            "/m/{id}/voice",
            post(phone::voice).layer(DefaultBodyLimit::max(
                babahui_shared::limits::VOICE_UPLOAD_MAX_BYTES + 64 * 1024,
            )),
        )
        .layer(timeout(deadline * TRANSFER_DEADLINE_FACTOR));
    Router::new()
        .route("/healthz", get(|| async { "ok" }))
        .route("/api/meetings", post(meetings::create).get(meetings::list))
        .route("/api/meetings/{id}/screens", post(meetings::issue_screens))
        .route(
            "/api/meetings/{id}",
            get(meetings::public_state).delete(archive::delete),
        )
        .route("/api/meetings/{id}/qr.svg", get(meetings::qr_svg))
        .route("/api/meetings/{id}/links", get(meetings::links))
        .route("/api/meetings/{id}/minutes.json", get(minutes::json))
        .route("/api/meetings/{id}/minutes.md", get(minutes::markdown))
        .route("/api/meetings/{id}/minutes.html", get(minutes::html))
        .route("/api/meetings/{id}/objections", post(minutes::object))
        .route("/api/meetings/{id}/ledger", post(ledger::import))
        .route("/api/ledger", get(ledger::list).post(ledger::create))
        .route("/api/ledger.xlsx", get(ledger::xlsx))
        .route("/api/ledger.csv", get(ledger::csv))
        .route("/api/ledger/{entry}", get(ledger::get_one))
        .route("/api/ledger/{entry}/updates", post(ledger::update))
        .route("/api/qr.svg", get(meetings::any_qr_svg))
        .route("/api/login", post(accounts::login))
        .route("/api/logout", post(accounts::logout))
        .route("/api/me", get(accounts::me))
        .route(
            "/api/communities",
            get(accounts::communities).post(accounts::add_community),
        )
        .route("/api/communities/{id}/sync-token", post(accounts::sync_token))
        .route("/api/accounts", get(accounts::accounts).post(accounts::add_account))
        .route("/api/accounts/{id}", post(accounts::change_account))
        .route("/api/audit", get(accounts::audit))
        .route("/api/sync/last", get(sync::last))
        .route("/api/meetings/{id}/join", post(meetings::join))
        .route("/api/meetings/{id}/invite", get(meetings::check_invite))
        .route("/api/meetings/{id}/ws", get(crate::ws::open))
        .route("/api/meetings/{id}/clips/{clip}", get(voice::clip))
        .route("/api/{*rest}", axum::routing::any(api_not_found))
        // Logging in and the administration page (plain forms).
        .route("/login", get(admin::login_page).post(admin::login))
        .route("/logout", post(admin::logout))
        .route("/admin", get(admin::admin_page))
        .route(
            "/admin/communities",
            get(admin::back_to_admin).post(admin::add_community),
        )
        .route(
            "/admin/communities/{id}/sync-token",
            get(admin::back_to_admin).post(admin::sync_token),
        )
        .route("/admin/accounts", get(admin::back_to_admin).post(admin::add_account))
        .route(
            "/admin/accounts/{id}/password",
            get(admin::back_to_admin).post(admin::reset_password),
        )
        .route(
            "/admin/accounts/{id}/disabled",
            get(admin::back_to_admin).post(admin::set_disabled),
        )
        .route("/admin/dashboard", get(admin::dashboard::admin))
        .route("/admin/dashboard.csv", get(admin::dashboard::csv))
        .route("/admin/dashboard.xlsx", get(admin::dashboard::xlsx))
        .route("/dashboard", get(admin::dashboard::public))
        // The join link's page and its plain forms (work without scripts).
        .route("/view/{name}", get(views::switch))
        .route("/m/{id}", get(phone::page))
        .route("/m/{id}/join", post(phone::join).get(phone::join_page_again))
        .route("/m/{id}/hand", post(phone::hand))
        .route("/m/{id}/vote", post(phone::vote))
        .route("/m/{id}/opinion", post(phone::opinion))
        .route("/m/{id}/second", post(phone::second))
        .layer(timeout(deadline))
        .merge(transfers)
        .merge(residents(deadline))
        .fallback(assets::serve)
        .layer(axum::middleware::from_fn_with_state(state.clone(), relay::to_owner))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            relay::trust_relayed,
        ))
        .layer(DefaultBodyLimit::max(HTTP_BODY_MAX_BYTES))
        .layer(SetResponseHeaderLayer::overriding(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(CONTENT_SECURITY_POLICY),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        // No address (a join link's code) leaves for another site; our own
        // pages' form posts still name their origin, which the phone's forms
        // check (under `no-referrer` a browser sends `Origin: null`).
        .layer(SetResponseHeaderLayer::overriding(
            header::REFERRER_POLICY,
            HeaderValue::from_static("same-origin"),
        ))
        .layer(TraceLayer::new_for_http().make_span_with(|req: &Request| {
            let route = req
                .extensions()
                .get::<MatchedPath>()
                .map(MatchedPath::as_str)
                .unwrap_or("(static)");
            tracing::info_span!("http", method = %req.method(), route)
        }))
        .with_state(state)
}

/// What residents use between meetings (`resident`, `matters`): the report
/// form, its notice and follow page, the public ledger and its 附议, a
/// meeting's notice, the photos, and the organiser's inbox. A submission with
/// three phone photos over a slow connection gets longer than a form.
fn residents(deadline: std::time::Duration) -> Router<AppState> {
    let timeout = |d| TimeoutLayer::with_status_code(StatusCode::REQUEST_TIMEOUT, d);
    let photos = || DefaultBodyLimit::max(matters::SUBMISSION_MAX_BYTES);
    let uploads = Router::new()
        .route(
            "/api/matters",
            post(matters::submit).get(matters::inbox).layer(photos()),
        )
        .route(
            "/report",
            post(resident::report::send).get(resident::report::form).layer(photos()),
        )
        .route("/api/photos", post(matters::upload_photo).layer(photos()))
        .layer(timeout(deadline * TRANSFER_DEADLINE_FACTOR));
    Router::new()
        .route("/api/matters/{id}", get(matters::follow))
        .route("/api/matters/{id}/decision", post(matters::decide))
        .route("/api/ledger/{entry}/second", post(matters::second))
        .route("/report/poster", get(resident::report::poster))
        .route("/report/{id}", get(resident::report::followed))
        .route("/public/ledger", get(resident::public::list))
        .route("/public/ledger/{entry}", get(resident::public::entry))
        .route("/public/ledger/{entry}/second", post(resident::public::second))
        .route("/photos/{file}", get(matters::photo))
        .route("/m/{id}/notice", get(resident::notice::page))
        .route("/m/{id}/notice/opinion", post(resident::notice::opinion))
        .route("/api/meetings/{id}/followers", get(follow::followers))
        .route("/api/meetings/{id}/outside-opinions", post(follow::outside_opinion))
        .layer(timeout(deadline))
        .merge(uploads)
}

/// Every response, every page: scripts only from this server (and WebAssembly
/// compiled from it), nothing from anywhere else, no plugins, no framing (a
/// page inside another site's frame could be clicked through), forms and
/// sockets back to this server only. A name like `<script>` typed into a
/// meeting cannot run even if some page forgot to escape it. Inline styles are
/// allowed: the printable minutes carry their own, and bars set their widths.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; \
     style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; object-src 'none'; \
     base-uri 'none'; frame-ancestors 'none'; form-action 'self'";

async fn api_not_found() -> ApiError {
    ApiError::new(ErrorCode::NotFound, "no such API endpoint")
}

//! `/login`, `/logout` and `/admin…`: logging in and the administration page
//! (communities, sync tokens, accounts, the audit log) for people in a
//! browser, as plain forms. The same services as `/api/…` (see
//! [`super::accounts`]); a refusal re-renders the page with the reason.

pub mod charts;
pub mod dashboard;
pub mod page;

use super::access::{cookie_value, principal, same_origin};
use super::accounts::{me_of, session_cookie};
use super::error::ApiError;
use super::state::AppState;
use crate::service::directory::{Principal, SESSION_COOKIE};
use crate::service::ServiceError;
use axum::body::Bytes;
use axum::extract::{ConnectInfo, FromRequestParts, Path, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::Form;
use babahui_shared::directory::{AccountChange, NewAccount, NewCommunity, Role};
use page::{AdminView, Notice};
use serde::Deserialize;
use std::net::SocketAddr;

/// Pages with accounts and secrets on them are never kept by the browser: after
/// logging out, Back shows nothing of them.
pub const NO_STORE: [(header::HeaderName, &str); 1] = [(header::CACHE_CONTROL, "no-store")];

/// The login form's fields.
#[derive(Debug, Deserialize)]
pub struct LoginFields {
    #[serde(default)]
    name: String,
    #[serde(default)]
    password: String,
}

/// `GET /login`
pub async fn login_page(State(app): State<AppState>, headers: HeaderMap) -> Result<Response, ApiError> {
    if matches!(principal(&app, &headers).await?, Some(Principal::Account(_))) {
        return Ok(Redirect::to("/admin").into_response());
    }
    Ok(Html(page::login("", None)).into_response())
}

/// `POST /login`: to the administration page with a session cookie, or the
/// form again with the reason.
pub async fn login(
    State(app): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Form(f): Form<LoginFields>,
) -> Result<Response, ApiError> {
    same_origin(&headers, &app.config.allowed_origins)?;
    let now = app.hub.clock().now_ms();
    match app.directory.login(&f.name, &f.password, peer.ip(), now).await {
        // An organiser goes on to make meetings; an administrator to the administration.
        Ok((token, account)) => Ok((
            [(header::SET_COOKIE, session_cookie(&app, &headers, Some(&token)))],
            Redirect::to(if account.role == Role::Admin { "/admin" } else { "/" }),
        )
            .into_response()),
        Err(e) => {
            let words = refusal_words(e);
            let notice = Notice::Refused(words);
            Ok((StatusCode::UNAUTHORIZED, Html(page::login(&f.name, Some(&notice)))).into_response())
        }
    }
}

/// A refusal as the page says it (in Chinese first where we know the reason).
fn refusal_words(e: ServiceError) -> String {
    let public = ApiError::from(e);
    let zh = match public.message.as_str() {
        "wrong name or password" => "账号名或密码不对。",
        m if m.starts_with("too many attempts") => "尝试次数太多，请稍后再试。",
        m if m.contains("disabled") => "这个账号已停用，请联系管理员。",
        m if m.starts_with("an organiser acts for at least one community") => "组织者至少要勾选一个社区。",
        m if m.starts_with("an account named") => "已经有同名的账号了，请换一个名字。",
        m if m.contains("already exists on this server") => "这个街道已经有同名的社区了。",
        m if m.starts_with("the password must have at least") => "密码至少要 8 个字符。",
        m if m.contains("cannot disable their own account") => "不能停用自己的账号。",
        m if m.contains("must not be empty") || m.contains("is required") => "有必填的内容没有填写。",
        _ => "",
    };
    format!("{zh} {}", public.message).trim().to_owned()
}

/// `POST /logout`
pub async fn logout(State(app): State<AppState>, headers: HeaderMap) -> Result<Response, ApiError> {
    if let Some(token) = cookie_value(&headers, SESSION_COOKIE) {
        app.directory.logout(token, app.hub.clock().now_ms()).await?;
    }
    Ok((
        [(header::SET_COOKIE, session_cookie(&app, &headers, None))],
        Redirect::to("/login"),
    )
        .into_response())
}

/// A page request of a logged-in account; anyone else is sent to the login page.
#[derive(Debug)]
pub struct Viewer(pub Principal);

impl FromRequestParts<AppState> for Viewer {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, app: &AppState) -> Result<Self, Response> {
        match principal(app, &parts.headers).await {
            Ok(Some(p @ Principal::Account(_))) => Ok(Viewer(p)),
            Ok(_) => Err(Redirect::to("/login").into_response()),
            Err(e) => Err(e.into_response()),
        }
    }
}

/// A page request of anyone who acts on this server (an account, the
/// organiser key, an `--open` server); anyone else is sent to the login page.
#[derive(Debug)]
pub struct Reader(pub Principal);

impl FromRequestParts<AppState> for Reader {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, app: &AppState) -> Result<Self, Response> {
        match principal(app, &parts.headers).await {
            Ok(Some(p)) => Ok(Reader(p)),
            Ok(None) => Err(Redirect::to("/login").into_response()),
            Err(e) => Err(e.into_response()),
        }
    }
}

/// The page for `p`, with `notice`.
async fn render(app: &AppState, p: &Principal, notice: Option<Notice>) -> Result<Response, ApiError> {
    let mut view = AdminView {
        me: Some(me_of(app, p).await?),
        ..AdminView::default()
    };
    if p.is_admin() {
        view.accounts = app.directory.accounts().await?;
        view.audit = app.directory.audit_log(100).await?;
        view.all_communities = app.directory.communities().await?;
    }
    let status = match notice {
        Some(Notice::Refused(_)) => StatusCode::BAD_REQUEST,
        _ => StatusCode::OK,
    };
    Ok((status, NO_STORE, Html(page::admin(&view, notice.as_ref()))).into_response())
}

/// The page after an action: its notice, or the refusal's.
async fn after(app: &AppState, p: &Principal, done: Result<Notice, ServiceError>) -> Result<Response, ApiError> {
    let notice = done.unwrap_or_else(|e| Notice::Refused(refusal_words(e)));
    render(app, p, Some(notice)).await
}

/// `GET` of a form's address (a reload after sending it): the page itself.
pub async fn back_to_admin() -> Redirect {
    Redirect::to("/admin")
}

/// `GET /admin`
pub async fn admin_page(State(app): State<AppState>, Viewer(p): Viewer) -> Result<Response, ApiError> {
    render(&app, &p, None).await
}

/// `POST /admin/communities`
pub async fn add_community(
    State(app): State<AppState>,
    Viewer(p): Viewer,
    Form(new): Form<NewCommunity>,
) -> Result<Response, ApiError> {
    let done = app.directory.add_community(&p, new, app.hub.clock().now_ms()).await;
    let done = done.map(|c| Notice::Done(format!("已添加社区 {}（{}）· community added", c.name, c.street)));
    after(&app, &p, done).await
}

/// `POST /admin/communities/{id}/sync-token`
pub async fn sync_token(
    State(app): State<AppState>,
    Viewer(p): Viewer,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let done = app.directory.new_sync_token(&p, &id, app.hub.clock().now_ms()).await;
    let done = done.map(|t| {
        Notice::Secret(
            format!(
                "社区 {} 的同步令牌（在笔记本上运行 babahui sync 时用）· sync token",
                t.community
            ),
            t.token,
        )
    });
    after(&app, &p, done).await
}

/// The add-account form, read by hand: its communities are one checkbox each.
fn account_fields(body: &[u8]) -> Result<NewAccount, ServiceError> {
    let mut new = NewAccount {
        name: String::new(),
        role: Role::Organiser,
        communities: Vec::new(),
        password: None,
    };
    for (k, v) in form_urlencoded::parse(body) {
        match &*k {
            "name" => new.name = v.into_owned(),
            "role" => {
                new.role = Role::parse(&v)
                    .ok_or_else(|| ServiceError::refused(babahui_shared::ErrorCode::Invalid, "unknown role"))?
            }
            "community" => new.communities.push(v.into_owned()),
            "password" if !v.is_empty() => new.password = Some(v.into_owned()),
            _ => {}
        }
    }
    Ok(new)
}

/// `POST /admin/accounts`
pub async fn add_account(State(app): State<AppState>, Viewer(p): Viewer, body: Bytes) -> Result<Response, ApiError> {
    let done = match account_fields(&body) {
        Ok(new) => app.directory.add_account(&p, new, app.hub.clock().now_ms()).await,
        Err(e) => Err(e),
    };
    let done = done.map(|made| match made.password {
        Some(pw) => Notice::Secret(
            format!("账号 {} 的密码 · password of {}", made.account.name, made.account.name),
            pw,
        ),
        None => Notice::Done(format!("已添加账号 {} · account added", made.account.name)),
    });
    after(&app, &p, done).await
}

/// `POST /admin/accounts/{id}/password`: a new password, made by the server and shown once.
pub async fn reset_password(
    State(app): State<AppState>,
    Viewer(p): Viewer,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let change = AccountChange {
        password: Some(String::new()),
        ..AccountChange::default()
    };
    let done = app
        .directory
        .change_account(&p, &id, change, app.hub.clock().now_ms())
        .await;
    let done = done.map(|made| {
        Notice::Secret(
            format!("{} 的新密码 · new password of {}", made.account.name, made.account.name),
            made.password.unwrap_or_default(),
        )
    });
    after(&app, &p, done).await
}

/// The disable form's field.
#[derive(Debug, Deserialize)]
pub struct DisabledField {
    disabled: String,
}

/// `POST /admin/accounts/{id}/disabled`
pub async fn set_disabled(
    State(app): State<AppState>,
    Viewer(p): Viewer,
    Path(id): Path<String>,
    Form(f): Form<DisabledField>,
) -> Result<Response, ApiError> {
    let disabled = f.disabled == "true";
    let change = AccountChange {
        disabled: Some(disabled),
        ..AccountChange::default()
    };
    let done = app
        .directory
        .change_account(&p, &id, change, app.hub.clock().now_ms())
        .await;
    let done = done.map(|made| {
        Notice::Done(if disabled {
            format!("已停用 {} · disabled", made.account.name)
        } else {
            format!("已启用 {} · enabled", made.account.name)
        })
    });
    after(&app, &p, done).await
}

//! `/api/login`, `/api/logout`, `/api/me`, `/api/communities…`,
//! `/api/accounts…`, `/api/audit`: logging in, and what administrators manage
//! (the work is in [`crate::service::directory`]).

use super::access::{cookie_value, principal, same_origin, Acting};
use super::error::{ApiError, ApiJson};
use super::state::AppState;
use crate::service::directory::{Principal, SESSION_COOKIE, SESSION_LIFETIME};
use axum::extract::{ConnectInfo, Path, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use babahui_shared::directory::{
    Account, AccountChange, AccountWithPassword, AuditEntry, Community, Login, Me, NewAccount, NewCommunity, Role,
    SyncToken,
};
use babahui_shared::ErrorCode;
use serde::Deserialize;
use std::net::SocketAddr;

/// The `Set-Cookie` that starts a session (`token`) or ends it (`None`):
/// HttpOnly (no script reads it), SameSite=Strict (no other site's page sends
/// it), `Secure` when people reach the server over HTTPS.
pub fn session_cookie(app: &AppState, headers: &HeaderMap, token: Option<&str>) -> HeaderValue {
    let secure = if app.config.links.for_request(headers).starts_with("https://") {
        "; Secure"
    } else {
        ""
    };
    let (value, age) = match token {
        Some(t) => (t, SESSION_LIFETIME.as_secs()),
        None => ("", 0),
    };
    HeaderValue::from_str(&format!(
        "{SESSION_COOKIE}={value}; Path=/; HttpOnly; SameSite=Strict; Max-Age={age}{secure}"
    ))
    .expect("a cookie of token characters")
}

/// Who `p` is, as `GET /api/me` answers.
pub async fn me_of(app: &AppState, p: &Principal) -> Result<Me, ApiError> {
    let all = app.directory.communities().await?;
    let (name, role) = match p {
        Principal::Account(a) => (a.name.clone(), a.role),
        other => (other.who(), Role::Admin),
    };
    Ok(Me {
        name,
        role,
        communities: all.into_iter().filter(|c| p.may_act_for(Some(&c.id))).collect(),
        accounts: app.directory.has_accounts().await?,
    })
}

/// `POST /api/login` `{name, password}`: a session cookie, and who it is.
pub async fn login(
    State(app): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    ApiJson(login): ApiJson<Login>,
) -> Result<Response, ApiError> {
    same_origin(&headers, &app.config.allowed_origins)?;
    // The person's address: `relay::trust_relayed` put it here behind a trusted proxy.
    let from = peer.ip();
    let now = app.hub.clock().now_ms();
    let (token, account) = app.directory.login(&login.name, &login.password, from, now).await?;
    let me = me_of(&app, &Principal::Account(account)).await?;
    Ok((
        [(header::SET_COOKIE, session_cookie(&app, &headers, Some(&token)))],
        Json(me),
    )
        .into_response())
}

/// `POST /api/logout`: ends the session and clears the cookie.
pub async fn logout(State(app): State<AppState>, headers: HeaderMap) -> Result<Response, ApiError> {
    if let Some(token) = cookie_value(&headers, SESSION_COOKIE) {
        app.directory.logout(token, app.hub.clock().now_ms()).await?;
    }
    Ok((
        StatusCode::NO_CONTENT,
        [(header::SET_COOKIE, session_cookie(&app, &headers, None))],
    )
        .into_response())
}

/// `GET /api/me`
pub async fn me(State(app): State<AppState>, headers: HeaderMap) -> Result<Json<Me>, ApiError> {
    match principal(&app, &headers).await? {
        Some(p) => Ok(Json(me_of(&app, &p).await?)),
        None => Err(ApiError::new(ErrorCode::Unauthenticated, "not logged in")),
    }
}

fn admins_only(p: &Principal) -> Result<(), ApiError> {
    if p.is_admin() {
        Ok(())
    } else {
        Err(ApiError::new(ErrorCode::Forbidden, "only an administrator may do this"))
    }
}

/// `GET /api/communities`: those the request acts for.
pub async fn communities(State(app): State<AppState>, Acting(p): Acting) -> Result<Json<Vec<Community>>, ApiError> {
    Ok(Json(me_of(&app, &p).await?.communities))
}

/// `POST /api/communities` (administrators)
pub async fn add_community(
    State(app): State<AppState>,
    Acting(p): Acting,
    ApiJson(new): ApiJson<NewCommunity>,
) -> Result<(StatusCode, Json<Community>), ApiError> {
    let c = app.directory.add_community(&p, new, app.hub.clock().now_ms()).await?;
    Ok((StatusCode::CREATED, Json(c)))
}

/// `POST /api/communities/{id}/sync-token`: a laptop's token for `babahui sync`.
pub async fn sync_token(
    State(app): State<AppState>,
    Acting(p): Acting,
    Path(id): Path<String>,
) -> Result<(StatusCode, Json<SyncToken>), ApiError> {
    let t = app.directory.new_sync_token(&p, &id, app.hub.clock().now_ms()).await?;
    Ok((StatusCode::CREATED, Json(t)))
}

/// `GET /api/accounts` (administrators)
pub async fn accounts(State(app): State<AppState>, Acting(p): Acting) -> Result<Json<Vec<Account>>, ApiError> {
    admins_only(&p)?;
    Ok(Json(app.directory.accounts().await?))
}

/// `POST /api/accounts` (administrators): the password, if the server made it, is in the answer once.
pub async fn add_account(
    State(app): State<AppState>,
    Acting(p): Acting,
    ApiJson(new): ApiJson<NewAccount>,
) -> Result<(StatusCode, Json<AccountWithPassword>), ApiError> {
    let made = app.directory.add_account(&p, new, app.hub.clock().now_ms()).await?;
    Ok((StatusCode::CREATED, Json(made)))
}

/// `POST /api/accounts/{id}` (administrators): reset the password, disable or enable, its communities.
pub async fn change_account(
    State(app): State<AppState>,
    Acting(p): Acting,
    Path(id): Path<String>,
    ApiJson(change): ApiJson<AccountChange>,
) -> Result<Json<AccountWithPassword>, ApiError> {
    Ok(Json(
        app.directory
            .change_account(&p, &id, change, app.hub.clock().now_ms())
            .await?,
    ))
}

/// `?limit=` of the audit log.
#[derive(Debug, Deserialize)]
pub struct AuditQuery {
    #[serde(default)]
    limit: Option<usize>,
}

/// `GET /api/audit` (administrators): the newest lines first (500 unless `?limit=`).
pub async fn audit(
    State(app): State<AppState>,
    Acting(p): Acting,
    Query(q): Query<AuditQuery>,
) -> Result<Json<Vec<AuditEntry>>, ApiError> {
    admins_only(&p)?;
    Ok(Json(app.directory.audit_log(q.limit.unwrap_or(500).min(10_000)).await?))
}

//! Who may do what over HTTP, in one place: the organiser key, a meeting's
//! moderator or projector token, the `--open` mode; and the meeting a path names.
//!
//! A server started normally has an organiser key (see [`crate::organiser_key`]):
//! creating and listing meetings, writing the issue ledger, importing, backing
//! up and deleting need it, or — for what concerns one meeting — that meeting's
//! moderator token, as `Authorization: Bearer …`. There is no privilege for
//! requests from loopback then: behind a reverse proxy every request comes from
//! loopback. Only a server started with `--open` lets anyone on its network
//! write (and, for backups and deletes, the server's own machine).

use super::error::ApiError;
use super::state::AppState;
use crate::hub::MeetingHandle;
use crate::service::directory::{Principal, SESSION_COOKIE};
use axum::extract::{ConnectInfo, FromRequestParts, Path};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap};
use babahui_shared::ledger::Credential;
use babahui_shared::{Actor, ErrorCode, MeetingId};
use std::net::SocketAddr;

/// The token of `Authorization: Bearer <token>`, if any.
pub fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(header::AUTHORIZATION)?
        .to_str()
        .ok()?
        .strip_prefix("Bearer ")
        .map(str::trim)
        .filter(|t| !t.is_empty())
}

fn refused() -> ApiError {
    ApiError::new(
        ErrorCode::Forbidden,
        "the organiser key (or this meeting's moderator link) is needed",
    )
}

fn not_yours() -> ApiError {
    ApiError::new(
        ErrorCode::Forbidden,
        "this belongs to a community your account does not act for",
    )
}

/// Whether `given` is the organiser key.
pub fn is_organiser(app: &AppState, given: &str) -> bool {
    app.config
        .organiser_key
        .as_deref()
        .is_some_and(|key| crate::tokens::same_secret(given, key))
}

/// Who a request acts as: the organiser key (`Authorization: Bearer`), a
/// logged-in account (its session cookie), or anyone on an `--open` server;
/// `None` for nobody in particular. A session cookie counts only from this
/// server's own pages (it is SameSite=Strict; the origin is checked too).
pub async fn principal(app: &AppState, headers: &HeaderMap) -> Result<Option<Principal>, ApiError> {
    let given = bearer(headers);
    if given.is_some_and(|g| is_organiser(app, g)) {
        return Ok(Some(Principal::Key));
    }
    if let Some(token) = cookie_value(headers, SESSION_COOKIE) {
        let now = app.hub.clock().now_ms();
        if let Some(account) = app.directory.session(token, now).await? {
            same_origin(headers, &app.config.allowed_origins)?;
            return Ok(Some(Principal::Account(account)));
        }
    }
    Ok((app.config.organiser_key.is_none() && given.is_none()).then_some(Principal::Open))
}

/// May this request write what belongs to `community` — or, when `meeting`
/// is given, what came from that meeting, which its moderator may write too?
/// Returns the credential it used, which the ledger records with every change.
pub async fn may_write(
    app: &AppState,
    headers: &HeaderMap,
    community: Option<&str>,
    meeting: Option<&MeetingId>,
) -> Result<Credential, ApiError> {
    let acting = principal(app, headers).await?;
    if let Some(p) = &acting {
        if p.may_act_for(community) {
            return Ok(p.credential());
        }
    }
    if let (Some(id), Some(given)) = (meeting, bearer(headers)) {
        let handle = app.hub.get(id).await?;
        if handle.authenticate(given).await? == Some(Actor::Moderator) {
            let meeting_name = crate::service::ledger::meeting_name(&*handle.state().await?);
            return Ok(Credential::Moderator {
                meeting: id.clone(),
                meeting_name,
            });
        }
    }
    Err(match acting {
        Some(Principal::Account(_)) => not_yours(),
        _ => refused(),
    })
}

/// May this request write what belongs to the organiser (the whole server,
/// with no meeting) or to `meeting` (its ledger entries, its archive): an
/// administrator, an organiser of the meeting's community, or its moderator.
pub async fn organiser_or_moderator(
    app: &AppState,
    headers: &HeaderMap,
    meeting: Option<&MeetingId>,
) -> Result<Credential, ApiError> {
    let community = match meeting {
        Some(id) => app.directory.meeting_community(id).await?,
        None => None,
    };
    may_write(app, headers, community.as_deref(), meeting).await
}

/// The community something new (a meeting, an entry, an import) goes to: the
/// one the request names, if it exists and the principal acts for it; else
/// an organiser's only community; else none (a server without communities,
/// or an administrator's choice).
pub async fn community_for_new(app: &AppState, p: &Principal, given: Option<&str>) -> Result<Option<String>, ApiError> {
    let chosen = match given.filter(|c| !c.is_empty()) {
        Some(c) => Some(app.directory.community(c).await?.id),
        None => p.default_community(),
    };
    if !p.may_act_for(chosen.as_deref()) {
        return Err(match chosen {
            None => ApiError::new(ErrorCode::Invalid, "say which of your communities this is for"),
            Some(_) => not_yours(),
        });
    }
    Ok(chosen)
}

/// Who reads what belongs to communities (the ledger): a principal, who sees
/// what they act for; on a server without accounts anyone (`None`: the
/// ledger is the neighbourhood's public record there, as it always was).
pub async fn reader(app: &AppState, headers: &HeaderMap) -> Result<Option<Principal>, ApiError> {
    match principal(app, headers).await? {
        Some(p) => Ok(Some(p)),
        None if app.directory.has_accounts().await? => {
            Err(ApiError::new(ErrorCode::Unauthenticated, "log in to see the ledger"))
        }
        None => Ok(None),
    }
}

/// Whole-server and destructive operations (backup, delete, a meeting's
/// archive with every join code in it) are stricter on an `--open` server: the
/// organiser key or this meeting's moderator token, or a request from the
/// server's own machine with no token. On a keyed server they are the same as
/// [`organiser_or_moderator`] without the open case.
pub async fn administer(
    app: &AppState,
    headers: &HeaderMap,
    peer: SocketAddr,
    meeting: Option<&MeetingId>,
) -> Result<Credential, ApiError> {
    match organiser_or_moderator(app, headers, meeting).await? {
        Credential::Open if !peer.ip().is_loopback() => Err(refused()),
        c => Ok(c),
    }
}

/// Whether the request's principal acts for `handle`'s meeting (its
/// community's organiser, an administrator, the organiser key).
async fn acts_for_meeting(app: &AppState, headers: &HeaderMap, handle: &MeetingHandle) -> Result<bool, ApiError> {
    let Some(p) = principal(app, headers).await? else {
        return Ok(false);
    };
    if matches!(p, Principal::Open) {
        return Ok(false);
    }
    let community = app.directory.meeting_community(handle.id()).await?;
    Ok(p.may_act_for(community.as_deref()))
}

/// The join link is what admits people, so only the meeting's own screens see it
/// (its moderator and projector, by their tokens as `Authorization: Bearer`) and
/// the organiser key when one is set. Otherwise a rotated link would be no use:
/// anyone who once had the meeting's id could fetch the new one.
pub async fn may_see_invite(app: &AppState, headers: &HeaderMap, handle: &MeetingHandle) -> Result<(), ApiError> {
    if acts_for_meeting(app, headers, handle).await? {
        return Ok(());
    }
    let Some(given) = bearer(headers) else {
        return Err(ApiError::new(
            ErrorCode::Unauthenticated,
            "the join link is shown to the moderator and the projector only",
        ));
    };
    match handle.authenticate(given).await? {
        Some(babahui_shared::Actor::Moderator | babahui_shared::Actor::Projector) => Ok(()),
        _ => Err(ApiError::new(
            ErrorCode::Forbidden,
            "the join link is shown to the moderator and the projector only",
        )),
    }
}

/// Finds a live meeting by the id in the path; 404 for anything else.
pub async fn meeting(app: &AppState, id: &str) -> Result<MeetingHandle, ApiError> {
    let parsed = MeetingId::parse(id).ok_or_else(|| ApiError::no_meeting(id))?;
    Ok(app.hub.get(&parsed).await?)
}

/// Whether a request sees a meeting's state whole (names of people who did
/// not agree to be named, hidden opinions' text): the organiser key, the
/// meeting's moderator, or one of its recorders (by their token). Everyone
/// else with the id gets it redacted.
pub async fn sees_whole_state(app: &AppState, headers: &HeaderMap, handle: &MeetingHandle) -> Result<bool, ApiError> {
    if acts_for_meeting(app, headers, handle).await? {
        return Ok(true);
    }
    let actor = match bearer(headers) {
        Some(token) => handle.authenticate(token).await?,
        None => None,
    };
    Ok(match actor {
        Some(Actor::Moderator) => true,
        Some(Actor::Participant(p)) => handle.state().await?.participant(p).is_some_and(|p| p.recorder),
        _ => false,
    })
}

/// The meeting named in the path (`/api/meetings/{id}/…`), its id parsed and
/// checked once and the meeting loaded; 404 for anything else.
#[derive(Debug)]
pub struct MeetingPath(pub MeetingHandle);

impl FromRequestParts<AppState> for MeetingPath {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, app: &AppState) -> Result<Self, Self::Rejection> {
        let Path(id) = Path::<String>::from_request_parts(parts, app)
            .await
            .map_err(|_| ApiError::new(ErrorCode::NotFound, "no such meeting"))?;
        Ok(MeetingPath(meeting(app, &id).await?))
    }
}

/// The meeting in the path, for a request from one of its own screens (its
/// moderator or projector, by token) or the organiser: what shows the join link.
#[derive(Debug)]
pub struct MeetingScreen(pub MeetingHandle);

impl FromRequestParts<AppState> for MeetingScreen {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, app: &AppState) -> Result<Self, Self::Rejection> {
        let MeetingPath(handle) = MeetingPath::from_request_parts(parts, app).await?;
        may_see_invite(app, &parts.headers, &handle).await?;
        Ok(MeetingScreen(handle))
    }
}

/// The meeting in the path, for a request that may write what belongs to it
/// (its ledger entries): the organiser key or its moderator token
/// ([`organiser_or_moderator`]); the credential is recorded with the change.
#[derive(Debug)]
pub struct MeetingWriter {
    /// The meeting.
    pub handle: MeetingHandle,
    /// Who is writing.
    pub credential: Credential,
}

impl FromRequestParts<AppState> for MeetingWriter {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, app: &AppState) -> Result<Self, Self::Rejection> {
        let MeetingPath(handle) = MeetingPath::from_request_parts(parts, app).await?;
        let credential = organiser_or_moderator(app, &parts.headers, Some(handle.id())).await?;
        Ok(MeetingWriter { handle, credential })
    }
}

/// The meeting in the path, for a request that may take it whole (its archive,
/// with every join code): see [`administer`].
#[derive(Debug)]
pub struct MeetingAdmin(pub MeetingHandle);

impl FromRequestParts<AppState> for MeetingAdmin {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, app: &AppState) -> Result<Self, Self::Rejection> {
        let MeetingPath(handle) = MeetingPath::from_request_parts(parts, app).await?;
        administer(app, &parts.headers, peer(parts)?, Some(handle.id())).await?;
        Ok(MeetingAdmin(handle))
    }
}

/// A request with a principal (the organiser key, a logged-in account, an
/// `--open` server): what it may touch is checked against the community of
/// what it touches.
#[derive(Debug)]
pub struct Acting(pub Principal);

impl FromRequestParts<AppState> for Acting {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, app: &AppState) -> Result<Self, Self::Rejection> {
        match principal(app, &parts.headers).await? {
            Some(p) => Ok(Acting(p)),
            None if bearer(&parts.headers).is_some() => Err(ApiError::new(ErrorCode::Forbidden, "wrong organiser key")),
            // 403 as it always was on a courtyard laptop: a key is missing.
            None => Err(ApiError::new(
                ErrorCode::Forbidden,
                "this needs the organiser key (open the organiser link the server printed when it started) or an account's login",
            )),
        }
    }
}

/// The meeting in the path, for its organiser (an administrator, its
/// community's organiser, the organiser key): not its moderator.
#[derive(Debug)]
pub struct MeetingOrganiser(pub MeetingHandle);

impl FromRequestParts<AppState> for MeetingOrganiser {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, app: &AppState) -> Result<Self, Self::Rejection> {
        let Acting(p) = Acting::from_request_parts(parts, app).await?;
        let MeetingPath(handle) = MeetingPath::from_request_parts(parts, app).await?;
        let community = app.directory.meeting_community(handle.id()).await?;
        if !p.may_act_for(community.as_deref()) {
            return Err(not_yours());
        }
        Ok(MeetingOrganiser(handle))
    }
}

/// A request that may take the whole server (a backup): see [`administer`].
#[derive(Debug)]
pub struct Admin(pub Credential);

impl FromRequestParts<AppState> for Admin {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, app: &AppState) -> Result<Self, Self::Rejection> {
        Ok(Admin(administer(app, &parts.headers, peer(parts)?, None).await?))
    }
}

/// The address a request came from (set by the server's accept loop).
fn peer(parts: &Parts) -> Result<SocketAddr, ApiError> {
    parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(addr)| *addr)
        .ok_or_else(|| ApiError::new(ErrorCode::Internal, "the request's address is unknown"))
}

/// A browser always says which page opened a WebSocket or a form post: only our own pages (same
/// host) and the configured origins may. Without `Origin` it is not a browser (a
/// script, a test, the load generator) and cross-site request forgery does not apply.
pub fn same_origin(headers: &HeaderMap, allowed: &[String]) -> Result<(), ApiError> {
    let Some(origin) = headers.get(header::ORIGIN) else {
        return Ok(());
    };
    let origin = origin.to_str().unwrap_or_default().trim_end_matches('/');
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or_default();
    let same_host = origin
        .split_once("://")
        .is_some_and(|(_, rest)| !host.is_empty() && rest.eq_ignore_ascii_case(host));
    if same_host
        || allowed
            .iter()
            .any(|a| a.trim_end_matches('/').eq_ignore_ascii_case(origin))
    {
        Ok(())
    } else {
        tracing::warn!(origin, host, "a request from a foreign page refused");
        Err(ApiError::new(
            ErrorCode::Forbidden,
            "this page may not connect to this server",
        ))
    }
}

/// The value of the cookie `name`, if the request carries one that is not empty
/// (the phone page's person and language).
pub fn cookie_value<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
        .filter(|v| !v.is_empty())
}

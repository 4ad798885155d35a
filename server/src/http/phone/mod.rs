//! The join link's page, drawn by the server, and the plain HTML forms on it.
//!
//! A phone that scans the QR code gets the meeting in the page's first bytes
//! and, under it, forms that work with no script at all: join, 举手, vote,
//! write an opinion. On a good phone the application (WebAssembly) loads
//! behind them and takes over with the live meeting; on a phone whose browser
//! cannot run it (an old WebView), or before it has arrived over a slow
//! hotspot, the person can still take part. The forms post here, the server
//! answers with a redirect back to the page (so a reload never sends twice),
//! and the person is remembered by a cookie holding their attendee token.
//!
//! Commands go through the same path as the application's
//! ([`crate::service::Meetings::command`]): the same rules, the same record.

pub mod view;
pub mod words;

use super::access::{cookie_value, same_origin};
use super::assets;
use super::error::ApiError;
use super::state::AppState;
use crate::hub::MeetingHandle;
use crate::service::meetings::Spoken;
use crate::service::Caller;
use axum::extract::Multipart;
use axum::extract::{ConnectInfo, Path, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use babahui_shared::{
    Actor, Command, CommandId, ErrorCode, MeetingId, MeetingState, OpinionAuthor, OpinionId, ParticipantId, Phase,
    TopicId, VoteId,
};
use serde::Deserialize;
use std::net::SocketAddr;
use view::{Draft, Notice, WhichTopic, STANCES};
use words::{Lang, Word};

/// How long a phone stays joined: the cookie outlives the meeting's day, so
/// the minutes' objection period can be followed from the same page.
const COOKIE_MAX_AGE_SECS: u32 = 30 * 24 * 3600;

/// The query of the page: the join link's code, and what was just done.
#[derive(Debug, Default, Deserialize)]
pub struct PageQuery {
    /// The join link's code (`?i=`).
    #[serde(default)]
    i: String,
    /// What the form just sent did (`hand`, `lowered`, `vote`, `opinion`).
    #[serde(default)]
    done: String,
    /// A language chosen on the page (`en`, `zh`), kept in a cookie.
    #[serde(default)]
    lang: String,
}

/// `GET /m/{id}`: the meeting, and the join form or the joined person's forms.
/// An unknown meeting gets the application's page (which says so).
pub async fn page(
    State(app): State<AppState>,
    Path(id): Path<String>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Query(q): Query<PageQuery>,
    headers: HeaderMap,
) -> Response {
    let Some((handle, state)) = find(&app, &id).await else {
        return assets::app_page(&headers);
    };
    let chosen = Lang::named(&q.lang);
    let lang = chosen.unwrap_or_else(|| Lang::of(&headers));
    let switch = switch_link(lang, handle.id(), &q.i);
    let notice = match q.done.as_str() {
        "hand" => Some(Notice::Done(Word::HandRaised)),
        "lowered" => Some(Notice::Done(Word::HandLowered)),
        "vote" => Some(Notice::Done(Word::Voted)),
        "opinion" => Some(Notice::Done(Word::OpinionSent)),
        "voice" => Some(Notice::Done(Word::VoiceSent)),
        "second" => Some(Notice::Done(Word::Seconded)),
        _ => None,
    };
    let mut response = if let Some((me, token)) = attendee(&handle, &headers, &state).await {
        let section = view::joined(&state, lang, me, &new_cid(), notice.as_ref(), &Draft::default());
        respond(&headers, StatusCode::OK, &state, lang, &switch, &section, Some(&token))
    } else {
        let section = match state.phase {
            Phase::Ended => String::new(),
            _ => match invite_refusal(&app, &handle, peer, &q.i).await {
                Some(refusal) => format!(
                    r#"<section class="plain" id="plain"><p class="notice form-error link-dead" role="alert">{}</p></section>"#,
                    babahui_shared::minutes::escape(&refusal.words(lang))
                ),
                None => view::join_form(&state, lang, &q.i, None, &Draft::default()),
            },
        };
        respond(&headers, StatusCode::OK, &state, lang, &switch, &section, None)
    };
    if let Some(chosen) = chosen {
        if let Ok(v) = HeaderValue::from_str(&chosen.cookie()) {
            response.headers_mut().append(header::SET_COOKIE, v);
        }
    }
    response
}

/// The 中文/English link at the top of the page (keeping the join link's code).
fn switch_link(lang: Lang, meeting: &MeetingId, invite: &str) -> String {
    let (name, words) = lang.other();
    let code = if invite.is_empty() {
        String::new()
    } else {
        format!(
            "i={}&amp;",
            babahui_shared::minutes::escape(&form_urlencoded::byte_serialize(invite.as_bytes()).collect::<String>())
        )
    };
    format!(
        r#"<p class="lang-link"><a class="button" href="/m/{meeting}?{code}lang={name}" lang="{name}">{words}</a></p>"#
    )
}

/// The join form's fields.
#[derive(Debug, Deserialize)]
pub struct JoinFields {
    /// The join link's code.
    #[serde(default)]
    i: String,
    /// The name, if given.
    #[serde(default)]
    name: String,
    /// The category picked.
    #[serde(default)]
    category: String,
    /// Present (`1`) when the name may be published.
    #[serde(default)]
    publish: Option<String>,
}

/// `POST /m/{id}/join`: joins, remembers the person in a cookie and answers
/// with the joined page itself — one round trip from 加入 to 举手, which on a
/// slow hotspot is 400 ms saved. The form sent again (a reload of this answer)
/// carries the cookie this answer set, and is the joined page again, not a
/// second join; with scripts, `boot.js` turns the address back into the page's.
pub async fn join(
    State(app): State<AppState>,
    Path(id): Path<String>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Form(form): Form<JoinFields>,
) -> Response {
    let lang = Lang::of(&headers);
    let Some((handle, state)) = find(&app, &id).await else {
        app.per_address.wrong_invite(peer.ip());
        return assets::app_page(&headers);
    };
    let draft = Draft {
        name: form.name.clone(),
        category: form.category.clone(),
        text: String::new(),
    };
    let refused = |e: ApiError| {
        let section = view::join_form(&state, lang, &form.i, Some(&Notice::Refused(e.words(lang))), &draft);
        respond(&headers, e.status, &state, lang, "", &section, None)
    };
    if let Err(e) = same_origin(&headers, &app.config.allowed_origins) {
        return refused(e);
    }
    if let Some((me, token)) = attendee(&handle, &headers, &state).await {
        let section = view::joined(&state, lang, me, &new_cid(), None, &Draft::default());
        return respond(&headers, StatusCode::OK, &state, lang, "", &section, Some(&token));
    }
    if let Err(e) = app.per_address.join(peer.ip()) {
        return refused(e);
    }
    let name = Some(form.name.trim().to_owned()).filter(|n| !n.is_empty());
    let previous = cookie(&headers, handle.id()).map(str::to_owned);
    let joined = handle
        .join(
            form.i.clone(),
            name,
            form.category.clone(),
            form.publish.is_some(),
            peer.ip(),
            previous,
        )
        .await;
    match joined {
        Ok(joined) => {
            let state = handle.state().await.unwrap_or(state);
            let section = view::joined(&state, lang, joined.participant, &new_cid(), None, &Draft::default());
            let switch = switch_link(lang, handle.id(), "");
            let mut response = respond(
                &headers,
                StatusCode::OK,
                &state,
                lang,
                &switch,
                &section,
                Some(&joined.token),
            );
            let cookie = format!(
                "{}={}; Path=/m/{}; Max-Age={COOKIE_MAX_AGE_SECS}; HttpOnly; SameSite=Lax",
                cookie_name(handle.id()),
                joined.token,
                handle.id()
            );
            if let Ok(v) = HeaderValue::from_str(&cookie) {
                response.headers_mut().append(header::SET_COOKIE, v);
            }
            response
        }
        Err(e) => {
            if matches!(e.code, ErrorCode::NotFound | ErrorCode::InviteInvalid) {
                app.per_address.wrong_invite(peer.ip());
            }
            refused(e.into())
        }
    }
}

/// `GET /m/{id}/join` (the joined page's address, reloaded or shared): the page.
pub async fn join_page_again(Path(id): Path<String>) -> Response {
    match MeetingId::parse(&id) {
        Some(id) => Redirect::to(&format!("/m/{id}")).into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

/// The 举手 form's fields.
#[derive(Debug, Deserialize)]
pub struct HandFields {
    /// This send's id.
    #[serde(default)]
    cid: String,
    /// The topic open on the page when it was drawn.
    #[serde(default)]
    topic: String,
    /// `raise` or `lower`.
    #[serde(default)]
    action: String,
}

/// `POST /m/{id}/hand`: raise or lower one's hand.
pub async fn hand(
    State(app): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    Form(form): Form<HandFields>,
) -> Response {
    let (command, done) = match form.action.as_str() {
        "lower" => (Command::LowerHand { who: None }, "lowered"),
        _ => (
            Command::RaiseHand {
                who: None,
                topic: form.topic.parse().ok().map(TopicId),
            },
            "hand",
        ),
    };
    send(&app, &id, &headers, &form.cid, command, done, Draft::default()).await
}

/// The vote form's fields.
#[derive(Debug, Deserialize)]
pub struct VoteFields {
    /// This send's id.
    #[serde(default)]
    cid: String,
    /// Which vote.
    #[serde(default)]
    vote: u32,
    /// The choice's index.
    #[serde(default)]
    choice: u32,
}

/// `POST /m/{id}/vote`: cast (or change) one's vote.
pub async fn vote(
    State(app): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    Form(form): Form<VoteFields>,
) -> Response {
    let command = Command::CastVote {
        vote: VoteId(form.vote),
        choice: form.choice,
        ballot_key: None,
    };
    send(&app, &id, &headers, &form.cid, command, "vote", Draft::default()).await
}

/// The opinion form's fields.
#[derive(Debug, Deserialize)]
pub struct OpinionFields {
    /// This send's id.
    #[serde(default)]
    cid: String,
    /// The topic open on the page when it was drawn (empty: none).
    #[serde(default)]
    topic: String,
    /// The opinion.
    #[serde(default)]
    text: String,
    /// `support`, `oppose`, `suggest` or `question`, if picked.
    #[serde(default)]
    stance: Option<String>,
    /// The category, if picked.
    #[serde(default)]
    category: Option<String>,
    /// Present when the person has answered which topic it is about.
    #[serde(default)]
    confirmed: Option<String>,
}

/// `POST /m/{id}/opinion`: submit an opinion, under the topic it was written
/// for. If another topic has opened since the page was drawn (a page does not
/// change by itself without the application), the person is asked which
/// topic it is about, their text kept, before anything is recorded.
pub async fn opinion(
    State(app): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    Form(form): Form<OpinionFields>,
) -> Response {
    let written = form.topic.parse().ok().map(TopicId);
    if form.confirmed.is_none() {
        if let Some(question) = topic_changed(&app, &id, written, &form).await {
            return send_question(&app, &id, &headers, question).await;
        }
    }
    let stance = form
        .stance
        .as_deref()
        .and_then(|s| STANCES.iter().find(|(_, value, _)| *value == s))
        .map(|(stance, _, _)| *stance);
    let command = Command::SubmitOpinion {
        text: form.text.clone(),
        category: form.category.filter(|c| !c.is_empty()),
        stance,
        author: OpinionAuthor::Me,
        topic: Some(written),
        voice: None,
    };
    let draft = Draft {
        text: form.text,
        ..Draft::default()
    };
    send(&app, &id, &headers, &form.cid, command, "opinion", draft).await
}

/// The question to ask when `written` is not the topic open now (another one is).
async fn topic_changed(app: &AppState, id: &str, written: Option<TopicId>, form: &OpinionFields) -> Option<WhichTopic> {
    let (_, state) = find(app, id).await?;
    let now = state.open_topic()?.id;
    let written = written?;
    (written != now && !form.text.trim().is_empty()).then(|| WhichTopic {
        written,
        now,
        text: form.text.clone(),
        stance: form.stance.clone().unwrap_or_default(),
        category: form.category.clone().unwrap_or_default(),
    })
}

/// The joined page asking `question` (nothing recorded yet).
async fn send_question(app: &AppState, id: &str, headers: &HeaderMap, question: WhichTopic) -> Response {
    let lang = Lang::of(headers);
    let Some((handle, state)) = find(app, id).await else {
        return assets::app_page(headers);
    };
    let Some((me, token)) = attendee(&handle, headers, &state).await else {
        return assets::app_page(headers);
    };
    let notice = Notice::WhichTopic(question);
    let section = view::joined(&state, lang, me, &new_cid(), Some(&notice), &Draft::default());
    respond(headers, StatusCode::OK, &state, lang, "", &section, Some(&token))
}

/// The 附议 form's fields.
#[derive(Debug, Deserialize)]
pub struct SecondFields {
    /// This send's id.
    #[serde(default)]
    cid: String,
    /// Which opinion.
    #[serde(default)]
    opinion: u32,
}

/// `POST /m/{id}/second`: second (附议) an opinion shown on the page (its
/// topic was open when the page was drawn).
pub async fn second(
    State(app): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    Form(form): Form<SecondFields>,
) -> Response {
    let command = Command::Second {
        opinion: OpinionId(form.opinion),
        who: None,
        seen_open: true,
    };
    send(&app, &id, &headers, &form.cid, command, "second", Draft::default()).await
}

/// Sends a joined person's command; back to the page on success (saying
/// `done`), the page with the refusal (and what they typed) otherwise.
/// What a form sends: a command, or a spoken opinion's recording.
enum Sent {
    Command(Command),
    Voice(Vec<u8>, Spoken),
}

impl From<Command> for Sent {
    fn from(c: Command) -> Sent {
        Sent::Command(c)
    }
}

/// `POST /m/{id}/voice` (multipart: `clip`, `topic`, `cid`): a spoken
/// opinion from the plain page, the phone's recorder's file as it is; the
/// same path as the application's upload (`crate::http::voice`).
pub async fn voice(
    State(app): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    form: Multipart,
) -> Response {
    let (recording, topic, cid) = super::voice::read_plain_form(form).await;
    let spoken = Spoken {
        topic: Some(topic.parse().ok().map(TopicId)),
        ..Spoken::default()
    };
    send(
        &app,
        &id,
        &headers,
        &cid,
        Sent::Voice(recording, spoken),
        "voice",
        Draft::default(),
    )
    .await
}

async fn send(
    app: &AppState,
    id: &str,
    headers: &HeaderMap,
    cid: &str,
    sent: impl Into<Sent>,
    done: &str,
    draft: Draft,
) -> Response {
    let lang = Lang::of(headers);
    let Some((handle, state)) = find(app, id).await else {
        return assets::app_page(headers);
    };
    let Some((me, token)) = attendee(&handle, headers, &state).await else {
        // Not (or no longer) joined: the join page, saying so.
        let refusal = Notice::Refused(lang.t(Word::JoinAgain).to_owned());
        let section = view::join_form(&state, lang, "", Some(&refusal), &Draft::default());
        return respond(headers, StatusCode::UNAUTHORIZED, &state, lang, "", &section, None);
    };
    let refused = |status: StatusCode, words: String, state: &MeetingState| {
        let section = view::joined(state, lang, me, &new_cid(), Some(&Notice::Refused(words)), &draft);
        respond(headers, status, state, lang, "", &section, Some(&token))
    };
    if same_origin(headers, &app.config.allowed_origins).is_err() {
        return refused(StatusCode::FORBIDDEN, lang.t(Word::ForeignPage).to_owned(), &state);
    }
    if let Err(e) = app.per_address.form_post(handle.id(), me) {
        return refused(e.status, e.words(lang), &state);
    }
    let cid = CommandId(cid.to_owned());
    let cid = if cid.is_valid() { cid } else { CommandId(new_cid()) };
    let caller = Caller {
        actor: Actor::Participant(me),
        token: Some(&token),
    };
    let result = match sent.into() {
        Sent::Command(command) => app
            .meetings
            .command(&handle, caller, cid, command)
            .await
            .map_err(ApiError::from),
        Sent::Voice(recording, spoken) => app
            .meetings
            .voice_opinion(&handle, caller, cid, recording, spoken)
            .await
            .map_err(ApiError::from),
    };
    match result {
        Ok(_) => Redirect::to(&format!("/m/{}?done={done}", handle.id())).into_response(),
        Err(e) => {
            let state = handle.state().await.unwrap_or(state);
            refused(e.status, e.words(lang), &state)
        }
    }
}

/// The meeting `id` names, and its state now.
async fn find(app: &AppState, id: &str) -> Option<(MeetingHandle, std::sync::Arc<MeetingState>)> {
    let id = MeetingId::parse(id.trim_end_matches('/'))?;
    let handle = app.hub.get(&id).await.ok()?;
    let state = handle.state().await.ok()?;
    Some((handle, state))
}

/// The person this phone joined as (from its cookie), if they are still in.
async fn attendee(
    handle: &MeetingHandle,
    headers: &HeaderMap,
    state: &MeetingState,
) -> Option<(ParticipantId, String)> {
    let token = cookie(headers, handle.id())?;
    match handle.authenticate(token).await {
        Ok(Some(Actor::Participant(me))) if state.participant(me).is_some_and(|p| !p.removed) => {
            Some((me, token.to_owned()))
        }
        _ => None,
    }
}

/// Why the join link's code `invite` admits nobody, if it does not (counted
/// against the address like a wrong join: a page load is no way to guess).
async fn invite_refusal(app: &AppState, handle: &MeetingHandle, peer: SocketAddr, invite: &str) -> Option<ApiError> {
    if let Err(e) = app.per_address.check_invite(peer.ip()) {
        return Some(e);
    }
    let current = handle.invite().await.ok()?;
    if crate::tokens::same_secret(invite, &current) {
        None
    } else {
        app.per_address.wrong_invite(peer.ip());
        Some(ApiError::new(
            ErrorCode::InviteInvalid,
            "this join link is no longer valid",
        ))
    }
}

fn cookie_name(meeting: &MeetingId) -> String {
    format!("bbh_{meeting}")
}

/// The attendee token this phone holds for `meeting`, from its cookie.
fn cookie<'a>(headers: &'a HeaderMap, meeting: &MeetingId) -> Option<&'a str> {
    cookie_value(headers, &cookie_name(meeting))
}

/// A fresh id for the forms of one drawing of the page.
fn new_cid() -> String {
    format!("form-{}", crate::tokens::new_code(12))
}

/// The page: never kept (it is one person's, and changes with the meeting).
fn respond(
    headers: &HeaderMap,
    status: StatusCode,
    state: &MeetingState,
    lang: Lang,
    top: &str,
    section: &str,
    attendee: Option<&str>,
) -> Response {
    let Some(index) = assets::index_html() else {
        return (StatusCode::NOT_FOUND, "the web client is not built; run ./x serve").into_response();
    };
    // The 大字 / 强对比 switches go beside the language link (see `views`).
    let top = format!(r#"<p class="view-links">{}</p>{top}"#, super::views::SWITCHES);
    let parts = super::first_paint::Parts {
        top: &top,
        below: section,
        attendee,
    };
    let html = super::first_paint::page(&index, state, lang, parts);
    let mut response = assets::page(headers, status, html);
    let h = response.headers_mut();
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(header::VARY, HeaderValue::from_static("accept-encoding, cookie"));
    response
}

impl ApiError {
    /// The refusal in the page's language.
    fn words(&self, lang: Lang) -> String {
        // A message written for people ("中文 · English", as a recording's
        // refusal says what to do) is said as it is, in the page's language.
        if let Some((zh, en)) = self.message.split_once(" · ") {
            if zh.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)) {
                return if matches!(lang, Lang::En) { en } else { zh }.to_owned();
            }
        }
        let (zh, en) = self.code.words();
        lang.pick(zh, en).to_owned()
    }
}

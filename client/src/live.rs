//! The page's one WebSocket. A single reader folds the server's messages into
//! signals; pages send commands through [`Live::send`].
//!
//! Commands go into an outbox kept in `localStorage` until the server answers
//! them, and the whole outbox is sent again after every reconnect (or page
//! reload). The server applies a command id once, so a resend can never
//! duplicate what the person typed. On reconnect the client says the last
//! sequence number it applied and receives exactly what it missed.

use crate::storage;
use babahui_shared::protocol::close_code;
use babahui_shared::{Actor, ClientMsg, Command, CommandId, ErrorCode, MeetingState, Phase, ServerMsg};
use leptos::prelude::*;
use std::time::Duration;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use web_sys::{MessageEvent, WebSocket};

/// Connection status, always shown on screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Trying to connect.
    Connecting,
    /// Welcomed by the server.
    Online,
    /// Lost; a reconnect is scheduled.
    Offline,
    /// The server does not know this token (e.g. the data was reset): join again.
    Refused,
    /// The moderator removed this participant.
    Removed,
}

/// A refusal shown to the person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    /// Code (translated for display).
    pub code: ErrorCode,
    /// Server's message.
    pub message: String,
}

/// How often the page pings the server, and how long it waits for any message
/// before it calls the connection lost. A Wi-Fi that drops without a close
/// frame leaves the socket looking open for minutes; the page must say so within
/// seconds and show what is waiting to be sent.
/// Checked every second: after 3 s without a word the page pings (a busy
/// meeting's events make that rare); after 8 s it gives up on the socket, so a
/// silent drop shows within 8–9 s.
const CHECK_EVERY_MS: u64 = 1_000;
const PING_AFTER_MS: f64 = 3_000.0;
const SILENCE_LIMIT_MS: f64 = 8_000.0;

struct Inner {
    meeting: String,
    token: String,
    socket: Option<WebSocket>,
    welcomed: bool,
    retries: u32,
    /// Local time the last message arrived (any message counts as alive).
    last_heard: f64,
    /// Local time the current socket was opened (a handshake that never
    /// finishes on a half-dead Wi-Fi is given up too).
    started: f64,
    /// Commands whose refusal a form shows next to itself (not at the top).
    claimed: Vec<CommandId>,
    /// Kept alive as long as the socket.
    handlers: Vec<Closure<dyn FnMut(web_sys::Event)>>,
    on_message: Option<Closure<dyn FnMut(MessageEvent)>>,
}

/// Handle to the live meeting; `Copy`, pass it around freely.
#[derive(Clone, Copy)]
pub struct Live {
    /// The meeting as this device knows it.
    pub state: RwSignal<Option<MeetingState>>,
    /// Connection status.
    pub status: RwSignal<Status>,
    /// Who the server says we are.
    pub me: RwSignal<Option<Actor>>,
    /// Server time minus local time, ms (for countdowns in step on every screen).
    pub offset: RwSignal<f64>,
    /// The last refusal.
    pub notice: RwSignal<Option<Notice>>,
    /// Commands not yet answered by the server.
    pub outbox: RwSignal<Vec<Unsent>>,
    /// The latest answer to one of this page's commands: its id, and the
    /// refusal if it was refused. Forms watch it for the commands they sent.
    pub answer: RwSignal<Option<(CommandId, Option<Notice>)>>,
    inner: StoredValue<Inner, LocalStorage>,
}

/// A command not yet answered: kept as the text that goes on the wire (and
/// in `localStorage`), with what the status bar calls it. Kept as text, not
/// as a [`Command`], so the phone's bundle has no code to read commands back
/// (serde's reader for every command is ~12 KiB of it, gzipped).
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Unsent {
    /// Its id.
    pub id: CommandId,
    /// What it is, in words (`i18n::command_label`).
    pub label: String,
    /// The `ClientMsg::Command` as sent.
    pub wire: String,
}

impl Live {
    /// Connects to `meeting` with `token`, reconnecting for as long as the page lives.
    pub fn start(meeting: &str, token: &str) -> Live {
        let outbox_key = outbox_key(meeting, token);
        let live = Live {
            state: RwSignal::new(None),
            status: RwSignal::new(Status::Connecting),
            me: RwSignal::new(None),
            offset: RwSignal::new(0.0),
            notice: RwSignal::new(None),
            outbox: RwSignal::new(storage::get_json(&outbox_key).unwrap_or_default()),
            answer: RwSignal::new(None),
            inner: StoredValue::new_local(Inner {
                meeting: meeting.to_owned(),
                token: token.to_owned(),
                socket: None,
                welcomed: false,
                retries: 0,
                last_heard: 0.0,
                started: 0.0,
                claimed: Vec::new(),
                handlers: Vec::new(),
                on_message: None,
            }),
        };
        // Persist the outbox whenever it changes, so a reload keeps unsent commands.
        Effect::new(move |_| storage::set_json(&outbox_key, &live.outbox.get()));
        live.connect();
        set_interval(move || live.heartbeat(), Duration::from_millis(CHECK_EVERY_MS));
        live
    }

    /// Pings a welcomed connection, and gives up on one that has been silent
    /// too long: closing it shows 连接中断 at once and reconnects.
    fn heartbeat(self) {
        let now = js_sys::Date::now();
        let (welcomed, last, started, trying) = self
            .inner
            .with_value(|i| (i.welcomed, i.last_heard, i.started, i.socket.is_some()));
        if !welcomed {
            if trying && now - started > SILENCE_LIMIT_MS {
                self.drop_connection();
            }
            return;
        }
        if now - last > SILENCE_LIMIT_MS {
            leptos::logging::warn!("no word from the server for {} ms: reconnecting", now - last);
            self.drop_connection();
        } else if now - last > PING_AFTER_MS {
            self.transmit(&ClientMsg::Ping { t: now as u64 });
        }
    }

    /// Forgets the current socket (its late events are ignored) and reconnects.
    fn drop_connection(self) {
        let old = self.inner.try_update_value(|i| {
            i.welcomed = false;
            i.socket.take()
        });
        if let Some(ws) = old.flatten() {
            ws.set_onclose(None);
            ws.set_onmessage(None);
            let _ = ws.close();
        }
        self.status.set(Status::Offline);
        self.schedule_reconnect();
    }

    /// Whether the meeting has ended (reactive): most commands are refused
    /// from then on, so pages stop offering them.
    pub fn ended(&self) -> bool {
        self.state.with(|s| s.as_ref().is_some_and(|s| s.phase == Phase::Ended))
    }

    /// Server time now, ms.
    pub fn server_now(&self) -> f64 {
        js_sys::Date::now() + self.offset.get_untracked()
    }

    /// The meeting's id, as in its address.
    pub fn meeting(&self) -> String {
        self.inner.with_value(|i| i.meeting.clone())
    }

    /// The token this page connects with (for the requests that go beside
    /// the socket: a voice recording).
    pub fn token(&self) -> String {
        self.inner.with_value(|i| i.token.clone())
    }

    /// Sends a command (now, or as soon as the connection is back).
    pub fn send(&self, command: Command) {
        self.send_id(command);
    }

    /// Like [`send`](Self::send); returns the command's id.
    pub fn send_id(&self, command: Command) -> CommandId {
        let id = CommandId(new_id());
        let unsent = Unsent {
            id: id.clone(),
            label: crate::i18n::command_label(&command),
            wire: serde_json::to_string(&ClientMsg::Command {
                id: id.clone(),
                command,
            })
            .unwrap_or_default(),
        };
        if self.inner.with_value(|i| i.welcomed) {
            self.transmit_text(&unsent.wire);
        }
        self.outbox.update(|o| o.push(unsent));
        id
    }

    /// Like [`send`](Self::send), for a form that shows a refusal next to
    /// itself: the page-wide notice then stays quiet for this command.
    pub fn send_from_form(&self, command: Command) -> CommandId {
        let id = self.send_id(command);
        self.inner.update_value(|i| i.claimed.push(id.clone()));
        id
    }

    fn transmit(&self, msg: &ClientMsg) {
        self.transmit_text(&serde_json::to_string(msg).unwrap_or_default());
    }

    fn transmit_text(&self, text: &str) {
        self.inner.with_value(|i| {
            if let Some(ws) = &i.socket {
                let _ = ws.send_with_str(text);
            }
        });
    }

    fn connect(self) {
        let (meeting, retries) = self.inner.with_value(|i| (i.meeting.clone(), i.retries));
        let loc = window().location();
        let scheme = if loc.protocol().unwrap_or_default() == "https:" {
            "wss"
        } else {
            "ws"
        };
        let url = format!(
            "{scheme}://{}/api/meetings/{meeting}/ws",
            loc.host().unwrap_or_default()
        );
        self.status.set(if retries == 0 {
            Status::Connecting
        } else {
            Status::Offline
        });
        let Ok(ws) = WebSocket::new(&url) else {
            self.schedule_reconnect();
            return;
        };
        self.inner.update_value(|i| i.started = js_sys::Date::now());
        let on_open = Closure::<dyn FnMut(web_sys::Event)>::new(move |_| {
            let token = self.inner.with_value(|i| i.token.clone());
            let since = self.state.with_untracked(|s| s.as_ref().map(|s| s.seq));
            self.transmit(&ClientMsg::Hello { token, since });
        });
        let on_close = Closure::<dyn FnMut(web_sys::Event)>::new(move |e: web_sys::Event| {
            let code = e.dyn_ref::<web_sys::CloseEvent>().map(|c| c.code()).unwrap_or(0);
            self.inner.update_value(|i| {
                i.welcomed = false;
                i.socket = None;
            });
            if code == close_code::UNAUTHENTICATED {
                self.status.set(Status::Refused);
            } else if code == close_code::REMOVED {
                self.status.set(Status::Removed);
            } else {
                self.status.set(Status::Offline);
                self.schedule_reconnect();
            }
        });
        let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |e: MessageEvent| {
            self.inner.update_value(|i| i.last_heard = js_sys::Date::now());
            if let Some(text) = e.data().as_string() {
                match serde_json::from_str::<ServerMsg>(&text) {
                    Ok(msg) => self.on_server_msg(msg),
                    Err(err) => leptos::logging::warn!("unreadable server message: {err}"),
                }
            }
        });
        ws.set_onopen(Some(on_open.as_ref().unchecked_ref()));
        ws.set_onclose(Some(on_close.as_ref().unchecked_ref()));
        ws.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        self.inner.update_value(|i| {
            i.socket = Some(ws);
            i.handlers = vec![on_open, on_close];
            i.on_message = Some(on_message);
        });
    }

    fn schedule_reconnect(self) {
        let retries = self.inner.with_value(|i| i.retries);
        self.inner.update_value(|i| i.retries += 1);
        // 0.5 s, 1 s, 2 s, 4 s, then every 5 s, with jitter so a courtyard of phones
        // coming back from a Wi-Fi drop does not arrive at the same instant.
        let base = (500u64 << retries.min(4)).min(5_000);
        let jitter = (js_sys::Math::random() * base as f64 * 0.5) as u64;
        set_timeout(move || self.connect(), Duration::from_millis(base + jitter));
    }

    fn on_server_msg(&self, msg: ServerMsg) {
        match msg {
            ServerMsg::Welcome { you, server_time, .. } => {
                self.offset.set(server_time as f64 - js_sys::Date::now());
                self.me.set(Some(you));
                self.status.set(Status::Online);
                self.inner.update_value(|i| {
                    i.welcomed = true;
                    i.retries = 0;
                });
                for unsent in self.outbox.get_untracked() {
                    self.transmit_text(&unsent.wire);
                }
            }
            ServerMsg::Snapshot { state } => self.state.set(Some(*state)),
            ServerMsg::Events(events) => {
                let mut gap = false;
                let moment =
                    |s: &Option<MeetingState>| s.as_ref().map(|s| (s.phase, s.current_topic, s.floor.is_some()));
                let before = self.state.with_untracked(moment);
                self.state.update(|s| {
                    let Some(s) = s else { return };
                    for e in &events {
                        if e.seq > s.seq + 1 {
                            gap = true;
                            return;
                        }
                        s.apply(e);
                    }
                });
                // A refusal such as 会议还没开始 is old news once the meeting has
                // moved on (started, another topic, the floor changed hands).
                if before != self.state.with_untracked(moment) && self.notice.with_untracked(Option::is_some) {
                    self.notice.set(None);
                }
                if gap {
                    // Should not happen; recover by reconnecting (the server resumes us).
                    self.inner.with_value(|i| i.socket.as_ref().map(|ws| ws.close()));
                }
            }
            ServerMsg::Ack { id, .. } => {
                // A refusal shown at the top is old news once something went through.
                if self.notice.with_untracked(Option::is_some) {
                    self.notice.set(None);
                }
                self.outbox.update(|o| o.retain(|u| u.id != id));
                self.inner.update_value(|i| i.claimed.retain(|c| *c != id));
                self.answer.set(Some((id, None)));
            }
            ServerMsg::Error {
                id: Some(id),
                code: ErrorCode::RateLimited,
                ..
            } => {
                // Not refused, only too fast: it stays waiting and goes again shortly.
                let live = *self;
                set_timeout(
                    move || {
                        let waiting = live.outbox.with_untracked(|o| o.iter().find(|u| u.id == id).cloned());
                        if let (Some(unsent), true) = (waiting, live.inner.with_value(|i| i.welcomed)) {
                            live.transmit_text(&unsent.wire);
                        }
                    },
                    Duration::from_millis(1_500),
                );
            }
            ServerMsg::Error { id, code, message } => {
                let notice = Notice { code, message };
                let claimed = match &id {
                    Some(id) => {
                        self.outbox.update(|o| o.retain(|u| u.id != *id));
                        self.inner.try_update_value(|i| {
                            let was = i.claimed.contains(id);
                            i.claimed.retain(|c| c != id);
                            was
                        }) == Some(true)
                    }
                    None => false,
                };
                if let Some(id) = id {
                    self.answer.set(Some((id, Some(notice.clone()))));
                }
                if !claimed {
                    self.notice.set(Some(notice));
                }
            }
            ServerMsg::Pong { .. } => {}
        }
    }
}

impl std::fmt::Debug for Live {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Live")
            .field("status", &self.status.get_untracked())
            .finish_non_exhaustive()
    }
}

fn outbox_key(meeting: &str, token: &str) -> String {
    format!("bbh:outbox:{meeting}:{}", &token[..token.len().min(8)])
}

/// A command id unique to this device: time plus randomness.
fn new_id() -> String {
    let rand = (js_sys::Math::random() * 2f64.powi(52)) as u64;
    format!("{:x}-{:x}", js_sys::Date::now() as u64, rand)
}

//! How often one address may do what anyone on the Wi-Fi can do without a
//! token: join a meeting, try an invite code, file an objection (异议), send
//! an opinion from outside the courtyard (会前, 线上) — and
//! how often one person may send the join page's plain forms (the budget of
//! the application's socket, which the forms stand in for). A person never
//! comes near these; a script does, and is told in plain words how long to
//! wait. Loopback is not limited when `exempt_loopback` is set:
//! there it is this machine, or a reverse proxy in front (everyone).

use super::error::ApiError;
use crate::config::Limits;
use crate::rate::Rate;
use crate::rate::{wait_words, PerKey};
use babahui_shared::{ErrorCode, MeetingId, ParticipantId};
use std::net::IpAddr;

/// The per-address limits of one server.
#[derive(Debug)]
pub struct PerAddress {
    exempt_loopback: bool,
    joins: PerKey<IpAddr>,
    wrong_invites: PerKey<IpAddr>,
    objections: PerKey<IpAddr>,
    outside_opinions: PerKey<IpAddr>,
    form_posts: PerKey<(MeetingId, ParticipantId)>,
}

impl PerAddress {
    /// Limits as configured.
    pub fn new(limits: &Limits) -> PerAddress {
        PerAddress {
            exempt_loopback: limits.exempt_loopback,
            joins: PerKey::new(limits.joins_per_address),
            wrong_invites: PerKey::new(limits.wrong_invites_per_address),
            objections: PerKey::new(limits.objections_per_address),
            outside_opinions: PerKey::new(limits.outside_opinions_per_address),
            form_posts: PerKey::new(if limits.messages_per_sec == 0 {
                Rate::UNLIMITED
            } else {
                Rate {
                    per_sec: limits.messages_per_sec as f64,
                    burst: limits.message_burst,
                }
            }),
        }
    }

    fn exempt(&self, ip: IpAddr) -> bool {
        self.exempt_loopback && ip.is_loopback()
    }

    /// Before a join: refused while the address has used up its wrong
    /// guesses (so an invite code cannot be found by trying), or its joins.
    pub fn join(&self, ip: IpAddr) -> Result<(), ApiError> {
        self.check_invite(ip)?;
        if self.exempt(ip) {
            return Ok(());
        }
        self.joins.take(&ip).map_err(|wait| {
            ApiError::new(
                ErrorCode::RateLimited,
                format!("too many joins from this device ({})", wait_words(wait)),
            )
        })
    }

    /// Before a join link's code is checked, by itself or for a join: refused
    /// while the address has used up its wrong guesses.
    pub fn check_invite(&self, ip: IpAddr) -> Result<(), ApiError> {
        if self.exempt(ip) {
            return Ok(());
        }
        self.wrong_invites.peek(&ip).map_err(|wait| {
            ApiError::new(
                ErrorCode::RateLimited,
                format!(
                    "too many wrong join links from this device; scan the QR code again later ({})",
                    wait_words(wait)
                ),
            )
        })
    }

    /// A join (or a check) from `ip` named a meeting or an invite that does not exist.
    pub fn wrong_invite(&self, ip: IpAddr) {
        if !self.exempt(ip) {
            let _ = self.wrong_invites.take(&ip);
        }
    }

    /// Before an opinion from outside the courtyard (会前 or 线上).
    pub fn outside_opinion(&self, ip: IpAddr) -> Result<(), ApiError> {
        if self.exempt(ip) {
            return Ok(());
        }
        self.outside_opinions.take(&ip).map_err(|wait| {
            ApiError::new(
                ErrorCode::RateLimited,
                format!("too many opinions from this device ({})", wait_words(wait)),
            )
        })
    }

    /// Before an objection.
    pub fn objection(&self, ip: IpAddr) -> Result<(), ApiError> {
        if self.exempt(ip) {
            return Ok(());
        }
        self.objections.take(&ip).map_err(|wait| {
            ApiError::new(
                ErrorCode::RateLimited,
                format!("too many objections from this device ({})", wait_words(wait)),
            )
        })
    }

    /// Before a joined person's form post (举手, a vote, an opinion).
    pub fn form_post(&self, meeting: &MeetingId, who: ParticipantId) -> Result<(), ApiError> {
        self.form_posts.take(&(meeting.clone(), who)).map_err(|wait| {
            ApiError::new(
                ErrorCode::RateLimited,
                format!("too many at once ({})", wait_words(wait)),
            )
        })
    }
}

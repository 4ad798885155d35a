//! The HTTP API's contract: every request and answer body the server and the
//! client exchange over HTTP (the WebSocket protocol is in [`crate::protocol`]),
//! so neither side declares them again. `docs/api.md` describes the endpoints.

use crate::error::ErrorCode;
use crate::ids::{MeetingId, ParticipantId, TopicId};
use crate::ledger::{LedgerEntry, LedgerStatus};
use crate::minutes::Minutes;
use crate::{MinutesStatus, Objection};
use serde::{Deserialize, Serialize};

/// Every refusal over HTTP: `{"error": {"code": …, "message": …}}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
    /// The error.
    pub error: ErrorDetail,
}

/// A refusal's stable code and human message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorDetail {
    /// What kind of refusal (never changes meaning).
    pub code: ErrorCode,
    /// For a person; never internal detail.
    pub message: String,
}

/// A meeting as `GET /api/meetings` lists it (and as the store indexes it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MeetingIndex {
    /// Id.
    pub id: MeetingId,
    /// Title at creation.
    pub title: String,
    /// Server time of creation, ms.
    pub created_at: u64,
    /// The community it belongs to; none on a server without communities.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub community: Option<crate::directory::CommunityId>,
    /// On a district: the laptop it was held on (`babahui sync`); such a
    /// meeting is a read-only copy.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub origin: Option<String>,
}

/// Answer to `POST /api/meetings/import`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Imported {
    /// The meeting.
    pub id: MeetingId,
    /// Its last sequence number.
    pub seq: u64,
    /// Its title.
    pub title: String,
}

/// Answer to `DELETE /api/meetings/{id}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Deleted {
    /// The meeting.
    pub id: MeetingId,
    /// How many events were removed.
    pub deleted_events: u64,
}

/// Answer to `POST /api/meetings/{id}/objections`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Filed {
    /// The objection's number.
    pub objection: Option<u32>,
    /// Its event's sequence number.
    pub seq: u64,
}

/// Answer to a successful `POST /api/meetings`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreatedResponse {
    /// Meeting id.
    pub id: MeetingId,
    /// Title as stored.
    pub title: String,
    /// The attendees' link (what the QR code holds).
    pub join_url: String,
    /// The moderator's link, carrying the moderator's secret.
    pub moderator_url: String,
    /// The projector's link (read-only).
    pub projector_url: String,
    /// The join QR code as SVG.
    pub qr_svg_url: String,
}

/// The public links of a meeting.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PublicLinks {
    /// The attendees' link (what the join QR code holds).
    pub join_url: String,
    /// The join QR code.
    pub qr_svg_url: String,
    /// The follow-from-home view (线上旁听), for the people who could not come.
    #[serde(default)]
    pub follow_url: String,
}

/// Body of `POST /api/meetings/{id}/join`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct JoinRequest {
    /// The invite code from the join link (`?i=`).
    pub invite: String,
    /// Display name; empty or absent for 匿名.
    #[serde(default)]
    pub name: Option<String>,
    /// 协商主体 category.
    pub category: String,
    /// Whether the name may appear in published minutes.
    #[serde(default)]
    pub publish_name: bool,
    /// The token this device held in this meeting before, if any (the page
    /// keeps it when it is refused): a device whose person was removed with
    /// a ban may not join again, from whatever address.
    #[serde(default)]
    pub previous_token: Option<String>,
}

/// Answer to a join.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct JoinResponse {
    /// The new participant's id.
    pub participant: ParticipantId,
    /// Their personal token: keep it on the phone.
    pub token: String,
}

/// The minutes with where they stand.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct MinutesDoc {
    /// Draft, in notice, disputed or filed.
    pub status: MinutesStatus,
    /// The version shown (none: the draft).
    pub version: Option<u32>,
    /// Every published version.
    pub versions: Vec<u32>,
    /// Every published version with its date and, for a correction, why it was made.
    #[serde(default)]
    pub history: Vec<VersionLine>,
    /// When the shown version was published, server ms.
    pub published_at: Option<u64>,
    /// End of its notice period, server ms.
    pub notice_until: Option<u64>,
    /// The minutes.
    pub minutes: Minutes,
    /// Objections, with answers (not those the moderator marked as spam).
    pub objections: Vec<Objection>,
    /// How many objections the moderator marked as spam (kept in the
    /// record, not shown here, not counted).
    #[serde(default)]
    pub spam_objections: usize,
}

/// One published version as the public page lists it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct VersionLine {
    /// Version number.
    pub version: u32,
    /// Published at, server ms.
    pub at: u64,
    /// End of its notice period, server ms.
    pub notice_until: u64,
    /// Why this correction was made (none for version 1).
    pub reason: Option<String>,
}

/// Body of `POST /api/meetings/{id}/objections`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ObjectionRequest {
    /// The topic objected to.
    #[serde(default)]
    pub topic: Option<TopicId>,
    /// The objection.
    pub text: String,
    /// Who (optional).
    #[serde(default)]
    pub name: Option<String>,
}

/// `POST /api/meetings/{id}/outside-opinions`: an opinion from someone not in
/// the courtyard, unnamed: before the meeting (会前), or from the follow view
/// while it runs (线上) when the moderator allows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutsideOpinion {
    /// The opinion or question.
    pub text: String,
    /// Support, oppose, suggestion or question.
    #[serde(default)]
    pub stance: Option<crate::model::Stance>,
    /// The topic it was written under (the one on the screen); absent: the
    /// open one; `null`: the meeting as a whole.
    #[serde(
        default,
        deserialize_with = "crate::command::present",
        skip_serializing_if = "Option::is_none"
    )]
    pub topic: Option<Option<TopicId>>,
}

/// Answer to an [`OutsideOpinion`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutsideOpinionSent {
    /// The opinion's number.
    pub opinion: Option<u32>,
    /// It waits for a recorder's approval before others see it.
    pub held: bool,
}

/// `GET /api/meetings/{id}/followers`: how many follow from home (线上 N人).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Followers {
    /// Connections of the follow view now.
    pub followers: u32,
}

/// An entry as listed, with whether it is overdue today.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct EntryView {
    /// The entry.
    #[serde(flatten)]
    pub entry: LedgerEntry,
    /// Past its deadline and not done (逾期).
    pub overdue: bool,
}

/// A new entry typed in by hand (收集问题).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct NewEntry {
    /// Title.
    pub title: String,
    /// Description.
    #[serde(default)]
    pub description: String,
    /// Category.
    #[serde(default)]
    pub category: String,
    /// Responsible person or department.
    #[serde(default)]
    pub responsible: String,
    /// Deadline `YYYY-MM-DD`.
    #[serde(default)]
    pub deadline: Option<String>,
    /// Who collected it.
    #[serde(default)]
    pub collected_by: Option<String>,
    /// Who types it in (the name kept on that device).
    #[serde(default)]
    pub by: Option<String>,
    /// The community it belongs to, on a server that has communities (an
    /// organiser of one community may leave it out).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub community: Option<String>,
}

/// A progress update, status change or reassignment.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct EntryUpdate {
    /// New status.
    #[serde(default)]
    pub status: Option<LedgerStatus>,
    /// What happened.
    pub note: String,
    /// Who writes (required: the history says who changed what).
    #[serde(default)]
    pub by: Option<String>,
    /// New responsible person or department.
    #[serde(default)]
    pub responsible: Option<String>,
    /// New deadline.
    #[serde(default)]
    pub deadline: Option<String>,
    /// Photos of this step (ids from `POST /api/photos`), at most three.
    #[serde(default)]
    pub photos: Vec<String>,
}

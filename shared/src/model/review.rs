//! Reviews (回顾) of earlier commitments, rated by attendees from their phones.

use serde::{Deserialize, Serialize};

/// A resident's rating of how a commitment was kept (回顾).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Rating {
    /// 满意
    Satisfied,
    /// 基本满意
    Fair,
    /// 不满意
    Unsatisfied,
}

impl Rating {
    /// All, in the order shown.
    pub const ALL: [Rating; 3] = [Rating::Satisfied, Rating::Fair, Rating::Unsatisfied];

    /// The Chinese label.
    pub fn zh(self) -> &'static str {
        match self {
            Rating::Satisfied => "满意",
            Rating::Fair => "基本满意",
            Rating::Unsatisfied => "不满意",
        }
    }
}

/// What is reviewed: an issue-ledger entry as it stood when the review opened.
/// Filled in by the server from the ledger, never by a client.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewSubject {
    /// Ledger entry number.
    pub entry: u32,
    /// What was promised or asked.
    pub title: String,
    /// Responsible person or department.
    pub responsible: String,
    /// Deadline, `YYYY-MM-DD`.
    pub deadline: Option<String>,
    /// Status then (Chinese label).
    pub status: String,
    /// The latest progress note.
    pub progress: String,
}

/// One rating, under an unlinkable key like a secret ballot: a resident can
/// say 不满意 about an official's work without it being tied to them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SealedRating {
    /// Unlinkable key (one per attendee and review).
    pub key: String,
    /// The rating.
    pub rating: Rating,
}

/// A review (回顾) of an earlier commitment, rated by attendees from their phones.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Review {
    /// Id.
    pub id: crate::ids::ReviewId,
    /// The ledger entry reviewed.
    pub subject: ReviewSubject,
    /// Open for ratings.
    pub open: bool,
    /// Server time opened, ms.
    pub opened_at: u64,
    /// Server time closed, ms.
    pub closed_at: Option<u64>,
    /// Ratings, one per attendee (the latest counts).
    pub ratings: Vec<SealedRating>,
}

impl Review {
    /// Count per rating, in [`Rating::ALL`] order.
    pub fn counts(&self) -> [u32; 3] {
        let mut out = [0; 3];
        for r in &self.ratings {
            out[Rating::ALL.iter().position(|x| *x == r.rating).unwrap_or(0)] += 1;
        }
        out
    }
}

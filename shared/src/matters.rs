//! Matters residents bring between meetings (听群众说事): written on a phone
//! from the community's public "反映问题" page, then accepted into the issue
//! ledger, merged into an entry already there, or declined with a reason by
//! the organiser. Nothing a resident sends is public until it is accepted;
//! the name and phone number they may leave never are.

use serde::{Deserialize, Serialize};

/// Where a matter stands, as its submitter's follow link shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum MatterStatus {
    /// 待处理 — received, not yet looked at.
    New,
    /// 已受理 — accepted into the ledger as this entry (待议).
    Accepted {
        /// The ledger entry.
        entry: u32,
    },
    /// 已合并 — the same matter was in the ledger already: this entry.
    Merged {
        /// The ledger entry.
        entry: u32,
    },
    /// 不予受理 — declined, with the reason the submitter reads.
    Declined {
        /// Why.
        reason: String,
    },
    /// 已隐藏 — hidden by the organiser (abuse, a duplicate sent twice).
    Hidden,
}

impl MatterStatus {
    /// The ledger entry it became, if any.
    pub fn entry(&self) -> Option<u32> {
        match self {
            MatterStatus::Accepted { entry } | MatterStatus::Merged { entry } => Some(*entry),
            _ => None,
        }
    }

    /// The Chinese label.
    pub fn zh(&self) -> &'static str {
        match self {
            MatterStatus::New => "待处理",
            MatterStatus::Accepted { .. } => "已受理",
            MatterStatus::Merged { .. } => "已合并",
            MatterStatus::Declined { .. } => "不予受理",
            MatterStatus::Hidden => "已隐藏",
        }
    }
}

/// A matter as the organiser's inbox shows it (with the contact the
/// resident left, which only the committee sees).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Matter {
    /// Number, from 1, on this server.
    pub id: u32,
    /// The community it was sent to; none on a server without communities.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub community: Option<String>,
    /// What the resident wrote.
    pub text: String,
    /// Category (one of the community's, or 其他).
    pub category: String,
    /// Where (building, unit), if given.
    #[serde(default)]
    pub place: String,
    /// Photo ids (`/photos/{id}.jpg`), already stripped and resized.
    #[serde(default)]
    pub photos: Vec<String>,
    /// A name left for the committee (never published).
    #[serde(default)]
    pub contact_name: String,
    /// A phone number left for the committee (never published).
    #[serde(default)]
    pub contact_phone: String,
    /// Server time received, ms.
    pub at: u64,
    /// Where it stands.
    pub status: MatterStatus,
    /// When and by whom it was decided.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decided: Option<(u64, String)>,
}

/// `POST /api/matters` as JSON (the page's form sends the same fields as
/// `multipart/form-data`, with `photo` files).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewMatter {
    /// The community (`?c=` of the page); none on a server without communities.
    #[serde(default)]
    pub community: Option<String>,
    /// What the matter is.
    pub text: String,
    /// Category.
    #[serde(default)]
    pub category: String,
    /// Where (building, unit).
    #[serde(default)]
    pub place: String,
    /// A name for the committee.
    #[serde(default)]
    pub contact_name: String,
    /// A phone number for the committee.
    #[serde(default)]
    pub contact_phone: String,
}

/// `201` answer to a submission.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MatterReceipt {
    /// Its number.
    pub id: u32,
    /// The private link that shows its status to the submitter only.
    pub follow_url: String,
}

/// What the organiser decides about a matter (`POST /api/matters/{id}/decision`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum MatterDecision {
    /// Into the ledger as a new entry (待议), under this title and category.
    Accept {
        /// The entry's title (a short line; the resident's text becomes its description).
        title: String,
        /// Its category; the resident's when empty.
        #[serde(default)]
        category: String,
        /// Who decides (the history names them).
        #[serde(default)]
        by: Option<String>,
    },
    /// Onto an entry already in the ledger.
    Merge {
        /// The entry.
        entry: u32,
        /// Who decides.
        #[serde(default)]
        by: Option<String>,
    },
    /// Declined, with a reason the submitter reads.
    Decline {
        /// Why.
        reason: String,
        /// Who decides.
        #[serde(default)]
        by: Option<String>,
    },
    /// Hidden (abuse).
    Hide {
        /// Who decides.
        #[serde(default)]
        by: Option<String>,
    },
}

/// An uploaded photo (`POST /api/photos`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PhotoReceipt {
    /// Its id, to name in a progress line's `photos`.
    pub id: String,
    /// Where it is shown.
    pub url: String,
    /// Its size as stored.
    pub width: u32,
    /// Its size as stored.
    pub height: u32,
}

/// The categories a resident chooses from: a meeting's default opinion
/// categories, so a matter keeps its category from the phone through the
/// meeting's agenda to the ledger and its reports.
pub const MATTER_CATEGORIES: &[&str] = crate::model::DEFAULT_OPINION_CATEGORIES;

/// The URL of a stored photo.
pub fn photo_url(id: &str) -> String {
    format!("/photos/{id}.jpg")
}

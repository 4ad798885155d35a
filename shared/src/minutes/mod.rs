//! The minutes (会议纪要), generated from the meeting's record: a structure
//! (served as JSON), and its Markdown and printable HTML renderings.
//!
//! Privacy: the public version names only the people who agreed to be named
//! when they joined; everyone else appears as their category and a number
//! (居民3), numbered in joining order within the category.
//!
//! The parts live apart so that none of them needs another's dependencies: the
//! stored value ([`Minutes`] and its lines, carried by an event and kept in the
//! state) in `value`; the projection of a meeting's state into minutes in
//! `from_state`; the wording both renderings share in `labels`; the renderings in
//! `markdown` and `html`. This module only declares them and re-exports their
//! public items, so every path under `minutes::` stays as it was.

mod from_state;
mod html;
mod labels;
mod markdown;
pub(crate) mod value;

pub use from_state::{build, public_names, vote_line};
pub use html::{escape, isolate, to_html};
pub use labels::{attendance_note_zh, hidden_zh, outcome_zh, stance_zh, vote_result_zh, NOT_APPROVED, WITHOUT_PHONE};
pub use markdown::{md_escape, to_markdown};
pub use value::{
    CommitmentLine, Minutes, OpinionGroup, OpinionLine, OpinionSection, ReviewLine, SpeakerLine, TopicRecord, VoteLine,
};

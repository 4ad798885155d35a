//! Command + state → event, or a clear error. Pure: the server calls it in the
//! meeting task, then persists and applies the event; the tests call it directly.
//!
//! Order of checks: who may send it (role), then where the meeting is (phase),
//! then the command's own fields and references. A refused command changes nothing.
//!
//! One module per family of commands (`meeting`, `agenda`, `people`, `floor`,
//! `opinions`, `decisions`, `record`, `review`): [`decide`] makes the checks
//! every command goes through (the actor, the public, the ended meeting), then
//! hands the command to its family, whose checks follow in the same order as
//! before. What the families share is in `checks` (who, where, what) and `text`
//! (cleaning what people type). This module declares them, re-exports the
//! public functions at their old paths, and holds [`decide`] itself.

mod agenda;
mod checks;
mod decisions;
mod floor;
mod meeting;
mod opinions;
mod people;
mod record;
mod review;
mod text;

pub use meeting::create_meeting;
pub use people::join;
pub use text::{clean_text, date};

use self::checks::{check_actor, Decision};
use crate::command::{Actor, Command, Family};
use crate::error::{CommandError, ErrorCode};
use crate::model::Phase;
use crate::state::MeetingState;

/// Decides whether `actor` may run `cmd` on `state`, and what event it becomes.
pub fn decide(state: &MeetingState, actor: Actor, cmd: &Command) -> Decision {
    check_actor(state, actor)?;
    // Anyone may object to published minutes, and send an opinion from the
    // notice page before the meeting (会前: `opinions` checks it is before).
    if actor == Actor::Public && !matches!(cmd, Command::FileObjection { .. } | Command::SubmitOpinion { .. }) {
        return Err(CommandError::forbidden("join the meeting to do this"));
    }
    if state.phase == Phase::Ended && !cmd.allowed_after_end() {
        return Err(CommandError::new(ErrorCode::MeetingEnded, "the meeting has ended"));
    }
    match cmd.family() {
        Family::Meeting => meeting::decide(state, actor, cmd),
        Family::Agenda => agenda::decide(state, actor, cmd),
        Family::People => people::decide(state, actor, cmd),
        Family::Floor => floor::decide(state, actor, cmd),
        Family::Opinions => opinions::decide(state, actor, cmd),
        Family::Decisions => decisions::decide(state, actor, cmd),
        Family::Record => record::decide(state, actor, cmd),
        Family::Review => review::decide(state, actor, cmd),
    }
}

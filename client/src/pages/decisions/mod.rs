//! Votes, outcomes and commitments: the attendee's ballot, the projector's
//! bars, and the moderator's controls (open a vote, count hands, close it,
//! record the outcome and commitments, publish the minutes, fill the ledger).
//!
//! - [`votes`]: labels and results, the bars, the ballots, closed votes' results.
//! - [`panel`]: the moderator's decisions panel (open, count hands, close).
//! - [`outcome`]: a topic's outcome.
//! - [`commitments`]: commitments and the opinions they answer.
//! - [`publish`]: publishing the minutes, objections, feeding the ledger.

pub mod commitments;
pub mod outcome;
pub mod panel;
pub mod publish;
pub mod votes;

pub use commitments::CommitmentForm;
pub use panel::{DecisionsPanel, VotesExceedAttendance};
pub use publish::PublishForm;
pub use votes::{labels, result_text, Ballots, ClosedVotes, VoteBars};

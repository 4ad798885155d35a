//! The pages residents open between meetings, drawn by the server with no
//! script: the community's "反映问题" form, its printable notice and the
//! submitter's follow page ([`report`]); the community's public ledger with
//! its photos and 附议 ([`public`]); a meeting's notice with its opinions
//! before the meeting ([`notice`]); what they share ([`shell`]).

pub mod notice;
pub mod public;
pub mod report;
pub mod shell;

//! The pages residents open between meetings, drawn by the server with no
//! script: the community's "反映问题" form, its printable notice and the
//! submitter's follow page ([`report`]); the community's public ledger with
//! its photos and 附议 ([`public`]); what they share ([`shell`]).

pub mod public;
pub mod report;
pub mod shell;

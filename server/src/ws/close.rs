//! The close codes a connection ends with (4000–4999 are the application's
//! own; the table is in docs/protocol.md).

pub const UNAUTHENTICATED: u16 = 4001;
pub const REMOVED: u16 = 4003;
pub const NOT_FOUND: u16 = 4004;
pub const GOING_AWAY: u16 = 1001;
pub const POLICY: u16 = 1008;
pub const TOO_BIG: u16 = 1009;

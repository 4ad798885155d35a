//! A courtyard laptop's meetings and ledger carried to its district, and
//! the district's open matters carried back (`babahui sync`).
//!
//! # Layout
//! - `chain`: the hash chain that proves a district's copy is a prefix of
//!   the laptop's log; the id a copy gets on the district.
//! - `merge`: ledger entries merged by their history lines.
//! - `district`: what the district does with what a laptop sends.
//! - `laptop`: what a laptop sends and takes back, over HTTP.
//! - `wire`: the bodies they exchange.

pub mod chain;
pub mod district;
pub mod laptop;
pub mod merge;
pub mod wire;

pub use district::Inbox;
pub use laptop::{sync_to, Report};

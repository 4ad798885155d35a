//! A meeting's door: who may come in again, and how fast one person may
//! post. Kept in the meeting task's memory only — addresses are not part of
//! the record and are never stored — so a restart (rare, and visible) lifts a
//! ban.

use crate::rate::{PerKey, Rate};
use babahui_shared::ParticipantId;
use std::collections::{HashMap, HashSet};
use std::net::IpAddr;
use std::time::Duration;

/// Addresses remembered per participant (a phone moving between Wi-Fi and
/// mobile data has a few; more is a script).
const ADDRESSES_PER_PARTICIPANT: usize = 4;

/// The rules of the door.
#[derive(Debug, Clone, Copy)]
pub struct DoorRules {
    /// Loopback is this machine or a reverse proxy in front (everyone): never banned.
    pub exempt_loopback: bool,
    /// Opinions one participant may post in their own name.
    pub opinions_per_participant: Rate,
}

impl Default for DoorRules {
    fn default() -> Self {
        DoorRules {
            exempt_loopback: true,
            opinions_per_participant: Rate::one_every(Duration::from_secs(6), 10),
        }
    }
}

/// One meeting's door.
#[derive(Debug)]
pub struct Door {
    rules: DoorRules,
    /// Where each participant joined and connected from.
    seen: HashMap<ParticipantId, Vec<IpAddr>>,
    /// Addresses the moderator banned.
    banned: HashSet<IpAddr>,
    opinions: PerKey<ParticipantId>,
}

impl Default for Door {
    fn default() -> Self {
        Door::new(DoorRules::default())
    }
}

impl Door {
    /// An open door.
    pub fn new(rules: DoorRules) -> Door {
        Door {
            rules,
            seen: HashMap::new(),
            banned: HashSet::new(),
            opinions: PerKey::new(rules.opinions_per_participant),
        }
    }

    /// `participant` joined or connected from `ip`.
    pub fn saw(&mut self, participant: ParticipantId, ip: IpAddr) {
        let seen = self.seen.entry(participant).or_default();
        if !seen.contains(&ip) {
            if seen.len() >= ADDRESSES_PER_PARTICIPANT {
                seen.remove(0);
            }
            seen.push(ip);
        }
    }

    /// Bans every address `participant` joined or connected from — whether or
    /// not a socket of theirs is open now.
    pub fn ban(&mut self, participant: ParticipantId) {
        let exempt = self.rules.exempt_loopback;
        for ip in self.seen.remove(&participant).unwrap_or_default() {
            if !(exempt && ip.is_loopback()) {
                self.banned.insert(ip);
            }
        }
    }

    /// Whether `ip` may join.
    pub fn is_banned(&self, ip: IpAddr) -> bool {
        self.banned.contains(&ip)
    }

    /// Takes one of `participant`'s opinion tokens, or says how long to wait.
    pub fn opinion(&self, participant: ParticipantId) -> Result<(), Duration> {
        self.opinions.take(&participant)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_ban_covers_every_address_the_participant_came_from_but_loopback() {
        let mut door = Door::default();
        let (wifi, data, lo): (IpAddr, IpAddr, IpAddr) = (
            "192.0.2.7".parse().unwrap(),
            "198.51.100.9".parse().unwrap(),
            "127.0.0.1".parse().unwrap(),
        );
        door.saw(ParticipantId(1), wifi);
        door.saw(ParticipantId(1), data);
        door.saw(ParticipantId(1), lo);
        door.saw(ParticipantId(2), "192.0.2.8".parse().unwrap());
        door.ban(ParticipantId(1));
        assert!(door.is_banned(wifi) && door.is_banned(data));
        assert!(!door.is_banned(lo), "loopback is everyone behind a proxy");
        assert!(!door.is_banned("192.0.2.8".parse().unwrap()));
    }
}

//! Tallies and pass rules. Phone ballots and the show-of-hands count are kept
//! apart and added for the result; the rule applies to all votes cast.

use crate::model::{PassRule, Vote, VoteKind};
use serde::{Deserialize, Serialize};

/// A vote's count and result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tally {
    /// Phone ballots per choice.
    pub phones: Vec<u32>,
    /// Show-of-hands per choice (zeros when none was counted).
    pub hands: Vec<u32>,
    /// Both, per choice.
    pub total: Vec<u32>,
    /// All votes cast.
    pub cast: u32,
    /// Whether the quorum (if any) is met.
    pub quorum_met: bool,
    /// For yes/no: whether it passed. For a choice: whether the leading option
    /// passed the rule (a tie for the lead never passes).
    pub passed: bool,
    /// For a choice: the leading option, if there is a single one.
    pub leader: Option<usize>,
}

/// Counts a vote and applies its rule.
pub fn tally(vote: &Vote) -> Tally {
    let n = vote.kind.choices();
    let mut phones = vec![0u32; n];
    let choices = vote
        .named
        .iter()
        .map(|b| b.choice)
        .chain(vote.sealed.iter().map(|b| b.choice));
    for c in choices {
        if let Some(slot) = phones.get_mut(c as usize) {
            *slot += 1;
        }
    }
    let hands = vote
        .hands
        .clone()
        .filter(|h| h.len() == n)
        .unwrap_or_else(|| vec![0; n]);
    let total: Vec<u32> = phones.iter().zip(&hands).map(|(a, b)| a + b).collect();
    let cast: u32 = total.iter().sum();
    let quorum_met = vote.quorum.is_none_or(|q| cast >= q);
    let (support, leader) = match &vote.kind {
        VoteKind::YesNo => (total[0], None),
        VoteKind::Choice(_) => {
            let max = total.iter().copied().max().unwrap_or(0);
            let leaders: Vec<usize> = (0..n).filter(|i| total[*i] == max).collect();
            match leaders.as_slice() {
                [one] if max > 0 => (max, Some(*one)),
                _ => (0, None),
            }
        }
    };
    let passed = quorum_met && cast > 0 && meets(vote.rule, support, cast);
    Tally {
        phones,
        hands,
        total,
        cast,
        quorum_met,
        passed,
        leader,
    }
}

/// Whether `support` of `cast` meets `rule` (integer arithmetic: no rounding at the edges).
pub fn meets(rule: PassRule, support: u32, cast: u32) -> bool {
    let (s, c) = (u64::from(support), u64::from(cast));
    match rule {
        PassRule::Majority => s * 2 > c,
        PassRule::TwoThirds => s * 3 >= c * 2,
        PassRule::Share(p) => s * 100 >= c * u64::from(p),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_at_their_edges() {
        assert!(!meets(PassRule::Majority, 5, 10), "a tie is not a majority");
        assert!(meets(PassRule::Majority, 6, 11));
        assert!(meets(PassRule::TwoThirds, 2, 3));
        assert!(!meets(PassRule::TwoThirds, 66, 100));
        assert!(meets(PassRule::TwoThirds, 67, 100));
        assert!(meets(PassRule::Share(90), 9, 10), "exactly 90% meets a 90% rule");
        assert!(!meets(PassRule::Share(90), 89, 99), "89.9% does not");
        assert!(meets(PassRule::Share(90), 90, 100));
    }
}

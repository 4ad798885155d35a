//! The meeting as a whole: how it is set up, where it is (phase), its settings
//! and the courtyard's Wi-Fi, with the default category lists.

use super::agenda::NewTopic;
use serde::{Deserialize, Serialize};

/// Default opinion categories (seed 002's five, plus environment from seed 004
/// and a catch-all). Configurable per meeting.
pub const DEFAULT_OPINION_CATEGORIES: &[&str] = &[
    "基础设施",
    "物业管理",
    "市民素质",
    "治安防范",
    "社区服务",
    "环境卫生",
    "其他",
];

/// Default attendee categories (协商主体). Configurable per meeting.
pub const DEFAULT_ATTENDEE_CATEGORIES: &[&str] = &[
    "居民",
    "居民代表",
    "党员",
    "两委成员",
    "物业",
    "业委会",
    "驻区单位",
    "政府部门",
    "专家",
    "其他",
];

/// Where the meeting as a whole is: 未开始 → 进行中 → 已结束.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    /// 未开始
    #[default]
    NotStarted,
    /// 进行中
    Running,
    /// 已结束
    Ended,
}

/// What the organiser sends to create a meeting (the body of `POST /api/meetings`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MeetingSetup {
    /// Title.
    pub title: String,
    /// Place.
    #[serde(default)]
    pub place: String,
    /// Start time as text.
    #[serde(default)]
    pub starts_at: Option<String>,
    /// Agenda.
    #[serde(default)]
    pub agenda: Vec<NewTopic>,
    /// Opinion categories (empty: defaults).
    #[serde(default)]
    pub opinion_categories: Vec<String>,
    /// 协商主体 categories (empty: defaults).
    #[serde(default)]
    pub attendee_categories: Vec<String>,
    /// The courtyard's Wi-Fi, for a join-the-network QR code on the projector.
    #[serde(default)]
    pub wifi: Option<Wifi>,
    /// Who is invited to respond (units, officials: 物业公司、街道城管科), as the notice names them.
    #[serde(default)]
    pub invited: String,
    /// Who moderates (e.g. 社区书记 李红): printed in the minutes as 主持人.
    #[serde(default)]
    pub moderator_name: Option<String>,
    /// The community it is for (社区), on a server that has communities: an
    /// organiser acting for one community may leave it out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub community: Option<String>,
}

/// The courtyard's Wi-Fi, shown on the projector as a join-the-network QR code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Wifi {
    /// Network name.
    pub ssid: String,
    /// Password; empty for an open network.
    #[serde(default)]
    pub password: String,
    /// The projector shows the QR code only, not the password as text (the
    /// code still carries it: a phone that scans it joins).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub hide_password: bool,
}

impl Wifi {
    /// The standard `WIFI:` QR text (as phone cameras read it), with `\ ; , : "` escaped.
    pub fn qr_text(&self) -> String {
        fn esc(s: &str) -> String {
            s.chars()
                .flat_map(|c| match c {
                    '\\' | ';' | ',' | ':' | '"' => vec!['\\', c],
                    c => vec![c],
                })
                .collect()
        }
        if self.password.is_empty() {
            format!("WIFI:T:nopass;S:{};;", esc(&self.ssid))
        } else {
            format!("WIFI:T:WPA;S:{};P:{};;", esc(&self.ssid), esc(&self.password))
        }
    }
}

/// Meeting-wide settings the moderator can change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Settings {
    /// Default speaking limit, seconds.
    pub speaking_limit_secs: u32,
    /// People who have not yet spoken on the topic go ahead of repeat speakers.
    pub first_timers_first: bool,
    /// Opinions sent from phones wait for a recorder's approval before they
    /// reach the projector and other phones (their author sees them at once).
    #[serde(default)]
    pub hold_opinions: bool,
    /// People following from home (线上旁听) may send opinions, marked 线上.
    /// Off unless the moderator turns it on.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub online_opinions: bool,
    /// The projector reads each new opinion aloud through the room's speaker
    /// (朗读; a voice opinion plays its recording). Off unless turned on.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub read_aloud: bool,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            speaking_limit_secs: crate::limits::DEFAULT_SPEAKING_LIMIT_SECS,
            first_timers_first: true,
            hold_opinions: false,
            online_opinions: false,
            read_aloud: false,
        }
    }
}

//! The words of the server-drawn phone page, Chinese and English. Like the
//! application, the page is in Chinese unless the person chose English (its
//! 中文/English link, or the application's switch: both keep the choice in the
//! `bbh_lang` cookie). The application has its own table
//! (`client/src/i18n.rs`); these are the same words, for the few things this
//! page says.

use axum::http::HeaderMap;

/// The cookie that holds the person's choice of language.
pub const COOKIE: &str = "bbh_lang";

/// The page's language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    /// 中文 (the default).
    Zh,
    /// English.
    En,
}

impl Lang {
    /// The language the person chose (the `bbh_lang` cookie); Chinese otherwise.
    pub fn of(headers: &HeaderMap) -> Lang {
        Lang::named(crate::http::access::cookie_value(headers, COOKIE).unwrap_or_default()).unwrap_or(Lang::Zh)
    }

    /// `en` or `zh`.
    pub fn named(name: &str) -> Option<Lang> {
        match name {
            "en" => Some(Lang::En),
            "zh" => Some(Lang::Zh),
            _ => None,
        }
    }

    /// The cookie that keeps this choice (for every page of the server).
    pub fn cookie(self) -> String {
        let name = match self {
            Lang::Zh => "zh",
            Lang::En => "en",
        };
        format!("{COOKIE}={name}; Path=/; Max-Age=31536000; SameSite=Lax")
    }

    /// The link that switches to the other language, and its words.
    pub fn other(self) -> (&'static str, &'static str) {
        match self {
            Lang::Zh => ("en", "English"),
            Lang::En => ("zh", "中文"),
        }
    }

    /// The `lang` attribute of the page.
    pub fn tag(self) -> &'static str {
        match self {
            Lang::Zh => "zh-CN",
            Lang::En => "en",
        }
    }

    /// `zh` or `en`.
    pub fn pick(self, zh: &'static str, en: &'static str) -> &'static str {
        match self {
            Lang::Zh => zh,
            Lang::En => en,
        }
    }

    /// A label and its text: a full-width colon in Chinese.
    pub fn colon(self) -> &'static str {
        self.pick("：", ": ")
    }

    /// One of the page's words.
    pub fn t(self, key: Word) -> &'static str {
        let (zh, en) = match key {
            Word::JoinTitle => ("加入会议", "Join the meeting"),
            Word::YourName => ("称呼（可不填）", "Your name (optional)"),
            Word::YourCategory => ("身份", "You are"),
            Word::PublishName => (
                "可以公开我的名字（投屏、其他人的手机、线上旁听和会议纪要）。不勾选时，大家看到的是身份加编号（如“居民3”）。",
                "My name may be shown publicly (projector, other phones, people following online, the minutes). If unticked, others see my category and a number (e.g. Resident 3).",
            ),
            Word::Join => ("加入", "Join"),
            Word::Joined => ("已加入", "Joined as"),
            Word::RaiseHand => ("举手发言", "Raise hand"),
            Word::LowerHand => ("放下", "Lower hand"),
            Word::YourPlace => ("您排在第 {n} 位", "You are number {n} in the queue"),
            Word::YourTurn => ("轮到您发言了", "It is your turn to speak"),
            Word::HandsAfterStart => ("会议开始、议题开始后可以举手", "You can raise your hand once a topic is open"),
            Word::WriteOpinion => ("写下您的意见", "Write your opinion"),
            Word::StanceOptional => ("您的态度（可不选）", "Your stance (optional)"),
            Word::CategoryOptional => ("意见分类（可不选）", "Kind of opinion (optional)"),
            Word::Submit => ("提交意见", "Send opinion"),
            Word::OpinionSent => ("意见已提交 ✓", "Opinion sent ✓"),
            Word::VoiceLabel => (
                "不会打字？说一段语音（1分钟内），记录员会写下来",
                "Rather not type? Record what you want to say (up to a minute); the recorder writes it down",
            ),
            Word::SendVoice => ("发送语音", "Send the recording"),
            Word::VoiceSent => ("语音已发送 ✓", "Recording sent ✓"),
            Word::VoicePending => ("语音意见，待转写", "Spoken opinion, not yet written down"),
            Word::HandRaised => ("已举手 ✓", "Hand raised ✓"),
            Word::HandLowered => ("已放下", "Hand lowered"),
            Word::Voted => ("已投票 ✓（表决结束前可以改）", "Vote cast ✓ (you may change it until the vote closes)"),
            Word::Vote => ("表决", "Vote"),
            Word::Secret => ("无记名", "secret ballot"),
            Word::Results => ("表决结果", "Vote results"),
            Word::Refresh => ("刷新，看最新情况", "Reload for the latest"),
            Word::NoScriptNote => (
                "这是简易页面：举手、提交意见和投票都可以用；其他人的新意见请点“刷新”查看。",
                "This is the simple page: you can raise your hand, send opinions and vote; reload to see what others added.",
            ),
            Word::Ended => ("会议已结束", "The meeting has ended"),
            Word::ReadMinutes => ("查看会议纪要", "Read the minutes"),
            Word::JoinAgain => ("身份已失效，请重新加入", "Please join again"),
            Word::Yes => ("赞成", "Yes"),
            Word::No => ("反对", "No"),
            Word::Abstain => ("弃权", "Abstain"),
            Word::Support => ("支持", "Support"),
            Word::Oppose => ("反对", "Oppose"),
            Word::Suggest => ("建议", "Suggestion"),
            Word::Question => ("疑问", "Question"),
            Word::Passed => ("通过", "Passed"),
            Word::NotPassed => ("未通过", "Not passed"),
            Word::NoQuorum => ("未达法定人数", "Quorum not reached"),
            Word::Tie => ("平票，未形成多数", "A tie: no majority"),
            Word::ForeignPage => ("请从会议页面提交", "Please send this from the meeting's page"),
            Word::Named => ("记名表决：会记录您选了什么", "Named vote: your choice is recorded with your name"),
            Word::TopicChanged => (
                "议题已经换成「{topic}」。您的这条意见是说哪个议题的？",
                "The topic has changed to “{topic}”. Which topic is your opinion about?",
            ),
            Word::UnderTopic => ("说的是「{topic}」", "About “{topic}”"),
            Word::UnderEarlierTopic => ("说的是上一个议题「{topic}」", "About the earlier topic “{topic}”"),
            Word::Opinions => ("大家的意见", "Everyone's opinions"),
            Word::Me => ("我", "Me"),
            Word::Anonymous => ("匿名", "Anonymous"),
            Word::Seconds => ("附议", "seconded by"),
            Word::Second => ("附议（我也这么想）", "Second (I agree)"),
            Word::Seconded => ("已附议 ✓", "Seconded ✓"),
            Word::WhatWasDecided => ("会议结果", "What was decided"),
            Word::NoOutcome => ("未记录协商结果", "No outcome recorded"),
            Word::MinutesToCome => ("会议纪要整理后会在这里公示", "The minutes will be published here"),
        };
        self.pick(zh, en)
    }
}

/// The page's words, by name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[allow(missing_docs)]
pub enum Word {
    JoinTitle,
    YourName,
    YourCategory,
    PublishName,
    Join,
    Joined,
    RaiseHand,
    LowerHand,
    YourPlace,
    YourTurn,
    HandsAfterStart,
    WriteOpinion,
    StanceOptional,
    CategoryOptional,
    Submit,
    OpinionSent,
    HandRaised,
    HandLowered,
    Voted,
    Vote,
    Secret,
    Results,
    Refresh,
    NoScriptNote,
    Ended,
    ReadMinutes,
    JoinAgain,
    Yes,
    No,
    Abstain,
    Support,
    Oppose,
    Suggest,
    Question,
    Passed,
    NotPassed,
    NoQuorum,
    Tie,
    ForeignPage,
    Named,
    TopicChanged,
    UnderTopic,
    UnderEarlierTopic,
    Opinions,
    Me,
    Anonymous,
    Seconds,
    Second,
    Seconded,
    WhatWasDecided,
    NoOutcome,
    MinutesToCome,
    VoiceLabel,
    SendVoice,
    VoiceSent,
    VoicePending,
}

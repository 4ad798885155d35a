//! Chinese (the default) and English. Texts are looked up by key; the language
//! is remembered on the device and switchable on every page.

use crate::storage;
use babahui_shared::{ErrorCode, FloorKind, Phase, Stage, Stance};
use leptos::prelude::*;

/// A display language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    /// 中文 (default)
    Zh,
    /// English
    En,
}

/// The current language, from context.
pub fn lang() -> RwSignal<Lang> {
    use_context::<RwSignal<Lang>>().unwrap_or_else(|| RwSignal::new(Lang::Zh))
}

/// Puts the language signal in context and keeps `<html lang>` in step.
pub fn provide() {
    // The choice, kept in both places; the cookie is the newer when they differ
    // (it is also set by the server-drawn join page's 中文/English link).
    let cookie = js_sys::Reflect::get(&document(), &"cookie".into())
        .ok()
        .and_then(|c| c.as_string())
        .unwrap_or_default();
    let chosen = cookie
        .split(';')
        .find_map(|pair| pair.trim().strip_prefix("bbh_lang=").map(str::to_owned))
        .or_else(|| storage::get("bbh:lang"));
    let initial = if chosen.as_deref() == Some("en") {
        Lang::En
    } else {
        Lang::Zh
    };
    let lang = RwSignal::new(initial);
    provide_context(lang);
    Effect::new(move |_| {
        let l = lang.get();
        let name = if l == Lang::En { "en" } else { "zh" };
        storage::set("bbh:lang", name);
        // The server-drawn join page follows the same choice.
        let cookie = format!("bbh_lang={name}; path=/; max-age=31536000; samesite=lax");
        let _ = js_sys::Reflect::set(&document(), &"cookie".into(), &cookie.into());
        if let Some(html) = document().document_element() {
            let _ = html.set_attribute("lang", if l == Lang::En { "en" } else { "zh-CN" });
        }
    });
}

/// A text in the current language (reactive when called inside a view).
pub fn t(key: &'static str) -> &'static str {
    text(lang().get(), key)
}

/// A count in words: the text of `key` with `{n}` filled in; in English, one
/// thing takes the singular (`{key}_one`: "1 matter", not "1 matters").
pub fn count(key: &'static str, n: usize) -> String {
    let singular = (lang().get() == Lang::En && n == 1)
        .then(|| TEXTS.iter().find(|(k, _, _)| k.strip_suffix("_one") == Some(key)))
        .flatten()
        .map(|(_, _, en)| *en);
    singular.unwrap_or_else(|| t(key)).replace("{n}", &n.to_string())
}

/// A text in `lang`.
pub fn text(lang: Lang, key: &'static str) -> &'static str {
    let (zh, en) = TEXTS
        .iter()
        .find(|(k, _, _)| *k == key)
        .map(|(_, zh, en)| (*zh, *en))
        .unwrap_or((key, key));
    match lang {
        Lang::Zh => zh,
        Lang::En => en,
    }
}

/// (key, 中文, English)
const TEXTS: &[(&str, &str, &str)] = &[
    ("app", "坝坝会", "Babahui"),
    ("lang_switch", "English", "中文"),
    ("online", "已连接", "Connected"),
    ("connecting", "正在连接…", "Connecting…"),
    ("offline", "连接中断，正在重连…", "Offline, reconnecting…"),
    ("unsent", "条待发送", "waiting to send"),
    ("waiting", "待发送", "waiting"),
    ("one_option", "只有一个选项：请至少写两个选项（用顿号分开），或留空表示赞成/反对/弃权。", "Only one option: give at least two (separated by commas), or leave it empty for yes/no/abstain."),
    ("bad_quorum", "法定人数要填一个整数（可不填）。", "The quorum must be a whole number (or empty)."),
    ("confirm_close_vote", "结束表决后结果即为最终结果，不能再投票。确定结束吗？", "Once closed, the result is final and nobody can vote. Close the vote?"),
    ("fed_ledger", "已写入问题台账：{n} 条（新建或更新）", "Written to the ledger: {n} entries (new or updated)"),
    (
        "ledger_read_only",
        "问题台账由社区组织者填写；这里可以查看每件事的办理情况。",
        "The ledger is kept by the community's organiser; here you can follow how each matter is handled.",
    ),
    ("inbox", "居民反映 · 待处理", "Residents' reports · to handle"),
    ("before_meeting_opinions", "会前意见", "Sent before the meeting"),
    ("reports_waiting", "居民反映了 {n} 个问题，等待处理。", "{n} residents' reports are waiting."),
    ("reports_waiting_one", "居民反映了 1 个问题，等待处理。", "1 resident's report is waiting."),
    ("handle_reports", "去处理", "Handle them"),
    ("notice_link", "会前通报（可打印）", "Meeting notice (printable)"),
    ("invited", "受邀回应的单位和人员（可不填）", "Invited to respond: units, officials (optional)"),
    ("invited_hint", "如：物业公司 王经理、街道城管科", "e.g. the property company, the street office"),
    ("backgrounds", "议题背景（写在会前通报上，可不填）", "Topics' background (on the notice; optional)"),
    ("inbox_empty", "没有待处理的反映。", "No reports waiting."),
    ("report_page", "反映问题页面", "The report page"),
    ("report_poster", "打印反映问题告示（A4）", "Print the report notice (A4)"),
    ("public_ledger", "公开台账", "Public ledger"),
    ("public_page", "居民看到的公开页面", "The public page residents see"),
    ("matter_no", "第{n}号反映", "Report no. {n}"),
    ("photo", "照片", "Photo"),
    ("contact_left", "留下的联系方式（不公开）：", "Contact left (not public):"),
    ("accept_matter", "受理，列入台账", "Accept into the ledger"),
    ("more_choices", "合并、不予受理或隐藏", "Merge, decline or hide"),
    ("merge_report_into", "合并到台账哪一项（填台账编号，即 # 后的数字）", "Merge into ledger entry (its number after #)"),
    ("merge_matter", "合并", "Merge"),
    ("decline_reason", "不予受理的原因（居民会看到）", "Why it is declined (the resident reads this)"),
    ("decline_matter", "不予受理", "Decline"),
    ("hide_matter", "隐藏（恶意或重复）", "Hide (abuse or duplicate)"),
    ("confirm_hide", "隐藏后，这条反映不会公开，提交人也只看到“不予公开”。确定隐藏吗？", "Once hidden, this report is never public and its sender sees only that it is closed. Hide it?"),
    ("reported", "居民反映", "Raised by a resident"),
    ("seconds", "附议", "Seconded"),
    ("add_photos", "照片（可选，最多3张）", "Photos (optional, up to 3)"),
    ("not_discussed", "未讨论的议题", "Topics not discussed"),
    ("shown_as", "投屏显示为", "shown publicly as "),
    ("objection_text", "异议内容（哪里不对，应当怎样）", "Your objection (what is wrong, and how it should read)"),
    ("objector_name", "您的称呼（可不填；会与异议一起公开）", "Your name (optional; shown publicly with the objection)"),
    ("past_deadline", "这个时限已经过去了。确定要这样记录吗？", "This deadline has already passed. Record it anyway?"),
    (
        "confirm_publish",
        "公示后，纪要对所有人公开，并开始公示期。确定公示吗？",
        "Once published, the minutes are public and the notice period starts. Publish?",
    ),
    ("matter_title", "事项", "Matter"),
    ("before_topics", "会前及议题之间的意见", "Opinions before or between topics"),
    ("versions", "版本记录", "Versions"),
    ("correction", "更正原因", "Correction"),
    ("outcome_text", "协商意见或说明", "The deliberation opinion or a note"),
    ("rests_on_vote", "依据的表决", "Based on the vote"),
    ("no_vote", "（不依据表决）", "(no vote)"),
    ("published_version", "已公示第{v}版", "Version {v} published"),
    ("notice_until", "公示至", "notice until"),
    ("publish_correction", "发布更正版", "Publish a correction"),
    ("correction_reason", "更正原因（必填，会公开显示）", "Reason for the correction (required, shown publicly)"),
    (
        "confirm_correction",
        "发布更正版会重新开始公示期，原版本仍会保留并公开。确定发布吗？",
        "A correction restarts the notice period; the earlier version stays public. Publish it?",
    ),
    (
        "organiser_link_needed",
        "这台设备还不能创建会议：请用服务器启动时打印的“组织者链接”（或扫它的二维码）打开本页，或在下面填入组织者密钥。",
        "This device cannot create meetings yet: open this page with the organiser link the server printed when it started (or scan its QR code), or enter the organiser key below.",
    ),
    ("unsettled", "未议定，待再次协商", "not settled, to be taken up again"),
    ("writer_name", "填写人", "Written by"),
    ("writer_hint", "你的姓名或岗位（本设备会记住）", "Your name or post (remembered on this device)"),
    (
        "ledger_key_needed",
        "只有组织者能修改问题台账：请在组织者的设备上，用服务器启动时打印的组织者链接打开本系统。",
        "Only the organiser may change the ledger: open Babahui with the organiser link the server printed when it started, on the organiser's device.",
    ),
    ("mark_ledger", "列入台账", "Add to ledger"),
    ("in_ledger", "已标记列入台账", "Marked for the ledger"),
    ("late", "议题结束后送达", "arrived after its topic closed"),
    ("hand_topic_closed", "你举手时的议题已经结束，这次举手没有保留。如仍想发言，请再举一次手。", "The topic you raised your hand for has closed, so the hand was not kept. Raise it again if you still want to speak."),
    ("rate", "评议", "Rating"),
    ("action", "操作", "action"),
    ("create_title", "创建坝坝会", "Create a meeting"),
    ("title", "会议名称", "Title"),
    ("place", "地点", "Place"),
    ("time", "时间", "Time"),
    ("moderator_name", "主持人姓名（写进纪要）", "Moderator's name (printed in the minutes)"),
    ("moderator_name_hint", "例如：社区书记 李红", "e.g. Li Hong, community secretary"),
    ("agenda", "议程", "Agenda"),
    (
        "agenda_hint",
        "每行一个议题，可在后面写分钟数，如：停车难 15",
        "One topic per line, minutes at the end if you like: Parking 15",
    ),
    ("create", "创建", "Create"),
    ("organiser_key", "组织者密钥", "Organiser key"),
    (
        "key_needed",
        "本服务器需要组织者密钥才能创建会议",
        "This server needs the organiser key to create meetings",
    ),
    ("links", "会议链接", "Links"),
    ("join_link", "参会（扫码）", "Join (scan)"),
    ("moderator_link", "主持人", "Moderator"),
    ("projector_link", "投屏", "Projector"),
    ("my_meetings", "在本设备创建的会议", "Meetings created on this device"),
    ("join_title", "加入会议", "Join the meeting"),
    ("your_name", "称呼（可不填）", "Your name (optional)"),
    ("your_category", "身份", "You are"),
    (
        "publish_name",
        "可以公开我的名字（投屏、其他人的手机、线上旁听和会议纪要）。不勾选时，大家看到的是身份加编号（如“居民3”），只有主持人和记录员看到名字。",
        "My name may be shown publicly (projector, other people's phones, people following online, the minutes). If unticked, others see my category and a number (e.g. Resident 3); only the moderator and the recorder see my name.",
    ),
    ("join", "加入", "Join"),
    ("not_started", "会议未开始", "Not started"),
    ("running", "会议进行中", "In progress"),
    ("ended", "会议已结束", "Ended"),
    ("no_topic", "暂无议题进行", "No topic open"),
    ("speaking", "正在发言", "Speaking"),
    ("response", "回应", "Response"),
    ("follow_up", "追问", "Follow-up"),
    ("raise_hand", "举手发言", "Raise hand"),
    ("lower_hand", "放下", "Lower hand"),
    ("your_place", "您排在第", "You are number"),
    ("queue", "发言排队", "Speaker queue"),
    ("queue_empty", "暂无人排队", "Nobody waiting"),
    ("opinion", "意见建议", "Opinions"),
    ("write_opinion", "写下您的意见", "Write your opinion"),
    ("submit", "提交", "Submit"),
    ("second", "附议", "Second"),
    ("seconded", "已附议", "Seconded"),
    ("hidden", "已隐藏", "Hidden"),
    ("merged_into", "已合并到", "Merged into"),
    ("anonymous", "匿名", "Anonymous"),
    ("start_meeting", "开始会议", "Start meeting"),
    ("end_meeting", "结束会议", "End meeting"),
    ("open_topic", "开始此议题", "Open"),
    ("close_topic", "结束议题", "Close topic"),
    ("call_next", "请下一位", "Call next"),
    ("end_floor", "结束发言", "End turn"),
    ("pause", "暂停", "Pause"),
    ("resume", "继续", "Resume"),
    ("add_minute", "加一分钟", "+1 minute"),
    ("give_floor", "请发言", "Give floor"),
    ("give_response", "请回应", "Respond"),
    ("remove", "移出", "Remove"),
    ("up", "上移", "Move up"),
    ("hide", "隐藏", "Hide"),
    ("attendance", "到会", "Attendance"),
    ("people", "人", "people"),
    ("scan_to_join", "扫码参会", "Scan to join"),
    ("next_up", "接下来", "Next"),
    ("latest", "最新意见", "Latest opinions"),
    ("by_category", "意见分类", "Opinions by category"),
    ("untagged", "未分类", "Untagged"),
    ("minutes_short", "分钟", "min"),
    ("not_found", "找不到这个会议", "No such meeting"),
    (
        "no_token",
        "此链接缺少密钥，请使用组织者给您的完整链接",
        "This link lacks its key; use the full link from the organiser",
    ),
    ("stance", "态度", "Stance"),
    ("now_discussing", "正在讨论", "Now discussing"),
    ("nobody_joined", "还没有人扫码", "Nobody yet"),
    ("stance_optional", "您的态度（可不选）", "Your stance (optional)"),
    ("category_optional", "意见分类（可不选）", "Kind of opinion (optional)"),
    ("category", "分类", "Category"),
    (
        "opinion_categories",
        "意见分类（用顿号或逗号分隔）",
        "Opinion categories (comma separated)",
    ),
    (
        "wifi",
        "现场 Wi-Fi（可选，投屏上显示连接二维码）",
        "Local Wi-Fi (optional, shown as a QR code on the projector)",
    ),
    ("wifi_name", "Wi-Fi 名称", "Wi-Fi name"),
    ("wifi_password", "Wi-Fi 密码", "Wi-Fi password"),
    ("scan_wifi", "扫码连 Wi-Fi", "Scan for Wi-Fi"),
    ("or_type", "或在浏览器输入", "or type"),
    ("print_sheet", "打印参会二维码", "Print the join sheet"),
    ("print", "打印", "Print"),
    (
        "sheet_hint",
        "用微信扫一扫，或手机相机扫码，即可参会。无需下载，无需注册。",
        "Scan with WeChat or your phone camera to join. No app, no account.",
    ),
    (
        "keep_private",
        "主持人链接请勿分享：持有它即可主持会议。投影链接只给投影电脑。",
        "Do not share the moderator link: whoever has it runs the meeting. The projector link is for the projector's computer only.",
    ),
    ("recorder_page", "记录员页面", "Recorder page"),
    ("you_are_recorder", "您是记录员", "You are a recorder"),
    ("you_are_official", "您是回应人", "You are a responding official"),
    (
        "removed",
        "您已被主持人移出会议",
        "The moderator removed you from this meeting",
    ),
    ("rejoin", "重新加入", "Join again"),
    ("next_topic", "下一议题", "Next topic"),
    ("add_topic", "添加议题", "Add topic"),
    ("topic_left", "议题剩余", "Topic time left"),
    ("down", "下移", "Move down"),
    ("officials", "回应人", "Responding officials"),
    ("follow_up_btn", "请追问", "Follow-up"),
    ("settings", "设置", "Settings"),
    ("first_timers", "未发过言的人优先", "First-time speakers first"),
    ("limit", "每人发言时长", "Speaking time per person"),
    ("participants", "参会人员", "Participants"),
    ("make_recorder", "设为记录员", "Make recorder"),
    ("unmake_recorder", "取消记录员", "Remove recorder role"),
    ("make_official", "设为回应人", "Make official"),
    ("unmake_official", "取消回应人", "Remove official role"),
    ("remove_person", "移出会议", "Remove from meeting"),
    (
        "confirm_end",
        "确定结束会议吗？结束后不能再发言、提交意见，未关闭的表决和评议也将一并关闭。",
        "End the meeting? Nobody can speak or submit after this, and any vote or review still open closes with it.",
    ),
    (
        "confirm_remove",
        "确定把此人移出会议吗？",
        "Remove this person from the meeting?",
    ),
    ("all", "全部", "All"),
    ("retag", "改分类", "Re-tag"),
    ("no_speech_yet", "暂无发言记录", "No one has spoken yet"),
    (
        "tidy_after_end",
        "会议已结束，不再登记新意见。仍可整理下面的意见（改分类、合并、隐藏），再由主持人发布纪要。",
        "The meeting has ended: no new opinions. You can still tidy those below (re-tag, merge, hide) before the moderator publishes the minutes.",
    ),
    ("merge_into", "合并到…", "Merge into…"),
    ("hide_reason", "隐藏原因", "Reason for hiding"),
    ("unhide", "恢复显示", "Show again"),
    ("speaking_time", "发言时长（按身份）", "Speaking time by group"),
    ("walk_in", "代登记（无手机的居民）", "Register someone without a phone"),
    ("register", "登记", "Register"),
    ("walk_ins", "代登记的居民", "People registered by the recorder"),
    ("on_behalf", "代谁记录", "On behalf of"),
    (
        "enter_hint",
        "回车提交，Shift+回车换行",
        "Enter submits, Shift+Enter for a new line",
    ),
    (
        "not_recorder",
        "您还不是记录员，请主持人指定。",
        "You are not a recorder yet; ask the moderator.",
    ),
    ("sound_on", "开启提示音", "Turn sound on"),
    ("sound_is_on", "提示音已开启", "Sound on"),
    ("time_up", "时间到", "Time is up"),
    ("reason_default", "不当内容", "Inappropriate"),
    ("vote", "表决", "Vote"),
    ("yes", "赞成", "Yes"),
    ("no", "反对", "No"),
    ("abstain", "弃权", "Abstain"),
    (
        "voted",
        "已投票，可在结束前更改",
        "Voted; you can change it until the vote closes",
    ),
    ("secret_vote", "无记名", "Secret"),
    ("named_vote", "记名", "Named"),
    ("open_vote", "发起表决", "Open a vote"),
    ("question", "表决事项", "Question"),
    (
        "options_hint",
        "选项（留空为赞成/反对/弃权；多个选项用顿号分隔）",
        "Options (empty: yes/no/abstain; separate with commas)",
    ),
    ("rule", "通过规则", "Pass rule"),
    ("majority", "过半数", "Majority"),
    ("two_thirds", "三分之二", "Two thirds"),
    ("quorum", "最少票数（可不填）", "Quorum (optional)"),
    ("hands", "举手票", "Show of hands"),
    ("save_hands", "记录举手票", "Record hands"),
    ("close_vote", "结束表决", "Close vote"),
    ("passed", "通过", "Passed"),
    ("failed", "未通过", "Not passed"),
    ("tied", "平票，未形成多数", "Tied: no majority"),
    ("objection_empty", "请先写下异议的内容", "Write the objection first"),
    (
        "objection_filed",
        "您的异议已提交，列在本页下方“异议及答复”中，等待主持人答复。",
        "Your objection is filed: it is listed under Objections below, awaiting the moderator's answer.",
    ),
    ("most_votes_short_of_rule", "得票最多，未达通过比例", " has the most votes, short of the rule"),
    (
        "confirm_close_without_outcome",
        "这个议题还没有记录协商结果。仍要结束议题吗？（结束后仍可补记）",
        "No outcome is recorded for this topic yet. Close it anyway? (It can still be added afterwards.)",
    ),
    (
        "topics_without_outcome",
        "以下议题还没有记录协商结果（会后仍可补记）：",
        "These topics have no outcome recorded yet (it can still be added afterwards): ",
    ),
    (
        "votes_exceed_attendance",
        "有一次表决共 {v} 票，多于登记到会的 {n} 人：请在「到会」处填写现场未用手机的人数。",
        "A vote has {v} votes, more than the {n} people recorded present: enter the people present without a phone under Attendance.",
    ),
    ("no_quorum", "未达法定人数", "Quorum not reached"),
    ("voting", "表决中", "Voting"),
    ("votes_cast", "票", "votes"),
    ("outcome", "协商结果", "Outcome"),
    ("oc_consensus", "形成共识", "Consensus"),
    ("oc_passed", "表决通过", "Passed by vote"),
    ("oc_failed", "表决未通过", "Not passed by vote"),
    ("oc_dissent", "保留分歧", "Dissent kept on record"),
    ("oc_another_round", "再次协商", "Another round"),
    ("oc_to_assembly", "提交居民会议", "To the residents' assembly"),
    ("dissent", "保留的不同意见", "Dissenting views"),
    ("record", "记录", "Record"),
    ("commitment", "承诺事项", "Commitment"),
    ("responsible", "责任人/部门", "Responsible"),
    ("deadline", "时限", "Deadline"),
    ("minutes", "会议纪要", "Minutes"),
    ("summary", "摘要", "Summary"),
    ("notice_days", "公示天数", "Notice days"),
    ("publish", "公示纪要", "Publish"),
    ("to_ledger", "列入问题台账", "Send to the issue ledger"),
    ("ledger", "问题台账", "Issue ledger"),
    ("log_in", "账号登录", "Log in with an account"),
    (
        "ledger_login_needed",
        "这里的问题台账由街道和社区工作人员登录后查看。",
        "This ledger is for street-office and community staff: log in to see it.",
    ),
    ("community_is", "社区：", "Community: "),
    ("sync_unreachable", "连不上区里的服务器：请检查网络和地址（以 http:// 或 https:// 开头），联网后再试。", "Cannot reach the district's server: check the network and the address (starting with http:// or https://), and try again when online."),
    ("sync_bad_token", "同步令牌不对：请向街道或区里的管理员要一个新的。", "The sync token is not right: ask the district's administrator for a new one."),
    ("sync_wrong_community", "这个同步令牌不属于这个社区编号：请核对社区编号。", "This sync token is for another community: check the community id."),
    ("sync_changed", "区里的会议记录与本机不一致，已拒绝，什么都没有改：请联系区里的管理员。", "The district's copy differs from this laptop's record: refused, nothing changed. Contact the district's administrator."),
    ("sync_title", "同步到区里", "Sync with the district"),
    (
        "sync_hint",
        "笔记本联网时，把已结束的会议和问题台账送到街道/区里的服务器，并取回本社区待办的事项。没有结束的会议不会送出。可以随时重复，不会重复计数。",
        "When this laptop is online: send its ended meetings and ledger to the district's server and take the community's open matters back. Meetings not yet ended are not sent. Repeat at any time; nothing is counted twice.",
    ),
    ("sync_to", "区里服务器地址", "District server address"),
    ("sync_community", "社区编号", "Community id"),
    ("sync_token", "同步令牌", "Sync token"),
    ("sync_now", "现在同步", "Sync now"),
    ("sync_busy", "正在同步…", "Syncing…"),
    ("sync_last", "上次同步", "Last sync"),
    (
        "sync_done",
        "已同步 {m} 场已结束的会议（区里新收到 {e} 条会议内容）；台账送出：新增 {c}，更新 {u}；取回待办：新增 {pc}，更新 {pu}",
        "Synced {m} ended meetings ({e} new items of record reached the district); ledger sent: {c} new, {u} updated; open matters received: {pc} new, {pu} updated",
    ),
    ("administration", "管理", "Administration"),
    ("community", "社区", "Community"),
    ("all_communities", "全部社区", "All communities"),
    ("printable", "打印版", "Printable"),
    ("objections", "异议", "Objections"),
    ("mark_spam", "标为刷屏", "Mark as spam"),
    ("ledger_up_to_date", "问题台账已是最新（公示纪要时已自动写入）", "The ledger is up to date (written when the minutes were published)"),
    ("sp_speak", "发言", "Spoke"),
    ("sp_response", "回应", "Answered"),
    ("sp_follow_up", "追问", "Followed up"),
    ("held_waiting", "有 {n} 条意见等待审核上屏", "{n} opinions waiting for approval"),
    ("held_waiting_one", "有 1 条意见等待审核上屏", "1 opinion waiting for approval"),
    ("my_held_after_end", "未经审核，没有上屏（仍记录在案）", "Not approved, not shown (still on record)"),
    ("edit_details", "修改会议名称、地点、时间", "Correct the title, place or time"),
    ("edit", "修改", "Edit"),
    ("edit_topic", "议题名称", "Topic title"),
    ("confirm_remove_topic", "把这个议题从议程中去掉？", "Take this topic off the agenda?"),
    ("my_commitments", "我的承诺", "My commitments"),
    ("back_to_my_page", "回到我的参会页面（举手、投票）", "Back to my page (hand, ballot)"),
    ("hold_opinions", "手机上的意见先经记录员审核再上屏", "Phone opinions wait for a recorder's approval before the projector"),
    ("held", "待审核，未上屏", "Waiting for approval"),
    ("approve", "通过，上屏", "Approve"),
    ("my_held", "已提交，记录员审核后会显示在大屏上", "Sent: it shows on the screen once a recorder approves it"),
    ("your_place_n", "已举手：您排在第 {n} 位", "Hand raised: you are number {n} in the queue"),
    ("moderator_role", "主持人", "Moderator"),
    ("not_given", "（未填写）", "(not given)"),
    ("recorders", "记录员", "Recorders"),
    ("speakers", "发言、回应与追问", "Who spoke, answered and followed up"),
    ("without_phone", "现场另有未用手机的人数", "Also present without a phone"),
    ("without_phone_short", "未用手机", "Without a phone"),
    ("save", "保存", "Save"),
    ("total_present", "到会共 {n} 人", "{n} present in all"),
    ("search", "搜索事项、责任人…", "Search matters, units…"),
    ("print_notice", "打印公示（进度通报）", "Print the progress notice"),
    ("progress_notice", "问题台账办理进度公示", "Progress of the issue ledger"),
    ("print_file", "打印一事一档", "Print this file"),
    ("shown_count", "共 {n} 项", "{n} matters"),
    ("shown_count_one", "共 1 项", "1 matter"),
    ("organiser_page", "组织者页面", "Organiser page"),
    ("other_meetings", "本服务器上的其他会议", "Other meetings on this server"),
    ("other_meetings_hint", "在别的设备上创建的会议：可以在这里重新取得主持人和投屏链接（旧链接仍然有效）。", "Meetings created on another device: get their moderator and projector links again here (the old links keep working)."),
    ("get_links", "取回链接", "Get the links"),
    ("confirm_merge", "把意见 #{a} 合并到 #{b}？合并后不能撤销，附议会一并计入 #{b}。", "Merge opinion #{a} into #{b}? This cannot be undone; its seconds go to #{b}."),
    ("confirm_close_review", "结束评议并把结果计入问题台账？结束后不能再评。", "Close the review and add its results to the ledger? No more ratings after this."),
    ("waiting_people", "人排队", "waiting"),
    ("sections", "页面各部分", "Sections"),
    ("sec_meeting", "议程与发言", "Agenda & floor"),
    ("sec_decisions", "表决与结果", "Votes & outcomes"),
    ("sec_review", "回顾", "Review"),
    ("sec_minutes", "纪要与异议", "Minutes & objections"),
    ("sec_people", "参会人", "People"),
    ("nobody_speaking", "现在没有人发言", "Nobody has the floor"),
    ("hide_wifi_password", "投影上不显示Wi-Fi密码（扫二维码仍可连接）", "Do not show the Wi-Fi password on the projector (the QR code still connects)"),
    ("wifi_password_in_qr", "扫码即可连接", "Scan to connect"),
    ("paused", "已暂停", "Paused"),
    ("todays_agenda", "今天的议程", "Today's agenda"),
    ("waiting_to_start", "会议即将开始，请扫码参会", "The meeting will start soon: scan to join"),
    ("meeting_closed_title", "会议已结束：本次会议的结果", "The meeting has ended: what it decided"),
    ("decisions", "协商结果", "Decisions"),
    ("commitments", "承诺事项", "Commitments"),
    ("no_outcome", "未形成结论", "No outcome recorded"),
    ("no_commitments", "本次会议没有承诺事项", "No commitments were made"),
    ("read_minutes", "查看会议纪要", "Read the minutes"),
    ("minutes_to_come", "会议纪要整理后会在这里公示", "The minutes will be published here"),
    ("your_turn", "轮到您发言了", "It is your turn to speak"),
    (
        "hand_cleared",
        "议题已更换，发言排队已清空。如还想发言，请再次举手。",
        "The topic changed and the queue was cleared. To speak, raise your hand again.",
    ),
    ("next_is_you", "下一位就是您，请准备", "You are next: get ready"),
    ("opinion_sent", "已提交 ✓", "Sent ✓"),
    ("sending", "正在发送…", "Sending…"),
    ("earlier_opinions", "其他议题及会前的意见", "Opinions on other topics and before them"),
    ("vote_results", "表决结果", "Vote results"),
    ("hand_after_start", "会议开始后才能举手", "You can raise your hand once the meeting starts"),
    ("ballot_title", "请投票", "Please vote"),
    ("vote_for", "投：", "Vote: "),
    ("ballot_sent", "已投票 ✓（可以改投）", "Voted ✓ (you may change it)"),
    ("ballot_sending", "正在投票…", "Sending your vote…"),
    ("my_late", "议题结束后送达，已记在原议题下", "Arrived after its topic closed; filed under it"),
    ("banned", "主持人已请您离开本次会议，不能再次加入。", "The moderator has removed you from this meeting; you cannot join again."),
    ("unmark_spam", "取消刷屏标记", "Not spam"),
    ("marked_spam", "已标为刷屏，不计入", "Marked as spam, not counted"),
    ("spam_objections", "另有 {n} 条异议被主持人标为刷屏或无关内容，保存在记录中，不计入。", "{n} more objections were marked by the moderator as spam or off-topic: kept in the record, not counted."),
    ("file_objection", "提出异议", "File an objection"),
    ("answer", "答复", "Answer"),
    ("pending_answer", "待答复", "Awaiting answer"),
    ("draft", "草稿（未公示）", "Draft (not published)"),
    ("in_notice", "公示中", "In the notice period"),
    ("filed", "已备案", "Filed"),
    ("disputed", "有异议待答复", "Objections awaiting answers"),
    ("overdue", "逾期", "Overdue"),
    ("status", "状态", "Status"),
    ("history", "办理记录", "History"),
    ("export_xlsx", "导出 Excel", "Export Excel"),
    ("export_csv", "导出 CSV", "Export CSV"),
    ("review", "回顾往期承诺", "Review of earlier commitments"),
    (
        "review_rate",
        "请评议这项承诺的落实情况",
        "How well was this promise kept?",
    ),
    ("satisfied", "满意", "Satisfied"),
    ("fair", "基本满意", "Fairly satisfied"),
    ("unsatisfied", "不满意", "Not satisfied"),
    (
        "rated",
        "已评议，可在结束前更改",
        "Rated; you can change it until the review closes",
    ),
    ("rating_open", "评议中", "Rating"),
    ("rating_closed", "评议结束", "Closed"),
    ("raters", "人评议", "rated"),
    ("close_review", "结束评议，计入台账", "Close and record in the ledger"),
    (
        "review_when_running",
        "会议开始后可在此回顾往期承诺，由居民用手机评议",
        "Once the meeting runs, put earlier commitments up here for residents to rate",
    ),
    (
        "review_after_end",
        "会议已结束：评议已随会议关闭，结果已计入台账",
        "The meeting has ended: reviews closed with it and their ratings are in the ledger",
    ),
    ("topic", "议题", "Topic"),
    ("reopen_topic", "重新讨论", "Reopen"),
    ("ban_person", "移出并禁止再加入", "Remove and ban"),
    (
        "confirm_ban",
        "移出此人，并禁止其手机所在网络地址再次加入本次会议？",
        "Remove this person and refuse new joins from their address for this meeting?",
    ),
    ("rotate_invite", "更换参会二维码", "New join QR code"),
    (
        "confirm_rotate",
        "更换后，旧二维码和打印的参会单将无法再加入（已参会的人不受影响），投影会显示新二维码。确定更换？",
        "The old QR code and printed sheets will no longer admit anyone (people already in stay); the projector shows the new code. Replace it?",
    ),
    (
        "answers_opinions",
        "回应哪些意见（可多选）",
        "Which opinions it answers (any)",
    ),
    ("new_entry", "登记问题", "Add a matter"),
    ("description", "情况说明", "Description"),
    ("collected_by", "收集人/渠道", "Collected by"),
    ("entry_added", "已登记", "Added"),
    ("ratings", "居民评议", "Residents' ratings"),
    ("source", "来源", "Source"),
    ("collected", "收集问题", "Collected"),
    // 线上旁听: following from home.
    ("remove_photo", "删除照片", "Remove photo"),
    ("view_big", "大字", "Large text"),
    ("view_contrast", "强对比", "High contrast"),
    ("share_notice", "发到居民群 · 会前通报", "For the residents' group · the notice"),
    ("share_follow", "发到居民群 · 不能到场的线上旁听", "For the residents' group · follow from home"),
    ("follow_title", "线上旁听", "Following from home"),
    (
        "follow_read_only",
        "您在线上旁听：会场的议题、发言、意见和表决结果在这里实时显示。举手和投票请到现场。",
        "You are following from home: the topic, the speaker, opinions and vote results appear here as they happen. To speak or vote, come to the meeting.",
    ),
    ("online_n", "线上 {n}人", "{n} online"),
    ("present_n", "现场 {n}人", "{n} present"),
    (
        "follow_not_started",
        "会议还没开始。开始后，这里会实时显示会场的情况，不用刷新。",
        "The meeting has not started. Once it does, this page shows it live; no need to reload.",
    ),
    ("read_notice", "看会前通报", "Read the notice"),
    ("queue_n", "排队发言：{n}人", "Waiting to speak: {n}"),
    ("vote_in_progress", "正在表决（结果在表决结束后显示）：", "Vote in progress (results when it closes): "),
    ("online_opinion_title", "线上提意见", "Send an opinion from home"),
    (
        "online_opinion_hint",
        "不署名，标为“线上”，送到主持人和记录员，归在当前议题下。",
        "Unsigned, marked “online”, sent to the moderator and the recorder under the current topic.",
    ),
    ("online_opinion_sent", "已送到会场 ✓", "Sent to the meeting ✓"),
    ("online_opinion_held", "已送到会场，记录员审核后显示 ✓", "Sent; it shows once the recorder approves it ✓"),
    ("online_opinions_closed", "本次会议未开放线上提意见。", "This meeting does not take opinions from home."),
    ("online_opinions", "允许线上旁听者提意见（标为“线上”）", "Let people following from home send opinions (marked “online”)"),
    ("follow_link", "线上旁听", "Follow from home"),
    ("scan_to_follow", "扫码线上旁听", "Scan to follow from home"),
    // Voice opinions (语音) and reading aloud (朗读).
    ("voice_button", "说一段语音", "Say it instead (voice)"),
    ("voice_stop", "■ 说完了（停止录音）", "■ Done (stop recording)"),
    ("voice_hint", "不会打字？按上面的按钮录一段话（1分钟内），记录员会帮您写下来。", "Rather not type? Record what you want to say (up to a minute); the recorder writes it down."),
    ("voice_ready", "录好了。可以先在下面选态度和分类，再按“发送语音”。", "Recorded. You may choose a stance and a kind below, then press “Send recording”."),
    ("voice_send", "发送语音", "Send recording"),
    ("voice_discard", "不要了，重录", "Discard and record again"),
    ("voice_sending", "正在发送语音…", "Sending your recording…"),
    ("voice_sent", "语音已发送 ✓ 记录员会把它写成文字。", "Recording sent ✓ The recorder will write it down."),
    ("voice_offline", "没有连上会场网络，语音没有发出，请稍后再试。", "Not connected to the meeting: the recording was not sent. Try again."),
    ("voice_too_big", "录音文件太大（最多1.5MB），请说短一些再录。", "The recording is over 1.5 MB: keep it shorter."),
    ("voice_no_microphone", "不能使用麦克风，请允许使用麦克风后再试。", "The microphone is not available: allow it and try again."),
    ("voice_tag", "语音", "Voice"),
    ("voice_pending", "语音意见，待转写", "Spoken opinion, not yet written down"),
    ("voice_transcribed", "语音转写", "transcribed"),
    ("transcribe", "转写（把听到的话写下来）", "Write down what was said"),
    ("transcribe_again", "转写（可修改）", "Transcript (can be corrected)"),
    ("transcribe_save", "保存转写", "Save transcript"),
    ("read_aloud", "朗读", "Read aloud"),
    ("read_aloud_setting", "投影朗读新意见（用会场音箱）", "Projector reads new opinions aloud (room speaker)"),
    ("read_aloud_enable", "点这里开启朗读声音", "Tap here to turn the reading sound on"),
    ("read_aloud_needs_sound", "需在投影电脑上点一次“开启提示音”才有声音。", "The projector needs one tap on “Turn sound on” for sound."),
    ("voice_recording", "正在录音… {n}秒（最多60秒）", "Recording… {n} s (up to 60 s)"),
];

/// 未开始 / 进行中 / 已结束.
pub fn phase(p: Phase) -> &'static str {
    t(match p {
        Phase::NotStarted => "not_started",
        Phase::Running => "running",
        Phase::Ended => "ended",
    })
}

/// 介绍 / 提问 / 讨论 / 形成意见.
pub fn stage(s: Stage) -> &'static str {
    let l = lang().get();
    match (s, l) {
        (Stage::Intro, Lang::Zh) => "介绍",
        (Stage::Questions, Lang::Zh) => "提问",
        (Stage::Discussion, Lang::Zh) => "讨论",
        (Stage::Conclusion, Lang::Zh) => "形成意见",
        (Stage::Intro, Lang::En) => "Introduction",
        (Stage::Questions, Lang::En) => "Questions",
        (Stage::Discussion, Lang::En) => "Discussion",
        (Stage::Conclusion, Lang::En) => "Conclusion",
    }
}

/// 支持 / 反对 / 建议 / 疑问.
pub fn stance(s: Stance) -> &'static str {
    let l = lang().get();
    match (s, l) {
        (Stance::Support, Lang::Zh) => "支持",
        (Stance::Oppose, Lang::Zh) => "反对",
        (Stance::Suggest, Lang::Zh) => "建议",
        (Stance::Question, Lang::Zh) => "疑问",
        (Stance::Support, Lang::En) => "Support",
        (Stance::Oppose, Lang::En) => "Oppose",
        (Stance::Suggest, Lang::En) => "Suggestion",
        (Stance::Question, Lang::En) => "Question",
    }
}

/// "：" in Chinese, ": " in English.
pub fn colon() -> &'static str {
    match lang().get() {
        Lang::Zh => "：",
        Lang::En => ": ",
    }
}

/// A list's separator: `，` in Chinese, `, ` in English.
pub fn comma() -> &'static str {
    match lang().get() {
        Lang::Zh => "，",
        Lang::En => ", ",
    }
}

/// How an opinion arrived (会前, 线上), in the current language.
pub fn channel(c: babahui_shared::model::Channel) -> &'static str {
    match (lang().get(), c) {
        (Lang::Zh, c) => c.zh(),
        (Lang::En, babahui_shared::model::Channel::Before) => "Before the meeting",
        (Lang::En, babahui_shared::model::Channel::Online) => "Online",
    }
}

/// 待议, 办理中 … in the page's language.
pub fn ledger_status(s: babahui_shared::ledger::LedgerStatus) -> &'static str {
    use babahui_shared::ledger::LedgerStatus::*;
    match lang().get() {
        Lang::Zh => s.zh(),
        Lang::En => match s {
            Pending => "Pending",
            Discussed => "Discussed",
            InProgress => "In progress",
            Done => "Done",
            Reported => "Reported back",
            Rated => "Rated",
        },
    }
}

/// 形成共识, 表决通过 … in the page's language.
pub fn outcome_kind(k: babahui_shared::OutcomeKind) -> &'static str {
    use babahui_shared::OutcomeKind::*;
    match k {
        Consensus => t("oc_consensus"),
        Passed => t("oc_passed"),
        Failed => t("oc_failed"),
        Dissent => t("oc_dissent"),
        AnotherRound => t("oc_another_round"),
        ToAssembly => t("oc_to_assembly"),
    }
}

/// 发言 / 回应 / 追问 as the minutes list a turn (the floor's own labels say
/// 正在发言, which reads as "speaking now").
pub fn speech_kind(k: FloorKind) -> &'static str {
    t(match k {
        FloorKind::Speak => "sp_speak",
        FloorKind::Response => "sp_response",
        FloorKind::FollowUp => "sp_follow_up",
    })
}

/// 发言 / 回应 / 追问.
pub fn floor_kind(k: FloorKind) -> &'static str {
    t(match k {
        FloorKind::Speak => "speaking",
        FloorKind::Response => "response",
        FloorKind::FollowUp => "follow_up",
    })
}

/// A short name for a command waiting to be sent (意见「路灯坏了…」, 举手).
pub fn command_label(c: &babahui_shared::Command) -> String {
    use babahui_shared::Command;
    match c {
        Command::SubmitOpinion { text, .. } => {
            let short: String = text.chars().take(12).collect();
            let more = if text.chars().count() > 12 { "…" } else { "" };
            format!("{}「{short}{more}」", t("opinion"))
        }
        Command::RaiseHand { .. } => t("raise_hand").to_owned(),
        Command::LowerHand { .. } => t("lower_hand").to_owned(),
        Command::Second { opinion, .. } => format!("{} #{opinion}", t("second")),
        Command::CastVote { .. } => t("vote").to_owned(),
        Command::RateReview { .. } => t("rate").to_owned(),
        _ => t("action").to_owned(),
    }
}

/// The server's reason for refusing a form, in Chinese words a moderator
/// understands (the server's own words are English and name fields by their
/// API names). `None` when there is nothing better than the code's text.
pub fn reason(message: &str) -> Option<String> {
    if lang().get() == Lang::En {
        return Some(message.to_owned());
    }
    let field = |f: &str| -> &'static str {
        match f {
            "responsible" => "责任人/部门",
            "commitment" => "承诺事项",
            "title" => "标题",
            "outcome text" => "协商意见",
            "dissent" => "保留的不同意见",
            "summary" => "摘要",
            "correction" => "更正原因",
            "question" => "表决事项",
            "option" => "选项",
            "reason" => "原因",
            "name" => "姓名",
            "opinion" => "意见",
            "answer" => "答复",
            "objection" => "异议内容",
            _ => "这一项",
        }
    };
    if let Some(f) = message.strip_suffix(" is empty") {
        return Some(format!("请填写{}", field(f)));
    }
    if let Some((f, rest)) = message.split_once(" is longer than ") {
        let max = rest.trim_end_matches(" characters");
        return Some(format!("{}太长了，最多{max}个字", field(f)));
    }
    if let Some(f) = message.strip_suffix(" must be on one line") {
        return Some(format!("{}只能写一行", field(f)));
    }
    if let Some(f) = message.strip_suffix(" contains control characters") {
        return Some(format!("{}里有无法显示的字符，请重新输入", field(f)));
    }
    /// The server's words, and what a moderator reads instead.
    const KNOWN: &[(&str, &str)] = &[
        ("deadline is a date", "请用日期选择器选一个日期"),
        (
            "corrected version needs the reason",
            "纪要已经公示过：发布更正版要写明更正原因",
        ),
        (
            "the vote cited passed",
            "所引用的表决已通过：请记为“表决通过”，或不引用表决",
        ),
        (
            "the vote cited did not pass",
            "所引用的表决未通过：请记为“表决未通过”，或不引用表决",
        ),
        (
            "held on another topic",
            "所引用的表决是另一个议题的：请选本议题的表决，或不引用表决",
        ),
        ("close the vote before", "请先结束表决，再把表决结果记为协商结果"),
        ("保留分歧 needs", "“保留分歧”要写下不同的意见"),
        (
            "is a role in the meeting",
            "这是会议中的角色，不能用作称呼：请写自己的名字",
        ),
        ("too many opinions at once", "发得太快了，这条意见稍后会自动发出"),
        ("too many joins from this device", "这台手机加入的次数太多了"),
        (
            "too many wrong join links",
            "参会链接不对的次数太多了，请扫描现场的二维码",
        ),
        ("too many objections from this device", "这台设备提的异议太多了"),
        ("record of opinions is full", "本次会议记录的意见已满，请当面告诉记录员"),
        ("this meeting is full", "本次会议人数已满"),
        ("takes at most", "本次会议的异议已达上限"),
    ];
    let zh = KNOWN
        .iter()
        .find(|(pattern, _)| message.contains(pattern))
        .map(|(_, zh)| (*zh).to_owned())?;
    Some(match wait_of(message) {
        Some(wait) => format!("{zh}（{wait}）"),
        None => zh,
    })
}

/// "try again in 8 s" → "请 8 秒后再试".
fn wait_of(message: &str) -> Option<String> {
    let rest = &message[message.find("try again in ")? + "try again in ".len()..];
    let mut words = rest.split(|c: char| c.is_whitespace() || c == ')');
    let n: u64 = words.next()?.parse().ok()?;
    Some(match words.next()? {
        "min" => format!("请 {n} 分钟后再试"),
        _ => format!("请 {n} 秒后再试"),
    })
}

/// A refusal, in words a resident understands.
pub fn error(code: ErrorCode) -> &'static str {
    let (zh, en) = code.words();
    if lang().get() == Lang::En {
        en
    } else {
        zh
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every `t("…")` key in the client's source is in the table (a missing one
    /// would show its key), and every entry has both languages — the English
    /// without Chinese characters, so the English switch leaves nothing behind.
    #[test]
    fn both_language_tables_are_complete() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/src");
        let mut sources = Vec::new();
        for entry in walk(std::path::Path::new(dir)) {
            sources.push(std::fs::read_to_string(entry).unwrap());
        }
        let (mut missing, mut seen) = (Vec::new(), 0);
        for src in &sources {
            for (i, _) in src.match_indices("t(\"") {
                let rest = &src[i + 3..];
                let key = &rest[..rest.find('"').unwrap()];
                let before = src[..i].chars().last();
                if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
                    continue; // another function ending in t(, e.g. get(
                }
                if !key.is_empty()
                    && key
                        .chars()
                        .all(|c| c.is_ascii_lowercase() || c == '_' || c.is_ascii_digit())
                {
                    seen += 1;
                    if !TEXTS.iter().any(|(k, _, _)| *k == key) {
                        missing.push(key.to_owned());
                    }
                }
            }
        }
        assert!(seen > 200, "the scan found only {seen} uses of t(…)");
        assert!(missing.is_empty(), "keys without text: {missing:?}");
        for (key, zh, en) in TEXTS {
            assert!(!zh.is_empty() && !en.is_empty(), "{key} lacks a language");
            // The switch back to Chinese is written in Chinese on purpose.
            assert!(
                *key == "lang_switch" || !en.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
                "{key}: the English text has Chinese in it: {en}"
            );
        }
        let keys: std::collections::HashSet<_> = TEXTS.iter().map(|(k, _, _)| *k).collect();
        assert_eq!(keys.len(), TEXTS.len(), "a key is listed twice");
    }

    fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
        let mut out = Vec::new();
        for e in std::fs::read_dir(dir).unwrap() {
            let path = e.unwrap().path();
            if path.is_dir() {
                out.extend(walk(&path));
            } else if path.extension().is_some_and(|x| x == "rs") {
                out.push(path);
            }
        }
        out
    }
}

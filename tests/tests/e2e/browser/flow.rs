//! The whole interface in real browsers: a meeting created from the organiser
//! page; a moderator tablet, a projector and three phones; hands, speakers,
//! the countdown, opinions, seconds, re-tagging and merging by a recorder —
//! each change seen on the projector and the other phones.

use super::{Browser, Driver, PHONE, PROJECTOR, TABLET};
use crate::helpers::TestServer;
use anyhow::Result;
use babahui_shared::{FloorKind, OpinionId, ParticipantId};
use fantoccini::Locator;
use tests::http::public_state;

async fn href(b: &Browser, css: &str) -> Result<String> {
    Ok(b.find(css).await?.attr("href").await?.unwrap_or_default())
}

async fn join(b: &Browser, url: &str, name: &str, category: &str) -> Result<()> {
    b.join_as(url, name, Some(category), true).await
}

#[tokio::test]
async fn a_meeting_runs_across_five_browsers() -> Result<()> {
    let server = TestServer::start().await;
    let base = server.base.clone();
    let Some(driver) = Driver::start_or_skip().await? else {
        return Ok(());
    };

    // The organiser creates the meeting from the page.
    let organiser = driver.browser("organiser", PHONE).await?;
    organiser.goto(&format!("{base}/")).await?;
    organiser.fill("input[name=title]", "五月坝坝会：停车与路灯").await?;
    organiser.fill("input[name=place]", "3栋院坝").await?;
    organiser.fill("input[name=time]", "2026-11-30 19:00").await?;
    organiser
        .fill("textarea[name=agenda]", "停车难 15\n路灯维修 10")
        .await?;
    organiser.fill("input[name=ssid]", "Courtyard").await?;
    organiser.fill("input[name=wifi-password]", "bbh12345").await?;
    organiser.click("#create-form button[type=submit]").await?;
    organiser.find("#created").await?;
    let join_url = href(&organiser, ".link-card.join a.url").await?;
    let moderator_url = href(&organiser, ".link-card.moderator a.url").await?;
    let projector_url = href(&organiser, ".link-card.projector a.url").await?;
    assert!(join_url.starts_with(&base) && moderator_url.contains("#k="));
    assert_eq!(
        organiser.count(".link-card img.qr-small").await?,
        3,
        "a QR code for each link"
    );
    organiser.screenshots("organiser", PHONE).await?;
    let id =
        babahui_shared::MeetingId::parse(join_url.split("/m/").nth(1).unwrap().split('?').next().unwrap()).unwrap();
    tests::http::remember_moderator(&id, moderator_url.split("#k=").nth(1).unwrap());

    // Projector and moderator.
    let projector = driver.browser("projector", PROJECTOR).await?;
    projector.goto(&projector_url).await?;
    projector.wait_text("五月坝坝会").await?;
    projector.find("img.pj-wifi-qr").await?;
    let moderator = driver.browser("moderator", TABLET).await?;
    moderator.goto(&moderator_url).await?;
    moderator.wait_text("已连接").await?;
    let url_now = moderator.client.current_url().await?;
    assert!(
        url_now.fragment().is_none(),
        "the moderator's key is taken out of the address bar"
    );

    // Three phones join.
    let phones = [("张阿姨", "居民"), ("赵经理", "物业"), ("钱主任", "业委会")];
    let mut attendees = Vec::new();
    for (name, category) in phones {
        let b = driver.browser(name, PHONE).await?;
        if attendees.is_empty() {
            b.goto(&join_url).await?;
            b.find("input[autocomplete=name]").await?;
            b.screenshots("join", PHONE).await?;
            let problems = b.readability_problems().await?;
            assert!(
                problems.is_empty(),
                "the join page has small text or targets: {problems:#?}"
            );
        }
        join(&b, &join_url, name, category).await?;
        attendees.push(b);
    }
    projector.wait_text("业委会").await?; // attendance by category
                                          // Two more people sit in the courtyard without phones: the moderator counts them.
    moderator.fill("#headcount input[name=without-phone]", "2").await?;
    moderator.click("#headcount button[type=submit]").await?;
    wait_state(&base, &id, |s| s.without_phone == 2).await?;
    projector.wait_text("未用手机").await?;

    // Start, open the first topic, hands up.
    moderator.click("#start-meeting").await?;
    moderator.click(".open-topic").await?;
    for b in &attendees {
        b.wait_text("停车难").await?;
    }
    for b in &attendees {
        b.click("button.hand").await?;
        b.wait_text("您排在第").await?;
    }
    moderator.wait_count("#queue li", 3).await?;
    projector.wait_text("接下来").await?;

    // Call the first speaker; every screen shows them with the countdown.
    moderator.click("#call-next").await?;
    moderator.find("#floor").await?;
    let state = public_state(&base, &id).await?;
    let speaker = state.floor.as_ref().expect("a speaker").participant;
    let speaker_name = state.participant(speaker).unwrap().name.clone().unwrap();
    projector.wait_text(&speaker_name).await?;
    let countdown = projector.find(".pj-countdown").await?.text().await?;
    assert!(
        countdown.starts_with("2:5") || countdown == "3:00",
        "countdown {countdown}"
    );
    for b in &attendees {
        b.find(".floor .countdown").await?;
    }
    moderator.click("#pause").await?;
    moderator.find("#resume").await?;
    moderator.click("#add-minute").await?;
    wait_state(&base, &id, |s| {
        s.floor
            .as_ref()
            .is_some_and(|f| f.limit_ms == 240_000 && f.running_since.is_none())
    })
    .await?;
    projector
        .wait_until("countdown over three minutes", |t| {
            t.contains("3:5") || t.contains("4:00")
        })
        .await?;
    moderator.click("#resume").await?;

    // An official answers: appoint 赵经理 official, give a response.
    let zhao = ParticipantId(2);
    moderator
        .click(&format!("li[data-participant='{}'] .appoint-official", zhao.0))
        .await?;
    moderator.click(".respond").await?;
    wait_state(&base, &id, |s| {
        s.floor
            .as_ref()
            .is_some_and(|f| f.kind == FloorKind::Response && f.participant == zhao)
    })
    .await?;
    projector.wait_text("回应").await?;

    // Opinions and seconds.
    let (a, b, c) = (&attendees[0], &attendees[1], &attendees[2]);
    // The official commits to something from his own phone, and finds it under 我的承诺.
    b.fill("#commitment input[name=what]", "本周内修好3栋路灯").await?;
    b.fill("#commitment input[name=responsible]", "物业公司").await?;
    b.set_value("#commitment input[name=deadline]", "2099-12-31").await?;
    b.click("#commitment button[type=submit]").await?;
    wait_state(&base, &id, |s| {
        s.commitments.len() == 1 && s.commitments[0].official == Some(zhao)
    })
    .await?;
    b.wait_text("我的承诺").await?;
    b.screenshots("official-phone", PHONE).await?;
    a.fill(".opinion-form textarea", "晚上路灯太暗，老人看不清台阶").await?;
    a.click_text(".opinion-form button.chip", "基础设施").await?;
    a.click_text(".opinion-form button.chip", "建议").await?;
    a.click(".opinion-form button[type=submit]").await?;
    b.fill(".opinion-form textarea", "路灯坏了好几盏").await?;
    b.click(".opinion-form button[type=submit]").await?;
    for p in [a, b, c] {
        p.wait_text("路灯坏了好几盏").await?;
    }
    projector.wait_text("晚上路灯太暗").await?;
    second(c, "老人看不清台阶").await?;
    wait_state(&base, &id, |s| {
        s.opinion(OpinionId(1)).is_some_and(|o| o.seconds.len() == 1)
    })
    .await?;
    a.screenshots("attendee", PHONE).await?;
    let problems = a.readability_problems().await?;
    assert!(
        problems.is_empty(),
        "the phone page has small text or targets: {problems:#?}"
    );

    // 钱主任 becomes recorder: re-tags opinion 2 and merges it into opinion 1.
    moderator.click("li[data-participant='3'] .appoint-recorder").await?;
    c.click(".recorder-link").await?;
    c.wait_text("记录员页面").await?;
    c.find("li.opinion[data-opinion='2'] select.retag")
        .await?
        .select_by_value("基础设施")
        .await?;
    wait_state(&base, &id, |s| {
        s.opinion(OpinionId(2))
            .is_some_and(|o| o.category.as_deref() == Some("基础设施"))
    })
    .await?;
    // A merge cannot be undone: the page asks, and the recorder says yes.
    c.js("window.confirm = () => true; return true;").await?;
    c.find("li.opinion[data-opinion='2'] select.merge")
        .await?
        .select_by_value("1")
        .await?;
    wait_state(&base, &id, |s| {
        s.opinion(OpinionId(2))
            .is_some_and(|o| o.merged_into == Some(OpinionId(1)))
    })
    .await?;
    // Recorder enters an opinion for someone without a phone, from the keyboard.
    c.fill("textarea[name=entry]", "楼下王大爷：希望装感应灯\n").await?;
    wait_state(&base, &id, |s| {
        s.opinions
            .iter()
            .any(|o| o.text == "楼下王大爷：希望装感应灯" && o.author.is_none())
    })
    .await?;
    c.screenshots("recorder", TABLET).await?;

    // The merge reached the projector and the other phones.
    for p in [a, b] {
        p.wait_until("the merged opinion to disappear", |t| !t.contains("路灯坏了好几盏"))
            .await?;
    }
    projector
        .wait_until("the merged opinion to leave the projector", |t| {
            !t.contains("路灯坏了好几盏")
        })
        .await?;
    projector.wait_text("希望装感应灯").await?;
    let seconds_on_one = public_state(&base, &id)
        .await?
        .opinion(OpinionId(1))
        .unwrap()
        .seconds
        .len();
    assert_eq!(seconds_on_one, 2, "the duplicate's author now supports opinion 1");

    // Nothing overflows sideways on phones; the projector never scrolls.
    for p in [a, b] {
        assert!(!p.overflows_horizontally().await?, "phone page overflows sideways");
    }
    let pj_scroll = projector
        .js("return document.documentElement.scrollHeight <= window.innerHeight + 1;")
        .await?;
    assert_eq!(pj_scroll.as_bool(), Some(true), "the projector fits the screen");

    // Screenshots of every page at every size.
    moderator.screenshots("moderator", TABLET).await?;
    projector.screenshots("projector", PROJECTOR).await?;
    // The join sheet, opened from the organiser's page (it carries the moderator's
    // token: the join link is not public).
    let sheet_url = href(&organiser, "#created a[href*='/sheet']").await?;
    assert!(sheet_url.contains("#k="), "{sheet_url}");
    let projector_token = projector_url.split("#k=").nth(1).unwrap();
    assert!(
        sheet_url.ends_with(&format!("#k={projector_token}")),
        "the sheet carries the read-only projector token, not the moderator's: {sheet_url}"
    );
    let sheet = driver.browser("sheet", PHONE).await?;
    sheet.goto(&format!("{base}{sheet_url}")).await?;
    sheet.wait_text("扫码参会").await?;
    let no_token = driver.browser("sheet-no-token", PHONE).await?;
    no_token.goto(&format!("{base}/m/{id}/sheet")).await?;
    no_token.wait_text("找不到这个会议").await?;
    no_token.close().await;
    sheet.screenshots("sheet", PHONE).await?;

    // English is one tap away and remembered.
    b.click("button.lang").await?;
    b.wait_text("Connected").await?;
    b.wait_text("It is your turn to speak").await?;
    b.screenshots("attendee-en", PHONE).await?;

    for browser in [organiser, projector, moderator, sheet].into_iter().chain(attendees) {
        browser.close().await;
    }
    Ok(())
}

async fn second(b: &Browser, text: &str) -> Result<()> {
    for li in b.client.find_all(Locator::Css("li.opinion")).await? {
        if li.text().await?.contains(text) {
            li.find(Locator::Css("button.second")).await?.click().await?;
            return Ok(());
        }
    }
    anyhow::bail!("no opinion {text:?} to second")
}

/// Waits until the server's public state satisfies `ok`.
pub async fn wait_state(
    base: &str,
    id: &babahui_shared::MeetingId,
    ok: impl Fn(&babahui_shared::MeetingState) -> bool,
) -> Result<()> {
    let started = std::time::Instant::now();
    loop {
        let s = public_state(base, id).await?;
        if ok(&s) {
            return Ok(());
        }
        if started.elapsed() > std::time::Duration::from_secs(20) {
            anyhow::bail!("the server state never got there: {s:#?}");
        }
        tokio::time::sleep(std::time::Duration::from_millis(150)).await;
    }
}

/// A vote on phones and projector, then the minutes and the ledger pages.
#[tokio::test]
async fn votes_minutes_and_ledger_in_the_browser() -> Result<()> {
    use babahui_shared::{Command, OpinionAuthor, PassRule, TopicId, VoteKind};
    let server = TestServer::start().await;
    let base = server.base.clone();
    let m = tests::http::simple_meeting(&base, "八月坝坝会", &["加装电梯"]).await?;
    let id = m.id().clone();
    let mut md = tests::WsClient::connect(&base, &id, &m.moderator, None).await?;
    md.ok(Command::StartMeeting).await?;
    md.ok(Command::OpenTopic { topic: TopicId(1) }).await?;
    let Some(driver) = Driver::start_or_skip().await? else {
        return Ok(());
    };
    let projector = driver.browser("projector", PROJECTOR).await?;
    projector.goto(&m.created.projector_url).await?;
    let phone = driver.browser("phone", PHONE).await?;
    phone.join_as(&m.created.join_url, "周大妈", None, false).await?;
    phone.wait_text("已连接").await?;
    let other = tests::http::join(&base, &m, "吴叔", "居民").await?;
    let mut oc = tests::WsClient::connect(&base, &id, &other.token, None).await?;
    let op = oc
        .ok(Command::SubmitOpinion {
            topic: None,
            text: "电梯费用按楼层分摊".into(),
            category: Some("基础设施".into()),
            stance: None,
            author: OpinionAuthor::Me,
            voice: None,
        })
        .await?;
    md.ok(Command::MarkForLedger {
        opinion: babahui_shared::OpinionId(op.created.unwrap()),
        on: true,
    })
    .await?;
    md.ok(Command::OpenVote {
        question: "同意加装电梯吗？".into(),
        kind: VoteKind::YesNo,
        secret: true,
        rule: PassRule::Majority,
        quorum: None,
    })
    .await?;

    // The phone votes; the projector shows the count.
    phone.wait_still(".ballot").await?;
    phone.click_text("button.choice", "赞成").await?;
    phone.wait_text("已投票").await?;
    wait_state(&base, &id, |s| s.votes[0].sealed.len() == 1).await?;
    oc.ok(Command::CastVote {
        vote: babahui_shared::VoteId(1),
        choice: 0,
        ballot_key: None,
    })
    .await?;
    projector.wait_text("同意加装电梯吗？").await?;
    phone.screenshots("vote-phone", PHONE).await?;
    projector.screenshots("vote-projector", PROJECTOR).await?;

    // The moderator's tablet closes it with a show of hands and records the rest.
    let moderator = driver.browser("moderator", TABLET).await?;
    moderator.goto(&m.created.moderator_url).await?;
    moderator.wait_text("已连接").await?;
    for (i, n) in ["4", "1", "0"].iter().enumerate() {
        moderator
            .fill(&format!(".hands label.hand-count:nth-of-type({}) input", i + 1), n)
            .await?;
    }
    moderator.click(".save-hands").await?;
    wait_state(&base, &id, |s| s.votes[0].hands == Some(vec![4, 1, 0])).await?;
    // Closing is final, so it asks first.
    moderator.js("window.confirm = () => true; return true;").await?;
    moderator.click(".close-vote").await?;
    projector.wait_text("通过").await?;
    moderator
        .fill("#commitment input[name=what]", "两个月内完成电梯方案")
        .await?;
    moderator
        .fill("#commitment input[name=responsible]", "街道城建科")
        .await?;
    moderator
        .set_value("#commitment input[name=deadline]", "2099-06-30")
        .await?;
    moderator.click("#commitment .answers button[data-opinion='1']").await?;
    moderator.click("#commitment button[type=submit]").await?;
    moderator
        .fill("#outcome textarea[name=text]", "多数赞成加装电梯")
        .await?;
    moderator.click("#outcome button[type=submit]").await?;
    wait_state(&base, &id, |s| {
        s.commitments.len() == 1
            && s.commitments[0].opinions == [babahui_shared::OpinionId(1)]
            && s.agenda[0].outcome.is_some()
    })
    .await?;
    md.ok(Command::Appoint {
        participant: babahui_shared::ParticipantId(1),
        role: babahui_shared::Role::Recorder,
        on: true,
    })
    .await?;
    moderator.js("window.confirm = () => true; return true;").await?;
    moderator.click("#end-meeting").await?;
    // After the end the record can still be tidied for the minutes.
    // A meeting that reviewed nothing drops the review panel at its end.
    moderator
        .wait_until("the review panel to go", |t| !t.contains("回顾往期承诺"))
        .await?;
    // …and so do the queue and the participants' actions; who came stays listed.
    assert_eq!(moderator.count("#queue").await?, 0, "no queue after the end");
    assert_eq!(
        moderator.count("#rotate-invite, li[data-participant] button").await?,
        0,
        "no action the server would refuse"
    );
    moderator.wait_text("周大妈").await?;
    moderator
        .find("li.opinion[data-opinion='1'] select.retag")
        .await?
        .select_by_value("社区服务")
        .await?;
    wait_state(&base, &id, |s| {
        s.opinion(babahui_shared::OpinionId(1))
            .is_some_and(|o| o.category.as_deref() == Some("社区服务"))
    })
    .await?;
    // A recorder's page after the end offers tidying, not new entries.
    phone.goto(&format!("{base}/m/{id}/recorder")).await?;
    phone.wait_text("不再登记新意见").await?;
    assert_eq!(
        phone.count("textarea[name=entry]").await?,
        0,
        "no entry form after the end"
    );
    assert_eq!(
        phone.count("li.opinion select.retag").await?,
        1,
        "the opinion can be re-tagged"
    );
    phone.screenshots("recorder-after-end", PHONE).await?;
    // The name the minutes print for 主持人, typed where the minutes are published.
    moderator
        .fill("#publish input[name=moderator-name]", "社区书记 李红")
        .await?;
    moderator
        .fill("#publish textarea[name=summary]", "本次会议表决通过加装电梯。")
        .await?;
    wait_state(&base, &id, |s| s.moderator_name.as_deref() == Some("社区书记 李红")).await?;
    // Publishing asks first (the minutes become public): the moderator says yes.
    moderator.js("window.confirm = () => true; return true;").await?;
    moderator.click("#publish button[type=submit]").await?;
    wait_state(&base, &id, |s| s.publications.len() == 1).await?;
    // Publishing wrote the minutes into the ledger by itself; the button
    // (for a later correction) says there is nothing more to write.
    let mut fed = 0;
    for _ in 0..50 {
        let entries: Vec<serde_json::Value> = tests::http::get_json(&format!("{base}/api/ledger")).await?;
        fed = entries.len();
        if fed == 2 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(fed, 2, "a commitment and a marked opinion");
    moderator.click("#to-ledger").await?;
    moderator.wait_text("问题台账已是最新").await?;
    moderator.screenshots("moderator-decisions", TABLET).await?;

    // The public minutes page: status, contents, an objection.
    let reader = driver.browser("reader", PHONE).await?;
    reader.goto(&format!("{base}/m/{id}/minutes")).await?;
    reader.wait_text("公示中").await?;
    reader.wait_text("两个月内完成电梯方案").await?;
    reader
        .fill("#objection textarea[name=text]", "纪要应写明费用分摊办法")
        .await?;
    reader.click("#objection button[type=submit]").await?;
    reader.wait_text("待答复").await?;
    reader.screenshots("minutes", PHONE).await?;
    let printable = driver.browser("printable", TABLET).await?;
    printable
        .goto(&format!("{base}/api/meetings/{id}/minutes.html"))
        .await?;
    printable.wait_text("会议纪要").await?;
    printable.wait_text("社区书记 李红").await?;
    printable.screenshots("minutes-printable", TABLET).await?;

    // The ledger list and one matter's file.
    reader.goto(&format!("{base}/ledger")).await?;
    reader.wait_text("两个月内完成电梯方案").await?;
    reader.wait_text("电梯费用按楼层分摊").await?;
    reader.screenshots("ledger", TABLET).await?;
    // The clerk narrows the list: a search, then a status with its count.
    reader.fill("input[name=search]", "分摊").await?;
    reader.wait_text("共 1 项").await?;
    assert_eq!(reader.count(".ledger-row").await?, 1);
    reader.set_value("input[name=search]", "").await?;
    reader.wait_text("共 2 项").await?;
    reader.click(".status-counts button[data-status='办理中']").await?;
    reader.wait_text("共 0 项").await?;
    reader.click(".status-counts button[data-status='办理中']").await?;
    reader.wait_text("共 2 项").await?;
    reader.click(".ledger-row a").await?;
    reader.wait_text("办理记录").await?;
    reader
        .fill("form.progress textarea[name=note]", "已请设计院出方案")
        .await?;
    // The matter moves to another unit with a new date, from the page.
    reader
        .fill("form.progress input[name=responsible]", "街道城建科")
        .await?;
    reader
        .set_value("form.progress input[name=deadline]", "2027-03-31")
        .await?;
    // A change without the writer's name is not sent (this server runs --open).
    reader.click("form.progress button[type=submit]").await?;
    reader.fill("form.progress input[name=by]", "街道城建科小赵").await?;
    reader.click("form.progress button[type=submit]").await?;
    reader.wait_text("已请设计院出方案").await?;
    reader.wait_text("街道城建科小赵（开放模式）").await?;
    reader.wait_text("2027-03-31").await?;
    let facts = reader.find("table.facts").await?.text().await?;
    assert!(facts.contains("街道城建科") && facts.contains("2027-03-31"), "{facts}");
    reader.screenshots("ledger-entry", PHONE).await?;
    // The moderator answers the objection from the tablet.
    moderator
        .fill("li[data-objection='1'] input.answer", "已补充分摊办法")
        .await?;
    moderator.click("li[data-objection='1'] .answer-objection").await?;
    wait_state(&base, &id, |s| {
        s.objections.first().and_then(|o| o.answer.as_deref()) == Some("已补充分摊办法")
    })
    .await?;
    // A flood of nonsense objections: the moderator marks one as spam (kept,
    // not counted); the public page says how many were set aside.
    let flood = reqwest::Client::new()
        .post(format!("{base}/api/meetings/{id}/objections"))
        .json(&serde_json::json!({"text": "刷屏刷屏刷屏"}))
        .send()
        .await?;
    assert_eq!(flood.status(), 201);
    moderator.wait_text("刷屏刷屏刷屏").await?;
    moderator.click("li[data-objection='2'] .mark-spam").await?;
    wait_state(&base, &id, |s| s.objections.get(1).is_some_and(|o| o.spam)).await?;
    moderator.wait_text("已标为刷屏，不计入").await?;
    moderator.screenshot_of("moderator-objections", "ol.objections").await?;
    moderator
        .screenshot_of("moderator-publish", "section.publish-state")
        .await?;
    reader.goto(&format!("{base}/m/{id}/minutes")).await?;
    reader.wait_text("另有 1 条异议被主持人标为刷屏").await?;
    reader.screenshot_of("minutes-objections", "ol.objections").await?;
    assert!(!reader.text().await?.contains("刷屏刷屏刷屏"));

    // The ledger feeds the next meeting: an open matter is one tap from the agenda.
    reader.goto(&format!("{base}/")).await?;
    reader
        .click_text(".ledger-picker button.chip", "电梯费用按楼层分摊")
        .await?;
    let agenda = reader
        .find("textarea[name=agenda]")
        .await?
        .prop("value")
        .await?
        .unwrap_or_default();
    assert!(agenda.contains("电梯费用按楼层分摊"), "agenda: {agenda:?}");
    reader.screenshots("organiser-ledger", PHONE).await?;
    let problems = reader.readability_problems().await?;
    assert!(
        problems.is_empty(),
        "the ledger entry page has small text or targets: {problems:#?}"
    );
    for b in [projector, phone, reader, printable, moderator] {
        b.close().await;
    }
    Ok(())
}

/// The ledger in the browser from end to end: a matter typed in by hand, put
/// on the next meeting's agenda with the picker, and an earlier commitment
/// reviewed (回顾) — rated from a phone, shown on the projector, written onto
/// the entry.
#[tokio::test]
async fn a_follow_up_meeting_reviews_a_commitment_in_the_browser() -> Result<()> {
    use serde_json::{json, Value};
    let server = TestServer::start().await;
    let base = server.base.clone();
    let Some(driver) = Driver::start_or_skip().await? else {
        return Ok(());
    };

    // A community worker types in two matters collected door to door.
    let worker = driver.browser("worker", TABLET).await?;
    worker.goto(&format!("{base}/ledger")).await?;
    for (title, responsible) in [("3栋楼道灯不亮", "物业公司"), ("垃圾站异味", "环卫所")] {
        worker.click("details.new-entry > summary").await?;
        worker.fill("#new-entry input[name=title]", title).await?;
        worker.fill("#new-entry input[name=responsible]", responsible).await?;
        worker.fill("#new-entry input[name=collected_by]", "网格员小刘").await?;
        // Who types it in: once per device (kept), every ledger change names its writer.
        worker.fill("#new-entry input[name=by]", "社区小陈").await?;
        worker.click("#new-entry button[type=submit]").await?;
        worker.wait_text("已登记").await?;
        worker.goto(&format!("{base}/ledger")).await?;
    }
    worker.wait_text("垃圾站异味").await?;
    worker.screenshots("ledger-new-entry", TABLET).await?;
    let entries: Vec<Value> = tests::http::get_json(&format!("{base}/api/ledger")).await?;
    let id_of = |t: &str| {
        entries.iter().find(|e| e["title"] == t).unwrap()["id"]
            .as_u64()
            .unwrap() as u32
    };
    let (light, smell) = (id_of("3栋楼道灯不亮"), id_of("垃圾站异味"));
    assert_eq!(entries[0]["source"], json!({"type": "collected", "by": "网格员小刘"}));
    assert_eq!(
        entries[0]["history"][0]["by"], "社区小陈",
        "the ledger says who typed it in"
    );
    // The property company reports the light fixed.
    let done = reqwest::Client::new()
        .post(format!("{base}/api/ledger/{light}/updates"))
        .json(&json!({"note": "已更换灯泡", "status": "done", "by": "物业"}))
        .send()
        .await?;
    assert_eq!(done.status(), 200);

    // The next meeting takes up the smell from the picker.
    let organiser = driver.browser("organiser", PHONE).await?;
    organiser.goto(&format!("{base}/")).await?;
    organiser.fill("input[name=title]", "九月坝坝会").await?;
    organiser
        .click(&format!(".ledger-picker button[data-entry='{smell}']"))
        .await?;
    organiser.click("#create-form button[type=submit]").await?;
    organiser.find("#created").await?;
    let join_url = href(&organiser, ".link-card.join a.url").await?;
    let moderator_url = href(&organiser, ".link-card.moderator a.url").await?;
    let projector_url = href(&organiser, ".link-card.projector a.url").await?;
    let meeting = tests::http::Meeting::from_links(&join_url, &moderator_url, &projector_url)?;
    let id = meeting.id().clone();
    let state = public_state(&base, &id).await?;
    assert_eq!(state.agenda[0].title, "垃圾站异味");
    assert_eq!(state.agenda[0].ledger, Some(smell), "the topic is linked to its entry");

    // The meeting opens with the review of the light.
    let moderator = driver.browser("moderator", TABLET).await?;
    moderator.goto(&moderator_url).await?;
    moderator.click("#start-meeting").await?;
    moderator.click(&format!(".open-review[data-entry='{light}']")).await?;
    let projector = driver.browser("projector", PROJECTOR).await?;
    projector.goto(&projector_url).await?;
    projector.wait_text("3栋楼道灯不亮").await?;
    let phone = driver.browser("phone", PHONE).await?;
    join(&phone, &join_url, "周大妈", "居民").await?;
    phone.wait_text("请评议这项承诺的落实情况").await?;
    phone.wait_text("已更换灯泡").await?;
    phone.click("button[data-rating=unsatisfied]").await?;
    phone.click("button[data-rating=satisfied]").await?;
    phone.wait_text("已评议").await?;
    wait_state(&base, &id, |s| s.reviews[0].counts() == [1, 0, 0]).await?;
    use babahui_shared::Rating;
    for (name, rating) in [("吴叔", Rating::Unsatisfied), ("李姐", Rating::Fair)] {
        let j = tests::http::join(&base, &meeting, name, "居民").await?;
        let mut c = tests::WsClient::connect(&base, &id, &j.token, None).await?;
        c.ok(babahui_shared::Command::RateReview {
            review: babahui_shared::ReviewId(1),
            rating,
            key: None,
        })
        .await?;
    }
    projector.wait_text("3 人评议").await?;
    phone.screenshots("review-phone", PHONE).await?;
    projector.screenshots("review-projector", PROJECTOR).await?;
    moderator
        .screenshot_of("review-moderator-panel", ".review-panel")
        .await?;
    let problems = phone.readability_problems().await?;
    assert!(problems.is_empty(), "the rating card: {problems:#?}");
    moderator.js("window.confirm = () => true; return true;").await?;
    moderator.click(".close-review").await?;
    projector.wait_text("评议结束").await?;

    // The ratings are on the entry's page, with the meeting in its history.
    worker.goto(&format!("{base}/ledger/{light}")).await?;
    worker
        .wait_text("九月坝坝会》回顾评议：满意1，基本满意1，不满意1")
        .await?;
    worker.wait_text("已评议").await?;
    worker.screenshots("ledger-entry-rated", PHONE).await?;
    let problems = worker.readability_problems().await?;
    assert!(problems.is_empty(), "the rated entry page: {problems:#?}");
    for b in [worker, organiser, moderator, projector, phone] {
        b.close().await;
    }
    Ok(())
}

/// The moderator replaces the join QR code: the projector shows the new link
/// at once, and the old one admits nobody.
#[tokio::test]
async fn a_rotated_join_link_appears_on_the_projector() -> Result<()> {
    let server = TestServer::start().await;
    let base = server.base.clone();
    let m = tests::http::simple_meeting(&base, "十一月坝坝会", &["停车"]).await?;
    let Some(driver) = Driver::start_or_skip().await? else {
        return Ok(());
    };
    let projector = driver.browser("projector", PROJECTOR).await?;
    projector.goto(&m.created.projector_url).await?;
    let old = format!("?i={}", m.invite);
    projector.wait_text(&old).await?;
    let moderator = driver.browser("moderator", TABLET).await?;
    moderator.goto(&m.created.moderator_url).await?;
    moderator.wait_text("已连接").await?;
    moderator.js("window.confirm = () => true; return true;").await?;
    moderator.click("#rotate-invite").await?;
    projector
        .wait_until("a new join link", |text| text.contains("?i=") && !text.contains(&old))
        .await?;
    let shown = projector.find(".pj-url").await?.text().await?;
    let new_invite = shown.rsplit("?i=").next().unwrap_or_default().trim().to_owned();
    let qr = projector
        .find("img.pj-qr")
        .await?
        .attr("src")
        .await?
        .unwrap_or_default();
    assert!(qr.contains(&new_invite), "the QR code encodes the new link: {qr}");
    assert!(
        tests::http::join(&base, &m, "迟到的人", "居民").await.is_err(),
        "the old link admits nobody"
    );
    projector.screenshot("projector-rotated", PROJECTOR).await?;
    for b in [projector, moderator] {
        b.close().await;
    }
    Ok(())
}

/// A phone tells its person what concerns them, at the moments that matter:
/// why the hand cannot be raised yet, 下一位就是您, 轮到您发言了, 已提交 ✓ once
/// the server has an opinion, a ballot that is a card of its own and says
/// 已投票 ✓ only when the vote is in, the result once the vote closes, earlier
/// topics' opinions folded, and after the end what the meeting decided — also
/// for someone who scans the posted sheet afterwards.
#[tokio::test]
async fn a_phone_tells_its_person_what_concerns_them() -> Result<()> {
    use babahui_shared::*;
    let server = TestServer::start().await;
    let base = server.base.clone();
    let Some(driver) = Driver::start_or_skip().await? else {
        return Ok(());
    };
    let m = tests::http::simple_meeting(&base, "六月坝坝会", &["停车难", "路灯维修"]).await?;
    let id = m.id().clone();
    let join_url = format!("{base}/m/{id}?i={}", m.invite);
    let mut md = tests::WsClient::connect(&base, &id, &m.moderator, None).await?;
    let phone = driver.browser("phone", PHONE).await?;
    join(&phone, &join_url, "孙大爷", "居民").await?;
    // Before the start the projector shows the agenda (and the QR code), the
    // hand button says why it cannot be used yet.
    let projector = driver.browser("projector", PROJECTOR).await?;
    projector.goto(&m.created.projector_url).await?;
    projector.wait_text("今天的议程").await?;
    projector.wait_text("路灯维修").await?;
    assert!(!projector.text().await?.contains("接下来"), "no empty 'next up' line");
    projector.screenshots("projector-before-start", PROJECTOR).await?;
    phone.wait_text("会议开始后才能举手").await?;
    assert_eq!(phone.count("button.hand[disabled]").await?, 1);
    md.ok(Command::StartMeeting).await?;
    md.ok(Command::OpenTopic { topic: TopicId(1) }).await?;
    phone.wait_text("停车难").await?;
    phone.click("button.hand").await?;
    phone.wait_text("下一位就是您").await?;
    md.ok(Command::CallNext).await?;
    phone.wait_text("轮到您发言了").await?;
    phone.screenshots("phone-your-turn", PHONE).await?;
    md.ok(Command::PauseTimer).await?;
    projector.wait_text("已暂停").await?;
    projector.screenshots("projector-paused", PROJECTOR).await?;
    md.ok(Command::EndFloor).await?;
    phone
        .wait_until("the banner to go", |t| !t.contains("轮到您发言了"))
        .await?;
    // Waiting again when the moderator moves on: the new topic clears the
    // queue, and the phone says so rather than leave its person waiting.
    phone.click("button.hand").await?;
    phone.wait_text("下一位就是您").await?;
    md.ok(Command::OpenTopic { topic: TopicId(2) }).await?;
    phone.wait_text("发言排队已清空").await?;
    md.ok(Command::OpenTopic { topic: TopicId(1) }).await?;
    phone.wait_text("停车难").await?;

    phone.fill(".opinion-form textarea", "东门晚上停满了车").await?;
    phone.click(".opinion-form button[type=submit]").await?;
    phone.wait_text("已提交 ✓").await?;
    projector.wait_text("东门晚上停满了车").await?;

    // The moderator holds phone opinions for approval: an insult waits off the
    // projector (its author sees it, marked as waiting) until a recorder decides.
    md.ok(Command::HoldOpinions { on: true }).await?;
    phone.fill(".opinion-form textarea", "物业都是骗子").await?;
    phone.click(".opinion-form button[type=submit]").await?;
    phone.wait_text("记录员审核后会显示在大屏上").await?;
    wait_state(&base, &id, |s| s.opinions.iter().any(|o| o.held)).await?;
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    assert!(
        !projector.text().await?.contains("物业都是骗子"),
        "held off the projector"
    );
    let anonymous = tests::http::anonymous_state(&base, &id).await?;
    assert!(anonymous.opinions.iter().all(|o| o.text != "物业都是骗子"));
    md.ok(Command::Hide {
        opinion: OpinionId(2),
        reason: "辱骂".into(),
    })
    .await?;
    phone.fill(".opinion-form textarea", "东门要装监控").await?;
    phone.click(".opinion-form button[type=submit]").await?;
    wait_state(&base, &id, |s| s.opinion(OpinionId(3)).is_some_and(|o| o.held)).await?;
    md.ok(Command::ApproveOpinion { opinion: OpinionId(3) }).await?;
    projector.wait_text("东门要装监控").await?;
    assert!(!projector.text().await?.contains("物业都是骗子"));
    md.ok(Command::HoldOpinions { on: false }).await?;

    let vote = md
        .ok(Command::OpenVote {
            question: "东门改为只进不出？".into(),
            kind: VoteKind::YesNo,
            secret: true,
            rule: PassRule::Majority,
            quorum: None,
        })
        .await?;
    phone.wait_text("请投票").await?;
    phone.wait_still(".ballot").await?;
    phone.click_text(".ballot button.choice", "投：赞成").await?;
    phone.wait_text("已投票 ✓").await?;
    phone.screenshots("phone-ballot", PHONE).await?;
    // While a secret vote is open the projector shows how many voted, not how.
    projector.wait_text("表决中 · 1 票").await?;
    assert_eq!(projector.count(".pj-vote .bar").await?, 0, "no counts per choice yet");
    md.ok(Command::CloseVote {
        vote: VoteId(vote.created.unwrap()),
    })
    .await?;
    phone.wait_text("表决结果").await?;
    phone.wait_text("通过").await?;
    phone.screenshots("phone-vote-result", PHONE).await?;

    // The next topic: its opinions first, the earlier ones folded.
    md.ok(Command::CloseTopic).await?;
    md.ok(Command::OpenTopic { topic: TopicId(2) }).await?;
    phone.wait_text("其他议题及会前的意见 (2)").await?;
    let open = phone
        .js("return document.querySelector('details.earlier-opinions').open;")
        .await?;
    assert_eq!(open.as_bool(), Some(false), "earlier topics' opinions start folded");

    md.ok(Command::SetOutcome {
        topic: TopicId(1),
        kind: OutcomeKind::Passed,
        text: "东门改为只进不出".into(),
        dissent: Some("一楼商户担心生意".into()),
        vote: Some(VoteId(vote.created.unwrap())),
    })
    .await?;
    md.ok(Command::AddCommitment {
        topic: Some(TopicId(1)),
        what: "东门加装道闸".into(),
        responsible: "物业公司".into(),
        deadline: "2027-01-31".into(),
        opinions: vec![],
    })
    .await?;
    md.ok(Command::EndMeeting).await?;
    phone.wait_text("会议已结束：本次会议的结果").await?;
    phone.wait_text("一楼商户担心生意").await?;
    phone.wait_text("东门加装道闸").await?;
    phone.wait_text("物业公司").await?;
    assert_eq!(phone.count(".opinion-form, button.hand").await?, 0);
    projector.wait_text("会议已结束：本次会议的结果").await?;
    projector.wait_text("东门加装道闸").await?;
    assert_eq!(projector.count("img.pj-qr").await?, 0, "nobody joins after the end");
    projector.screenshots("projector-closing", PROJECTOR).await?;
    phone.screenshots("phone-closing", PHONE).await?;
    let problems = phone.readability_problems().await?;
    assert!(problems.is_empty(), "small text or targets: {problems:#?}");

    // Someone scanning the posted sheet after the end sees what was decided.
    let late = driver.browser("late", PHONE).await?;
    late.goto(&join_url).await?;
    late.wait_text("会议已结束：本次会议的结果").await?;
    late.wait_text("东门加装道闸").await?;
    assert_eq!(late.count("input[autocomplete=name]").await?, 0, "no join form");
    late.screenshots("phone-scanned-after-end", PHONE).await?;
    for b in [phone, late, projector] {
        b.close().await;
    }
    Ok(())
}

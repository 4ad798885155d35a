//! 线上旁听 in Chromium: a neighbour at home opens the follow link on a phone
//! while the meeting runs on the tablet and the projector. They see the topic,
//! the speaker (as 居民1 when she did not agree to be named) and opinions as
//! they come; they have no hand and no 附议; the moderator opens opinions from
//! home on the tablet, the neighbour sends one, and it arrives on the tablet
//! and the projector marked 线上; the projector counts 线上 1人 apart from
//! attendance. The follow view is read with the phone pages' readability rules.

use super::district::readable;
use super::{Driver, PHONE, PROJECTOR, TABLET};
use crate::helpers::TestServer;
use anyhow::{ensure, Result};
use babahui_shared::{Command, TopicId};
use serde_json::json;
use tests::WsClient;

#[tokio::test]
async fn a_neighbour_follows_from_home_and_sends_an_opinion_when_the_moderator_allows() -> Result<()> {
    let server = TestServer::start().await;
    let base = server.base.clone();
    let Some(driver) = Driver::start_or_skip().await? else {
        return Ok(());
    };
    let meeting = tests::http::create_meeting(
        &base,
        json!({"title": "加装电梯", "place": "3栋院坝", "starts_at": "2026-12-05 19:00",
               "agenda": [{"title": "出资比例", "minutes": 20}, {"title": "选址"}]}),
    )
    .await?;
    let id = meeting.id().clone();
    let mut moderator = WsClient::connect(&base, &id, &meeting.moderator, None).await?;

    // Before the start the follow view says so, and where to read the notice.
    let home = driver.browser("home", PHONE).await?;
    home.goto(&format!("{base}/m/{id}/follow")).await?;
    home.wait_text("会议还没开始").await?;
    home.wait_text("看会前通报").await?;

    moderator.ok(Command::StartMeeting).await?;
    moderator.ok(Command::OpenTopic { topic: TopicId(1) }).await?;
    // 王秀兰 joins in the courtyard without agreeing to be named.
    let wang = driver.browser("wang", PHONE).await?;
    wang.join_as(&meeting.created.join_url, "王秀兰", Some("居民"), false)
        .await?;
    wang.click("button.hand").await?;
    let tablet = driver.browser("tablet", TABLET).await?;
    tablet.goto(&meeting.created.moderator_url).await?;
    tablet.wait_text("王秀兰").await?;
    let state = tests::http::public_state(&base, &id).await?;
    let wang_id = state.participants[0].id;
    moderator
        .ok(Command::GiveFloor {
            participant: wang_id,
            kind: babahui_shared::FloorKind::Speak,
            limit_secs: None,
        })
        .await?;

    home.wait_text("出资比例").await?;
    home.wait_text("居民1").await?;
    home.wait_text("现场 1人").await?;
    home.wait_text("线上 1人").await?;
    let text = home.text().await?;
    ensure!(
        !text.contains("王秀兰"),
        "a name not given for publishing reached home: {text}"
    );
    ensure!(home.count("button.hand").await? == 0, "no hand from home");
    home.wait_text("本次会议未开放线上提意见").await?;

    // An opinion in the courtyard arrives at home, without a 附议 button.
    wang.fill(".opinion-form textarea", "电梯出资按楼层分摊").await?;
    wang.click(".opinion-form button[type=submit]").await?;
    home.wait_text("电梯出资按楼层分摊").await?;
    ensure!(home.count("button.second").await? == 0, "no 附议 from home");

    // The moderator opens opinions from home on the tablet.
    tablet.click("input[name=online-opinions]").await?;
    home.wait_text("线上提意见").await?;
    readable(&home, "the follow view").await?;
    home.screenshot("follow-phone", PHONE).await?;
    home.fill(".online-opinion textarea", "我在外地，支持按楼层分摊，但一楼应少出")
        .await?;
    home.click(".online-opinion button[type=submit]").await?;
    home.wait_text("已送到会场").await?;
    tablet.wait_text("我在外地，支持按楼层分摊").await?;
    tablet.wait_text("线上旁听").await?;
    tablet.screenshot("follow-tablet", TABLET).await?;

    // The projector: the opinion from home marked 线上, followers counted apart.
    let projector = driver.browser("projector", PROJECTOR).await?;
    projector.goto(&meeting.created.projector_url).await?;
    projector.wait_text("我在外地").await?;
    // Counted apart from 到会, as 线上旁听 1.
    let started = std::time::Instant::now();
    while projector
        .js("return document.querySelector('b.pj-online').textContent")
        .await?
        != "1"
    {
        ensure!(
            started.elapsed().as_secs() < 20,
            "the projector never counted the follower"
        );
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    projector.wait_text(&format!("/m/{id}/follow")).await?;
    projector.screenshot("follow-projector", PROJECTOR).await?;

    // The end: home sees what was decided.
    moderator.ok(Command::EndMeeting).await?;
    home.wait_text("已结束").await?;
    home.screenshot("follow-phone-ended", PHONE).await?;
    Ok(())
}

/// The organiser attaches a photo to a topic in the create form; the notice
/// shows it, and the links to send to the residents' group (the notice and
/// the follow view) carry no join code.
#[tokio::test]
async fn an_organiser_attaches_a_topic_photo_and_shares_the_notice_and_the_follow_view() -> Result<()> {
    let server = TestServer::start().await;
    let base = server.base.clone();
    let Some(driver) = Driver::start_or_skip().await? else {
        return Ok(());
    };
    let photo = server.dir.path().join("IMG_2231.jpg");
    std::fs::write(&photo, tests::photos::camera_jpeg(2000, 1500, 1))?;
    let organiser = driver.browser("organiser", TABLET).await?;
    organiser.goto(&format!("{base}/")).await?;
    organiser.fill("input[name=title]", "十二月坝坝会").await?;
    organiser.fill("input[name=place]", "3栋院坝").await?;
    organiser.fill("textarea[name=agenda]", "东门路灯 15\n停车 10").await?;
    organiser.click("details.backgrounds summary").await?;
    organiser
        .fill("textarea[name=background-0]", "东门路灯坏了一个月，夜里看不清台阶。")
        .await?;
    organiser
        .find("input[name=photos-0]")
        .await?
        .send_keys(photo.to_str().unwrap())
        .await?;
    organiser.wait_count(".topic-photo img", 1).await?;
    organiser.screenshot("follow-organiser-topic-photo", TABLET).await?;
    organiser.click("#create-form button[type=submit]").await?;
    organiser.find("#created").await?;
    let shared = organiser
        .js("return [...document.querySelectorAll('.share-links a.url')].map(a => a.href)")
        .await?;
    let shared: Vec<String> = serde_json::from_value(shared)?;
    ensure!(shared.len() == 2, "{shared:?}");
    ensure!(
        shared[0].ends_with("/notice") && shared[1].ends_with("/follow"),
        "{shared:?}"
    );
    ensure!(
        shared.iter().all(|u| !u.contains("?i=")),
        "no join code in what is shared: {shared:?}"
    );
    let home = driver.browser("home", PHONE).await?;
    home.goto(&shared[0]).await?;
    home.wait_text("看不清台阶").await?;
    ensure!(
        home.count(".notice-page .photos img").await? == 1,
        "the topic's photo on the notice"
    );
    home.screenshot("follow-notice-topic-photo", PHONE).await?;
    Ok(())
}

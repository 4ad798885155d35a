//! 大字 and 强对比 on a phone (issue 24): an elderly resident joins, turns on
//! large text (nothing under 24 px, no control under 56 px, nothing wider than
//! the screen) and high contrast for the sun; the phone remembers both.

use super::{Driver, PHONE};
use crate::helpers::TestServer;
use anyhow::{ensure, Result};
use babahui_shared::{Command, TopicId};
use tests::WsClient;

#[tokio::test]
async fn large_text_and_high_contrast_on_the_attendee_page_are_remembered() -> Result<()> {
    let server = TestServer::start().await;
    let base = server.base.clone();
    let Some(driver) = Driver::start_or_skip().await? else {
        return Ok(());
    };
    let meeting = tests::http::simple_meeting(&base, "加装电梯", &["出资比例", "选址"]).await?;
    let mut moderator = WsClient::connect(&base, meeting.id(), &meeting.moderator, None).await?;
    moderator.ok(Command::StartMeeting).await?;
    moderator.ok(Command::OpenTopic { topic: TopicId(1) }).await?;
    let phone = driver.browser("elder", PHONE).await?;
    phone
        .join_as(&meeting.created.join_url, "王奶奶", Some("居民"), false)
        .await?;
    let classes = || phone.js("return document.documentElement.className");

    phone.click("button.view-big").await?;
    ensure!(classes().await?.as_str().unwrap_or_default().contains("big"));
    let problems = phone.readability_problems_at(24, 56).await?;
    ensure!(problems.is_empty(), "large text: {problems:#?}");
    ensure!(!phone.overflows_horizontally().await?, "large text overflows sideways");
    phone.screenshot("views-attendee-big", PHONE).await?;

    phone.click("button.view-contrast").await?;
    ensure!(classes().await?.as_str().unwrap_or_default().contains("contrast"));
    phone.screenshot("views-attendee-big-contrast", PHONE).await?;

    // Remembered on the device: the next visit opens as it was left.
    phone.goto(&meeting.created.join_url).await?;
    phone.app_ready().await?;
    phone.find("button.hand").await?;
    let now = classes().await?;
    ensure!(
        now.as_str()
            .is_some_and(|c| c.contains("big") && c.contains("contrast")),
        "{now}"
    );

    // The pages the server draws follow the same choice (a cookie): the
    // meeting's notice, read with the same rule.
    phone.goto(&format!("{base}/m/{}/notice", meeting.id())).await?;
    let marked = classes().await?;
    ensure!(
        marked
            .as_str()
            .is_some_and(|c| c.contains("big") && c.contains("contrast")),
        "the notice page: {marked}"
    );
    let problems = phone.readability_problems_at(24, 56).await?;
    ensure!(problems.is_empty(), "large text on the notice: {problems:#?}");
    phone.screenshot("views-notice-big-contrast", PHONE).await?;
    // Its plain link turns large text off again, for every page.
    phone.click("a.view-big").await?;
    let off = classes().await?;
    ensure!(!off.as_str().unwrap_or_default().contains("big"), "{off}");
    Ok(())
}

//! The year round as residents and the committee use it, in Chromium: a
//! resident reports a matter from a phone with a camera photo; the organiser
//! reads it in the inbox on the tablet and accepts it; a neighbour seconds it
//! on the public ledger; the meeting's notice (phone and A4) takes an opinion
//! before the meeting; the report notice prints on one A4 page; the
//! submitter's link shows where it stands. Every page is read at phone size
//! with the readability rules of the other phone pages.

use super::district::readable;
use super::{Driver, PHONE, TABLET};
use crate::helpers::TestServer;
use anyhow::{Context, Result};
use babahui::ServerConfig;
use serde_json::json;
use tests::session::As;

const KEY: &str = "residents-browser-key-0123456789";

#[tokio::test]
async fn a_resident_reports_the_committee_accepts_neighbours_second_and_the_notice_asks() -> Result<()> {
    let server = TestServer::start_with(ServerConfig {
        organiser_key: Some(KEY.into()),
        ..ServerConfig::default()
    })
    .await;
    let base = server.base.clone();
    let Some(driver) = Driver::start_or_skip().await? else {
        return Ok(());
    };
    let photo = server.dir.path().join("IMG_0412.jpg");
    std::fs::write(&photo, tests::photos::camera_jpeg(2400, 1800, 1))?;

    // 听群众说事: the report page on a phone.
    let phone = driver.browser("resident", PHONE).await?;
    phone.goto(&format!("{base}/report")).await?;
    phone.wait_text("反映问题").await?;
    readable(&phone, "the report form").await?;
    phone.screenshot("residents-report-form", PHONE).await?;
    phone.fill("#text", "3栋楼道的灯坏了，晚上上楼看不见台阶").await?;
    phone.click("input[value='基础设施']").await?;
    phone.fill("#place", "3栋1单元").await?;
    phone
        .find("#photo")
        .await?
        .send_keys(photo.to_str().context("path")?)
        .await?;
    phone.fill("#contact_phone", "13900001111").await?;
    phone.click("button[type=submit]").await?;
    phone.wait_text("已收到").await?;
    let follow = phone
        .js("return location.href")
        .await?
        .as_str()
        .context("url")?
        .to_owned();
    anyhow::ensure!(follow.contains("/report/1?k="), "{follow}");
    anyhow::ensure!(phone.count(".photos img").await? == 1, "the photo on the follow page");
    readable(&phone, "the follow page").await?;
    phone.screenshot("residents-follow-received", PHONE).await?;

    // The organiser's inbox on the tablet: the matter, its photo, the phone number.
    let tablet = driver.browser("organiser", TABLET).await?;
    tablet.goto(&format!("{base}/#k={KEY}")).await?;
    tablet.app_ready().await?;
    tablet.goto(&format!("{base}/ledger")).await?;
    tablet.wait_count(".inbox-item", 1).await?;
    let page = tablet.text().await?;
    anyhow::ensure!(page.contains("13900001111") && page.contains("3栋1单元"), "{page}");
    anyhow::ensure!(
        tablet.count(".inbox-item .photos img").await? == 1,
        "the photo in the inbox"
    );
    tablet.screenshot("residents-inbox", TABLET).await?;
    tablet.fill(".inbox-item input[name=title]", "3栋楼道灯坏").await?;
    tablet.click(".inbox-item button.primary").await?;
    tablet.wait_count(".inbox-item", 0).await?;
    tablet.wait_text("3栋楼道灯坏").await?;
    tablet.screenshot("residents-inbox-accepted", TABLET).await?;

    // A neighbour seconds it on the public ledger (no account, no script needed).
    let neighbour = driver.browser("neighbour", PHONE).await?;
    neighbour.goto(&format!("{base}/public/ledger")).await?;
    neighbour.wait_text("3栋楼道灯坏").await?;
    readable(&neighbour, "the public ledger").await?;
    neighbour.screenshot("residents-public-ledger", PHONE).await?;
    neighbour.click("a.title").await?;
    neighbour.click("form button[type=submit]").await?;
    neighbour.wait_text("已附议，谢谢").await?;
    // Seconded: the page says so instead of offering the button again, after a reload too.
    neighbour.goto(&format!("{base}/public/ledger/1")).await?;
    neighbour.wait_text("您已附议").await?;
    anyhow::ensure!(
        neighbour.count("form button[type=submit]").await? == 0,
        "the 附议 button again"
    );
    let entry = As::key(&base, KEY).ok("/api/ledger/1").await?;
    anyhow::ensure!(entry["seconds"] == 1, "one phone, one 附议: {entry}");
    let page = neighbour.text().await?;
    anyhow::ensure!(!page.contains("13900001111"), "the phone number on the public page");
    readable(&neighbour, "the public entry").await?;
    neighbour.screenshot("residents-public-entry", PHONE).await?;

    // 议前通报: a meeting takes the matter up; its notice on a phone, and on A4.
    let created = As::key(&base, KEY)
        .made(
            "/api/meetings",
            json!({"title": "十二月坝坝会", "place": "3栋院坝", "starts_at": "2026-12-20 19:00",
                   "moderator_name": "社区书记 李红", "invited": "物业公司 王经理、街道城管科",
                   "agenda": [{"title": "3栋楼道灯坏", "minutes": 15, "ledger": 1,
                               "background": "楼道灯坏了两个月，物业说要业主分摊费用。"},
                              {"title": "垃圾分类", "minutes": 10}]}),
        )
        .await?;
    let join = created["join_url"].as_str().context("join url")?;
    let id = created["id"].as_str().context("id")?;
    neighbour.goto(&format!("{base}/m/{id}/notice")).await?;
    neighbour.wait_text("会前通报").await?;
    readable(&neighbour, "the notice").await?;
    neighbour.screenshot("residents-notice", PHONE).await?;
    neighbour.click("input[name=topic][value='1']").await?;
    neighbour.click("input[name=stance][value=question]").await?;
    neighbour
        .fill("textarea[name=text]", "费用怎么分摊？一楼也要出吗？")
        .await?;
    neighbour.click("form button[type=submit]").await?;
    neighbour.wait_text("已收到您的意见").await?;
    neighbour.wait_text("已收到会前意见 1").await?;
    tablet.goto(&join.replacen("?i=", "/notice?i=", 1)).await?;
    tablet.wait_text("会议当天在现场扫码加入").await?;
    tablet
        .cdp("Emulation.setEmulatedMedia", json!({"media": "print"}))
        .await?;
    tablet.screenshot("residents-notice-print", (794, 1123)).await?;
    let pages = tablet.print_a4("residents-notice-a4").await?;
    anyhow::ensure!((1..=2).contains(&pages), "the notice prints on {pages} A4 pages");

    // The report notice for the board: one A4 page with the QR code.
    tablet.goto(&format!("{base}/report/poster")).await?;
    tablet.wait_text("有问题，扫码反映").await?;
    tablet.screenshot("residents-report-poster", (794, 1123)).await?;
    let pages = tablet.print_a4("residents-report-poster-a4").await?;
    anyhow::ensure!(pages == 1, "the report notice prints on {pages} pages");

    // The submitter finds it again from the report page (the phone remembers it),
    // and its link shows the entry it became.
    phone.goto(&format!("{base}/report")).await?;
    phone.wait_text("我反映过的问题").await?;
    phone.click_text("a.button", "3栋楼道的灯坏了").await?;
    phone.wait_text("已受理").await?;
    anyhow::ensure!(
        phone.js("return location.href").await?.as_str() == Some(follow.as_str()),
        "the remembered link"
    );
    phone.goto(&follow).await?;
    phone.wait_text("已受理").await?;
    phone.wait_text("3栋楼道灯坏").await?;
    phone.screenshot("residents-follow-accepted", PHONE).await?;
    for b in [phone, tablet, neighbour] {
        b.close().await;
    }
    Ok(())
}

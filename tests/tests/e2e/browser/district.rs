//! A street office's district server as its people use it: an administrator
//! logs in on the login page, sees the administration page, and reads the
//! dashboard across two communities whose meetings were really held (people
//! joined, spoke, gave opinions, commitments were made and minutes
//! published); the dashboard is read at 1366×768 and printed to A4.

use super::{Browser, Driver, TABLET};
use crate::helpers::TestServer;
use anyhow::{Context, Result};
use babahui::ServerConfig;
use babahui_shared::*;
use serde_json::json;
use tests::http::{join, Meeting};
use tests::session::As;
use tests::WsClient;

const KEY: &str = "street-office-key-0123456789";
const LAPTOP: (u32, u32) = (1366, 768);

/// Who comes to a meeting: name, category, seconds they speak, their opinion
/// (text, category, stance).
type Person = (&'static str, &'static str, u64, &'static str, &'static str, Stance);

/// Holds a meeting of `community` through the real protocol: people join,
/// each speaks for their seconds (the server's clock moved on), gives an
/// opinion; one commitment overdue and one not; the minutes published.
async fn hold(
    server: &TestServer,
    clock: &babahui::clock::Clock,
    community: Option<&str>,
    title: &str,
    day: &str,
    people: &[Person],
) -> Result<()> {
    let base = &server.base;
    let key = As::key(base, KEY);
    let created = key
        .made(
            "/api/meetings",
            json!({"title": title, "starts_at": format!("{day} 19:00"), "community": community,
                   "agenda": [{"title": "停车和路灯", "minutes": 30}]}),
        )
        .await?;
    let m = Meeting::from_links(
        created["join_url"].as_str().context("join")?,
        created["moderator_url"].as_str().context("moderator")?,
        created["projector_url"].as_str().context("projector")?,
    )?;
    let id = m.id().clone();
    let mut md = WsClient::connect(base, &id, &m.moderator, None).await?;
    md.ok(Command::StartMeeting).await?;
    md.ok(Command::OpenTopic { topic: TopicId(1) }).await?;
    for (name, category, secs, text, opinion_category, stance) in people {
        let p = join(base, &m, name, category).await?;
        md.ok(Command::GiveFloor {
            participant: p.participant,
            kind: FloorKind::Speak,
            limit_secs: None,
        })
        .await?;
        clock.advance(secs * 1000);
        md.ok(Command::EndFloor).await?;
        let mut phone = WsClient::connect(base, &id, &p.token, None).await?;
        phone
            .ok(Command::SubmitOpinion {
                topic: None,
                text: (*text).into(),
                category: Some((*opinion_category).into()),
                stance: Some(*stance),
                author: OpinionAuthor::Me,
                voice: None,
            })
            .await?;
    }
    for (what, deadline) in [("修好东门路灯", "2020-01-10"), ("划定临时停车位", "2099-12-31")] {
        md.ok(Command::AddCommitment {
            topic: None,
            what: what.into(),
            responsible: "物业公司".into(),
            deadline: deadline.into(),
            opinions: vec![],
        })
        .await?;
    }
    md.ok(Command::EndMeeting).await?;
    md.ok(Command::PublishMinutes {
        correction: None,
        summary: String::new(),
        notice_days: None,
    })
    .await?;
    Ok(())
}

pub(super) async fn readable(b: &Browser, what: &str) -> Result<()> {
    let problems = b.readability_problems().await?;
    anyhow::ensure!(problems.is_empty(), "{what}: {problems:#?}");
    anyhow::ensure!(!b.overflows_horizontally().await?, "{what} overflows sideways");
    Ok(())
}

#[tokio::test]
async fn the_street_office_logs_in_and_sees_every_community_at_a_glance() -> Result<()> {
    let clock = babahui::clock::Clock::manual(babahui::clock::system_now_ms());
    let mut config = ServerConfig {
        organiser_key: Some(KEY.into()),
        ..ServerConfig::default()
    };
    config.hub.clock = clock.clone();
    let server = TestServer::start_with(config).await;
    let base = server.base.clone();
    let key = As::key(&base, KEY);
    let mut ids = Vec::new();
    for name in ["玉林东路社区", "玉林北路社区"] {
        let c = key
            .made(
                "/api/communities",
                json!({"name": name, "street": "玉林街道", "district": "武侯区"}),
            )
            .await?;
        ids.push(c["id"].as_str().context("id")?.to_owned());
    }
    key.made(
        "/api/accounts",
        json!({"name": "街道办王主任", "role": "admin", "password": "yulin-street-2026"}),
    )
    .await?;
    let east: [Person; 3] = [
        ("张阿姨", "居民", 120, "东门路灯不亮", "基础设施", Stance::Suggest),
        ("李师傅", "居民", 90, "反对在绿地停车", "环境卫生", Stance::Oppose),
        ("物业刘经理", "物业", 300, "同意增加车位", "物业管理", Stance::Support),
    ];
    let north: [Person; 2] = [
        ("赵大爷", "党员", 60, "楼道堆物要清理", "环境卫生", Stance::Suggest),
        (
            "王科长",
            "政府部门",
            240,
            "车位要统一规划吗",
            "社区服务",
            Stance::Question,
        ),
    ];
    hold(&server, &clock, Some(&ids[0]), "东路三月坝坝会", "2026-03-05", &east).await?;
    hold(
        &server,
        &clock,
        Some(&ids[0]),
        "东路十月坝坝会",
        "2026-10-08",
        &east[..2],
    )
    .await?;
    hold(&server, &clock, Some(&ids[1]), "北路九月坝坝会", "2026-09-12", &north).await?;

    let Some(driver) = Driver::start_or_skip().await? else {
        return Ok(());
    };
    let b = driver.browser("street-office", LAPTOP).await?;
    b.goto(&format!("{base}/admin")).await?;
    b.wait_text("Log in").await?;
    b.fill("input[name=name]", "街道办王主任").await?;
    b.fill("input[name=password]", "wrong-password").await?;
    b.click("form button[type=submit]").await?;
    b.wait_text("账号名或密码不对").await?;
    b.screenshot("district-login-refused", LAPTOP).await?;
    b.fill("input[name=password]", "yulin-street-2026").await?;
    b.click("form button[type=submit]").await?;
    b.wait_text("操作记录").await?;
    let page = b.text().await?;
    for seen in ["玉林东路社区", "玉林北路社区", "街道办王主任", "login.failed"] {
        anyhow::ensure!(page.contains(seen), "the administration page shows {seen}: {page}");
    }
    b.screenshot("district-admin", LAPTOP).await?;
    readable(&b, "the administration page").await?;

    b.goto(&format!("{base}/admin/dashboard?from=2026-01-01&to=2026-12-31"))
        .await?;
    b.wait_text("街道看板").await?;
    let page = b.text().await?;
    // Three meetings, two in the east; seven people came, four of them 居民.
    for seen in [
        "2场（67%）",
        "1场（33%）",
        "4人（57%）",
        "物业",
        "政府部门",
        "按期推进中",
        "已逾期",
        "物业公司",
    ] {
        anyhow::ensure!(page.contains(seen), "the dashboard shows {seen}:\n{page}");
    }
    b.screenshot("district-dashboard", LAPTOP).await?;
    readable(&b, "the dashboard").await?;
    // One community only.
    b.goto(&format!(
        "{base}/admin/dashboard?from=2026-01-01&to=2026-12-31&community={}",
        ids[1]
    ))
    .await?;
    b.wait_text("街道看板").await?;
    let page = b.text().await?;
    anyhow::ensure!(page.contains("1场（100%）") && !page.contains("2场"), "{page}");

    // Printed: A4, still readable.
    b.goto(&format!("{base}/admin/dashboard?from=2026-01-01&to=2026-12-31"))
        .await?;
    b.wait_text("街道看板").await?;
    b.cdp("Emulation.setEmulatedMedia", json!({"media": "print"})).await?;
    readable(&b, "the printed dashboard").await?;
    b.screenshot("district-dashboard-print", (794, 1123)).await?;
    anyhow::ensure!(b.print_a4("district-dashboard-a4").await? >= 1, "a PDF with pages");
    // The numbers, downloadable.
    let admin = As::login(&base, "街道办王主任", "yulin-street-2026").await?;
    let (status, csv) = admin.get("/admin/dashboard.csv?from=2026-01-01&to=2026-12-31").await?;
    let csv = csv.as_str().context("csv text")?.to_owned();
    anyhow::ensure!(
        status.is_success() && csv.contains("出席人数（按协商主体）") && csv.contains("居民,4"),
        "{csv}"
    );
    b.close().await;
    Ok(())
}

#[tokio::test]
async fn a_courtyard_laptop_syncs_with_its_district_from_the_organiser_page() -> Result<()> {
    let clock = babahui::clock::Clock::manual(babahui::clock::system_now_ms());
    let keyed = |clock: Option<&babahui::clock::Clock>| {
        let mut config = ServerConfig {
            organiser_key: Some(KEY.into()),
            ..ServerConfig::default()
        };
        if let Some(c) = clock {
            config.hub.clock = c.clone();
        }
        config
    };
    let district = TestServer::start_with(keyed(None)).await;
    let laptop = TestServer::start_with(keyed(Some(&clock))).await;
    let dkey = As::key(&district.base, KEY);
    let c = dkey
        .made(
            "/api/communities",
            json!({"name": "玉林东路社区", "street": "玉林街道"}),
        )
        .await?;
    let community = c["id"].as_str().context("id")?.to_owned();
    let t = dkey
        .made(&format!("/api/communities/{community}/sync-token"), json!({}))
        .await?;
    let token = t["token"].as_str().context("token")?.to_owned();
    let people: [Person; 1] = [("张阿姨", "居民", 60, "东门路灯不亮", "基础设施", Stance::Suggest)];
    hold(&laptop, &clock, None, "院坝十一月坝坝会", "2026-11-20", &people).await?;

    let Some(driver) = Driver::start_or_skip().await? else {
        return Ok(());
    };
    let b = driver.browser("laptop-organiser", TABLET).await?;
    b.goto(&format!("{}/#k={KEY}", laptop.base)).await?;
    b.app_ready().await?;
    b.click("details.sync-panel summary").await?;
    b.fill("#sync-form input[name=to]", &district.base).await?;
    b.fill("#sync-form input[name=community]", &community).await?;
    b.fill("#sync-form input[name=token]", &token).await?;
    b.click("#sync-form button[type=submit]").await?;
    b.wait_text("已同步 1 场已结束的会议").await?;
    b.screenshot_of("laptop-sync-panel", "details.sync-panel").await?;
    let on_district = dkey.ok("/api/meetings").await?;
    anyhow::ensure!(on_district[0]["title"] == "院坝十一月坝坝会", "{on_district}");
    // The page remembers the district for next time, and what the last sync did.
    b.goto(&format!("{}/", laptop.base)).await?;
    b.app_ready().await?;
    b.click("details.sync-panel summary").await?;
    anyhow::ensure!(b.value_of("#sync-form input[name=community]").await? == community);
    b.wait_text("上次同步").await?;
    b.close().await;
    Ok(())
}

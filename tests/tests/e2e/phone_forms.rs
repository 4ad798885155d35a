//! The join page's plain forms over real HTTP: join, 举手, opinions and votes
//! with nothing but form posts and a cookie — the same rules and the same
//! record as the application's, and nothing more for a forged or stray post.

use crate::helpers::TestServer;
use anyhow::Result;
use babahui_shared::{Command, ParticipantId, TopicId};
use reqwest::header::{COOKIE, LOCATION, ORIGIN, SET_COOKIE};
use reqwest::redirect::Policy;
use tests::http::{public_state, simple_meeting};
use tests::WsClient;

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(Policy::none())
        .build()
        .expect("client")
}

#[tokio::test]
async fn a_phone_takes_part_through_plain_forms_and_a_cookie() -> Result<()> {
    let server = TestServer::start().await;
    let base = server.base.clone();
    let m = simple_meeting(&base, "<script>alert(1)</script>院坝会", &["停车 & 充电"]).await?;
    let id = m.id().clone();
    let mut md = WsClient::connect(&base, &id, &m.moderator, None).await?;
    md.ok(Command::StartMeeting).await?;
    md.ok(Command::OpenTopic { topic: TopicId(1) }).await?;
    let http = client();
    let page = format!("{base}/m/{id}");

    // The join page: the meeting escaped, and a form that posts back here.
    let html = http.get(format!("{page}?i={}", m.invite)).send().await?.text().await?;
    assert!(!html.contains("<script>alert"), "escaped: {html}");
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;院坝会"));
    assert!(html.contains(&format!(r#"action="/m/{id}/join""#)), "{html}");
    assert!(html.contains("停车 &amp; 充电"));
    // A wrong code: said at once, and no form that could only fail.
    let dead = http.get(format!("{page}?i=wrongcode")).send().await?.text().await?;
    assert!(dead.contains("参会链接已失效") && !dead.contains("/join\""), "{dead}");

    // Join: a redirect back to the page, and a cookie only this meeting's pages get.
    let resp = http
        .post(format!("{page}/join"))
        .form(&[
            ("i", m.invite.as_str()),
            ("name", "<b>王阿姨</b>"),
            ("category", "居民"),
        ])
        .send()
        .await?;
    // The answer is the joined page itself (one round trip to 举手).
    assert_eq!(resp.status(), 200);
    let set = resp.headers()[SET_COOKIE].to_str()?.to_owned();
    assert!(
        set.contains("HttpOnly") && set.contains("SameSite=Lax") && set.contains(&format!("Path=/m/{id}")),
        "{set}"
    );
    assert!(resp.text().await?.contains("已加入："), "the joined page");
    let cookie = set.split(';').next().unwrap().to_owned();
    // The form sent again (a reload of that answer) carries the cookie: the
    // joined page again, not a second person.
    let again = http
        .post(format!("{page}/join"))
        .header(COOKIE, &cookie)
        .form(&[
            ("i", m.invite.as_str()),
            ("name", "<b>王阿姨</b>"),
            ("category", "居民"),
        ])
        .send()
        .await?;
    assert_eq!(again.status(), 200);
    assert_eq!(public_state(&base, &id).await?.participants.len(), 1, "joined once");
    // Its address, opened again, is the page.
    let reopened = http.get(format!("{page}/join")).send().await?;
    assert_eq!(reopened.status(), 303);
    assert_eq!(reopened.headers()[LOCATION], format!("/m/{id}"));
    let token = cookie.split_once('=').unwrap().1.to_owned();
    let state = public_state(&base, &id).await?;
    let me = state.participants.last().expect("joined");
    assert_eq!(me.name.as_deref(), Some("<b>王阿姨</b>"));
    assert!(!me.publish_name, "not ticked: not published");
    let me: ParticipantId = me.id;

    // The joined page: their own name (escaped), and the token handed to the
    // application, which then carries on as them over its socket.
    let html = http.get(&page).header(COOKIE, &cookie).send().await?.text().await?;
    assert!(
        html.contains("已加入：<b><bdi>&lt;b&gt;王阿姨&lt;/b&gt;</bdi></b>"),
        "{html}"
    );
    assert!(html.contains(&format!(r#"data-attendee="{token}""#)));
    let phone = WsClient::connect(&base, &id, &token, None).await?;
    assert_eq!(phone.actor, babahui_shared::Actor::Participant(me));

    // 举手 and 放下.
    let post = |path: &str, form: Vec<(&'static str, String)>| {
        http.post(format!("{page}/{path}"))
            .header(COOKIE, &cookie)
            .form(&form)
            .send()
    };
    let resp = post(
        "hand",
        vec![
            ("action", "raise".into()),
            ("topic", "1".into()),
            ("cid", "t-hand-1".into()),
        ],
    )
    .await?;
    assert_eq!(resp.status(), 303);
    assert_eq!(resp.headers()[LOCATION], format!("/m/{id}?done=hand"));
    assert_eq!(public_state(&base, &id).await?.queue, vec![me]);
    let html = http
        .get(format!("{page}?done=hand"))
        .header(COOKIE, &cookie)
        .send()
        .await?
        .text()
        .await?;
    assert!(html.contains("已举手 ✓") && html.contains("您排在第 1 位"), "{html}");
    post("hand", vec![("action", "lower".into()), ("cid", "t-hand-2".into())]).await?;
    assert!(public_state(&base, &id).await?.queue.is_empty());

    // An opinion, sent twice with the same form (a double tap, a resend): one.
    let opinion = vec![
        ("text", "充电桩装在东门".to_owned()),
        ("stance", "suggest".to_owned()),
        ("topic", "1".to_owned()),
        ("cid", "t-opinion-7".to_owned()),
    ];
    for _ in 0..2 {
        assert_eq!(post("opinion", opinion.clone()).await?.status(), 303);
    }
    let state = public_state(&base, &id).await?;
    assert_eq!(state.opinions.len(), 1, "{:?}", state.opinions);
    assert_eq!(state.opinions[0].author, Some(me));

    // Refused: too long. The page says why and keeps every character typed.
    let long = "长".repeat(babahui_shared::limits::OPINION_MAX_CHARS + 1);
    let resp = post(
        "opinion",
        vec![("text", long.clone()), ("topic", "1".into()), ("cid", "t-long".into())],
    )
    .await?;
    assert_eq!(resp.status(), 400);
    let html = resp.text().await?;
    assert!(
        html.contains("form-error") && html.contains(&long),
        "the typed text is kept"
    );

    // Forged: a post from another site's page, or with no cookie, changes nothing.
    let forged = http
        .post(format!("{page}/opinion"))
        .header(COOKIE, &cookie)
        .header(ORIGIN, "http://evil.example")
        .form(&[("text", "伪造"), ("topic", "1"), ("cid", "t-forged")])
        .send()
        .await?;
    assert_eq!(forged.status(), 403);
    let stray = http
        .post(format!("{page}/opinion"))
        .form(&[("text", "无名"), ("topic", "1"), ("cid", "t-stray")])
        .send()
        .await?;
    assert_eq!(stray.status(), 401);
    assert!(stray.text().await?.contains("请重新加入"));
    assert_eq!(public_state(&base, &id).await?.opinions.len(), 1);

    // Removed by the moderator: the page is a join page again, not theirs.
    md.ok(Command::RemoveParticipant {
        participant: me,
        ban: false,
    })
    .await?;
    let html = http.get(&page).header(COOKIE, &cookie).send().await?.text().await?;
    assert!(!html.contains("已加入") && !html.contains("data-attendee"), "{html}");
    phone.close().await;
    Ok(())
}

#[tokio::test]
async fn the_plain_page_speaks_english_when_chosen_and_remembers_it() -> Result<()> {
    let server = TestServer::start().await;
    let base = server.base.clone();
    let m = simple_meeting(&base, "English test", &["Parking"]).await?;
    let http = client();
    let page = format!("{base}/m/{}", m.id());
    let zh = http.get(format!("{page}?i={}", m.invite)).send().await?.text().await?;
    assert!(zh.contains("加入会议") && zh.contains(r#"lang="zh-CN""#));
    let resp = http.get(format!("{page}?i={}&lang=en", m.invite)).send().await?;
    let set = resp.headers()[SET_COOKIE].to_str()?.to_owned();
    assert!(set.starts_with("bbh_lang=en") && set.contains("Path=/"), "{set}");
    let en = resp.text().await?;
    assert!(
        en.contains("Join the meeting") && en.contains(r#"<html lang="en">"#),
        "{en}"
    );
    assert!(!en.contains("加入会议"), "nothing left in Chinese but the switch back");
    let again = http
        .get(format!("{page}?i={}", m.invite))
        .header(COOKIE, "bbh_lang=en")
        .send()
        .await?
        .text()
        .await?;
    assert!(again.contains("Join the meeting"));
    // Drawn per request, sent gzipped to a browser that takes it.
    let gz = http
        .get(format!("{page}?i={}", m.invite))
        .header("accept-encoding", "gzip")
        .send()
        .await?;
    assert_eq!(gz.headers()["content-encoding"], "gzip");
    let gz_len = gz.bytes().await?.len();
    assert!(gz_len * 2 < zh.len(), "{gz_len} bytes gzipped against {}", zh.len());
    Ok(())
}

#[tokio::test]
async fn a_flood_of_form_posts_is_told_to_wait_and_records_nothing_more() -> Result<()> {
    let mut config = babahui::ServerConfig::default();
    config.limits.messages_per_sec = 1;
    config.limits.message_burst = 3;
    let server = TestServer::start_with(config).await;
    let base = server.base.clone();
    let m = simple_meeting(&base, "限速", &["停车"]).await?;
    let mut md = WsClient::connect(&base, m.id(), &m.moderator, None).await?;
    md.ok(Command::StartMeeting).await?;
    md.ok(Command::OpenTopic { topic: TopicId(1) }).await?;
    let http = client();
    let page = format!("{base}/m/{}", m.id());
    let resp = http
        .post(format!("{page}/join"))
        .form(&[("i", m.invite.as_str()), ("category", "居民")])
        .send()
        .await?;
    let cookie = resp.headers()[SET_COOKIE]
        .to_str()?
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    let mut statuses = Vec::new();
    for n in 0..6 {
        let resp = http
            .post(format!("{page}/opinion"))
            .header(COOKIE, &cookie)
            .form(&[
                ("text", format!("第{n}条")),
                ("topic", "1".into()),
                ("cid", format!("flood-{n}")),
            ])
            .send()
            .await?;
        statuses.push(resp.status().as_u16());
        if resp.status() == 429 {
            assert!(resp.text().await?.contains("操作太快了"), "said in words");
        }
    }
    assert_eq!(&statuses[..3], &[303, 303, 303], "{statuses:?}");
    assert!(statuses[3..].iter().all(|s| *s == 429), "{statuses:?}");
    assert_eq!(public_state(&base, m.id()).await?.opinions.len(), 3);
    Ok(())
}

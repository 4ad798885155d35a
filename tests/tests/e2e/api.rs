//! The HTTP API: creation, links, public state, QR, errors, the organiser key, the CLI.

use crate::helpers::{data_dir, ServerProcess, TestServer};
use babahui::ServerConfig;
use serde_json::{json, Value};
use tests::http::{create_meeting, join, public_state, simple_meeting};
use tests::WsClient;

async fn error_of(resp: reqwest::Response) -> (u16, String) {
    let status = resp.status().as_u16();
    let body: Value = resp.json().await.expect("error bodies are JSON");
    (status, body["error"]["code"].as_str().expect("error.code").to_owned())
}

#[tokio::test]
async fn healthz_answers() {
    let server = TestServer::start().await;
    let resp = reqwest::get(format!("{}/healthz", server.base)).await.unwrap();
    assert_eq!(resp.status(), 200);
}

#[tokio::test]
async fn create_gives_absolute_links_and_only_the_moderator_link_carries_the_secret() {
    let server = TestServer::start().await;
    let m = create_meeting(
        &server.base,
        json!({"title": " 三月坝坝会 ", "place": "3栋院坝", "starts_at": "2026-11-30 19:00",
               "agenda": [{"title": "停车难", "minutes": 20}, {"title": "垃圾分类"}]}),
    )
    .await
    .unwrap();
    let c = &m.created;
    for url in [&c.join_url, &c.moderator_url, &c.projector_url, &c.qr_svg_url] {
        assert!(
            url.starts_with(&server.base),
            "{url} is absolute on the request's address"
        );
        assert!(url.contains(c.id.as_str()));
    }
    assert_eq!(c.title, "三月坝坝会");
    assert!(m.moderator.len() >= 22, "128-bit token");
    assert!(!c.join_url.contains(&m.moderator) && !c.projector_url.contains(&m.moderator));
    assert_ne!(m.moderator, m.projector);

    let state = public_state(&server.base, &c.id).await.unwrap();
    assert_eq!(state.title, "三月坝坝会");
    assert_eq!(state.place, "3栋院坝");
    assert_eq!(state.agenda.len(), 2);
    assert_eq!(state.agenda[0].minutes, 20);
    assert!(
        state.attendee_categories.contains(&"业委会".to_string()),
        "defaults applied"
    );

    // No secret in the public state, whatever joined.
    let a = join(&server.base, &m, "张阿姨", "居民").await.unwrap();
    let raw = reqwest::get(format!("{}/api/meetings/{}", server.base, c.id))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    for secret in [
        &m.moderator,
        &m.projector,
        &a.token,
        &babahui::tokens::hash_token(&m.moderator),
    ] {
        assert!(!raw.contains(secret.as_str()), "public state leaks a secret");
    }
    assert!(raw.contains("张阿姨"));
}

#[tokio::test]
async fn public_url_overrides_the_request_address() {
    let config = ServerConfig {
        links: babahui::links::LinkBase {
            public_url: Some("https://bbh.example.org".into()),
            ..Default::default()
        },
        ..ServerConfig::default()
    };
    let server = TestServer::start_with(config).await;
    let m = simple_meeting(&server.base, "t", &["a"]).await.unwrap();
    assert!(m.created.join_url.starts_with("https://bbh.example.org/m/"));
}

#[tokio::test]
async fn qr_svg_encodes_the_join_link() {
    let server = TestServer::start().await;
    let m = simple_meeting(&server.base, "t", &["a"]).await.unwrap();
    let http = reqwest::Client::new();
    // The join link admits people: only the meeting's own screens may see it.
    let a = tests::http::join(&server.base, &m, "甲", "居民").await.unwrap();
    for (bearer, status) in [(None, 401), (Some(a.token.as_str()), 403), (Some("nonsense"), 403)] {
        let mut req = http.get(&m.created.qr_svg_url);
        if let Some(b) = bearer {
            req = req.bearer_auth(b);
        }
        assert_eq!(req.send().await.unwrap().status(), status, "{bearer:?}");
    }
    let resp = http
        .get(&m.created.qr_svg_url)
        .bearer_auth(&m.projector)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.headers()["content-type"], "image/svg+xml");
    let svg = resp.text().await.unwrap();
    assert!(svg.contains("<svg") && svg.contains("<path"), "an SVG with modules");
    let other = simple_meeting(&server.base, "u", &["a"]).await.unwrap();
    let svg2 = http
        .get(&other.created.qr_svg_url)
        .bearer_auth(&other.moderator)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_ne!(svg, svg2, "each meeting has its own code");
}

#[tokio::test]
async fn errors_are_json_with_the_right_status() {
    let server = TestServer::start().await;
    let http = reqwest::Client::new();
    let url = format!("{}/api/meetings", server.base);

    let resp = http
        .post(&url)
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(error_of(resp).await, (400, "malformed".into()));
    let resp = http.post(&url).json(&json!({"place": "x"})).send().await.unwrap();
    assert_eq!(error_of(resp).await, (400, "malformed".into()), "title is required");
    let resp = http.post(&url).json(&json!({"title": "   "})).send().await.unwrap();
    assert_eq!(error_of(resp).await, (400, "invalid".into()), "empty title");
    let resp = http
        .post(&url)
        .json(&json!({"title": "x".repeat(101)}))
        .send()
        .await
        .unwrap();
    assert_eq!(error_of(resp).await, (400, "invalid".into()), "title too long");
    let big = json!({"title": "t", "place": "p".repeat(100_000)});
    let resp = http.post(&url).json(&big).send().await.unwrap();
    assert_eq!(error_of(resp).await, (413, "too_large".into()));

    for id in ["zzzzzzzz", "nope", "../etc"] {
        let resp = http.get(format!("{url}/{id}")).send().await.unwrap();
        assert_eq!(error_of(resp).await, (404, "not_found".into()), "{id}");
    }
    let resp = http
        .get(format!("{}/api/nothing-here", server.base))
        .send()
        .await
        .unwrap();
    assert_eq!(error_of(resp).await, (404, "not_found".into()));

    let m = simple_meeting(&server.base, "t", &["a"]).await.unwrap();
    let join_url = format!("{url}/{}/join", m.id());
    let resp = http
        .post(&join_url)
        .json(&json!({"invite": "wrong1", "name": "x", "category": "居民"}))
        .send()
        .await
        .unwrap();
    assert_eq!(error_of(resp).await, (403, "invite_invalid".into()));
    let resp = http
        .post(&join_url)
        .json(&json!({"invite": m.invite, "category": "外星人"}))
        .send()
        .await
        .unwrap();
    assert_eq!(error_of(resp).await, (400, "invalid".into()));
    // None of that created anything.
    assert_eq!(public_state(&server.base, m.id()).await.unwrap().participants.len(), 0);
}

#[tokio::test]
async fn joining_without_a_name_is_anonymous_and_the_token_works() {
    let server = TestServer::start().await;
    let m = simple_meeting(&server.base, "t", &["a"]).await.unwrap();
    let body = json!({"invite": m.invite, "category": "物业"});
    let resp = reqwest::Client::new()
        .post(format!("{}/api/meetings/{}/join", server.base, m.id()))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 201);
    let joined: Value = resp.json().await.unwrap();
    let token = joined["token"].as_str().unwrap();
    let client = WsClient::connect(&server.base, m.id(), token, None).await.unwrap();
    let me = client.state.participants.last().unwrap();
    assert_eq!(me.name, None);
    assert_eq!(me.category, "物业");
    assert!(!me.publish_name, "names are not published unless agreed");
}

#[tokio::test]
async fn the_organiser_key_guards_creation() {
    let config = ServerConfig {
        organiser_key: Some("s3cret-key".into()),
        ..ServerConfig::default()
    };
    let server = TestServer::start_with(config).await;
    let http = reqwest::Client::new();
    let url = format!("{}/api/meetings", server.base);
    let body = json!({"title": "t"});
    let resp = http.post(&url).json(&body).send().await.unwrap();
    assert_eq!(error_of(resp).await, (403, "forbidden".into()), "missing key");
    let resp = http.post(&url).bearer_auth("wrong").json(&body).send().await.unwrap();
    assert_eq!(error_of(resp).await, (403, "forbidden".into()), "wrong key");
    let resp = http.get(&url).send().await.unwrap();
    assert_eq!(error_of(resp).await, (403, "forbidden".into()), "listing needs it too");
    let resp = http
        .post(&url)
        .bearer_auth("s3cret-key")
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 201);
    let listed: Value = http
        .get(&url)
        .bearer_auth("s3cret-key")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(listed.as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn the_cli_creates_a_meeting_on_a_running_server() {
    let (_keep, data) = data_dir();
    let server = ServerProcess::start(&data);
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_babahui-under-test"))
        .args([
            "meeting",
            "create",
            "--title",
            "楼道堆物",
            "--place",
            "5栋",
            "--agenda",
            "清理=10",
            "--agenda",
            "消防通道",
            "--json",
            "--server",
        ])
        .arg(&server.base)
        // The CLI reads the running server's organiser key from its data folder.
        .arg("--data")
        .arg(&data)
        .output()
        .expect("run the CLI");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let created: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let id = babahui_shared::MeetingId::parse(created["id"].as_str().unwrap()).unwrap();
    let state = public_state(&server.base, &id).await.unwrap();
    assert_eq!(state.title, "楼道堆物");
    assert_eq!(
        state
            .agenda
            .iter()
            .map(|t| (t.title.as_str(), t.minutes))
            .collect::<Vec<_>>(),
        [("清理", 10), ("消防通道", 0)]
    );

    let text = std::process::Command::new(env!("CARGO_BIN_EXE_babahui-under-test"))
        .args(["meeting", "create", "--title", "t", "--server"])
        .arg(&server.base)
        .arg("--data")
        .arg(&data)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&text.stdout);
    assert!(stdout.contains("/moderator#k=") && stdout.contains("?i="), "{stdout}");

    // Without the key (another folder), the server refuses and says why.
    let (_other, elsewhere) = data_dir();
    let refused = std::process::Command::new(env!("CARGO_BIN_EXE_babahui-under-test"))
        .args(["meeting", "create", "--title", "t", "--server"])
        .arg(&server.base)
        .arg("--data")
        .arg(&elsewhere)
        .output()
        .unwrap();
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("organiser key"));
}

#[tokio::test]
async fn the_client_is_served_for_every_page_route_and_gzipped_once() {
    let server = TestServer::start().await;
    let http = reqwest::Client::new();
    let index = http.get(format!("{}/", server.base)).send().await.unwrap();
    assert_eq!(index.status(), 200);
    assert!(index.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/html"));
    let etag = index.headers()["etag"].clone();
    let body = index.text().await.unwrap();
    for route in ["/m/k7m2x9qa", "/m/k7m2x9qa/moderator", "/m/k7m2x9qa/projector"] {
        let page = http
            .get(format!("{}{route}", server.base))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert_eq!(page, body, "{route} serves the app");
    }
    let again = http
        .get(format!("{}/", server.base))
        .header("if-none-match", etag)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 304, "revalidation is cheap");
    let gz = http
        .get(format!("{}/", server.base))
        .header("accept-encoding", "gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(gz.headers()["content-encoding"], "gzip");
    let mut text = String::new();
    use std::io::Read;
    flate2::read::GzDecoder::new(&gz.bytes().await.unwrap()[..])
        .read_to_string(&mut text)
        .unwrap();
    assert_eq!(text, body);
}

#[tokio::test]
async fn wifi_links_and_any_text_qr() {
    let server = TestServer::start().await;
    let m = create_meeting(
        &server.base,
        json!({"title": "t", "wifi": {"ssid": "院坝WiFi", "password": "12345678"},
               "opinion_categories": ["停车", "绿化", "停车"]}),
    )
    .await
    .unwrap();
    let state = public_state(&server.base, m.id()).await.unwrap();
    let wifi = state.wifi.expect("wifi kept");
    assert_eq!(wifi.qr_text(), "WIFI:T:WPA;S:院坝WiFi;P:12345678;;");
    assert_eq!(state.opinion_categories, ["停车", "绿化"], "configured, de-duplicated");

    let links: Value =
        tests::http::get_json_as(&format!("{}/api/meetings/{}/links", server.base, m.id()), &m.moderator)
            .await
            .unwrap();
    assert_eq!(links["join_url"], m.created.join_url);

    let http = reqwest::Client::new();
    let qr = http
        .get(format!("{}/api/qr.svg", server.base))
        .query(&[("text", wifi.qr_text())])
        .send()
        .await
        .unwrap();
    assert_eq!(qr.status(), 200);
    assert!(qr.text().await.unwrap().contains("<svg"));
    let too_long = "x".repeat(601);
    let resp = http
        .get(format!("{}/api/qr.svg", server.base))
        .query(&[("text", too_long)])
        .send()
        .await
        .unwrap();
    assert_eq!(error_of(resp).await, (400, "invalid".into()));
}

/// The join page asks whether its link is still valid before anyone types: the
/// code in force is accepted, an old one is refused as `invite_invalid`.
#[tokio::test]
async fn a_join_link_can_be_checked_before_the_form_is_filled() {
    let server = TestServer::start().await;
    let base = &server.base;
    let m = simple_meeting(base, "t", &["a"]).await.unwrap();
    let check = |code: String| {
        let url = format!("{base}/api/meetings/{}/invite?i={code}", m.id());
        async move { reqwest::get(url).await.unwrap() }
    };
    assert_eq!(check(m.invite.clone()).await.status(), 204);
    assert_eq!(
        error_of(check("wrong123".into()).await).await,
        (403, "invite_invalid".into())
    );
    let mut md = WsClient::connect(base, m.id(), &m.moderator, None).await.unwrap();
    md.ok(babahui_shared::Command::RotateInvite).await.unwrap();
    assert_eq!(
        error_of(check(m.invite.clone()).await).await,
        (403, "invite_invalid".into()),
        "a rotated link is no longer valid"
    );
    let unknown = reqwest::get(format!("{base}/api/meetings/zzzzzzzz/invite?i=x"))
        .await
        .unwrap();
    assert_eq!(unknown.status(), 404);
}

/// A phone's first contact: the join link's page carries the meeting itself
/// (title, the topic under discussion, the agenda; escaped, no names) before
/// any script runs, and names its script and styles under a versioned address
/// that is cached for good, so a second meeting costs only its data.
#[tokio::test]
async fn the_join_page_carries_the_meeting_and_its_files_are_cached_for_good() {
    let server = TestServer::start().await;
    let base = &server.base;
    let m = simple_meeting(base, "<b>六月</b>坝坝会", &["加装电梯 & 停车", "路灯"])
        .await
        .unwrap();
    let mut md = WsClient::connect(base, m.id(), &m.moderator, None).await.unwrap();
    md.ok(babahui_shared::Command::StartMeeting).await.unwrap();
    md.ok(babahui_shared::Command::OpenTopic {
        topic: babahui_shared::TopicId(1),
    })
    .await
    .unwrap();
    let page = reqwest::get(format!("{base}/m/{}?i={}", m.id(), m.invite))
        .await
        .unwrap();
    assert_eq!(page.headers()["cache-control"], "no-store");
    let html = page.text().await.unwrap();
    let html = tests::http::without_bdi(&html);
    assert!(
        html.contains("<title>&lt;b&gt;六月&lt;/b&gt;坝坝会 · 坝坝会</title>"),
        "{html}"
    );
    assert!(
        html.contains("<h1>&lt;b&gt;六月&lt;/b&gt;坝坝会</h1>"),
        "escaped, never markup: {html}"
    );
    assert!(html.contains("正在讨论：<b>加装电梯 &amp; 停车</b>"), "{html}");
    assert!(html.contains("<li>路灯</li>"), "{html}");
    // The join code is in the page only where the plain join form and the
    // language link send it back (the phone holds it in its address already).
    let rest = html
        .replace(&format!(r#"name="i" value="{}""#, m.invite), "")
        .replace(&format!("?i={}&amp;lang=", m.invite), "");
    assert!(!rest.contains(&m.invite), "the join code nowhere else: {rest}");
    // Its files, under this version's address, are kept for good.
    let boot = html
        .split("src=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("a script")
        .to_owned();
    assert!(boot.starts_with("/v/") && boot.ends_with("/boot.js"), "{boot}");
    let script = reqwest::get(format!("{base}{boot}")).await.unwrap();
    assert_eq!(script.headers()["cache-control"], "public, max-age=31536000, immutable");
    let wasm = reqwest::get(format!(
        "{base}{}",
        boot.replace("boot.js", "pkg/babahui_client_bg.wasm")
    ))
    .await
    .unwrap();
    assert_eq!(wasm.status(), 200);
    assert_eq!(wasm.headers()["cache-control"], "public, max-age=31536000, immutable");
    // Compressed at build time: brotli for a browser that takes it from the
    // very first request, gzip for one that takes only gzip.
    let client = reqwest::Client::new();
    let wasm_url = format!(
        "{base}{}",
        boot.replace("boot.js", "pkg-attendee/babahui_client_bg.wasm")
    );
    let fetch = |accept: &'static str| {
        let req = client.get(&wasm_url).header("accept-encoding", accept);
        async move {
            let r = req.send().await.unwrap();
            let encoding = r.headers()["content-encoding"].to_str().unwrap().to_owned();
            (encoding, r.bytes().await.unwrap().len())
        }
    };
    let (br, br_len) = fetch("br, gzip").await;
    let (gzip, gzip_len) = fetch("gzip").await;
    assert_eq!((br.as_str(), gzip.as_str()), ("br", "gzip"));
    assert!(br_len < gzip_len, "brotli is smaller: {br_len} against {gzip_len}");
    // Another version's address is answered, but not kept.
    let stale = reqwest::get(format!("{base}/v/000000000000/boot.js")).await.unwrap();
    assert_eq!(stale.status(), 200);
    assert_eq!(stale.headers()["cache-control"], "no-cache");
    // An unknown meeting's page is the plain application page.
    let unknown = reqwest::get(format!("{base}/m/zzzzzzzz"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        unknown.contains("正在加载") && !unknown.contains("first-paint"),
        "{unknown}"
    );
}

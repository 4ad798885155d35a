//! A district server with communities and accounts: an organiser sees and
//! changes only their communities' meetings and ledger; a logged-out
//! browser, a forged cookie and an expired one get nothing; logins are
//! limited; administrators reset and disable accounts; everything lands in
//! the audit log. Real server, real store (sled, or PostgreSQL in the
//! suite's second pass), real HTTP.

use crate::helpers::{babahui, data_dir, database_for, on_postgres, ServerProcess, TestServer};
use babahui::ServerConfig;
use reqwest::StatusCode;
use serde_json::{json, Value};
use tests::http::Meeting;
use tests::session::As;

const KEY: &str = "district-organiser-key-0123456789";

/// Two communities, an administrator and one organiser for each, a meeting
/// and a ledger entry in each.
struct District {
    server: TestServer,
    clock: babahui::clock::Clock,
    key: As,
    admin: As,
    org_a: As,
    org_b: As,
    org_b_id: String,
    a_password: String,
    a: String,
    b: String,
    ma: Meeting,
    mb: Meeting,
    ea: u64,
    eb: u64,
}

async fn account(key: &As, name: &str, role: &str, communities: &[&str]) -> (String, String) {
    let made = key
        .made(
            "/api/accounts",
            json!({"name": name, "role": role, "communities": communities}),
        )
        .await
        .unwrap();
    let password = made["password"].as_str().expect("a made password").to_owned();
    (made["account"]["id"].as_str().unwrap().to_owned(), password)
}

async fn meeting(who: &As, title: &str) -> Meeting {
    let created = who.made("/api/meetings", json!({"title": title})).await.unwrap();
    Meeting::from_links(
        created["join_url"].as_str().unwrap(),
        created["moderator_url"].as_str().unwrap(),
        created["projector_url"].as_str().unwrap(),
    )
    .unwrap()
}

async fn district() -> District {
    let clock = babahui::clock::Clock::manual(babahui::clock::system_now_ms());
    let mut config = ServerConfig {
        organiser_key: Some(KEY.into()),
        ..ServerConfig::default()
    };
    config.hub.clock = clock.clone();
    let server = TestServer::start_with(config).await;
    let key = As::key(&server.base, KEY);
    let community = async |name: &str| {
        let c = key
            .made(
                "/api/communities",
                json!({"name": name, "street": "玉林街道", "district": "武侯区"}),
            )
            .await
            .unwrap();
        c["id"].as_str().unwrap().to_owned()
    };
    let (a, b) = (community("玉林东路社区").await, community("玉林北路社区").await);
    let (_, admin_pw) = account(&key, "区管理员", "admin", &[]).await;
    let (_, a_pw) = account(&key, "张敏", "organiser", &[&a]).await;
    let (org_b_id, b_pw) = account(&key, "李强", "organiser", &[&b]).await;
    let admin = As::login(&server.base, "区管理员", &admin_pw).await.unwrap();
    let org_a = As::login(&server.base, "张敏", &a_pw).await.unwrap();
    let org_b = As::login(&server.base, "李强", &b_pw).await.unwrap();
    let (ma, mb) = (
        meeting(&org_a, "东路三月坝坝会").await,
        meeting(&org_b, "北路三月坝坝会").await,
    );
    let entry = async |who: &As, title: &str| {
        who.made("/api/ledger", json!({"title": title})).await.unwrap()["id"]
            .as_u64()
            .unwrap()
    };
    let (ea, eb) = (entry(&org_a, "东路路灯").await, entry(&org_b, "北路停车").await);
    District {
        server,
        clock,
        key,
        admin,
        org_a,
        org_b,
        org_b_id,
        a_password: a_pw,
        a,
        b,
        ma,
        mb,
        ea,
        eb,
    }
}

/// Everything the server holds that a refused request could have changed, as
/// the organiser key reads it.
async fn snapshot(d: &District) -> Value {
    let mut seqs = Vec::new();
    for m in [&d.ma, &d.mb] {
        seqs.push(d.key.ok(&format!("/api/meetings/{}", m.id())).await.unwrap()["seq"].clone());
    }
    json!({
        "meetings": d.key.ok("/api/meetings").await.unwrap(),
        "ledger": d.key.ok("/api/ledger").await.unwrap(),
        "accounts": d.key.ok("/api/accounts").await.unwrap(),
        "communities": d.key.ok("/api/communities").await.unwrap(),
        "seqs": seqs,
    })
}

/// Every endpoint that reads or writes what belongs to community B (meeting
/// `mb`, entry `eb`), or to the whole server.
fn attempts_on_b(d: &District) -> Vec<(&'static str, String, Value)> {
    let (mb, b, eb) = (d.mb.id().to_string(), d.b.clone(), d.eb);
    vec![
        ("GET", format!("/api/meetings/{mb}/archive.json"), Value::Null),
        ("DELETE", format!("/api/meetings/{mb}"), Value::Null),
        ("POST", format!("/api/meetings/{mb}/screens"), json!({})),
        ("POST", format!("/api/meetings/{mb}/ledger"), json!({})),
        ("GET", format!("/api/meetings/{mb}/qr.svg"), Value::Null),
        ("GET", format!("/api/meetings/{mb}/links"), Value::Null),
        ("POST", "/api/meetings".into(), json!({"title": "x", "community": b})),
        ("POST", "/api/ledger".into(), json!({"title": "x", "community": b})),
        ("GET", format!("/api/ledger/{eb}"), Value::Null),
        (
            "POST",
            format!("/api/ledger/{eb}/updates"),
            json!({"note": "改了", "status": "done"}),
        ),
        (
            "POST",
            format!("/api/meetings/import?community={b}"),
            json!({"format": "babahui-meeting", "version": 1, "meeting": "abcdefgh", "exported_at": 0, "records": []}),
        ),
        ("GET", "/api/backup.json".into(), Value::Null),
        ("GET", "/api/accounts".into(), Value::Null),
        ("POST", "/api/accounts".into(), json!({"name": "冒名", "role": "admin"})),
        (
            "POST",
            format!("/api/accounts/{}", d.org_b_id),
            json!({"disabled": true, "password": ""}),
        ),
        ("GET", "/api/audit".into(), Value::Null),
        (
            "POST",
            "/api/communities".into(),
            json!({"name": "假社区", "street": "玉林街道"}),
        ),
        ("POST", format!("/api/communities/{b}/sync-token"), json!({})),
        (
            "POST",
            "/api/sync/run".into(),
            json!({"to": "http://127.0.0.1:9", "community": b, "token": "sync-x"}),
        ),
        ("GET", "/api/sync/last".into(), Value::Null),
        ("GET", "/api/sync/ledger".into(), Value::Null),
    ]
}

async fn attempt(who: &As, method: &str, path: &str, body: &Value) -> (StatusCode, Value) {
    match method {
        "GET" => who.get(path).await.unwrap(),
        "DELETE" => who.delete(path).await.unwrap(),
        _ => who.post(path, body.clone()).await.unwrap(),
    }
}

/// Tries every endpoint on B's things as `who`: each refused (401, 403, or
/// 404 for an entry it may not know of), and nothing changed.
async fn all_refused(d: &District, who: &As, label: &str) {
    let before = snapshot(d).await;
    for (method, path, body) in attempts_on_b(d) {
        let (status, answer) = attempt(who, method, &path, &body).await;
        assert!(
            matches!(status.as_u16(), 401 | 403 | 404),
            "{label}: {method} {path} answered {status} {answer}"
        );
    }
    assert_eq!(
        snapshot(d).await,
        before,
        "{label}: a refused request changed something"
    );
}

fn titles(list: &Value) -> Vec<String> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|v| v["title"].as_str().or(v["entry"]["title"].as_str()).unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn an_organiser_sees_and_changes_only_their_own_communitys_meetings_and_ledger() {
    let d = district().await;
    all_refused(&d, &d.org_a, "another community's organiser").await;
    // Another community's meeting is shown to them as to anyone: without
    // the names of people who did not agree to be named.
    let path = format!("/api/meetings/{}", d.mb.id());
    let public = As::nobody(&d.server.base).ok(&path).await.unwrap();
    assert_eq!(d.org_a.ok(&path).await.unwrap(), public);
    // The dashboard has nothing of theirs but their own, whatever they ask for.
    let (_, csv) = d
        .org_a
        .get(&format!(
            "/admin/dashboard.csv?from=2000-01-01&to=2100-01-01&community={}",
            d.b
        ))
        .await
        .unwrap();
    let csv = csv.as_str().unwrap();
    assert!(!csv.contains("玉林北路社区") && !csv.contains("北路"), "{csv}");
    // What they read is their own community's alone.
    assert_eq!(titles(&d.org_a.ok("/api/meetings").await.unwrap()), ["东路三月坝坝会"]);
    assert_eq!(titles(&d.org_a.ok("/api/ledger").await.unwrap()), ["东路路灯"]);
    let (_, csv) = d.org_a.get("/api/ledger.csv").await.unwrap();
    let csv = csv.as_str().unwrap();
    assert!(csv.contains("东路路灯") && !csv.contains("北路停车"), "{csv}");
    let me = d.org_a.ok("/api/me").await.unwrap();
    assert_eq!(me["communities"].as_array().unwrap().len(), 1);
    assert_eq!(me["communities"][0]["id"], d.a.as_str());
    // Their own: they may.
    let ea = d.ea;
    d.org_a
        .made(
            &format!("/api/ledger/{ea}/updates"),
            json!({"note": "已报修", "status": "in_progress"}),
        )
        .await
        .unwrap();
    d.org_a
        .made(&format!("/api/meetings/{}/screens", d.ma.id()), json!({}))
        .await
        .unwrap();
    // The administrator sees both communities, and the log says who did what.
    assert_eq!(d.admin.ok("/api/meetings").await.unwrap().as_array().unwrap().len(), 2);
    assert_eq!(d.admin.ok("/api/ledger").await.unwrap().as_array().unwrap().len(), 2);
    let audit = d.admin.ok("/api/audit").await.unwrap();
    let lines: Vec<String> = audit
        .as_array()
        .unwrap()
        .iter()
        .map(|l| format!("{} {} {}", l["who"], l["action"], l["detail"]))
        .collect();
    assert!(
        lines
            .iter()
            .any(|l| l.contains("张敏") && l.contains("ledger.write") && l.contains("已报修")),
        "{lines:#?}"
    );
    assert!(lines
        .iter()
        .any(|l| l.contains("组织者密钥") && l.contains("account.add") && l.contains("李强")));
    assert!(lines.iter().any(|l| l.contains("李强") && l.contains("meeting.create")));
}

#[tokio::test]
async fn a_logged_out_browser_a_forged_cookie_and_an_expired_one_get_nothing() {
    let d = district().await;
    let nobody = As::nobody(&d.server.base);
    all_refused(&d, &nobody, "logged out").await;
    let (status, _) = nobody.get("/api/ledger").await.unwrap();
    assert_eq!(
        status,
        StatusCode::UNAUTHORIZED,
        "the ledger needs a login once there are accounts"
    );
    let (status, _) = nobody.get("/api/meetings").await.unwrap();
    assert_eq!(status, StatusCode::FORBIDDEN);
    let forged = As::cookie(&d.server.base, "AAAAAAAAAAAAAAAAAAAAAA");
    all_refused(&d, &forged, "a forged cookie").await;
    assert_eq!(forged.get("/api/me").await.unwrap().0, StatusCode::UNAUTHORIZED);
    // Twelve hours on, the administrator's session is over.
    assert!(d.admin.ok("/api/me").await.is_ok());
    d.clock.advance(12 * 3600 * 1000 + 1);
    all_refused(&d, &d.admin, "an expired session").await;
    assert_eq!(d.admin.get("/api/me").await.unwrap().0, StatusCode::UNAUTHORIZED);
    assert_eq!(
        d.org_b.get("/api/me").await.unwrap().0,
        StatusCode::UNAUTHORIZED,
        "every session ends"
    );
}

#[tokio::test]
async fn logout_ends_the_session_and_the_cookie_is_httponly_and_strict() {
    let d = district().await;
    let password = d
        .key
        .made(
            &format!("/api/accounts/{}", d.org_b_id),
            json!({"password": "北路社区-2026"}),
        )
        .await
        .unwrap();
    assert!(password["password"].is_null(), "a chosen password is not echoed");
    let resp = reqwest::Client::new()
        .post(format!("{}/api/login", d.server.base))
        .json(&json!({"name": "李强", "password": "北路社区-2026"}))
        .send()
        .await
        .unwrap();
    let cookie = resp.headers()[reqwest::header::SET_COOKIE].to_str().unwrap().to_owned();
    for attribute in ["HttpOnly", "SameSite=Strict", "Path=/", "Max-Age=43200"] {
        assert!(cookie.contains(attribute), "{cookie}");
    }
    let li = As::login(&d.server.base, "李强", "北路社区-2026").await.unwrap();
    // A page of another site cannot use it (the browser would not send it; if
    // one did, the origin is checked).
    let (status, _) = reqwest::Client::new()
        .post(format!("{}/api/ledger", d.server.base))
        .header("cookie", li.cookie.clone().unwrap())
        .header("origin", "http://evil.example")
        .json(&json!({"title": "伪造"}))
        .send()
        .await
        .map(|r| (r.status(), ()))
        .unwrap();
    assert_eq!(status, StatusCode::FORBIDDEN);
    li.made("/api/logout", json!({})).await.ok();
    assert_eq!(li.get("/api/me").await.unwrap().0, StatusCode::UNAUTHORIZED);
    all_refused(&d, &li, "after logout").await;
    assert_eq!(
        titles(&d.key.ok("/api/ledger").await.unwrap()),
        ["东路路灯", "北路停车"]
    );
}

#[tokio::test]
async fn logins_are_limited_per_account_and_per_address() {
    let d = district().await;
    let base = &d.server.base;
    let reset = d
        .key
        .made(&format!("/api/accounts/{}", d.org_b_id), json!({"password": ""}))
        .await
        .unwrap();
    let right = reset["password"].as_str().unwrap().to_owned();
    for _ in 0..5 {
        assert!(As::login(base, "李强", "wrong-password").await.is_err());
    }
    let err = As::login(base, "李强", &right).await.unwrap_err().to_string();
    assert!(
        err.contains("429"),
        "after five failures the account waits, even with the right password: {err}"
    );
    // Another account from the same address still may (the address has attempts left).
    let (_, pw) = account(&d.key, "王芳", "organiser", &[&d.a]).await;
    As::login(base, "王芳", &pw).await.unwrap();
    // The address as a whole: 20 attempts, then it waits.
    let mut refused = 0;
    for i in 0..20 {
        if let Err(e) = As::login(base, &format!("猜{i}"), "guess-guess").await {
            refused += e.to_string().contains("429") as u32;
        }
    }
    assert!(refused > 0, "an address guessing many names is slowed down");
    let audit = d.key.ok("/api/audit?limit=100").await.unwrap();
    let failed = audit
        .as_array()
        .unwrap()
        .iter()
        .filter(|l| l["action"] == "login.failed" && l["who"] == "李强")
        .count();
    assert_eq!(failed, 5, "every failure is in the audit log");
}

#[tokio::test]
async fn an_administrator_resets_a_password_and_disables_an_account() {
    let d = district().await;
    let base = &d.server.base;
    let reset = d
        .admin
        .made(&format!("/api/accounts/{}", d.org_b_id), json!({"password": ""}))
        .await
        .unwrap();
    let new = reset["password"]
        .as_str()
        .expect("a new password, shown once")
        .to_owned();
    As::login(base, "李强", &new).await.unwrap();
    d.admin
        .made(&format!("/api/accounts/{}", d.org_b_id), json!({"disabled": true}))
        .await
        .unwrap();
    assert_eq!(
        d.org_b.get("/api/me").await.unwrap().0,
        StatusCode::UNAUTHORIZED,
        "a disabled account's sessions end"
    );
    let err = As::login(base, "李强", &new).await.unwrap_err().to_string();
    assert!(err.contains("403") && err.contains("disabled"), "{err}");
    // An organiser cannot do this to anyone.
    let (status, _) = d
        .org_a
        .post(&format!("/api/accounts/{}", d.org_b_id), json!({"disabled": false}))
        .await
        .unwrap();
    assert_eq!(status, StatusCode::FORBIDDEN);
    let audit = d.admin.ok("/api/audit").await.unwrap();
    let by_admin: Vec<&Value> = audit
        .as_array()
        .unwrap()
        .iter()
        .filter(|l| l["who"].as_str().unwrap().starts_with("区管理员") && l["action"] == "account.change")
        .collect();
    assert_eq!(by_admin.len(), 2, "{audit:#}");
    assert!(by_admin.iter().any(|l| l["detail"].as_str().unwrap().contains("停用")));
}

#[tokio::test]
async fn a_server_without_accounts_behaves_as_before() {
    let server = TestServer::start_with(ServerConfig {
        organiser_key: Some(KEY.into()),
        ..ServerConfig::default()
    })
    .await;
    let key = As::key(&server.base, KEY);
    let m = meeting(&key, "三月坝坝会").await;
    key.made("/api/ledger", json!({"title": "路灯"})).await.unwrap();
    let nobody = As::nobody(&server.base);
    assert_eq!(
        titles(&nobody.ok("/api/ledger").await.unwrap()),
        ["路灯"],
        "the ledger is public"
    );
    assert_eq!(nobody.get("/api/meetings").await.unwrap().0.as_u16(), 403);
    let listed = key.ok("/api/meetings").await.unwrap();
    assert_eq!(listed[0]["id"], m.id().as_str());
    assert!(listed[0].get("community").is_none(), "no community: {listed}");
}

#[tokio::test]
async fn a_backup_keeps_the_communities_the_accounts_and_each_meetings_community() {
    let d = district().await;
    let backup = d.key.ok("/api/backup.json").await.unwrap();
    let (keep, data) = data_dir();
    let file = keep.path().join("backup.json");
    std::fs::write(&file, serde_json::to_vec(&backup).unwrap()).unwrap();
    let file = file.to_str().unwrap();
    let (ok, out) = if on_postgres() {
        babahui(&["restore", "--from", file, "--database-url", &database_for(&data)])
    } else {
        babahui(&["restore", "--from", file, "--data", data.to_str().unwrap()])
    };
    assert!(ok, "{out}");
    let restored = ServerProcess::start_with(&data, &["--organiser-key", KEY]);
    let zhang = As::login(&restored.base, "张敏", &d.a_password).await.unwrap();
    assert_eq!(titles(&zhang.ok("/api/meetings").await.unwrap()), ["东路三月坝坝会"]);
    assert_eq!(titles(&zhang.ok("/api/ledger").await.unwrap()), ["东路路灯"]);
    let key = As::key(&restored.base, KEY);
    let audit = key.ok("/api/audit").await.unwrap();
    assert!(
        audit.as_array().unwrap().iter().any(|l| l["action"] == "account.add"),
        "the audit log came along"
    );
    restored.stop();
}

/// The line of the command's output that `shape` accepts (what it printed
/// on standard output among its messages).
fn printed(out: &str, shape: impl Fn(&str) -> bool) -> String {
    out.lines()
        .map(str::trim)
        .find(|l| shape(l))
        .unwrap_or_else(|| panic!("nothing of the expected shape in: {out}"))
        .to_owned()
}

#[tokio::test]
async fn the_command_line_sets_up_communities_and_accounts_on_the_servers_storage() {
    let (_keep, data) = data_dir();
    let mut first = Some(ServerProcess::start_with(&data, &["--organiser-key", KEY]));
    let storage: Vec<String> = if on_postgres() {
        vec!["--database-url".into(), database_for(&data)]
    } else {
        first.take().unwrap().stop();
        vec!["--data".into(), data.to_str().unwrap().into()]
    };
    let with = |args: &[&str]| {
        let mut all: Vec<String> = args.iter().map(|s| s.to_string()).collect();
        all.extend(storage.iter().cloned());
        babahui(&all)
    };
    let (ok, out) = with(&[
        "community",
        "add",
        "--name",
        "玉林东路社区",
        "--street",
        "玉林街道",
        "--district",
        "武侯区",
    ]);
    assert!(ok, "{out}");
    let id = printed(&out, |l| {
        l.len() == 8 && l.starts_with('c') && l.bytes().all(|b| b.is_ascii_alphanumeric())
    });
    let (ok, out) = with(&[
        "account",
        "add",
        "--name",
        "张敏",
        "--role",
        "organiser",
        "--community",
        &id,
    ]);
    assert!(ok, "{out}");
    let password = printed(&out, |l| l.len() == 15 && l.matches('-').count() == 3);
    let (ok, out) = with(&["account", "add", "--name", "王芳", "--role", "organiser"]);
    assert!(!ok && out.contains("at least one community"), "{out}");
    let (ok, out) = with(&[
        "account",
        "add",
        "--name",
        "赵六",
        "--role",
        "organiser",
        "--community",
        "cnope123",
    ]);
    assert!(!ok && out.contains("no community"), "{out}");
    let (ok, out) = with(&["community", "token", &id]);
    assert!(ok, "{out}");
    printed(&out, |l| l.starts_with("sync-"));
    let server = first.unwrap_or_else(|| ServerProcess::start_with(&data, &["--organiser-key", KEY]));
    if !on_postgres() {
        let (ok, out) = with(&["community", "list"]);
        assert!(!ok && out.contains("stop it first"), "sled is one process's: {out}");
    }
    let zhang = As::login(&server.base, "张敏", &password).await.unwrap();
    let me = zhang.ok("/api/me").await.unwrap();
    assert_eq!(me["communities"][0]["name"], "玉林东路社区");
    let audit = As::key(&server.base, KEY).ok("/api/audit").await.unwrap();
    let by_cli = audit
        .as_array()
        .unwrap()
        .iter()
        .filter(|l| l["who"] == "命令行")
        .count();
    assert_eq!(by_cli, 3, "community, account, token: {audit:#}");
    server.stop();
}

//! The issue ledger: created from published minutes and by hand, updated,
//! filtered, guarded by the organiser key, exported to Excel and CSV.

use crate::helpers::TestServer;
use babahui::ServerConfig;
use babahui_shared::*;
use serde_json::{json, Value};
use tests::http::{create_meeting_as, get_json, join};
use tests::WsClient;

const KEY: &str = "organiser-secret";

#[tokio::test]
async fn minutes_feed_the_ledger_which_exports_to_excel_and_csv() {
    let server = TestServer::start_with(ServerConfig {
        organiser_key: Some(KEY.into()),
        ..ServerConfig::default()
    })
    .await;
    let base = server.base.clone();
    let http = reqwest::Client::new();
    let body = json!({"title": "七月坝坝会", "agenda": [{"title": "路灯", "minutes": 10}]});
    let m = create_meeting_as(&base, body, Some(KEY)).await.unwrap();
    let id = m.id().clone();
    let mut md = WsClient::connect(&base, &id, &m.moderator, None).await.unwrap();
    let a = join(&base, &m, "张阿姨", "居民").await.unwrap();
    let mut ac = WsClient::connect(&base, &id, &a.token, None).await.unwrap();
    md.ok(Command::StartMeeting).await.unwrap();
    md.ok(Command::OpenTopic { topic: TopicId(1) }).await.unwrap();
    let op = ac
        .ok(Command::SubmitOpinion {
            topic: None,
            text: "小区东门路灯不亮".into(),
            category: Some("基础设施".into()),
            stance: None,
            author: OpinionAuthor::Me,
            voice: None,
        })
        .await
        .unwrap();
    let op = OpinionId(op.created.unwrap());
    md.ok(Command::MarkForLedger { opinion: op, on: true }).await.unwrap();
    let commit = |what: &str, deadline: &str| Command::AddCommitment {
        topic: None,
        what: what.into(),
        responsible: "物业公司".into(),
        deadline: deadline.into(),
        opinions: vec![op],
    };
    md.ok(commit("三天内修复东门路灯", "2020-01-10")).await.unwrap();
    md.ok(commit("加装两盏感应灯", "2099-12-31")).await.unwrap();
    md.ok(Command::EndMeeting).await.unwrap();

    // Nothing to import before publication.
    let early = http
        .post(format!("{base}/api/meetings/{id}/ledger"))
        .bearer_auth(KEY)
        .send()
        .await
        .unwrap();
    assert_eq!(early.status(), 409);
    md.ok(Command::PublishMinutes {
        correction: None,
        summary: String::new(),
        notice_days: None,
    })
    .await
    .unwrap();

    // An attendee may not write the ledger; the meeting's moderator may, for this meeting.
    let denied = http
        .post(format!("{base}/api/meetings/{id}/ledger"))
        .bearer_auth(&a.token)
        .send()
        .await
        .unwrap();
    assert_eq!(denied.status(), 403);
    // Publishing fed the ledger at once, in the moderator's name (nobody had to
    // remember a second button); writing it again creates nothing twice.
    let imported: Vec<Value> = get_json(&format!("{base}/api/ledger")).await.unwrap();
    assert_eq!(imported.len(), 3, "two commitments and one marked opinion");
    assert!(
        imported
            .iter()
            .all(|e| e["history"][0]["credential"]["type"] == "moderator"),
        "{imported:?}"
    );
    let by_moderator: Vec<Value> = http
        .post(format!("{base}/api/meetings/{id}/ledger"))
        .bearer_auth(&m.moderator)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(by_moderator.is_empty());
    let again: Vec<Value> = http
        .post(format!("{base}/api/meetings/{id}/ledger"))
        .bearer_auth(KEY)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(again.is_empty(), "importing again creates nothing twice");
    let fix = imported.iter().find(|e| e["title"] == "三天内修复东门路灯").unwrap();
    assert_eq!(
        (
            fix["status"].as_str(),
            fix["responsible"].as_str(),
            fix["category"].as_str()
        ),
        (Some("discussed"), Some("物业公司"), Some("基础设施"))
    );
    assert_eq!(fix["overdue"], true, "its deadline has passed");
    let marked = imported.iter().find(|e| e["source"]["type"] == "opinion").unwrap();
    assert_eq!(marked["status"], "pending");

    // By hand (收集问题): needs the key.
    let new = json!({"title": "楼道堆放杂物", "category": "市民素质", "collected_by": "网格员小刘", "deadline": "2099-01-01"});
    assert_eq!(
        http.post(format!("{base}/api/ledger"))
            .json(&new)
            .send()
            .await
            .unwrap()
            .status(),
        403
    );
    let bad = json!({"title": "x", "deadline": "明天"});
    assert_eq!(
        http.post(format!("{base}/api/ledger"))
            .bearer_auth(KEY)
            .json(&bad)
            .send()
            .await
            .unwrap()
            .status(),
        400
    );
    let manual: Value = http
        .post(format!("{base}/api/ledger"))
        .bearer_auth(KEY)
        .json(&new)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(manual["status"], "pending");

    // Progress on the overdue one, by the meeting's moderator; a dated history (一事一档).
    let fix_id = fix["id"].as_u64().unwrap();
    let upd = json!({"status": "in_progress", "note": "已订购灯具", "by": "物业王经理"});
    let r = http
        .post(format!("{base}/api/ledger/{fix_id}/updates"))
        .bearer_auth(&m.moderator)
        .json(&upd)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    // Every change says who made it: without a name it is refused and changes nothing.
    let anonymous = json!({"status": "done", "note": "已修复并验收"});
    let r = http
        .post(format!("{base}/api/ledger/{fix_id}/updates"))
        .bearer_auth(KEY)
        .json(&anonymous)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400, "a ledger change must say who writes it");
    let done = json!({"status": "done", "note": "已修复并验收", "by": "社区李主任"});
    http.post(format!("{base}/api/ledger/{fix_id}/updates"))
        .bearer_auth(KEY)
        .json(&done)
        .send()
        .await
        .unwrap();
    let entry: Value = get_json(&format!("{base}/api/ledger/{fix_id}")).await.unwrap();
    let notes: Vec<&str> = entry["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["note"].as_str().unwrap())
        .collect();
    assert_eq!(notes, ["来自《七月坝坝会》会议纪要第1版", "已订购灯具", "已修复并验收"]);
    // Who wrote each step, and with which key.
    let history = entry["history"].as_array().unwrap();
    assert_eq!(history[1]["by"], "物业王经理");
    assert_eq!(history[1]["credential"]["type"], "moderator");
    assert_eq!(history[1]["credential"]["meeting"], json!(id));
    assert!(history[1]["credential"]["meeting_name"]
        .as_str()
        .unwrap()
        .starts_with("《七月坝坝会》"));
    assert_eq!(history[2]["by"], "社区李主任");
    assert_eq!(history[2]["credential"], json!({"type": "organiser"}));
    // The source names the meeting by its title and date, not its id.
    assert!(entry["source"]["meeting_name"]
        .as_str()
        .unwrap()
        .starts_with("《七月坝坝会》20"));
    assert_eq!(
        (entry["status"].as_str(), entry["overdue"].as_bool()),
        (Some("done"), Some(false))
    );
    // The manual entry has no source meeting: the moderator cannot write it.
    let m_id = manual["id"].as_u64().unwrap();
    let r = http
        .post(format!("{base}/api/ledger/{m_id}/updates"))
        .bearer_auth(&m.moderator)
        .json(&done)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);

    // Reading needs nothing; filters by status and category.
    let all: Vec<Value> = get_json(&format!("{base}/api/ledger")).await.unwrap();
    assert_eq!(all.len(), 4);
    let pending: Vec<Value> = get_json(&format!("{base}/api/ledger?status=待议")).await.unwrap();
    assert_eq!(pending.len(), 2);
    let civility: Vec<Value> = http
        .get(format!("{base}/api/ledger"))
        .query(&[("category", "市民素质")])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(civility.len(), 1);
    assert_eq!(
        http.get(format!("{base}/api/ledger?status=whatever"))
            .send()
            .await
            .unwrap()
            .status(),
        400
    );

    // Excel: Chinese headers, one row per entry, dates as dates.
    let xlsx = reqwest::get(format!("{base}/api/ledger.xlsx")).await.unwrap();
    assert!(xlsx.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .contains(".xlsx"));
    let bytes = xlsx.bytes().await.unwrap();
    use calamine::{Data, Reader};
    let mut book: calamine::Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(bytes.to_vec())).unwrap();
    let sheet = book.worksheet_range("问题台账").unwrap();
    assert_eq!(sheet.height(), 5, "a header and four rows");
    assert_eq!(sheet.get((0, 1)), Some(&Data::String("标题".into())));
    assert_eq!(sheet.get((0, 5)), Some(&Data::String("时限".into())));
    let row = (1..5)
        .find(|r| sheet.get((*r, 1)) == Some(&Data::String("三天内修复东门路灯".into())))
        .unwrap();
    assert!(
        matches!(sheet.get((row, 5)), Some(Data::DateTime(_))),
        "the deadline is a date: {:?}",
        sheet.get((row, 5))
    );
    assert_eq!(sheet.get((row, 6)), Some(&Data::String("已办结".into())));
    assert!(sheet.get((row, 8)).unwrap().to_string().contains("已修复并验收"));

    // CSV: a BOM, then Chinese text.
    let csv = reqwest::get(format!("{base}/api/ledger.csv"))
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    assert_eq!(&csv[..3], b"\xEF\xBB\xBF");
    let text = String::from_utf8(csv[3..].to_vec()).unwrap();
    assert!(text.starts_with("编号,标题,分类,来源,责任人,时限,状态"));
    assert!(text.contains("楼道堆放杂物") && text.contains("收集问题（网格员小刘）") && text.contains("2020-01-10"));
    assert!(
        text.contains("《七月坝坝会》20") && !text.contains(id.as_str()),
        "the source column names the meeting by title and date: {text}"
    );
    assert!(
        text.contains("已修复并验收（社区李主任，组织者）"),
        "the latest step says who and with which key"
    );
}

/// A title, category, owner or note that starts like a formula reaches the
/// CSV as text (a leading `'`), and the XLSX as a plain string: a clerk who
/// opens the export in Excel runs nothing a resident typed.
#[tokio::test]
async fn the_exports_never_carry_a_live_spreadsheet_formula() {
    let server = TestServer::start_with(ServerConfig {
        organiser_key: Some(KEY.into()),
        ..ServerConfig::default()
    })
    .await;
    let base = server.base.clone();
    let http = reqwest::Client::new();
    let payloads = [
        "=HYPERLINK(\"http://evil.example\",\"点我\")",
        "+1+1",
        "-2+3",
        "@SUM(A1:A2)",
        "\t=1+1",
    ];
    for p in payloads {
        let r = http
            .post(format!("{base}/api/ledger"))
            .bearer_auth(KEY)
            // A category holds 20 characters at most.
            .json(&json!({"title": p, "category": p.chars().take(20).collect::<String>(), "responsible": p, "by": "网格员"}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 201, "{p:?}");
    }
    let csv = reqwest::get(format!("{base}/api/ledger.csv"))
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    let mut reader = csv::ReaderBuilder::new().from_reader(&csv[3..]);
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.unwrap()).collect();
    assert_eq!(rows.len(), payloads.len());
    // A carriage return in a one-line field is refused outright.
    let r = http
        .post(format!("{base}/api/ledger"))
        .bearer_auth(KEY)
        .json(&json!({"title": "\r=1+1", "by": "网格员"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    for row in &rows {
        for (col, field) in row.iter().enumerate() {
            assert!(
                !field.starts_with(['=', '+', '-', '@', '\t', '\r']),
                "column {col} starts like a formula: {field:?}"
            );
        }
    }
    // The text itself is kept, behind the quote mark.
    let titles: Vec<&str> = rows.iter().map(|r| &r[1]).collect();
    assert!(
        titles.contains(&"'=HYPERLINK(\"http://evil.example\",\"点我\")"),
        "{titles:?}"
    );
    assert!(titles.contains(&"'@SUM(A1:A2)"), "{titles:?}");

    let bytes = reqwest::get(format!("{base}/api/ledger.xlsx"))
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    use calamine::{Data, Reader};
    let mut book: calamine::Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(bytes.to_vec())).unwrap();
    let sheet = book.worksheet_range("问题台账").unwrap();
    for r in 1..=payloads.len() as u32 {
        assert!(
            matches!(sheet.get((r as usize, 1)), Some(Data::String(_))),
            "XLSX titles are plain strings"
        );
    }
}

/// A ledger entry without a category reads 未分类, never a blank cell the
/// clerk cannot filter or count by (before: an empty category was stored).
#[tokio::test]
async fn an_entry_without_a_category_is_filed_as_unsorted() {
    let server = TestServer::start().await;
    let entry: Value = reqwest::Client::new()
        .post(format!("{}/api/ledger", server.base))
        .json(&json!({"title": "路灯不亮", "category": "  ", "by": "网格员"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(entry["category"], "未分类", "{entry}");
}

//! `/admin/dashboard` (and its `.csv` and `.xlsx`): the street office's view
//! across communities for a date range; `/dashboard` is the same without
//! names of people, for the public, when the operator turns it on
//! (`--public-dashboard`).

use super::charts::{bars, columns};
use super::page::document;
use super::Reader;
use crate::http::error::ApiError;
use crate::http::state::AppState;
use crate::service::dashboard::{gather, Query, Series, Summary};
use crate::service::directory::Principal;
use crate::service::ServiceError;
use axum::extract::{Query as UrlQuery, State};
use axum::http::header;
use axum::response::{Html, IntoResponse, Response};
use babahui_shared::directory::Community;
use babahui_shared::minutes::escape;
use serde::Deserialize;
use std::fmt::Write;

/// The dashboard's filters, as the form sends them.
#[derive(Debug, Default, Deserialize)]
pub struct Filters {
    #[serde(default)]
    from: Option<String>,
    #[serde(default)]
    to: Option<String>,
    #[serde(default)]
    community: Option<String>,
}

fn valid_day(d: &str) -> bool {
    chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").is_ok()
}

impl Filters {
    /// The query: the last twelve months unless said otherwise.
    fn query(&self) -> Query {
        let today = crate::service::ledger::today();
        let year_ago = chrono::Local::now().date_naive() - chrono::Months::new(12);
        Query {
            from: self
                .from
                .clone()
                .filter(|d| valid_day(d))
                .unwrap_or_else(|| year_ago.format("%Y-%m-%d").to_string()),
            to: self.to.clone().filter(|d| valid_day(d)).unwrap_or(today),
            community: self.community.clone().filter(|c| !c.is_empty()),
        }
    }

    fn url_query(q: &Query) -> String {
        format!(
            "from={}&to={}&community={}",
            q.from,
            q.to,
            q.community.as_deref().unwrap_or("")
        )
    }
}

/// Every chart as (title in Chinese, in English, unit, numbers).
fn charts(s: &Summary) -> Vec<(&'static str, &'static str, &'static str, &Series)> {
    vec![
        ("各月召开会议", "Meetings per month", "场", &s.meetings_by_month),
        (
            "各社区召开会议",
            "Meetings per community",
            "场",
            &s.meetings_by_community,
        ),
        ("出席人数（按协商主体）", "Attendance by category", "人", &s.attendance),
        (
            "发言时长（按协商主体）",
            "Speaking time by category",
            "分钟",
            &s.speaking,
        ),
        ("意见（按类别）", "Opinions by category", "条", &s.opinions_by_category),
        ("意见（按态度）", "Opinions by stance", "条", &s.opinions_by_stance),
        ("承诺事项办理", "Commitments kept", "项", &s.commitments),
        ("居民评议", "Residents' ratings", "票", &s.satisfaction),
    ]
}

fn filters_form(out: &mut String, q: &Query, communities: &[Community], action: &str) {
    let _ = write!(
        out,
        r#"<form method="get" action="{action}" class="filters"><label class="inline">从 <span class="en">From</span> <input type="date" name="from" value="{}"></label>
<label class="inline">到 <span class="en">To</span> <input type="date" name="to" value="{}"></label>
<label class="inline">社区 <span class="en">Community</span> <select name="community"><option value="">全部 · all</option>"#,
        escape(&q.from),
        escape(&q.to)
    );
    for c in communities {
        let selected = if q.community.as_deref() == Some(&c.id) {
            " selected"
        } else {
            ""
        };
        let _ = write!(
            out,
            r#"<option value="{}"{selected}>{}</option>"#,
            escape(&c.id),
            escape(&c.name)
        );
    }
    out.push_str(r#"</select></label> <button type="submit">查看 <span class="en">Show</span></button></form>"#);
}

fn tables(out: &mut String, s: &Summary, with_names: bool) {
    out.push_str(r#"<h2>各社区 <span class="en">By community</span></h2><table><tr><th>社区 <span class="en">Community</span></th><th>街道 <span class="en">Street</span></th><th>会议（场） <span class="en">Meetings</span></th><th>台账事项 <span class="en">Matters</span></th><th>未办结 <span class="en">Open</span></th><th>逾期 <span class="en">Overdue</span></th></tr>"#);
    empty_row(out, s.communities.is_empty(), 6);
    for c in &s.communities {
        let _ = write!(
            out,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            escape(&c.name),
            escape(&c.street),
            c.meetings,
            c.entries,
            c.open,
            c.overdue
        );
    }
    out.push_str("</table>");
    if with_names {
        out.push_str(r#"<h2>各责任单位 <span class="en">By responsible unit</span></h2><table><tr><th>责任单位/人 <span class="en">Unit or person</span></th><th>未办结 <span class="en">Open</span></th><th>其中逾期 <span class="en">Overdue</span></th><th>已办结 <span class="en">Done</span></th></tr>"#);
        empty_row(out, s.units.is_empty(), 4);
        for u in &s.units {
            let _ = write!(
                out,
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                escape(&u.unit),
                u.open,
                u.overdue,
                u.done
            );
        }
        out.push_str("</table>");
    }
    out.push_str(r#"<section class="longest"><h2>办理最久的未办结事项 <span class="en">Matters open longest</span></h2><table><tr><th>社区 <span class="en">Community</span></th><th>编号 <span class="en">No.</span></th><th>事项 <span class="en">Matter</span></th>"#);
    if with_names {
        out.push_str(r#"<th>责任单位/人 <span class="en">Unit</span></th>"#);
    }
    out.push_str(r#"<th>状态 <span class="en">Status</span></th><th>登记至今（天） <span class="en">Days since registered</span></th></tr>"#);
    empty_row(out, s.open_longest.is_empty(), if with_names { 6 } else { 5 });
    for m in &s.open_longest {
        let _ = write!(
            out,
            "<tr><td>{}</td><td>#{}</td><td>{}</td>",
            escape(&m.community),
            m.id,
            escape(&m.title)
        );
        if with_names {
            let _ = write!(out, "<td>{}</td>", escape(&m.responsible));
        }
        let overdue = if m.overdue { "（逾期）" } else { "" };
        let _ = write!(out, "<td>{}{overdue}</td><td>{}</td></tr>", m.status, m.days);
    }
    out.push_str("</table></section>");
}

/// A table's one row when it has none: 暂无数据.
fn empty_row(out: &mut String, empty: bool, columns: usize) {
    if empty {
        let _ = write!(
            out,
            r#"<tr><td colspan="{columns}">暂无数据 <span class="en">No data</span></td></tr>"#
        );
    }
}

/// The page: filters, export links, every chart with its numbers, the tables.
pub fn page(s: &Summary, communities: &[Community], public: bool) -> String {
    let q = &s.query;
    let mut body = String::new();
    let (action, base) = if public {
        ("/dashboard", "/dashboard")
    } else {
        ("/admin/dashboard", "/admin/dashboard")
    };
    let _ = write!(
        body,
        r#"<div class="top"><h1>街道看板 <span class="en">Street office dashboard</span></h1>{}</div>
<p class="scope"><b>{}</b> · {} 至 {} 召开的会议；台账为截至今日。<span class="en">Meetings held from {} to {}; the ledger as of today.</span></p>"#,
        if public {
            ""
        } else {
            r#"<nav><a href="/admin">管理 <span class="en">Administration</span></a><a href="/ledger">问题台账 <span class="en">Ledger</span></a></nav>"#
        },
        escape(&scope_name(q, communities)),
        escape(&q.from),
        escape(&q.to),
        escape(&q.from),
        escape(&q.to)
    );
    filters_form(&mut body, q, communities, action);
    let _ = write!(
        body,
        r#"<p class="exports"><a class="button" href="{base}.xlsx?{qs}">下载 Excel 表 <span class="en">Download Excel</span></a> <a class="button" href="{base}.csv?{qs}">下载 CSV <span class="en">Download CSV</span></a></p>"#,
        qs = escape(&Filters::url_query(q))
    );
    body.push_str(r#"<div class="grid">"#);
    for (zh, en, unit, series) in charts(s) {
        let _ = write!(
            body,
            r#"<section class="card"><h2>{zh} <span class="en">{en}</span></h2>"#
        );
        if zh == "各月召开会议" {
            body.push_str(&columns(series, zh));
        } else {
            body.push_str(&bars(series, unit, zh));
        }
        body.push_str("</section>");
    }
    body.push_str("</div>");
    tables(&mut body, s, !public);
    document("街道看板 · 坝坝会", &format!("<style>{DASHBOARD_STYLE}</style>{body}"))
}

const DASHBOARD_STYLE: &str = "
body{max-width:96rem}
.grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(36rem,1fr));gap:1rem}
.card{border:2px solid #999;border-radius:8px;padding:.25rem 1rem 1rem;break-inside:avoid}
.card h2{border:0;margin:.5rem 0}
.filters{display:flex;flex-wrap:wrap;gap:1rem;align-items:end}.filters label{margin:0}
input[type=date]{font:inherit;padding:.4rem;border:2px solid #333;border-radius:4px}
a.button{display:inline-block;padding:.5rem 1rem;border:2px solid #0b3d91;border-radius:6px;color:#0b3d91;text-decoration:none;min-height:44px;box-sizing:border-box}
.empty{color:#444}
@media print{.filters,.card.empty,nav{display:none}.grid{display:block}.longest{break-inside:avoid}.card{margin:0 0 1rem}a.button,.exports{display:none}}
@page{size:A4;margin:14mm}
";

/// Which communities the page is about, in words.
fn scope_name(q: &Query, communities: &[Community]) -> String {
    match &q.community {
        Some(id) => communities
            .iter()
            .find(|c| &c.id == id)
            .map_or_else(|| id.clone(), |c| c.name.clone()),
        None => "全部社区 All communities".to_owned(),
    }
}

async fn summary(app: &AppState, p: &Principal, f: &Filters) -> Result<(Summary, Vec<Community>), ServiceError> {
    let s = gather(&app.hub, &app.ledger, &app.directory, p, f.query()).await?;
    let mine: Vec<Community> = app
        .directory
        .communities()
        .await?
        .into_iter()
        .filter(|c| p.may_act_for(Some(&c.id)))
        .collect();
    Ok((s, mine))
}

/// `GET /admin/dashboard`
pub async fn admin(
    State(app): State<AppState>,
    Reader(p): Reader,
    UrlQuery(f): UrlQuery<Filters>,
) -> Result<Response, ApiError> {
    let (s, mine) = summary(&app, &p, &f).await?;
    Ok((super::NO_STORE, Html(page(&s, &mine, false))).into_response())
}

fn public_off() -> Response {
    let body = r#"<h1>没有公开的看板 <span class="en">No public dashboard</span></h1><p>这个服务器没有公开街道看板。工作人员请<a href="/login">登录</a>后查看。<span class="en">This server does not show its dashboard publicly. Staff: <a href="/login">log in</a>.</span></p>"#;
    (
        axum::http::StatusCode::NOT_FOUND,
        Html(document("街道看板 · 坝坝会", body)),
    )
        .into_response()
}

/// `GET /dashboard`: without names, when the operator turned it on.
pub async fn public(State(app): State<AppState>, UrlQuery(f): UrlQuery<Filters>) -> Result<Response, ApiError> {
    if !app.config.public_dashboard {
        return Ok(public_off());
    }
    let (s, all) = summary(&app, &Principal::Key, &f).await?;
    Ok(Html(page(&s, &all, true)).into_response())
}

/// The numbers of every chart and table as rows: (sheet, header, rows).
fn sheets(s: &Summary, with_names: bool) -> Vec<(String, Vec<String>, Vec<Vec<String>>)> {
    let mut out: Vec<(String, Vec<String>, Vec<Vec<String>>)> = charts(s)
        .into_iter()
        .map(|(zh, _, unit, series)| {
            let rows = series.iter().map(|(l, n)| vec![l.clone(), n.to_string()]).collect();
            (zh.to_owned(), vec!["项目".into(), format!("数量（{unit}）")], rows)
        })
        .collect();
    let head = |h: &[&str]| h.iter().map(|x| x.to_string()).collect::<Vec<_>>();
    out.push((
        "各社区".into(),
        head(&["社区", "街道", "会议（场）", "台账事项", "未办结", "逾期"]),
        s.communities
            .iter()
            .map(|c| {
                vec![
                    c.name.clone(),
                    c.street.clone(),
                    c.meetings.to_string(),
                    c.entries.to_string(),
                    c.open.to_string(),
                    c.overdue.to_string(),
                ]
            })
            .collect(),
    ));
    if with_names {
        out.push((
            "各责任单位".into(),
            head(&["责任单位/人", "未办结", "其中逾期", "已办结"]),
            s.units
                .iter()
                .map(|u| {
                    vec![
                        u.unit.clone(),
                        u.open.to_string(),
                        u.overdue.to_string(),
                        u.done.to_string(),
                    ]
                })
                .collect(),
        ));
    }
    out.push((
        "办理最久".into(),
        head(&["社区", "编号", "事项", "状态", "已过天数"]),
        s.open_longest
            .iter()
            .map(|m| {
                vec![
                    m.community.clone(),
                    m.id.to_string(),
                    m.title.clone(),
                    m.status.into(),
                    m.days.to_string(),
                ]
            })
            .collect(),
    ));
    out
}

/// The community in a download's name (`c7k2m9qx-`), if one was chosen.
fn file_scope(s: &Summary) -> String {
    s.query.community.as_ref().map(|c| format!("{c}-")).unwrap_or_default()
}

/// `GET /admin/dashboard.csv`: every chart's numbers, one block after another.
pub async fn csv(
    State(app): State<AppState>,
    Reader(p): Reader,
    UrlQuery(f): UrlQuery<Filters>,
) -> Result<Response, ApiError> {
    let (s, _) = summary(&app, &p, &f).await?;
    let fail = |e: csv::Error| ApiError::from(ServiceError::internal(e));
    let mut out = csv::WriterBuilder::new()
        .flexible(true)
        .from_writer(b"\xEF\xBB\xBF".to_vec());
    out.write_record([format!("街道看板 {} 至 {}", s.query.from, s.query.to)])
        .map_err(fail)?;
    for (name, head, rows) in sheets(&s, true) {
        out.write_record([""]).map_err(fail)?;
        out.write_record([name]).map_err(fail)?;
        out.write_record(&head).map_err(fail)?;
        for row in rows {
            out.write_record(row.iter().map(|c| crate::http::ledger::cell(c)))
                .map_err(fail)?;
        }
    }
    let bytes = out
        .into_inner()
        .map_err(|e| ApiError::from(ServiceError::internal(e)))?;
    Ok(download(
        bytes,
        "text/csv; charset=utf-8",
        &format!("dashboard-{}{}-{}.csv", file_scope(&s), s.query.from, s.query.to),
    ))
}

fn download(bytes: Vec<u8>, kind: &str, name: &str) -> Response {
    (
        [
            (header::CONTENT_TYPE, kind.to_owned()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{name}\"")),
        ],
        bytes,
    )
        .into_response()
}

/// `GET /admin/dashboard.xlsx`: one sheet per chart and table.
pub async fn xlsx(
    State(app): State<AppState>,
    Reader(p): Reader,
    UrlQuery(f): UrlQuery<Filters>,
) -> Result<Response, ApiError> {
    use rust_xlsxwriter::{Format, Workbook};
    let (s, _) = summary(&app, &p, &f).await?;
    let fail = |e: rust_xlsxwriter::XlsxError| ApiError::from(ServiceError::internal(e));
    let mut book = Workbook::new();
    let bold = Format::new().set_bold().set_background_color("#DDDDDD");
    for (name, head, rows) in sheets(&s, true) {
        let sheet = book.add_worksheet();
        sheet.set_name(&name).map_err(fail)?;
        for (c, h) in head.iter().enumerate() {
            sheet.write_string_with_format(0, c as u16, h, &bold).map_err(fail)?;
            sheet
                .set_column_width(c as u16, if c == 0 { 24.0 } else { 14.0 })
                .map_err(fail)?;
        }
        for (r, row) in rows.iter().enumerate() {
            for (c, v) in row.iter().enumerate() {
                match v.parse::<f64>() {
                    Ok(n) if c > 0 => sheet.write_number(r as u32 + 1, c as u16, n).map_err(fail)?,
                    _ => sheet.write_string(r as u32 + 1, c as u16, v).map_err(fail)?,
                };
            }
        }
    }
    let bytes = book.save_to_buffer().map_err(fail)?;
    Ok(download(
        bytes,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        &format!("dashboard-{}{}-{}.xlsx", file_scope(&s), s.query.from, s.query.to),
    ))
}

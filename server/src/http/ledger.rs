//! `/api/ledger…`: the issue ledger (问题台账) over HTTP, with Excel and CSV
//! exports for community workers.
//!
//! Writing follows the rule for creating meetings (open on a trusted LAN; the
//! organiser key when one is configured), and a meeting's moderator may write
//! the entries that come from that meeting.

use super::access::{community_for_new, may_write, reader, Acting, MeetingWriter};
use super::error::{ApiError, ApiJson};
use super::state::AppState;
use crate::service::ledger::{date_of, today};
use crate::service::ServiceError;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use babahui_shared::api::{EntryUpdate, EntryView, NewEntry};
use babahui_shared::ledger::{Credential, LedgerEntry, LedgerSource, LedgerStatus};
use babahui_shared::{ErrorCode, MeetingId};
use serde::Deserialize;

fn view(entry: LedgerEntry, today: &str) -> EntryView {
    let overdue = entry.overdue(today);
    EntryView { entry, overdue }
}

/// Filters of `GET /api/ledger`.
#[derive(Debug, Default, Deserialize)]
pub struct Filter {
    /// `pending`, `in_progress`, … or 待议, 办理中, …
    #[serde(default)]
    pub status: Option<String>,
    /// A category.
    #[serde(default)]
    pub category: Option<String>,
    /// Only overdue entries.
    #[serde(default)]
    pub overdue: Option<bool>,
    /// One community's entries.
    #[serde(default)]
    pub community: Option<String>,
}

async fn filtered(app: &AppState, headers: &HeaderMap, f: &Filter) -> Result<Vec<EntryView>, ApiError> {
    let reader = reader(app, headers).await?;
    let community = f.community.as_deref().filter(|c| !c.is_empty());
    let status = match f.status.as_deref().filter(|s| !s.is_empty()) {
        None => None,
        Some(s) => Some(
            LedgerStatus::parse(s).ok_or_else(|| ApiError::new(ErrorCode::Invalid, format!("unknown status {s:?}")))?,
        ),
    };
    let today = today();
    Ok(app
        .ledger
        .all()
        .await?
        .into_iter()
        .filter(|e| reader.as_ref().is_none_or(|p| p.may_act_for(e.community.as_deref())))
        .filter(|e| community.is_none_or(|c| e.community.as_deref() == Some(c)))
        .filter(|e| status.is_none_or(|s| e.status == s))
        .filter(|e| f.category.as_deref().is_none_or(|c| c.is_empty() || e.category == c))
        .map(|e| view(e, &today))
        .filter(|v| f.overdue.is_none_or(|o| v.overdue == o))
        .collect())
}

/// `GET /api/ledger`
pub async fn list(
    State(app): State<AppState>,
    headers: HeaderMap,
    Query(f): Query<Filter>,
) -> Result<Json<Vec<EntryView>>, ApiError> {
    Ok(Json(filtered(&app, &headers, &f).await?))
}

/// `GET /api/ledger/{entry}`
pub async fn get_one(
    State(app): State<AppState>,
    headers: HeaderMap,
    Path(entry): Path<u32>,
) -> Result<Json<EntryView>, ApiError> {
    let reader = reader(&app, &headers).await?;
    let entry = app.ledger.get(entry).await?;
    if reader.is_some_and(|p| !p.may_act_for(entry.community.as_deref())) {
        return Err(ApiError::new(
            ErrorCode::NotFound,
            format!("no ledger entry {}", entry.id),
        ));
    }
    Ok(Json(view(entry, &today())))
}

/// `POST /api/ledger`: an entry typed in by hand (收集问题).
pub async fn create(
    State(app): State<AppState>,
    Acting(p): Acting,
    ApiJson(mut new): ApiJson<NewEntry>,
) -> Result<(StatusCode, Json<EntryView>), ApiError> {
    new.community = community_for_new(&app, &p, new.community.as_deref()).await?;
    let entry = app.ledger.create(new, p.credential(), app.hub.clock().now_ms()).await?;
    Ok((StatusCode::CREATED, Json(view(entry, &today()))))
}

/// `POST /api/ledger/{entry}/updates`: progress, a status change, a new owner or deadline.
pub async fn update(
    State(app): State<AppState>,
    Path(entry): Path<u32>,
    headers: HeaderMap,
    ApiJson(upd): ApiJson<EntryUpdate>,
) -> Result<Json<EntryView>, ApiError> {
    let current = app.ledger.get(entry).await?;
    let credential = may_write(&app, &headers, current.community.as_deref(), current.source.meeting()).await?;
    // A progress line's photos must have been uploaded (a line must not point at nothing).
    app.matters.photos().check(&upd.photos).await?;
    Ok(Json(view(
        app.ledger
            .update(entry, upd, credential, app.hub.clock().now_ms())
            .await?,
        &today(),
    )))
}

/// `POST /api/meetings/{id}/ledger`: entries from the latest published minutes.
pub async fn import(
    State(app): State<AppState>,
    MeetingWriter { handle, credential }: MeetingWriter,
) -> Result<(StatusCode, Json<Vec<EntryView>>), ApiError> {
    let state = handle.state().await?;
    let created = app
        .ledger
        .import_minutes(&state, credential, app.hub.clock().now_ms())
        .await?;
    let today = today();
    Ok((
        StatusCode::CREATED,
        Json(created.into_iter().map(|e| view(e, &today)).collect()),
    ))
}

/// The columns of both exports.
const HEADERS: [&str; 14] = [
    "编号",
    "标题",
    "分类",
    "来源",
    "责任人",
    "时限",
    "状态",
    "是否逾期",
    "最新进展",
    "满意",
    "基本满意",
    "不满意",
    "登记日期",
    "社区",
];

/// The names of the communities by id, for the exports' last column.
async fn community_names(app: &AppState) -> Result<std::collections::HashMap<String, String>, ApiError> {
    Ok(app
        .directory
        .communities()
        .await?
        .into_iter()
        .map(|c| (c.id, c.name))
        .collect())
}

/// An entry's community as the exports name it.
fn community_of(e: &LedgerEntry, names: &std::collections::HashMap<String, String>) -> String {
    e.community
        .as_ref()
        .map(|c| names.get(c).cloned().unwrap_or_else(|| c.clone()))
        .unwrap_or_default()
}

/// Where an entry came from, as a clerk reads it: the meeting by its title and
/// date (its id only for entries made before names were kept).
fn source_text(s: &LedgerSource) -> String {
    let meeting = |id: &MeetingId, name: &str| {
        if name.is_empty() {
            format!("会议{id}")
        } else {
            name.to_owned()
        }
    };
    match s {
        LedgerSource::Reported { matter } => format!("居民反映（第{matter}号）"),
        LedgerSource::Collected { by } => format!(
            "收集问题{}",
            by.as_deref().map(|b| format!("（{b}）")).unwrap_or_default()
        ),
        LedgerSource::Commitment {
            meeting: id,
            meeting_name,
            commitment,
            ..
        } => format!("{} 承诺{commitment}", meeting(id, meeting_name)),
        LedgerSource::Opinion {
            meeting: id,
            meeting_name,
            opinion,
        } => format!("{} 意见{opinion}", meeting(id, meeting_name)),
        LedgerSource::Topic {
            meeting: id,
            meeting_name,
            topic,
        } => format!("{} 议题{topic}（未议定）", meeting(id, meeting_name)),
    }
}

/// The latest step with its date, who wrote it and with which key.
fn latest_note(e: &LedgerEntry) -> String {
    e.history
        .last()
        .map(|h| {
            let who: Vec<String> =
                h.by.iter()
                    .cloned()
                    .chain(h.credential.as_ref().map(Credential::zh))
                    .collect();
            let who = if who.is_empty() {
                String::new()
            } else {
                format!("（{}）", who.join("，"))
            };
            format!("{} {}{who}", date_of(h.at), h.note)
        })
        .unwrap_or_default()
}

/// `GET /api/ledger.xlsx`: Chinese headers, one row per entry, dates as dates.
pub async fn xlsx(
    State(app): State<AppState>,
    headers: HeaderMap,
    Query(f): Query<Filter>,
) -> Result<Response, ApiError> {
    use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
    let rows = filtered(&app, &headers, &f).await?;
    let fail = |e: rust_xlsxwriter::XlsxError| ApiError::from(ServiceError::internal(e));
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name("问题台账").map_err(fail)?;
    let bold = Format::new().set_bold().set_background_color("#DDDDDD");
    let day = Format::new().set_num_format("yyyy-mm-dd");
    let widths = [
        6.0, 36.0, 12.0, 22.0, 16.0, 12.0, 10.0, 10.0, 40.0, 8.0, 10.0, 8.0, 12.0, 16.0,
    ];
    let names = community_names(&app).await?;
    for (col, (h, w)) in HEADERS.iter().zip(widths).enumerate() {
        sheet.write_string_with_format(0, col as u16, *h, &bold).map_err(fail)?;
        sheet.set_column_width(col as u16, w).map_err(fail)?;
    }
    sheet.set_freeze_panes(1, 0).map_err(fail)?;
    for (i, v) in rows.iter().enumerate() {
        let (r, e) = ((i + 1) as u32, &v.entry);
        sheet.write_number(r, 0, f64::from(e.id)).map_err(fail)?;
        sheet.write_string(r, 1, &e.title).map_err(fail)?;
        sheet.write_string(r, 2, &e.category).map_err(fail)?;
        sheet.write_string(r, 3, source_text(&e.source)).map_err(fail)?;
        sheet.write_string(r, 4, &e.responsible).map_err(fail)?;
        if let Some(d) = e
            .deadline
            .as_deref()
            .and_then(|d| ExcelDateTime::parse_from_str(d).ok())
        {
            sheet.write_datetime_with_format(r, 5, &d, &day).map_err(fail)?;
        }
        sheet.write_string(r, 6, e.status.zh()).map_err(fail)?;
        sheet
            .write_string(r, 7, if v.overdue { "逾期" } else { "" })
            .map_err(fail)?;
        sheet.write_string(r, 8, latest_note(e)).map_err(fail)?;
        sheet.write_number(r, 9, f64::from(e.ratings.satisfied)).map_err(fail)?;
        sheet.write_number(r, 10, f64::from(e.ratings.fair)).map_err(fail)?;
        sheet
            .write_number(r, 11, f64::from(e.ratings.unsatisfied))
            .map_err(fail)?;
        if let Ok(d) = ExcelDateTime::parse_from_str(&date_of(e.created_at)) {
            sheet.write_datetime_with_format(r, 12, &d, &day).map_err(fail)?;
        }
        sheet.write_string(r, 13, community_of(e, &names)).map_err(fail)?;
    }
    let bytes = book.save_to_buffer().map_err(fail)?;
    let disposition = format!("attachment; filename=\"ledger-{}.xlsx\"", today());
    Ok((
        [
            (
                header::CONTENT_TYPE,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".to_owned(),
            ),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        bytes,
    )
        .into_response())
}

/// A text cell that a spreadsheet will not run: text starting with `=`, `+`,
/// `-`, `@`, a tab or a carriage return is a formula to Excel (an attendee's
/// opinion reaches this file through 列入台账), so it gets a leading `'`, as
/// OWASP's CSV-injection advice says. (The XLSX export writes plain strings.)
pub fn cell(text: &str) -> String {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text.to_owned()
    }
}

/// `GET /api/ledger.csv`: UTF-8 with a BOM so that Excel reads the Chinese correctly.
pub async fn csv(
    State(app): State<AppState>,
    headers: HeaderMap,
    Query(f): Query<Filter>,
) -> Result<Response, ApiError> {
    let rows = filtered(&app, &headers, &f).await?;
    let fail = |e: csv::Error| ApiError::from(ServiceError::internal(e));
    let names = community_names(&app).await?;
    let mut out = csv::Writer::from_writer(b"\xEF\xBB\xBF".to_vec());
    out.write_record(HEADERS).map_err(fail)?;
    for v in &rows {
        let e = &v.entry;
        out.write_record([
            e.id.to_string(),
            cell(&e.title),
            cell(&e.category),
            cell(&source_text(&e.source)),
            cell(&e.responsible),
            e.deadline.clone().unwrap_or_default(),
            e.status.zh().to_owned(),
            if v.overdue { "逾期".into() } else { String::new() },
            cell(&latest_note(e)),
            e.ratings.satisfied.to_string(),
            e.ratings.fair.to_string(),
            e.ratings.unsatisfied.to_string(),
            date_of(e.created_at),
            cell(&community_of(e, &names)),
        ])
        .map_err(fail)?;
    }
    let bytes = out
        .into_inner()
        .map_err(|e| ApiError::from(ServiceError::internal(e)))?;
    let disposition = format!("attachment; filename=\"ledger-{}.csv\"", today());
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        bytes,
    )
        .into_response())
}

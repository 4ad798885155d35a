//! Reading a meeting's log back, checked gap-free.

use super::errors::{db, pool_error};
use crate::store::error::StoreError;
use crate::store::records::StoredEvent;
use babahui_shared::{MeetingId, Seq};
use deadpool_postgres::Pool;

fn decode(meeting: &MeetingId, seq: i64, record: &str) -> Result<StoredEvent, StoreError> {
    serde_json::from_str(record).map_err(|source| StoreError::Damaged {
        key: format!("{meeting}#{seq}"),
        source,
    })
}

/// Rows of one meeting's log, checked gap-free from `from`.
fn checked(meeting: &MeetingId, from: Seq, rows: Vec<tokio_postgres::Row>) -> Result<Vec<StoredEvent>, StoreError> {
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        let seq: i64 = row.get(0);
        let record: &str = row.get(1);
        let event = decode(meeting, seq, record)?;
        let expected = from + out.len() as Seq;
        if seq as Seq != expected || event.event.seq != expected {
            return Err(StoreError::Gap {
                meeting: meeting.clone(),
                expected,
                found: seq as Seq,
            });
        }
        out.push(event);
    }
    Ok(out)
}

pub(super) async fn head(pool: &Pool, meeting: &MeetingId) -> Result<Seq, StoreError> {
    let client = pool.get().await.map_err(pool_error)?;
    let row = client
        .query_one(
            "SELECT coalesce(max(seq), 0) FROM events WHERE meeting = $1",
            &[&meeting.as_str()],
        )
        .await
        .map_err(db)?;
    Ok(row.get::<_, i64>(0) as Seq)
}

pub(super) async fn load_range(
    pool: &Pool,
    meeting: &MeetingId,
    from: Seq,
    last: Seq,
) -> Result<Vec<StoredEvent>, StoreError> {
    let client = pool.get().await.map_err(pool_error)?;
    let rows = client
        .query(
            "SELECT seq, record FROM events WHERE meeting = $1 AND seq >= $2 AND seq <= $3 ORDER BY seq",
            &[&meeting.as_str(), &(from as i64), &(last.min(i64::MAX as u64) as i64)],
        )
        .await
        .map_err(db)?;
    checked(meeting, from, rows)
}

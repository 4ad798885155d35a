//! The issue ledger (问题台账) service: entries typed in by hand, created from
//! published minutes (every commitment, every opinion marked 列入台账), and
//! updated as matters are handled. One lock serialises read-modify-write;
//! every write is flushed before it is answered.

use super::directory::Directory;
use super::error::{blocking, ServiceError};
use crate::hub::MeetingHandle;
use crate::store::{LedgerGuard, Store, StoreError};
use babahui_shared::api::{EntryUpdate, NewEntry};
use babahui_shared::decide::date;
use babahui_shared::ledger::*;
use babahui_shared::limits::*;
use babahui_shared::minutes::{outcome_zh, Minutes, TopicRecord};
use babahui_shared::OutcomeKind;
use babahui_shared::{CommandError, MeetingState};
use std::sync::Arc;
use tokio::sync::Mutex;

/// Handle to the ledger; cheap to clone.
#[derive(Clone, Debug)]
pub struct Ledger {
    store: Store,
    /// Where every change is written to the audit log, and meetings' communities are read.
    directory: Directory,
    lock: Arc<Mutex<()>>,
}

/// The same rules as every text in a meeting (no control characters, one line
/// where one line is meant, no bidi tricks); `required: false` lets it be empty.
fn text(s: &str, max: usize, what: &str, required: bool) -> Result<String, CommandError> {
    if !required && s.trim().is_empty() {
        return Ok(String::new());
    }
    babahui_shared::decide::clean_text(s, max, what)
}

/// A category nobody gave reads 未分类, never a blank cell: a clerk filters
/// and counts by it in Excel.
fn or_unsorted(category: String) -> String {
    if category.trim().is_empty() {
        UNSORTED.to_owned()
    } else {
        category
    }
}

/// What the ledger calls an entry without a category.
pub const UNSORTED: &str = "未分类";

/// The writer's name, trimmed; none when empty.
fn writer(by: Option<&str>) -> Result<Option<String>, CommandError> {
    Ok(Some(text(by.unwrap_or(""), NAME_MAX_CHARS, "by", false)?).filter(|b| !b.is_empty()))
}

/// A meeting as a clerk names it: 《三月坝坝会》2026-03-05 — dated by the day
/// the organiser gave it (`starts_at` beginning with a date), else the day it
/// was created.
pub fn meeting_name(state: &MeetingState) -> String {
    let given = state
        .starts_at
        .as_deref()
        .and_then(|s| s.get(..10))
        .and_then(|d| date(d).ok());
    format!(
        "《{}》{}",
        state.title,
        given.unwrap_or_else(|| date_of(state.created_at))
    )
}

fn deadline(d: Option<&str>) -> Result<Option<String>, CommandError> {
    match d.map(str::trim) {
        None | Some("") => Ok(None),
        Some(d) => date(d).map(Some),
    }
}

/// Today's date in China (UTC+8), `YYYY-MM-DD`: deadlines are local dates.
pub fn today() -> String {
    let china = chrono::FixedOffset::east_opt(8 * 3600).expect("valid offset");
    chrono::Utc::now().with_timezone(&china).format("%Y-%m-%d").to_string()
}

/// A server time (ms) as a date in China.
pub fn date_of(ms: u64) -> String {
    let china = chrono::FixedOffset::east_opt(8 * 3600).expect("valid offset");
    chrono::DateTime::from_timestamp_millis(ms as i64)
        .map(|t| t.with_timezone(&china).format("%Y-%m-%d").to_string())
        .unwrap_or_default()
}

impl Ledger {
    /// The ledger in `store`.
    pub fn new(store: Store, directory: Directory) -> Ledger {
        Ledger {
            store,
            directory,
            lock: Arc::new(Mutex::new(())),
        }
    }

    /// Holds the ledger for one change: against this process's other
    /// writers, then against other nodes on a shared store.
    async fn hold(&self) -> Result<(tokio::sync::OwnedMutexGuard<()>, LedgerGuard), ServiceError> {
        let here = self.lock.clone().lock_owned().await;
        let everywhere = self.store.ledger_lock().await.map_err(ServiceError::Store)?;
        Ok((here, everywhere))
    }

    async fn blocking<T: Send + 'static>(
        &self,
        f: impl FnOnce(&Store) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, ServiceError> {
        let store = self.store.clone();
        blocking(move || f(&store)).await
    }

    /// Every entry.
    pub async fn all(&self) -> Result<Vec<LedgerEntry>, ServiceError> {
        self.blocking(|s| s.ledger_all()).await
    }

    /// One entry.
    pub async fn get(&self, id: u32) -> Result<LedgerEntry, ServiceError> {
        self.all()
            .await?
            .into_iter()
            .find(|e| e.id == id)
            .ok_or_else(|| CommandError::not_found(format!("no ledger entry {id}")).into())
    }

    /// Writes an entry, then its newest history line (what changed, by whom)
    /// to the audit log.
    async fn put(&self, entry: LedgerEntry) -> Result<LedgerEntry, ServiceError> {
        let e = entry.clone();
        self.blocking(move |s| s.ledger_put(&e)).await?;
        let (who, at, what) = match entry.history.last() {
            Some(u) => (audit_who(u), u.at, u.note.clone()),
            None => ("—".to_owned(), entry.created_at, String::new()),
        };
        let detail = format!("#{}《{}》{}：{what}", entry.id, entry.title, entry.status.zh());
        self.directory.audit(&who, "ledger.write", detail, at).await?;
        Ok(entry)
    }

    /// Adds the entry `make` builds from its new number (a resident's matter
    /// accepted: see `service::matters`).
    pub async fn add_with(
        &self,
        make: impl FnOnce(u32) -> Result<LedgerEntry, ServiceError>,
    ) -> Result<LedgerEntry, ServiceError> {
        let _guard = self.hold().await?;
        let next = self.all().await?.iter().map(|e| e.id).max().unwrap_or(0) + 1;
        self.put(make(next)?).await
    }

    /// Changes entry `id` by `change`, under the ledger's lock. A change that
    /// adds a line to the history is a person's write, which the audit log
    /// keeps; one that only counts (a resident's 附议) is not (`audited`).
    pub async fn change(
        &self,
        id: u32,
        audited: bool,
        change: impl FnOnce(&mut LedgerEntry) -> Result<(), ServiceError>,
    ) -> Result<LedgerEntry, ServiceError> {
        let _guard = self.hold().await?;
        let mut entry = self.get(id).await?;
        change(&mut entry)?;
        if audited {
            self.put(entry).await
        } else {
            let e = entry.clone();
            self.blocking(move |s| s.ledger_put(&e)).await?;
            Ok(entry)
        }
    }

    /// Adds an entry typed in by hand, by `credential`'s holder.
    pub async fn create(&self, new: NewEntry, credential: Credential, now: u64) -> Result<LedgerEntry, ServiceError> {
        let _guard = self.hold().await?;
        let next = self.all().await?.iter().map(|e| e.id).max().unwrap_or(0) + 1;
        let entry = LedgerEntry {
            id: next,
            title: text(&new.title, TITLE_MAX_CHARS, "title", true)?,
            description: text(&new.description, SUMMARY_MAX_CHARS, "description", false)?,
            category: or_unsorted(text(&new.category, CATEGORY_MAX_CHARS, "category", false)?),
            source: LedgerSource::Collected {
                by: Some(text(
                    new.collected_by.as_deref().unwrap_or(""),
                    NAME_MAX_CHARS,
                    "collected_by",
                    false,
                )?)
                .filter(|s| !s.is_empty()),
            },
            responsible: text(&new.responsible, TITLE_MAX_CHARS, "responsible", false)?,
            deadline: deadline(new.deadline.as_deref())?,
            status: LedgerStatus::Pending,
            created_at: now,
            history: vec![LedgerUpdate {
                at: now,
                status: Some(LedgerStatus::Pending),
                note: "登记".into(),
                by: writer(new.by.as_deref().or(new.collected_by.as_deref()))?,
                credential: Some(credential),
                meeting: None,
                origin: None,
                ratings: None,
                photos: Vec::new(),
            }],
            ratings: Ratings::default(),
            applied: Vec::new(),
            community: new.community.clone(),
            origin: None,
            seconds: 0,
        };
        self.put(entry).await
    }

    /// Merges entries sent by the server `from` (see `sync::merge`) into
    /// this ledger, whose server is `me`: each to the entry it stands for,
    /// or as a new one in `community`. An entry of another community is
    /// left alone. Returns (created, updated, unchanged, refused).
    pub async fn merge_in(
        &self,
        from: &str,
        me: &str,
        incoming: &[LedgerEntry],
        community: Option<String>,
        rename: &(dyn Fn(&babahui_shared::MeetingId) -> Option<babahui_shared::MeetingId> + Sync),
    ) -> Result<[u32; 4], ServiceError> {
        use super::sync::merge;
        let _guard = self.hold().await?;
        let mut all = self.all().await?;
        let mut counts = [0u32; 4];
        for e in incoming {
            match merge::counterpart(&all, e, from, me) {
                Some(i) if community.is_some() && all[i].community != community => counts[3] += 1,
                Some(i) => {
                    if merge::merge_lines(&mut all[i], e, from, me) {
                        self.put(all[i].clone()).await?;
                        counts[1] += 1;
                    } else {
                        counts[2] += 1;
                    }
                }
                None => {
                    let id = all.iter().map(|e| e.id).max().unwrap_or(0) + 1;
                    let new = merge::copy(e, id, from, me, community.clone(), rename);
                    all.push(self.put(new).await?);
                    counts[0] += 1;
                }
            }
        }
        Ok(counts)
    }

    /// Records progress (and optionally a new status, responsible or deadline),
    /// with who wrote it and the credential they used.
    pub async fn update(
        &self,
        id: u32,
        upd: EntryUpdate,
        credential: Credential,
        now: u64,
    ) -> Result<LedgerEntry, ServiceError> {
        let _guard = self.hold().await?;
        let mut entry = self.get(id).await?;
        let note = text(&upd.note, OPINION_MAX_CHARS, "note", true)?;
        if upd.photos.len() > PHOTOS_MAX {
            return Err(CommandError::invalid(format!("at most {PHOTOS_MAX} photos a line")).into());
        }
        // A logged-in account is named already; a shared key or link is not.
        let account = match &credential {
            Credential::Account { name, .. } => Some(name.clone()),
            _ => None,
        };
        let by = writer(upd.by.as_deref())?.or(account).ok_or_else(|| {
            CommandError::invalid("say who is writing (by): the ledger's history names who changed what")
        })?;
        if let Some(r) = &upd.responsible {
            entry.responsible = text(r, TITLE_MAX_CHARS, "responsible", false)?;
        }
        if upd.deadline.is_some() {
            entry.deadline = deadline(upd.deadline.as_deref())?;
        }
        if let Some(st) = upd.status {
            entry.status = st;
        }
        entry.history.push(LedgerUpdate {
            at: now,
            status: upd.status,
            note,
            by: Some(by),
            credential: Some(credential),
            meeting: None,
            origin: None,
            ratings: None,
            photos: upd.photos,
        });
        self.put(entry).await
    }

    /// Writes the ratings of every closed review (回顾) in `state` onto its entry:
    /// the counts are added, the history says which meeting rated it, and a
    /// matter already done or reported becomes 已评议. Each review is applied
    /// once, however often this runs (after each close, and again on import as a
    /// catch-up should the server have stopped in between).
    pub async fn record_reviews(&self, state: &MeetingState, now: u64) -> Result<Vec<LedgerEntry>, ServiceError> {
        let _guard = self.hold().await?;
        let mut changed = Vec::new();
        for review in state.reviews.iter().filter(|r| !r.open) {
            let key = format!("{}/review/{}", state.id, review.id);
            let Ok(mut entry) = self.get(review.subject.entry).await else {
                tracing::warn!(entry = review.subject.entry, "a reviewed ledger entry no longer exists");
                continue;
            };
            if entry.applied.contains(&key) {
                continue;
            }
            let counts = review.counts();
            entry.ratings.add(counts);
            let status =
                matches!(entry.status, LedgerStatus::Done | LedgerStatus::Reported).then_some(LedgerStatus::Rated);
            if let Some(st) = status {
                entry.status = st;
            }
            let [s, f, u] = counts;
            entry.history.push(LedgerUpdate {
                at: review.closed_at.unwrap_or(now),
                status,
                note: format!("《{}》回顾评议：满意{s}，基本满意{f}，不满意{u}", state.title),
                by: None,
                credential: None,
                meeting: Some(state.id.clone()),
                origin: None,
                ratings: Some(counts),
                photos: Vec::new(),
            });
            entry.applied.push(key);
            changed.push(self.put(entry).await?);
        }
        Ok(changed)
    }

    /// Topics that took up a ledger entry again: the entry's history records the
    /// outcome and any commitment (which then lives in this entry rather than in a
    /// new one: one file per matter), and a 待议 entry becomes 已议.
    async fn update_linked(
        &self,
        state: &MeetingState,
        minutes: &Minutes,
        credential: &Option<Credential>,
        now: u64,
    ) -> Result<Vec<LedgerEntry>, ServiceError> {
        let mut changed = Vec::new();
        for topic in &minutes.topics {
            let Some(id) = topic.ledger else { continue };
            let key = format!("{}/topic/{id}", state.id);
            let Ok(mut entry) = self.get(id).await else { continue };
            if entry.applied.contains(&key) {
                continue;
            }
            let mut note = format!("《{}》再次协商", state.title);
            if let Some(o) = &topic.outcome {
                note.push_str(&format!("：{}。{}", outcome_zh(o.kind), o.text));
                if let Some(d) = &o.dissent {
                    note.push_str(&format!("（保留的不同意见：{d}）"));
                }
            }
            for c in &topic.commitments {
                note.push_str(&format!(
                    "；承诺：{}（责任人：{}，时限：{}）",
                    c.what, c.responsible, c.deadline
                ));
                entry.applied.push(format!("{}/commitment/{}", state.id, c.id));
            }
            if let Some(c) = topic.commitments.first() {
                entry.responsible = c.responsible.clone();
                entry.deadline = Some(c.deadline.clone());
            }
            let status = (entry.status == LedgerStatus::Pending).then_some(LedgerStatus::Discussed);
            if let Some(st) = status {
                entry.status = st;
            }
            entry.history.push(LedgerUpdate {
                at: now,
                status,
                note: note.chars().take(SUMMARY_MAX_CHARS).collect(),
                by: None,
                credential: credential.clone(),
                meeting: Some(state.id.clone()),
                origin: None,
                ratings: None,
                photos: Vec::new(),
            });
            entry.applied.push(key);
            changed.push(self.put(entry).await?);
        }
        Ok(changed)
    }

    /// Feeds a meeting's latest published minutes into the ledger: entries the
    /// meeting took up again are updated, closed reviews are rated, and new entries
    /// are created: one per other commitment (已议, with its owner, deadline and a
    /// category from the opinions it answers or else its topic's), one per topic
    /// left unsettled (再次协商, 提交居民会议: 待议, for a later meeting to take up)
    /// and one per opinion marked 列入台账 (待议; those given before or between
    /// topics too). Every entry names the meeting by title and date and records
    /// the credential it was fed with. Returns every entry created or changed.
    /// Running it again changes nothing.
    pub async fn import_minutes(
        &self,
        state: &MeetingState,
        credential: Credential,
        now: u64,
    ) -> Result<Vec<LedgerEntry>, ServiceError> {
        let credential = Some(credential);
        let Some(publication) = state.publications.last() else {
            return Err(CommandError::conflict("the minutes have not been published").into());
        };
        let mut changed = self.record_reviews(state, now).await?;
        let _guard = self.hold().await?;
        changed.extend(
            self.update_linked(state, &publication.minutes, &credential, now)
                .await?,
        );
        let existing = self.all().await?;
        let mut next = existing.iter().map(|e| e.id).max().unwrap_or(0) + 1;
        let seen = |s: &LedgerSource| {
            let key = match s {
                LedgerSource::Commitment {
                    meeting, commitment, ..
                } => Some(format!("{meeting}/commitment/{commitment}")),
                _ => None,
            };
            existing
                .iter()
                .any(|e| &e.source == s || key.as_ref().is_some_and(|k| e.applied.contains(k)))
        };
        let origin = format!("来自《{}》会议纪要第{}版", state.title, publication.version);
        // Written with the moderator's credential (publishing feeds the ledger):
        // in their name, when the meeting has one, not only as "the moderator".
        let by = match &credential {
            Some(Credential::Moderator { .. }) => state.moderator_name.clone(),
            _ => None,
        };
        let community = self.directory.meeting_community(&state.id).await?;
        let mut created = Vec::new();
        for matter in matters_in(state, &publication.minutes) {
            if seen(&matter.source) {
                continue;
            }
            created.push(LedgerEntry {
                id: next,
                title: matter.title.chars().take(TITLE_MAX_CHARS).collect(),
                description: matter.description,
                category: or_unsorted(matter.category),
                source: matter.source,
                responsible: matter.responsible,
                deadline: matter.deadline,
                status: matter.status,
                created_at: now,
                history: vec![LedgerUpdate {
                    at: now,
                    status: Some(matter.status),
                    note: origin.clone(),
                    by: by.clone(),
                    credential: credential.clone(),
                    meeting: Some(state.id.clone()),
                    origin: None,
                    ratings: None,
                    photos: Vec::new(),
                }],
                ratings: Ratings::default(),
                applied: Vec::new(),
                community: community.clone(),
                origin: None,
                seconds: 0,
            });
            next += 1;
        }
        for e in &created {
            self.put(e.clone()).await?;
        }
        changed.extend(created);
        Ok(changed)
    }
}

/// Who a history line says wrote it, as the audit log names them: the name
/// typed and the key used (张敏（组织者）), or the meeting it came from.
fn audit_who(u: &LedgerUpdate) -> String {
    match (&u.by, &u.credential, &u.meeting) {
        (Some(by), Some(c), _) if c.zh() == *by => by.clone(),
        (Some(by), Some(c), _) => format!("{by}（{}）", c.zh()),
        (None, Some(c), _) => c.zh(),
        (Some(by), None, _) => by.clone(),
        (None, None, Some(m)) => format!("会议{m}"),
        (None, None, None) => "—".into(),
    }
}

/// The category of the first of `opinions` that has one.
fn category_of(state: &MeetingState, opinions: &[u32]) -> Option<String> {
    opinions
        .iter()
        .filter_map(|id| state.opinion(babahui_shared::OpinionId(*id)))
        .find_map(|o| o.category.clone())
}

/// A topic's category, for what it leaves in the ledger: the category most of
/// its opinions were tagged with (the first in the meeting's order on a tie).
fn category_of_topic(state: &MeetingState, topic: &TopicRecord) -> String {
    let count = |c: &str| {
        topic
            .opinions
            .iter()
            .filter(|g| g.category == c)
            .map(|g| g.items.len())
            .sum::<usize>()
    };
    let mut best: Option<(usize, &String)> = None;
    for c in &state.opinion_categories {
        let n = count(c);
        if n > 0 && best.is_none_or(|(m, _)| n > m) {
            best = Some((n, c));
        }
    }
    best.map(|(_, c)| c.clone()).unwrap_or_default()
}

/// A matter the minutes leave for the ledger, before it is numbered.
struct Matter {
    title: String,
    description: String,
    category: String,
    source: LedgerSource,
    responsible: String,
    deadline: Option<String>,
    status: LedgerStatus,
}

/// Every matter published minutes leave for the ledger, in the minutes' order:
/// each topic's commitments and its unsettled outcome (another round, to the
/// assembly), every opinion marked 列入台账 (on a topic, or before or between
/// topics), and the commitments made outside any topic.
fn matters_in(state: &MeetingState, minutes: &Minutes) -> Vec<Matter> {
    let name = meeting_name(state);
    let mut out = Vec::new();
    let commitment = |c: &babahui_shared::minutes::CommitmentLine, description: String, category: String| Matter {
        title: c.what.clone(),
        description,
        category,
        source: LedgerSource::Commitment {
            meeting: state.id.clone(),
            meeting_name: name.clone(),
            commitment: c.id,
            opinions: c.opinions.clone(),
        },
        responsible: c.responsible.clone(),
        deadline: Some(c.deadline.clone()),
        status: LedgerStatus::Discussed,
    };
    for topic in &minutes.topics {
        let topic_category = category_of_topic(state, topic);
        for c in &topic.commitments {
            let category = category_of(state, &c.opinions).unwrap_or_else(|| topic_category.clone());
            out.push(commitment(
                c,
                format!("议题：{}。承诺：{}", topic.title, c.what),
                category,
            ));
        }
        let unsettled = topic
            .outcome
            .as_ref()
            .filter(|o| matches!(o.kind, OutcomeKind::AnotherRound | OutcomeKind::ToAssembly));
        if let (Some(outcome), None) = (unsettled, topic.ledger) {
            let mut description = format!("{name}议题，{}", outcome_zh(outcome.kind));
            if !outcome.text.is_empty() {
                description.push_str(&format!("：{}", outcome.text));
            }
            out.push(Matter {
                title: topic.title.clone(),
                description,
                category: topic_category.clone(),
                source: LedgerSource::Topic {
                    meeting: state.id.clone(),
                    meeting_name: name.clone(),
                    topic: topic.id,
                },
                responsible: String::new(),
                deadline: None,
                status: LedgerStatus::Pending,
            });
        }
    }
    let sections = std::iter::once(("会前或议题之间".to_owned(), &minutes.before_topics.groups)).chain(
        minutes
            .topics
            .iter()
            .map(|t| (format!("议题：{}", t.title), &t.opinions)),
    );
    for (context, groups) in sections {
        for o in groups.iter().flat_map(|g| g.items.iter()).filter(|o| o.to_ledger) {
            out.push(Matter {
                title: o.shown_text(),
                description: format!("{context}。提出：{}；附议{}人", o.by, o.seconds),
                category: category_of(state, &[o.id]).unwrap_or_default(),
                source: LedgerSource::Opinion {
                    meeting: state.id.clone(),
                    meeting_name: name.clone(),
                    opinion: o.id,
                },
                responsible: String::new(),
                deadline: None,
                status: LedgerStatus::Pending,
            });
        }
    }
    for c in &minutes.other_commitments {
        let category = category_of(state, &c.opinions).unwrap_or_default();
        out.push(commitment(c, c.what.clone(), category));
    }
    out
}

/// After the minutes are published (or corrected): what they leave for the
/// ledger goes into it at once, in the name of the meeting's moderator — a
/// busy moderator need not remember a second button, and the clerk finds the
/// matters the same day. A failure is only logged: the minutes are safe in
/// the meeting's log, and 列入问题台账 on the tablet (or the API) writes them.
pub async fn import_minutes_of(ledger: &Ledger, meeting: &MeetingHandle, now: u64) {
    let result = async {
        let state = meeting.state().await.map_err(ServiceError::from)?;
        let credential = babahui_shared::ledger::Credential::Moderator {
            meeting: state.id.clone(),
            meeting_name: meeting_name(&state),
        };
        ledger.import_minutes(&state, credential, now).await
    }
    .await;
    match result {
        Ok(created) => {
            tracing::info!(meeting = %meeting.id(), entries = created.len(), "minutes written to the ledger")
        }
        Err(e) => tracing::error!(meeting = %meeting.id(), error = %e, "minutes not yet written to the ledger"),
    }
}

/// After a review closed (or the meeting ended, which closes them all): writes
/// its ratings to the ledger. A failure is only
/// logged: the ratings are safe in the meeting's log, and the next import of the
/// minutes writes them.
pub async fn record_reviews_of(ledger: &Ledger, meeting: &MeetingHandle, now: u64) {
    let result = async {
        let state = meeting.state().await.map_err(ServiceError::from)?;
        ledger.record_reviews(&state, now).await
    }
    .await;
    if let Err(e) = result {
        tracing::error!(meeting = %meeting.id(), error = %e, "review ratings not yet written to the ledger");
    }
}

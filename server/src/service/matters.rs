//! Matters residents bring between meetings (听群众说事): a phone sends one
//! from the community's "反映问题" page; it waits in the organiser's inbox
//! (待处理), unseen by anyone else, until it is accepted into the ledger
//! (待议), merged into an entry already there, declined with a reason, or
//! hidden. Its submitter follows it by a private link whose key only they
//! hold (the server keeps its hash).
//!
//! Limits: a few matters an address (then one a minute: many phones share an address), a
//! community's inbox rate and size, and the sizes of text and photos.

use super::directory::{Directory, Principal};
use super::error::ServiceError;
use super::ledger::Ledger;
use super::photos::Photos;
use crate::rate::{wait_words, PerKey, Rate};
use crate::store::Docs;
use crate::tokens::{hash_token, new_token};
use babahui_shared::decide::clean_text;
use babahui_shared::ledger::{LedgerEntry, LedgerSource, LedgerStatus, LedgerUpdate, Ratings};
use babahui_shared::limits::*;
use babahui_shared::matters::{Matter, MatterDecision, MatterStatus, NewMatter};
use babahui_shared::{CommandError, ErrorCode};
use serde::{Deserialize, Serialize};
use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

/// Matters one address may send at once, then one every [`ADDRESS_EVERY`].
const ADDRESS_BURST: u32 = 10;
const ADDRESS_EVERY: Duration = Duration::from_secs(60);
/// Matters one community's page takes at once, then one every [`COMMUNITY_EVERY`].
const COMMUNITY_BURST: u32 = 60;
const COMMUNITY_EVERY: Duration = Duration::from_secs(20);
/// Seconds (附议) one address may send at once, then one every [`SECONDS_EVERY`]:
/// many phones share one address (the courtyard's Wi-Fi, a carrier's NAT).
const SECONDS_BURST: u32 = 100;
const SECONDS_EVERY: Duration = Duration::from_secs(3);
/// Matters waiting in one inbox (待处理) before the page asks residents to
/// come back later: beyond it the committee is not reading, a script is writing.
pub const INBOX_MAX: usize = 500;

/// A matter as kept: with the hash of its follow key.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Kept {
    #[serde(flatten)]
    matter: Matter,
    follow: String,
}

/// Handle to the matters; cheap to clone.
#[derive(Clone, Debug)]
pub struct Matters {
    directory: Directory,
    ledger: Ledger,
    photos: Photos,
    per_address: Arc<PerKey<IpAddr>>,
    per_community: Arc<PerKey<String>>,
    seconds_per_address: Arc<PerKey<IpAddr>>,
    /// Serialises decisions and seconds in this process. It is not the
    /// store-wide lock: they write the ledger, which takes that one.
    deciding: Arc<tokio::sync::Mutex<()>>,
}

fn key(id: u32) -> String {
    format!("{id:010}")
}

fn refused(code: ErrorCode, message: impl Into<String>) -> ServiceError {
    ServiceError::refused(code, message)
}

/// Refused for now: in Chinese and English, with how long to wait.
fn slow(what: &str, wait: Duration) -> ServiceError {
    let secs = wait.as_secs_f64().ceil().max(1.0) as u64;
    refused(
        ErrorCode::RateLimited,
        format!(
            "{what}太频繁，请{secs}秒后再试 · too many at once: {}",
            wait_words(wait)
        ),
    )
}

fn optional(s: &str, max: usize, what: &str) -> Result<String, CommandError> {
    if s.trim().is_empty() {
        Ok(String::new())
    } else {
        clean_text(s, max, what)
    }
}

impl Matters {
    /// The matters kept beside `directory`'s documents, accepted into `ledger`.
    pub fn new(directory: Directory, ledger: Ledger, photos: Photos) -> Matters {
        Matters {
            directory,
            ledger,
            photos,
            per_address: Arc::new(PerKey::new(Rate::one_every(ADDRESS_EVERY, ADDRESS_BURST))),
            per_community: Arc::new(PerKey::new(Rate::one_every(COMMUNITY_EVERY, COMMUNITY_BURST))),
            seconds_per_address: Arc::new(PerKey::new(Rate::one_every(SECONDS_EVERY, SECONDS_BURST))),
            deciding: Arc::default(),
        }
    }

    /// The photos' store (for the pages that show them).
    pub fn photos(&self) -> &Photos {
        &self.photos
    }

    async fn all(&self) -> Result<Vec<Kept>, ServiceError> {
        Ok(self
            .directory
            .list(Docs::Matters)
            .await?
            .into_iter()
            .map(|(_, m)| m)
            .collect())
    }

    async fn kept(&self, id: u32) -> Result<Kept, ServiceError> {
        self.directory
            .get(Docs::Matters, &key(id))
            .await?
            .ok_or_else(|| refused(ErrorCode::NotFound, format!("no matter {id}")))
    }

    /// Takes a resident's matter from `ip`, with its photos (each prepared:
    /// stripped of metadata, scaled). Returns it and the key of its follow link.
    pub async fn submit(
        &self,
        new: NewMatter,
        photos: Vec<Vec<u8>>,
        ip: IpAddr,
        now: u64,
    ) -> Result<(Matter, String), ServiceError> {
        let text = clean_text(&new.text, OPINION_MAX_CHARS, "text")?;
        let category = optional(&new.category, CATEGORY_MAX_CHARS, "category")?;
        let place = optional(&new.place, PLACE_MAX_CHARS, "place")?;
        let contact_name = optional(&new.contact_name, NAME_MAX_CHARS, "contact_name")?;
        let contact_phone = optional(&new.contact_phone, PHONE_MAX_CHARS, "contact_phone")?;
        if photos.len() > PHOTOS_MAX {
            return Err(refused(
                ErrorCode::Invalid,
                format!("最多{PHOTOS_MAX}张照片 · at most {PHOTOS_MAX} photos"),
            ));
        }
        let community = match new.community.as_deref().filter(|c| !c.is_empty()) {
            Some(c) => Some(self.directory.community(c).await?.id),
            None if !self.directory.communities().await?.is_empty() => {
                return Err(refused(
                    ErrorCode::Invalid,
                    "say which community (?c=): this server has several",
                ))
            }
            None => None,
        };
        self.per_address.take(&ip).map_err(|w| slow("提交", w))?;
        self.per_community
            .take(&community.clone().unwrap_or_default())
            .map_err(|w| slow("提交", w))?;
        let waiting = |all: &[Kept]| {
            all.iter()
                .filter(|k| k.matter.community == community && k.matter.status == MatterStatus::New)
                .count()
        };
        if waiting(&self.all().await?) >= INBOX_MAX {
            return Err(refused(
                ErrorCode::RateLimited,
                "待处理的问题太多，请过几天再提交，或直接联系居委会 · the inbox is full: try again in a few days",
            ));
        }
        // Photos are decoded before the number is taken: the store-wide lock
        // is not held through seconds of decoding.
        let mut ids = Vec::new();
        for bytes in photos {
            ids.push(self.photos.add(bytes, now).await?.id);
        }
        let (_here, _everywhere) = self.directory.hold().await?;
        let all = self.all().await?;
        let follow = new_token();
        let matter = Matter {
            id: all.iter().map(|k| k.matter.id).max().unwrap_or(0) + 1,
            community,
            text,
            category: if category.is_empty() { "其他".into() } else { category },
            place,
            photos: ids,
            contact_name,
            contact_phone,
            at: now,
            status: MatterStatus::New,
            decided: None,
        };
        let kept = Kept {
            matter: matter.clone(),
            follow: hash_token(&follow),
        };
        self.directory.put(Docs::Matters, &key(matter.id), Some(&kept)).await?;
        Ok((matter, follow))
    }

    /// The matters `p` may see (its communities'), newest first.
    pub async fn inbox(&self, p: &Principal, community: Option<&str>) -> Result<Vec<Matter>, ServiceError> {
        let mut out: Vec<Matter> = self
            .all()
            .await?
            .into_iter()
            .map(|k| k.matter)
            .filter(|m| p.may_act_for(m.community.as_deref()))
            .filter(|m| community.is_none_or(|c| m.community.as_deref() == Some(c)))
            .collect();
        out.reverse();
        Ok(out)
    }

    /// A matter and the ledger entry it became, for the holder of its follow key.
    pub async fn follow(&self, id: u32, follow_key: &str) -> Result<(Matter, Option<LedgerEntry>), ServiceError> {
        let not_found = || {
            refused(
                ErrorCode::NotFound,
                "没有这个问题，或链接不完整 · no such matter, or the link is cut",
            )
        };
        let kept = self.kept(id).await.map_err(|_| not_found())?;
        if hash_token(follow_key) != kept.follow {
            return Err(not_found());
        }
        let entry = match kept.matter.status.entry() {
            Some(e) => self.ledger.get(e).await.ok(),
            None => None,
        };
        Ok((kept.matter, entry))
    }

    /// The organiser decides: into the ledger, onto an entry, declined, hidden.
    pub async fn decide(
        &self,
        id: u32,
        decision: MatterDecision,
        p: &Principal,
        now: u64,
    ) -> Result<Matter, ServiceError> {
        let _turn = self.deciding.lock().await;
        let mut kept = self.kept(id).await?;
        if !p.may_act_for(kept.matter.community.as_deref()) {
            return Err(refused(ErrorCode::NotFound, format!("no matter {id}")));
        }
        if kept.matter.status.entry().is_some() {
            return Err(refused(ErrorCode::Conflict, "this matter is in the ledger already"));
        }
        let named = |by: Option<String>| -> Result<String, ServiceError> {
            let by = optional(by.as_deref().unwrap_or(""), NAME_MAX_CHARS, "by")?;
            // Residents read this name: a shared key is "the committee".
            Ok(match (by.is_empty(), p) {
                (false, _) => by,
                (true, Principal::Account(_)) => p.who(),
                (true, _) => "居委会".to_owned(),
            })
        };
        let m = &kept.matter;
        let (status, by) = match decision {
            MatterDecision::Accept { title, category, by } => {
                let by = named(by)?;
                let entry = self.accept(m, &title, &category, p, &by, now).await?;
                (MatterStatus::Accepted { entry: entry.id }, by)
            }
            MatterDecision::Merge { entry, by } => {
                let by = named(by)?;
                let target = self.ledger.get(entry).await.map_err(|_| {
                    refused(
                        ErrorCode::NotFound,
                        format!("台账里没有第{entry}项 · no ledger entry {entry}"),
                    )
                })?;
                if !p.may_act_for(target.community.as_deref()) || target.community != m.community {
                    return Err(refused(
                        ErrorCode::Invalid,
                        format!("entry {entry} is another community's"),
                    ));
                }
                let line = self.line(m, format!("合并居民反映第{}号：{}", m.id, m.text), p, &by, now);
                self.ledger
                    .change(entry, true, |e| {
                        e.history.push(line);
                        Ok(())
                    })
                    .await?;
                (MatterStatus::Merged { entry }, by)
            }
            MatterDecision::Decline { reason, by } => {
                let reason = clean_text(&reason, REASON_MAX_CHARS, "reason")?;
                (MatterStatus::Declined { reason }, named(by)?)
            }
            MatterDecision::Hide { by } => (MatterStatus::Hidden, named(by)?),
        };
        kept.matter.status = status;
        kept.matter.decided = Some((now, by));
        self.directory.put(Docs::Matters, &key(id), Some(&kept)).await?;
        let detail = format!("居民反映第{id}号：{}", kept.matter.status.zh());
        self.directory.audit_by(p, "matter.decide", detail, now).await?;
        Ok(kept.matter)
    }

    /// The history line a matter brings to the ledger: its text and photos.
    fn line(&self, m: &Matter, note: String, p: &Principal, by: &str, now: u64) -> LedgerUpdate {
        LedgerUpdate {
            at: now,
            status: None,
            note,
            by: Some(by.to_owned()),
            credential: Some(p.credential()),
            meeting: None,
            origin: None,
            ratings: None,
            photos: m.photos.clone(),
        }
    }

    async fn accept(
        &self,
        m: &Matter,
        title: &str,
        category: &str,
        p: &Principal,
        by: &str,
        now: u64,
    ) -> Result<LedgerEntry, ServiceError> {
        let title = clean_text(title, TITLE_MAX_CHARS, "title")?;
        let category = optional(category, CATEGORY_MAX_CHARS, "category")?;
        let mut line = self.line(m, format!("居民反映，已受理（第{}号）", m.id), p, by, now);
        line.status = Some(LedgerStatus::Pending);
        let description = if m.place.is_empty() {
            m.text.clone()
        } else {
            format!("{}\n位置：{}", m.text, m.place)
        };
        self.ledger
            .add_with(|id| {
                Ok(LedgerEntry {
                    id,
                    title,
                    description,
                    category: if category.is_empty() {
                        m.category.clone()
                    } else {
                        category
                    },
                    source: LedgerSource::Reported { matter: m.id },
                    responsible: String::new(),
                    deadline: None,
                    status: LedgerStatus::Pending,
                    created_at: now,
                    history: vec![line],
                    ratings: Ratings::default(),
                    applied: Vec::new(),
                    community: m.community.clone(),
                    origin: None,
                    seconds: 0,
                })
            })
            .await
    }

    /// Whether this phone has seconded `entry` (the page then says so instead of offering it).
    pub async fn has_seconded(&self, entry: u32, phone: &str) -> Result<bool, ServiceError> {
        let doc = format!("{entry}/{}", hash_token(phone));
        Ok(self.directory.get::<u64>(Docs::Seconds, &doc).await?.is_some())
    }

    /// A resident seconds (附议) a ledger entry from its public page: one per
    /// phone (`phone`, a random id the page's cookie holds). Returns the entry
    /// and whether this phone's second was new.
    pub async fn second(&self, entry: u32, phone: &str, ip: IpAddr) -> Result<(LedgerEntry, bool), ServiceError> {
        self.seconds_per_address.take(&ip).map_err(|w| slow("附议", w))?;
        let doc = format!("{entry}/{}", hash_token(phone));
        let _turn = self.deciding.lock().await;
        if self.directory.get::<u64>(Docs::Seconds, &doc).await?.is_some() {
            return Ok((self.ledger.get(entry).await?, false));
        }
        let e = self
            .ledger
            .change(entry, false, |e| {
                e.seconds += 1;
                Ok(())
            })
            .await?;
        self.directory.put(Docs::Seconds, &doc, Some(&1u64)).await?;
        Ok((e, true))
    }
}

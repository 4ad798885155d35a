//! Communities (社区): name, street office (街道), district (区).

use super::handle::Directory;
use super::principal::Principal;
use crate::service::error::ServiceError;
use crate::store::Docs;
use babahui_shared::directory::{valid_community_id, Community, NewCommunity};
use babahui_shared::limits::TITLE_MAX_CHARS;
use babahui_shared::{CommandError, ErrorCode};

fn name(s: &str, what: &str, required: bool) -> Result<String, CommandError> {
    if !required && s.trim().is_empty() {
        return Ok(String::new());
    }
    babahui_shared::decide::clean_text(s, TITLE_MAX_CHARS, what)
}

impl Directory {
    /// Every community, by name.
    pub async fn communities(&self) -> Result<Vec<Community>, ServiceError> {
        let mut all: Vec<Community> = self
            .list(Docs::Communities)
            .await?
            .into_iter()
            .map(|(_, c)| c)
            .collect();
        all.sort_by(|a, b| (&a.street, &a.name).cmp(&(&b.street, &b.name)));
        Ok(all)
    }

    /// One community, or a refusal saying there is none.
    pub async fn community(&self, id: &str) -> Result<Community, ServiceError> {
        let missing = || ServiceError::refused(ErrorCode::NotFound, format!("no community {id:?} on this server"));
        if !valid_community_id(id) {
            return Err(missing());
        }
        self.get(Docs::Communities, id).await?.ok_or_else(missing)
    }

    /// Adds a community (administrators only); refused if one of the same
    /// name and street office exists.
    pub async fn add_community(&self, by: &Principal, new: NewCommunity, now: u64) -> Result<Community, ServiceError> {
        if !by.is_admin() {
            return Err(ServiceError::refused(
                ErrorCode::Forbidden,
                "only an administrator adds communities",
            ));
        }
        let community = Community {
            id: format!("c{}", crate::tokens::new_code(7)),
            name: name(&new.name, "name", true)?,
            street: name(&new.street, "street", true)?,
            district: name(&new.district, "district", false)?,
            created_at: now,
        };
        let _held = self.hold().await?;
        if self
            .communities()
            .await?
            .iter()
            .any(|c| c.name == community.name && c.street == community.street)
        {
            return Err(CommandError::conflict(format!(
                "{}（{}）already exists on this server",
                community.name, community.street
            ))
            .into());
        }
        self.put(Docs::Communities, &community.id, Some(&community)).await?;
        let detail = match community.district.as_str() {
            "" => format!("{} {}（{}）", community.id, community.name, community.street),
            d => format!("{} {}（{}，{d}）", community.id, community.name, community.street),
        };
        self.audit_by(by, "community.add", detail, now).await?;
        Ok(community)
    }
}

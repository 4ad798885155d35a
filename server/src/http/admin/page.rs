//! The administration page, drawn by the server: plain HTML forms that work
//! with no script, large type and high contrast, Chinese first with the
//! English beside it. Pure functions, tested without a server.

use babahui_shared::directory::{Account, AuditEntry, Community, Me, Role};
use babahui_shared::minutes::escape;
use std::fmt::Write;

/// What the page says at its top after a form was sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Notice {
    /// Done, in these words.
    Done(String),
    /// A secret shown this once (a password, a sync token): what it is, and it.
    Secret(String, String),
    /// Refused, in these words.
    Refused(String),
}

/// The page's head and its style: one file, nothing fetched from elsewhere.
pub fn document(title: &str, body: &str) -> String {
    format!(
        r#"<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title><style>{STYLE}</style></head><body>{body}</body></html>"#,
        title = escape(title)
    )
}

const STYLE: &str = "
body{font:18px/1.6 system-ui,'PingFang SC','Noto Sans CJK SC',sans-serif;color:#111;background:#fff;margin:0 auto;max-width:70rem;padding:1rem 1.25rem 4rem}
h1{font-size:1.6rem;margin:.5rem 0}h2{font-size:1.3rem;margin:2rem 0 .5rem;border-bottom:3px solid #111}
.en{color:#444;font-weight:normal}
code{font-size:1em}
table{border-collapse:collapse;width:100%;margin:.5rem 0}th,td{border:1px solid #666;padding:.4rem .5rem;text-align:left;vertical-align:top}
th{background:#e8e8e8}
form.inline{display:inline}
label{display:block;margin:.5rem 0}input[type=text],input[type=password],input[type=date],select{font:inherit;padding:.5rem;min-width:16rem;min-height:48px;box-sizing:border-box;border:2px solid #333;border-radius:4px}
input[type=checkbox]{width:28px;height:28px;vertical-align:middle}
fieldset label{min-height:44px}
button{font:inherit;min-height:48px;padding:.4rem 1rem;border:2px solid #0b3d91;background:#0b3d91;color:#fff;border-radius:6px;cursor:pointer}
button.quiet{background:#fff;color:#0b3d91}
button .en{color:inherit}
summary{min-height:44px;line-height:44px;cursor:pointer;color:#0b3d91}
.notice{padding:.75rem 1rem;border:3px solid;margin:1rem 0;border-radius:6px}
.done{border-color:#1b5e20;background:#e8f5e9}.refused{border-color:#b71c1c;background:#ffebee}.secret{border-color:#0b3d91;background:#e3f2fd}
.secret code{font-size:1.5rem;user-select:all;display:block;margin:.5rem 0}
nav a{display:inline-block;margin-right:1.25rem;font-size:1.1em;min-height:44px;line-height:44px}
.top{display:flex;justify-content:space-between;align-items:center;flex-wrap:wrap;gap:.5rem}
@media print{button,form,nav{display:none}}
";

fn notice_html(out: &mut String, notice: Option<&Notice>) {
    match notice {
        None => {}
        Some(Notice::Done(words)) => {
            let _ = write!(out, r#"<p class="notice done" role="status">{}</p>"#, escape(words));
        }
        Some(Notice::Refused(words)) => {
            let _ = write!(out, r#"<p class="notice refused" role="alert">{}</p>"#, escape(words));
        }
        Some(Notice::Secret(what, value)) => {
            let _ = write!(
                out,
                r#"<div class="notice secret" role="status"><p>{}</p><code>{}</code>
<p>只显示这一次，请现在抄下或复制。<span class="en">Shown this once: copy it now.</span></p></div>"#,
                escape(what),
                escape(value)
            );
        }
    }
}

/// The login page; `name` as typed before a refusal.
pub fn login(name: &str, notice: Option<&Notice>) -> String {
    let mut body = String::from(r#"<h1>坝坝会 · 登录 <span class="en">Babahui · Log in</span></h1>"#);
    notice_html(&mut body, notice);
    let _ = write!(
        body,
        r#"<form method="post" action="/login">
<label>账号名 <span class="en">Account name</span><br><input type="text" name="name" value="{}" autocomplete="username" required autofocus></label>
<label>密码 <span class="en">Password</span><br><input type="password" name="password" autocomplete="current-password" required></label>
<p><button type="submit">登录 <span class="en">Log in</span></button></p></form>
<p>忘记密码请联系街道或区里的管理员重置。<span class="en">Forgot the password? Ask an administrator to reset it.</span></p>"#,
        escape(name)
    );
    document("登录 · 坝坝会", &body)
}

/// What the administration page shows.
#[derive(Debug, Default)]
pub struct AdminView {
    /// Who is looking.
    pub me: Option<Me>,
    /// Every account (administrators only).
    pub accounts: Vec<Account>,
    /// The newest lines of the audit log (administrators only).
    pub audit: Vec<AuditEntry>,
    /// Every community, by id, to name an account's.
    pub all_communities: Vec<Community>,
}

fn community_name(all: &[Community], id: &str) -> String {
    all.iter()
        .find(|c| c.id == id)
        .map_or_else(|| id.to_owned(), |c| c.name.clone())
}

/// A time of the audit log, in the server's local time zone.
fn when(ms: u64) -> String {
    chrono::DateTime::from_timestamp_millis(ms as i64)
        .map(|t| t.with_timezone(&chrono::Local).format("%Y-%m-%d %H:%M").to_string())
        .unwrap_or_default()
}

fn communities_html(out: &mut String, view: &AdminView, admin: bool) {
    let me = view.me.as_ref().expect("a viewer");
    out.push_str(r#"<h2 id="communities">社区 <span class="en">Communities</span></h2>
<p>同步令牌给社区的笔记本用（离线开会后把会议送到这里）；生成新令牌不会作废旧令牌。<span class="en">A sync token is for the community's laptop (it sends meetings held offline here); a new token does not cancel older ones.</span></p>"#);
    if me.communities.is_empty() {
        out.push_str("<p>还没有社区。<span class=\"en\">No community yet.</span></p>");
    } else {
        out.push_str("<table><tr><th>社区 <span class=\"en\">Community</span></th><th>街道 <span class=\"en\">Street office</span></th><th>区 <span class=\"en\">District</span></th><th>编号 <span class=\"en\">Id</span></th><th>笔记本同步 <span class=\"en\">Laptop sync</span></th></tr>");
        for c in &me.communities {
            let _ = write!(
                out,
                r#"<tr><td>{}</td><td>{}</td><td>{}</td><td><code>{}</code></td><td><form class="inline" method="post" action="/admin/communities/{}/sync-token"><button class="quiet" type="submit">生成同步令牌 <span class="en">New sync token</span></button></form></td></tr>"#,
                escape(&c.name),
                escape(&c.street),
                escape(&c.district),
                escape(&c.id),
                escape(&c.id)
            );
        }
        out.push_str("</table>");
    }
    if admin {
        out.push_str(r#"<form method="post" action="/admin/communities"><h3>添加社区 <span class="en">Add a community</span></h3>
<label>社区名称 <span class="en">Name</span><br><input type="text" name="name" required placeholder="玉林东路社区"></label>
<label>所属街道 <span class="en">Street office</span><br><input type="text" name="street" required placeholder="玉林街道"></label>
<label>所属区 <span class="en">District</span><br><input type="text" name="district" placeholder="武侯区"></label>
<p><button type="submit">添加 <span class="en">Add</span></button></p></form>"#);
    }
}

fn accounts_html(out: &mut String, view: &AdminView) {
    out.push_str(r#"<h2 id="accounts">账号 <span class="en">Accounts</span></h2><table><tr><th>账号名 <span class="en">Name</span></th><th>角色 <span class="en">Role</span></th><th>社区 <span class="en">Communities</span></th><th>状态 <span class="en">Status</span></th><th>操作 <span class="en">Actions</span></th></tr>"#);
    for a in &view.accounts {
        let names: Vec<String> = a
            .communities
            .iter()
            .map(|c| community_name(&view.all_communities, c))
            .collect();
        let (state, toggle, toggle_words) = if a.disabled {
            (
                "已停用 <span class=\"en\">disabled</span>",
                "false",
                "启用 <span class=\"en\">Enable</span>",
            )
        } else {
            (
                "正常 <span class=\"en\">active</span>",
                "true",
                "停用 <span class=\"en\">Disable</span>",
            )
        };
        let role = match a.role {
            Role::Admin => "管理员 <span class=\"en\">administrator</span>",
            Role::Organiser => "组织者 <span class=\"en\">organiser</span>",
        };
        let _ = write!(
            out,
            r#"<tr><td>{name}</td><td>{role}</td><td>{communities}</td><td>{state}</td><td>
<details><summary>重置密码 <span class="en">Reset password</span></summary><form method="post" action="/admin/accounts/{id}/password"><p>旧密码将失效，新密码只显示一次。<span class="en">The old password stops working; the new one is shown once.</span></p><button type="submit">确定重置 <span class="en">Reset it</span></button></form></details>
{toggle_form}</td></tr>"#,
            name = escape(&a.name),
            communities = escape(&names.join("、")),
            id = escape(&a.id),
            toggle_form = if view.me.as_ref().is_some_and(|me| me.name == a.name) {
                String::new()
            } else {
                format!(
                    r#"<details><summary>{toggle_words}</summary><form method="post" action="/admin/accounts/{}/disabled"><input type="hidden" name="disabled" value="{toggle}"><button type="submit">确定 <span class="en">Confirm</span></button></form></details>"#,
                    escape(&a.id)
                )
            },
        );
    }
    out.push_str("</table>");
    out.push_str(r#"<form method="post" action="/admin/accounts"><h3>添加账号 <span class="en">Add an account</span></h3>
<label>账号名 <span class="en">Name</span><br><input type="text" name="name" required placeholder="张敏"></label>
<label>角色 <span class="en">Role</span><br><select name="role"><option value="organiser">组织者（社区）· organiser</option><option value="admin">管理员（全部社区）· administrator</option></select></label>
<fieldset><legend>组织者所在社区 <span class="en">An organiser's communities</span></legend>"#);
    for c in &view.all_communities {
        let _ = write!(
            out,
            r#"<label><input type="checkbox" name="community" value="{}"> {}（{}）</label>"#,
            escape(&c.id),
            escape(&c.name),
            escape(&c.street)
        );
    }
    out.push_str(r#"</fieldset>
<label>密码（留空则自动生成）<span class="en">Password (empty: one is made)</span><br><input type="password" name="password" autocomplete="new-password"></label>
<p><button type="submit">添加 <span class="en">Add</span></button></p></form>"#);
}

/// An audit line's action as people read it.
fn action_words(action: &str) -> String {
    let zh = match action {
        "login" => "登录",
        "login.failed" => "登录失败",
        "login.refused" => "登录被拒（账号已停用）",
        "logout" => "退出",
        "account.add" => "添加账号",
        "account.change" => "修改账号",
        "community.add" => "添加社区",
        "sync_token.add" => "生成同步令牌",
        "sync.meeting" => "收到笔记本的会议",
        "sync.ledger" => "收到笔记本的台账",
        "meeting.create" => "创建会议",
        "ledger.write" => "写入问题台账",
        other => return escape(other),
    };
    format!("{zh} <span class=\"en\">{}</span>", escape(action))
}

fn audit_html(out: &mut String, view: &AdminView) {
    out.push_str(r#"<h2 id="audit">操作记录 <span class="en">Audit log</span></h2><table><tr><th>时间 <span class="en">When</span></th><th>谁 <span class="en">Who</span></th><th>操作 <span class="en">Action</span></th><th>内容 <span class="en">What</span></th></tr>"#);
    for l in &view.audit {
        let _ = write!(
            out,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            when(l.at),
            escape(&l.who),
            action_words(&l.action),
            escape(&l.detail)
        );
    }
    out.push_str("</table>");
}

/// The administration page.
pub fn admin(view: &AdminView, notice: Option<&Notice>) -> String {
    let me = view.me.as_ref().expect("a viewer");
    let admin = me.role == Role::Admin;
    let mut body = String::new();
    let _ = write!(
        body,
        r#"<div class="top"><h1>坝坝会 · 管理 <span class="en">Babahui · Administration</span></h1>
<form method="post" action="/logout">{} · {} <button class="quiet" type="submit">退出 <span class="en">Log out</span></button></form></div>
<nav><a href="/">创建会议 <span class="en">Meetings</span></a><a href="/ledger">问题台账 <span class="en">Issue ledger</span></a><a href="/admin/dashboard">街道看板 <span class="en">Dashboard</span></a></nav>"#,
        escape(&me.name),
        me.role.zh()
    );
    notice_html(&mut body, notice);
    communities_html(&mut body, view, admin);
    if admin {
        accounts_html(&mut body, view);
        audit_html(&mut body, view);
    }
    document("管理 · 坝坝会", &body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_from_people_is_escaped_and_secrets_are_shown_once() {
        let view = AdminView {
            me: Some(Me {
                name: "<b>张</b>".into(),
                role: Role::Admin,
                communities: vec![],
                accounts: true,
            }),
            ..AdminView::default()
        };
        let html = admin(&view, Some(&Notice::Secret("新密码".into(), "abc-def".into())));
        assert!(html.contains("&lt;b&gt;张"), "{html}");
        assert!(html.contains("<code>abc-def</code>"));
        assert!(html.contains("操作记录"), "an administrator sees the audit log");
    }
}

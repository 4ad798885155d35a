//! A phone whose browser runs no script at all (an old WebView, JavaScript
//! switched off) takes part through the join page's plain forms: it joins,
//! raises its hand, writes opinions and votes, and the moderator's tablet
//! shows it all, live.

use super::{Driver, PHONE, TABLET};
use crate::helpers::TestServer;
use anyhow::Result;
use babahui_shared::{Command, PassRule, Stance, TopicId, VoteId, VoteKind};
use tests::http::{public_state, simple_meeting};
use tests::WsClient;

#[tokio::test]
async fn a_phone_without_javascript_joins_raises_its_hand_votes_and_writes() -> Result<()> {
    let server = TestServer::start().await;
    let base = server.base.clone();
    let m = simple_meeting(&base, "六月坝坝会", &["加装电梯", "路灯维修"]).await?;
    let mut md = WsClient::connect(&base, m.id(), &m.moderator, None).await?;
    md.ok(Command::StartMeeting).await?;
    md.ok(Command::OpenTopic { topic: TopicId(1) }).await?;
    let Some(driver) = Driver::start_or_skip().await? else {
        return Ok(());
    };
    let tablet = driver.browser("moderator", TABLET).await?;
    tablet.goto(&m.created.moderator_url).await?;
    tablet.wait_text("加装电梯").await?;

    let phone = driver
        .browser_with("phone-no-js", PHONE, &["--blink-settings=scriptEnabled=false"])
        .await?;
    phone.goto(&m.created.join_url).await?;
    // The meeting, in the page's first bytes.
    let shown = phone.find(".first-paint").await?.text().await?;
    for expected in ["六月坝坝会", "正在讨论", "加装电梯", "路灯维修", "加入会议"] {
        assert!(shown.contains(expected), "{expected:?} is on the screen: {shown}");
    }
    assert!(
        !shown.contains("正在加载"),
        "no endless 'loading' without scripts: {shown}"
    );
    let title = phone.client.title().await?;
    assert!(
        title.contains("六月坝坝会"),
        "the page's title names the meeting: {title}"
    );
    phone.screenshot("plain-join", PHONE).await?;

    // Join through the form.
    phone.fill("#plain input[name=name]", "李大爷").await?;
    phone.click_text("#plain label.chip", "居民").await?;
    phone.click("#plain input[name=publish]").await?;
    phone.click("#plain button[type=submit]").await?;
    phone.wait_text("已加入：李大爷").await?;
    let state = public_state(&base, m.id()).await?;
    let me = state
        .participants
        .iter()
        .find(|p| p.name.as_deref() == Some("李大爷"))
        .expect("joined");
    assert!(me.publish_name && me.category == "居民", "{me:?}");
    let me = me.id;

    // 举手: the tablet's queue shows them.
    phone.click("#plain button.hand").await?;
    phone.wait_text("已举手 ✓").await?;
    phone.wait_text("您排在第 1 位").await?;
    tablet.wait_text("李大爷").await?;
    assert_eq!(public_state(&base, m.id()).await?.queue, vec![me]);
    phone.screenshot("plain-hand-raised", PHONE).await?;

    // An opinion, with a stance: on the tablet at once, under the open topic.
    phone.fill("#plain textarea[name=text]", "电梯费用按楼层分摊").await?;
    phone.click_text("#plain label.chip", "建议").await?;
    phone.click("#plain form[action$=opinion] button[type=submit]").await?;
    phone.wait_text("意见已提交 ✓").await?;
    tablet.wait_text("电梯费用按楼层分摊").await?;
    let state = public_state(&base, m.id()).await?;
    let first = &state.opinions[0];
    assert_eq!(first.topic, Some(TopicId(1)));
    assert_eq!(first.stance, Some(Stance::Suggest));
    assert_eq!(first.author, Some(me));

    // A page drawn under topic 1, sent after the moderator moved on (the page
    // does not change by itself): the person is asked which topic it is about,
    // nothing recorded until they say, their text kept.
    phone.fill("#plain textarea[name=text]", "还要考虑一楼住户").await?;
    md.ok(Command::OpenTopic { topic: TopicId(2) }).await?;
    phone.click("#plain form[action$=opinion] button[type=submit]").await?;
    phone.wait_text("您的这条意见是说哪个议题的？").await?;
    phone.screenshot("plain-which-topic", PHONE).await?;
    assert_eq!(public_state(&base, m.id()).await?.opinions.len(), 1, "nothing yet");
    phone.click_text("#plain .which-topic button", "上一个议题").await?;
    phone.wait_text("意见已提交 ✓").await?;
    let state = public_state(&base, m.id()).await?;
    let late = state
        .opinions
        .iter()
        .find(|o| o.text == "还要考虑一楼住户")
        .expect("recorded");
    assert_eq!(late.topic, Some(TopicId(1)), "under the topic the person chose");

    // Others' opinions on the open topic, with 附议.
    let neighbour = tests::http::join(&base, &m, "赵姐", "居民").await?;
    let mut zhao = WsClient::connect(&base, m.id(), &neighbour.token, None).await?;
    let theirs = zhao
        .ok(Command::SubmitOpinion {
            text: "路灯晚上十点后调暗".into(),
            category: None,
            stance: None,
            author: babahui_shared::OpinionAuthor::Me,
            topic: None,
            voice: None,
        })
        .await?
        .created
        .expect("an opinion");
    phone.click_text("#plain a.button", "刷新").await?;
    phone.wait_text("路灯晚上十点后调暗").await?;
    phone.click("#plain form[action$=second] button").await?;
    phone.wait_text("已附议 ✓").await?;
    let state = public_state(&base, m.id()).await?;
    let o = state.opinions.iter().find(|o| o.id.0 == theirs).expect("theirs");
    assert_eq!(o.seconds, vec![me]);

    // A vote: the phone reloads (as the page tells it to), votes, and may change its vote.
    let open = Command::OpenVote {
        question: "路灯换成太阳能的吗？".into(),
        kind: VoteKind::YesNo,
        secret: false,
        rule: PassRule::Majority,
        quorum: None,
    };
    let vote = VoteId(md.ok(open).await?.created.expect("a vote"));
    phone.click_text("#plain a.button", "刷新").await?;
    phone.wait_text("路灯换成太阳能的吗？").await?;
    phone.wait_text("记名表决").await?;
    phone.click_text("#plain form.vote button", "反对").await?;
    phone.wait_text("已投票 ✓").await?;
    phone.click_text("#plain form.vote button", "赞成").await?;
    phone.wait_text("✓ 赞成").await?;
    phone.screenshot("plain-voted", PHONE).await?;
    let state = public_state(&base, m.id()).await?;
    let v = state.votes.iter().find(|v| v.id == vote).expect("the vote");
    assert_eq!(v.named.len(), 1, "one ballot, changed, not two: {:?}", v.named);
    assert_eq!((v.named[0].participant, v.named[0].choice), (me, 0));
    md.ok(Command::CloseVote { vote }).await?;
    phone.click_text("#plain a.button", "刷新").await?;
    phone.wait_text("表决结果").await?;
    phone.wait_text("通过").await?;

    // Nothing the page did was a second copy: three opinions (one a neighbour's), one ballot.
    assert_eq!(state.opinions.len(), 3);
    assert!(
        !phone.overflows_horizontally().await?,
        "the plain page fits the phone's width"
    );
    let problems = phone.readability_problems().await?;
    assert!(problems.is_empty(), "readable on a phone: {problems:?}");
    tablet.screenshot("plain-seen-on-tablet", TABLET).await?;
    // After the end: what was decided, and where the minutes will be (not a draft).
    md.ok(Command::EndMeeting).await?;
    phone.click_text("#plain a.button", "刷新").await?;
    phone.wait_text("会议结果").await?;
    phone.wait_text("会议纪要整理后会在这里公示").await?;
    let ended = phone.text().await?;
    assert_eq!(ended.matches("会议已结束").count(), 1, "{ended}");
    phone.screenshot("plain-ended", PHONE).await?;
    zhao.close().await;
    phone.close().await;
    tablet.close().await;
    Ok(())
}

// Loads the WebAssembly client. Kept out of index.html so the page needs no inline script.
// Needs WebAssembly with reference types: Chrome/Android WebView 96+, Safari/iOS 15+,
// current WeChat (its built-in engine is updated with WeChat itself).
var TOO_OLD = '您的浏览器版本太旧，无法打开会议页面。请更新微信或浏览器后再扫码。<br>' +
  'Your browser is too old for this page. Please update WeChat or your browser and scan again.';
// A join page has plain forms that work without the application: there the
// note says to use them, not that the page cannot be used.
var SIMPLE = '这个浏览器较旧，请直接使用本页：举手、投票、提交意见都可以用，点“刷新”看最新情况。<br>' +
  'This browser is old: use this page as it is (raise your hand, vote, send opinions; reload for the latest).';
function tooOld() { return document.getElementById('plain') ? SIMPLE : TOO_OLD; }
// A join page carries the meeting in its first bytes (title, topic, agenda):
// a message goes under it, in its loading note, and leaves the meeting shown.
function show(html) {
  var l = document.getElementById('loading-note') || document.getElementById('loading');
  if (l) l.innerHTML = html;
}

// The page that answers the join form has the form's address (/m/<id>/join):
// it becomes the page's own, so a reload shows the page instead of sending the
// form again.
if (/^\/m\/[^\/]+\/join$/.test(location.pathname) && history.replaceState) {
  history.replaceState(null, '', location.pathname.replace(/\/join$/, ''));
}

var joinPage = location.pathname.match(/^\/m\/([^\/]+)\/?$/);

// Whether this phone has joined this meeting through the application before
// (its token is kept where the application keeps it).
function joinedBefore(meeting) {
  try { return !!localStorage.getItem('bbh:attendee:' + meeting); } catch (e) { return false; }
}

// The join page's own form is the join form: a phone's first contact is the
// page (a few KiB), and the application (a few hundred) comes once the person
// has joined — so on a slow hotspot the form is there at once and 举手 one
// round trip after 加入. A phone that joined through the application before
// gets the application at once (it carries on as that person).
function waitToJoin() {
  return joinPage && document.querySelector('#plain form[action$="/join"]') && !joinedBefore(joinPage[1]);
}

// While the application loads behind a joined page, the page's forms are sent
// in the background and only the forms' part of the page is replaced: a tap
// on 举手 does not restart the download by reloading the page.
document.addEventListener('submit', function (e) {
  var form = e.target;
  if (!window.fetch || !window.DOMParser || !form.closest || !form.closest('#plain')) return;
  if (/\/join$/.test(form.action)) return; // joining loads the joined page
  e.preventDefault();
  var body = new URLSearchParams(new FormData(form));
  if (e.submitter && e.submitter.name) body.append(e.submitter.name, e.submitter.value);
  fetch(form.action, { method: 'POST', body: body, credentials: 'same-origin' })
    .then(function (r) { return r.text(); })
    .then(function (html) {
      var fresh = new DOMParser().parseFromString(html, 'text/html').getElementById('plain');
      var here = document.getElementById('plain');
      if (fresh && here) here.replaceWith(document.importNode(fresh, true));
    })
    .catch(function () { form.submit(); });
});

if (typeof WebAssembly !== 'object') {
  show(tooOld());
} else if (waitToJoin()) {
  var note = document.getElementById('loading-note');
  if (note) note.remove();
} else {
  // A join link (/m/<id>) and the public minutes get the phone's bundle, a
  // fraction of the whole application; every other page the whole. Both beside this script: under
  // /v/<version>/ the files are cached for good.
  var pkg = /^\/m\/[^\/]+(\/minutes)?\/?$/.test(location.pathname) ? 'pkg-attendee/' : 'pkg/';
  import(new URL(pkg + 'babahui_client.js', import.meta.url).href).then(function (m) {
    return m.default({ module_or_path: new URL(pkg + 'babahui_client_bg.wasm', import.meta.url) });
  }).then(function () {
    // A join page's first paint (the meeting, drawn by the server) is ended by
    // the page itself once it has the meeting; the plain placeholder goes now.
    var l = document.getElementById('loading');
    if (l && !l.classList.contains('first-paint')) l.remove();
    // Whatever happens, the application is shown within a few seconds.
    setTimeout(function () {
      var f = document.getElementById('loading');
      if (f) f.remove();
    }, 8000);
  }).catch(function (e) {
    var msg = String(e);
    show(/CompileError|LinkError|Table|reference/i.test(msg)
      ? tooOld()
      : '加载失败，请刷新页面。<br>Could not load, please reload. <small>(' + msg.replace(/</g, '&lt;') + ')</small>');
  });
}

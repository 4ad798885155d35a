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
if (typeof WebAssembly !== 'object') {
  show(tooOld());
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

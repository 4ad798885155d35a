// Loads the WebAssembly client. Kept out of index.html so the page needs no inline script.
// Needs WebAssembly with reference types: Chrome/Android WebView 96+, Safari/iOS 15+,
// current WeChat (its built-in engine is updated with WeChat itself).
var TOO_OLD = '您的浏览器版本太旧，无法打开会议页面。请更新微信或浏览器后再扫码。<br>' +
  'Your browser is too old for this page. Please update WeChat or your browser and scan again.';
function show(html) {
  var l = document.getElementById('loading');
  if (l) l.innerHTML = html;
}
if (typeof WebAssembly !== 'object') {
  show(TOO_OLD);
} else {
  import('/pkg/babahui_client.js').then(function (m) {
    return m.default({ module_or_path: '/pkg/babahui_client_bg.wasm' });
  }).then(function () {
    var l = document.getElementById('loading');
    if (l) l.remove();
  }).catch(function (e) {
    var msg = String(e);
    show(/CompileError|LinkError|Table|reference/i.test(msg)
      ? TOO_OLD
      : '加载失败，请刷新页面。<br>Could not load, please reload. <small>(' + msg.replace(/</g, '&lt;') + ')</small>');
  });
}

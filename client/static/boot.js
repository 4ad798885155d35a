// Loads the WebAssembly client. Kept out of index.html so the page needs no inline script.
import init from '/pkg/babahui_client.js';
init({ module_or_path: '/pkg/babahui_client_bg.wasm' }).then(function () {
  var l = document.getElementById('loading');
  if (l) l.remove();
}).catch(function (e) {
  var l = document.getElementById('loading');
  if (l) l.textContent = '加载失败，请刷新 / Could not load, please reload. (' + e + ')';
});

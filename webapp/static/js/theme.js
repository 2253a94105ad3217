// Runs in <head> before first paint (a classic script: the CSP forbids inline ones).
// Puts the saved theme ("light" or "dark"; none = follow the system) on <html>, and
// marks that scripts run ("js"), so the phone menu may start folded.
(function () {
  var root = document.documentElement;
  root.classList.add('js');
  try {
    var saved = localStorage.getItem('theme');
    if (saved === 'light' || saved === 'dark') root.dataset.theme = saved;
  } catch (e) {
    // Storage refused (private mode, policy): the system's theme applies.
  }
})();

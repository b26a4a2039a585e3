// The demo page's own "Åbn chatten" button (inline scripts are not allowed by its CSP).
document.addEventListener("DOMContentLoaded", function () {
  var button = document.getElementById("open-chat");
  if (button) {
    button.addEventListener("click", function () {
      if (window.HerningChat) { window.HerningChat.open(); }
    });
  }
});

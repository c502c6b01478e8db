// One line on the city's site: <script src="{{ chat_url }}/widget.js" async></script>
(function () {
  "use strict";
  if (document.getElementById("city311-chat-button")) return;
  var chatUrl = {{ chat_url | tojson }};
  var button = document.createElement("button");
  button.id = "city311-chat-button";
  button.type = "button";
  button.setAttribute("aria-expanded", "false");
  button.setAttribute("aria-label", "311");
  button.textContent = "311";
  button.style.cssText = "position:fixed;bottom:1rem;right:1rem;z-index:2147483000;width:3.5rem;height:3.5rem;" +
    "border-radius:50%;border:0;background:#0b5cad;color:#fff;font:700 1rem system-ui,sans-serif;cursor:pointer;" +
    "box-shadow:0 2px 8px rgba(0,0,0,.3)";
  var frame = null;
  button.addEventListener("click", function () {
    if (!frame) {
      frame = document.createElement("iframe");
      frame.src = chatUrl + "?embed=1&lang=" + encodeURIComponent((navigator.language || "en").slice(0, 2));
      frame.title = "311";
      frame.allow = "geolocation; camera";
      frame.style.cssText = "position:fixed;bottom:5rem;right:1rem;z-index:2147483000;width:min(24rem,calc(100vw - 2rem));" +
        "height:min(36rem,calc(100vh - 6rem));border:1px solid #ccc;border-radius:.75rem;background:#fff;" +
        "box-shadow:0 4px 16px rgba(0,0,0,.25)";
      document.body.appendChild(frame);
    } else {
      frame.hidden = !frame.hidden;
    }
    button.setAttribute("aria-expanded", String(!frame.hidden));
  });
  document.body.appendChild(button);
})();

// The card editor's live preview: the server renders the Markdown exactly as the model page
// does (sanitised, cost-bounded), a moment after the typing stops. Without this script the
// form still saves; only the preview is missing.
(function () {
  "use strict";
  const form = document.getElementById("card-editor");
  if (!form) return;
  const source = form.querySelector("textarea[name=body]");
  const preview = document.getElementById("card-preview");
  const status = document.getElementById("preview-status");
  const csrf = form.querySelector("input[name=csrfmiddlewaretoken]").value;
  const WAIT_MS = 400;
  let timer = null;
  let sent = 0; // answers may arrive out of order: only the newest request's is shown

  async function render() {
    const ticket = ++sent;
    status.textContent = "updating…";
    const body = new FormData();
    body.append("body", source.value);
    try {
      const response = await fetch(form.dataset.previewUrl, {
        method: "POST",
        body: body,
        headers: { "X-CSRFToken": csrf, "X-Requested-With": "fetch" },
        credentials: "same-origin",
      });
      const text = await response.text();
      if (ticket !== sent) return;
      if (response.ok) {
        preview.innerHTML = text || '<p class="empty">The card is empty.</p>';
        status.textContent = "";
      } else {
        status.textContent = text; // 413 (too long) or 429 (too many): the message says which
      }
    } catch (error) {
      if (ticket === sent) status.textContent = "the preview is offline; saving still works";
    }
  }

  source.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(render, WAIT_MS);
  });
  render();
})();

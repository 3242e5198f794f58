// Small behaviours shared by every page. Each one is an enhancement: without this script the
// menu is open, the filters sit above the results and secrets can still be selected by hand.
(function () {
  "use strict";

  // The header's menu on narrow screens: a button that shows and hides the navigation.
  function toggleMenu(button) {
    const nav = document.getElementById(button.getAttribute("aria-controls"));
    const open = button.getAttribute("aria-expanded") !== "true";
    button.setAttribute("aria-expanded", String(open));
    nav.classList.toggle("open", open);
  }

  // The search page's filter drawer. The results (and so the drawer's contents) are replaced as
  // the user types, so its state lives on <body> and every handler is delegated.
  function setFilters(open) {
    document.body.classList.toggle("filters-open", open);
    document.querySelectorAll("[data-filters-toggle]").forEach((el) => {
      el.setAttribute("aria-expanded", String(open));
    });
    if (open) {
      const first = document.querySelector("#facets a, #facets button");
      if (first) first.focus();
    }
  }

  // Copy buttons: data-copy names the element whose text goes to the clipboard.
  async function copy(button) {
    const source = document.getElementById(button.dataset.copy);
    const status = document.getElementById(button.dataset.copyStatus || "");
    let done = false;
    try {
      await navigator.clipboard.writeText(source.innerText.trim());
      done = true;
    } catch (e) {
      // No clipboard permission (plain HTTP, old browser): select the text for Ctrl+C.
      const range = document.createRange();
      range.selectNodeContents(source);
      const selection = window.getSelection();
      selection.removeAllRanges();
      selection.addRange(range);
    }
    const message = done ? "Copied to the clipboard." : "Selected: press Ctrl+C to copy.";
    if (status) status.textContent = message;
    button.dataset.copied = done ? "1" : "0";
  }

  document.addEventListener("click", (event) => {
    const menu = event.target.closest(".menu-toggle");
    if (menu) return toggleMenu(menu);
    const filters = event.target.closest("[data-filters-toggle]");
    if (filters) return setFilters(!document.body.classList.contains("filters-open"));
    if (event.target.closest("[data-filters-close]")) return setFilters(false);
    // A tap on the dimmed page beside the open drawer closes it (and does nothing else).
    if (document.body.classList.contains("filters-open") && !event.target.closest("#facets")
        && window.matchMedia("(max-width: 820px)").matches) {
      event.preventDefault();
      return setFilters(false);
    }
    const copyButton = event.target.closest("button[data-copy]");
    if (copyButton) return copy(copyButton);
  });

  document.addEventListener("keydown", (event) => {
    if (event.key !== "Escape") return;
    if (document.body.classList.contains("filters-open")) {
      setFilters(false);
      const toggle = document.querySelector("[data-filters-toggle]");
      if (toggle) toggle.focus();
    }
    // An open confirmation closes on Escape and gives focus back to its button.
    const confirm = document.activeElement && document.activeElement.closest("details.confirm[open]");
    if (confirm) {
      confirm.open = false;
      confirm.querySelector("summary").focus();
    }
  });
})();

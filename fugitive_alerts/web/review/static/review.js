// The review console's little JavaScript: filters apply on change; a decision is sent once.
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  const filters = document.getElementById("filters");
  if (filters) {
    filters.classList.add("js");
    filters.querySelectorAll("select").forEach((s) => s.addEventListener("change", () => filters.submit()));
  }
  const decide = document.getElementById("decide");
  if (decide) {
    decide.addEventListener("submit", (ev) => {
      if (decide.dataset.sent) { ev.preventDefault(); return; }
      decide.dataset.sent = "1";
      // the clicked button's name/value is already part of the submission; grey the others out
      setTimeout(() => decide.querySelectorAll("button").forEach((b) => { b.disabled = true; }), 0);
    });
  }
});

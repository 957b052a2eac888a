// "Use my location": the browser's position fills the search's lat/lon and the search is sent.
// Nothing is kept; without this script (or without a location) the postcode field still works.
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  const box = document.querySelector("[data-locate]");
  if (!box || !navigator.geolocation) return;
  const form = box.closest("form");
  const button = box.querySelector("[data-locate-button]");
  const status = form.querySelector("[data-locate-status]");
  box.hidden = false;
  button.addEventListener("click", () => {
    navigator.geolocation.getCurrentPosition((position) => {
      form.querySelector("input[name=lat]").value = position.coords.latitude.toFixed(5);
      form.querySelector("input[name=lon]").value = position.coords.longitude.toFixed(5);
      form.submit();
    }, () => { status.textContent = button.dataset.failed; }, { timeout: 10000, maximumAge: 600000 });
  });
});

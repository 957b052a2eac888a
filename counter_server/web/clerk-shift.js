// A clerk's shift (issue 17): a staff account logged in at one counter until logout.
// The shift's token lives in sessionStorage (this tab only) and acts as the counter's workstation;
// a workstation's own link (?token=) keeps working without any account.
(function () {
  "use strict";
  const KEY = "thq_shift";
  const workstation = new URLSearchParams(location.search).get("token") || "";
  const $ = (id) => document.getElementById(id);
  const MESSAGES = {
    login_failed: "Anmeldung fehlgeschlagen: Anmeldename oder Passwort stimmt nicht.",
    account_locked: "Zu viele falsche Passwörter: dieses Konto ist für einige Minuten gesperrt.",
    directory_unavailable: "Das Verzeichnis der Stadt (LDAP) ist gerade nicht erreichbar: bitte gleich noch einmal versuchen oder die IT anrufen.",
    unknown_counter: "Diesen Schalter gibt es nicht.",
    invalid_request: "Bitte Anmeldename, Passwort und Schalter angeben.",
    forbidden: "Dieser Arbeitsplatz gehört zu einem anderen Schalter.",
  };

  function stored() {
    try { return sessionStorage.getItem(KEY) || ""; } catch (e) { return ""; }
  }

  function forget() {
    try { sessionStorage.removeItem(KEY); } catch (e) { /* nothing stored */ }
  }

  function showLogin(message) {
    $("shift-login").hidden = false;
    $("shift-counter-row").hidden = !!workstation;
    $("shift-counter").required = !workstation;
    $("shift-error").textContent = message || "";
    $("shift-user").focus();
  }

  async function login(event) {
    event.preventDefault();
    const body = { login: $("shift-user").value.trim(), password: $("shift-password").value };
    if (!workstation) body.counter_id = $("shift-counter").value.trim();
    const headers = { "Content-Type": "application/json" };
    if (workstation) headers.Authorization = "Bearer " + workstation;
    $("shift-password").value = "";
    let response;
    try {
      response = await fetch("/api/v1/shifts", { method: "POST", headers, body: JSON.stringify(body) });
    } catch (failure) {
      $("shift-error").textContent = "Keine Verbindung zum Server.";
      return;
    }
    const data = await response.json().catch(() => ({}));
    if (!response.ok) {
      const failure = data.error || {};
      $("shift-error").textContent = MESSAGES[failure.code] || failure.message || "Fehler " + response.status;
      return;
    }
    sessionStorage.setItem(KEY, data.token);
    location.reload();
  }

  async function logout() {
    const token = stored();
    forget();
    if (token) {
      await fetch("/api/v1/shifts/end", { method: "POST", headers: { Authorization: "Bearer " + token } })
        .catch(() => null);
    }
    location.reload();
  }

  // clerk.js: the token to use, then who it turned out to be (or that it was refused)
  function token() { return stored() || workstation; }

  function started(me) {
    if (me.staff_id) {
      $("shift-name").textContent = me.name;
      $("shift-info").hidden = false;
    } else {
      $("shift-open").hidden = false;
    }
  }

  function refused() {
    const hadShift = !!stored();
    forget();
    if (hadShift && workstation) { location.reload(); return true; }
    if (hadShift || !workstation) { showLogin(hadShift ? "Die Schicht ist beendet. Bitte neu anmelden." : ""); return true; }
    return false;
  }

  $("shift-login").addEventListener("submit", login);
  $("shift-logout").addEventListener("click", logout);
  $("shift-open").addEventListener("click", () => showLogin(""));
  window.townhallClerk = Object.assign(window.townhallClerk || {}, { shift: { token, started, refused } });
})();

// Warns a signed-in person before their session ends, and keeps it alive if
// they choose. Without JavaScript the session simply ends after inactivity,
// as the page explains on the sign-in screen.
//
// The session is one for every tab: each tab notes when it ends
// (localStorage), so a page loaded or kept alive in another tab moves this
// tab's warning on too, and no tab says "signed out" while another has
// kept the session alive.
const dialog = document.getElementById("session-timeout");
if (dialog && typeof dialog.showModal === "function") {
  const ENDS = "app-session-ends-at";
  const warning = Number(dialog.dataset.warning) * 1000;
  const countdown = dialog.querySelector(".app-timeout-dialog__countdown");
  const form = dialog.querySelector("form");
  let endsAt = Date.now() + Number(dialog.dataset.timeout) * 1000;
  let warnTimer;
  let endTimer;
  let tick;

  const shared = () => {
    try {
      return Number(window.localStorage.getItem(ENDS)) || 0;
    } catch {
      return 0; // storage refused (a private window): this tab alone
    }
  };
  const share = () => {
    try {
      window.localStorage.setItem(ENDS, String(endsAt));
    } catch {
      // storage refused: this tab keeps its own time
    }
  };

  const schedule = () => {
    clearTimeout(warnTimer);
    clearTimeout(endTimer);
    clearInterval(tick);
    const left = endsAt - Date.now();
    warnTimer = setTimeout(warn, Math.max(left - warning, 0));
    endTimer = setTimeout(end, Math.max(left, 0));
  };

  const end = () => {
    if (shared() > Date.now()) {
      // Kept alive in another tab since: not over.
      endsAt = shared();
      if (dialog.open) dialog.close();
      schedule();
      return;
    }
    // Signed out, not only told so: the countdown runs in whole seconds and
    // can end a moment before the server's session does.
    const signOut = document.querySelector('form[action="/account/sign-out/"]');
    if (signOut) {
      const next = document.createElement("input");
      next.type = "hidden";
      next.name = "next";
      next.value = "/account/signed-out/?timeout=1";
      signOut.append(next);
      signOut.submit();
    } else {
      window.location.href = "/account/signed-out/?timeout=1";
    }
  };

  window.addEventListener("storage", (event) => {
    if (event.key === ENDS && Number(event.newValue) > endsAt) {
      endsAt = Number(event.newValue);
      if (dialog.open) dialog.close();
      schedule();
    }
  });

  const warn = () => {
    if (shared() > endsAt) {
      // Kept alive in another tab, unheard (a storage event missed).
      endsAt = shared();
      schedule();
      return;
    }
    let left = Math.round(Math.min(warning, endsAt - Date.now()) / 1000);
    const show = () => {
      const minutes = Math.floor(left / 60);
      const seconds = left % 60;
      countdown.textContent = minutes > 0 ? `${minutes} minute${minutes > 1 ? "s" : ""}` : `${seconds} seconds`;
    };
    show();
    tick = setInterval(() => { left = Math.max(left - 1, 0); show(); }, 1000);
    dialog.showModal();
  };

  // Escape closes a modal dialog: here it means "stay signed in", as in
  // GOV.UK's own timeout warning, not "let the session end unwarned".
  dialog.addEventListener("cancel", (event) => {
    event.preventDefault();
    form.requestSubmit();
  });

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const response = await fetch(form.action, {
      method: "POST",
      body: new FormData(form),
      headers: { "X-Requested-With": "fetch" },
      credentials: "same-origin",
    });
    const kept = response.ok && response.headers.get("Content-Type") === "application/json";
    if (kept) {
      endsAt = Date.now() + Number((await response.json()).expires_in) * 1000;
      share();
      dialog.close();
      schedule();
    } else {
      form.submit();
    }
  });

  if (shared() < endsAt) share();
  schedule();
}

// Warns a signed-in person before their session ends, and keeps it alive if
// they choose. Without JavaScript the session simply ends after inactivity,
// as the page explains on the sign-in screen.
const dialog = document.getElementById("session-timeout");
if (dialog && typeof dialog.showModal === "function") {
  let timeout = Number(dialog.dataset.timeout) * 1000;
  const warning = Number(dialog.dataset.warning) * 1000;
  const countdown = dialog.querySelector(".app-timeout-dialog__countdown");
  const form = dialog.querySelector("form");
  let warnTimer;
  let endTimer;
  let tick;

  const schedule = () => {
    clearTimeout(warnTimer);
    clearTimeout(endTimer);
    clearInterval(tick);
    warnTimer = setTimeout(warn, Math.max(timeout - warning, 0));
    endTimer = setTimeout(() => {
      window.location.href = "/account/signed-out/?timeout=1";
    }, timeout);
  };

  const warn = () => {
    let left = Math.round(warning / 1000);
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
      timeout = Number((await response.json()).expires_in) * 1000;
      dialog.close();
      schedule();
    } else {
      form.submit();
    }
  });

  schedule();
}

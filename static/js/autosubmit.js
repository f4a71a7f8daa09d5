// A <select data-autosubmit> submits its form when changed (no inline handlers: the CSP
// allows scripts from our static files only).
document.addEventListener("change", (event) => {
  const field = event.target.closest("[data-autosubmit]");
  if (field && field.form) field.form.submit();
});

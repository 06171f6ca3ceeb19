// Small page behaviours, bound by data attributes: the CSP allows no inline handlers.
document.addEventListener("change", (event) => {
  const el = event.target;
  if (el.matches("[data-submit-on-change]")) {
    el.form.submit();
  } else if (el.matches("[data-check-all]")) {
    const name = el.dataset.checkAll;
    document.querySelectorAll(`input[name="${name}"]`).forEach((box) => {
      box.checked = el.checked;
    });
  }
});

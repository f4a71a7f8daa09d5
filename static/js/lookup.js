// A lookup box (core.widgets.LookupInput): as the user types, the records matching what is
// typed are offered in the box's <datalist>, read from the JSON list in data-lookup
// (?q=…&page_size=20, the user's own session). A page sends no option it was not asked for.
(() => {
  const WAIT_MS = 200;
  for (const box of document.querySelectorAll("input[data-lookup]")) {
    const list = document.getElementById(box.getAttribute("list"));
    let timer = null;
    let asked = "";
    box.addEventListener("input", () => {
      clearTimeout(timer);
      timer = setTimeout(async () => {
        const q = box.value.trim();
        if (!q || q === asked || !list) return;
        asked = q;
        const url = new URL(box.dataset.lookup, window.location.href);
        url.searchParams.set("q", q);
        url.searchParams.set("page_size", "20");
        try {
          const response = await fetch(url, {
            headers: { Accept: "application/json" },
            credentials: "same-origin",
          });
          if (!response.ok || box.value.trim() !== q) return;
          const data = await response.json();
          list.replaceChildren(
            ...(data.results || []).map((row) => {
              const option = document.createElement("option");
              option.value = row.code;
              option.label = row.name;
              return option;
            }),
          );
        } catch (error) {
          asked = ""; // offline or refused: the box still sends what is typed
        }
      }, WAIT_MS);
    });
  }
})();

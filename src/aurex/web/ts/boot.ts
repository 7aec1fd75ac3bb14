// Runs before the page paints (a classic script, not a module): applies the saved or
// preferred colour theme so the page never flashes the wrong one.
(function applyTheme(): void {
  let theme: string | null = null;
  try {
    theme = localStorage.getItem("aurex-theme");
  } catch {
    theme = null;
  }
  if (theme !== "light" && theme !== "dark") {
    theme = window.matchMedia("(prefers-color-scheme: light)").matches ? "light" : "dark";
  }
  document.documentElement.dataset.theme = theme;
})();

// Live feedback on the sign-up password rules (the server checks the same ones).

const RULES: Record<string, (pw: string) => boolean> = {
  length: (pw) => pw.length >= 8 && pw.length <= 128,
  upper: (pw) => /[A-Z]/.test(pw),
  lower: (pw) => /[a-z]/.test(pw),
  digit: (pw) => /[0-9]/.test(pw),
  special: (pw) => /[^A-Za-z0-9]/.test(pw),
};

export function passwordOk(pw: string): boolean {
  return Object.values(RULES).every((rule) => rule(pw));
}

/** Ticks each rule in ``list`` as ``input`` changes. */
export function watchPassword(input: HTMLInputElement, list: HTMLElement): void {
  const update = (): void => {
    for (const item of Array.from(list.querySelectorAll<HTMLElement>("[data-rule]"))) {
      const rule = RULES[item.dataset.rule ?? ""];
      const met = rule ? rule(input.value) : false;
      item.classList.toggle("met", met);
      item.setAttribute("aria-label", `${item.textContent ?? ""}: ${met ? "met" : "not met"}`);
    }
  };
  input.addEventListener("input", update);
  update();
}

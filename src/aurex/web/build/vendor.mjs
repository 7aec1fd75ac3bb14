// Copies the browser builds of the front end's npm dependencies next to the compiled
// modules, so the app serves them from /static/vendor (they are never committed).
import { copyFileSync, mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const web = dirname(dirname(fileURLToPath(import.meta.url)));
const root = join(web, "..", "..", "..");
const vendor = join(web, "static", "vendor");
mkdirSync(vendor, { recursive: true });
const files = [
  ["lightweight-charts/dist/lightweight-charts.standalone.production.mjs", "lightweight-charts.mjs"],
];
for (const [from, to] of files) {
  copyFileSync(join(root, "node_modules", from), join(vendor, to));
}

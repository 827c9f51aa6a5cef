// Accessibility audit: axe-core (the npm package) injected into the page; serious and critical
// violations fail the check, with the rule, its help text and the first offending elements.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const AXE_SOURCE = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");
export const FAILING_IMPACTS = new Set(["serious", "critical"]);

/** axe's violations on the page as it is now (every WCAG 2.x A/AA rule and axe's best practices). */
export async function axeViolations(page) {
  const loaded = await page.evaluate(() => typeof window.axe !== "undefined");
  if (!loaded) await page.addScriptTag({ content: AXE_SOURCE });
  return await page.evaluate(async () => {
    const result = await window.axe.run(document, { resultTypes: ["violations"] });
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.slice(0, 4).map((n) => `${n.target.join(" ")}: ${n.failureSummary?.split("\n").slice(1, 3).join(" ") ?? ""}`),
      count: v.nodes.length,
    }));
  });
}

/** Throws when axe finds a serious or critical violation; returns the minor ones for the log. */
export async function assertAccessible(page, where) {
  const violations = await axeViolations(page);
  const failing = violations.filter((v) => FAILING_IMPACTS.has(v.impact));
  if (failing.length) {
    const lines = failing.map((v) => `  [${v.impact}] ${v.id} (${v.count}x): ${v.help}\n    ${v.nodes.join("\n    ")}`);
    throw new Error(`axe: ${failing.length} serious/critical violation(s) on ${where}:\n${lines.join("\n")}`);
  }
  const minor = violations.filter((v) => !FAILING_IMPACTS.has(v.impact));
  if (minor.length) console.log(`  axe on ${where}: minor: ${minor.map((v) => `${v.id} (${v.impact})`).join(", ")}`);
  return minor;
}

/**
 * axe-core on what a component test rendered: the violations of impact
 * `serious` or `critical`, as the browser tests (tests/e2e) check whole
 * pages. Colour contrast needs a layout jsdom does not have: the browser
 * tests check it.
 */
import axe from "axe-core";

export async function axeViolations(root: Element = document.body): Promise<string[]> {
  const result = await axe.run(root, {
    resultTypes: ["violations"],
    rules: { "color-contrast": { enabled: false } },
  });
  return result.violations
    .filter((violation) => violation.impact === "serious" || violation.impact === "critical")
    .flatMap((violation) => violation.nodes.map((node) => `${violation.id}: ${node.target.join(" ")} ${node.failureSummary ?? ""}`));
}

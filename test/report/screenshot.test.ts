/**
 * The report opened in headless Chromium (Debian's `chromium`, when installed: it is not an npm
 * package, so the test is skipped — and says so — on machines without it): it renders every plot
 * and logs no console error.
 */
import { describe, it, expect } from "vitest";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { renderReport, exampleReportInput } from "@sparse-dgm/viz";

const CHROMIUM = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].find((p) => existsSync(p));

describe.skipIf(!CHROMIUM)("the report in headless Chromium", () => {
  it("renders with every plot and no console error", async () => {
    const dir = mkdtempSync(join(tmpdir(), "sdgm-report-"));
    const html = join(dir, "index.html");
    const input = exampleReportInput();
    const page = await renderReport(input);
    writeFileSync(html, page);
    const png = join(dir, "shot.png");
    const flags = [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      `--user-data-dir=${join(dir, "profile")}`,
      "--enable-logging=stderr",
      "--v=0",
      "--window-size=1400,3000",
    ];
    const shot = spawnSync(CHROMIUM!, [...flags, `--screenshot=${png}`, `file://${html}`], { encoding: "utf8", timeout: 60_000 });
    expect(existsSync(png), shot.stderr).toBe(true);
    expect(statSync(png).size).toBeGreaterThan(50_000);
    const consoleErrors = shot.stderr.split("\n").filter((l) => /CONSOLE.*(Error|error)|Uncaught/.test(l));
    expect(consoleErrors).toEqual([]);
    // the DOM as Chromium built it: every plot is an inline SVG
    const dom = spawnSync(CHROMIUM!, [...flags, "--dump-dom", `file://${html}`], { encoding: "utf8", timeout: 60_000 });
    const svgs = (dom.stdout.match(/<svg/g) ?? []).length;
    expect(svgs).toBe((page.match(/<svg/g) ?? []).length);
    expect(svgs).toBeGreaterThanOrEqual(5);
  }, 120_000);
});

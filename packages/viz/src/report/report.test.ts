import { describe, expect, it } from "vitest";
import { writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { recipeOf, renderReport } from "./report.js";
import { resultsCsv } from "./csv.js";
import { escapeHtml, inlineSvg } from "./html.js";
import { formatNumber, reportDirection, summarize } from "./metrics.js";
import { getMetric, METRICS } from "@sparse-dgm/metrics";
import { exampleReportInput, EXAMPLE_DATA, EXAMPLE_MODELS } from "./example.js";
import type { ResultRow } from "./types.js";
import { activityHeatmapSpec, metricBoxplotSpec, structureMaskHeatmapSpec } from "./specs.js";

/** A minimal RFC 4180 parser for the round trip. */
function parseCsv(text: string): string[][] {
  const out: string[][] = [];
  let row: string[] = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") {
      row.push(field);
      field = "";
    } else if (c === "\r" && text[i + 1] === "\n") {
      row.push(field);
      out.push(row);
      row = [];
      field = "";
      i++;
    } else field += c;
  }
  if (field !== "" || row.length > 0) {
    row.push(field);
    out.push(row);
  }
  return out;
}

const cell = (html: string, model: string, metric: string): string => {
  const m = html.match(new RegExp(`<td [^>]*data-model="${escapeHtml(model).replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}" data-metric="${metric}"[^>]*>[\\s\\S]*?</td>`));
  if (!m) throw new Error(`no cell ${model} / ${metric}`);
  return m[0];
};

describe("renderReport", async () => {
  const input = exampleReportInput();
  const html = await renderReport(input);
  writeFileSync(join(tmpdir(), "report-example.html"), html);

  it("shows the comparison table with medians and spreads", () => {
    expect(html).toContain('<table class="comparison"');
    expect(cell(html, EXAMPLE_MODELS.global, "heldoutMse")).toContain(">0.23<");
    expect(cell(html, EXAMPLE_MODELS.local, "heldoutMse")).toContain(">0.31<");
    expect(cell(html, EXAMPLE_MODELS.global, "mcc")).toContain(">0.82<");
    // fewer than 4 seeds: min – max
    expect(cell(html, EXAMPLE_MODELS.global, "heldoutMse")).toContain("0.21 – 0.25");
    expect(html).toMatch(/data-metric="msPerStep"/);
    expect(html).toMatch(/data-metric="seconds"/);
  });

  it("marks the best per column in the right direction", () => {
    // lower is better: heldoutMse -> the global model
    expect(cell(html, EXAMPLE_MODELS.global, "heldoutMse")).toMatch(/class="num best"[\s\S]*<strong>0\.23<\/strong>[\s\S]*★/);
    expect(cell(html, EXAMPLE_MODELS.local, "heldoutMse")).not.toContain("★");
    // higher is better: mcc -> the local model
    expect(cell(html, EXAMPLE_MODELS.local, "mcc")).toMatch(/class="num best"[\s\S]*<strong>0\.9<\/strong>[\s\S]*★/);
    expect(cell(html, EXAMPLE_MODELS.global, "mcc")).not.toContain("★");
    expect(reportDirection("supportHamming")).toBe("lower");
    expect(reportDirection("withinClassJaccard")).toBe("higher");
  });

  /** The header cell of a metric column of the comparison table. */
  const header = (h: string, metric: string): string => {
    const m = h.match(new RegExp(`<th scope="col" title="${metric}:[^"]*">[\\s\\S]*?</th>`));
    if (!m) throw new Error(`no header ${metric}`);
    return m[0];
  };
  const train = { epochs: 1, steps: 1, msPerStep: 1, seconds: 1, peakRssMb: 1, backend: "cpu" };

  it("takes every direction from the metrics registry: each registered direction matches its higherIsBetter", () => {
    for (const info of Object.values(METRICS)) {
      const expected = info.higherIsBetter === undefined ? undefined : info.higherIsBetter ? "higher" : "lower";
      expect(reportDirection(info.name), info.name).toBe(expected);
    }
    // the registry's lower-is-better code metrics the report used to call higher-is-better
    for (const m of ["emptyCodeFraction", "modalActiveSetFraction", "betweenClassJaccard", "dciInformativeness", "hammingLoss"]) {
      expect(getMetric(m).higherIsBetter, m).toBe(false);
      expect(reportDirection(m), m).toBe("lower");
    }
    expect(reportDirection("ndcgAt100")).toBe("higher"); // a cut-off family
    expect(reportDirection("meanActiveSize")).toBeUndefined(); // no better end
    expect(reportDirection("someUnknownScore")).toBeUndefined(); // never a guessed "higher"
    expect(reportDirection("seconds")).toBe("lower"); // a run-cost column, not a metric
    expect(reportDirection("meanActiveSize", { meanActiveSize: "lower" })).toBe("lower"); // a caller's override
  });

  it("shows ↓ on a registry lower-is-better metric and stars its minimum", async () => {
    const rows: ResultRow[] = [
      { model: "a", data: "d", seed: 0, metrics: { emptyCodeFraction: 0.2, betweenClassJaccard: 0.3, dciInformativeness: 0.5 }, train, config: {} },
      { model: "b", data: "d", seed: 0, metrics: { emptyCodeFraction: 0.1, betweenClassJaccard: 0.4, dciInformativeness: 0.2 }, train, config: {} },
    ];
    const h = await renderReport({ rows, artifacts: [] } as never);
    for (const m of ["emptyCodeFraction", "betweenClassJaccard", "dciInformativeness"]) {
      expect(header(h, m), m).toContain('<span class="dir">↓</span>');
      expect(header(h, m), m).not.toContain("↑");
    }
    expect(cell(h, "b", "emptyCodeFraction")).toMatch(/class="num best"[\s\S]*★/);
    expect(cell(h, "a", "emptyCodeFraction")).not.toContain("★");
    expect(cell(h, "a", "betweenClassJaccard")).toMatch(/class="num best"[\s\S]*★/);
    expect(cell(h, "b", "betweenClassJaccard")).not.toContain("★");
    expect(cell(h, "b", "dciInformativeness")).toContain("★");
    expect(cell(h, "a", "dciInformativeness")).not.toContain("★");
  });

  it("gives an unknown metric and one with no better end neither an arrow nor a ★", async () => {
    const rows: ResultRow[] = [
      { model: "a", data: "d", seed: 0, metrics: { someUnknownScore: 1, meanActiveSize: 2, usedLatents: 5, mcc: 0.5 }, train, config: {} },
      { model: "b", data: "d", seed: 0, metrics: { someUnknownScore: 2, meanActiveSize: 4, usedLatents: 9, mcc: 0.7 }, train, config: {} },
    ];
    const h = await renderReport({ rows, artifacts: [] } as never);
    for (const m of ["someUnknownScore", "meanActiveSize", "usedLatents"]) {
      expect(header(h, m), m).not.toMatch(/[↑↓]/);
      expect(header(h, m), m).toContain("no better direction");
      for (const model of ["a", "b"]) expect(cell(h, model, m), `${model} ${m}`).not.toContain("★");
    }
    expect(header(h, "mcc")).toContain("↑"); // a directed column beside them still has its arrow and ★
    expect(cell(h, "b", "mcc")).toContain("★");
    // the box plots' panel titles follow the same rule
    const spec = metricBoxplotSpec(rows) as unknown as { concat?: Array<{ title: { text: string } }> };
    const titles = (spec.concat ?? []).map((p) => p.title.text);
    expect(titles).toContain("someUnknownScore");
    expect(titles).toContain("meanActiveSize");
    expect(titles).toContain("mcc ↑");
  });

  it("never gives a ★ to a model whose code is degenerate", async () => {
    // vsc collapsed (every active set empty): extreme code metrics and a high noisy dci16 / mcc
    const rows: ResultRow[] = [
      { model: "vsc", data: "d", seed: 0, metrics: { emptyCodeFraction: 1, modalActiveSetFraction: 1, distinctActiveSets: 1, meanActiveSize: 0, usedLatents: 0, dciDisentanglement16: 0.76, mig: 0.3, mcc: 0.9 }, train, config: {} },
      { model: "kSparse", data: "d", seed: 0, metrics: { emptyCodeFraction: 0, modalActiveSetFraction: 0.2, distinctActiveSets: 40, meanActiveSize: 5, usedLatents: 43, dciDisentanglement16: 0.4, mig: 0.1, mcc: 0.6 }, train, config: {} },
      { model: "sdlgm", data: "d", seed: 0, metrics: { emptyCodeFraction: 0.1, modalActiveSetFraction: 0.3, distinctActiveSets: 30, meanActiveSize: 3, usedLatents: 10, dciDisentanglement16: 0.5, mig: 0.2, mcc: 0.7 }, train, config: {} },
    ];
    const h = await renderReport({ rows, artifacts: [] } as never);
    for (const m of ["emptyCodeFraction", "modalActiveSetFraction", "dciDisentanglement16", "mig", "mcc"]) {
      expect(cell(h, "vsc", m), m).not.toContain("★");
      expect(cell(h, "vsc", m), m).not.toContain("best");
    }
    expect(cell(h, "kSparse", "emptyCodeFraction")).toContain("★"); // the best healthy code
    expect(cell(h, "sdlgm", "dciDisentanglement16")).toContain("★");
    expect(cell(h, "sdlgm", "mig")).toContain("★");
    expect(cell(h, "sdlgm", "mcc")).toContain("★");
    expect(h).toContain("Degenerate codes: vsc seed 0: code collapsed"); // no labels (no label metric in the row): nothing said of Jaccard scores
    // a mostly collapsed seed of a model also costs it the ★ (its cell's median includes that seed)
    const mixed: ResultRow[] = [
      { model: "x", data: "d", seed: 0, metrics: { mcc: 0.9, emptyCodeFraction: 0 }, train, config: {} },
      { model: "x", data: "d", seed: 1, metrics: { mcc: 0.9, emptyCodeFraction: 0.6 }, train, config: {} },
      { model: "y", data: "d", seed: 0, metrics: { mcc: 0.5, emptyCodeFraction: 0.1 }, train, config: {} },
    ];
    const hm = await renderReport({ rows: mixed, artifacts: [] } as never);
    expect(cell(hm, "x", "mcc")).not.toContain("★");
    expect(cell(hm, "y", "mcc")).toContain("★");
  });

  it("shows — for an absent metric, never 0", () => {
    expect(cell(html, EXAMPLE_MODELS.local, "supportF1")).toMatch(/>—<\/td>$/);
    expect(cell(html, EXAMPLE_MODELS.global, "withinClassJaccard")).toMatch(/>—<\/td>$/);
  });

  it("names rows whose binary code collapsed instead of leaving a blank", async () => {
    const rows: ResultRow[] = [
      { model: "vscClass", data: "synthetic:smiley", seed: 3, metrics: { elbo: -80, meanActiveSize: 0, emptyCodeFraction: 1, distinctActiveSets: 1, linearProbeAccuracy: 0.3 }, train: { epochs: 1, steps: 1, msPerStep: 1, seconds: 1, peakRssMb: 1, backend: "cpu" }, config: {} },
      { model: "vsc", data: "synthetic:smiley", seed: 0, metrics: { elbo: -70, meanActiveSize: 3, emptyCodeFraction: 0, distinctActiveSets: 9, withinClassJaccard: 0.8 }, train: { epochs: 1, steps: 1, msPerStep: 1, seconds: 1, peakRssMb: 1, backend: "cpu" }, config: {} },
    ];
    const h = await renderReport({ rows, artifacts: [] } as never);
    expect(h).toContain("Degenerate codes (Jaccard scores not reported): vscClass seed 3: code collapsed: every active set (γ &gt; 0.5) is empty.");
    expect(h).not.toContain("vsc seed 0: code");
  });

  it("says a mostly collapsed code keeps its Jaccard scores, flagged, apart from dropped ones", async () => {
    const train = { epochs: 1, steps: 1, msPerStep: 1, seconds: 1, peakRssMb: 1, backend: "cpu" };
    const rows: ResultRow[] = [
      { model: "vscClass", data: "synthetic:smiley", seed: 1, metrics: { elbo: -80, meanActiveSize: 0.5, emptyCodeFraction: 0.75, distinctActiveSets: 4, withinClassJaccard: 0.9 }, train, config: {} },
      { model: "vscClass", data: "synthetic:smiley", seed: 2, metrics: { elbo: -80, meanActiveSize: 3, emptyCodeFraction: 0, distinctActiveSets: 1, linearProbeAccuracy: 0.3 }, train, config: {} },
    ];
    const h = await renderReport({ rows, artifacts: [] } as never);
    expect(h).toContain("Degenerate codes (Jaccard scores not reported): vscClass seed 2: code not sample-specific: every point has the same 3 active units.");
    expect(h).toContain("Degenerate codes (Jaccard scores shown, but flagged): vscClass seed 1: code mostly collapsed: 75% of active sets");
    expect(h).not.toMatch(/not reported\): [^<]*seed 1/);
  });

  it("shows a local code's mean γ per named class beside its class × class Jaccard matrix", () => {
    const act = html.slice(html.indexOf('id="latent-activity"'));
    expect(act).toContain("class × class mean Jaccard of active sets");
    expect(act).toContain("latent activity γ");
    for (const name of ["trouser", "sneaker"]) expect(act).toContain(`>${name}<`);
    // the second panel is the class matrix, its cells keyed by class name on both axes
    const spec = activityHeatmapSpec({
      model: "m", data: "d", seed: 0, activity: [[0.1, 0.9], [0.8, 0.2]], activityBy: "class", activityRows: ["sandal", "sneaker"],
      classJaccard: [[0.7, 0.6], [0.6, 0.9]], classNames: ["sandal", "sneaker"],
    }) as unknown as { hconcat: Array<{ title: string }>; data: { values: Array<{ panel: string; row: string; col: string; value: number }> } };
    expect(spec.hconcat.map((u) => u.title)).toEqual(["latent activity γ", "class × class mean Jaccard of active sets"]);
    expect(spec.data.values.filter((v) => v.panel === "p1")).toContainEqual({ panel: "p1", row: "sandal", col: "sneaker", value: 0.6 });
    expect(spec.data.values.filter((v) => v.panel === "p0")).toContainEqual({ panel: "p0", row: "sneaker", col: "0", value: 0.8 });
  });

  it("shows how one run's codes track the true factors, codes named on the axis", () => {
    const sec = html.slice(html.indexOf('id="codes-vs-true-factors"'));
    expect(sec).toContain("|corr| true factor × code");
    expect(sec).toContain(">factor 1<");
    expect(sec).toContain(">z 1<");
    expect(html).toContain('href="#codes-vs-true-factors"'); // in the contents
  });

  it("shows a structured model's learned masks beside the true ones, views and groups named", async () => {
    const structureMasks = [
      { name: "Aout", learned: [[0.97, 0.9, 0.02], [0.95, 0.04, 0.88]], truth: [[1, 1, 0], [1, 0, 1]], trained: true, rowNames: ["x1", "x2"], colNames: ["s", "p1", "p2"], rowTitle: "view", colTitle: "latent group" },
      { name: "Ain", learned: [[1, 1], [1, 0], [0, 1]], trained: false, rowNames: ["s", "p1", "p2"], colNames: ["x1", "x2"], rowTitle: "latent group", colTitle: "view" },
    ];
    const spec = structureMaskHeatmapSpec({ model: "mibStructured", data: "synthetic:two-view", seed: 0, structureMasks }) as unknown as { hconcat: Array<{ title: string }>; data: { values: Array<{ panel: string; row: string; col: string; value: number }> } };
    expect(spec.hconcat.map((u) => u.title)).toEqual(["true Aout", "learned Aout (inclusion probability)", "Ain (fixed)"]);
    expect(spec.data.values).toContainEqual({ panel: "p1", row: "x2", col: "p2", value: 0.88 });
    const train = { epochs: 1, steps: 1, msPerStep: 1, seconds: 1, peakRssMb: 1, backend: "cpu" };
    const h = await renderReport({ rows: [{ model: "mibStructured", data: "synthetic:two-view", seed: 0, metrics: { edgeF1: 1 }, train, config: {} }], artifacts: [{ model: "mibStructured", data: "synthetic:two-view", seed: 0, structureMasks }] } as never);
    const sec = h.slice(h.indexOf('id="structure-masks-vs-truth"'));
    expect(sec).toContain("learned Aout (inclusion probability)");
    expect(sec).toContain(">p2<");
    expect(h).toContain('href="#structure-masks-vs-truth"');
  });

  it("has one inline SVG per plot", () => {
    // 1 boxplot figure (1 data source) + 2 training-curve figures + 1 mask heatmap + 1 activity + 1 factor |corr| + 2 graphs
    expect(html.match(/<svg/g)?.length).toBe(8);
    expect(html.match(/<figure class="plot"><svg/g)?.length).toBe(6);
    expect(html.match(/<figure class="graph"><svg/g)?.length).toBe(2);
    expect(html).not.toContain('class="error"');
    // the representative seed is stated: median heldoutMse of 0.21, 0.25, 0.23 is seed 2
    expect(html).toContain("seed 2, the median-heldoutMse seed");
  });

  it("is self-contained", () => {
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/<link\b/i);
    expect(html).not.toMatch(/@import|url\(\s*["']?(?!#)/i);
    expect(html).not.toContain("<!DOCTYPE svg");
    const urls = html.match(/(https?:)?\/\/[a-z0-9.-]+\.[a-z]{2,}[^\s"'<>)]*/gi) ?? [];
    for (const u of urls) expect(u.startsWith("http://www.w3.org/")).toBe(true);
    expect(html).not.toMatch(/https:/);
  });

  it("escapes text", () => {
    expect(EXAMPLE_MODELS.local).toContain("<");
    expect(html).not.toContain(EXAMPLE_MODELS.local);
    expect(html).toContain(escapeHtml(EXAMPLE_MODELS.local));
    expect(html).not.toContain(EXAMPLE_DATA); // `&` escaped
    expect(html).toContain("synthetic:moran?n=400&amp;features=12");
  });

  it("keeps SVG ids unique across plots", () => {
    const ids = [...html.matchAll(/\sid="([^"]+)"/g)].map((m) => m[1]);
    expect(new Set(ids).size).toBe(ids.length);
  });
});

describe("resultsCsv", () => {
  it("flattens rows and quotes per RFC 4180", () => {
    const { rows } = exampleReportInput();
    const csv = resultsCsv(rows);
    const table = parseCsv(csv);
    const header = table[0];
    expect(header.slice(0, 3)).toEqual(["model", "data", "seed"]);
    expect(header).toContain("heldoutMse");
    expect(header).toContain("supportF1");
    expect(header).toEqual(expect.arrayContaining(["train_epochs", "train_steps", "train_msPerStep", "train_seconds", "train_peakRssMb", "train_backend", "config"]));
    expect(header.indexOf("heldoutMse")).toBeLessThan(header.indexOf("mcc"));
    expect(table.length).toBe(rows.length + 1);
    const col = (name: string) => header.indexOf(name);
    const local = table.find((r) => r[0] === EXAMPLE_MODELS.local && r[2] === "1")!;
    expect(Number(local[col("heldoutMse")])).toBe(0.35);
    expect(local[col("supportF1")]).toBe(""); // absent stays empty
    expect(local[col("train_backend")]).toBe("cpu");
    expect(JSON.parse(local[col("config")])).toEqual(rows.find((r) => r.model === EXAMPLE_MODELS.local && r.seed === 1)!.config);
    // the config JSON has commas and quotes: it is quoted, quotes doubled
    expect(csv).toContain('"{""latents"":6,""lr"":0.01,""note"":""quoted \\""field\\"", with comma""}"');
    expect(csv.split("\r\n")[0]).toBe(header.join(","));
  });
});

describe("helpers", () => {
  it("summarizes with IQR from 4 seeds, min-max below", () => {
    expect(summarize([3, 1, 2])).toEqual({ n: 3, median: 2, lo: 1, hi: 3, spread: "range" });
    expect(summarize([1, 2, 3, 4, 100])).toMatchObject({ median: 3, lo: 2, hi: 4, spread: "iqr" });
    expect(summarize([NaN])).toBeUndefined();
    expect(formatNumber(0.123456)).toBe("0.1235");
    expect(formatNumber(3)).toBe("3");
    expect(formatNumber(1.5e-5)).toBe("1.50e-5");
  });

  it("sanitises embedded SVG and prefixes ids", () => {
    const s = inlineSvg(
      '<?xml version="1.0"?><!DOCTYPE svg><svg onload="x()"><defs><clipPath id="c1"/></defs><g clip-path="url(#c1)"><a xlink:href="http://evil/"><use href="#c1"/></a></g><script>x()</script></svg>',
      "p",
    );
    expect(s).toBe('<svg><defs><clipPath id="p-c1"/></defs><g clip-path="url(#p-c1)"><a><use href="#p-c1"/></a></g></svg>');
  });

  it("renders an empty comparison without failing", async () => {
    const html = await renderReport({ title: "empty", generatedAt: "now", rows: [] as ResultRow[], artifacts: [], graphs: {}, data: [], config: {} });
    expect(html).toContain("No results.");
  });
});

describe("recipeOf (each model's recipe line)", () => {
  it("names what decides a row's numbers beside the run: inference at evaluation, the mask's start and rate", () => {
    const line = recipeOf({ likelihood: "gaussian", refine: false, maskInit: "nmf", maskLearningRate: 0.002, hidden: 50, epochs: 3 });
    expect(line).toBe("likelihood gaussian, refine false, maskInit nmf, maskLearningRate 0.002, epochs 3"); // architecture (hidden) left to results.json
    expect(recipeOf({ refine: true })).not.toBe(recipeOf({ refine: false }));
    expect(recipeOf({ hidden: 50 })).toBe("not recorded");
  });
});

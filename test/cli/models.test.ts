// `sdgm models`: the zoo's entries and each one's options with their defaults, read from the entries
// themselves (so the listing is what `--set` accepts), as text and JSON.
import { describe, it, expect } from "vitest";
import { execFileSync } from "node:child_process";
import { zoo, entryOptions } from "@sparse-dgm/zoo";
import { describeModel, formatModel, formatModelList } from "../../packages/cli/src/models.js";

describe("sdgm models", () => {
  it("lists every option --set accepts, with the entry's default or unset, in the refusal's order", () => {
    for (const entry of Object.values(zoo)) {
      const d = describeModel(entry);
      expect(d.options.map((o) => o.name)).toEqual(entryOptions(entry));
      for (const o of d.options) expect(o.default).toEqual((entry.defaults as Record<string, unknown>)[o.name]);
    }
    const sdlgm = describeModel(zoo.sdlgm);
    expect(sdlgm.options.find((o) => o.name === "maxActive")).toEqual({ name: "maxActive", default: 5 });
    expect("default" in sdlgm.options.find((o) => o.name === "fixedLevel")!).toBe(false);
  });

  it("prints one line per entry, and one model's options, training and the likelihood rule", () => {
    const list = formatModelList(Object.values(zoo)).split("\n");
    for (const name of Object.keys(zoo)) expect(list.some((l) => l.startsWith(name + " "))).toBe(true);
    const text = formatModel(describeModel(zoo.sdlgm));
    expect(text).toMatch(/^sdlgm: /);
    expect(text).toContain("  training: 50 epochs, batch 128, learning rate 0.003, normalisation elbo");
    expect(text).toMatch(/\n {4}maxActive +5\n/);
    expect(text).toMatch(/\n {4}hidden +\[512,256\]\n/);
    expect(text).toMatch(/\n {4}fixedLevel +\(no fixed default: unset, or set from the data or other options\)/);
    expect(text).toContain("--data <source> [--set k=v ...]` prints the config as built");
  });

  it("runs from the command line, as text and JSON, and names the zoo on an unknown model", () => {
    const bin = "packages/cli/bin/sdgm.js";
    const json = JSON.parse(execFileSync("node", [bin, "models", "vsc", "--json"], { encoding: "utf8" }));
    expect(json.name).toBe("vsc");
    expect(json.options.map((o: { name: string }) => o.name)).toEqual(entryOptions(zoo.vsc));
    // resolved on data: the defaults that follow the data's kind (binary data: a Bernoulli likelihood, no refine) are what the build gives
    const built = JSON.parse(execFileSync("node", [bin, "models", "sdlgm", "--json", "--data", "synthetic:smiley?n=60", "--set", "latents=7"], { encoding: "utf8" }));
    expect(built.resolved.source).toBe("synthetic:smiley?n=60");
    expect(built.resolved.config).toMatchObject({ latents: 7, likelihood: "bernoulli", refine: false });
    let err = "";
    try {
      execFileSync("node", [bin, "models", "vcsClass"], { encoding: "utf8", stdio: "pipe" });
    } catch (e) {
      err = String((e as { stderr: string }).stderr);
    }
    expect(err).toContain('models: unknown model "vcsClass" (did you mean vscClass?); the zoo holds sparseVae');
  });
});

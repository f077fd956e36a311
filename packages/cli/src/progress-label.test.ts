// Progress-bar labels: a source too long for the 28 characters is visibly cut (new-user review 4,
// finding 9: "kSparse sparse-linear?n=1 s0" for n=1000 read as another data size).
import { describe, it, expect } from "vitest";
import { label } from "./compare.js";

describe("progress labels", () => {
  it("keep a label that fits, and end a cut one in …", () => {
    expect(label({ entry: { model: "vsc", data: "synthetic:smiley" }, seeds: [0] })).toBe("vsc smiley s0".padEnd(28));
    const cut = label({ entry: { model: "kSparse", data: "synthetic:sparse-linear?n=1000" }, seeds: [0] });
    expect(cut).toBe("kSparse sparse-linear?n=… s0");
    expect(cut).toHaveLength(28);
    expect(label({ entry: { model: "sdlgm", data: "synthetic:sparse-linear?n=1000" }, seeds: [0, 1, 2, 3, 4], fold: 2 })).toBe("sdlgm sparse-linear… f2 s0-4");
  });
});

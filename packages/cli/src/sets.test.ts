// `--set`: values typed (numbers, booleans, JSON schedules), keys for every model or scoped to one.
import { describe, it, expect } from "vitest";
import { parseSets, modelConfigs } from "./main.js";

describe("--set", () => {
  it("types values: numbers, booleans, JSON (schedules), strings", () => {
    expect(parseSets(["latents=40", "straightThrough=true", "likelihood=gaussianHeads", 'sharpness={"kind":"linear","from":50,"to":200,"steps":100}'])).toEqual({
      latents: 40,
      straightThrough: true,
      likelihood: "gaussianHeads",
      sharpness: { kind: "linear", from: 50, to: 200, steps: 100 },
    });
    expect(() => parseSets(["latents"])).toThrow('--set expects key=value, got "latents"');
    expect(() => parseSets(["sharpness={kind:1}"])).toThrow(/--set sharpness: the value starts like JSON but does not parse/);
  });
  it("model.key=value applies to that model only and wins over the unscoped key", () => {
    expect(modelConfigs(["vsc", "vscClass"], ["latents=40", "classWeight=1", "vscClass.classWeight=10", "vsc.spikeHead=sigmoid"])).toEqual({
      vsc: { latents: 40, classWeight: 1, spikeHead: "sigmoid" },
      vscClass: { latents: 40, classWeight: 10 },
    });
    expect(modelConfigs(["vae"], undefined)).toEqual({ vae: {} });
  });
  it("refuses a scope that names none of the models", () => {
    expect(() => modelConfigs(["vsc", "vscClass"], ["vscclass.classWeight=10"])).toThrow('--set vscclass.classWeight: "vscclass" is not one of the models (vsc, vscClass)');
    expect(() => modelConfigs(["vsc"], ["vsc.=1"])).toThrow("--set vsc.: expected vsc.<key>=<value>");
  });
});

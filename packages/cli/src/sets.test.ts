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
    expect(modelConfigs(["vsc", "vscClass"], ["latents=40", "classWeight=1", "vscClass.classWeight=10", "vsc.spikeHead=sigmoid", "inclusionInit=0.5"])).toEqual({
      vsc: { latents: 40, spikeHead: "sigmoid", inclusionInit: 0.5 }, // vsc has no classWeight: the unscoped key skips it
      vscClass: { latents: 40, classWeight: 10, inclusionInit: 0.5 },
    });
    // an unscoped key goes to the models that have it
    expect(modelConfigs(["vae", "vsc"], ["latents=40", "factors=8"])).toEqual({ vae: { factors: 8 }, vsc: { latents: 40 } });
    // mibStructured takes views for data that does not define them
    expect(modelConfigs(["mibStructured"], ["groups=[[0,1],[2,3]]"])).toEqual({ mibStructured: { groups: [[0, 1], [2, 3]] } });
    expect(modelConfigs(["vae"], undefined)).toEqual({ vae: {} });
  });
  it("refuses a scope that names none of the models", () => {
    expect(() => modelConfigs(["vsc", "vscClass"], ["vscclass.classWeight=10"])).toThrow('--set vscclass.classWeight: "vscclass" is not one of the models (vsc, vscClass)');
    expect(() => modelConfigs(["vsc"], ["vsc.=1"])).toThrow("--set vsc.: expected vsc.<key>=<value>");
  });
  it("refuses a key no model has, with the closest option and the list (a typo is never ignored)", () => {
    expect(() => modelConfigs(["vscClass"], ["classWieght=10"])).toThrow(
      '--set classWieght: vscClass has no option "classWieght"',
    );
    expect(() => modelConfigs(["vscClass"], ["classWieght=10"])).toThrow(/vscClass has no option "classWieght" \(did you mean classWeight\?\); the options are latents, hidden, .*classWeight.*, inclusionInit, warmupStartSteps, warmupEndSteps, klWarmupSteps, classWarmupSteps$/);
    expect(() => modelConfigs(["vsc", "vscClass"], ["vscClass.clasWeight=10"])).toThrow('--set vscClass.clasWeight: vscClass has no option "clasWeight" (did you mean classWeight?)');
    expect(() => modelConfigs(["vae", "sdlgm"], ["nosuchoption=3"])).toThrow(/^--set nosuchoption: none of vae, sdlgm has an option "nosuchoption"; the options are vae: factors, .*; sdlgm: latents, /);
  });
});

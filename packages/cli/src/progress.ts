/** Progress bars for the command line (cli-progress), quiet when stderr is not a terminal. */
import cliProgress from "cli-progress";

/** A bar with epoch, loss, ms/step and ETA. */
export function progressBar(title: string, total: number) {
  const bar = new cliProgress.SingleBar(
    {
      format: `${title} [{bar}] epoch {value}/{total} | loss {loss} | {ms} ms/step | ETA {eta_formatted}`,
      hideCursor: true,
      stream: process.stderr,
      noTTYOutput: false,
      etaBuffer: 20,
    },
    cliProgress.Presets.shades_classic,
  );
  bar.start(total, 0, { loss: "-", ms: "-" });
  return bar;
}

// Child process of chart-file-later.ts: reads `{spec, path}` as JSON from stdin, writes the chart, prints its path.
import { readFileSync } from "node:fs";
import { writeChart } from "./write-chart.js";

async function main(): Promise<void> {
  const { spec, path } = JSON.parse(readFileSync(0, "utf8")) as { spec: Parameters<typeof writeChart>[0]; path: string };
  const file = await writeChart(spec, path);
  console.log(`tslab-fit: chart written to ${file}`);
}

main().catch((error) => {
  console.error(`tslab-fit: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});

import type { Logs } from "./logs.js";

/** Sample-weighted running means of per-batch values, as Keras's metrics accumulate over an epoch. */
export class RunningMean {
  private sums: number[] = [];
  private count = 0;

  constructor(private readonly names: string[]) {
    this.sums = names.map(() => 0);
  }

  add(values: number[], samples: number): void {
    for (let i = 0; i < this.sums.length; i++) this.sums[i] += values[i] * samples;
    this.count += samples;
  }

  get seen(): number {
    return this.count;
  }

  means(prefix = ""): Logs {
    const logs: Logs = {};
    this.names.forEach((name, i) => (logs[prefix + name] = this.count === 0 ? NaN : this.sums[i] / this.count));
    return logs;
  }
}

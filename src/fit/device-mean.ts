import * as tf from "@tensorflow/tfjs";
import { ACCUMULATE } from "../kernels/wasm/accumulate.js";
import { fusedFitKernelsEnabled } from "./fused-loss.js";
import type { Logs } from "./logs.js";

/** Whether the one-kernel accumulation (src/kernels/wasm/accumulate.ts) applies: float32 scalars on wasm. */
function onWasm(values: tf.Scalar[]): boolean {
  return (
    fusedFitKernelsEnabled() &&
    tf.getBackend() === "wasm" &&
    values.length > 0 &&
    values.every((v) => v.dtype === "float32" && v.size === 1) &&
    tf.getKernel(ACCUMULATE, "wasm") !== undefined
  );
}

/** sums + values · samples in one kernel (the same float32 roundings as the generic path). */
function accumulateOnWasm(sums: tf.Tensor1D | undefined, values: tf.Scalar[], samples: number): tf.Tensor1D {
  const inputs: Record<string, tf.Tensor> = Object.fromEntries(values.map((v, i) => [`v${i}`, v]));
  if (sums) inputs.sums = sums;
  const attrs = { count: values.length, samples };
  return tf.engine().runKernel(ACCUMULATE, inputs as tf.NamedTensorMap, attrs as unknown as tf.NamedAttrMap) as tf.Tensor1D;
}

const lazyLogs = new WeakSet<Logs>();

/** Whether `logs` is a batch logs object of `DeviceMean` (values read on first access: do not spread it). */
export function isLazyLogs(logs: Logs): boolean {
  return lazyLogs.has(logs);
}

/**
 * Sample-weighted running means of per-batch values (Keras's epoch metrics), accumulated where the values are: on
 * the backend, in float32 as Keras's `Mean` metrics and tfjs's own logger do. Nothing is read back per batch unless
 * someone reads it: on webgl or a GPU a read is a device sync, and the progress bar wants a few per second at most.
 *
 * `batchLogs()` hands out a logs object whose values are read on first access (one read for all keys), and always
 * show the running means as of that batch, even when read later. `epochLogs()` ends the epoch: it reads the final
 * means and fills every batch logs object nobody read yet in one more read, then frees the tensors.
 */
export class DeviceMean {
  private sums: tf.Tensor1D | undefined;
  private count = 0;
  /** Per handed-out batch logs: the running sums at that batch, and who to fill when they are read. */
  private pending: { sums: tf.Tensor1D; count: number; fill: (values: Float32Array | number[]) => void }[] = [];
  /** Every sums tensor still alive (the current one and those of handed-out batch logs). */
  private readonly alive = new Set<tf.Tensor1D>();

  constructor(private readonly names: string[]) {}

  /** Adds one batch's scalars (disposed here) weighted by its sample count. */
  add(values: tf.Scalar[], samples: number): void {
    const next = onWasm(values) ? accumulateOnWasm(this.sums, values, samples) : tf.tidy(() => {
      const batch = tf.stack(values).cast("float32").mul(samples) as tf.Tensor1D;
      return this.sums ? (this.sums.add(batch) as tf.Tensor1D) : batch;
    });
    tf.dispose(values);
    if (this.sums && !this.pending.some((p) => p.sums === this.sums)) this.free(this.sums);
    this.sums = next;
    this.alive.add(next);
    this.count += samples;
  }

  /** The running means as of now, read lazily (see the class comment). */
  batchLogs(): Logs {
    if (!this.sums) return {};
    const entry = { sums: this.sums, count: this.count, fill: (_: Float32Array | number[]) => {} };
    this.pending.push(entry);
    let values: number[] | undefined;
    const read = (): number[] => {
      if (!values) {
        const sums = entry.sums.isDisposed ? undefined : (entry.sums.dataSync() as Float32Array);
        if (sums) entry.fill(sums);
      }
      return values ?? this.names.map(() => NaN);
    };
    entry.fill = (sums) => {
      values = this.names.map((_, i) => sums[i] / entry.count);
      this.pending = this.pending.filter((p) => p !== entry);
      if (entry.sums !== this.sums && !this.pending.some((p) => p.sums === entry.sums)) this.free(entry.sums);
    };
    const logs: Logs = {};
    lazyLogs.add(logs);
    this.names.forEach((name, i) =>
      Object.defineProperty(logs, name, {
        enumerable: true,
        configurable: true,
        get: () => read()[i],
        // A callback may overwrite a key, as with a plain object.
        set: (v: number) => Object.defineProperty(logs, name, { value: v, enumerable: true, configurable: true, writable: true }),
      }),
    );
    return logs;
  }

  /** Ends the epoch: the final means (one read), every unread batch logs filled, every tensor freed. */
  async epochLogs(): Promise<Logs> {
    const unread = this.pending.filter((p) => p.sums !== this.sums);
    const all = [...new Set([...unread.map((p) => p.sums), ...(this.sums ? [this.sums] : [])])];
    let data: Float32Array = new Float32Array(0);
    if (all.length > 0) {
      const packed = tf.concat(all);
      data = (await packed.data()) as Float32Array;
      packed.dispose();
    }
    const k = this.names.length;
    const at = (t: tf.Tensor1D) => data.subarray(all.indexOf(t) * k, all.indexOf(t) * k + k);
    for (const p of [...this.pending]) p.fill(at(p.sums));
    const final = this.sums ? at(this.sums) : undefined;
    const logs: Logs = {};
    this.names.forEach((name, i) => (logs[name] = final && this.count > 0 ? final[i] / this.count : NaN));
    this.dispose();
    return logs;
  }

  private free(t: tf.Tensor1D): void {
    t.dispose();
    this.alive.delete(t);
  }

  /** Frees the tensors without reading (after an interrupt or error). */
  dispose(): void {
    for (const t of this.alive) t.dispose();
    this.alive.clear();
    this.sums = undefined;
    this.pending = [];
    this.count = 0;
  }
}

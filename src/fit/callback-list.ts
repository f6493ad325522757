import type * as tf from "@tensorflow/tfjs";
import { Callback, type CallbackConfig, type TrainingEvent } from "./callback.js";
import { CallbackError } from "./callback-error.js";
import { copyLogs, type FitParams, type Logs, type PredictLogs } from "./logs.js";
import { isLazyLogs } from "./device-mean.js";

/** Wraps a plain `{ onEpochEnd… }` object (tfjs style, including tfjs's `onBatchEnd` names) as a Callback. */
class ConfigCallback extends Callback {
  constructor(c: CallbackConfig) {
    super();
    const bind = <K extends keyof CallbackConfig>(k: K) => (typeof c[k] === "function" ? (c[k] as Function).bind(c) : undefined);
    const hooks: Partial<Record<keyof Callback, unknown>> = {
      onTrainBegin: bind("onTrainBegin"),
      onTrainEnd: bind("onTrainEnd"),
      onEpochBegin: bind("onEpochBegin"),
      onEpochEnd: bind("onEpochEnd"),
      onTrainBatchBegin: bind("onTrainBatchBegin") ?? bind("onBatchBegin"),
      onTrainBatchEnd: bind("onTrainBatchEnd") ?? bind("onBatchEnd"),
      onTestBegin: bind("onTestBegin"),
      onTestEnd: bind("onTestEnd"),
      onTestBatchBegin: bind("onTestBatchBegin"),
      onTestBatchEnd: bind("onTestBatchEnd"),
      onPredictBegin: bind("onPredictBegin"),
      onPredictEnd: bind("onPredictEnd"),
      onPredictBatchBegin: bind("onPredictBatchBegin"),
      onPredictBatchEnd: bind("onPredictBatchEnd"),
      onTrainFailure: bind("onTrainFailure"),
    };
    // Only the hooks the object has become own properties; the rest stay the base class's no-ops.
    for (const [name, fn] of Object.entries(hooks)) if (fn) Object.defineProperty(this, name, { value: fn });
  }
}

type BatchHook = "onTrainBatchBegin" | "onTrainBatchEnd" | "onTestBatchBegin" | "onTestBatchEnd" | "onPredictBatchBegin";

function isCallbackLike(c: unknown): c is Callback {
  // A Callback from another copy of this library fails `instanceof`; recognise it by shape.
  return c instanceof Callback || (typeof c === "object" && c !== null && typeof (c as Callback).setParams === "function"
    && typeof (c as Callback).setModel === "function" && typeof (c as Callback).onTrainBatchEnd === "function");
}

/**
 * Runs each hook over the callbacks in list order, awaiting each one. As in Keras, one logs object is handed down
 * the list, so keys a callback adds (e.g. `learning_rate`) reach later ones — History and the progress bar come
 * last. It is a copy: the caller's object is never touched.
 */
export class CallbackList {
  readonly callbacks: Callback[];
  readonly events: TrainingEvent[] = [];
  private readonly begun = new Set<Callback>();
  private readonly ended = new Set<Callback>();
  /** Per batch hook, only the callbacks that override it: the per-batch path stays cheap. */
  private readonly batchListeners: Record<BatchHook, Callback[]>;
  /** How errors name each callback: its class, with its list position when the class appears twice. */
  private readonly labels: Map<Callback, string>;
  private readonly predictBatchEndListeners: Callback[];

  constructor(callbacks: Array<Callback | CallbackConfig>) {
    this.callbacks = callbacks.map((c, i) => {
      if (isCallbackLike(c)) return c;
      if (typeof c === "object" && c !== null) return new ConfigCallback(c);
      throw new TypeError(`callbacks[${i}] must be a Callback instance or an object of hook functions, got ${typeof c}`);
    });
    callbacks.forEach((c, i) => {
      const first = callbacks.indexOf(c);
      if (first !== i) {
        throw new Error(`callbacks[${i}] is the same ${isCallbackLike(c) ? c.constructor.name : "callback object"} instance as callbacks[${first}]: pass each callback once (a second one would act twice per hook)`);
      }
    });
    this.labels = callbackLabels(this.callbacks);
    const overriding = (hook: BatchHook) =>
      this.callbacks.filter((c) => (c as unknown as Record<string, unknown>)[hook] !== Callback.prototype[hook]);
    this.batchListeners = {
      onTrainBatchBegin: overriding("onTrainBatchBegin"),
      onTrainBatchEnd: overriding("onTrainBatchEnd"),
      onTestBatchBegin: overriding("onTestBatchBegin"),
      onTestBatchEnd: overriding("onTestBatchEnd"),
      onPredictBatchBegin: overriding("onPredictBatchBegin"),
    };
    this.predictBatchEndListeners = this.callbacks.filter((c) => c.onPredictBatchEnd !== Callback.prototype.onPredictBatchEnd);
  }

  setModel(model: tf.LayersModel): void {
    for (const c of this.callbacks) c.setModel(model);
  }

  setParams(params: FitParams): void {
    this.events.length = 0;
    for (const c of this.callbacks) {
      c.setParams(params);
      c.events = this.events;
    }
  }

  /** True when some callback overrides `onTrainBatchEnd`; otherwise fit hands out no batch logs at all. */
  get listensToTrainBatchEnd(): boolean {
    return this.batchListeners.onTrainBatchEnd.length > 0;
  }

  /** True when some callback listens to per-batch test hooks; otherwise validation runs in one call. */
  get wantsTestBatchLogs(): boolean {
    return this.batchListeners.onTestBatchEnd.length > 0 || this.batchListeners.onTestBatchBegin.length > 0;
  }

  async onTrainBegin(logs: Logs = {}): Promise<void> {
    this.begun.clear();
    this.ended.clear();
    await this.run("onTrainBegin", (c, l) => (this.begun.add(c), c.onTrainBegin(l)), logs);
  }
  async onTrainEnd(logs: Logs = {}): Promise<void> {
    await this.run("onTrainEnd", async (c, l) => {
      await c.onTrainEnd(l);
      this.ended.add(c);
    }, logs);
  }
  async onEpochBegin(epoch: number, logs: Logs = {}): Promise<void> {
    await this.run("onEpochBegin", (c, l) => c.onEpochBegin(epoch, l), logs);
  }
  /** Returns the logs with what callbacks added (e.g. `learning_rate`), for `onTrainEnd` and History. */
  async onEpochEnd(epoch: number, logs: Logs): Promise<Logs> {
    return this.run("onEpochEnd", (c, l) => c.onEpochEnd(epoch, l), logs);
  }
  async onTrainBatchBegin(batch: number, logs: Logs = {}): Promise<void> {
    await this.runBatch("onTrainBatchBegin", batch, logs);
  }
  async onTrainBatchEnd(batch: number, logs: Logs): Promise<void> {
    await this.runBatch("onTrainBatchEnd", batch, logs);
  }
  async onTestBegin(logs: Logs = {}): Promise<void> {
    await this.run("onTestBegin", (c, l) => c.onTestBegin(l), logs);
  }
  async onTestEnd(logs: Logs): Promise<void> {
    await this.run("onTestEnd", (c, l) => c.onTestEnd(l), logs);
  }
  async onTestBatchBegin(batch: number, logs: Logs = {}): Promise<void> {
    await this.runBatch("onTestBatchBegin", batch, logs);
  }
  async onTestBatchEnd(batch: number, logs: Logs): Promise<void> {
    await this.runBatch("onTestBatchEnd", batch, logs);
  }

  async onPredictBegin(logs: Logs = {}): Promise<void> {
    await this.run("onPredictBegin", (c, l) => c.onPredictBegin(l), logs);
  }
  async onPredictEnd(logs: Logs = {}): Promise<void> {
    await this.run("onPredictEnd", (c, l) => c.onPredictEnd(l), logs);
  }
  async onPredictBatchBegin(batch: number, logs: Logs = {}): Promise<void> {
    await this.runBatch("onPredictBatchBegin", batch, logs);
  }
  /** The outputs are handed over as they are (tensors, not copied). */
  async onPredictBatchEnd(batch: number, logs: PredictLogs): Promise<void> {
    for (const c of this.predictBatchEndListeners) {
      try {
        await c.onPredictBatchEnd(batch, { ...logs });
      } catch (error) {
        throw new CallbackError(this.labels.get(c)!, "onPredictBatchEnd", error);
      }
    }
  }

  /**
   * After an error: `onTrainFailure` for each callback whose `onTrainBegin` ran and whose `onTrainEnd` did not
   * (so nothing is closed twice or opened after the fact). All of them run even if one throws; the training error
   * is what `fit` reports.
   */
  async onTrainFailure(error: unknown): Promise<void> {
    for (const c of this.callbacks) {
      if (!this.begun.has(c) || this.ended.has(c)) continue;
      try {
        await c.onTrainFailure(error);
      } catch (cleanupError) {
        console.warn(`tslab-fit: ${this.labels.get(c)}.onTrainFailure failed: ${String(cleanupError)}`);
      }
    }
  }

  private async run(name: string, hook: (c: Callback, logs: Logs) => unknown, logs: Logs): Promise<Logs> {
    const shared = copyLogs(logs);
    for (const c of this.callbacks) {
      try {
        await hook(c, shared);
      } catch (error) {
        throw new CallbackError(this.labels.get(c)!, name, error);
      }
    }
    return shared;
  }

  private async runBatch(name: BatchHook, batch: number, logs: Logs): Promise<void> {
    const listeners = this.batchListeners[name];
    if (listeners.length === 0) return;
    // fit's train batch logs are a fresh object per batch whose values are read on first use: spreading it would
    // read them for every batch, so hand it down as it is.
    const shared = isLazyLogs(logs) ? logs : copyLogs(logs);
    for (const c of listeners) {
      try {
        await c[name](batch, shared);
      } catch (error) {
        throw new CallbackError(this.labels.get(c)!, name, error);
      }
    }
  }
}

function callbackLabels(callbacks: Callback[]): Map<Callback, string> {
  const className = (c: Callback) => c.constructor?.name || "callback";
  const counts = new Map<string, number>();
  for (const c of callbacks) counts.set(className(c), (counts.get(className(c)) ?? 0) + 1);
  return new Map(
    callbacks.map((c, i) => {
      if (c instanceof ConfigCallback) return [c, `callbacks[${i}] (a plain object)`];
      return [c, counts.get(className(c))! > 1 ? `${className(c)} (callbacks[${i}])` : className(c)];
    }),
  );
}

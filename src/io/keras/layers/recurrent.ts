import type * as tf from "@tensorflow/tfjs";
import "../../../layers/gru-reset-after.js";
import { isObject, type JsonObject } from "../json.js";
import { layerKeys } from "../snake.js";
import { activationToKeras3, activationToTfjs, objectsToKeras3, objectsToTfjs, pick, refuse, tuple } from "./common.js";
import { ownVariables, type LayerMapping, type VarsGroup } from "./registry.js";
import { regularizerToKeras3 } from "../objects.js";

/** SimpleRNN, LSTM, GRU: Keras saves an empty `vars` for the layer and the weights under its `cell/`. */

/** The `name` Keras gives each RNN class's cell (the `name` attribute of `cell/vars`). */
export const RNN_CELL_NAMES: Record<string, string> = {
  SimpleRNN: "simple_rnn_cell",
  LSTM: "lstm_cell",
  GRU: "gru_cell",
  GRUResetAfter: "gru_cell",
  ConvLSTM2D: "conv_lstm_cell",
};

/** The groups of an RNN layer placed at `base`: an empty `vars` and the cell's variables. */
export function rnnGroups(layer: tf.layers.Layer, base: string): VarsGroup[] {
  const cell = (layer as unknown as { cell: tf.layers.Layer }).cell;
  return [
    { path: `${base}/vars`, name: layer.name, vars: [] },
    { path: `${base}/cell/vars`, name: RNN_CELL_NAMES[layer.getClassName()] ?? cell.name, vars: ownVariables(cell) },
  ];
}

const rnnCommon = ["units", "use_bias", "dropout", "recurrent_dropout", "return_sequences", "return_state", "go_backwards", "stateful", "unroll"];

type Kind = "SimpleRNN" | "LSTM" | "GRU";

const readRnn = (kind: Kind) => (c: JsonObject, w: string, warn: (m: string) => void): JsonObject => {
  const out: JsonObject = {
    ...pick(c, rnnCommon),
    activation: activationToTfjs(c.activation ?? "tanh", w, warn),
    ...objectsToTfjs(c, w, ["kernel", "recurrent", "bias"]),
  };
  if (kind !== "SimpleRNN") out.recurrent_activation = activationToTfjs(c.recurrent_activation ?? "sigmoid", w, warn);
  if (kind === "LSTM") out.unit_forget_bias = c.unit_forget_bias ?? true;
  // Keras's default reset_after=True GRU is rebuilt as GRUResetAfter (see readGruClass).
  if (kind === "GRU") out.reset_after = c.reset_after !== false;
  return out;
};

/** Keys every Keras 3 RNN layer writes before its cell's keys. */
function rnnBase(c: JsonObject): JsonObject {
  return {
    return_sequences: c.return_sequences ?? false,
    return_state: c.return_state ?? false,
    go_backwards: c.go_backwards ?? false,
    stateful: c.stateful ?? false,
    unroll: c.unroll ?? false,
    zero_output_for_mask: false,
  };
}

function rnnWeights(c: JsonObject, w: string): JsonObject {
  const { kernel_constraint, recurrent_constraint, bias_constraint, ...rest } = objectsToKeras3(c, w, ["kernel", "recurrent", "bias"]);
  return {
    use_bias: c.use_bias ?? true,
    ...rest,
    activity_regularizer: regularizerToKeras3(c.activity_regularizer, w),
    kernel_constraint,
    recurrent_constraint,
    bias_constraint,
    dropout: c.dropout ?? 0,
    recurrent_dropout: c.recurrent_dropout ?? 0,
  };
}

const writeSimpleRnn = (c: JsonObject, w: string): JsonObject => ({
  ...rnnBase(c),
  units: c.units,
  activation: activationToKeras3(c.activation ?? "tanh", w),
  ...rnnWeights(c, w),
});

const writeLstm = (c: JsonObject, w: string): JsonObject => ({
  ...rnnBase(c),
  units: c.units,
  activation: activationToKeras3(c.activation ?? "tanh", w),
  recurrent_activation: activationToKeras3(c.recurrent_activation ?? "hard_sigmoid", w),
  // tfjs treats a missing unit_forget_bias as false; it only affects initialization.
  unit_forget_bias: c.unit_forget_bias === true,
  ...rnnWeights(c, w),
  seed: null,
});

const writeGru = (c: JsonObject, w: string): JsonObject => ({
  ...rnnBase(c),
  units: c.units,
  activation: activationToKeras3(c.activation ?? "tanh", w),
  recurrent_activation: activationToKeras3(c.recurrent_activation ?? "hard_sigmoid", w),
  ...rnnWeights(c, w),
  // tfjs GRUs are always the reset_before variant (bias shape (3u,)); Keras 3 defaults to reset_after.
  reset_after: false,
  seed: null,
});

/** Keras's GRU is tslab-fit's GRUResetAfter unless `reset_after` is false (missing means true, Keras 3's default). */
const readGruClass = (c: JsonObject): string => (c.reset_after === false ? "GRU" : "GRUResetAfter");

/** GRUResetAfter: the same keys as Keras's GRU with `reset_after: true` (bias shape (2, 3u)). */
const writeGruResetAfter = (c: JsonObject, w: string): JsonObject => ({ ...writeGru(c, w), reset_after: true });

/** ConvLSTM2D: the LSTM gates (i, f, c, o) as convolutions; kernels (kh, kw, in, 4f) and (kh, kw, f, 4f) in both. */
const readConvLstm = (c: JsonObject, w: string, warn: (m: string) => void): JsonObject => ({
  ...readRnn("LSTM")(c, w, warn),
  ...pick(c, ["filters", "kernel_size", "strides", "padding", "data_format", "dilation_rate"]),
});

const writeConvLstm = (c: JsonObject, w: string): JsonObject => {
  const { kernel_constraint, recurrent_constraint, bias_constraint, ...initsAndRegs } = objectsToKeras3(c, w, ["kernel", "recurrent", "bias"]);
  const { kernel_initializer, recurrent_initializer, bias_initializer, ...regs } = initsAndRegs;
  return {
    ...rnnBase(c),
    filters: c.filters,
    kernel_size: tuple(c.kernel_size, 2, w, "kernel_size"),
    strides: tuple(c.strides ?? 1, 2, w, "strides"),
    padding: c.padding ?? "valid",
    data_format: c.data_format ?? "channels_last",
    dilation_rate: tuple(c.dilation_rate ?? 1, 2, w, "dilation_rate"),
    activation: activationToKeras3(c.activation ?? "tanh", w),
    recurrent_activation: activationToKeras3(c.recurrent_activation ?? "hard_sigmoid", w),
    use_bias: c.use_bias ?? true,
    kernel_initializer,
    recurrent_initializer,
    bias_initializer,
    unit_forget_bias: c.unit_forget_bias === true,
    ...regs,
    activity_regularizer: regularizerToKeras3(c.activity_regularizer, w),
    kernel_constraint,
    recurrent_constraint,
    bias_constraint,
    dropout: c.dropout ?? 0,
    recurrent_dropout: c.recurrent_dropout ?? 0,
    seed: null,
  };
};

/** Cell configs: the RNN layer's keys without the sequence options. */
const readCell = (kind: Kind) => (c: JsonObject, w: string, warn: (m: string) => void): JsonObject => {
  // A bare GRUCell inside RNN has no reset_after counterpart in tfjs (GRUResetAfter is a whole layer).
  if (kind === "GRU") refuse(c, w, { reset_after: (v) => v !== false });
  const { return_sequences: _a, return_state: _b, go_backwards: _c, stateful: _d, unroll: _e, ...cell } = readRnn(kind)(c, w, warn);
  if (kind === "GRU") cell.reset_after = false;
  return cell;
};

const SEQUENCE_KEYS = ["return_sequences", "return_state", "go_backwards", "stateful", "unroll", "zero_output_for_mask"];

const writeCell = (write: (c: JsonObject, w: string) => JsonObject) => (c: JsonObject, w: string): JsonObject => {
  const out = write(c, w);
  for (const k of [...SEQUENCE_KEYS, "activity_regularizer"]) delete out[k];
  return out;
};

type WithCell = { cell: tf.layers.Layer };
type WithCells = { cells: tf.layers.Layer[] };

/** The generic RNN(cell): Keras saves the cell's variables under `cell/`, a StackedRNNCells' under `cell/cells/<key>`. */
const GENERIC_RNN: LayerMapping[] = [
  {
    keras: "RNN",
    tfjs: "RNN",
    read: (c, w, _warn, nested) => {
      if (!isObject(c.cell)) throw new Error(`${w}: its "cell" is not a serialized cell`);
      return { ...pick(c, ["return_sequences", "return_state", "go_backwards", "stateful", "unroll"]), cell: nested.toTfjs(c.cell) };
    },
    write: (c, w, layer, nested) => {
      if (!isObject(c.cell)) throw new Error(`${w}: tfjs wrote no cell config`);
      return { ...rnnBase(c), cell: nested.toKeras((layer as unknown as WithCell).cell, c.cell.config as JsonObject) };
    },
    groups: (layer, base, child) => [{ path: `${base}/vars`, name: layer.name, vars: [] }, ...child((layer as unknown as WithCell).cell, `${base}/cell`)],
  },
  {
    keras: "StackedRNNCells",
    tfjs: "StackedRNNCells",
    read: (c, w, _warn, nested) => {
      if (!Array.isArray(c.cells)) throw new Error(`${w}: its "cells" is not a list`);
      return { cells: c.cells.map((cell) => nested.toTfjs(cell as JsonObject)) };
    },
    write: (c, w, layer, nested) => {
      const cells = (layer as unknown as WithCells).cells;
      const configs = c.cells as JsonObject[];
      return { cells: cells.map((cell, i) => nested.toKeras(cell, configs[i].config as JsonObject)) };
    },
    groups: (layer, base, child) => {
      const cells = (layer as unknown as WithCells).cells;
      const keys = layerKeys(cells.map((cell) => cell.getClassName()));
      return [{ path: `${base}/vars`, name: layer.name, vars: [] }, ...cells.flatMap((cell, i) => child(cell, `${base}/cells/${keys[i]}`))];
    },
  },
  { keras: "SimpleRNNCell", tfjs: "SimpleRNNCell", read: readCell("SimpleRNN"), write: writeCell(writeSimpleRnn), note: "inside RNN or StackedRNNCells" },
  { keras: "LSTMCell", tfjs: "LSTMCell", read: readCell("LSTM"), write: writeCell(writeLstm), note: "inside RNN or StackedRNNCells" },
  { keras: "GRUCell", tfjs: "GRUCell", read: readCell("GRU"), write: writeCell(writeGru), note: "inside RNN or StackedRNNCells; reset_after=False only" },
];

export const RECURRENT_LAYERS: LayerMapping[] = [
  ...GENERIC_RNN,
  { keras: "SimpleRNN", tfjs: "SimpleRNN", read: readRnn("SimpleRNN"), write: writeSimpleRnn, groups: rnnGroups },
  { keras: "LSTM", tfjs: "LSTM", read: readRnn("LSTM"), write: writeLstm, groups: rnnGroups },
  {
    keras: "GRU",
    tfjs: "GRU",
    read: readRnn("GRU"),
    readClass: readGruClass,
    write: writeGru,
    groups: rnnGroups,
    note: "reset_after=False (tfjs's GRU); Keras's default reset_after=True loads as GRUResetAfter",
  },
  {
    keras: "GRU",
    tfjs: "GRUResetAfter",
    write: writeGruResetAfter,
    groups: rnnGroups,
    note: "tslab-fit's own layer, Keras's default reset_after=True GRU: a Keras GRU with reset_after=True (or none) loads as it",
  },
  { keras: "ConvLSTM2D", tfjs: "ConvLSTM2D", read: readConvLstm, write: writeConvLstm, groups: rnnGroups },
];

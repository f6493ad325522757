// The Keras MNIST walkthrough in plain Node (npm run demo): train, log to TensorBoard, keep the best model as a
// .keras file, plot accuracy vs val_accuracy, and load the best model back.
import * as tf from "@tensorflow/tfjs";
import {
  fit, loadMnist, useBestBackend, EarlyStopping, ModelCheckpoint, TensorBoard, loadKeras,
} from "../dist/index.js";

await useBestBackend();
const { x, y } = loadMnist({ flatten: true, normalize: true });
console.log(`MNIST: ${x.shape[0]} real digits, ${x.shape[1]} pixels each`);

const model = tf.sequential({
  layers: [
    tf.layers.dense({ units: 64, activation: "relu", inputShape: [784] }),
    tf.layers.dense({ units: 10, activation: "softmax" }),
  ],
});
model.compile({ optimizer: "adam", loss: "sparseCategoricalCrossentropy", metrics: ["accuracy"] });

const logDir = `logs/fit/${new Date().toISOString().replace(/[-:]/g, "").replace("T", "-").slice(0, 15)}`;
const history = await fit(model, x, y, {
  epochs: 10,
  batchSize: 32,
  validationSplit: 0.2,
  callbacks: [
    new TensorBoard({ logDir, histogramFreq: 1 }),
    new EarlyStopping({ monitor: "val_loss", patience: 3, verbose: 1 }),
    new ModelCheckpoint({ filepath: "models/best_model.keras", monitor: "val_loss", saveBestOnly: true, verbose: 1 }),
  ],
});

const best = history.history.val_loss.indexOf(Math.min(...history.history.val_loss));
console.log(`\nTrained ${history.epoch.length} epochs; best val_loss at epoch ${best + 1}: ` +
  `val_accuracy ${history.history.val_accuracy[best].toFixed(4)}`);
await history.plot({ metrics: ["accuracy"], path: "plots/accuracy.png" });

// The best checkpoint is a Keras 3 archive: Python's keras.saving.load_model reads it too.
const restored = await loadKeras("models/best_model.keras");
const [loss, accuracy] = restored.evaluate(x.slice(8000), y.slice(8000).cast("float32")).map((t) => t.dataSync()[0]);
console.log(`Reloaded models/best_model.keras: val_loss ${loss.toFixed(4)}, val_accuracy ${accuracy.toFixed(4)}`);
console.log(`TensorBoard logs: ${logDir}  (view with: tensorboard --logdir logs/fit)`);

// The Keras MNIST walkthrough in plain Node: npm run demo
import * as tf from "@tensorflow/tfjs";
import { fit, loadMnist, useBestBackend, EarlyStopping, ModelCheckpoint } from "../dist/index.js";

await useBestBackend();
const { x, y } = loadMnist({ flatten: true, normalize: true });
console.log(`MNIST: ${x.shape[0]} real digits, images ${x.shape.slice(1)}, labels ${y.shape}`);

const model = tf.sequential({
  layers: [
    tf.layers.dense({ units: 64, activation: "relu", inputShape: [784] }),
    tf.layers.dense({ units: 10, activation: "softmax" }),
  ],
});
model.compile({ optimizer: "adam", loss: "sparseCategoricalCrossentropy", metrics: ["accuracy"] });

const checkpoint = new ModelCheckpoint({ filepath: "models/best_model", monitor: "val_loss", saveBestOnly: true, verbose: 1 });
const history = await fit(model, x, y, {
  epochs: 10,
  batchSize: 32,
  validationSplit: 0.2,
  callbacks: [new EarlyStopping({ monitor: "val_loss", patience: 3, verbose: 1 }), checkpoint],
});

const acc = history.history.val_accuracy;
console.log(`\nTrained ${history.epoch.length} epochs; best val_accuracy ${Math.max(...acc).toFixed(4)}`);
console.log(`Best model (lowest val_loss): ${checkpoint.saved.at(-1)} (load with tf.loadLayersModel("file://${checkpoint.saved.at(-1)}/model.json"))`);

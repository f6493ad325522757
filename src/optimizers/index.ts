// Optimizers with Keras's update rules where tfjs's differ.
export { KerasAdadelta, kerasAdadelta } from "./keras-adadelta.js";
export { AdamW } from "./adamw.js";

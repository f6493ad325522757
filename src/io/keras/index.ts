// Keras 3 `.keras` files: config conversion, archive writing and reading.
export { keras3ModelConfig } from "./config.js";
export { toSnakeCase, layerKeys } from "./snake.js";

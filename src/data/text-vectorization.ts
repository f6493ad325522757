import * as tf from "@tensorflow/tfjs";

/** Keras's default `standardize`: lower case, then drop ASCII punctuation. */
export function lowerAndStripPunctuation(text: string): string {
  return text.toLowerCase().replace(/[!"#$%&()*+,\-./:;<=>?@[\\\]^_`{|}~']/g, "");
}

export interface TextVectorizationOptions {
  /** Vocabulary size, counting the padding (index 0) and "[UNK]" (index 1) entries, as in Keras. Default 10000. */
  maxTokens?: number;
  /** Every text becomes this many token ids: padded with 0 at the end, or cut. Default 32. */
  outputSequenceLength?: number;
  /** Text clean-up before splitting on whitespace. Default: lower case and strip punctuation (Keras's default). */
  standardize?: (text: string) => string;
}

/**
 * Turns texts into padded sequences of integer token ids for an Embedding layer, as Keras's TextVectorization
 * layer does with `output_mode="int"`: `adapt` builds the vocabulary (most frequent first, ties alphabetically),
 * index 0 is padding and index 1 stands for any word not in the vocabulary.
 *
 * @example
 * const vectorize = new TextVectorization({ maxTokens: 5000, outputSequenceLength: 20 });
 * vectorize.adapt(trainTexts);
 * const x = vectorize.apply(trainTexts);   // int32 [n, 20]
 */
export class TextVectorization {
  readonly maxTokens: number;
  readonly outputSequenceLength: number;
  readonly standardize: (text: string) => string;
  private vocabulary: string[] = [];
  private index = new Map<string, number>();

  constructor(options: TextVectorizationOptions = {}) {
    this.maxTokens = options.maxTokens ?? 10000;
    if (!Number.isInteger(this.maxTokens) || this.maxTokens < 3) throw new Error(`maxTokens must be a whole number >= 3, got ${String(options.maxTokens)}`);
    this.outputSequenceLength = options.outputSequenceLength ?? 32;
    if (!Number.isInteger(this.outputSequenceLength) || this.outputSequenceLength < 1) {
      throw new Error(`outputSequenceLength must be a whole number >= 1, got ${String(options.outputSequenceLength)}`);
    }
    if (options.standardize !== undefined && typeof options.standardize !== "function") {
      throw new Error("standardize must be a function from text to text");
    }
    this.standardize = options.standardize ?? lowerAndStripPunctuation;
  }

  /** The words of one text, after standardization. */
  tokenize(text: string): string[] {
    return this.standardize(text).split(/\s+/).filter(Boolean);
  }

  /** Builds the vocabulary from these texts (replacing any earlier one). */
  adapt(texts: string[]): this {
    checkTexts(texts, "adapt");
    const counts = new Map<string, number>();
    for (const t of texts) for (const w of this.tokenize(t)) counts.set(w, (counts.get(w) ?? 0) + 1);
    const words = [...counts.keys()].sort((a, b) => counts.get(b)! - counts.get(a)! || (a < b ? -1 : a > b ? 1 : 0));
    this.vocabulary = ["", "[UNK]", ...words.slice(0, this.maxTokens - 2)];
    this.index = new Map(this.vocabulary.map((w, i) => [w, i]));
    return this;
  }

  /** The vocabulary, index by index: "" (padding), "[UNK]", then the words. */
  getVocabulary(): string[] {
    return [...this.vocabulary];
  }

  /** Token ids of each text as an int32 tensor [texts.length, outputSequenceLength]. */
  apply(texts: string[]): tf.Tensor2D {
    checkTexts(texts, "apply");
    if (this.vocabulary.length === 0) throw new Error("TextVectorization: call adapt(texts) before apply");
    const n = this.outputSequenceLength;
    const ids = new Int32Array(texts.length * n);
    texts.forEach((t, row) => {
      this.tokenize(t)
        .slice(0, n)
        .forEach((w, k) => (ids[row * n + k] = this.index.get(w) ?? 1));
    });
    return tf.tensor2d(ids, [texts.length, n], "int32");
  }
}

function checkTexts(texts: unknown, method: string): asserts texts is string[] {
  if (!Array.isArray(texts) || !texts.every((t) => typeof t === "string")) {
    throw new Error(`TextVectorization.${method}: texts must be an array of strings`);
  }
}

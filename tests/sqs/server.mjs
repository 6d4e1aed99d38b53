// Starts fauxqs, the SQS-protocol server the SQS connector tests run against (scripts/lib/sqs.sh starts this file).
// It listens on 127.0.0.1 on the port of FAUXQS_PORT (0: any free port) and prints "listening <port>" once it accepts
// requests. State is kept in memory. fauxqs's optional SQLite persistence imports node:sqlite, which Node.js before 22.5
// lacks, so there that one import is answered by a stand-in that refuses to be used (persistence is never switched on).
import { register } from "node:module";

const [major, minor] = process.versions.node.split(".").map(Number);
if (major < 22 || (major === 22 && minor < 5)) {
  register("./sqlite-stand-in.mjs", import.meta.url);
}

const { buildApp } = await import("fauxqs");
const app = buildApp({ logger: false });
const address = await app.listen({ port: Number(process.env.FAUXQS_PORT ?? "0"), host: "127.0.0.1" });
console.log(`listening ${new URL(address).port}`);

const stop = async () => {
  await app.close();
  process.exit(0);
};
process.on("SIGTERM", stop);
process.on("SIGINT", stop);

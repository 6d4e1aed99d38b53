// Module resolution hook (see server.mjs): answers "node:sqlite" with a module whose DatabaseSync refuses to be constructed.
const standIn = "data:text/javascript,export class DatabaseSync { constructor() { throw new Error('node:sqlite needs Node.js 22.5 or later'); } }";

export async function resolve(specifier, context, nextResolve) {
  if (specifier === "node:sqlite") {
    return { url: standIn, shortCircuit: true };
  }
  return nextResolve(specifier, context);
}

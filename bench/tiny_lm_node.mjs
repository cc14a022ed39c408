// Runs Python read from stdin in Pyodide under Node, with the built llmviz wheel
// installed the way the page's worker installs it (unpackArchive).
//
//   node tiny_lm_node.mjs <pyodide dir> <wheel file> < script.py

import { readFile } from "node:fs/promises";
import path from "node:path";
import { pathToFileURL } from "node:url";

const [pyodideDir, wheelPath] = process.argv.slice(2);
const chunks = [];
for await (const c of process.stdin) chunks.push(c);
const code = Buffer.concat(chunks).toString("utf8");

const { loadPyodide } = await import(pathToFileURL(path.join(pyodideDir, "pyodide.mjs")).href);
const py = await loadPyodide({ indexURL: pyodideDir + path.sep });
const file = await readFile(wheelPath);
py.unpackArchive(new Uint8Array(file.buffer, file.byteOffset, file.byteLength), "wheel");
py.setStdout({ batched: (s) => process.stdout.write(s + "\n") });
py.runPython(code);

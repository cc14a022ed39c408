// Runs one Python snippet in Pyodide under Node with the built llmviz wheel
// installed (as the page's worker installs it) and prints what it returns.
//
//   node draws_in_pyodide.mjs <pyodide dir> <wheel file> <python source file>

import { readFile } from "node:fs/promises";
import path from "node:path";
import { pathToFileURL } from "node:url";

const [pyodideDir, wheelPath, sourcePath] = process.argv.slice(2);
const { loadPyodide } = await import(pathToFileURL(path.join(pyodideDir, "pyodide.mjs")).href);
const py = await loadPyodide({ indexURL: pyodideDir + path.sep });
const file = await readFile(wheelPath);
py.unpackArchive(new Uint8Array(file.buffer, file.byteOffset, file.byteLength), "wheel");
console.log(py.runPython(await readFile(sourcePath, "utf8")));

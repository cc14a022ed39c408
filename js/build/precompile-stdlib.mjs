// Rewrites Pyodide's standard library so the modules the book imports are
// bytecode. Pyodide ships the library as Python source, so every boot would
// compile the ~150 modules it imports (asyncio, typing, inspect, dataclasses…)
// inside WebAssembly: most of a cold start. This boots Pyodide once under
// Node, runs what the book runs (llmviz.bridge, every mode in every view),
// and writes a zip where exactly the modules that were imported are
// unchecked-hash .pyc files (Python loads them without reading any source)
// and every other module stays source, so nothing is lost and the download
// grows only by the difference between those modules' bytecode and source.
//
// Usage: node precompile-stdlib.mjs <pyodide dir> <llmviz wheel> <output zip>
// stdout: JSON {"modules": <count precompiled>, "bytes": <output size>}
// The output is deterministic: source order, source timestamps, fixed compression.
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";

const [pyodideDir, wheelPath, outPath] = process.argv.slice(2);
const { loadPyodide } = await import(pathToFileURL(path.join(pyodideDir, "pyodide.mjs")).href);
const py = await loadPyodide({ indexURL: pyodideDir + path.sep, stdout: () => {}, stderr: () => {} });
py.unpackArchive(new Uint8Array(readFileSync(wheelPath)), "wheel");
py.FS.writeFile("/tmp/stdlib-in.zip", new Uint8Array(readFileSync(path.join(pyodideDir, "python_stdlib.zip"))));

const summary = py.runPython(`
import importlib.util, json, sys, zipfile
from importlib._bootstrap_external import _code_to_hash_pyc

# What the book runs: the bridge, then every mode in every view, a few frames each.
from llmviz import bridge, registry
for mode_id in registry.mode_ids():
    bridge.open_mode(mode_id)
    views = list(json.loads(bridge.describe(mode_id)).get("submodes", {})) or [""]
    for view in views:
        if view:
            bridge.select(view, "{}")
        for t in (0.0, 1.0, 5.0):
            bridge.frame(t)

prefix = sys.modules["json"].__file__.rsplit("json/", 1)[0]      # the mounted stdlib zip
hot = {m.__file__[len(prefix):] for m in list(sys.modules.values())
       if (getattr(m, "__file__", None) or "").startswith(prefix) and m.__file__.endswith(".py")}

n = 0
with zipfile.ZipFile("/tmp/stdlib-in.zip") as src, \\
        zipfile.ZipFile("/tmp/stdlib-out.zip", "w", zipfile.ZIP_DEFLATED, compresslevel=6) as out:
    for info in src.infolist():
        data = src.read(info)
        name = info.filename
        if name in hot:
            code = compile(data, name, "exec", dont_inherit=True)
            data = bytes(_code_to_hash_pyc(code, importlib.util.source_hash(data), checked=False))
            name += "c"
            n += 1
        entry = zipfile.ZipInfo(name, date_time=info.date_time)
        entry.external_attr = info.external_attr
        entry.compress_type = zipfile.ZIP_DEFLATED if not name.endswith("/") else zipfile.ZIP_STORED
        out.writestr(entry, data)
json.dumps({"modules": n})
`);
const bytes = py.FS.readFile("/tmp/stdlib-out.zip");
writeFileSync(outPath, bytes);
process.stdout.write(JSON.stringify({ ...JSON.parse(summary), bytes: bytes.byteLength }));

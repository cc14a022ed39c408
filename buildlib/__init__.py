"""Build-time Python for the LLM Systems Textbook: chapter sources → the static site.

``build.py`` is the command line; :func:`buildlib.site.build_site` does the
work. The pieces, one job each:

- :mod:`~buildlib.project`   where the inputs live (repo root, chapters, node_modules)
- :mod:`~buildlib.sources`   reading front matter and the parts list
- :mod:`~buildlib.markdown`  the Markdown dialect (roles, directives, math placeholders)
- :mod:`~buildlib.vis`       checking ``{vis}`` targets against a mode's declaration
- :mod:`~buildlib.katex`     pre-rendering all math in one Node process
- :mod:`~buildlib.chapters`  one chapter source → its ``<article>`` fragment
- :mod:`~buildlib.appendices` the generated appendices A–F
- :mod:`~buildlib.book`      compiling every source into the in-memory book
- :mod:`~buildlib.htmltree`  reading built HTML back (tests, the word count)
- :mod:`~buildlib.wheel`     the ``llmviz`` wheel, written deterministically
- :mod:`~buildlib.assets`    Pyodide, KaTeX CSS and fonts, the engine, the palette
- :mod:`~buildlib.service_worker`  ``sw.js`` with its versioned precache list
- :mod:`~buildlib.csp`       the shell's Content Security Policy, inline scripts by hash
- :mod:`~buildlib.site`      writing ``dist/`` atomically
- :mod:`~buildlib.serve`     a local static server with the right MIME types
"""
from .errors import BuildError
from .project import Project

__all__ = ["BuildError", "Project"]

"""llmviz: the simulations, calculators and catalog of the LLM Systems Textbook.

Pure Python with no runtime dependencies, so the same code runs in CPython
(tests) and in Pyodide inside the reader's browser.
"""
__version__ = "0.1.0"

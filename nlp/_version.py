"""The package version, in a leaf module so that any module can read it without importing the
package's `__init__` (which offers `nlp.load`, and so reaches the whole pipeline)."""

__version__ = "0.1.0"

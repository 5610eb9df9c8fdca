"""Wirehouse: news documents in, a DuckDB warehouse of articles, entities and quotes out.

The one import package of the distribution. Its subpackages live in the project's
top-level folders and are mapped here at install time (pyproject.toml `package-dir`):

- `wirehouse.flows` (flows/): the Prefect flow, its tasks, the `wirehouse` command, settings
- `wirehouse.transforms` (transforms/): pure logic and the spaCy components
- `wirehouse.warehouse` (warehouse/): DuckDB schema, SQL, the writer, doctor, export, report
- `wirehouse.expectations` (expectations/): Great Expectations suites and the audit
- `wirehouse.evaluation` (evaluation/): scorers against annotated corpora
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("wirehouse")
except PackageNotFoundError:  # imported from a source tree that was never installed
    __version__ = "0+unknown"

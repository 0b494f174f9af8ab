"""Every ```pycon block of README.md and docs/**/*.md runs, and prints what it shows.

The blocks of one page share a namespace and run in order, in a temporary folder
(snippets may write files), with doctest's ELLIPSIS and NORMALIZE_WHITESPACE.
"""

import doctest
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]
PAGES = [p for p in PAGES if "_build" not in p.parts and "auto_examples" not in p.parts]
FLAGS = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE
FENCE = re.compile(r"^```pycon[ \t]*\n(.*?)^```", flags=re.DOTALL | re.MULTILINE)


def pycon_blocks(text):
    """The text of each ```pycon fence, with the line it starts on."""
    return [(m.group(1), text.count("\n", 0, m.start()) + 2) for m in FENCE.finditer(text)]


def _ids(path):
    return str(path.relative_to(ROOT))


@pytest.mark.parametrize("path", [p for p in PAGES if pycon_blocks(p.read_text())], ids=_ids)
def test_page_examples(path, tmp_path, monkeypatch):
    # Setup: a scratch working folder and one namespace for the whole page
    monkeypatch.chdir(tmp_path)
    parser = doctest.DocTestParser()
    runner = doctest.DocTestRunner(optionflags=FLAGS)
    globs = {"__name__": "__main__"}
    name = _ids(path)
    # Run: each block as a doctest, in page order
    for text, line in pycon_blocks(path.read_text()):
        test = parser.get_doctest(text, globs, f"{name}:{line}", str(path), line - 1)
        runner.run(test, clear_globs=False)
        globs = test.globs  # a DocTest works on a copy: hand the names on to the next block
    # Assert: every example printed what the page shows
    result = runner.summarize(verbose=False)
    assert result.failed == 0, f"{result.failed} of {result.attempted} examples in {name} failed"


def test_pages_have_no_untested_python_blocks():
    # Assert: code for users is written as doctest blocks, so that its output is checked
    for path in PAGES:
        assert "```python" not in path.read_text(), f"{_ids(path)}: use ```pycon doctest blocks"


@pytest.mark.parametrize("module", ["imblearn_gan", "imblearn_gan.pipeline",
                                    "imblearn_gan.calibration", "imblearn_gan.metrics",
                                    "imblearn_gan.datasets", "imblearn_gan.bench",
                                    "imblearn_gan.plotting", "imblearn_gan.exceptions"])
def test_api_reference_lists_every_public_name(module):
    # Setup: the public classes and functions of the module (constants are described in text)
    import importlib
    import inspect

    mod = importlib.import_module(module)
    public = [name for name in mod.__all__
              if inspect.isclass(getattr(mod, name)) or inspect.isfunction(getattr(mod, name))]
    # Run
    api = (ROOT / "docs" / "api.rst").read_text()
    # Assert: each one has an autosummary line (its own API page)
    missing = [name for name in public if not re.search(rf"^   {name}$", api, flags=re.MULTILINE)]
    assert not missing, f"docs/api.rst does not list {module}.{missing}"


def test_finds_blocks():
    # Setup
    text = "a\n```pycon\n>>> 1 + 1\n2\n```\nb\n```bash\nls\n```\n"
    # Run
    blocks = pycon_blocks(text)
    # Assert
    assert blocks == [(">>> 1 + 1\n2\n", 3)]

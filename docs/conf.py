"""Sphinx configuration of the imblearn-gan documentation.

Build (offline; runs the example gallery)::

    python -m sphinx -W --keep-going -b html docs docs/_build/html

Add ``-D plot_gallery=0`` to skip running the examples.
"""

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # the package of this checkout, also when not installed

import imblearn_gan

# -- project -----------------------------------------------------------------
project = "imblearn-gan"
author = "imblearn-gan developers"
copyright = "imblearn-gan developers"
release = imblearn_gan.__version__
version = ".".join(release.split(".")[:2])

# -- extensions ----------------------------------------------------------------
extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "sphinx.ext.viewcode",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
    "myst_parser",
]

source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
root_doc = "index"
templates_path = ["_templates"]
exclude_patterns = ["_build", "Thumbs.db", ".DS_Store", "auto_examples/*.ipynb",
                    "auto_examples/*.py", "auto_examples/*.zip", "**/*.md5",
                    "auto_examples/*.pickle", "auto_examples/*.codeobj.json"]

# MyST: ```pycon blocks are doctests (tests/test_docs.py runs them); headings get anchors
myst_enable_extensions = ["colon_fence", "dollarmath"]
myst_heading_anchors = 3

# -- API pages -----------------------------------------------------------------
autosummary_generate = True
autosummary_imported_members = True
autodoc_typehints = "none"
numpydoc_show_class_members = False  # the class template lists the methods itself
numpydoc_class_members_toctree = False
numpydoc_xref_param_type = False

# -- gallery -----------------------------------------------------------------
sphinx_gallery_conf = {
    "examples_dirs": "../examples",
    "gallery_dirs": "auto_examples",
    "filename_pattern": r"/plot_",  # run every example
    "image_scrapers": ("matplotlib",),
    "matplotlib_animations": False,
    "within_subsection_order": "FileNameSortKey",
    "download_all_examples": False,
    "remove_config_comments": True,
    "show_memory": False,
    "min_reported_time": 0,
    "abort_on_example_error": False,
    "doc_module": ("imblearn_gan",),
    "backreferences_dir": "generated/backreferences",
    "reference_url": {},  # offline: no links to other projects' docs
    "first_notebook_cell": None,
}
# examples run torch on one thread each (the samplers' default) and never see a GPU
os.environ.setdefault("CUDA_VISIBLE_DEVICES", "")

# -- HTML ----------------------------------------------------------------------
html_theme = "pydata_sphinx_theme"
html_title = f"imblearn-gan {release}"
html_static_path = []  # no static files of our own
html_show_sourcelink = False
html_theme_options = {
    "navigation_with_keys": False,
    "show_prev_next": True,
    "secondary_sidebar_items": ["page-toc"],
    "navbar_end": ["navbar-icon-links"],
    "footer_start": ["copyright"],
    "footer_end": ["sphinx-version"],
    "check_switcher": False,
}
html_sidebars = {"index": [], "getting_started": [], "which_resampler": [],
                 "performance": []}
# offline: no intersphinx inventories are fetched

"""Helpers shared by the benchmark scripts in this folder (not a package).

The scripts run as ``python benchmarks/<name>.py``; Python then puts this
folder on ``sys.path``, so ``from _common import ...`` finds this file.
"""

import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path

RESULTS_DIR = Path(__file__).resolve().parent / "results"


def versions():
    """Versions of Python and of every library a benchmark may touch."""
    import imblearn
    import sklearn
    import torch

    import imblearn_gan

    found = {
        "python": platform.python_version(),
        "torch": torch.__version__,
        "sklearn": sklearn.__version__,
        "imblearn": imblearn.__version__,
        "imblearn_gan": imblearn_gan.__version__,
    }
    for name in ("ctgan", "numpy", "pandas", "matplotlib"):
        try:
            module = __import__(name)
            found[name] = getattr(module, "__version__", "unknown")
        except ImportError:
            found[name] = None
    return found


def machine():
    """What the numbers were measured on."""
    import torch

    return {
        "platform": platform.platform(),
        "processor": platform.processor() or platform.machine(),
        "cpu_count": os.cpu_count(),
        "torch_default_threads": torch.get_num_threads(),
        "load_average_at_start": _load_average(),
        "argv": sys.argv,
        "started": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }


def _load_average():
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except (AttributeError, OSError):  # not on every platform
        return None


def load_average():
    """1, 5 and 15-minute load averages (None where the OS has none)."""
    return _load_average()


def timed(fn, *args, **kwargs):
    """Run ``fn`` once; return ``(seconds, result)``."""
    start = time.perf_counter()
    result = fn(*args, **kwargs)
    return time.perf_counter() - start, result


def median(values):
    return statistics.median(values)


def markdown_table(header, rows):
    """A GitHub markdown table; floats keep 3 significant digits."""

    def cell(value):
        if isinstance(value, float):
            return f"{value:.3g}" if abs(value) < 1000 else f"{value:,.0f}"
        return "" if value is None else str(value)

    lines = ["| " + " | ".join(header) + " |",
             "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in rows]
    return "\n".join(lines)


def write_json(payload, path):
    """Write ``payload`` (with versions and machine added) to ``path``."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = {"versions": versions(), "machine": payload.pop("machine"), **payload}
    payload["machine"]["finished"] = time.strftime("%Y-%m-%dT%H:%M:%S%z")
    payload["machine"]["load_average_at_end"] = _load_average()
    path.write_text(json.dumps(payload, indent=2, default=_jsonable) + "\n")
    return path


def _jsonable(value):
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    if hasattr(value, "tolist"):
        return value.tolist()
    return str(value)

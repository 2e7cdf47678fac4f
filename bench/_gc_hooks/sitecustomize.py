"""Loaded by every Python process the pipeline bench starts when it runs with ``--log-gc`` (this
directory is put first on their ``PYTHONPATH``): logs each garbage collection of 2 ms or more.

One file per process, ``<dir>/py.<pid>``: a first line ``# <argv>``, then ``<wall time> <generation>
<milliseconds>`` per collection. Nothing else is changed in the process (``bench/_gclog.py`` is
loaded from its file; ``sys.path`` is left as it was).
"""

import os

_DIR = os.environ.get("FUGITIVE_ALERTS_BENCH_GC_LOG")
if _DIR:
    import importlib.util

    _spec = importlib.util.spec_from_file_location(
        "_fugitive_alerts_bench_gclog", os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "_gclog.py"))
    if _spec is not None and _spec.loader is not None:
        _module = importlib.util.module_from_spec(_spec)
        _spec.loader.exec_module(_module)
        _module.install(_DIR)

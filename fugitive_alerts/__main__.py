"""``python -m fugitive_alerts`` is the ``fugitive-alerts`` command."""

from .cli import main

main()

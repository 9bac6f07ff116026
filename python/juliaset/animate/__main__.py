"""``python -m juliaset.animate``: the ``juliaset-animate`` command."""

from .cli import main

raise SystemExit(main())

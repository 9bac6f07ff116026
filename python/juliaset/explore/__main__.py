"""``python -m juliaset.explore``: the same as ``juliaset-explore``."""

import sys

from .command import main

sys.exit(main())

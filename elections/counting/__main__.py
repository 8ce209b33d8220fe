"""``python -m elections.counting FILE --method ... --seats N``: see ``cli.py``."""

import sys

from .cli import main

sys.exit(main())

"""`python -m printers printer emulate|agent ...`."""

import sys

from .cli import main

sys.exit(main())

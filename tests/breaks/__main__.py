"""`python -m tests.breaks`: see `tests.breaks.planting`."""

import sys

from tests.breaks.planting import main

sys.exit(main())

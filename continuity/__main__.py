"""`python -m continuity` is the `continuity` command."""

import sys

from continuity.cli.main import main

sys.exit(main())

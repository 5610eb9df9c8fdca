"""`python -m wirehouse`: the `wirehouse` command."""

import sys

from wirehouse.flows.cli import main

sys.exit(main())

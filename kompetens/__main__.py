import sys

from kompetens.cli import main

sys.exit(main())

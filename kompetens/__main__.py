import sys

from kompetens.run.cli import main

sys.exit(main())

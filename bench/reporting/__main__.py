import sys

from bench.reporting.run import main

sys.exit(main())

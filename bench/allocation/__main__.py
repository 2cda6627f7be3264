import sys

from bench.allocation.run import main

sys.exit(main())

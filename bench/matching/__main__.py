import sys

from bench.matching.run import main

sys.exit(main())

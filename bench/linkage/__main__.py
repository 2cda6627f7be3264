import sys

from bench.linkage.run import main

sys.exit(main())

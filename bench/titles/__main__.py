import sys

from bench.titles.run import main

sys.exit(main())

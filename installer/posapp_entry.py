"""Entry point of the frozen app: the same `posapp` command as the pip-installed one."""

import sys

from posapp.cli import main

if __name__ == "__main__":
    sys.exit(main())

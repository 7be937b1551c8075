#!/usr/bin/env python
from gridwork.cli import main

if __name__ == "__main__":
    main()

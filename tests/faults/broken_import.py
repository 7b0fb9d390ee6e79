"""A claim file that raises when imported: an error verdict, written to --json and --report."""
raise ImportError("this claim file needs a module that is not installed")

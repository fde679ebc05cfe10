"""The ``abri`` subcommands, one module per family, hung off the group in ``abri.cli``."""

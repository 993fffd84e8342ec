"""One module per obsctl verb: `add_arguments(parser)` and `run(args) -> int`."""

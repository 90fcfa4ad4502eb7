"""The command-line shell over the library: one module per command."""

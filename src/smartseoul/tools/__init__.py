"""Small entry points used by the Makefile."""

"""The offline bundle: the whole course in one zip file (`smartseoul bundle`, `make bundle`)."""

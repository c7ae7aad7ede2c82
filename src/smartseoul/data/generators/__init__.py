"""One module per dataset. Each declares DATASET (its name) and build(ctx) -> list[Output]."""

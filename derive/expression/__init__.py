"""Matrix calculus for whole expressions (see derive/expression/api.py)."""

"""verify — cross-checks symbolic, engine and finite-difference VJPs, and reports on them."""

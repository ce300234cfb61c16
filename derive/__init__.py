"""derive — SymPy derives every op's VJP from its forward and proves the engine's rules exact."""

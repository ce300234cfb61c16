"""Test helper shared by derive's table-driven tests: which cases an op declares it has no
exact form for (derive then says so rather than proving)."""


def no_exact_form(op, case):
    """The reason ``op`` declares for having no exact form at ``case`` — its forward raises
    NotImplementedError on symbols (svd, eigh, qr, lstsq, norm's 'nuc' and ±2) — or None."""
    from derive.symbolic import symbols

    xs = [symbols(f"x{i}", s) for i, s in enumerate(case.shapes)]
    for fwd in (op.sym, op.fwd):
        try:
            if fwd is not None:
                fwd(*xs, **case.params)
                return None
        except NotImplementedError as e:
            return f"{op.name} at {case}: {e}"
        except Exception:  # noqa: BLE001 - any other failure is derive's to report
            continue
    return None

# Executed by the stoat._core extension at import time (see errors.rs), with __name__ set to
# "stoat._core". It is Python because the stable ABI (abi3-py311) cannot subclass native
# exception types from Rust before Python 3.12.
import copy


class ValidationError(ValueError):
    """Input was rejected; ``errors()`` lists every problem found, in order.

    Each item is ``{"code": str, "loc": tuple[str | int, ...], "msg": str,
    "hint": str | None, "ctx": dict}``. The arguments are ``(errors, title)``, so the
    exception pickles and copies like any other.
    """

    def __init__(self, errors, title=None):
        errors = list(errors)
        if title is None:
            title = f"{len(errors)} validation error{'' if len(errors) == 1 else 's'}"
        super().__init__(errors, title)

    def errors(self):
        """A fresh copy of the error items."""
        return copy.deepcopy(self.args[0])

    def __str__(self):
        lines = [self.args[1]]
        for error in self.args[0]:
            loc = ".".join(str(part) for part in error["loc"]) or "(root)"
            lines.append(f"  {loc}: {error['msg']} [{error['code']}]")
        return "\n".join(lines)

"""Exact views for deep zooms: centres, widths and Julia's c as decimal strings.

A value given as a string (``"-1.99996619445037030418"``, ``"1e-300"``, a complex
``"-1.9999+3.0013e-34i"``), a ``decimal.Decimal`` or a pair of those keeps every digit; the
deep engine (``juliaset._core.DeepRender``) computes with them exactly. Plain Python numbers
are taken as they are (their shortest ``repr`` when the deep engine needs text).
"""

from __future__ import annotations

import decimal
import math
import numbers
import re
from typing import Any, Optional, Tuple

_NUMBER = r"(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?"
_REAL = re.compile(rf"[+-]?{_NUMBER}")
_COMPLEX = re.compile(rf"(?P<re>[+-]?{_NUMBER})(?P<im>[+-](?:{_NUMBER})?)[ij]")
_IMAGINARY = re.compile(rf"(?P<im>[+-]?(?:{_NUMBER})?)[ij]")

ExactComplex = Tuple[str, str]


def is_exact(value: Any) -> bool:
    """Whether ``value`` is one of the exact forms: a str, a Decimal, or a pair holding one."""
    if isinstance(value, (str, decimal.Decimal)):
        return True
    if isinstance(value, (tuple, list)) and len(value) == 2:
        return any(isinstance(part, (str, decimal.Decimal)) for part in value)
    return False


def real_text(value: Any, name: str) -> str:
    """The decimal text of a real ``value`` (str, Decimal, int or finite float)."""
    if isinstance(value, str):
        text = value.strip()
        if not _REAL.fullmatch(text):
            raise ValueError(f"{name} must be a decimal number such as '-1.25e-40', got {value!r}")
        return text
    if isinstance(value, decimal.Decimal):
        if not value.is_finite():
            raise ValueError(f"{name} must be a finite number, got {value!r}")
        return str(value)
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number or a decimal string, got {value!r}")
    if isinstance(value, numbers.Integral):
        return str(int(value))
    try:
        number = float(value)
    except OverflowError:  # a Fraction beyond a double's range
        raise ValueError(f"{name} must be a finite number within a double's range (or a "
                         f"decimal string), got {value!r}") from None
    if not math.isfinite(number):
        raise ValueError(f"{name} must be a finite number, got {value!r}")
    return repr(number)


def complex_text(value: Any, name: str) -> ExactComplex:
    """``(re, im)`` decimal texts of a complex ``value`` in any accepted form."""
    if isinstance(value, str):
        text = value.strip().replace(" ", "")
        if text.startswith("(") and text.endswith(")"):
            text = text[1:-1]
        if _REAL.fullmatch(text):
            return text, "0"
        match = _COMPLEX.fullmatch(text) or _IMAGINARY.fullmatch(text)
        if match is None:
            raise ValueError(
                f"{name} must be a complex number such as '-1.25+3e-40i' (or a pair of "
                f"decimal strings), got {value!r}"
            )
        im = match.group("im")
        if im in ("", "+", "-"):
            im += "1"
        re_part = match.groupdict().get("re") or "0"
        return re_part, im
    if isinstance(value, (tuple, list)):
        if len(value) != 2:
            raise ValueError(f"{name} must be (re, im), got {value!r}")
        return real_text(value[0], f"{name}[0]"), real_text(value[1], f"{name}[1]")
    if isinstance(value, numbers.Real) and not isinstance(value, bool):
        # Exactly as a real (an int of any size stays exact; complex() would overflow).
        return real_text(value, f"{name} (real part)"), "0"
    if isinstance(value, numbers.Complex) and not isinstance(value, bool):
        try:
            number = complex(value)
        except OverflowError:
            raise ValueError(f"{name} must be a finite number within a double's range (or "
                             f"decimal strings), got {value!r}") from None
        return real_text(number.real, f"{name} (real part)"), real_text(number.imag, f"{name} (imaginary part)")
    raise TypeError(f"{name} must be a complex number or decimal strings, got {value!r}")


def positive_text(value: Any, name: str) -> str:
    """The decimal text of a width, which must be above 0."""
    text = real_text(value, name)
    mantissa = re.split("[eE]", text)[0]
    if text.startswith("-") or not any(ch in "123456789" for ch in mantissa):
        raise ValueError(f"{name} (of the region in the plane) must be above 0, got {value!r}")
    return text


def rounded(text: str) -> float:
    """The double nearest to a decimal text (0.0 for ones below a double's range)."""
    return float(text)


def maybe_complex(value: Any) -> Optional[ExactComplex]:
    """``complex_text(value)`` for the exact forms, None for plain numbers."""
    return complex_text(value, "value") if is_exact(value) else None

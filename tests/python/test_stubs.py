"""The installed type stubs match the runtime, checked by mypy's stubtest."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import juliaset
from juliaset import _core

pytest.importorskip("mypy")

# stubtest cannot introspect nanobind's function objects (they are neither Python functions
# nor builtins) and reports each as "not a function"; this driver teaches it that they are,
# and leaves every other check (missing or extra names, attribute types) as it is.
STUBTEST = textwrap.dedent(
    """
    import sys
    import mypy.stubtest as stubtest

    plain = stubtest.is_probably_a_function
    stubtest.is_probably_a_function = (
        lambda runtime: plain(runtime) or type(runtime).__name__ in ("nb_func", "nb_method")
    )
    # A nanobind class has the metaclass nb_type and a C layout, which no stub can state.
    def skip_nanobind_classes(check):
        def checked(stub, runtime, *args, **kwargs):
            if type(runtime).__name__ != "nb_type":
                yield from check(stub, runtime, *args, **kwargs)
        return checked

    stubtest._verify_metaclass = skip_nanobind_classes(stubtest._verify_metaclass)
    if hasattr(stubtest, "_verify_disjoint_base"):
        stubtest._verify_disjoint_base = skip_nanobind_classes(stubtest._verify_disjoint_base)
    modules = ["juliaset._core", "juliaset._api", "juliaset.reference"]
    sys.exit(stubtest.test_stubs(stubtest.parse_options(sys.argv[1:] + modules)))
    """
)

def test_stubtest_passes_on_the_api_modules():
    result = subprocess.run(
        [sys.executable, "-c", STUBTEST],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_core_stub_is_installed_beside_the_module():
    # Looked up from the modules themselves: an editable install keeps them in two places.
    assert (Path(_core.__file__).parent / "_core.pyi").is_file()
    assert (Path(juliaset.__file__).parent / "py.typed").is_file()


def parameters(function: ast.FunctionDef) -> list[tuple[str, str, str | None]]:
    """(name, annotation, default) of every parameter, "*" marking the keyword-only ones."""
    arguments = function.args
    positional = arguments.args
    defaults = [None] * (len(positional) - len(arguments.defaults)) + list(arguments.defaults)
    result = [
        (a.arg, ast.unparse(a.annotation), None if d is None else ast.unparse(d))
        for a, d in zip(positional, defaults)
    ]
    if arguments.kwonlyargs:
        result.append(("*", "", None))
    result += [
        (a.arg, ast.unparse(a.annotation), None if d is None else ast.unparse(d))
        for a, d in zip(arguments.kwonlyargs, arguments.kw_defaults)
    ]
    return result


def test_stub_signatures_match_the_bindings():
    # stubtest cannot read nanobind signatures, so compare the stub's parameters with the
    # signatures nanobind reports at run time: a stale stub fails here.
    stub = ast.parse((Path(_core.__file__).parent / "_core.pyi").read_text())
    stubbed = {node.name: node for node in stub.body if isinstance(node, ast.FunctionDef)}
    runtime = {
        name: getattr(_core, name)
        for name in dir(_core)
        if type(getattr(_core, name)).__name__ == "nb_func"
    }
    assert set(stubbed) == set(runtime)
    for name, function in runtime.items():
        ((signature, _doc, _defaults),) = function.__nb_signature__
        # Defaults appear as placeholders (\0, \1, ...) and array return types are not
        # Python syntax; neither matters for the parameter list.
        head = re.sub(r"\\\d+", "...", signature[: signature.rindex(") -> ") + 1])
        live = ast.parse(head + ": ...").body[0]
        assert isinstance(live, ast.FunctionDef)
        live_parameters = parameters(live)
        stub_parameters = parameters(stubbed[name])
        # Names, order, keyword-only marker and presence of defaults must agree.
        assert [(n, d is None) for n, _, d in stub_parameters] == [
            (n, d is None) for n, _, d in live_parameters
        ], name

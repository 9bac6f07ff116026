"""The ``progress=`` argument of the renderers: a callable, or True for a tqdm bar.

The native renderer counts finished rows on its own threads and calls ``progress(done, total)``
from the calling thread (with the GIL, about every 50 ms while rows get done, and once at the
end), so a callable may do anything a Python function may: update a widget, log, or raise to
stop the render.
"""

from __future__ import annotations

import contextlib
from typing import Callable, Iterator, Optional, Union

# What a renderer's `progress` argument takes.
ProgressCallback = Callable[[int, int], object]
ProgressArg = Union[None, bool, ProgressCallback]


@contextlib.contextmanager
def progress_callback(progress: object, description: str) -> Iterator[Optional[ProgressCallback]]:
    """The callable to hand to the core for ``progress``, closing a tqdm bar on the way out.

    None or False: no progress (and no banding). True: a ``tqdm.auto`` bar over the image's
    rows labelled ``description`` (a notebook widget in Jupyter; ImportError without tqdm). A
    callable: itself. Anything else: TypeError.
    """
    if progress is None or progress is False:
        yield None
    elif progress is True:
        try:
            from tqdm.auto import tqdm  # type: ignore[import-untyped, unused-ignore]
        except ImportError:
            raise ImportError(
                "progress=True needs tqdm: pip install tqdm (or pass a callable "
                "progress(rows_done, rows_total))"
            ) from None
        with tqdm(desc=description, unit="row") as bar:

            def update(done: int, total: int) -> None:
                if bar.total != total:
                    bar.total = total
                    bar.refresh()
                bar.update(done - bar.n)

            yield update
    elif callable(progress):
        yield progress
    else:
        raise TypeError(
            "progress must be None, True (a tqdm bar) or a callable progress(done, total), "
            f"got {type(progress).__name__} {progress!r}"
        )

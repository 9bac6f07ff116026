"""Benchmark of the explorer in headless Chromium: view change -> coarse picture -> exact picture.

``python -m juliaset.explore.bench`` (or ``make bench-explore``) starts ``juliaset-explore``,
opens the page in Debian's headless chromium (Selenium, /usr/bin/chromedriver) at 1280 x 720,
and for each view moves it by a few pixels ``--repeats`` times (each a new render), reading the
page's own timings (``window.juliaset.timings()``: from the view change to the coarse picture
and to the exact picture drawn on the canvas). Prints medians and writes JSON to
``bench-results/explore.json``. Needs ``pip install ".[test]"`` (selenium) and chromium.
"""

from __future__ import annotations

import argparse
import json
import os
import select
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Dict, List

VIEWS: List[Dict[str, Any]] = [
    {
        "name": "seahorse valley, count",
        "view": {"family": "mandelbrot", "center": ["-0.7455", "0.1005"], "width": "0.006",
                 "itermax": 1000, "colormap": "inferno", "coloring": "count"},
    },
    {
        "name": "seahorse valley, smooth",
        "view": {"family": "mandelbrot", "center": ["-0.7455", "0.1005"], "width": "0.006",
                 "itermax": 1000, "colormap": "inferno", "coloring": "smooth"},
    },
    {
        "name": "seed's view (Julia, [-1.6, 1.6] wide), count",
        "view": {"family": "julia", "c": ["-0.835", "-0.2321"], "center": ["0", "0"],
                 "width": "3.2", "itermax": 1000, "colormap": "gray", "coloring": "count"},
    },
    {
        "name": "seed's headline zoom (Julia, 0.2 wide), count",
        "view": {"family": "julia", "c": ["-0.835", "-0.2321"], "center": ["0", "0"],
                 "width": "0.2", "itermax": 1000, "colormap": "gray", "coloring": "count"},
    },
    # Deep zoom (the deep engine): fractalshades' location, 1e-30 and 1e-100 wide.
    *({
        "name": f"deep: fractalshades' minibrot, {width} wide, smooth",
        "view": {"family": "mandelbrot",
                 "center": ["-1.99996619445037030418434688506350579675531241540724851511761922"
                            "944801584242342684381376129778868913812287046406560949864",
                            "3.00138243679093832407249730397759249873468311907733352701742572"
                            "801204749756148235811864e-34"],
                 "width": width, "itermax": itermax, "colormap": "inferno", "coloring": "smooth"},
    } for width, itermax in (("1e-30", 5000), ("1e-100", 20000))),
]

IDLE = """
const done = arguments[arguments.length - 1];
(async () => {
  while (!window.juliaset) await new Promise((resolve) => setTimeout(resolve, 10));
  done(await window.juliaset.idle());
})().catch((error) => done({error: String(error)}));
"""

CHANGE = """
const done = arguments[arguments.length - 1];
window.juliaset.setView(arguments[0]);
window.juliaset.idle().then(() => {
  const timings = window.juliaset.timings();
  done(timings[timings.length - 1]);
});
"""


def _start_server() -> "tuple[subprocess.Popen[str], str]":
    process = subprocess.Popen(
        [sys.executable, "-m", "juliaset.explore", "--port", "0"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    assert process.stdout is not None
    ready, _, _ = select.select([process.stdout], [], [], 60)
    if not ready:
        process.kill()
        raise SystemExit("juliaset-explore printed no URL within 60 s")
    return process, process.stdout.readline().strip()


def _shifted(center: List[str], step: int, width: str) -> List[str]:
    """``center`` moved 3 pixels right or left, exactly (every digit of a deep centre kept)."""
    import decimal
    from decimal import Decimal

    with decimal.localcontext() as context:
        context.prec = len(center[0]) + len(width) + 20
        pixel = Decimal(width) / 1280
        return [str(Decimal(center[0]) + pixel * (3 if step % 2 else -3)), center[1]]


def _screenshot(driver: Any, path: str) -> None:
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.wait import WebDriverWait

    driver.execute_async_script(CHANGE, {
        "family": "mandelbrot", "center": ["-0.74543", "0.11301"], "width": "0.0025",
        "itermax": 1500, "colormap": "twilight_r", "coloring": "histogram", "supersample": 2})
    canvas = driver.find_element(By.ID, "view")
    # The pointer over a spot of the view, so that the panel shows that point's Julia set.
    ActionChains(driver).move_to_element_with_offset(canvas, 80, -40).perform()
    WebDriverWait(driver, 60).until(
        lambda d: "Julia set of c" in d.find_element(By.ID, "panel-label").text)
    driver.execute_async_script(IDLE)
    time.sleep(0.5)  # the panel's render lands after its label is set: let it paint
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    driver.save_screenshot(path)
    print(f"wrote {path}")


def main(argv: "List[str] | None" = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m juliaset.explore.bench",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=10, help="view changes per view")
    parser.add_argument("--chromedriver", default="/usr/bin/chromedriver")
    parser.add_argument("--output", default="bench-results/explore.json")
    parser.add_argument("--screenshot", metavar="PNG",
                        help="also save a screenshot of the page (seahorse valley, with the "
                        "Julia panel) to PNG; the README's is docs/images/explorer.png")
    args = parser.parse_args(argv)
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        raise SystemExit('the benchmark needs selenium: pip install ".[test]"') from None
    if not Path(args.chromedriver).exists() or shutil.which("chromium") is None:
        raise SystemExit("the benchmark needs Debian's chromium and chromium-driver")

    process, url = _start_server()
    options = webdriver.ChromeOptions()
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage",
                     "--window-size=1280,900"):
        options.add_argument(argument)
    driver = webdriver.Chrome(service=Service(args.chromedriver), options=options)
    results: List[Dict[str, Any]] = []
    try:
        driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
            "width": 1280, "height": 720, "deviceScaleFactor": 1, "mobile": False})
        driver.set_script_timeout(120)
        driver.get(url)
        driver.execute_async_script(IDLE)
        for case in VIEWS:
            view = dict(case["view"])
            driver.execute_async_script(CHANGE, view)  # warm-up: the first render of the view
            samples = []
            for step in range(args.repeats):
                moved = {**view, "center": _shifted(view["center"], step, view["width"])}
                samples.append(driver.execute_async_script(CHANGE, moved))
            size = samples[-1]["view"]["size"]
            assert size == [1280, 720], size
            # A coarse picture that arrives after the exact one is not drawn (coarse_ms None).
            coarse = [s["coarse_ms"] for s in samples if s["coarse_ms"] is not None]
            row = {
                "name": case["name"],
                "view": view,
                "coarse_ms": statistics.median(coarse) if coarse else None,
                "coarse_drawn": len(coarse),
                "exact_ms": statistics.median(s["exact_ms"] for s in samples),
                "server_exact_ms": statistics.median(s["server_ms"] for s in samples),
                "fetch_exact_ms": statistics.median(s["fetch_ms"] for s in samples),
                "draw_exact_ms": statistics.median(s["draw_ms"] for s in samples),
                "coarse_ms_min": min(coarse) if coarse else None,
                "exact_ms_min": min(s["exact_ms"] for s in samples),
                "repeats": args.repeats,
            }
            results.append(row)
            coarse_text = (f"{row['coarse_ms']:6.1f} ms" if coarse else "  none drawn")
            best_coarse = f"{row['coarse_ms_min']:.1f}" if coarse else "-"
            print(f"{row['name']:<46} coarse {coarse_text}  exact "
                  f"{row['exact_ms']:6.1f} ms  (render {row['server_exact_ms']:6.1f} ms, "
                  f"request {row['fetch_exact_ms']:6.1f} ms, colour+draw "
                  f"{row['draw_exact_ms']:5.1f} ms; coarse drawn {len(coarse)} of "
                  f"{len(samples)}; best {best_coarse} / {row['exact_ms_min']:.1f} ms)",
                  flush=True)
        if args.screenshot:
            _screenshot(driver, args.screenshot)
    finally:
        driver.quit()
        process.terminate()
        process.wait(timeout=30)
    output = Path(args.output)
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps({
        "when": time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime()),
        "cpus": os.cpu_count(), "size": [1280, 720], "results": results,
    }, indent=2))
    print(f"wrote {output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

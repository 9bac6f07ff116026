"""A browser explorer of the Mandelbrot set and Julia sets: ``juliaset-explore``.

``command.main`` is the console script; ``server.create_app`` the ASGI application (Starlette);
``views`` validates request parameters; ``static/`` holds the page (HTML, JavaScript and CSS,
no external resources). ``python -m juliaset.explore.bench`` measures it in headless Chromium.
"""

"""The web app (`vakhsh serve`): a FastAPI server over the same layers as the command line.

    from vakhsh.app import create_app
    app = create_app("vakhsh-work", workers=1)   # an ASGI app for uvicorn

It sits on top of the layers, like the CLI: nothing below imports it.
"""

from vakhsh.app.server import create_app

__all__ = ["create_app"]

"""gunicorn settings (the Dockerfile's CMD names this file; gunicorn also reads it by default).

No ``Server: gunicorn`` banner: gunicorn has no setting for the header (benoitc/gunicorn#825;
the maintainers suggest overriding it), and a header set by Django is sent next to gunicorn's,
not instead of it. gunicorn writes the module global ``gunicorn.http.wsgi.SERVER`` into each
response, so this file, which the arbiter runs before any worker starts, replaces it (and the
package-level copy, in case a later gunicorn reads that) with a name that says nothing about
the software. ``tests/ops/test_gunicorn.py`` starts gunicorn with this file and checks.
"""

import gunicorn
import gunicorn.http.wsgi

SERVER_NAME = "ocop"

gunicorn.SERVER = SERVER_NAME
gunicorn.http.wsgi.SERVER = SERVER_NAME

"""The WSGI application (gunicorn, waitress), for every web process."""

import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gridwork.settings")
application = get_wsgi_application()

# What is loaded by now (Django, the apps, the URL patterns and templates once imported) lives as
# long as the process: moved out of the collector's view, so a full collection only walks what the
# requests made. The benchmark's slowest requests coincided with full collections of 120-390 ms;
# frozen, they took about half as long (bench/README.md, figure 9).
gc.collect()
gc.freeze()

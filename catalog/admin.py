from django.contrib import admin  # noqa: F401

from catalog import admin_import  # noqa: F401  (registers the Decision admin and the upload)

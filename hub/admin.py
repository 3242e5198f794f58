"""The admin app with the hub's admin site, whose log-in is under the same limits as the
site's (catalog.views.login). Kept apart from catalog so INSTALLED_APPS can name it before
any model is loaded; the site class itself is imported only when the admin app is ready."""

from django.contrib.admin.apps import AdminConfig


class HubAdminConfig(AdminConfig):
    default_site = "catalog.views.login.HubAdminSite"

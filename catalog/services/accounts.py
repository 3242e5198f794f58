"""Sign-up: a user and their namespace, made together or not at all."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.contrib.auth.password_validation import validate_password
from django.db import transaction

from catalog.errors import Conflict
from catalog.naming import namespace_name_validate
from catalog.selectors import name_taken
from catalog.services.namespaces import namespace_for_user


def user_signup(*, username: str, email: str, password: str) -> AbstractBaseUser:
    """A new user with a namespace of the same name. The name is checked in any case, since
    user and organization names share one URL space; a weak password raises Django's
    ValidationError, whose messages the form shows under the password field."""
    namespace_name_validate(username)
    if name_taken(username):
        raise Conflict(f"The name {username!r} is taken.")
    validate_password(password)
    with transaction.atomic():
        user = get_user_model().objects.create_user(username, email, password)
        namespace_for_user(user=user)
    return user

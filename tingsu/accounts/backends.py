"""The lock-out check of django-axes as the first authentication backend, then Django's
password backend, which loads the signed-in user with their department: every desk page
shows it in the navigation, which was one more query per request."""

from axes.backends import AxesStandaloneBackend
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend

UserModel = get_user_model()


class UserBackend(ModelBackend):
    """Django's password backend (a session records the backend that signed it in, so a
    session signed by django.contrib.auth's ModelBackend before this one asks to sign in
    again)."""

    def get_user(self, user_id):
        user = UserModel._default_manager.select_related("department").filter(pk=user_id).first()
        return user if user is not None and self.user_can_authenticate(user) else None


class LoginAttemptBackend(AxesStandaloneBackend):
    """Refuses a locked-out username and address before the password is checked.

    Every login form (desk and admin) passes the request. A call without one (the shell,
    Django's test client) has no address to lock, so it is left to the next backend.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)

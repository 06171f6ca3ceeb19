"""The lock-out check of django-axes as the first authentication backend."""

from axes.backends import AxesStandaloneBackend


class LoginAttemptBackend(AxesStandaloneBackend):
    """Refuses a locked-out username and address before the password is checked.

    Every login form (desk and admin) passes the request. A call without one (the shell,
    Django's test client) has no address to lock, so it is left to the next backend.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)

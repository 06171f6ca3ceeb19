from django.db import models


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class ConfigVersion(models.Model):
    """One row whose value changes whenever intake configuration changes (see core.config).

    The value is random, not a counter, so a rolled-back or restored database never hands
    a process a version it already cached under different contents.
    """

    version = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return str(self.version)

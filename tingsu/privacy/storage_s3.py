"""Encrypted media on S3-compatible storage (settings_production, TINGSU_S3_BUCKET); its own
module so that only deployments with a bucket import boto3."""

from storages.backends.s3 import S3Storage

from tingsu.privacy.storage import EncryptedStorageMixin


class EncryptedS3Storage(EncryptedStorageMixin, S3Storage):
    pass

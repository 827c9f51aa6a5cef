"""ArtifactStore: S3-compatible storage where remote workers upload trial bundles through presigned URLs."""

from __future__ import annotations

import logging
import os
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from healthtune.core.exceptions import ExecutorError

logger = logging.getLogger(__name__)

BUCKET_VARIABLE = "HEALTHTUNE_S3_BUCKET"
ENDPOINT_VARIABLES = ("HEALTHTUNE_S3_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL")
PREFIX_VARIABLE = "HEALTHTUNE_S3_PREFIX"
UPLOAD_URL_SECONDS = 6 * 3600  # a presigned URL must outlive the trial's queueing and training


@dataclass
class ArtifactStore:
    """A bucket (and key prefix) on AWS S3, RunPod's S3 API or any S3-compatible endpoint.

    Credentials come from boto3's usual sources (AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY, a
    profile, an instance role) and stay here: workers only ever get a presigned URL for one key.
    """

    bucket: str
    endpoint_url: str | None = None
    prefix: str = "healthtune"
    region: str | None = None
    _client: Any = field(default=None, repr=False)

    def __post_init__(self) -> None:
        if not self.bucket or "/" in self.bucket:
            raise ValueError(f"bucket must be a bucket name without '/', got bucket={self.bucket!r}")

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> ArtifactStore | None:
        """The store $HEALTHTUNE_S3_BUCKET names (endpoint from $HEALTHTUNE_S3_ENDPOINT_URL), or None."""
        env = os.environ if environ is None else environ
        bucket = env.get(BUCKET_VARIABLE, "").strip()
        if not bucket:
            return None
        endpoint = next((env[name] for name in ENDPOINT_VARIABLES if env.get(name)), None)
        return cls(
            bucket=bucket,
            endpoint_url=endpoint,
            prefix=env.get(PREFIX_VARIABLE, "healthtune").strip("/"),
            region=env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION"),
        )

    @property
    def client(self) -> Any:
        if self._client is None:
            try:
                import boto3
                from botocore.config import Config
            except ImportError as error:
                raise ExecutorError(
                    "S3 artifact storage needs boto3: pip install 'healthtune[runpod]'"
                ) from error
            self._client = boto3.client(
                "s3",
                endpoint_url=self.endpoint_url,
                region_name=self.region or "us-east-1",
                config=Config(
                    signature_version="s3v4",
                    s3={"addressing_style": "path" if self.endpoint_url else "auto"},
                    retries={"max_attempts": 5, "mode": "standard"},
                ),
            )
        return self._client

    def check(self) -> None:
        """Fail now, with the reason, if the bucket cannot be reached; creates it if it is missing."""
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            self.client.head_bucket(Bucket=self.bucket)
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") not in ("404", "NoSuchBucket"):
                raise ExecutorError(f"S3 bucket {self.bucket!r} is not usable: {error}") from error
            self.client.create_bucket(Bucket=self.bucket)
            logger.info("created S3 bucket %s", self.bucket)
        except BotoCoreError as error:
            raise ExecutorError(
                f"S3 endpoint {self.endpoint_url or 'AWS'} is unreachable for bucket {self.bucket!r}: {error}"
            ) from error

    def bundle_key(self, run_name: str, trial_number: int) -> str:
        """A fresh key per attempt, so a retried trial never reads an older attempt's bundle."""
        return f"{self.prefix}/{run_name}/trial_{trial_number}/{uuid.uuid4().hex}.zip"

    def upload_url(self, key: str) -> str:
        """A presigned PUT URL for exactly this key (the worker must send Content-Type: application/zip)."""
        url: str = self.client.generate_presigned_url(
            "put_object",
            Params={"Bucket": self.bucket, "Key": key, "ContentType": "application/zip"},
            ExpiresIn=UPLOAD_URL_SECONDS,
        )
        return url

    def download(self, key: str) -> bytes:
        response = self.client.get_object(Bucket=self.bucket, Key=key)
        data: bytes = response["Body"].read()
        return data

    def delete(self, key: str) -> None:
        try:
            self.client.delete_object(Bucket=self.bucket, Key=key)
        except Exception:  # the bundle is unpacked already; a leftover object is harmless
            logger.debug("could not delete s3://%s/%s", self.bucket, key, exc_info=True)

"""Streams of same-sized objects: what a bucket receives, before its lifecycle rules.

A stream is "N objects of S bytes written per day, each deleted (or replaced) by the app at age
A"; a bucket's workload is its streams and its LIST requests.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ObjectStream:
    name: str
    prefix: str  # key prefix: lifecycle rules whose prefix it starts with apply
    objects_per_day: float
    object_bytes: float
    app_days: float | None  # the app deletes or replaces each object at this age (None: never)
    app_deletes: bool = True  # a DELETE request (False: replaced by a new object, or expired)
    put_billed: bool = True  # False for S3 log delivery, which costs no requests
    read_bytes_per_month: float = 0.0
    read_request_bytes: float | None = None  # None: every GET reads a whole object
    read_window_days: float | None = None  # reads hit objects younger than this (None: any)
    polls_per_day: float = 0.0  # GETs of every current object per day
    # The app's retention for this data: it must stay readable this long (None: the app has no
    # promise to keep it, as for blocks it replaces). A lifecycle expiry before it loses data.
    keep_days: float | None = None


@dataclass(frozen=True)
class BucketWorkload:
    streams: tuple[ObjectStream, ...] = ()
    list_requests_per_day: float = 0.0
    description: str = ""

"""Units and calendar conventions shared by the whole cost model.

AWS bills S3 storage in binary gigabytes (2**30 bytes) and sizes rules in binary kilobytes
(the 128 KB minimum is 131,072 bytes), so every "GB" and "KB" in `obsctl cost` is binary.
"""

from __future__ import annotations

KB = 1024.0
MB = 1024.0 * KB
GB = 1024.0 * MB

DAY_SECONDS = 86_400.0
MONTH_DAYS = 30.4  # one steady-state month (365 / 12, rounded as AWS's examples do)
MONTH_HOURS = MONTH_DAYS * 24.0

# A bucket whose objects never leave (no app deletion, no lifecycle expiry) has no steady state;
# the model then counts this many days of them and says so in its notes.
UNBOUNDED_HORIZON_DAYS = 365.0


def gb(num_bytes: float) -> float:
    return num_bytes / GB

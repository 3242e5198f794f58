"""gunicorn settings for the container, from the environment (gunicorn reads this file)."""

import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
# gthread: a slow client or a long upload holds a thread, not a whole process.
worker_class = "gthread"
workers = int(os.environ.get("WEB_CONCURRENCY", os.cpu_count() or 2))
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "300"))  # multi-GiB uploads stream in
graceful_timeout = 30
keepalive = 5
# A safety net against slow leaks, not a routine: at 2,000 a worker serving cached model info
# (300+ requests/s) was recycled every few seconds, and each cold start (Django's imports on
# a busy core) showed in the p99 (bench/api.py: 4 recycles, p99 139-177 ms vs none, 100-135).
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "50000"))
max_requests_jitter = 5000
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "*")  # nginx is the only peer
worker_tmp_dir = "/dev/shm"
accesslog = "-"
errorlog = "-"
# One JSON object per request, like the app's logs (LOG_FORMAT=json).
access_log_format = (
    '{"type":"access","remote":"%({x-forwarded-for}i)s","method":"%(m)s","path":"%(U)s",'
    '"query":"%(q)s","status":%(s)s,"bytes":"%(B)s","duration_ms":%(M)s,'
    '"user_agent":"%(a)s","request_id":"%({x-request-id}i)s"}'
)

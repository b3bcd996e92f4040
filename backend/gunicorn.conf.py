"""gunicorn's settings for Pathway: `gunicorn -c backend/gunicorn.conf.py backend.wsgi`.

Read from the environment like the rest of the settings: PORT, WEB_HOST, WEB_CONCURRENCY,
WEB_TIMEOUT, FORWARDED_ALLOW_IPS.
"""

import os
from pathlib import Path

from dotenv import load_dotenv

from backend.env import envint, envstr, web_timeout

load_dotenv(Path(__file__).resolve().parent.parent / ".env")  # as settings.py does

# Sync workers: every request is short and the database is the limit, not the CPU.
bind = f"{envstr('WEB_HOST', '0.0.0.0')}:{envint('PORT', 8000, minimum=1, maximum=65535)}"
workers = envint("WEB_CONCURRENCY", 2 * (os.cpu_count() or 1) + 1, minimum=1)
timeout = web_timeout()
graceful_timeout = 30
# A worker restarts after about 1,000 requests, so that a slow leak never builds up.
max_requests = 1000
max_requests_jitter = 100
accesslog = "-"
errorlog = "-"
# The address gunicorn believes X-Forwarded-* from: only the proxy on this machine by default
# (FORWARDED_ALLOW_IPS widens it). Django decides HTTPS from X-Forwarded-Proto itself.
forwarded_allow_ips = envstr("FORWARDED_ALLOW_IPS", "127.0.0.1")

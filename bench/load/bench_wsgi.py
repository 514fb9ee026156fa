"""The app as gunicorn serves it in the load test: the production factory, login rate limit off.

Fifty heads log in within seconds from one address (the load generator); the per-address
login limit, right for the real site, would refuse most of them and measure nothing.
"""
from tracker import create_app
from tracker.extensions import limiter

app = create_app()
limiter.enabled = False

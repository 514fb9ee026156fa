"""Internal supplier–customer tracker: the application factory."""
from __future__ import annotations

import os

from flask import Flask

from .config import Config, TestingConfig


def create_app(test_config: dict | None = None) -> Flask:
    """Create and configure the app.

    ``test_config`` (a mapping) is applied over :class:`TestingConfig` instead of the
    environment, so tests never touch the developer's database by accident.
    """
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    app = Flask(
        __name__,
        instance_path=os.path.join(root, "instance"),
        template_folder=os.path.join(root, "templates"),
        static_folder=os.path.join(root, "static"),
    )
    os.makedirs(app.instance_path, exist_ok=True)

    # 1. configuration
    if test_config is None:
        app.config.from_mapping(Config.from_env(app.instance_path))
    else:
        app.config.from_object(TestingConfig)
        app.config.from_mapping(test_config)

    # 2. extensions
    from . import auth, db_events, errors, i18n, security, templating
    from .extensions import csrf, db, limiter, login_manager, migrate
    from .services import ratelimit  # noqa: F401 - registers the trackerdb:// storage of the login limit

    db.init_app(app)
    db_events.init_app(app)
    migrate.init_app(app, db, directory=os.path.join(root, "migrations"), render_as_batch=True)
    csrf.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    i18n.init_app(app)
    if app.testing and app.config.get("HUEY_IMMEDIATE", True):
        # Tasks run at once, in this process, on in-memory storage: no queue file, no consumer.
        from .tasks import huey

        huey.immediate = True
    security.init_app(app)
    templating.init_app(app)
    auth.init_login_manager(login_manager)

    # 3. blueprints (ids in URLs are bounded so a huge one is a 404 on every database)
    app.url_map.converters["int"] = errors.BoundedIntConverter
    from .admin import bp as admin_bp
    from .api import bp as api_bp
    from .audit import bp as audit_bp
    from .dashboard import bp as dashboard_bp
    from .followups import bp as followups_bp
    from .main import bp as main_bp
    from .network import bp as network_bp
    from .profile import bp as profile_bp
    from .rate import bp as rate_bp
    from .rotations import bp as rotations_bp
    from .scorecard import bp as scorecard_bp

    app.register_blueprint(auth.bp)
    app.register_blueprint(main_bp)
    app.register_blueprint(admin_bp, url_prefix="/admin")
    app.register_blueprint(rate_bp, url_prefix="/rate")
    app.register_blueprint(dashboard_bp, url_prefix="/dashboard")
    app.register_blueprint(api_bp, url_prefix="/api/v1")
    app.register_blueprint(profile_bp, url_prefix="/profile")
    app.register_blueprint(followups_bp, url_prefix="/follow-ups")
    app.register_blueprint(rotations_bp, url_prefix="/rotations")
    app.register_blueprint(scorecard_bp, url_prefix="/scorecard")
    app.register_blueprint(audit_bp, url_prefix="/audit")
    app.register_blueprint(network_bp, url_prefix="/network")

    # 4. errors, 5. command line
    errors.init_app(app)
    from . import cli

    cli.init_app(app)
    return app

"""Typed SQLAlchemy models, one module per aggregate."""
from .api import ApiToken
from .data_version import DataVersion
from .guards import FormSubmission, RateLimitCounter
from .org import CRITICALITY_NAMES, DEPARTMENT_KINDS, Contract, ContractRespondent, Department, Service
from .rating import PERIOD_STATUSES, STANDARD_MET, Criterion, Period, Rating, RatingScore
from .user import DEPARTMENT_ROLES, ROLES, User
from .work import (FOLLOW_UP_FINAL, FOLLOW_UP_STATES, AuditLog, FollowUp, FollowUpAction, FollowUpEvent, KpiTarget,
                   Notification, Rotation, Setting)
from .imports import IMPORT_KINDS, IMPORT_STATUSES, ImportJob, SurveyMapping  # noqa: E402
from .network import NetworkSurvey, NetworkVolume  # noqa: E402

__all__ = [
    "ApiToken",
    "AuditLog",
    "CRITICALITY_NAMES",
    "Contract",
    "ContractRespondent",
    "Criterion",
    "DataVersion",
    "DEPARTMENT_KINDS",
    "DEPARTMENT_ROLES",
    "Department",
    "FOLLOW_UP_FINAL",
    "FOLLOW_UP_STATES",
    "FollowUp",
    "FollowUpAction",
    "FollowUpEvent",
    "Notification",
    "FormSubmission",
    "KpiTarget",
    "PERIOD_STATUSES",
    "Period",
    "ROLES",
    "Rating",
    "RatingScore",
    "RateLimitCounter",
    "Rotation",
    "STANDARD_MET",
    "Service",
    "Setting",
    "User",
    "IMPORT_KINDS",
    "IMPORT_STATUSES",
    "ImportJob",
    "SurveyMapping",
    "NetworkSurvey",
    "NetworkVolume",
]

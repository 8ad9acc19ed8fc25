"""Every table, imported in one place so Alembic sees the whole schema."""
from app.audits.models import AuditAuditor, AuditEvent, AuditRecord, AuditRound, AuditSample  # noqa: F401
from app.auth.models import LoginFailure, User, user_area  # noqa: F401
from app.campaigns.models import Assignment, Campaign, MonitoringThreshold  # noqa: F401
from app.census.models import FormDefinition  # noqa: F401
from app.clues.models import Clue, ClueEvent, Department, WarningList, WarningRow  # noqa: F401
from app.figures.models import VillageFigures, VillageMonthFigure  # noqa: F401
from app.geo.models import Area  # noqa: F401
from app.households.models import Household, Member, RecordPerson  # noqa: F401
from app.jobs.models import Job  # noqa: F401
from app.monitoring.models import (  # noqa: F401
    AssessmentDecision,
    AssistanceMeasure,
    MonitoringEvent,
    Objection,
    Proposal,
)
from app.records.models import (  # noqa: F401
    Attachment,
    ReviewComment,
    ReviewEvent,
    RevisionAttachment,
    Submission,
    SubmissionRevision,
    SyncConflict,
)
from app.visits.models import CircleLayer, DutyEvent, DutyRule, DutyRuleSet, ResponsibleCadre, Visit  # noqa: F401

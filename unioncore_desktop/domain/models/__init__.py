"""ORM models, one module per area. Importing this package registers every table on the shared MetaData."""

from unioncore_desktop.domain.models.audit import AuditEntry
from unioncore_desktop.domain.models.calendar import Holiday
from unioncore_desktop.domain.models.employers import (
    ContractCode,
    Employer,
    EmployerContact,
    EmployerContract,
    Worksite,
)
from unioncore_desktop.domain.models.employment import EmploymentRecord
from unioncore_desktop.domain.models.members import (
    Member,
    MemberExclusion,
    MemberQualifiedBook,
    MemberSkill,
    NameTerm,
)
from unioncore_desktop.domain.models.settings import AppSetting
from unioncore_desktop.domain.models.staff import Staff

__all__ = [
    "AppSetting",
    "AuditEntry",
    "ContractCode",
    "Employer",
    "EmployerContact",
    "EmployerContract",
    "EmploymentRecord",
    "Holiday",
    "Member",
    "MemberExclusion",
    "MemberQualifiedBook",
    "MemberSkill",
    "NameTerm",
    "Staff",
    "Worksite",
]

"""ORM models, one module per area. Importing this package registers every table on the shared MetaData."""

from unioncore_desktop.domain.models.audit import AuditEntry, ReportRun
from unioncore_desktop.domain.models.books import Book, BookRules, Office
from unioncore_desktop.domain.models.calendar import Holiday
from unioncore_desktop.domain.models.dispatch import Dispatch, OfferLine
from unioncore_desktop.domain.models.dues import (
    DuesAdjustment,
    DuesCharge,
    DuesChargeTotal,
    DuesPeriod,
    DuesRate,
    Payment,
    PaymentAllocation,
    PaymentBatch,
    ReceiptCounter,
    Remittance,
    RemittanceColumnMap,
    RemittanceLine,
)
from unioncore_desktop.domain.models.employers import (
    ContractCode,
    Employer,
    EmployerContact,
    EmployerContract,
    Worksite,
)
from unioncore_desktop.domain.models.employment import EmploymentRecord
from unioncore_desktop.domain.models.imports import (
    ImportColumnMap,
    ImportRun,
    StagedDues,
    StagedEmployer,
    StagedEmployment,
    StagedMember,
    StagedRegistration,
)
from unioncore_desktop.domain.models.members import (
    Member,
    MemberExclusion,
    MemberQualifiedBook,
    MemberSkill,
    NameTerm,
)
from unioncore_desktop.domain.models.registrations import CheckMark, ReferralBan, Registration, RegistrationActivity
from unioncore_desktop.domain.models.report_presets import ReportPreset
from unioncore_desktop.domain.models.requests import Bid, LaborRequest
from unioncore_desktop.domain.models.settings import AppSetting
from unioncore_desktop.domain.models.staff import Staff

__all__ = [
    "AppSetting",
    "AuditEntry",
    "Bid",
    "Book",
    "BookRules",
    "CheckMark",
    "ContractCode",
    "Dispatch",
    "DuesAdjustment",
    "DuesCharge",
    "DuesChargeTotal",
    "DuesPeriod",
    "DuesRate",
    "Employer",
    "EmployerContact",
    "EmployerContract",
    "EmploymentRecord",
    "Holiday",
    "ImportColumnMap",
    "ImportRun",
    "LaborRequest",
    "Member",
    "MemberExclusion",
    "MemberQualifiedBook",
    "MemberSkill",
    "NameTerm",
    "OfferLine",
    "Office",
    "Payment",
    "PaymentAllocation",
    "PaymentBatch",
    "ReceiptCounter",
    "ReferralBan",
    "Registration",
    "RegistrationActivity",
    "Remittance",
    "RemittanceColumnMap",
    "RemittanceLine",
    "ReportPreset",
    "ReportRun",
    "Staff",
    "StagedDues",
    "StagedEmployer",
    "StagedEmployment",
    "StagedMember",
    "StagedRegistration",
    "Worksite",
]

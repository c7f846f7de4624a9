"""Keep employers: create, edit, deactivate and reactivate them; their worksites, contacts and contract periods.

Every write checks the same rules as the forms (`rules/employers.py`), refuses a save over a version someone else
saved since it was opened, and leaves the rest to the database: the audit trigger records who changed what, the
notify trigger tells the other workstations, the partial unique index keeps one primary contact and the exclusion
constraint keeps one contract's periods apart."""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy import text
from sqlalchemy.orm.exc import StaleDataError

from unioncore_desktop.domain.errors import FieldChange, NotFound, StaleRecord, ValidationError
from unioncore_desktop.domain.models import Employer, EmployerContact, EmployerContract, Worksite
from unioncore_desktop.domain.queries import employers as q
from unioncore_desktop.domain.rules.employers import (
    ContactInput,
    ContractInput,
    EmployerInput,
    WorksiteInput,
    validate_contact,
    validate_contract,
    validate_employer,
    validate_worksite,
)
from unioncore_desktop.domain.uow import UnitOfWork

GONE = "That employer no longer exists; it may have been removed on another workstation."
M = TypeVar("M", Employer, Worksite, EmployerContact, EmployerContract)
P = TypeVar("P", Worksite, EmployerContact, EmployerContract)  # the employer's parts


def _stale(what: str) -> StaleRecord:
    return StaleRecord(f"Someone saved this {what} after you opened it. Your edits are still in the form; "
                       "close it, look at what changed and try again.")


def _locked(uow: UnitOfWork, model: type[M], row_id: int, version: int | None, what: str) -> M:
    """The row, locked, if it is still at `version` (None: any version)."""
    row = uow.session.get(model, row_id, with_for_update=True)
    if row is None:
        raise NotFound(f"That {what} was removed by someone else; your changes were not saved.")
    if version is not None and row.version != version:
        raise _stale(what)
    return row


def _write(uow: UnitOfWork, row: Any, values: dict[str, Any]) -> None:
    """Set only what differs (an unchanged save writes nothing, so the audit trail has no empty entries)."""
    for name, value in values.items():
        if getattr(row, name) != value:
            setattr(row, name, value)
    try:
        uow.flush()
    except StaleDataError:
        raise _stale("record") from None


def _employer(uow: UnitOfWork, employer_id: int) -> Employer:
    employer = uow.session.get(Employer, employer_id)
    if employer is None:
        raise NotFound(GONE)
    return employer


# --- employers ----------------------------------------------------------------------------------------------------

def _valid_employer(data: EmployerInput) -> EmployerInput:
    data = data.normalized()
    errors = validate_employer(data)
    if errors:
        raise ValidationError(errors)
    return data


def create_employer(uow: UnitOfWork, data: EmployerInput) -> q.EmployerDetail:
    with uow:
        data = _valid_employer(data)
        employer = Employer(**{name: getattr(data, name) for name in EmployerInput.field_names()})
        uow.session.add(employer)
        uow.flush()
        detail = q.employer_detail(uow.session, employer.id)
        uow.commit()
        return detail


def update_employer(uow: UnitOfWork, employer_id: int, data: EmployerInput, *,
                    base: q.EmployerDetail) -> q.EmployerDetail:
    """Save `data` over the employer as loaded in `base`; refused, saying what changed and who changed it, if
    someone saved it in between."""
    with uow:
        data = _valid_employer(data)
        try:
            employer = _locked(uow, Employer, employer_id, base.version, "employer")
        except StaleRecord:
            raise _stale_employer(uow, base) from None
        _write(uow, employer, {name: getattr(data, name) for name in EmployerInput.field_names()})
        detail = q.employer_detail(uow.session, employer_id)
        uow.commit()
        return detail


def _stale_employer(uow: UnitOfWork, base: q.EmployerDetail) -> StaleRecord:
    uow.session.rollback()
    current = q.employer_detail(uow.session, base.id)
    changes = [FieldChange(name, getattr(base, name), getattr(current, name))
               for name in (*EmployerInput.field_names(), "active") if getattr(base, name) != getattr(current, name)]
    who = q.last_changed_by(uow.session, base.id)
    fields = ", ".join(c.field.replace("_", " ") for c in changes) or "nothing you can see"
    return StaleRecord(f"{who or 'Someone'} saved this employer after you opened it (changed: {fields}). "
                       "Your edits are still in the form; review them and save again.",
                       changes=changes, changed_by=who, current=current)


def set_employer_active(uow: UnitOfWork, employer_id: int, active: bool, *, version: int) -> q.EmployerDetail:
    """Employers are never deleted (requests, dispatches and employment refer to them): they become inactive, and
    an inactive one can be made active again."""
    with uow:
        employer = _locked(uow, Employer, employer_id, version, "employer")
        _write(uow, employer, {"active": active})
        detail = q.employer_detail(uow.session, employer_id)
        uow.commit()
        return detail


# --- worksites ----------------------------------------------------------------------------------------------------

def save_worksite(uow: UnitOfWork, employer_id: int, data: WorksiteInput, *, worksite_id: int | None = None,
                  version: int | None = None) -> int:
    """A new worksite (no `worksite_id`), or `data` over the one at `version`. Worksites are never deleted (requests
    and employment name them); `active=False` retires one."""
    with uow:
        data = data.normalized()
        errors = validate_worksite(data)
        if errors:
            raise ValidationError(errors)
        values = {name: getattr(data, name) for name in WorksiteInput.field_names()}
        if worksite_id is None:
            _employer(uow, employer_id)
            worksite = Worksite(employer_id=employer_id, **values)
            uow.session.add(worksite)
            uow.flush()
        else:
            worksite = _owned(_locked(uow, Worksite, worksite_id, version, "worksite"), employer_id, "worksite")
            _write(uow, worksite, values)
        uow.commit()
        return worksite.id


def _owned(row: P, employer_id: int, what: str) -> P:
    if row.employer_id != employer_id:
        raise NotFound(f"That {what} belongs to another employer.")
    return row


# --- contacts -----------------------------------------------------------------------------------------------------

def save_contact(uow: UnitOfWork, employer_id: int, data: ContactInput, *, contact_id: int | None = None,
                 version: int | None = None) -> int:
    """A new contact or `data` over the one at `version`; at most one contact of an employer is primary."""
    with uow:
        _employer_locked(uow, employer_id)
        data = data.normalized()
        errors = validate_contact(data, q.primary_contact_other_than(uow.session, employer_id, contact_id))
        if errors:
            raise ValidationError(errors)
        values = {name: getattr(data, name) for name in ContactInput.field_names()}
        if contact_id is None:
            contact = EmployerContact(employer_id=employer_id, **values)
            uow.session.add(contact)
            uow.flush()
        else:
            contact = _owned(_locked(uow, EmployerContact, contact_id, version, "contact"), employer_id, "contact")
            _write(uow, contact, values)
        uow.commit()
        return contact.id


def _employer_locked(uow: UnitOfWork, employer_id: int) -> None:
    """Lock the employer's row (FOR NO KEY UPDATE, so nothing waits that only refers to it): two workstations
    checking the employer's contacts or periods at once take turns, so the rule reads what the other wrote."""
    found = uow.session.execute(text("SELECT 1 FROM employers WHERE id = :id FOR NO KEY UPDATE"),
                                {"id": employer_id}).scalar()
    if found is None:
        raise NotFound(GONE)


def delete_contact(uow: UnitOfWork, employer_id: int, contact_id: int, *, version: int) -> None:
    """A contact who has left is removed; the audit log keeps who they were."""
    with uow:
        contact = _owned(_locked(uow, EmployerContact, contact_id, version, "contact"), employer_id, "contact")
        uow.session.delete(contact)
        uow.flush()
        uow.commit()


# --- contracts ----------------------------------------------------------------------------------------------------

def save_contract(uow: UnitOfWork, employer_id: int, data: ContractInput, *, contract_id: int | None = None,
                  version: int | None = None) -> int:
    """A new period of a contract, or `data` over the one at `version`; periods of one contract never overlap."""
    with uow:
        _employer_locked(uow, employer_id)
        codes = {code for code, _description in q.contract_codes(uow.session)}
        errors = validate_contract(data, codes, q.other_periods(uow.session, employer_id, contract_id))
        if errors:
            raise ValidationError(errors)
        values = {name: getattr(data, name) for name in ContractInput.field_names()}
        if contract_id is None:
            contract = EmployerContract(employer_id=employer_id, **values)
            uow.session.add(contract)
            uow.flush()
        else:
            contract = _owned(_locked(uow, EmployerContract, contract_id, version, "contract period"),
                              employer_id, "contract period")
            _write(uow, contract, values)
        uow.commit()
        return contract.id


def delete_contract(uow: UnitOfWork, employer_id: int, contract_id: int, *, version: int) -> None:
    """A period entered by mistake is removed; one that ended is kept and given its end date instead."""
    with uow:
        contract = _owned(_locked(uow, EmployerContract, contract_id, version, "contract period"),
                          employer_id, "contract period")
        uow.session.delete(contract)
        uow.flush()
        uow.commit()

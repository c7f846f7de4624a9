"""Employers: find, open, check for likely duplicates, save; worksites, contacts and contract periods."""

from __future__ import annotations

from unioncore_desktop.domain.actions import Hall
from unioncore_desktop.domain.changes import Changed, Done, done
from unioncore_desktop.domain.queries import employers as q
from unioncore_desktop.domain.rules.employers import ContactInput, ContractInput, EmployerInput, WorksiteInput
from unioncore_desktop.domain.services import employers as services


def search(hall: Hall, text: str, *, limit: int | None = None) -> list[q.EmployerListRow]:
    if limit is None:
        return hall.read(q.search_employers, text)
    return hall.read(q.search_employers, text, limit=limit)


def open_employer(hall: Hall, employer_id: int) -> q.EmployerDetail:
    return hall.read(q.employer_detail, employer_id)


def open_record(hall: Hall, employer_id: int) -> q.EmployerRecord:
    """The employer with its worksites, contacts, contracts and change history."""
    return hall.read(q.employer_record, employer_id)


def likely_duplicates(hall: Hall, data: EmployerInput, exclude_id: int | None = None) -> list[q.DuplicateRow]:
    """Employers on file that the one typed likely is (same name, phone or address), to show before saving."""
    return hall.read(q.likely_duplicates, data.normalized(), exclude_id)


def contract_codes(hall: Hall) -> list[tuple[str, str]]:
    return hall.read(q.contract_codes)


def _employer(detail: q.EmployerDetail) -> Done[q.EmployerDetail]:
    return done(detail, Changed.of("employer", employer_ids=[detail.id]))


def _part(employer_id: int, value: int) -> Done[int]:
    # the list shows an employer's current contracts, worksite count and primary contact: both kinds changed
    return done(value, Changed.of("employer_detail", employer_ids=[employer_id]),
                Changed.of("employer", employer_ids=[employer_id]))


def save_employer(hall: Hall, data: EmployerInput, base: q.EmployerDetail | None) -> Done[q.EmployerDetail]:
    """A new employer (no `base`), or `data` over the employer as loaded in `base`."""
    if base is None:
        return _employer(services.create_employer(hall.uow(), data))
    return _employer(services.update_employer(hall.uow(), base.id, data, base=base))


def set_employer_active(hall: Hall, base: q.EmployerDetail, active: bool) -> Done[q.EmployerDetail]:
    return _employer(services.set_employer_active(hall.uow(), base.id, active, version=base.version))


def save_worksite(hall: Hall, employer_id: int, data: WorksiteInput, base: q.WorksiteRow | None) -> Done[int]:
    """A new worksite (no `base`), or `data` over the worksite as loaded in `base`; returns its id."""
    saved = services.save_worksite(hall.uow(), employer_id, data, worksite_id=base.id if base else None,
                                   version=base.version if base else None)
    return _part(employer_id, saved)


def save_contact(hall: Hall, employer_id: int, data: ContactInput, base: q.ContactRow | None) -> Done[int]:
    saved = services.save_contact(hall.uow(), employer_id, data, contact_id=base.id if base else None,
                                  version=base.version if base else None)
    return _part(employer_id, saved)


def delete_contact(hall: Hall, employer_id: int, base: q.ContactRow) -> Done[int]:
    services.delete_contact(hall.uow(), employer_id, base.id, version=base.version)
    return _part(employer_id, base.id)


def save_contract(hall: Hall, employer_id: int, data: ContractInput, base: q.ContractRow | None) -> Done[int]:
    saved = services.save_contract(hall.uow(), employer_id, data, contract_id=base.id if base else None,
                                   version=base.version if base else None)
    return _part(employer_id, saved)


def delete_contract(hall: Hall, employer_id: int, base: q.ContractRow) -> Done[int]:
    services.delete_contract(hall.uow(), employer_id, base.id, version=base.version)
    return _part(employer_id, base.id)

"""An employer's writes reach the other workstations: migration 0018's notify triggers send the employer's id
for the employer's row and for its worksites, contacts and contracts, through a dispatcher's own commits."""

from __future__ import annotations

from datetime import date

from tests.db.test_notify import database, hall, listener, recorder  # noqa: F401 - the fixtures, shared
from unioncore_desktop.db.notify import Change
from unioncore_desktop.domain.actions import employers
from unioncore_desktop.domain.changes import table_kinds
from unioncore_desktop.domain.rules.employers import ContactInput, ContractInput, EmployerInput, WorksiteInput


def test_every_employer_write_is_announced_with_the_employers_id(listener, recorder, hall):  # noqa: F811
    saved = employers.save_employer(hall, EmployerInput(name="Live Electric"), None).value
    key = str(saved.id)
    who = hall.facts.user
    assert recorder.next_batch() == [Change("employers", "I", key, who, hall.application_name)]
    employers.save_worksite(hall, saved.id, WorksiteInput(name="Shop"), None)
    employers.save_contact(hall, saved.id, ContactInput(name="Sam Lee", is_primary=True), None)
    employers.save_contract(hall, saved.id, ContractInput("WIREPERSON", date(2020, 1, 1)), None)
    seen = []
    while len(seen) < 3:
        seen += [(c.table, c.op, c.key) for c in recorder.next_batch()]
    assert seen == [("worksites", "I", key), ("employer_contacts", "I", key), ("employer_contracts", "I", key)]
    kinds = table_kinds()
    assert {kinds[table] for table, _op, _key in seen} == {"employer_detail"} and kinds["employers"] == "employer"
    employers.set_employer_active(hall, saved, False)
    assert [(c.table, c.op, c.key) for c in recorder.next_batch()] == [("employers", "U", key)]

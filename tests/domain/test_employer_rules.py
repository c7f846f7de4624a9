"""The employer rules, pure: what the forms and the services both check, and when two employers are likely one."""

from __future__ import annotations

from datetime import date

import pytest

from unioncore_desktop.domain.rules.employers import (
    ContactInput,
    ContractInput,
    EmployerInput,
    EmployerKeys,
    Period,
    WorksiteInput,
    duplicate_reasons,
    normalized_address,
    normalized_name,
    overlapping,
    phone_digits,
    validate_contact,
    validate_contract,
    validate_employer,
    validate_worksite,
)

CODES = frozenset({"WIREPERSON", "SOUND & COMM"})


def test_employer_input_is_trimmed_and_empty_text_is_none():
    data = EmployerInput(name="  Puget   Sound Electric ", city=" ", state="wa", notes="  line one\n  line two ")
    assert data.normalized() == EmployerInput(name="Puget Sound Electric", city=None, state="WA",
                                              notes="line one\n  line two")


@pytest.mark.parametrize("data, field, words", [
    (EmployerInput(name=None), "name", "required"),
    (EmployerInput(name="A", phone="555-01"), "phone", "7 digits"),
    (EmployerInput(name="A", email="not-an-address"), "email", "not valid"),
    (EmployerInput(name="A", state="W1"), "state", "two-letter"),
    (EmployerInput(name="x" * 121), "name", "At most 120"),
])
def test_employer_errors_name_their_field(data, field, words):
    errors = validate_employer(data)
    assert field in errors and words in errors[field]


def test_a_good_employer_has_no_errors():
    assert validate_employer(EmployerInput(name="Cascade Lighting", phone="(253) 555-0100", state="WA",
                                           email="office@cascade.example")) == {}


def test_worksite_needs_a_name():
    assert "name" in validate_worksite(WorksiteInput(name=None))
    assert validate_worksite(WorksiteInput(name="Shop", region="Seattle", report_to="Gate 3, ask for Sam")) == {}


def test_a_second_primary_contact_is_refused_naming_the_one_there_is():
    assert validate_contact(ContactInput(name="Ann Fox", is_primary=True)) == {}
    errors = validate_contact(ContactInput(name="Ann Fox", is_primary=True), primary_now="Sam Lee")
    assert "Sam Lee is the primary contact" in errors["is_primary"]
    assert validate_contact(ContactInput(name="Ann Fox", is_primary=False), primary_now="Sam Lee") == {}


@pytest.mark.parametrize("start, end, clash", [
    (date(2022, 6, 1), None, True),  # open-ended, starts inside
    (date(2019, 1, 1), date(2020, 1, 1), True),  # ends on the first day of the other
    (date(2023, 1, 1), None, False),  # starts the day after the other ends
    (date(2019, 1, 1), date(2019, 12, 31), False),  # ends the day before
])
def test_periods_of_one_contract_overlap_when_they_share_a_day(start, end, clash):
    others = [Period("WIREPERSON", date(2020, 1, 1), date(2022, 12, 31)),
              Period("SOUND & COMM", date(2000, 1, 1), None)]
    found = overlapping(ContractInput("WIREPERSON", start, end), others)
    assert (found is not None) == clash


def test_contract_errors():
    assert validate_contract(ContractInput(None, None), CODES).keys() == {"contract_code", "effective_on"}
    assert "no contract code" in validate_contract(ContractInput("NOPE", date(2020, 1, 1)), CODES)["contract_code"]
    assert "before it takes effect" in validate_contract(
        ContractInput("WIREPERSON", date(2020, 1, 2), date(2020, 1, 1)), CODES)["expires_on"]
    errors = validate_contract(ContractInput("WIREPERSON", date(2021, 1, 1)), CODES,
                               [Period("WIREPERSON", date(2020, 1, 1), None)])
    assert "already holds WIREPERSON from 01 Jan 2020 with no end" in errors["effective_on"]
    assert validate_contract(ContractInput("SOUND & COMM", date(2021, 1, 1)), CODES,
                             [Period("WIREPERSON", date(2020, 1, 1), None)]) == {}


@pytest.mark.parametrize("one, other", [
    ("Puget Sound Electric, Inc.", "puget sound electric"),
    ("Smith & Sons LLC", "Smith and Sons"),
    ("The Cascade Lighting Co.", "Cascade Lighting"),
])
def test_normalized_names_ignore_case_punctuation_and_legal_forms(one, other):
    assert normalized_name(one) == normalized_name(other)


def test_phone_and_address_keys():
    assert phone_digits("+1 (206) 555-0100") == phone_digits("206.555.0100") == "2065550100"
    assert normalized_address("123 Main Street", "Seattle") == normalized_address("123 main st.", " SEATTLE")
    assert normalized_address("123 Main Street", "Seattle") != normalized_address("123 Main Street", "Tacoma")
    assert normalized_address(None, "Seattle") == ""


def test_duplicate_reasons():
    typed = EmployerKeys.of("Puget Sound Electric Inc", "206-555-0100", "1 Pike St", "Seattle")
    assert duplicate_reasons(typed, EmployerKeys.of("PUGET SOUND ELECTRIC", None, None, None)) == ("same name",)
    assert duplicate_reasons(typed, EmployerKeys.of("Other", "(206) 555-0100", "1 Pike Street", "seattle")) == (
        "same phone", "same address")
    assert duplicate_reasons(typed, EmployerKeys.of("Other", "206-555-0199", "2 Pike St", "Seattle")) == ()
    # nothing typed matches nothing
    assert duplicate_reasons(EmployerKeys.of("A", None, None, None), EmployerKeys.of("B", None, None, None)) == ()

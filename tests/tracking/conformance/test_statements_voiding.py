"""xAPI 1.0.3 Data 2.3.2 Voiding, Communication 2.1.4 Voided Statements and 2.1.3 "Filter Conditions for
StatementRefs", over HTTP."""

from __future__ import annotations

from datetime import datetime, timedelta

from lms.extensions import db
from lms.tracking import services
from lms.tracking.models import Statement
from tests.tracking.conformance.stmt_data import (
    ACTIVITY,
    COMPLETED,
    VOIDED,
    get,
    ids,
    new_id,
    post,
    statement,
    store,
    voiding,
)

ANDREW = {"objectType": "Agent", "mbox": "mailto:andrew@example.com"}
CONFIRMED = "http://example.com/verbs/confirmed"


def test_data_2_3_2_a_voided_statement_is_404_by_statement_id_and_200_by_voided_statement_id(lrs):
    """Data 2.3.2.s2.b3: "an LRS MUST consider a Statement it contains voided if and only if the Statement is not
    itself a voiding Statement and the LRS also contains a voiding Statement referring to the first Statement";
    Communication 2.1.4.s1.b1: "The LRS MUST not return any Statement which has been voided, unless that Statement
    has been requested by voidedStatementId"."""
    [target] = store(lrs, statement())
    store(lrs, voiding(target))
    assert get(lrs, statementId=target).status_code == 404
    response = get(lrs, voidedStatementId=target)
    assert response.status_code == 200 and response.get_json()["id"] == target


def test_2_1_3_voided_statement_id_of_a_statement_not_voided_is_404(lrs):
    """2.1.3: voidedStatementId is the "Id of voided Statement to fetch"."""
    [target] = store(lrs, statement())
    assert get(lrs, voidedStatementId=target).status_code == 404


def test_2_1_4_lists_leave_out_voided_statements_and_keep_the_voiding_one(lrs):
    """2.1.4.s1.b1 (voided statements are not returned) and s1.b2: "The LRS MUST still return any Statements
    targeting the voided Statement ... This includes the voiding Statement, which cannot be voided"."""
    target, kept = store(lrs, statement(), statement())
    [voider] = store(lrs, voiding(target))
    listed = ids(get(lrs))
    assert target not in listed and {kept, voider} <= set(listed)


def test_data_2_3_2_a_voiding_statement_cannot_be_voided(lrs):
    """Data 2.3.2.s1: "Any Statement that voids another cannot itself be voided" (a statement voiding it is stored,
    and ignored)."""
    [target] = store(lrs, statement())
    [voider] = store(lrs, voiding(target))
    assert post(lrs, voiding(voider)).status_code == 200
    assert get(lrs, statementId=voider).status_code == 200
    assert get(lrs, voidedStatementId=voider).status_code == 404


def test_data_2_3_2_voiding_again_changes_nothing(lrs):
    """Data 2.3.2: voiding an already voided statement is accepted; it stays voided (XAPI-00016)."""
    [target] = store(lrs, statement())
    store(lrs, voiding(target))
    assert post(lrs, voiding(target)).status_code == 200
    assert get(lrs, voidedStatementId=target).status_code == 200


def test_data_2_3_2_the_target_need_not_be_present(lrs):
    """Data 2.3.2.s2.b5: the LRS "SHOULD NOT* reject the request on the grounds of the Object of that voiding
    Statement not being present"; a target that arrives later is voided (s2.b3: "if and only if")."""
    target = new_id()
    assert post(lrs, voiding(target)).status_code == 200
    store(lrs, statement(id=target))
    assert get(lrs, statementId=target).status_code == 404
    assert get(lrs, voidedStatementId=target).status_code == 200


def test_data_2_3_2_a_batch_may_hold_a_statement_and_its_voiding(lrs):
    """Data 2.3.2.s2.b3, within one batch: the target of a voiding statement in the same request is voided."""
    target = new_id()
    store(lrs, statement(id=target), voiding(target))
    assert get(lrs, statementId=target).status_code == 404


def test_data_2_3_2_a_voiding_statement_must_target_a_statement_ref(lrs):
    """Data 2.3.2.s2.b1: "the Object of that voiding Statement MUST have the "objectType" property set to
    StatementRef" (400 otherwise)."""
    assert post(lrs, statement(verb={"id": VOIDED})).status_code == 400
    assert post(lrs, statement(verb={"id": VOIDED}, object={"objectType": "Agent", **ANDREW})).status_code == 400


def test_data_2_3_2_other_tools_may_not_void_the_academys_own_record(lrs):
    """Data 2.3.2.s2.b4: "the LRS SHOULD reject the entire request which includes the voiding Statement with 403
    Forbidden if the request is not from a source authorized to void Statements" (the academy's statements)."""
    own = services.record(None, "viewed", ("report", "r1"), organization_id=lrs.org_id)
    db.session.commit()
    other = new_id()
    response = post(lrs, [statement(id=other), voiding(own.id)])
    assert response.status_code == 403
    assert get(lrs, statementId=own.id).status_code == 200 and get(lrs, statementId=other).status_code == 404


def test_data_2_3_2_another_organisations_statement_is_not_voided(lrs, other_lrs):
    """Every organisation's LRS is its own: a voiding statement naming another organisation's statement voids
    nothing there."""
    [theirs] = store(other_lrs, statement())
    assert post(lrs, voiding(theirs)).status_code == 200
    assert get(other_lrs, statementId=theirs).status_code == 200


def test_2_1_3_statements_targeting_a_matching_statement_meet_the_filter(lrs):
    """2.1.3.s3: "Statements which target another Statement (by using a StatementRef as the Object of the Statement)
    will meet the filter condition if the targeted Statement meets the filter condition ... This rule applies
    recursively" (Andrew confirmed <Ben passed explosives training>)."""
    [passed] = store(lrs, statement())
    [confirmed] = store(lrs, statement(actor=ANDREW, verb={"id": CONFIRMED},
                                       object={"objectType": "StatementRef", "id": passed}))
    [again] = store(lrs, statement(actor=ANDREW, verb={"id": CONFIRMED},
                                   object={"objectType": "StatementRef", "id": confirmed}))
    assert set(ids(get(lrs, agent={"mbox": "mailto:ben@example.com"}))) == {passed, confirmed, again}
    assert set(ids(get(lrs, activity=ACTIVITY))) == {passed, confirmed, again}
    both = ids(get(lrs, agent=ANDREW, verb=COMPLETED))
    assert set(both) == {confirmed, again}


def test_2_1_3_a_statement_ref_in_context_does_not_affect_filters(lrs):
    """2.1.3.s3 note: "StatementRefs used as a value of the "Statement" property within Context do not affect how
    Statements are filtered"."""
    [passed] = store(lrs, statement())
    [noted] = store(lrs, statement(actor=ANDREW, verb={"id": CONFIRMED}, object={"id": "http://example.com/other"},
                                   context={"statement": {"objectType": "StatementRef", "id": passed}}))
    assert noted not in ids(get(lrs, activity=ACTIVITY))


def test_2_1_4_statements_targeting_a_voided_statement_are_still_returned_by_its_filters(lrs):
    """2.1.4.s1.b2: "The LRS MUST still return any Statements targeting the voided Statement, following the process
    and conditions described in the section on filter conditions for StatementRefs" (XAPI-00162)."""
    verb = "http://adlnet.gov/expapi/test/voided/target/" + new_id()
    [target] = store(lrs, statement(verb={"id": verb}))
    [voider] = store(lrs, voiding(target))
    [ref] = store(lrs, statement(verb={"id": verb}, object={"objectType": "StatementRef", "id": target}))
    rows = {i: db.session.get(Statement, i) for i in (target, voider, ref)}
    for offset, row in enumerate(rows.values()):
        row.stored = datetime(2026, 11, 2, 9) + timedelta(minutes=offset)
    db.session.commit()
    assert ids(get(lrs, verb=verb)) == [ref, voider]
    assert ids(get(lrs, verb=verb, limit="1")) == [ref]
    assert ids(get(lrs, verb=verb, since="2026-11-02T09:01:30Z")) == [ref]
    assert voider in ids(get(lrs, verb=VOIDED, until="2026-11-02T09:01:00Z"))

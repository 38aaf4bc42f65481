"""The role-messaging checker, rule by rule: each rule passes on honest messages and fails on its fault.

Also one test per contradiction fixed between the checker and modules 07 and alignment 03 (`test_module_...`).
"""

from __future__ import annotations

from dataclasses import replace

from tests.practice.builders_signals import make_signal
from tests.practice.snapshot_builders import load_checker, make_account, make_contact, snapshot

ck = load_checker("role-messaging")

ACME = make_account(id=1, name="Acme Freight Ltd", industry="Freight",
                    why_selected="Opening a second cross-dock hub next spring; planners still use spreadsheets")
BRILL = make_account(id=2, name="Brill Haulage", industry="Haulage",
                     why_selected="Replacing its legacy routing system after a failed migration last year")
ROLES = (("senior_decision_maker", "Chief Operating Officer"), ("finance", "Finance Director"),
         ("technical_evaluator", "Head of IT"))


def workspace(**kw):
    contacts = [make_contact(a, role, id=a.id * 10 + i, title=title)
                for a in (ACME, BRILL) for i, (role, title) in enumerate(ROLES)]
    return snapshot([ACME, BRILL], contacts, **kw)


HONEST = [
    (1, "senior_decision_maker", "linkedin", "",
     "Dana, Acme Freight's second hub opens next spring. Keeping on-time delivery steady through that growth is the "
     "strategic risk we help operators manage. Worth a short conversation?"),
    (1, "finance", "email", "Acme Freight's second hub and next year's budget",
     "Hello Sam, when Acme Freight opens its second cross-dock hub, the planning cost will fall across two budget "
     "years. I would like to show how the spend could be phased either side of the opening, and build the payback "
     "case on your own volumes rather than on our averages. A freight customer that made the same move recovered "
     "its costs within the first year, and I can share their case. Could we find thirty minutes next week to go "
     "through the numbers with you and your team?"),
    (1, "technical_evaluator", "phone_script", "",
     "Hi Lee, it's Alex. With the new hub coming, Acme Freight will run two sites from one set of spreadsheets, so "
     "I wanted to explain how our platform integrates with your warehouse system. Could I send the security note?"),
    (2, "senior_decision_maker", "linkedin", "",
     "Jo, Brill Haulage is replacing its routing system after last year's migration. Getting that right is a "
     "competitive edge for haulage firms. Could we compare notes on the board's priorities?"),
    (2, "finance", "linkedin", "",
     "Ravi, before Brill Haulage commits budget to a new routing system, I can model the cost and payback on your "
     "own figures. Would that help the business case?"),
    (2, "technical_evaluator", "email", "Brill Haulage's routing migration, done safely",
     "Hello Kim, after last year's failed migration at Brill Haulage, I expect the next routing system will face a "
     "hard security and integration review. Our platform connects through standard APIs, keeps data encrypted at "
     "rest and can run alongside the legacy system during a pilot, so nothing is switched off early. I can send "
     "the architecture note and the security questionnaire we completed for another haulage firm. Would a "
     "technical session with our engineer next week be useful?"),
]


def answer(rows=HONEST) -> dict:
    return {"messages": [{"account": a, "role": r, "channel": ch, "subject": subj, "message": text}
                         for a, r, ch, subj, text in rows]}


def changed(index: int, **fields) -> dict:
    """The honest answer with one message's fields changed."""
    ans = answer()
    ans["messages"][index] = {**ans["messages"][index], **fields}
    return ans


def ctx(ans=None, ws=None):
    return ck.build_context(ws or workspace(), answer() if ans is None else ans)


def severities(outcome) -> list[str]:
    return [f.severity for f in outcome.findings]


def test_honest_messages_pass_with_full_marks():
    result = ck.check(workspace(), answer())
    assert result.passed and result.score == 100, [f.message for f in result.findings]


def test_pass_mark_matches_the_exercise():
    assert ck.PASS_MARK == 75


# --- at-least-two-accounts / rows-are-complete / no-placeholders --------------------------------------------------

def test_two_accounts_have_no_blocker_and_one_has():
    assert not ck.at_least_two_accounts(ctx()).findings
    outcome = ck.at_least_two_accounts(ctx(answer(HONEST[:3])))
    assert severities(outcome) == ["blocker"]


def test_rows_without_role_or_channel_are_incomplete():
    assert ck.rows_are_complete(ctx()).met == 1
    ans = changed(0, channel="carrier_pigeon")
    ans["messages"].append({"account": 1, "role": "", "message": "text"})
    outcome = ck.rows_are_complete(ctx(ans))
    assert outcome.met == 5 / 7 and len(outcome.findings) == 2


def test_a_placeholder_is_a_blocker():
    assert not ck.no_placeholders(ctx()).findings
    outcome = ck.no_placeholders(ctx(changed(4, message="Hi [First name], Brill Haulage's routing budget...")))
    assert severities(outcome) == ["blocker"] and "[First name]" in outcome.findings[0].message


# --- written-for-its-account-and-role -----------------------------------------------------------------------------

def test_distinct_messages_are_not_copies():
    assert ck.written_for_its_account_and_role(ctx()).met == 1


def test_a_message_copied_to_another_account_with_the_name_swapped_is_a_blocker():
    copy = HONEST[4][4].replace("Brill Haulage", "Acme Freight")
    outcome = ck.written_for_its_account_and_role(ctx(changed(1, message=copy, channel="linkedin")))
    assert severities(outcome) == ["blocker", "blocker"] and outcome.met == 4 / 6
    assert outcome.findings[0].account == "Acme Freight Ltd"


def test_the_same_message_to_two_roles_is_a_blocker():
    outcome = ck.written_for_its_account_and_role(ctx(changed(5, message=HONEST[3][4], subject="")))
    assert severities(outcome) == ["blocker", "blocker"]


# --- names-the-account-and-its-situation ---------------------------------------------------------------------------

def test_messages_that_name_the_account_and_its_situation_pass():
    assert ck.names_the_account_and_its_situation(ctx()).met == 1


def test_a_message_without_the_account_name_is_flagged():
    outcome = ck.names_the_account_and_its_situation(
        ctx(changed(4, message="Ravi, before you commit budget to a new routing system, I can model the payback.")))
    assert severities(outcome) == ["improve"] and "does not name" in outcome.findings[0].message


def test_an_account_whose_messages_only_merge_in_its_name_is_a_blocker():
    ans = answer()
    for i in (3, 4, 5):
        ans["messages"][i]["message"] = f"Hi, as a leader at Brill Haulage you care about cost and efficiency ({i})."
        ans["messages"][i]["subject"] = ""
    outcome = ck.names_the_account_and_its_situation(ctx(ans))
    assert "blocker" in severities(outcome)
    blocker = next(f for f in outcome.findings if f.severity == "blocker")
    assert blocker.account_id == 2 and "merged in" in blocker.message


# --- speaks-to-the-role ----------------------------------------------------------------------------------------

def test_messages_speak_to_their_roles():
    assert ck.speaks_to_the_role(ctx()).met == 1


def test_a_message_off_its_role_is_flagged():
    outcome = ck.speaks_to_the_role(ctx(changed(4, role="procurement")))
    assert severities(outcome) == ["improve"] and "procurement" in outcome.findings[0].message


def test_a_blocker_answered_by_an_ad_is_flagged():
    outcome = ck.speaks_to_the_role(ctx(changed(3, role="blocker", channel="ad",
                                                message="Brill Haulage: worried about the routing migration risk?")))
    assert severities(outcome) == ["improve"] and "directly" in outcome.findings[0].message


# --- fits-the-channel --------------------------------------------------------------------------------------------

def test_messages_fit_their_channels():
    assert ck.fits_the_channel(ctx()).met == 1


def test_a_long_linkedin_note_and_an_email_without_subject_are_flagged():
    outcome = ck.fits_the_channel(ctx(changed(0, message=HONEST[0][4] * 3)))
    assert "at most 300 characters" in outcome.findings[0].message
    outcome = ck.fits_the_channel(ctx(changed(1, subject="")))
    assert "subject line" in outcome.findings[0].message


# --- proof-you-can-back-up ----------------------------------------------------------------------------------------

def test_a_sourced_percentage_passes_and_an_invented_one_is_flagged():
    sourced = "Ravi, a haulage customer cut Brill-sized routing cost by 12% in a year; I can model yours."
    assert ck.proof_you_can_back_up(ctx(changed(4, message=sourced))).met == 1
    invented = "Ravi, Brill Haulage could cut routing cost by 40% with payback in months on the new system."
    outcome = ck.proof_you_can_back_up(ctx(changed(4, message=invented)))
    assert outcome.met == 0 and "40%" in outcome.findings[0].message


# --- covers-the-mapped-roles -------------------------------------------------------------------------------------

def test_every_mapped_role_has_a_message():
    assert ck.covers_the_mapped_roles(ctx()).met == 1


def test_a_mapped_role_without_a_message_is_flagged_on_its_account():
    outcome = ck.covers_the_mapped_roles(ctx(answer(HONEST[:5])))
    assert outcome.met == (1 + 2 / 3) / 2
    assert outcome.findings[0].account == "Brill Haulage" and "technical evaluator" in outcome.findings[0].message


def test_a_message_to_a_role_with_no_contact_reaches_nobody():
    outcome = ck.covers_the_mapped_roles(ctx(changed(4, role="procurement")))
    assert any("nobody receives it" in f.message for f in outcome.findings)


# --- believable-buying-group -------------------------------------------------------------------------------------

def test_believable_roles_pass():
    assert ck.believable_buying_group(ctx()).met == 1


def test_an_intern_with_four_roles_is_flagged_and_does_not_count():
    ws = workspace()
    intern = make_contact(BRILL, "senior_decision_maker", "finance", "technical_evaluator", "user", id=99,
                          title="Intern", first_name="Ivy", last_name="Intern")
    ws = replace(ws, contacts=(*ws.contacts[:3], intern))
    context = ctx(ws=ws)
    outcome = ck.believable_buying_group(context)
    assert outcome.met == 3 / 4 and outcome.findings[0].account == "Brill Haulage"
    assert context.mapped[2] == set()


# --- the modules' definitions (one test per contradiction fixed) ------------------------------------------------

def test_module_07_naming_the_account_is_not_enough_without_its_situation():
    merged = "Hi Jo, as COO at Brill Haulage you know how important strategy and growth are. Worth a chat?"
    outcome = ck.names_the_account_and_its_situation(ctx(changed(3, message=merged)))
    assert outcome.met < 1 and "nothing of its situation" in outcome.findings[0].message


def test_module_07_a_segment_message_copied_across_accounts_does_not_count():
    copy = HONEST[0][4].replace("Acme Freight", "Brill Haulage")
    assert not ck.check(workspace(), changed(3, message=copy)).passed


def test_module_07_a_phone_opener_ends_in_a_question():
    outcome = ck.fits_the_channel(ctx(changed(2, message=HONEST[2][4].replace("?", "."))))
    assert "asks no question" in outcome.findings[0].message


def test_module_07_a_phone_opener_is_short():
    outcome = ck.fits_the_channel(ctx(changed(2, message=HONEST[2][4] + " more words" * 40)))
    assert "at most 80 words" in outcome.findings[0].message


def test_module_07_an_email_has_a_subject_line():
    outcome = ck.fits_the_channel(ctx(changed(1, subject="")))
    assert outcome.met < 1 and "subject line" in outcome.findings[0].message


def test_module_07_event_invitations_are_a_channel():
    invite = ("Shift planners at Acme Freight: a hands-on session to plan one night's loads across the second hub "
              "on a single screen, so your daily routine gets easier.")
    outcome = ck.fits_the_channel(ctx(changed(2, role="user", channel="event_invitation", message=invite)))
    assert outcome.met == 1


def test_module_07_invented_percentages_undermine_trust():
    invented = "Ravi, Brill Haulage could cut routing cost by 40% with payback in months on the new system."
    result = ck.check(workspace(), changed(4, message=invented))
    assert result.score < 100 and any(f.rule == "proof-you-can-back-up" for f in result.findings)


def test_module_07_blockers_are_answered_in_conversation():
    outcome = ck.speaks_to_the_role(ctx(changed(3, role="blocker", channel="direct_mail",
                                                message="Brill Haulage: your concerns about the routing change.")))
    assert "directly" in outcome.findings[0].message


def test_module_05_roles_contradicted_by_title_do_not_count():
    ws = workspace()
    junior = replace(ws.contacts[4], title="Finance Intern")
    ws = replace(ws, contacts=(*ws.contacts[:4], junior, ws.contacts[5]))
    assert "finance" not in ctx(ws=ws).mapped[2]


def test_situation_comes_from_the_workspace_signals_too():
    ws = replace(workspace(), signals=(make_signal(BRILL, 20, "webinar", topic="Telematics integration"),))
    assert "telematics" in ck.situation_words(ws, BRILL)


def test_empty_workspace_and_unreadable_answer_are_findings_not_errors():
    assert ck.check(snapshot(), {}).findings[0].severity == "blocker"
    result = ck.check(workspace(), {"messages": "nonsense"})
    assert not result.passed and result.score == 0
    assert not ck.check(workspace(), {"messages": [None, 3, {"account": "x"}]}).passed


def test_module_07_a_message_to_another_role_with_a_sentence_added_is_a_copy():
    padded = HONEST[3][4] + " I can also send the security note and the integration summary."
    outcome = ck.written_for_its_account_and_role(ctx(changed(5, message=padded, subject="")))
    assert severities(outcome) == ["blocker", "blocker"]
    assert ck.near_copies(ctx().messages) == {}

"""exercises/role-messaging/check.py: coverage of roles, naming the account, role concerns, length, duplicates."""

import pytest

from tests.practice.snapshot_builders import committee, large_workspace, load_checker, make_account, snapshot

checker = load_checker("role-messaging")

M_MESSAGING = "abm-foundations/role-specific-messaging"
M_ROLES = "abm-foundations/buying-groups-and-roles"

FINANCE_EMAIL = (
    "Hello Morgan, Harbourline Logistics is opening two depots this year, and fuel is the line that moves your "
    "budget most. Firms of a similar size cut fuel spend by eight per cent in the first six months after "
    "switching to dynamic routing, with payback inside two quarters. I have put the numbers for a network like "
    "yours on one page, including the risk if volumes fall short of plan. Would a twenty-minute call next "
    "Tuesday help you test the assumptions before the planning round closes?"
)
USER_LINKEDIN = (
    "Hi Priya, planners at Harbourline Logistics tell me the day-to-day juggling of late loads eats hours. "
    "Our drivers' app makes that workflow easier. Happy to connect?"
)
TECH_PHONE = (
    "Hi Sam, it's Alex from Routewise. I'm calling because Harbourline Logistics runs its planning on an "
    "in-house system, and teams in that position usually ask two things: how our API integrates with the "
    "warehouse platform, and how we keep data secure. Could I send you our architecture note and book thirty "
    "minutes with our engineer?"
)
EXEC_MAIL = (
    "Dear Dr Okafor, Fernhollow Labs has set a strategy of growth into two new European markets. The "
    "laboratories that win those markets fastest treat sample logistics as a competitive advantage rather "
    "than a cost centre. We have prepared a short briefing for your board on how three peers grew revenue "
    "while halving turnaround times, and we would welcome your view on whether the same applies to you."
)
OWNER_EMAIL = (
    "Hello Jamie, your team at Fernhollow Labs is being asked to raise throughput by a fifth without adding "
    "headcount. The process that usually stands in the way is manual sample booking, which ties up "
    "coordinators every morning and makes the weekly targets hard to hit. We have mapped how two similar "
    "teams changed that process, what it did to productivity and how they measured it. If it would help your "
    "planning for next quarter, I can walk you through the before-and-after in fifteen minutes."
)
PROCUREMENT_AD = (
    "Fernhollow Labs: a framework contract with clear terms, UK data residency and fixed pricing."
)


def workspace():
    harbour = make_account(name="Harbourline Logistics Ltd", tier="1:1")
    fern = make_account(name="Fernhollow Labs plc", tier="1:few")
    contacts = committee(harbour, "finance", "user", "technical_evaluator") + committee(
        fern, "senior_decision_maker", "functional_owner", "procurement"
    )
    return harbour, fern, contacts


def good_answer(harbour, fern):
    return {
        "messages": [
            {
                "account": harbour.id,
                "role": "finance",
                "channel": "email",
                "subject": "Fuel cost",
                "message": FINANCE_EMAIL,
            },
            {"account": harbour.id, "role": "user", "channel": "linkedin", "message": USER_LINKEDIN},
            {
                "account": harbour.id,
                "role": "technical_evaluator",
                "channel": "phone_script",
                "message": TECH_PHONE,
            },
            {
                "account": fern.id,
                "role": "senior_decision_maker",
                "channel": "direct_mail",
                "message": EXEC_MAIL,
            },
            {"account": fern.id, "role": "functional_owner", "channel": "email", "message": OWNER_EMAIL},
            {"account": fern.id, "role": "procurement", "channel": "ad", "message": PROCUREMENT_AD},
        ]
    }


def run(answer, ws=None):
    if ws is None:
        harbour, fern, contacts = workspace()
        ws = snapshot([harbour, fern], contacts)
    return checker.check(ws, answer)


def setup(edit=None):
    harbour, fern, contacts = workspace()
    answer = good_answer(harbour, fern)
    if edit:
        edit(answer["messages"])
    return checker.check(snapshot([harbour, fern], contacts), answer), harbour, fern


def row_findings(result, number, field="messages.message"):
    return [f for f in result.findings if f.about == "answer" and f.about_id == number and f.field == field]


def test_good_messages_pass_with_full_marks():
    result, _, _ = setup()
    assert [f.severity for f in result.findings] == ["good"], [f.message for f in result.findings]
    assert result.passed
    assert result.score == 100
    assert result.summary["accounts"] == 2
    assert result.summary["clean_messages"] == 6
    assert result.summary["roles_per_account"] == {"Harbourline Logistics Ltd": 3, "Fernhollow Labs plc": 3}


def test_empty_workspace_says_import_first():
    result = checker.check(snapshot(), {"messages": []})
    assert result.score == 0
    assert result.findings[0].severity == "blocker"
    assert "import your accounts" in result.findings[0].message


def test_no_messages_is_a_blocker():
    result = run({})
    assert result.score == 0
    assert result.findings[0].severity == "blocker"
    assert "not written any messages" in result.findings[0].message


def test_fewer_than_two_accounts_is_a_blocker():
    result, harbour, _ = setup(lambda rows: rows.__delitem__(slice(3, 6)))
    blocker = result.findings[0]
    assert blocker.severity == "blocker"
    assert blocker.field == "messages.account"
    assert "for 1 account (Harbourline Logistics Ltd)" in blocker.message
    assert "at least 2 accounts" in blocker.message
    assert not result.passed
    assert result.score == 80  # coverage 1/2


def test_mapped_role_without_a_message_is_named():
    result, harbour, _ = setup(lambda rows: rows.pop(2))
    findings = [f for f in result.findings if f.about_id == harbour.id and f.field == "messages"]
    assert any("roles you have not written for: technical evaluator" in f.message for f in findings)
    assert any("messages for 2 roles (finance, user)" in f.message for f in findings)
    assert result.score == 93  # 40% x coverage (2/3 + 1) / 2 + 60% x quality 1.0


def test_account_with_fewer_than_three_mapped_roles():
    harbour, fern, contacts = workspace()
    contacts = [c for c in contacts if c.roles != ("procurement",)]
    result = checker.check(snapshot([harbour, fern], contacts), good_answer(harbour, fern))
    finding = next(f for f in result.findings if f.about_id == fern.id and f.field == "contacts")
    assert finding.module == M_ROLES
    assert "contacts in only 2 buying roles" in finding.message
    row = row_findings(result, 6, "messages.role")[0]
    assert "has no procurement contact, so nobody will receive it" in row.message
    assert result.score == 100  # the unmapped role fills the third slot


def test_message_must_name_the_account():
    def edit(rows):
        rows[0]["message"] = FINANCE_EMAIL.replace("Harbourline Logistics", "your company")
        rows[0]["subject"] = ""

    result, _, _ = setup(edit)
    (finding,) = row_findings(result, 1)
    assert finding.severity == "improve"
    assert (
        "Message 1 (finance at Harbourline Logistics Ltd) does not name Harbourline Logistics Ltd"
        in finding.message
    )
    assert finding.module == M_MESSAGING
    assert result.score == 98  # quality 23 of 24 checks


def test_name_without_legal_suffix_and_in_other_case_counts():
    result, _, _ = setup(
        lambda rows: rows[4].update(message=OWNER_EMAIL.replace("Fernhollow Labs", "FERNHOLLOW LABS"))
    )
    assert not row_findings(result, 5)


def test_name_in_the_subject_counts():
    def edit(rows):
        rows[0]["message"] = FINANCE_EMAIL.replace("Harbourline Logistics", "your company")
        rows[0]["subject"] = "Harbourline Logistics: the fuel bill"

    result, _, _ = setup(edit)
    assert not [f for f in row_findings(result, 1) if "does not name" in f.message]


@pytest.mark.parametrize(
    "role", ["finance", "technical_evaluator", "procurement", "champion", "blocker", "user"]
)
def test_message_must_speak_to_the_role(role):
    harbour = make_account(name="Harbourline Logistics", tier="1:1")
    text = "Hello from us at Harbourline Logistics. We would love to have a chat sometime soon about things."
    result = checker.check(
        snapshot([harbour], committee(harbour, role)),
        {"messages": [{"account": harbour.id, "role": role, "channel": "linkedin", "message": text}]},
    )
    (finding,) = row_findings(result, 1)
    assert f"does not speak to the {role.replace('_', ' ')} role's concerns" in finding.message
    assert checker.CONCERN_EXAMPLES[role] in finding.message


def test_role_concern_words_match_inflections_and_phrases():
    harbour = make_account(name="Harbourline Logistics", tier="1:1")
    cases = {
        "finance": "Harbourline Logistics could see payback within a year.",
        "technical_evaluator": "It integrates with Harbourline Logistics' warehouse systems.",
        "user": "Less day-to-day admin for planners at Harbourline Logistics.",
        "champion": "I can help you make the case inside Harbourline Logistics.",
        "blocker": "I understand your concerns about switching at Harbourline Logistics.",
    }
    rows = [{"account": harbour.id, "role": r, "channel": "ad", "message": m} for r, m in cases.items()]
    result = checker.check(snapshot([harbour], committee(harbour, *cases)), {"messages": rows})
    assert not [f for f in result.findings if "does not speak" in f.message]


def test_near_duplicates_across_roles_are_named_with_similarity():
    def edit(rows):
        rows[1].update(channel="email", message=FINANCE_EMAIL.replace("Morgan", "Priya") + " Thanks.")

    result, _, _ = setup(edit)
    (finding,) = [f for f in result.findings if "similar" in f.message]
    assert finding.about_id == 2
    assert (
        "Messages 1 and 2 (finance and user at Harbourline Logistics Ltd) are 99% similar" in finding.message
    )
    assert result.summary["near_duplicates"] == 1


def test_same_role_on_two_channels_is_not_a_near_duplicate():
    def edit(rows):
        rows.append(
            {
                "account": rows[0]["account"],
                "role": "finance",
                "channel": "direct_mail",
                "message": FINANCE_EMAIL,
            }
        )

    result, _, _ = setup(edit)
    assert not [f for f in result.findings if "similar" in f.message]


def test_messages_at_different_accounts_are_not_compared():
    def edit(rows):
        rows[4]["message"] = FINANCE_EMAIL.replace("Harbourline Logistics", "Fernhollow Labs")

    result, _, _ = setup(edit)
    assert not [f for f in result.findings if "similar" in f.message]


@pytest.mark.parametrize(
    ("row", "channel", "message", "words"),
    [
        (
            1,
            "linkedin",
            USER_LINKEDIN * 3,
            "characters long; a LinkedIn connection note should be at most 300",
        ),
        (
            5,
            "ad",
            PROCUREMENT_AD + " Terms apply to all suppliers across the UK and Ireland, with extra notes.",
            "an ad should be at most 150 characters",
        ),
        (
            0,
            "email",
            "Harbourline Logistics: cut fuel cost with routing.",
            "is only 7 words; an email needs at least 50",
        ),
        (0, "email", FINANCE_EMAIL * 3, "an email should be at most 200 words"),
        (2, "phone_script", TECH_PHONE * 3, "a phone script should be at most 150 words"),
        (3, "direct_mail", EXEC_MAIL * 4, "a direct-mail piece should be at most 250 words"),
    ],
)
def test_length_fits_the_channel(row, channel, message, words):
    result, _, _ = setup(lambda rows: rows[row].update(channel=channel, message=message))
    findings = [f for f in row_findings(result, row + 1) if "long" in f.message or "only" in f.message]
    assert len(findings) == 1
    assert words in findings[0].message


@pytest.mark.parametrize(
    "placeholder", ["[First name]", "{{company}}", "XXX", "Lorem ipsum", "{first_name}", "%FIRSTNAME%"]
)
def test_placeholders_are_blockers(placeholder):
    result, _, _ = setup(lambda rows: rows[3].update(message=EXEC_MAIL.replace("Dr Okafor", placeholder)))
    blocker = result.findings[0]
    assert blocker.severity == "blocker"
    assert blocker.about_id == 4
    assert blocker.field == "messages.message"
    assert "still contains the placeholder" in blocker.message
    assert placeholder.split()[0] in blocker.message
    assert not result.passed
    assert result.summary["placeholders"] == 1


def test_placeholder_in_the_subject():
    result, _, _ = setup(lambda rows: rows[0].update(subject="[Company] fuel costs"))
    blocker = result.findings[0]
    assert blocker.severity == "blocker"
    assert blocker.field == "messages.subject"


def test_bad_rows_are_reported_and_skipped():
    def edit(rows):
        rows.extend(
            [
                {"account": 999999, "role": "finance", "channel": "email", "message": "x"},
                {"account": rows[0]["account"], "role": "wizard", "channel": "email", "message": "x"},
                {
                    "account": rows[0]["account"],
                    "role": "finance",
                    "channel": "pigeon",
                    "message": FINANCE_EMAIL,
                },
                {"account": rows[0]["account"], "role": "finance", "channel": "email", "message": "   "},
                "not a row",
            ]
        )

    result, _, _ = setup(edit)
    assert "not in your workspace (999999)" in row_findings(result, 7, "messages.account")[0].message
    assert "'wizard', which is not a buying role" in row_findings(result, 8, "messages.role")[0].message
    assert "channel 'pigeon'" in row_findings(result, 9, "messages.channel")[0].message
    assert "has no text" in row_findings(result, 10)[0].message
    assert "is empty" in row_findings(result, 11)[0].message
    assert result.summary["usable_messages"] == 7


@pytest.mark.parametrize(
    "answer",
    [
        None,
        "text",
        [],
        {"messages": "lots"},
        {"messages": None},
        {"messages": [None, 1, [], {}]},
        {
            "messages": [
                {"account": [1], "role": ["finance"], "channel": {"x": 1}, "message": 42, "subject": 7}
            ]
        },
    ],
)
def test_garbage_answers_do_not_raise(answer):
    result = run(answer)
    assert 0 <= result.score <= 100
    assert not result.passed


def test_a_large_workspace_runs():
    ws = large_workspace(5000, 8)
    rows = [
        {"account": a.id, "role": role, "channel": "email", "message": f"{a.name} budget and team " * 12}
        for a in ws.accounts[:300]
        for role in ("finance", "user", "senior_decision_maker")
    ]
    result = checker.check(ws, {"messages": rows})
    assert result.summary["accounts"] == 300


def test_a_short_ad_inside_a_long_email_is_not_a_near_duplicate():
    # token_set_ratio would score 100 (every word of the ad is in the email); lengths too different to compare.
    ad = "Harbourline Logistics: cut fuel spend, payback inside two quarters."
    result, _, _ = setup(lambda rows: rows[1].update(channel="ad", message=ad))
    assert not [f for f in result.findings if "similar" in f.message]

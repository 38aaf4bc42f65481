"""exercises/contact-list-build/check.py: coverage, density, duplicates, email quality, matching, completeness."""

import pytest

from tests.practice.snapshot_builders import (
    large_workspace,
    load_checker,
    make_account,
    make_contact,
    snapshot,
)

checker = load_checker("contact-list-build")

M_CONTACTS = "abm-foundations/building-the-contact-list"
M_ROLES = "abm-foundations/buying-groups-and-roles"
M_TOOLS = "abm-alignment-programme/tool-adoption-and-enablement"

ROLES = (
    "senior_decision_maker",
    "functional_owner",
    "technical_evaluator",
    "finance",
    "procurement",
    "user",
    "influencer",
    "champion",
)


def staff(account, n):
    return [make_contact(account, ROLES[i % len(ROLES)], first_name=f"Person{i}") for i in range(n)]


def clean_workspace():
    harbour = make_account(
        name="Harbourline Logistics",
        tier="1:1",
        domain="harbourline.example",
        website="https://www.harbourline.example",
    )
    fern = make_account(
        name="Fernhollow Labs plc", tier="1:few", domain="fernhollow.co.uk", website="fernhollow.co.uk"
    )
    quenby = make_account(
        name="The Quenby Group", tier="1:many", domain="quenby-group.example", website="quenby-group.example"
    )
    contacts = staff(harbour, 8) + staff(fern, 4) + staff(quenby, 2)
    return [harbour, fern, quenby], contacts


def run(accounts, contacts):
    return checker.check(snapshot(accounts, contacts), {})


def contact_findings(result, contact_id, field=None):
    return [
        f
        for f in result.findings
        if f.about == "contact" and f.about_id == contact_id and (field is None or f.field == field)
    ]


def test_a_clean_covered_list_passes_with_full_marks():
    accounts, contacts = clean_workspace()
    result = run(accounts, contacts)
    assert result.passed
    assert result.score == 100
    assert all(f.severity == "good" for f in result.findings)
    s = result.summary
    assert s["coverage"] == 1.0
    assert s["density_met"] == 1.0
    assert s["data_quality"] == 1.0
    assert s["match_rate"] == 1.0
    assert s["contacts"] == 14


def test_empty_workspace_says_import_first():
    result = run([], [])
    assert result.score == 0
    assert result.findings[0].severity == "blocker"
    assert "import your accounts first" in result.findings[0].message


def test_accounts_without_contacts_is_a_blocker():
    accounts, _ = clean_workspace()
    result = run(accounts, [])
    assert not result.passed
    assert result.findings[0].severity == "blocker"
    assert result.findings[0].field == "contacts"
    assert "no contacts" in result.findings[0].message


def test_target_account_without_contacts():
    accounts, contacts = clean_workspace()
    wyndle = make_account(name="Wyndle Health", tier="1:few")
    result = run([*accounts, wyndle], contacts)
    (finding,) = [f for f in result.findings if f.about_id == wyndle.id]
    assert finding.severity == "improve"
    assert finding.about == "account"
    assert finding.field == "contacts"
    assert "Wyndle Health (1:few) is a target account with no contacts" in finding.message
    assert result.summary["coverage"] == 0.75
    assert result.score == 90  # coverage part 3/4


def test_non_target_accounts_do_not_need_contacts():
    accounts, contacts = clean_workspace()
    result = run([*accounts, make_account(is_target=False)], contacts)
    assert result.score == 100


@pytest.mark.parametrize(
    ("tier", "n", "aim", "words"),
    [
        ("1:1", 3, 8, "enterprise buying groups need 8-15"),
        ("1:few", 2, 4, "mid-market buying groups need 4-8"),
        ("1:many", 1, 2, "economic buyer and the functional owner"),
    ],
)
def test_contact_density_against_the_tier(tier, n, aim, words):
    accounts, contacts = clean_workspace()
    thin = make_account(name="Corvessa Freight", tier=tier)
    result = run([*accounts, thin], contacts + staff(thin, n))
    (finding,) = [f for f in result.findings if f.about_id == thin.id]
    assert finding.field == "contacts"
    assert f"has {n} contact" in finding.message
    assert f"aim for at least {aim}" in finding.message
    assert words in finding.message
    assert result.summary["density_met"] == 0.75


def test_duplicate_email_is_flagged_on_the_second_record():
    accounts, contacts = clean_workspace()
    first = contacts[0]
    dupe = make_contact(
        accounts[0], "finance", first_name="Sam", last_name="Reed", email=first.email.upper() + " "
    )
    result = run(accounts, [*contacts, dupe])
    (finding,) = contact_findings(result, dupe.id)
    assert finding.field == "email"
    assert f"duplicate of {first.name} (contact {first.id})" in finding.message
    assert "Merge them" in finding.message
    assert not contact_findings(result, first.id)
    assert result.summary["issues"]["duplicates"] == 1
    assert result.summary["distinct_contacts"] == 14


def test_same_name_at_same_account_is_a_likely_duplicate():
    accounts, contacts = clean_workspace()
    a = make_contact(
        accounts[1], "user", first_name="Zoë", last_name="Hart", email="zoe.hart@fernhollow.co.uk"
    )
    b = make_contact(accounts[1], "user", first_name="zoe ", last_name="HART", email="zhart@fernhollow.co.uk")
    elsewhere = make_contact(accounts[2], "user", first_name="Zoë", last_name="Hart")
    result = run(accounts, [*contacts, a, b, elsewhere])
    (finding,) = contact_findings(result, b.id)
    assert finding.field == "name"
    assert f"appears twice (also contact {a.id})" in finding.message
    assert not contact_findings(result, elsewhere.id)


def test_free_mail_address():
    accounts, contacts = clean_workspace()
    jo = make_contact(
        accounts[0], "finance", first_name="Jo", last_name="Bloggs", email="jo.bloggs@gmail.com"
    )
    result = run(accounts, [*contacts, jo])
    (finding,) = contact_findings(result, jo.id)
    assert finding.field == "email"
    assert "personal email address (gmail.com)" in finding.message
    assert result.summary["issues"]["free_mail"] == 1


@pytest.mark.parametrize(
    "email", ["jo@@harbourline.example", "jo at harbourline", "jo@harbourline", "jo@x.local"]
)
def test_malformed_email(email):
    accounts, contacts = clean_workspace()
    jo = make_contact(accounts[0], "finance", first_name="Jo", last_name="Bloggs", email=email)
    result = run(accounts, [*contacts, jo])
    (finding,) = contact_findings(result, jo.id)
    assert finding.field == "email"
    assert "malformed email address" in finding.message
    assert result.summary["issues"]["invalid_email"] == 1


def test_missing_email():
    accounts, contacts = clean_workspace()
    jo = make_contact(accounts[0], "finance", email=None)
    result = run(accounts, [*contacts, jo])
    (finding,) = contact_findings(result, jo.id)
    assert "has no email address" in finding.message


def test_unusual_but_valid_emails_are_accepted():
    accounts, contacts = clean_workspace()
    odd = make_contact(accounts[0], "user", email="o'brien+abm@Mail.Harbourline.example")
    result = run(accounts, [*contacts, odd])
    assert not contact_findings(result, odd.id)


def test_email_domain_of_another_account():
    accounts, contacts = clean_workspace()
    harbour, fern, _ = accounts
    misfiled = make_contact(
        harbour, "finance", first_name="Ada", last_name="Moss", email="ada@fernhollow.co.uk"
    )
    result = run(accounts, [*contacts, misfiled])
    (finding,) = contact_findings(result, misfiled.id)
    assert finding.field == "account_id"
    assert finding.module == M_TOOLS
    assert (
        "linked to Harbourline Logistics, but their email domain (fernhollow.co.uk) belongs to "
        "Fernhollow Labs plc" in finding.message
    )
    assert result.summary["issues"]["domain_conflicts"] == 1


def test_email_domain_subdomain_matches_own_account():
    accounts, contacts = clean_workspace()
    ok = make_contact(accounts[1], "finance", email="ada@mail.fernhollow.co.uk")
    result = run(accounts, [*contacts, ok])
    assert not contact_findings(result, ok.id)


def test_unlinked_contact_with_a_matching_domain_gets_a_suggestion():
    accounts, contacts = clean_workspace()
    loose = make_contact(None, "user", first_name="Ian", last_name="Lee", email="ian@quenby-group.example")
    result = run(accounts, [*contacts, loose])
    (finding,) = contact_findings(result, loose.id)
    assert finding.field == "account_id"
    assert "not linked to an account" in finding.message
    assert "(quenby-group.example) belongs to The Quenby Group: link them to it" in finding.message
    assert result.summary["match_rate"] == round(14 / 15, 3)


def test_unlinked_contact_without_a_match():
    accounts, contacts = clean_workspace()
    loose = make_contact(None, "user", email="ian@elsewhere.example")
    unknown = make_contact(987654, "user", email="kim@elsewhere.example")
    result = run(accounts, [*contacts, loose, unknown])
    assert "link them to the company they work for" in contact_findings(result, loose.id)[0].message
    assert "not in your workspace (id 987654): link them" in contact_findings(result, unknown.id)[0].message
    assert result.summary["issues"]["unlinked"] == 2


def test_free_mail_excluded_match_rate_variant():
    accounts, contacts = clean_workspace()
    loose = make_contact(None, "user", email="ian@hotmail.com")
    result = run(accounts, [*contacts, loose])
    assert result.summary["match_rate"] == round(14 / 15, 3)
    assert result.summary["match_rate_excluding_free_mail"] == 1.0


def test_missing_title_and_roles():
    accounts, contacts = clean_workspace()
    bare = make_contact(accounts[0], title=None, first_name="Pat", last_name="Kay")
    result = run(accounts, [*contacts, bare])
    (title,) = contact_findings(result, bare.id, "title")
    (roles,) = contact_findings(result, bare.id, "roles")
    assert "Pat Kay at Harbourline Logistics has no job title" in title.message
    assert "has no buying role" in roles.message
    assert roles.module == M_ROLES
    assert result.summary["clean_contacts"] == 14


def test_score_weights_coverage_quality_and_match_rate():
    harbour = make_account(tier="1:many")
    contacts = [
        make_contact(harbour, "finance"),
        make_contact(harbour, title=None, roles=()),
        make_contact(None, "user"),
        make_contact(None, "user"),
    ]
    result = run([harbour], contacts)
    # coverage 1.0 (2 distinct of aim 2), quality 1/4, match rate 2/4 -> 40 + 10 + 10
    assert result.summary["parts"] == {"coverage": 1.0, "quality": 0.25, "match_rate": 0.5}
    assert result.score == 60
    assert not result.passed


def test_findings_are_listed_for_every_contact():
    accounts, contacts = clean_workspace()
    bad = [make_contact(accounts[0], "user", email=f"p{i}@gmail.com") for i in range(30)]
    result = run(accounts, contacts + bad)
    assert len([f for f in result.findings if "personal email" in f.message]) == 30


def test_odd_values_in_the_snapshot_do_not_raise():
    harbour = make_account(name="", tier="weird", website=None, domain=None)
    contacts = [make_contact(harbour, "not-a-role", email="", first_name=None, last_name=None, title="  ")]
    result = run([harbour], contacts)
    assert 0 <= result.score <= 100


@pytest.mark.parametrize("answer", [None, "junk", {"messages": 3}])
def test_garbage_answers_do_not_raise(answer):
    accounts, contacts = clean_workspace()
    assert checker.check(snapshot(accounts, contacts), answer).score == 100


def test_a_large_workspace_runs():
    result = checker.check(large_workspace(5000, 8), {})
    assert result.summary["contacts"] > 39000
    assert result.summary["issues"]["duplicates"] > 0
    assert result.summary["issues"]["domain_conflicts"] > 0


def test_unlinked_contact_whose_domain_two_accounts_share():
    accounts, contacts = clean_workspace()
    twin = make_account(name="Quenby Group Holdings", tier="1:many", website="https://quenby-group.example")
    loose = make_contact(None, "user", email="ian@quenby-group.example")
    result = run([*accounts, twin], [*contacts, *staff(twin, 2), loose])
    (finding,) = contact_findings(result, loose.id)
    assert "belongs to The Quenby Group and Quenby Group Holdings" in finding.message


def test_contact_linked_to_a_missing_account_gets_a_suggestion():
    accounts, contacts = clean_workspace()
    stray = make_contact(555555, "user", email="ian@harbourline.example")
    result = run(accounts, [*contacts, stray])
    (finding,) = contact_findings(result, stray.id)
    assert (
        "(id 555555), but their email domain (harbourline.example) belongs to Harbourline Logistics: link them to it"
        in finding.message
    )


@pytest.mark.parametrize(
    "email",
    [
        "jo@larkspur-devices.example",
        "JO@LARKSPUR-DEVICES.EXAMPLE ",
        "o'brien+abm@mail.fernhollow.co.uk",
        "jo@x.local",
        "jo@x.test",
        "jo@xn--uk.io",
        "jo@bücher.de",
        "jö@example.com",
        "jo..x@example.com",
        "-jo@a-.com",
        "jo@-a.com",
        "jo@example.c0m",
        "a" * 65 + "@example.com",
        "jo@" + "a" * 64 + ".com",
        "jo@co.uk",
    ],
)
def test_fast_email_path_agrees_with_the_domains_module(email):
    from lms.abm.domains import email_domain, is_valid_email
    from lms.abm.matching import AccountIndex

    _, status, domain = checker._Domains(AccountIndex([])).email_facts(email)
    assert (status == "ok") == is_valid_email(email)
    assert domain == (email_domain(email) if is_valid_email(email) else None)

"""Lead-to-account matching: the 31 cases of ABM-REFERENCE 3.3 and further edge cases, without the app."""

from __future__ import annotations

import time

import pytest

from lms.abm.matching import (
    FLAGS,
    REASONS,
    AccountIndex,
    AccountRef,
    Match,
    canonical_external_id,
    describe,
    match_lead,
    match_rate,
    normalise_company_name,
)

LARKSPUR, KETTLEWELL, FERNHOLLOW, QUENBY, ARDELLE, TALLIS = 1, 2, 3, 4, 5, 6
WYNDLE, CORVESSA, ILVERMOOR, ILVERMOOR_PARTNERS, OYELARAN = 7, 8, 9, 10, 11

ACCOUNTS = (
    AccountRef(LARKSPUR, "Larkspur Devices, Inc.", "https://www.larkspur-devices.example"),
    AccountRef(KETTLEWELL, "Kettlewell & Sons GmbH", "kettlewell-sons.example"),
    AccountRef(FERNHOLLOW, "Fernhollow Labs plc", "fernhollow.co.uk"),
    AccountRef(QUENBY, "The Quenby Group", "quenby-group.example"),
    AccountRef(ARDELLE, "Société Nautique Ardelle SA", "ardelle-nautique.example"),
    AccountRef(TALLIS, "Tallis Data Systems", "https://data.tallis-systems.example/en"),
    AccountRef(WYNDLE, "Wyndle Health", None),
    AccountRef(CORVESSA, "Corvessa Freight Co.", "corvessa-freight.example"),
    AccountRef(ILVERMOOR, "Ilvermoor Analytics", "ilvermoor.example"),
    AccountRef(ILVERMOOR_PARTNERS, "Ilvermoor Analytics Partners LLP", "ilvermoor-partners.example"),
    AccountRef(OYELARAN, "Oyelaran Systems Oy", "oyelaran.example"),
)


@pytest.fixture(scope="module")
def index() -> AccountIndex:
    return AccountIndex(ACCOUNTS)


# (case, email, company, expected account, expected reason, expected flags)
REFERENCE_CASES = [
    (1, "jo@larkspur-devices.example", "Larkspur Devices", LARKSPUR, "normalised_name", ()),
    (2, "JO@LARKSPUR-DEVICES.EXAMPLE", "", LARKSPUR, "domain", ()),
    (3, "jo@eng.larkspur-devices.example", "", LARKSPUR, "domain", ()),
    (4, "jo@larkspur-devices.example ", "", LARKSPUR, "domain", ()),
    (5, "jo@gmail.com", "Larkspur Devices Inc", LARKSPUR, "normalised_name", ("free_mail",)),
    (6, "jo@gmail.com", "", None, "free_mail", ("free_mail",)),
    (7, "jo@gmail.com", "Gmail", None, "free_mail", ("free_mail",)),
    (8, "jo@yahoo.co.uk", "", None, "free_mail", ("free_mail",)),
    (9, "jo@kettlewell-sons.example", "Kettlewell and Sons", KETTLEWELL, "normalised_name", ()),
    (10, "", "KETTLEWELL & SONS", KETTLEWELL, "normalised_name", ()),
    (11, "jo@fernhollow.co.uk", "", FERNHOLLOW, "domain", ()),
    (12, "jo@mail.fernhollow.co.uk", "", FERNHOLLOW, "domain", ()),
    (13, "jo@otherfirm.co.uk", "", None, "no_match", ()),
    (14, "jo@outlook.com", "Fernhollow Labs", FERNHOLLOW, "normalised_name", ("free_mail",)),
    (15, "jo@quenby-group.example", "Quenby Group", QUENBY, "normalised_name", ()),
    (16, "", "Société Nautique Ardelle", ARDELLE, "normalised_name", ()),
    (17, "", "Societe Nautique Ardelle S.A.", ARDELLE, "normalised_name", ()),
    (18, "jo@ardelle-nautique.example", "Nautique Ardelle", ARDELLE, "domain", ()),
    (19, "jo@tallis-systems.example", "", TALLIS, "domain", ()),
    (20, "jo@tallis.example", "Tallis", None, "no_match", ()),
    (21, "jo@wyndle-health.example", "Wyndle Health", WYNDLE, "exact_name", ()),
    (22, "jo@wyndle-health.example", "", None, "no_match", ()),
    (23, "jo@corvessa-freight.example", "Corvessa Freight Company", CORVESSA, "normalised_name", ()),
    (24, "jo@ilvermoor.example", "Ilvermoor Analytics Inc.", ILVERMOOR, "normalised_name", ()),
    (25, "", "Ilvermoor Analytics Partners LLP", ILVERMOOR_PARTNERS, "exact_name", ()),
    (26, "", "Ilvermoor", None, "no_match", ()),
    (27, "", "Oyelaran Systems", OYELARAN, "normalised_name", ()),
    (28, "jo@@larkspur-devices.example", "Larkspur Devices", None, "invalid_email", ()),
    (29, "jo@larkspur-devices.example.evil.example", "", None, "no_match", ()),
    (30, "jo@larkspurdevices.example", "", None, "no_match", ()),
    (31, "jo@kettlewell-sons.example", "Larkspur Devices", LARKSPUR, "normalised_name", ("domain_conflict",)),
]


@pytest.mark.parametrize(
    ("case", "email", "company", "account", "reason", "flags"),
    REFERENCE_CASES,
    ids=[f"case{c[0]:02d}" for c in REFERENCE_CASES],
)
def test_reference_case_matches_expected_account_with_reason(
    index, case, email, company, account, reason, flags
):
    result = match_lead(index, email=email or None, company=company or None)
    assert (result.account_id, result.reason, result.flags) == (account, reason, flags)


def test_there_are_31_reference_cases():
    assert [c[0] for c in REFERENCE_CASES] == list(range(1, 32))


def test_partial_name_is_only_a_suggestion_case_20(index):
    assert match_lead(index, email="jo@tallis.example", company="Tallis").suggestions == (TALLIS,)


def test_ambiguous_partial_name_suggests_both_accounts_case_26(index):
    assert set(match_lead(index, company="Ilvermoor").suggestions) == {ILVERMOOR, ILVERMOOR_PARTNERS}


def test_account_without_website_matches_by_its_contacts_domains_case_22_extension():
    accounts = [
        *ACCOUNTS[:6],
        AccountRef(WYNDLE, "Wyndle Health", contact_domains=("jane@wyndle-health.example",)),
    ]
    result = match_lead(AccountIndex(accounts), email="jo@wyndle-health.example")
    assert result == Match(WYNDLE, "domain", ("contact_domain",))


def test_an_account_website_outranks_another_accounts_contact_domain():
    accounts = [
        AccountRef(1, "Larkspur Devices", "larkspur-devices.example"),
        AccountRef(2, "Larkspur Reseller", contact_domains=("larkspur-devices.example",)),
    ]
    assert match_lead(AccountIndex(accounts), email="jo@larkspur-devices.example") == Match(1, "domain")


def test_free_mail_contact_domains_are_never_learnt():
    index = AccountIndex([AccountRef(1, "Wyndle Health", contact_domains=("gmail.com",))])
    assert match_lead(index, email="jo@gmail.com").account_id is None


# --- Explicit account ids ---------------------------------------------------------------------------

SF_15, SF_18 = "001A0000006Vm9r", "001A0000006Vm9rIAC"


def test_salesforce_18_character_id_matches_the_15_character_form():
    index = AccountIndex([AccountRef(1, "Larkspur Devices", external_id=SF_15)])
    assert match_lead(index, account_external_id=SF_18) == Match(1, "external_id")


def test_salesforce_15_character_id_matches_an_account_stored_with_18():
    index = AccountIndex([AccountRef(1, "Larkspur Devices", external_id=SF_18)])
    assert match_lead(index, account_external_id=SF_15).account_id == 1


def test_salesforce_18_character_id_survives_being_upper_cased():
    index = AccountIndex([AccountRef(1, "Larkspur Devices", external_id=SF_15)])
    assert match_lead(index, account_external_id=SF_18.upper()).account_id == 1


def test_salesforce_15_character_ids_stay_case_sensitive():
    assert canonical_external_id(SF_15.lower()) != canonical_external_id(SF_15)


def test_dynamics_guid_and_spreadsheet_mangled_hubspot_id_are_canonical():
    guid = "7D6E4A52-9F0B-4C2E-8A1D-3B5C6D7E8F90"
    assert canonical_external_id("{" + guid + "}") == guid.lower()
    assert canonical_external_id(" 12345.0 ") == "12345"


def test_external_id_outranks_name_and_domain_and_reports_conflicts(index):
    accounts = [
        *ACCOUNTS[:1],
        AccountRef(KETTLEWELL, "Kettlewell & Sons GmbH", "kettlewell-sons.example", "K-1"),
    ]
    result = match_lead(
        AccountIndex(accounts),
        email="jo@larkspur-devices.example",
        company="Larkspur",
        account_external_id="K-1",
    )
    assert result == Match(KETTLEWELL, "external_id", ("domain_conflict",))
    result = match_lead(AccountIndex(accounts), company="Larkspur Devices Inc", account_external_id="K-1")
    assert result.flags == ("name_conflict",)


def test_unknown_external_id_falls_back_to_name_and_is_flagged(index):
    result = match_lead(index, company="Larkspur Devices", account_external_id="001000000000000")
    assert result == Match(LARKSPUR, "normalised_name", ("unknown_external_id",))


# --- Ambiguity, junk and edge cases -----------------------------------------------------------------


def test_domain_shared_by_two_accounts_is_ambiguous_and_suggests_both():
    index = AccountIndex(
        [
            AccountRef(1, "Acme UK", "https://acme.example/uk"),
            AccountRef(2, "Acme Germany", "de.acme.example"),
        ]
    )
    result = match_lead(index, email="jo@acme.example")
    assert (result.account_id, result.reason, set(result.suggestions)) == (None, "ambiguous_domain", {1, 2})


def test_a_unique_name_resolves_an_ambiguous_domain():
    index = AccountIndex(
        [AccountRef(1, "Acme UK", "acme.example"), AccountRef(2, "Acme Germany", "acme.example")]
    )
    assert match_lead(index, email="jo@acme.example", company="Acme Germany GmbH") == Match(
        2, "normalised_name"
    )


def test_duplicate_accounts_with_one_normalised_name_are_ambiguous_domain_candidate_first():
    index = AccountIndex(
        [AccountRef(1, "Acme Ltd", "acme.co.uk"), AccountRef(2, "Acme Limited", "acme-group.example")]
    )
    result = match_lead(index, email="jo@acme-group.example", company="ACME")
    assert (result.account_id, result.reason, result.suggestions) == (None, "ambiguous_name", (2, 1))


def test_hubspot_junk_gmail_company_never_matches_even_when_it_exists_as_an_account():
    index = AccountIndex([AccountRef(1, "Gmail.com", "gmail.com"), *ACCOUNTS[1:3]])
    result = match_lead(index, email="jo@gmail.com", company="Gmail.com")
    assert result == Match(None, "free_mail", ("free_mail", "free_mail_company"))


def test_junk_free_mail_company_falls_back_to_the_business_email_domain(index):
    result = match_lead(index, email="jo@larkspur-devices.example", company="gmail.com")
    assert result == Match(LARKSPUR, "domain", ("free_mail_company",))


def test_look_alike_unicode_company_is_suggested_not_matched(index):
    result = match_lead(index, company="Lаrkspur Devices")  # Cyrillic "а"
    assert (result.account_id, result.suggestions) == (None, (LARKSPUR,))


def test_look_alike_unicode_email_domain_does_not_match(index):
    assert match_lead(index, email="jo@lаrkspur-devices.example").account_id is None


@pytest.mark.parametrize("blank", [None, "", "   "])
def test_empty_inputs_are_an_unmatched_lead_not_an_error(index, blank):
    assert match_lead(index, email=blank, company=blank, account_external_id=blank) == Match(None, "no_match")


def test_malformed_email_rejects_the_row_even_with_a_valid_account_id():
    index = AccountIndex([AccountRef(1, "Larkspur Devices", external_id="A-1")])
    assert match_lead(index, email="jo@", account_external_id="A-1") == Match(None, "invalid_email")


@pytest.mark.parametrize("company", ["Larkspur Devcies", "Larksupr Devices"])
def test_typo_in_company_name_is_a_suggestion(index, company):
    result = match_lead(index, company=company)
    assert (result.account_id, result.reason, result.suggestions) == (None, "no_match", (LARKSPUR,))


def test_unrelated_company_gets_no_suggestions(index):
    assert match_lead(index, company="Brightwater Shipping").suggestions == ()


def test_a_word_shared_by_too_many_accounts_does_not_drive_suggestions():
    accounts = [AccountRef(i, f"Name{i} Group") for i in range(450)] + [AccountRef(999, "Quenby Group")]
    result = match_lead(AccountIndex(accounts), company="Quenby Grp")
    assert result.suggestions == (999,)
    assert match_lead(AccountIndex(accounts), company="Group").suggestions == ()


def test_index_rejects_duplicate_account_ids():
    with pytest.raises(ValueError, match="duplicate account id 1"):
        AccountIndex([AccountRef(1, "A"), AccountRef(1, "B")])


def test_free_mail_account_website_does_not_claim_the_domain():
    index = AccountIndex([AccountRef(1, "Jo's Bakery", "https://gmail.com")])
    assert match_lead(index, email="jo@gmail.com").account_id is None


# --- Name normalisation -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Larkspur Devices, Inc.", "larkspur devices"),
        ("Kettlewell & Sons GmbH", "kettlewell and sons"),
        ("The Quenby Group", "quenby group"),
        ("Societe Nautique Ardelle S.A.", "societe nautique ardelle"),
        ("Société Nautique Ardelle SA", "societe nautique ardelle"),
        ("Corvessa Freight Co.", "corvessa freight"),
        ("Ilvermoor Analytics Partners LLP", "ilvermoor analytics partners"),
        ("Oyelaran Systems Oy", "oyelaran systems"),
        ("Brightwater GmbH & Co. KG", "brightwater"),
        ("Hollin Trading Limited Liability Company", "hollin trading"),
        ("Marrow (Pty) Ltd", "marrow"),
        ("Fratelli Verdi S.p.A.", "fratelli verdi"),
        ("Smith & Co", "smith"),
        ("O'Reilly Media", "oreilly media"),
        ("Ørsted  Kraft   AS", "orsted kraft"),
        ("The Company", "company"),
        ("Inc", "inc"),
        ("", ""),
        (None, ""),
    ],
)
def test_normalise_company_name(name, expected):
    assert normalise_company_name(name) == expected


# --- Explanations and match rate --------------------------------------------------------------------


@pytest.mark.parametrize("reason", REASONS)
def test_every_reason_has_an_explanation(reason):
    assert describe(Match(None, reason)).endswith(".")


def test_explanation_mentions_the_flags():
    text = describe(Match(LARKSPUR, "normalised_name", ("domain_conflict",)))
    assert "legal forms" in text and "different account" in text


def test_every_flag_has_an_explanation():
    for flag in FLAGS:
        assert describe(Match(1, "domain", (flag,))) != describe(Match(1, "domain"))


def test_match_rate_leaves_rejected_rows_out_of_the_denominator():
    matches = [Match(1, "domain"), Match(None, "no_match"), Match(None, "invalid_email")]
    assert match_rate(matches) == 0.5


def test_match_rate_can_leave_free_mail_leads_out():
    matches = [
        Match(1, "domain"),
        Match(None, "no_match"),
        Match(2, "normalised_name", ("free_mail",)),
        Match(None, "free_mail", ("free_mail",)),
    ]
    assert match_rate(matches) == 0.5
    assert match_rate(matches, exclude_free_mail=True) == 0.5
    assert match_rate([Match(None, "free_mail", ("free_mail",))], exclude_free_mail=True) == 0.0


def test_match_rate_of_nothing_is_zero():
    assert match_rate([]) == 0.0


def test_reference_match_rate_counts_unmatched_but_not_rejected(index):
    results = [match_lead(index, email=c[1] or None, company=c[2] or None) for c in REFERENCE_CASES]
    # 21 of the 31 cases match; case 28 is a rejected row, so the denominator is 30.
    assert match_rate(results) == pytest.approx(21 / 30)


# --- Scale ------------------------------------------------------------------------------------------


def test_ten_thousand_leads_against_five_thousand_accounts_complete_through_the_index():
    accounts = [
        AccountRef(i, f"Company{i} Holdings Ltd", f"https://www.company{i}.example") for i in range(5000)
    ]
    index = AccountIndex(accounts)
    started = time.perf_counter()
    results = []
    for n in range(10_000):
        i = n % 5000
        if n % 4 == 0:
            results.append(match_lead(index, email=f"p{n}@company{i}.example"))
        elif n % 4 == 1:
            results.append(match_lead(index, email=f"p{n}@gmail.com", company=f"company{i} holdings"))
        elif n % 4 == 2:
            results.append(
                match_lead(index, email=f"p{n}@mail.company{i}.example", company=f"Company{i} Holdings")
            )
        else:
            results.append(
                match_lead(index, email=f"p{n}@unknown{n % 50}.example", company=f"Stranger {n % 50}")
            )
    elapsed = time.perf_counter() - started
    assert match_rate(results) == 0.75
    assert results[2] == Match(2, "normalised_name")
    # A generous bound that only an accidental scan of every account per lead would break.
    assert elapsed < 30

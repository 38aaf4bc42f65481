"""Job titles to seniority, function and buying role (ABM-REFERENCE 2.2, 2.3), and CRM role vocabularies."""

from __future__ import annotations

import pytest

from lms.abm.roles import (
    FUNCTIONS,
    SENIORITIES,
    TITLE_ROLES,
    TitleInference,
    crm_role,
    infer_roles,
    infer_title,
    suggest_roles,
)
from lms.abm.vocabulary import BUYING_ROLES

# ABM-REFERENCE 2.3, all 40 titles: (title, seniority, role).
REFERENCE_TITLES = [
    ("Chief Executive Officer", "c_level", "senior_decision_maker"),
    ("Founder & CEO", "c_level", "senior_decision_maker"),
    ("Co-Founder", "c_level", "senior_decision_maker"),
    ("Owner", "c_level", "senior_decision_maker"),
    ("President & CEO", "c_level", "senior_decision_maker"),
    ("Managing Director", "c_level", "senior_decision_maker"),
    ("Chief Financial Officer", "c_level", "finance"),
    ("Chief Information Officer", "c_level", "senior_decision_maker"),
    ("Chief Information Security Officer", "c_level", "senior_decision_maker"),
    ("Chief Procurement Officer", "c_level", "procurement"),
    ("Chief of Staff", "director", "influencer"),
    ("Executive Assistant to the CEO", "ic", "influencer"),
    ("Vice President, Marketing", "vp", "senior_decision_maker"),
    ("SVP Operations", "vp", "senior_decision_maker"),
    ("VP Finance", "vp", "finance"),
    ("AVP, Member Services", "director", "functional_owner"),
    ("General Manager", "vp", "senior_decision_maker"),
    ("Head of Procurement", "director", "procurement"),
    ("Head of Data Platform", "director", "technical_evaluator"),
    ("Director of Customer Success", "director", "functional_owner"),
    ("Sr. Director, Supply Chain", "director", "functional_owner"),
    ("IT Director", "director", "technical_evaluator"),
    ("Financial Controller", "director", "finance"),
    ("Associate Director, Strategy", "manager", "influencer"),
    ("Procurement Manager", "manager", "procurement"),
    ("Category Manager, Indirect Spend", "manager", "procurement"),
    ("IT Manager", "manager", "technical_evaluator"),
    ("Marketing Manager", "manager", "influencer"),
    ("Team Lead, Customer Support", "manager", "influencer"),
    ("Teller Supervisor", "manager", "influencer"),
    ("Senior Buyer", "ic", "procurement"),
    ("Media Buyer", "ic", "user"),
    ("Solutions Architect", "ic", "technical_evaluator"),
    ("Senior Software Engineer", "ic", "technical_evaluator"),
    ("FP&A Analyst", "ic", "finance"),
    ("Accounts Payable Specialist", "ic", "finance"),
    ("Loan Officer", "ic", "user"),
    ("HR Business Partner", "ic", "user"),
    ("Paralegal", "ic", "influencer"),
    ("", "unknown", "unknown"),
]


@pytest.mark.parametrize(
    ("title", "seniority", "role"), REFERENCE_TITLES, ids=[f"{n:02d}" for n in range(1, 41)]
)
def test_reference_title_gives_seniority_and_role(title, seniority, role):
    result = infer_title(title)
    assert (result.seniority, result.role) == (seniority, role)


def test_there_are_40_reference_titles():
    assert len(REFERENCE_TITLES) == 40


# Our own titles: (title, seniority, function, role).
MORE_TITLES = [
    ("Cook", "ic", "business", "user"),  # "cook" is not "coo"
    ("COO", "c_level", "general_management", "senior_decision_maker"),
    ("Chief Revenue Officer", "c_level", "business", "senior_decision_maker"),
    ("Head of IT Security", "director", "technical", "technical_evaluator"),
    ("VP Procurement", "vp", "procurement", "procurement"),
    ("Purchasing Assistant", "ic", "procurement", "procurement"),  # a function's assistant, not a gatekeeper
    ("Owner-Operator", "c_level", "general_management", "senior_decision_maker"),
    ("Data Analyst", "ic", "technical", "technical_evaluator"),
    ("Senior Manager, Finance", "manager", "finance", "finance"),
    ("Assistant to the CFO", "ic", "business", "influencer"),  # the principal's function is not theirs
    ("Administrative Assistant", "ic", "business", "influencer"),
    ("Marketing Assistant", "ic", "business", "user"),
    ("Chief of Staff to the CEO", "director", "general_management", "influencer"),
    ("Product Owner", "ic", "business", "user"),  # an agile role, not a business owner
    ("Partner, Audit & Assurance", "vp", "general_management", "senior_decision_maker"),
    ("Partner Account Manager", "manager", "business", "influencer"),
    ("Talent Partner", "ic", "business", "user"),
    ("Lead Software Engineer", "ic", "technical", "technical_evaluator"),  # "Lead … Engineer"
    ("Lead Generation Specialist", "ic", "business", "user"),
    ("Engineering Team Lead", "manager", "technical", "technical_evaluator"),
    ("Assistant Vice President, Claims", "director", "business", "functional_owner"),
    ("Associate Creative Director", "manager", "business", "influencer"),
    ("Account Executive", "ic", "business", "user"),  # "executive" is not a level
    ("Compliance Officer", "ic", "legal", "influencer"),
    ("V.P. Sales", "vp", "business", "senior_decision_maker"),
    ("Snr Mgr, IT", "manager", "technical", "technical_evaluator"),
    ("Head of Marketing", "director", "business", "functional_owner"),
    ("Chief Technology Officer", "c_level", "technical", "senior_decision_maker"),
    ("Vice-President Operations", "vp", "business", "senior_decision_maker"),
    ("Geschäftsführer", "c_level", "general_management", "senior_decision_maker"),  # stretch
    ("Directeur Général", "c_level", "general_management", "senior_decision_maker"),  # stretch
    ("Directeur des Achats", "director", "procurement", "procurement"),  # stretch
    ("Teamleiter Vertrieb", "manager", "business", "influencer"),  # stretch
    ("Gerente General", "vp", "general_management", "senior_decision_maker"),  # stretch
    ("  n/a ", "unknown", "unknown", "unknown"),
    (None, "unknown", "unknown", "unknown"),
]


@pytest.mark.parametrize(("title", "seniority", "function", "role"), MORE_TITLES)
def test_title_gives_seniority_function_and_role(title, seniority, function, role):
    assert infer_title(title) == TitleInference(seniority, function, role)


def test_title_inference_is_case_and_spacing_insensitive():
    assert infer_title("  vice   PRESIDENT,   marketing ") == infer_title("Vice President, Marketing")


def test_inferred_values_come_from_the_published_vocabularies():
    for title, *_ in REFERENCE_TITLES + MORE_TITLES:
        result = infer_title(title)
        assert result.seniority in SENIORITIES
        assert result.function in FUNCTIONS
        assert result.role in TITLE_ROLES


def test_title_roles_are_buying_roles_without_champion_and_blocker():
    assert set(TITLE_ROLES) - {"unknown"} == set(BUYING_ROLES) - {"champion", "blocker"}


@pytest.mark.parametrize("title", ["Champion of Change", "Internal Champion", "Blocker", "Devil's Advocate"])
def test_a_title_never_implies_champion_or_blocker(title):
    assert infer_title(title).role not in ("champion", "blocker")
    assert not {"champion", "blocker"} & set(infer_roles(title))


# --- CRM vocabularies -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "role"),
    [
        # Salesforce OpportunityContactRole
        ("Business User", "user"),
        ("Decision Maker", "senior_decision_maker"),
        ("Economic Buyer", "senior_decision_maker"),
        ("Economic Decision Maker", "senior_decision_maker"),
        ("Evaluator", "technical_evaluator"),
        ("Executive Sponsor", "senior_decision_maker"),
        ("Influencer", "influencer"),
        ("Technical Buyer", "technical_evaluator"),
        ("Other", None),
        # Salesforce BuyerAttributes
        ("BusinessUser", "user"),
        ("Buyer", "procurement"),
        ("Champion", "champion"),
        ("DecisionMaker", "senior_decision_maker"),
        ("Detractor", "blocker"),
        ("ExecutiveSponsor", "senior_decision_maker"),
        ("TechnicalExpert", "technical_evaluator"),
        # HubSpot hs_buying_role values and labels
        ("BLOCKER", "blocker"),
        ("BUDGET_HOLDER", "finance"),
        ("Budget Holder", "finance"),
        ("CHAMPION", "champion"),
        ("DECISION_MAKER", "senior_decision_maker"),
        ("END_USER", "user"),
        ("End User", "user"),
        ("EXECUTIVE_SPONSOR", "senior_decision_maker"),
        ("INFLUENCER", "influencer"),
        ("LEGAL_AND_COMPLIANCE", "influencer"),
        ("Legal & Compliance", "influencer"),
        ("OTHER", None),
        # ABM Academy's own names, and junk
        ("technical_evaluator", "technical_evaluator"),
        ("  decision_maker ", "senior_decision_maker"),
        ("Astronaut", None),
        ("", None),
        (None, None),
    ],
)
def test_crm_role_maps_salesforce_and_hubspot_values_to_buying_roles(value, role):
    assert crm_role(value) == role


def test_infer_roles_is_the_union_of_title_and_crm_roles_in_product_order():
    roles = infer_roles("IT Manager", ["Champion", "DECISION_MAKER"])
    assert roles == ("senior_decision_maker", "technical_evaluator", "champion")


def test_infer_roles_splits_multi_select_crm_values():
    assert infer_roles("", ["Champion;Detractor", " END_USER ; Other"]) == ("user", "champion", "blocker")


def test_infer_roles_ignores_unknown_crm_values_and_empty_titles():
    assert infer_roles(None, ["Astronaut", None, ""]) == ()


def test_infer_roles_does_not_repeat_a_role_given_twice():
    assert infer_roles("VP Finance", ["BUDGET_HOLDER", "Budget Holder"]) == ("finance",)


def test_learner_choice_is_never_overwritten():
    assert suggest_roles("Chief Executive Officer", ["Detractor"], ("champion",)) == ("champion",)


def test_roles_are_suggested_when_the_learner_has_chosen_none():
    assert suggest_roles("Procurement Manager", ["Champion"], ()) == ("procurement", "champion")

"""Identity: users, organisations, memberships and roles, cohorts, invitations, sign-in, tenancy."""
